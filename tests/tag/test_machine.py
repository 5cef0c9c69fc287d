"""MachineCoder: the process-pool path gives exactly the in-process codes."""

from __future__ import annotations

import pandas as pd

from workbench import schema
from workbench.codebook import builtin_codebook
from workbench.tag import machine
from workbench.tag.machine import MACHINE_COLUMNS, MachineCoder, code_texts

TEXTS = [
    "The engineer didn't turn up and I was on hold for an hour.",
    "I love the app, setting up the router took five minutes!",
    "The price rise letter came by post and I rang to cancel.",
    "I saw an advert on social media and compared deals on the website.",
] * 30


def test_pool_and_serial_give_identical_codes(monkeypatch):
    coder = MachineCoder(builtin_codebook())
    serial = coder.code(TEXTS)
    monkeypatch.setattr(machine, "CHUNK", 25)
    pooled = code_texts(coder, TEXTS, workers=2)
    assert list(pooled.columns) == list(MACHINE_COLUMNS)
    pd.testing.assert_frame_equal(pooled, serial)
    assert serial[schema.STAGE].notna().any() and serial[schema.PAIN_POINT].any()
    pain = serial[schema.PAIN_POINT].to_numpy(dtype=bool)
    assert serial.loc[~pain, schema.PAIN_CATEGORY].isna().all()


def test_a_class_left_out_of_the_model_keeps_the_rules_code():
    from workbench.tag.models import fit_model

    codebook = builtin_codebook()
    rules = MachineCoder(codebook).code(TEXTS)
    left = rules[schema.STAGE].dropna().iloc[2]  # a stage the rules give to the third text
    texts = [f"the engineer and the router, visit {i}" for i in range(20)]
    texts += [f"my bill and the price on the letter {i}" for i in range(20)]
    y = ["onboarding"] * 20 + ["support"] * 20
    model = fit_model("stage", texts, y, codebook_hash=codebook.hash, calibrate=False)
    model.metrics["left_out"] = {left: 3}
    coded = MachineCoder(codebook, {"stage": model}).code(TEXTS)
    ruled = (rules[schema.STAGE] == left).to_numpy()
    assert ruled.any()
    assert (coded.loc[ruled, schema.STAGE] == left).all()  # the rules' code of that class stays
    assert (coded.loc[ruled, schema.CODE_SOURCE] == schema.SOURCE_RULE).all()
    assert set(coded.loc[~ruled, schema.STAGE]) <= {"onboarding", "support"}

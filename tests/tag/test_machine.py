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

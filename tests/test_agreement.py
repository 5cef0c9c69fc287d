"""Tests of workbench.agreement: κ, α (published worked examples), pairwise tables."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from workbench import schema
from workbench.agreement import (
    ALPHA,
    CODE,
    CODER_A,
    CODER_B,
    HUMAN_HUMAN,
    HUMAN_MODEL,
    KAPPA,
    N_UNITS,
    PAIR_TYPE,
    PERCENT_AGREEMENT,
    RESULT_COLUMNS,
    AgreementError,
    agreement_report,
    cohen_kappa,
    coincidence_matrix,
    confusion_table,
    krippendorff_alpha,
    pairwise_agreement,
    percent_agreement,
)
from workbench.errors import WorkbenchError

# --- Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", University of
# Pennsylvania ScholarlyCommons (asc_papers/43). Reliability data: rows = observers, columns =
# units, None = missing.

# Section A, "Binary or dichotomous data, two observers, no missing data". Published α = 0.095.
PAPER_A = [
    [0, 1, 0, 0, 0, 0, 0, 0, 1, 0],  # observer A
    [1, 1, 1, 0, 0, 1, 0, 0, 0, 0],  # observer B
]

# Section B, "Nominal data, two observers, no missing data" (values a..e). Published α = 0.692.
PAPER_B = [
    ["a", "a", "b", "b", "d", "c", "c", "c", "e", "d", "d", "a"],  # observer A
    ["b", "a", "b", "b", "b", "c", "c", "c", "e", "d", "d", "d"],  # observer B
]

# Section C, "Nominal data, any number of observers, missing data", 4 observers x 12 units.
# Published α_nominal = 0.743; the paper also gives α_interval = 0.849 for the same matrix.
_ = None
PAPER_C = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],  # observer A
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],  # observer B
    [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],  # observer C
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],  # observer D
]


def test_paper_a_binary_two_observers():
    # Coincidences by hand: units 1, 3, 6, 9 disagree (0,1) -> o01 = o10 = 4; unit 2 is (1,1)
    # -> o11 = 2; units 4, 5, 7, 8, 10 are (0,0) -> o00 = 10. n0 = 14, n1 = 6, n = 20.
    o = coincidence_matrix(PAPER_A)
    assert o.loc[0, 0] == 10 and o.loc[0, 1] == 4 and o.loc[1, 0] == 4 and o.loc[1, 1] == 2
    # The paper's arithmetic: α = 1 - (n - 1) o01 / (n0 n1) = 1 - 19 * 4 / (14 * 6).
    assert krippendorff_alpha(PAPER_A) == pytest.approx(1 - 19 * 4 / (14 * 6), abs=1e-12)
    assert round(krippendorff_alpha(PAPER_A), 3) == 0.095


def test_paper_b_nominal_two_observers():
    # By hand: 6 disagreeing pairs off the diagonal (ab, ba, bd, db, ad, da), n = 24,
    # margins a 4, b 6, c 6, d 6, e 2 -> Σ n_c n_k (c != k) = 24² - (16+36+36+36+4) = 448.
    o = coincidence_matrix(PAPER_B)
    assert o.to_numpy().sum() == 24
    assert list(o.sum(axis=1)) == [4, 6, 6, 6, 2]
    expected = 1 - 23 * 6 / 448
    assert krippendorff_alpha(PAPER_B) == pytest.approx(expected, abs=1e-12)
    assert round(krippendorff_alpha(PAPER_B), 3) == 0.692


def test_paper_c_nominal_with_missing_data():
    assert round(krippendorff_alpha(PAPER_C), 3) == 0.743
    # Unit 12 has one value only: not pairable, so n = 40 pairable values (paper: n = 40).
    assert coincidence_matrix(PAPER_C).to_numpy().sum() == pytest.approx(40)
    # Dropping the unpairable unit changes nothing.
    assert krippendorff_alpha([row[:11] for row in PAPER_C]) == krippendorff_alpha(PAPER_C)


def test_paper_c_interval():
    assert round(krippendorff_alpha(PAPER_C, "interval"), 3) == 0.849


def test_alpha_accepts_arrays_and_frames_with_nan():
    as_float = np.array([[np.nan if v is None else v for v in row] for row in PAPER_C])
    frame = pd.DataFrame(PAPER_C, index=list("ABCD")).astype("Float64")  # pd.NA for missing
    for data in (as_float, frame):
        assert round(krippendorff_alpha(data), 3) == 0.743


def test_alpha_undefined_is_nan_and_perfect_is_one():
    assert math.isnan(krippendorff_alpha([["x", "x"], ["x", "x"]]))  # no variation: D_e = 0
    assert math.isnan(krippendorff_alpha([["x", None], [None, "y"]]))  # nothing pairable
    assert krippendorff_alpha([["x", "y", "z"], ["x", "y", "z"]]) == 1.0


def test_ordinal_uses_value_domain_order():
    data = [["neg", "neu", "pos", "neu"], ["neu", "neu", "pos", "pos"]]
    by_meaning = krippendorff_alpha(data, "ordinal", value_domain=["neg", "neu", "pos"])
    by_alphabet = krippendorff_alpha(data, "ordinal")  # neg < neu < pos happens to sort right
    assert by_meaning == by_alphabet
    scrambled = krippendorff_alpha(data, "ordinal", value_domain=["neu", "neg", "pos"])
    assert scrambled != by_meaning


def test_alpha_errors():
    with pytest.raises(AgreementError, match="level"):
        krippendorff_alpha(PAPER_A, "cardinal")
    with pytest.raises(AgreementError, match="numeric"):
        krippendorff_alpha(PAPER_B, "interval")
    with pytest.raises(AgreementError, match="row 2 has 2 values"):
        krippendorff_alpha([[1, 2, 3], [1, 2]])
    with pytest.raises(AgreementError, match=r"\['z'\]"):
        krippendorff_alpha([["x", "z"], ["x", "y"]], value_domain=["x", "y"])


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_alpha_matches_krippendorff_package(level):
    krippendorff = pytest.importorskip("krippendorff")  # dev-only independent implementation
    rng = np.random.default_rng(20110)
    for _trial in range(25):
        n_coders, n_units = rng.integers(2, 6), rng.integers(5, 40)
        data = rng.integers(1, 6, size=(n_coders, n_units)).astype(float)
        data[rng.random(data.shape) < 0.25] = np.nan
        theirs = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
        ours = krippendorff_alpha(data, level, value_domain=[1.0, 2.0, 3.0, 4.0, 5.0])
        assert ours == pytest.approx(theirs, abs=1e-9)


# --- Cohen's kappa --------------------------------------------------------------------------
# Hand-worked 2x2 table, 50 units:          B yes  B no
#                                   A yes      20     5    (A: 25 yes)
#                                   A no       10    15    (A: 25 no)
# p_o = (20 + 15) / 50 = 0.7; B says yes 30/50. p_e = (25/50)(30/50) + (25/50)(20/50) = 0.5.
# κ = (0.7 - 0.5) / (1 - 0.5) = 0.4.
TABLE_A = ["yes"] * 25 + ["no"] * 25
TABLE_B = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15


def test_kappa_two_by_two_by_hand():
    assert percent_agreement(TABLE_A, TABLE_B) == pytest.approx(0.7)
    assert cohen_kappa(TABLE_A, TABLE_B) == pytest.approx(0.4)


def test_kappa_three_categories_by_hand():
    # 10 units; A: x x x x y y y z z z, B: x x x y y y z z z x.
    # Agreements: x,x,x (units 1-3), y,y (5,6), z,z (8,9) -> p_o = 7/10.
    # A margins x 4, y 3, z 3; B margins x 4, y 3, z 3.
    # p_e = (4*4 + 3*3 + 3*3) / 100 = 34/100; κ = (70/100 - 34/100) / (66/100) = 36/66.
    a = list("xxxxyyyzzz")
    b = list("xxxyyyzzzx")
    assert cohen_kappa(a, b) == pytest.approx(float(Fraction(36, 66)))


def test_kappa_undefined_when_single_shared_label():
    # p_e = 1, so κ = 0/0: NaN, like scikit-learn's cohen_kappa_score; agreement is still 1.
    assert math.isnan(cohen_kappa(["a"] * 5, ["a"] * 5))
    assert percent_agreement(["a"] * 5, ["a"] * 5) == 1.0
    # One coder varies: defined; p_o = 2/3, p_e = 2/3 -> κ = 0.
    assert cohen_kappa(["a", "a", "b"], ["a", "a", "a"]) == 0.0


def test_kappa_on_booleans_and_empty():
    # a: T T F F, b: T F F F -> p_o 3/4; p_e = (2/4)(1/4) + (2/4)(3/4) = 1/2 -> κ = 0.5.
    assert cohen_kappa([True, True, False, False], [True, False, False, False]) == 0.5
    assert math.isnan(percent_agreement([], []))
    assert math.isnan(cohen_kappa([], []))


def test_two_coder_inputs_are_checked():
    with pytest.raises(AgreementError, match=r"3 codes .* 2"):
        cohen_kappa(["a", "b", "c"], ["a", "b"])
    with pytest.raises(AgreementError, match="position 1: coder b"):
        percent_agreement(["a", "b"], ["a", None])
    assert issubclass(AgreementError, WorkbenchError)


def test_confusion_table_counts_and_names():
    table = confusion_table(TABLE_A, TABLE_B, labels=["yes", "no", "maybe"], a_name="ann")
    assert table.index.name == "ann" and table.columns.name == "coder B"
    assert table.loc["yes", "yes"] == 20 and table.loc["yes", "no"] == 5
    assert table.loc["no", "yes"] == 10 and table.loc["no", "no"] == 15
    assert table.loc["maybe"].sum() == 0 and table["maybe"].sum() == 0
    assert table.to_numpy().sum() == 50
    with pytest.raises(AgreementError, match=r"\['yes'\] are not in labels"):
        confusion_table(TABLE_A, TABLE_B, labels=["no"])


# --- long code tables -----------------------------------------------------------------------
def _long(rows: list[tuple]) -> pd.DataFrame:
    columns = [schema.SEGMENT_ID, schema.CODER, schema.STAGE, schema.TOUCHPOINTS]
    columns.append(schema.PAIN_POINT)
    frame = pd.DataFrame(rows, columns=columns)
    frame[schema.SEGMENT_ID] = frame[schema.SEGMENT_ID].astype("string")
    frame[schema.CODER] = frame[schema.CODER].astype("string")
    frame[schema.STAGE] = frame[schema.STAGE].astype("string")
    frame[schema.PAIN_POINT] = frame[schema.PAIN_POINT].astype("boolean")
    return frame


# Units s1-s6 coded by both ann and ben. stage: agree on s1, s2, s4, s6 (4 of 6).
SHARED = [
    ("s1", "ann", "aware", ["app"], True),
    ("s1", "ben", "aware", ["app"], True),
    ("s2", "ann", "buy", ["app", "web"], False),
    ("s2", "ben", "buy", ["web"], False),
    ("s3", "ann", "buy", [], True),
    ("s3", "ben", "use", [], False),
    ("s4", "ann", "use", ["store"], False),
    ("s4", "ben", "use", ["store", "app"], False),
    ("s5", "ann", "use", ["web"], True),
    ("s5", "ben", "aware", ["web"], True),
    ("s6", "ann", "aware", None, None),  # ann did not code touchpoints/pain point of s6
    ("s6", "ben", "aware", ["app"], False),
]
# Units only one of them coded: must not move any number.
ONE_SIDED = [
    ("s7", "ann", "aware", ["app"], True),
    ("s8", "ann", "use", ["web"], False),
    ("s9", "ben", "buy", ["store"], True),
    ("s10", None, "buy", ["app"], True),  # a row without a coder is nobody's code
]
ANN_BEN = {"coder_a": "ann", "coder_b": "ben"}
COLUMNS = [schema.STAGE, schema.TOUCHPOINTS, schema.PAIN_POINT]


def _row(table: pd.DataFrame, code: str) -> pd.Series:
    return table.set_index(CODE).loc[code]


def test_pairwise_stage_uses_shared_units_only():
    with_one_sided = pairwise_agreement(_long(SHARED + ONE_SIDED), code_columns=COLUMNS, **ANN_BEN)
    shared_only = pairwise_agreement(_long(SHARED), code_columns=COLUMNS, **ANN_BEN)
    pd.testing.assert_frame_equal(with_one_sided, shared_only)
    assert list(shared_only.columns) == list(RESULT_COLUMNS)
    stage = _row(shared_only, schema.STAGE)
    assert stage[N_UNITS] == 6
    assert stage[PERCENT_AGREEMENT] == pytest.approx(4 / 6)
    ann = ["aware", "buy", "buy", "use", "use", "aware"]
    ben = ["aware", "buy", "use", "use", "aware", "aware"]
    assert stage[KAPPA] == pytest.approx(cohen_kappa(ann, ben))
    assert stage[ALPHA] == pytest.approx(krippendorff_alpha([ann, ben]))
    assert stage[CODER_A] == "ann" and stage[CODER_B] == "ben"


def test_pairwise_booleans_skip_uncoded():
    pain = _row(
        pairwise_agreement(_long(SHARED + ONE_SIDED), code_columns=COLUMNS, **ANN_BEN),
        schema.PAIN_POINT,
    )
    # s6 is uncoded by ann -> 5 units. ann T F T F T, ben T F F F T: agree on 4 of 5.
    # p_e = (3/5)(2/5) + (2/5)(3/5) = 12/25; κ = (4/5 - 12/25) / (13/25) = 8/13.
    assert pain[N_UNITS] == 5
    assert pain[PERCENT_AGREEMENT] == pytest.approx(0.8)
    assert pain[KAPPA] == pytest.approx(8 / 13)


def test_pairwise_touchpoints_per_label():
    table = pairwise_agreement(_long(SHARED + ONE_SIDED), code_columns=COLUMNS, **ANN_BEN)
    touch = table[table[CODE].str.startswith(schema.TOUCHPOINTS + ":")]
    # Labels used by either coder on the 5 shared coded units (s1-s5); s7-s9 add none.
    assert list(touch[CODE]) == [f"{schema.TOUCHPOINTS}:{t}" for t in ("app", "store", "web")]
    assert (touch[N_UNITS] == 5).all()
    # app present?  ann: s1 1, s2 1, s3 0, s4 0, s5 0; ben: 1, 0, 0, 1, 0 -> agree 3/5.
    # p_e = (2/5)(2/5) + (3/5)(3/5) = 13/25; κ = (15/25 - 13/25) / (12/25) = 1/6.
    app = _row(table, f"{schema.TOUCHPOINTS}:app")
    assert app[PERCENT_AGREEMENT] == pytest.approx(0.6)
    assert app[KAPPA] == pytest.approx(1 / 6)
    # store: present for both on s4 only -> perfect; web: ann s2 s5, ben s2 s5 -> perfect.
    assert _row(table, f"{schema.TOUCHPOINTS}:store")[KAPPA] == 1.0
    assert _row(table, f"{schema.TOUCHPOINTS}:web")[PERCENT_AGREEMENT] == 1.0


def test_pairwise_touchpoints_all_empty_keeps_a_row():
    rows = [(u, c, "use", [], False) for u in ("s1", "s2") for c in ("ann", "ben")]
    table = pairwise_agreement(_long(rows), code_columns=[schema.TOUCHPOINTS], **ANN_BEN)
    row = _row(table, schema.TOUCHPOINTS)
    assert row[N_UNITS] == 2 and row[PERCENT_AGREEMENT] == 1.0
    assert math.isnan(row[KAPPA]) and math.isnan(row[ALPHA])  # no variation: undefined


def test_pairwise_touchpoints_as_numpy_arrays():
    # Parquet round trips list columns as numpy arrays.
    frame = _long(SHARED)
    frame[schema.TOUCHPOINTS] = [
        None if v is None else np.array(v, dtype=object) for v in frame[schema.TOUCHPOINTS]
    ]
    as_arrays = pairwise_agreement(frame, code_columns=[schema.TOUCHPOINTS], **ANN_BEN)
    as_lists = pairwise_agreement(_long(SHARED), code_columns=[schema.TOUCHPOINTS], **ANN_BEN)
    pd.testing.assert_frame_equal(as_arrays, as_lists)


def test_pairwise_errors():
    frame = _long(SHARED)
    with pytest.raises(AgreementError, match=r"unknown coder 'cy'.*\['ann', 'ben'\]"):
        pairwise_agreement(frame, code_columns=COLUMNS, coder_a="ann", coder_b="cy")
    with pytest.raises(AgreementError, match="both 'ann'"):
        pairwise_agreement(frame, code_columns=COLUMNS, coder_a="ann", coder_b="ann")
    doubled = pd.concat([frame, frame.iloc[[0]]], ignore_index=True)
    with pytest.raises(AgreementError, match=r"unit 's1'.*one row per unit and coder"):
        pairwise_agreement(doubled, code_columns=COLUMNS, **ANN_BEN)
    with pytest.raises(WorkbenchError, match=schema.EMOTION):
        pairwise_agreement(frame, code_columns=[schema.EMOTION], **ANN_BEN)


def _three_humans_and_model() -> pd.DataFrame:
    rows = list(SHARED)
    cy = ["aware", "buy", "use", "use", "use", "buy"]
    model = ["aware", "use", "buy", "use", "use", "aware"]
    for i, (c, m) in enumerate(zip(cy, model, strict=True), start=1):
        rows.append((f"s{i}", "cy", c, ["app"], True))
        rows.append((f"s{i}", "model", m, ["web"], False))
    return _long(rows)


def test_agreement_report_pairs():
    codes = _three_humans_and_model()
    report = agreement_report(codes, code_columns=[schema.STAGE])
    pairs = list(zip(report[CODER_A], report[CODER_B], report[PAIR_TYPE], strict=True))
    assert pairs == [
        ("ann", "ben", HUMAN_HUMAN),
        ("ann", "cy", HUMAN_HUMAN),
        ("ben", "cy", HUMAN_HUMAN),
        ("ann", "model", HUMAN_MODEL),
        ("ben", "model", HUMAN_MODEL),
        ("cy", "model", HUMAN_MODEL),
    ]
    # ann vs model on stage: ann aware buy buy use use aware, model aware use buy use use aware.
    ann_model = report[(report[CODER_A] == "ann") & (report[CODER_B] == "model")].iloc[0]
    assert ann_model[PERCENT_AGREEMENT] == pytest.approx(5 / 6)
    direct = pairwise_agreement(codes, code_columns=[schema.STAGE], coder_a="ann", coder_b="model")
    assert ann_model[KAPPA] == direct[KAPPA].iloc[0]


def test_agreement_report_selected_coders_and_errors():
    codes = _three_humans_and_model()
    report = agreement_report(codes, code_columns=[schema.STAGE], coders=["ann", "cy"])
    assert set(zip(report[CODER_A], report[CODER_B], strict=True)) == {
        ("ann", "cy"),
        ("ann", "model"),
        ("cy", "model"),
    }
    # model_coder=None: no machine coder, every coder found counts as human (4 -> 6 pairs).
    no_model = agreement_report(codes, code_columns=[schema.STAGE], model_coder=None)
    assert set(no_model[PAIR_TYPE]) == {HUMAN_HUMAN} and len(no_model) == 6
    humans = agreement_report(
        codes, code_columns=[schema.STAGE], coders=["ann", "ben", "cy"], model_coder=None
    )
    assert len(humans) == 3 and "model" not in set(humans[CODER_B])
    with pytest.raises(AgreementError, match=r"unknown coder\(s\) \['dee'\].*'model'"):
        agreement_report(codes, code_columns=[schema.STAGE], coders=["ann", "dee"])
    only_ann = codes[codes[schema.CODER] == "ann"]
    with pytest.raises(AgreementError, match="nothing to compare"):
        agreement_report(only_ann, code_columns=[schema.STAGE])

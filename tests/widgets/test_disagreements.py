"""The disagreement explorer lists exactly the segments where two coders differ."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.study_fixture import tagged_coded_study  # noqa: F401
from workbench import schema
from workbench.project import Project
from workbench.reliability import codes_long
from workbench.widgets.disagreements import (
    CODE_A,
    CODE_B,
    DisagreementExplorer,
    disagreement_counts,
    open_disagreements,
)


@pytest.fixture(scope="module")
def codes(tagged_coded_study: Project) -> pd.DataFrame:  # noqa: F811
    return codes_long(tagged_coded_study, model=False)


def differing(codes: pd.DataFrame, column: str, a: str, b: str) -> set[str]:
    wide = codes.pivot(index=schema.SEGMENT_ID, columns=schema.CODER, values=column)
    both = wide[[a, b]].dropna()
    return set(both.index[both[a] != both[b]])


def test_selecting_a_code_lists_exactly_the_differing_segments(
    tagged_coded_study: Project,  # noqa: F811
    codes: pd.DataFrame,
):
    widget = open_disagreements(tagged_coded_study, model=False, codes=codes)
    a, b = widget.coder_a.value, widget.coder_b.value
    assert a != b
    for column in (schema.STAGE, schema.EMOTION, schema.PAIN_POINT):
        widget.code.value = column
        expected = differing(codes, column, a, b)
        assert expected  # the sample coders disagree on each of these
        assert set(widget.listed[schema.SEGMENT_ID]) == expected
        assert len(widget.listed) == len(expected)
        for sid in expected:
            assert f"<td>{sid}</td>" in widget.segments.value
        assert (widget.listed[CODE_A] != widget.listed[CODE_B]).all()
        # the confusion table's off-diagonal total is the number of differing segments
        assert "<table" in widget.confusion.value


def test_codes_offered_are_those_with_disagreements_and_text_is_escaped():
    codes = pd.DataFrame(
        {
            schema.SEGMENT_ID: ["s1", "s1", "s2", "s2", "s3"],
            schema.CODER: ["ann", "ben", "ann", "ben", "ann"],
            schema.STAGE: ["support", "billing", "support", "support", "renewal"],
            schema.EMOTION: ["anger", "anger", "joy", "joy", "joy"],
        }
    )
    assert disagreement_counts(codes, "ann", "ben", [schema.STAGE, schema.EMOTION]) == {
        schema.STAGE: 1
    }
    widget = DisagreementExplorer(
        codes,
        texts={"s1": "<img src=x onerror=alert(1)>"},
        code_columns=[schema.STAGE, schema.EMOTION],
    )
    assert [value for _, value in widget.code.options] == [schema.STAGE]
    assert widget.listed[schema.SEGMENT_ID].tolist() == ["s1"]
    assert widget.listed[[CODE_A, CODE_B]].values.tolist() == [["support", "billing"]]
    assert "&lt;img src=x" in widget.segments.value and "<img" not in widget.segments.value
    widget.coder_b.value = "ann"  # the same coder twice: nothing to compare, said in the widget
    assert widget.code.options == () and "two different coders" in widget.message.value
    assert widget.listed.empty

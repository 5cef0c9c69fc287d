"""Reliability table: human–human and human–model agreement on the tagged sample study."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from tests.study_fixture import tagged_coded_study  # noqa: F401
from workbench import agreement as agr
from workbench import schema
from workbench.project import Project
from workbench.reliability import MODEL_CODER, codes_long, model_codes, reliability_table
from workbench.store import CodeStore


@pytest.fixture(scope="module")
def long_codes(tagged_coded_study: Project) -> pd.DataFrame:  # noqa: F811
    return codes_long(tagged_coded_study)


@pytest.fixture(scope="module")
def table(tagged_coded_study: Project, long_codes: pd.DataFrame) -> pd.DataFrame:  # noqa: F811
    return reliability_table(tagged_coded_study, codes=long_codes)


@pytest.fixture(scope="module")
def store_codes(tagged_coded_study: Project) -> pd.DataFrame:  # noqa: F811
    with CodeStore.for_project(tagged_coded_study.root) as store:
        return store.current_codes()


def test_human_human_row_counts_the_overlap(table: pd.DataFrame, store_codes: pd.DataFrame):
    humans = sorted(store_codes[schema.CODER].unique())
    assert len(humans) == 2
    row = table[(table[agr.PAIR_TYPE] == agr.HUMAN_HUMAN) & (table[agr.CODE] == schema.STAGE)]
    assert len(row) == 1 and {row[agr.CODER_A].iloc[0], row[agr.CODER_B].iloc[0]} == set(humans)
    wide = store_codes.pivot(index=schema.SEGMENT_ID, columns=schema.CODER, values=schema.STAGE)
    both = wide.dropna()
    assert int(row[agr.N_UNITS].iloc[0]) == len(both) > 0
    same = (both[humans[0]] == both[humans[1]]).mean()
    assert row[agr.PERCENT_AGREEMENT].iloc[0] == pytest.approx(same)


def test_human_model_rows_cover_each_coders_segments(
    table: pd.DataFrame, store_codes: pd.DataFrame
):
    model_rows = table[table[agr.PAIR_TYPE] == agr.HUMAN_MODEL]
    assert set(model_rows[agr.CODER_B]) == {MODEL_CODER}
    assert set(model_rows[agr.CODER_A]) == set(store_codes[schema.CODER])
    for coder, group in store_codes.groupby(schema.CODER):
        pain = model_rows[
            (model_rows[agr.CODER_A] == coder) & (model_rows[agr.CODE] == schema.PAIN_POINT)
        ]
        # the machine always decides pain point, so the overlap is every segment the human coded
        assert int(pain[agr.N_UNITS].iloc[0]) == int(group[schema.PAIN_POINT].notna().sum())


def test_values_match_pairwise_agreement(table: pd.DataFrame, long_codes: pd.DataFrame):
    for (a, b), rows in table.groupby([agr.CODER_A, agr.CODER_B]):
        expected = agr.pairwise_agreement(
            long_codes, code_columns=list(rows[agr.CODE]), coder_a=a, coder_b=b
        )
        for mine, theirs in zip(rows.to_dict("records"), expected.to_dict("records"), strict=True):
            for key in (agr.N_UNITS, agr.PERCENT_AGREEMENT, agr.KAPPA, agr.ALPHA):
                x, y = mine[key], theirs[key]
                assert (math.isnan(x) and math.isnan(y)) or x == pytest.approx(y), (a, b, key)


def test_model_codes_are_the_machines_not_the_humans(
    tagged_coded_study: Project,  # noqa: F811
    long_codes: pd.DataFrame,
):
    coded = pd.read_parquet(tagged_coded_study.processed_file("coded.parquet"))
    machine = coded[
        (coded[schema.CODE_SOURCE] != schema.SOURCE_HUMAN)
        & (coded[schema.SPEAKER_ROLE] == schema.ROLE_PARTICIPANT)
    ].head(200)
    # recomputed machine codes equal what `workbench tag` wrote for segments nobody coded
    ours = model_codes(tagged_coded_study, machine[schema.SEGMENT_ID].tolist())
    ours = ours.set_index(schema.SEGMENT_ID).loc[machine[schema.SEGMENT_ID]]
    for column in (schema.STAGE, schema.PAIN_POINT, schema.SENTIMENT_LABEL):
        assert ours[column].astype(object).where(ours[column].notna(), None).tolist() == (
            machine[column].astype(object).where(machine[column].notna(), None).tolist()
        )
    # and on human-coded segments the model's codes are its own (they differ somewhere)
    wide = long_codes.pivot(index=schema.SEGMENT_ID, columns=schema.CODER, values=schema.STAGE)
    humans = [c for c in wide.columns if c != MODEL_CODER]
    both = wide[MODEL_CODER].notna()
    assert any((both & wide[h].notna() & (wide[h] != wide[MODEL_CODER])).any() for h in humans)
    assert wide[MODEL_CODER].notna().sum() > 0

"""Choice questions: who answered what, measures by answer, and what respondents wrote about
by what they answered (workbench.survey_choices); questions pooled over files."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench import schema
from workbench.survey import survey_metrics
from workbench.survey_breakdowns import codes_by_answer, extremes, metrics_by_answer
from workbench.survey_choices import choice_shares


def tables(rows: list[tuple[str, str, str, str]], kinds: dict[str, tuple[str, str | None]]):
    """rows: (source, respondent, question, value); kinds: question -> (kind, metric)."""
    responses = pd.DataFrame(rows, columns=["source_id", "respondent_id", "question_id", "value"])
    responses[schema.PERSONA] = "p"
    numbers = pd.to_numeric(responses["value"], errors="coerce")
    said = responses["value"].map({"Yes": 1.0, "No": 0.0}).astype(float)
    yes = responses["question_id"].map(lambda q: kinds[q][0] == schema.KIND_YES_NO)
    responses[schema.VALUE_NUM] = said.where(yes, numbers).astype(float)
    questions = pd.DataFrame(
        [
            (source, q, q.title(), kind, metric, "1-5" if kind == schema.KIND_RATING else None)
            for source in responses["source_id"].unique()
            for q, (kind, metric) in kinds.items()
        ],
        columns=["source_id", "question_id", "question_text", "kind", "metric", "scale"],
    )
    return questions, responses


def test_multiple_choice_counts_each_option_and_folds_the_rare_ones():
    rows = [
        ("s", f"r{i}", "ch", v)
        for i, v in enumerate(["Email; Phone", "Email", "Phone, App", "Post", "Email", "Fax"])
    ]
    questions, responses = tables(rows, {"ch": (schema.KIND_MULTI, None)})
    shares = choice_shares(questions, responses, top=3).set_index("answer")
    assert shares.loc["Email", schema.COUNT] == 3 and shares.loc["Phone", schema.COUNT] == 2
    assert shares.loc["Email", schema.SHARE] == pytest.approx(50.0)  # of 6 respondents
    assert shares.loc["Other", schema.COUNT] == 2  # Post and Fax, past the top 3
    assert shares[schema.CI_LOW].lt(shares[schema.SHARE]).all()


def test_a_question_in_several_files_is_one_question_over_all_respondents():
    rows = [
        ("a", "r1", "rec", "Yes"),
        ("a", "r2", "rec", "No"),
        ("b", "r1", "rec", "Yes"),
        ("b", "r2", "rec", "Yes"),
    ]
    questions, responses = tables(rows, {"rec": (schema.KIND_YES_NO, schema.METRIC_RECOMMEND)})
    metrics = survey_metrics(questions, responses)
    [row] = metrics.to_dict("records")  # one row, not one per file
    assert row[schema.ESTIMATE] == pytest.approx(75.0) and row[schema.N_RESPONDENTS] == 4
    shares = choice_shares(questions, responses).set_index("answer")
    assert shares.loc["Yes", schema.COUNT] == 3  # r1 of file a and r1 of file b: two people


def test_a_question_on_different_scales_in_two_files_is_never_averaged():
    rows = [("a", f"r{i}", "sat", str(v)) for i, v in enumerate([4, 5, 3])]
    rows += [("b", f"r{i}", "sat", str(v)) for i, v in enumerate([9, 10, 7])]
    questions, responses = tables(rows, {"sat": (schema.KIND_RATING, schema.METRIC_CSAT)})
    questions.loc[questions["source_id"] == "b", "scale"] = "1-10"
    questions["source_path"] = questions["source_id"] + ".csv"
    assert survey_metrics(questions, responses).empty
    from workbench.survey_questions import not_averaged

    [note] = not_averaged(questions)[schema.KIND_NOTE]
    assert "1-5 in a.csv" in note and "1-10 in b.csv" in note


def test_measures_by_answer_find_the_weakest_group_and_skip_derived_groups():
    rows = []
    for i in range(40):
        dept = ["Tops", "Trend"][i % 2]
        rating = [4, 5, 5][i % 3] if dept == "Tops" else [2, 3, 4][i % 3]  # 4 in both
        rows += [("s", f"r{i}", "dept", dept), ("s", f"r{i}", "rating", str(rating))]
        rows.append(("s", f"r{i}", "band", "high" if rating >= 4 else "low"))  # from the rating
    kinds = {
        "dept": (schema.KIND_CHOICE, None),
        "rating": (schema.KIND_RATING, None),
        "band": (schema.KIND_CHOICE, None),
    }
    questions, responses = tables(rows, kinds)
    by = metrics_by_answer(questions, responses)
    assert set(by["group_question"]) == {"dept"}  # "band" only restates the rating
    ext = extremes(by).set_index(schema.METRIC)
    mean = ext.loc[schema.METRIC_RATING_MEAN]
    assert (mean["low_answer"], mean["high_answer"], bool(mean["separated"])) == (
        "Trend",
        "Tops",
        True,
    )


def test_what_respondents_wrote_about_by_what_they_answered():
    rows, coded = [], []
    for i in range(30):
        rec = "No" if i < 10 else "Yes"
        rows.append(("s", f"r{i}", "rec", rec))
        wrote = "returns" if (rec == "No" and i < 8) or i == 29 else "fit_size"
        coded.append(
            {
                "source_id": "s",
                "source_type": "survey",
                "participant_id": f"r{i}",
                schema.PAIN_CATEGORY: wrote,
            }
        )
    questions, responses = tables(rows, {"rec": (schema.KIND_YES_NO, schema.METRIC_RECOMMEND)})
    by = codes_by_answer(pd.DataFrame(coded), questions, responses, labels={"returns": "Returns"})
    returns = by[by[schema.QUESTION_ID] == "pain_category:returns"].set_index("answer")
    assert returns.loc["No", schema.ESTIMATE] == pytest.approx(80.0)
    assert returns.loc["Yes", schema.ESTIMATE] == pytest.approx(5.0)
    assert set(returns[schema.QUESTION_TEXT]) == {"Returns"}
    assert returns.loc["No", schema.CI_LOW] > returns.loc["Yes", schema.CI_HIGH]

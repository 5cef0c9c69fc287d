"""Question kinds from answers as well as headers (workbench.ingest.question_kinds), on exports
shaped like the real ones that misled the header-only guess: a complaints log, a review dump,
a CSAT survey with a 0/1 recommend column."""

from __future__ import annotations

import csv
import io
import random

import pandas as pd
import pytest

from workbench import schema
from workbench.errors import ConfigError, InputError
from workbench.ingest.answer_values import declared_scale
from workbench.ingest.question_kinds import classify, resolve_kind
from workbench.ingest.survey import SurveyOptions, read_survey_text

STATES = ["CA", "TX", "FL", "NY", "GA", "IL", "PA", "OH", "NC", "MI", "NJ", "VA", "WA", "AZ"]
COMPANIES = [
    "Equifax, Inc.", "Experian Information Solutions Inc.", "TransUnion Intermediate Holdings",
    "Bank of America, National Association", "Wells Fargo & Company", "Capital One Financial",
    "JPMorgan Chase & Co.", "Navient Solutions, LLC.", "Citibank, N.A.", "Synchrony Financial",
    "Ocwen Financial Corporation", "Discover Bank", "U.S. Bancorp", "PayPal Holdings, Inc.",
    "Ally Financial Inc.", "Santander Consumer USA", "Nationstar Mortgage", "Regions Bank",
    "TD Bank US Holding Company", "Barclays Bank Delaware", "Portfolio Recovery Associates",
    "Encore Capital Group", "Credit Acceptance Corporation", "Select Portfolio Servicing",
    "Freedom Mortgage Company", "Truist Financial Corporation", "Citizens Financial Group",
    "Fifth Third Financial", "Huntington National Bank", "KeyCorp", "Comerica", "M&T Bank",
    "Lending Club Corp", "Prosper Funding LLC", "Conn's, Inc.", "Transworld Systems Inc",
]  # fmt: skip
ISSUES = [
    "Incorrect information on your report", "Problem with a credit reporting company's "
    "investigation into an existing problem", "Attempts to collect debt not owed",
    "Improper use of your report", "Managing an account", "Trouble during payment process",
    "Struggling to pay mortgage", "Written notification about debt", "Closing an account",
    "Problem with a purchase shown on your statement", "Fees or interest",
]  # fmt: skip
OPENINGS = [
    "I called the bank three times about",
    "My credit report still shows",
    "I was told by the",
    "For two months I have tried to get",
    "The company keeps sending letters about",
    "After I paid off the loan they reported",
    "Nobody answers the phone when I ask about",
]
MIDDLES = [
    "an account that is not mine",
    "a late payment I never made",
    "the dispute I filed",
    "a debt that was settled in 2019",
    "charges I did not authorise",
    "my escrow balance",
]
ENDINGS = [
    "and nothing has been fixed.", "so I want it removed from my report.",
    "which is affecting my mortgage application.", "and I am still waiting for an answer.",
    "even though I sent every document they asked for.",
]  # fmt: skip
RESPONSES = ["Closed with explanation", "Closed with monetary relief", "In progress"]
NAMES = ["Alice", "Bob", "Chen", "Dana", "Erik", "Fatima", "Gus", "Hana", "Ivan", "Jo"]
SURNAMES = ["Smith", "Okafor", "Nguyen", "Garcia", "Kowalski", "Haddad", "Brown", "Sato"]
AIRPORTS = ["London Heathrow", "Dubai International", "Singapore Changi", "Frankfurt Main"]
LOUNGES = [
    "British Airways Galleries Club", "Emirates First Class Lounge", "SilverKris Lounge",
    "Lufthansa Senator Lounge", "Plaza Premium Lounge", "Qantas Business Lounge",
]  # fmt: skip


def _csv(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def _kinds(text: str, options: SurveyOptions | None = None) -> dict[str, tuple[str, str | None]]:
    result = read_survey_text(text, "export.csv", options)
    q = result.questions
    metrics = [None if m is pd.NA else m for m in q[schema.QUESTION_METRIC]]
    return {
        text: (kind, metric)
        for text, kind, metric in zip(
            q[schema.QUESTION_TEXT], q[schema.QUESTION_KIND], metrics, strict=True
        )
    }


def complaints(n: int = 600, seed: int = 0) -> str:
    rng = random.Random(seed)
    header = ["Complaint ID", "Date received", "Product", "Issue", "Company", "State",
              "ZIP code", "Consumer complaint narrative", "Company response", "Timely response?",
              "URL"]  # fmt: skip
    rows = [header]
    for i in range(n):
        masked = rng.random() < 0.6  # the CFPB masks most ZIP codes as 123XX
        zip_code = f"{rng.randint(100, 999)}XX" if masked else f"{rng.randint(1000, 99999):05d}"
        more = [rng.choice(OPENINGS).lower(), rng.choice(MIDDLES), rng.choice(ENDINGS)]
        sentence = [rng.choice(OPENINGS), rng.choice(MIDDLES), rng.choice(ENDINGS)]
        narrative = " ".join([*sentence, *more[: rng.randint(0, 3)]])
        rows.append(
            [
                str(3_000_000 + i),
                f"2023-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                rng.choice(["Credit reporting", "Debt collection", "Mortgage", "Credit card"]),
                rng.choice(ISSUES),
                rng.choice(COMPANIES),
                rng.choice(STATES),
                zip_code,
                narrative if rng.random() < 0.8 else "",
                rng.choice(
                    ["Closed with explanation", "Closed with monetary relief", "In progress"]
                ),
                rng.choice(["Yes", "No"]),
                f"https://www.example.gov/complaints/{3_000_000 + i}",
            ]
        )
    return _csv(rows)


def test_a_complaints_log_becomes_segments_only_from_its_narrative():
    kinds = _kinds(complaints())
    assert kinds["Consumer complaint narrative"] == (schema.KIND_OPEN, None)
    opened = {name for name, (kind, _) in kinds.items() if kind == schema.KIND_OPEN}
    assert opened == {"Consumer complaint narrative"}
    assert kinds["ZIP code"][0] == schema.KIND_ID
    assert kinds["URL"][0] == schema.KIND_URL
    assert kinds["Date received"][0] == schema.KIND_DATE
    for closed in ("State", "Company", "Issue", "Product", "Company response"):
        assert kinds[closed][0] == schema.KIND_CHOICE, closed
    assert kinds["Timely response?"][0] == schema.KIND_YES_NO


def test_a_complaints_log_gives_one_segment_per_narrative_not_per_cell():
    result = read_survey_text(complaints(), "complaints.csv")
    answered = {a.question_id for a in result.answers}
    assert answered == {"consumer_complaint_narrative"}
    assert len(result.answers) < 600  # 20% left the narrative blank


def test_a_review_dump_keeps_names_places_and_lounges_out_of_the_text():
    rng = random.Random(1)
    rows = [["author", "airport", "lounge_name", "date", "overall_rating", "content"]]
    for _ in range(300):
        rows.append(
            [
                f"{rng.choice(NAMES)} {rng.choice(SURNAMES)}{rng.randint(1, 99)}"
                if rng.random() < 0.1
                else f"{rng.choice(NAMES)} {rng.choice(SURNAMES)}",
                rng.choice(AIRPORTS),
                rng.choice(LOUNGES),
                f"{rng.randint(1, 28)}/{rng.randint(1, 12)}/2015",
                str(rng.randint(1, 10)),
                f"The lounge was {rng.choice(['crowded', 'quiet', 'clean', 'tired'])} and the "
                f"{rng.choice(['food', 'wifi', 'showers', 'staff'])} were "
                f"{rng.choice(['great', 'poor', 'fine', 'slow'])}; we waited "
                f"{rng.randint(2, 90)} minutes for {rng.choice(['a seat', 'a shower', 'coffee'])}.",
            ]
        )
    kinds = _kinds(_csv(rows), SurveyOptions(id_column="row-number"))  # no id in the export
    assert kinds["content"][0] == schema.KIND_OPEN
    assert kinds["airport"][0] == kinds["lounge_name"][0] == schema.KIND_CHOICE
    assert kinds["author"][0] in (schema.KIND_NAME, schema.KIND_CHOICE)
    assert kinds["author"][0] != schema.KIND_OPEN
    assert kinds["overall_rating"] == (schema.KIND_RATING, None)


def test_a_zero_one_recommend_column_is_a_share_never_nps():
    rows = [["id", "Rating", "Recommended IND", "Review Text"]]
    rows += [
        [str(i), str(1 + i % 5), str(int(i % 5 > 0)), f"Lovely dress number {i}, fits well."]
        for i in range(50)
    ]
    result = read_survey_text(_csv(rows), "reviews.csv")
    kinds = _kinds(_csv(rows))
    assert kinds["Recommended IND"] == (schema.KIND_YES_NO, schema.METRIC_RECOMMEND)
    assert kinds["Rating"] == (schema.KIND_RATING, None)
    q = result.questions.set_index(schema.QUESTION_TEXT)
    assert q.loc["Rating", schema.QUESTION_SCALE] == "1-5"
    assert schema.METRIC_NPS not in set(result.questions[schema.QUESTION_METRIC].dropna())
    recommend = result.responses[result.responses[schema.QUESTION_ID] == "recommended_ind"]
    assert recommend[schema.VALUE_NUM].mean() == pytest.approx(0.8)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["Yes", "No", "yes"], (schema.KIND_YES_NO, schema.METRIC_RECOMMEND)),
        (["TRUE", "FALSE"], (schema.KIND_YES_NO, schema.METRIC_RECOMMEND)),
        (["10", "9", "3", "7", "0"], (schema.KIND_NPS, schema.METRIC_NPS)),
        (["5", "4", "3", "1"], (schema.KIND_RATING, None)),  # 1-5: not the NPS scale
    ],
)
def test_recommend_questions_by_their_answers(values, expected):
    guess = classify("q", "Would you recommend us to a friend?", values)
    assert (guess.kind, guess.metric) == expected
    if guess.kind == schema.KIND_RATING:
        assert "not the 0-10 NPS scale" in guess.unsure


def test_a_rating_that_breaks_its_declared_scale_is_mixed_and_not_averaged():
    guess = classify("q", "Overall rating (1-5)", ["1", "4", "5", "8", "10", "3"])
    assert (guess.kind, guess.scale) == (schema.KIND_RATING, "mixed")
    assert "declares 1-5" in guess.unsure
    written = classify("q", "Score", ["4/5", "8/10", "3/5", "9/10", "5/5"])
    assert written.scale == "mixed" and "out of 5 (3)" in written.unsure
    assert declared_scale("How satisfied were you? (0-10)") == (0, 10)


def test_mixed_scales_are_reported_per_scale_and_warned_at_ingest():
    rows = [["id", "Overall rating (1-5)"]] + [
        [str(i), str(v)] for i, v in enumerate([4, 5, 9, 10, 2])
    ]
    result = read_survey_text(_csv(rows), "mixed.csv")
    assert any("Overall rating (1-5)" in w and "mixed or wrong scale" in w for w in result.warnings)
    from workbench.survey import survey_metrics
    from workbench.survey_questions import not_averaged

    questions = result.questions.assign(**{schema.SOURCE_ID: "s"})
    responses = result.responses.assign(**{schema.SOURCE_ID: "s"})
    assert survey_metrics(questions, responses).empty  # never averaged silently
    [note] = not_averaged(questions)[schema.KIND_NOTE]
    assert "3 answers within 1-5, 2 above it" in note


def test_small_surveys_still_read_by_their_headers():
    rows = [["respondent_id", "How satisfied are you?", "Any comments?", "Plan"]]
    rows += [["1", "4", "Quick install", "Fibre"], ["2", "2", "", "Copper"]]
    kinds = _kinds(_csv(rows))
    assert kinds["How satisfied are you?"] == (schema.KIND_RATING, schema.METRIC_CSAT)
    assert kinds["Any comments?"][0] == schema.KIND_OPEN
    assert kinds["Plan"][0] == schema.KIND_CHOICE


def test_configured_kinds_win_and_unknown_ones_are_named():
    rows = [["id", "Issue", "Renewed"]] + [[str(i), f"issue {i % 3}", "1"] for i in range(20)]
    options = SurveyOptions(kinds={"Issue": "open", "Renewed": "retention"})
    kinds = _kinds(_csv(rows), options)
    assert kinds["Issue"] == (schema.KIND_OPEN, None)
    assert kinds["Renewed"] == (schema.KIND_YES_NO, schema.METRIC_RETENTION)
    with pytest.raises(ConfigError, match=r"unknown question kind 'stars'.*recommend"):
        resolve_kind("stars", "kinds['x']")


def test_uncertain_guesses_are_warned_with_the_setting_that_fixes_them():
    rows = [["id", "Q7"]] + [[str(i), str(1 + i % 3)] for i in range(30)]
    result = read_survey_text(_csv(rows), "q.csv")
    [warning] = [w for w in result.warnings if "'Q7'" in w]
    assert "rating" in warning and "survey.kinds" in warning


@pytest.mark.parametrize(
    ("text", "values", "kind"),
    [
        ("How likely are you to recommend us?", ["1", "4", "7", "6", "5"], schema.KIND_RATING),
        ("How likely are you to buy again?", ["0", "10", "9", "3"], schema.KIND_RATING),
        ("How likely are you to recommend us?", ["0", "10", "9", "3"], schema.KIND_NPS),
    ],
)
def test_nps_needs_a_recommend_question_on_the_0_to_10_scale(text, values, kind):
    assert classify("q", text, values).kind == kind


def test_a_forced_nps_on_another_scale_is_refused():
    rows = [["id", "Score"]] + [[str(i), str(1 + i % 5)] for i in range(20)]
    with pytest.raises(InputError, match=r"sets 'Score' to nps.*from 1 to 5"):
        read_survey_text(_csv(rows), "s.csv", SurveyOptions(kinds={"Score": "nps"}))


def test_commas_inside_labels_are_not_multiple_choice():
    products = [
        "Credit reporting, credit repair services, or other personal consumer reports",
        "Debt collection",
        "Checking or savings account",
        "Money transfer, virtual currency, or money service",
    ]
    assert classify("p", "Product", products * 20).kind == schema.KIND_CHOICE
    cities = ["Portland, OR", "Austin, TX", "Boston, MA"] * 10
    assert classify("c", "City", cities).kind == schema.KIND_CHOICE
    channels = ["App,Webchat", "App", "Webchat,Store", "Store", "Phone"] * 6
    assert classify("q4", "Channels used", channels).kind == schema.KIND_MULTI


@pytest.mark.parametrize(
    "values", [["50,000", "12,500", "1,200,000"], ["$12.50", "$3", "$120.00"], ["45%", "10%"]]
)
def test_amounts_and_percentages_are_numbers_never_segments(values):
    assert classify("v", "Amount", values * 10).kind == schema.KIND_NUMERIC


def test_yes_no_with_a_no_answer_is_still_a_share():
    guess = classify("r", "Would you recommend us?", ["Yes", "No", "N/A", "Don't know"] * 5)
    assert (guess.kind, guess.metric) == (schema.KIND_YES_NO, schema.METRIC_RECOMMEND)


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("Number of orders in the last year", ["0", "2", "5", "8", "3", "2"] * 5),
        ("If no, how many times did you call?", ["1", "2", "3", "1"] * 5),
        ("Positive feedback count", ["0", "1", "0", "8", "2"] * 5),
    ],
)
def test_counts_are_numbers_not_ids_ratings_or_yes_no(text, values):
    assert classify("n", text, values).kind == schema.KIND_NUMERIC


def test_short_answers_to_an_open_question_are_not_names():
    liked = ["Price", "Delivery", "Quality", "The Staff", "Fast Shipping"] * 8
    assert classify("q", "What did you like most? Please explain", liked).kind != (schema.KIND_NAME)
    authors = [f"{first} {last}" for first in NAMES for last in SURNAMES][:60]
    assert classify("author", "author", authors).kind == schema.KIND_NAME


def test_a_rating_whose_answers_miss_the_top_of_the_scale_is_flagged():
    guess = classify("q", "How satisfied are you?", ["1", "2", "3", "4"] * 10)
    assert guess.scale == "1-4" and "set survey.scales" in guess.unsure


def test_persona_bands_skip_no_answers_and_name_the_bad_line():
    rows = [["id", "Age", "Comment"], ["1", "34", "ok"], ["2", "Prefer not to say", "fine"]]
    result = read_survey_text(
        _csv(rows), "a.csv", SurveyOptions(persona_column="Age", persona_bands=[18, 35])
    )
    assert [a.persona for a in result.answers] == ["18-34", None]
    rows.append(["3", "thirty", "hm"])
    with pytest.raises(InputError, match="the first 'thirty'") as info:
        read_survey_text(
            _csv(rows), "a.csv", SurveyOptions(persona_column="Age", persona_bands=[18, 35])
        )
    assert info.value.line == 4 and info.value.column == "Age"


def test_row_index_ids_of_two_files_never_merge_respondents():
    rows = [["", "Comment"], ["0", "slow delivery"], ["1", "nice"]]
    a = read_survey_text(_csv(rows), "a.csv")
    b = read_survey_text(_csv(rows), "b.csv")
    assert {x.respondent_id for x in a.answers}.isdisjoint(x.respondent_id for x in b.answers)

"""Benchmark: the real study packs of ``../shared/data/studies`` built as a researcher would.

Each pack becomes a study in a temporary folder through the command line the README describes
(``init``, files into ``data/raw``, a few ``study.yml`` settings, ``ingest``, ``codes next`` /
``codes import`` where the pack has gold labels, ``train``, ``tag``, ``report``). For each pack
it prints the question kinds ingest found, segments per respondent, the survey measures, and
every fact of the pack's ``MAPPING.md``, found or not.

Run on demand::

    .venv/bin/python benchmarks/real_studies.py [--packs clothing,natcs,bitext,va] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from workbench import schema
from workbench.cli import main
from workbench.project import Project
from workbench.study import load_journey_map
from workbench.survey_breakdowns import extremes

PACKS = Path(__file__).resolve().parents[2] / "shared" / "data" / "studies"
VA_PERSONAS = {
    "participant1": "overseas-retiree",
    "participant2": "digital-first-parent",
    "participant3": "empty-template",
    "participant7": "phone-first-health-user",
}


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    if result.exit_code != 0:
        raise SystemExit(f"workbench {' '.join(args)} failed:\n{result.output}")
    return result.output


def configure(root: Path, **survey: str) -> None:
    """Set ``survey:`` keys of the study.yml that ``init`` wrote, as a researcher edits it."""
    path = root / "study.yml"
    lines = path.read_text(encoding="utf-8").splitlines()
    for key, value in survey.items():
        prefix = (f"  {key}:", f"  # {key}:")
        lines = [f"  {key}: {value}" if line.startswith(prefix) else line for line in lines]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


class Facts:
    """Prints each fact of a pack's MAPPING.md with whether the study's map shows it."""

    def __init__(self, pack: str) -> None:
        self.pack, self.found, self.total = pack, 0, 0

    def check(self, name: str, ok: bool, detail: str) -> None:
        self.total += 1
        self.found += bool(ok)
        print(f"  [{'found' if ok else 'NOT found'}] {name}: {detail}")

    def summary(self) -> None:
        print(f"  {self.pack}: {self.found}/{self.total} facts found")


def kinds_table(root: Path) -> None:
    report = json.loads(Path(root, "data/processed/ingest_report.json").read_text())
    for entry in report["files"]:
        for q in entry.get("questions") or []:
            scale = f" {q['scale']}" if q.get("scale") else ""
            metric = f" ({q['metric']})" if q.get("metric") else ""
            role = f" [{q['role']}]" if q.get("role") else ""
            print(f"    {entry['path']} | {q['text'][:40]:<40} {q['kind']}{metric}{scale}{role}")


def segments_per_respondent(project: Project) -> None:
    segments = pd.read_parquet(project.processed_file("segments.parquet"))
    survey = segments[segments[schema.SOURCE_TYPE] == schema.SOURCE_SURVEY]
    if survey.empty:
        return
    per = survey.groupby([schema.SOURCE_ID, schema.PARTICIPANT_ID]).size()
    by_q = survey[schema.QUESTION_ID].value_counts().to_dict()
    print(
        f"  segments per respondent: mean {per.mean():.2f}, max {per.max()} "
        f"({len(survey):,} segments from {len(per):,} respondents); by question {by_q}"
    )


def measures(jm) -> pd.DataFrame:
    overall = jm.survey[jm.survey[schema.PERSONA].isna() & jm.survey[schema.STAGE].isna()]
    if overall.empty:  # one persona only: its rows are everyone's
        overall = jm.survey[jm.survey[schema.STAGE].isna()]
    for row in overall.to_dict("records"):
        print(
            f"  measure {row[schema.QUESTION_TEXT]} / {row[schema.METRIC]} ({row['scale']}): "
            f"{row[schema.ESTIMATE]:.2f} [{row[schema.CI_LOW]:.2f}, {row[schema.CI_HIGH]:.2f}] "
            f"n={row[schema.N_RESPONDENTS]:,}"
        )
    return overall


def stage_shares(project: Project) -> pd.Series:
    coded = pd.read_parquet(project.processed_file("coded.parquet"))
    coded = coded[coded[schema.SPEAKER_ROLE] == schema.ROLE_PARTICIPANT]
    share = coded[schema.STAGE].value_counts(normalize=True)
    print("  stage shares: " + ", ".join(f"{s} {100 * v:.1f}%" for s, v in share.items()))
    return share


def clothing(work: Path) -> None:
    csv = PACKS / "clothing-reviews-survey" / "womens_clothing_ecommerce_reviews_every2nd.csv"
    root = work / "clothing"
    run("init", str(root), "--journey", "ecommerce")
    shutil.copy(csv, root / "data" / "raw" / "surveys" / csv.name)
    configure(root, persona_column="Age", persona_bands="[18, 35, 50, 65]")
    started = time.perf_counter()
    run("ingest", "--project", str(root))
    run("tag", "--project", str(root), "--workers", "2")
    run("report", "--project", str(root), "--run-id", "bench")
    print(f"  ingest + tag + report: {time.perf_counter() - started:.1f} s")
    kinds_table(root)
    project = Project(root)
    segments_per_respondent(project)
    jm = load_journey_map(project)[0]
    overall = measures(jm)
    facts = Facts("clothing-reviews-survey")
    opened = set(pd.read_parquet(project.processed_file("segments.parquet"))[schema.QUESTION_ID])
    facts.check(
        "only the review text and title become segments",
        opened <= {"review_text", "title"},
        str(sorted(opened)),
    )
    rec = overall[overall[schema.METRIC] == schema.METRIC_RECOMMEND]
    facts.check(
        "recommend share 82.0% with its CI",
        len(rec) == 1 and round(rec[schema.ESTIMATE].iloc[0], 1) == 82.0,
        rec[[schema.ESTIMATE, schema.CI_LOW, schema.CI_HIGH]].round(1).to_string(index=False),
    )
    facts.check("no NPS claimed", schema.METRIC_NPS not in set(jm.survey[schema.METRIC]), "")
    mean = overall[overall[schema.METRIC] == schema.METRIC_RATING_MEAN]
    top2 = overall[overall[schema.METRIC] == schema.METRIC_RATING_TOP2]
    facts.check(
        "ratings on their 1-5 scale: mean 4.18, top-2-box 77.2%",
        mean["scale"].eq("1-5").all()
        and round(mean[schema.ESTIMATE].iloc[0], 2) == 4.18
        and round(top2[schema.ESTIMATE].iloc[0], 1) == 77.2,
        f"mean {mean[schema.ESTIMATE].iloc[0]:.2f}, top-2 {top2[schema.ESTIMATE].iloc[0]:.1f}%",
    )
    by = jm.survey_by_answer
    everyone = by[by[schema.PERSONA].isna()]
    ext = extremes(everyone.drop(columns=[schema.PERSONA]))
    dept = ext[
        (ext["group_question"] == "department_name")
        & (ext[schema.METRIC] == schema.METRIC_RATING_MEAN)
    ]
    facts.check(
        "Trend is the weakest department (mean rating 3.50)",
        len(dept) == 1 and dept["low_answer"].iloc[0] == "Trend",
        dept[["low_answer", "low_estimate", "low_n", "high_answer", "high_estimate"]]
        .round(2)
        .to_string(index=False),
    )
    returns = everyone[
        (everyone["group_question"] == "recommended_ind")
        & (everyone[schema.QUESTION_ID] == f"{schema.PAIN_CATEGORY}:returns")
    ].set_index("answer")
    shares = returns[schema.ESTIMATE].round(1).to_dict()
    facts.check(
        "returns are a detractor pain point (more among those who do not recommend)",
        {"Yes", "No"} <= set(shares) and shares["No"] > 2 * shares["Yes"],
        f"respondents whose review was coded 'returns': {shares} (%)",
    )
    usage = stage_shares(project)
    facts.check(
        "usage (fit, fabric, colour, wear) is the bulk of the text",
        usage.index[0] == "onboarding",
        f"top stage {usage.index[0]}",
    )
    facts.summary()


def _intents_study(work: Path, name: str, frame: pd.DataFrame, gold: dict[str, str]) -> Project:
    """An export of utterances coded in a 300-row sheet from gold stages, trained and tagged."""
    root = work / name
    run("init", str(root))
    frame.to_csv(root / "data" / "raw" / "surveys" / f"{name}.csv", index=False)
    configure(
        root, id_column="utterance_id", persona_column="persona", open_questions="[utterance]"
    )
    run("ingest", "--project", str(root))
    kinds_table(root)
    sheet = root / "to-code.csv"
    run("codes", "next", "--project", str(root), "--n", "300", "--out", str(sheet))
    filled = pd.read_csv(sheet, dtype=str, keep_default_na=False)
    segments = pd.read_parquet(Project(root).processed_file("segments.parquet"))
    respondent = dict(
        zip(segments[schema.SEGMENT_ID], segments[schema.PARTICIPANT_ID], strict=True)
    )
    filled["stage"] = [gold[respondent[s]] for s in filled["segment_id"]]
    filled.to_csv(sheet, index=False)
    run("codes", "import", str(sheet), "--project", str(root), "--coder", "gold")
    started = time.perf_counter()
    print("  " + run("train", "--project", str(root), "--codes-only").strip().replace("\n", "\n  "))
    print(f"  train: {time.perf_counter() - started:.1f} s")
    run("tag", "--project", str(root), "--workers", "2")
    project = Project(root)
    segments_per_respondent(project)
    coded = pd.read_parquet(project.processed_file("coded.parquet"))
    machine = coded[coded[schema.CODE_SOURCE] != schema.SOURCE_HUMAN]
    truth = machine[schema.PARTICIPANT_ID].map(gold)
    accuracy = (machine[schema.STAGE] == truth).mean()
    print(f"  machine-coded stage accuracy against gold: {accuracy:.3f}")
    return project


def _stage_map(source: str) -> dict[str, str]:
    table = pd.read_csv(PACKS / "support-intents" / "stage_map.csv")
    table = table[table["source"] == source]
    stages = table["journey_stage"].str.split("/").str[0]
    return dict(zip(table["intent"], stages, strict=True))


def natcs(work: Path) -> None:
    folder = PACKS / "support-intents" / "natcs_dstc11"
    lines = (folder / "development.test-utterances.jsonl").read_text("utf-8").splitlines()
    turns = pd.DataFrame(map(json.loads, lines)).assign(persona="insurance policyholder")
    to_stage = _stage_map("natcs_insurance")
    gold = dict(zip(turns["utterance_id"], turns["intent"].map(to_stage), strict=True))
    project = _intents_study(work, "natcs", turns[["utterance_id", "persona", "utterance"]], gold)
    share = stage_shares(project)
    facts = Facts("support-intents / NatCS insurance")
    facts.check(
        "consideration (GetQuote, FindAgent) 23.0% of turns",
        abs(share.get("consideration", 0) - 0.230) < 0.05,
        f"{100 * share.get('consideration', 0):.1f}%",
    )
    facts.check(
        "support 23.3%, onboarding/usage 43.8% (the bulk)",
        share.index[0] == "onboarding" and abs(share.get("support", 0) - 0.233) < 0.05,
        f"onboarding {100 * share.get('onboarding', 0):.1f}%, "
        f"support {100 * share.get('support', 0):.1f}%",
    )
    small = {s: round(100 * share.get(s, 0), 1) for s in ("purchase", "loyalty", "renewal")}
    facts.check(
        "purchase, loyalty and cancellation small (about 3% each)",
        all(v < 8 for v in small.values()),
        str(small),
    )
    facts.summary()


def bitext(work: Path) -> None:
    folder = PACKS / "support-intents" / "bitext_intent_synthetic"
    parts = []
    for split in ("Training", "Validation", "Testing"):
        frame = pd.read_csv(folder / f"Bitext_Sample_Customer_Service_{split}_Dataset.csv")
        parts.append(
            frame.assign(utterance_id=[f"bitext_{split.lower()}_{i}" for i in range(len(frame))])
        )
    utterances = pd.concat(parts, ignore_index=True).assign(persona="online shopper")
    gold = dict(
        zip(utterances["utterance_id"], utterances["intent"].map(_stage_map("bitext")), strict=True)
    )
    columns = ["utterance_id", "persona", "utterance", "category", "tags"]
    project = _intents_study(work, "bitext", utterances[columns], gold)
    share = stage_shares(project)
    jm = load_journey_map(project)[0]
    facts = Facts("support-intents / Bitext")
    facts.check(
        "support is the largest stage (2,400 of 8,100 = 29.6%)",
        share.index[0] == "support" and abs(share["support"] - 0.296) < 0.10,
        f"support {100 * share.get('support', 0):.1f}%",
    )
    category = jm.survey_choices[jm.survey_choices[schema.QUESTION_ID] == "category"]
    facts.check(
        "flat by design: no dominant category beyond its share of intents",
        not category.empty and category[schema.SHARE].max() < 25,
        category[["answer", schema.SHARE]].round(1).head(4).to_string(index=False),
    )
    facts.summary()


def va(work: Path) -> None:
    source = PACKS / "va-contact-us-interviews" / "transcripts"
    root = work / "va"
    run("init", str(root))
    for path in source.glob("*.md"):
        shutil.copy(path, root / "data" / "raw" / "interviews" / path.name)
    rows = [f"{pid},{persona},,P{pid[11:]}" for pid, persona in VA_PERSONAS.items()]
    (root / "data" / "raw" / "participants.csv").write_text(
        "participant_id,persona,name,transcript_names\n" + "\n".join(rows) + "\n", "utf-8"
    )
    study = (
        (root / "study.yml").read_text("utf-8").replace("interviewers: []", "interviewers: [Becky]")
    )
    (root / "study.yml").write_text(study, "utf-8")
    print("  " + run("ingest", "--project", str(root)).splitlines()[0])
    run("tag", "--project", str(root), "--workers", "1")
    project = Project(root)
    coded = pd.read_parquet(project.processed_file("coded.parquet"))
    staged = coded[coded[schema.SPEAKER_ROLE] == schema.ROLE_PARTICIPANT]
    share = stage_shares(project)
    facts = Facts("va-contact-us-interviews")
    channels = staged[schema.TOUCHPOINTS].explode().value_counts()
    facts.check(
        "support is the dominant stage",
        share.index[0] == "support",
        f"{share.index[0]} {100 * share.iloc[0]:.1f}%",
    )
    facts.check(
        "phone is mentioned more than chat and secure messaging",
        channels.get("phone", 0) > max(channels.get("webchat", 0), channels.get("email", 0)),
        str(channels.head(4).to_dict()),
    )
    chatbot = staged[staged[schema.TEXT].str.contains(r"chat ?bot", case=False)]
    flagged = chatbot.groupby(schema.PARTICIPANT_ID)[schema.PAIN_POINT].any()
    facts.check(
        "chatbots are a pain point of everyone who mentions them",
        len(flagged) > 0 and bool(flagged.all()),
        f"pain point flagged per participant: {flagged.to_dict()}; mean sentiment of the "
        f"{len(chatbot)} chatbot segments {chatbot[schema.SENTIMENT_SCORE].mean():+.2f} (VADER)",
    )
    facts.check(
        "loyalty and renewal absent (not invented)",
        not {"loyalty", "renewal"} & set(share.index),
        str(sorted(share.index)),
    )
    facts.summary()


def main_() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packs", default="clothing,natcs,bitext,va")
    parser.add_argument("--keep", type=Path, help="build the studies here and keep them")
    args = parser.parse_args()
    if not PACKS.is_dir():
        raise SystemExit(f"{PACKS} is absent")
    work = args.keep or Path(tempfile.mkdtemp(prefix="real-studies-"))
    work.mkdir(parents=True, exist_ok=True)
    steps: dict[str, Callable[[Path], None]] = {
        "clothing": clothing,
        "natcs": natcs,
        "bitext": bitext,
        "va": va,
    }
    try:
        for name in args.packs.split(","):
            print(f"== {name}")
            started = time.perf_counter()
            steps[name](work)
            print(f"  ({time.perf_counter() - started:.0f} s)")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main_()

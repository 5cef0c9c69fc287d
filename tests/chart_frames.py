"""Small, realistic aggregated frames for the chart tests (journey, survey, agreement shapes).

They imitate the tables of ``workbench.journey`` for the Brightwave sample study: three
personas, five stages of the default codebook (deliberately given out of order), touchpoints,
an emotion mix, ranked evidence with one hostile quote, opportunities and survey metrics.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench import agreement as agr
from workbench import schema as s

PERSONAS = ("remote-worker", "budget-family", "cautious-switcher")
# stage code -> stage_order in the default codebook; listed out of journey order on purpose
STAGES = {"support": 5, "awareness": 0, "onboarding": 4, "decision": 2, "consideration": 1}
TOUCHPOINTS = ("website", "phone", "app", "email")
HOSTILE = "</script><img src=x onerror=alert(1)>"
SECRET = "the engineer never turned up and nobody called me back"


def stages_frame(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for persona in PERSONAS:
        for stage, order in STAGES.items():
            n_part = int(rng.integers(1, 6))
            mean = float(rng.uniform(-0.7, 0.6))
            half = float(rng.uniform(0.05, 0.3))
            n_seg = n_part * int(rng.integers(2, 6))
            rows.append(
                {
                    s.PERSONA: persona,
                    s.STAGE: stage,
                    s.STAGE_ORDER: order,
                    s.N_SEGMENTS: n_seg,
                    s.N_PARTICIPANTS: n_part,
                    s.SENTIMENT_MEAN: mean,
                    s.SENTIMENT_CI_LOW: max(-1.0, mean - half),
                    s.SENTIMENT_CI_HIGH: min(1.0, mean + half),
                    s.SHARE_NEGATIVE: float(rng.uniform(0, 1)),
                    s.N_PAIN_POINTS: int(rng.integers(0, n_seg)),
                    s.SHARE_PAIN_POINT: float(rng.uniform(0, 1)),
                    s.TOP_PAIN_POINTS: ["billing", "waiting"][: int(rng.integers(0, 3))],
                    s.TOP_GOALS: ["outcome"] if stage == "decision" else [],
                    s.WEAK_EVIDENCE: n_part < 3,
                    s.EVIDENCE_IDS: [f"{persona}-{stage}-{i}" for i in range(n_seg)],
                }
            )
    return pd.DataFrame(rows)


def touchpoints_frame(seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    base = stages_frame(seed)
    rows = []
    for row in base.to_dict("records"):
        for tp in TOUCHPOINTS[: int(rng.integers(1, len(TOUCHPOINTS) + 1))]:
            out = dict(row)
            out[s.TOUCHPOINT] = tp
            out[s.N_SEGMENTS] = int(rng.integers(1, 12))
            out[s.SENTIMENT_MEAN] = float(rng.uniform(-1, 1))
            rows.append(out)
    return pd.DataFrame(rows)


def emotions_frame() -> pd.DataFrame:
    rows = []
    for persona in PERSONAS:
        for stage, order in STAGES.items():
            counts = {"frustration": order + 1, "relief": 2, "neutral": 3}
            total = sum(counts.values())
            for emotion, n in counts.items():
                rows.append(
                    {
                        s.PERSONA: persona,
                        s.STAGE: stage,
                        s.STAGE_ORDER: order,
                        s.EMOTION: emotion,
                        s.COUNT: n,
                        s.SHARE: n / total,
                    }
                )
    return pd.DataFrame(rows)


def evidence_frame() -> pd.DataFrame:
    """Three ranked quotes per persona × stage; rank 1 of remote-worker/support is hostile."""
    rows = []
    for persona in PERSONAS:
        for stage in STAGES:
            for rank in (1, 2, 3):
                text = f"{persona} {stage} quote {rank}: it's slow & pricey"
                if persona == "remote-worker" and stage == "support" and rank == 1:
                    text = HOSTILE
                if rank == 3:
                    text = SECRET  # never the top quote: must not reach any chart
                rows.append(
                    {
                        s.PERSONA: persona,
                        s.STAGE: stage,
                        s.TOUCHPOINT: None,
                        s.RANK: rank,
                        s.SEGMENT_ID: f"{persona}-{stage}-{rank}",
                        s.TEXT: text,
                        s.PARTICIPANT_ID: "007",
                        s.SOURCE_PATH: "interviews/p007.txt",
                        s.LOCATION: f"line {10 * rank}",
                        s.CONFIDENCE: 0.9,
                        s.CODE_SOURCE: s.SOURCE_HUMAN,
                    }
                )
    # a touchpoint-level quote ranked first must not replace the stage-level quote
    rows.append({**rows[0], s.TOUCHPOINT: "phone", s.RANK: 0, s.TEXT: SECRET + " (phone)"})
    return pd.DataFrame(rows)


def opportunities_frame() -> pd.DataFrame:
    rows = []
    rank = 1
    for persona in PERSONAS:
        for stage, pain, freq, sev in (
            ("support", "service_failure", 0.6, 0.8),
            ("onboarding", "missed_appointment", 0.4, 0.6),
            ("decision", "billing", 0.5, 0.3),
        ):
            reach = 0.5
            rows.append(
                {
                    s.PERSONA: persona,
                    s.STAGE: stage,
                    s.PAIN_CATEGORY: pain,
                    s.FREQUENCY: freq,
                    s.SEVERITY: sev,
                    s.REACH: reach,
                    s.SCORE: freq * sev * reach,
                    s.EVIDENCE_IDS: [f"{persona}-{stage}-1"],
                    s.NOTE: "fix <b>this</b>",
                }
            )
    frame = pd.DataFrame(rows).sort_values(s.SCORE, ascending=False, kind="stable")
    frame[s.RANK] = range(rank, rank + len(frame))
    return frame.reset_index(drop=True)


def metrics_frame() -> pd.DataFrame:
    """NPS and CSAT per persona overall, CES at the support stage (as workbench.survey gives)."""
    rows = []
    questions = {
        "nps": ("Q1", "How likely are you to recommend us?", "0-10"),
        "csat": ("Q2", "How satisfied are you?", "1-5"),
        "ces": ("Q3", "How easy was it?", "1-7"),
    }
    for i, persona in enumerate(PERSONAS):
        cells = [("nps", None, -10.0 + 15 * i, 20.0), ("csat", None, 68.0, 8.0)]
        cells.append(("ces", "support", 4.5, 0.5))
        for metric, stage, est, half in cells:
            qid, text, scale = questions[metric]
            rows.append(
                {
                    s.PERSONA: persona,
                    s.STAGE: stage,
                    s.QUESTION_ID: qid,
                    s.QUESTION_TEXT: text,
                    s.METRIC: metric,
                    "scale": scale,
                    s.ESTIMATE: est,
                    s.CI_LOW: est - half,
                    s.CI_HIGH: est + half,
                    s.N_RESPONDENTS: 20 + i,
                }
            )
    return pd.DataFrame(rows)


def choice_frame() -> pd.DataFrame:
    """One persona's answers to two choice questions (as workbench.survey_choices gives)."""
    rows = []
    for qid, text, answers in (
        ("Q5", "Which channel did you use?", [("Phone", 60.0), ("Chat", 30.0), ("Other", 10.0)]),
        ("Q6", "Plan", [("Fibre", 70.0), ("Copper", 30.0)]),
    ):
        for answer, share in answers:
            rows.append(
                {
                    s.PERSONA: PERSONAS[0],
                    s.QUESTION_ID: qid,
                    s.QUESTION_TEXT: text,
                    "answer": answer,
                    s.COUNT: int(share),
                    s.SHARE: share,
                    s.CI_LOW: share - 5,
                    s.CI_HIGH: share + 5,
                    s.N_RESPONDENTS: 100,
                }
            )
    return pd.DataFrame(rows)


def agreement_frame() -> pd.DataFrame:
    rows = []
    for a, b, kind in (("ana", "ben", agr.HUMAN_HUMAN), ("ana", "model", agr.HUMAN_MODEL)):
        for code, kappa, alpha in (
            ("stage", 0.72, 0.71),
            ("emotion", 0.55, 0.54),
            ("pain_point", 0.86, 0.86),
            ("touchpoints:phone", float("nan"), float("nan")),
        ):
            rows.append(
                {
                    agr.CODE: code,
                    agr.CODER_A: a,
                    agr.CODER_B: b,
                    agr.PAIR_TYPE: kind,
                    agr.N_UNITS: 40,
                    agr.PERCENT_AGREEMENT: 0.8,
                    agr.KAPPA: kappa,
                    agr.ALPHA: alpha,
                }
            )
    return pd.DataFrame(rows)


def progress_frame() -> pd.DataFrame:
    rows = [
        {s.CODER: "ana", s.STAGE: "awareness", s.COUNT: 12},
        {s.CODER: "ben", s.STAGE: "awareness", s.COUNT: 5},
        {s.CODER: "ana", s.STAGE: "support", s.COUNT: 20},
        {s.CODER: None, s.STAGE: "support", s.COUNT: 7},
        {s.CODER: None, s.STAGE: None, s.COUNT: 30},
        {s.CODER: "ben", s.STAGE: "decision", s.COUNT: 4},
    ]
    return pd.DataFrame(rows)

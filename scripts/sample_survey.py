"""Build the Brightwave sample survey as a Qualtrics CSV export (current, 3-header-row format).

Developer helper of ``make_sample_study.py``; not library code. Everything is drawn from one
``random.Random(2026)`` so the file is byte-for-byte reproducible.

Layout, as Qualtrics writes a "choice text" export: UTF-8 with BOM, ``\\n`` line ends, minimal
quoting; row 1 column ids, row 2 question texts, row 3 ``{"ImportId":...}`` JSON; then one row per
response. ``Q1_NPS_GROUP`` is the NPS group column Qualtrics adds after every NPS question.
"""

from __future__ import annotations

import csv
import json
import random
import string
from datetime import datetime, timedelta
from pathlib import Path

from survey_content import CHANGES, CLOSERS, CONTACTS, NON_ANSWERS, OPENERS, REASONS

N_RESPONSES = 344
TZ = "Europe/London"
PERSONA_WEIGHTS = {"remote-worker": 0.36, "budget-family": 0.36, "cautious-switcher": 0.28}
# (share, low, high, mode) of a triangular draw of the NPS score, per persona experience.
EXPERIENCES = {
    "remote-worker": [(0.35, 0.0, 6.9, 3.0), (0.65, 6.0, 10.99, 9.3)],
    "budget-family": [(0.45, 0.0, 7.5, 4.8), (0.55, 5.0, 10.99, 8.8)],
    "cautious-switcher": [(0.2, 2.0, 7.9, 5.5), (0.8, 6.5, 10.99, 9.8)],
}
CHANNELS = ["Website", "App", "Webchat", "Phone", "Email", "Social media", "Store", "Letter/post"]
CHANNEL_USE = {
    "remote-worker": [0.8, 0.9, 0.6, 0.25, 0.5, 0.3, 0.05, 0.05],
    "budget-family": [0.6, 0.75, 0.7, 0.35, 0.5, 0.55, 0.15, 0.1],
    "cautious-switcher": [0.25, 0.15, 0.1, 0.85, 0.3, 0.03, 0.6, 0.6],
}
JOINED = ["Online", "By phone", "In a store", "Moved from another provider's offer"]
JOINED_WEIGHTS = {
    "remote-worker": [0.8, 0.1, 0.05, 0.05],
    "budget-family": [0.55, 0.1, 0.1, 0.25],
    "cautious-switcher": [0.08, 0.45, 0.4, 0.07],
}
NOTHING = ["Nothing, keep doing what you're doing.", "Can't think of anything.", "nothing"]

# (column id, question text, ImportId JSON) for every column, in export order.
_META = [
    ("StartDate", "Start Date", {"ImportId": "startDate", "timeZone": TZ}),
    ("EndDate", "End Date", {"ImportId": "endDate", "timeZone": TZ}),
    ("Status", "Response Type", {"ImportId": "status"}),
    ("IPAddress", "IP Address", {"ImportId": "ipAddress"}),
    ("Progress", "Progress", {"ImportId": "progress"}),
    ("Duration (in seconds)", "Duration (in seconds)", {"ImportId": "duration"}),
    ("Finished", "Finished", {"ImportId": "finished"}),
    ("RecordedDate", "Recorded Date", {"ImportId": "recordedDate", "timeZone": TZ}),
    ("ResponseId", "Response ID", {"ImportId": "_recordId"}),
    ("RecipientLastName", "Recipient Last Name", {"ImportId": "recipientLastName"}),
    ("RecipientFirstName", "Recipient First Name", {"ImportId": "recipientFirstName"}),
    ("RecipientEmail", "Recipient Email", {"ImportId": "recipientEmail"}),
    ("ExternalReference", "External Data Reference", {"ImportId": "externalDataReference"}),
    ("LocationLatitude", "Location Latitude", {"ImportId": "locationLatitude"}),
    ("LocationLongitude", "Location Longitude", {"ImportId": "locationLongitude"}),
    ("DistributionChannel", "Distribution Channel", {"ImportId": "distributionChannel"}),
    ("UserLanguage", "User Language", {"ImportId": "userLanguage"}),
]
_NPS_TEXT = "How likely are you to recommend Brightwave to a friend or colleague?"
_QUESTIONS = [
    ("Q1", _NPS_TEXT, {"ImportId": "QID1"}),
    ("Q1_NPS_GROUP", _NPS_TEXT + " - Group", {"ImportId": "QID1_NPS_GROUP"}),
    ("Q2", "Overall, how satisfied are you with Brightwave?", {"ImportId": "QID2"}),
    ("Q3", "Brightwave made it easy for me to get my issue handled.", {"ImportId": "QID3"}),
    (
        "Q4",
        "Which of these have you used in the last 6 months? - Selected Choice",
        {"ImportId": "QID4"},
    ),
    ("Q5", "How did you join Brightwave?", {"ImportId": "QID5"}),
    ("Q6_TEXT", "What is the main reason for your score?", {"ImportId": "QID6_TEXT"}),
    (
        "Q7_TEXT",
        "If you could change one thing about Brightwave, what would it be?\n"
        "(Please be as specific as you can.)",
        {"ImportId": "QID7_TEXT"},
    ),
    ("Q8_TEXT", "Tell us about the last time you contacted us.", {"ImportId": "QID8_TEXT"}),
    ("persona", "persona", {"ImportId": "persona"}),
    ("tenure_months", "tenure_months", {"ImportId": "tenure_months"}),
]
COLUMNS = [c for c, _, _ in _META + _QUESTIONS]
# The questions a respondent reaches, in page order; a partial response stops part way.
_ANSWER_ORDER = ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6_TEXT", "Q7_TEXT", "Q8_TEXT"]


def header_rows() -> list[list[str]]:
    """The three Qualtrics header rows: ids, question texts, ImportId JSON."""
    cols = _META + _QUESTIONS
    return [
        [c for c, _, _ in cols],
        [t for _, t, _ in cols],
        [json.dumps(i, separators=(",", ":")) for _, _, i in cols],
    ]


def _band(nps: int) -> str:
    return "detractor" if nps <= 6 else "passive" if nps <= 8 else "promoter"


def _vary(
    rng: random.Random, text: str, valence: str, *, opener: bool = True, closer: bool = True
) -> str:
    """Add an opener or closer, and phone-style lower case or curly apostrophes, sometimes."""
    if opener and rng.random() < 0.35:
        start = rng.choice(OPENERS[valence])
        if start and not start.endswith(". ") and not text.startswith("I "):
            text = text[0].lower() + text[1:]
        text = start + text
    if closer and rng.random() < 0.3:
        text = text + rng.choice(CLOSERS[valence])
    if rng.random() < 0.12:
        text = text.lower().rstrip(".")
    if rng.random() < 0.15:
        text = text.replace("'", "’")
    return text


def _reason(rng: random.Random, persona: str, nps: int, tenure: int) -> str:
    band = _band(nps)
    valence = {"detractor": "negative", "passive": "neutral", "promoter": "positive"}[band]
    first, second = rng.sample(REASONS[persona][band], 2)
    roll = rng.random()
    if roll < 0.05:
        text = f"Two things:\n1) {first}\n2) {second}"
    elif roll < 0.3:
        joiner = rng.choice([" ", " Also, ", "\n", "\n\n"])
        second = second[0].lower() + second[1:] if joiner == " Also, " else second
        text = first + joiner + second
    else:
        text = first
    if tenure >= 12 and rng.random() < 0.1:
        text += f" Customer for {tenure // 12} year{'s' if tenure >= 24 else ''} now."
    return _vary(rng, text, valence)


def _change(rng: random.Random, persona: str, nps: int) -> str:
    bank = CHANGES[persona][:-1] if nps <= 6 else CHANGES[persona]
    if nps >= 9 and rng.random() < 0.25:
        return rng.choice(NOTHING)
    text = rng.choice(bank)
    if rng.random() < 0.15:
        text = text + " " + rng.choice([b for b in bank if b != text])
    return _vary(rng, text, "neutral", opener=False, closer=False)


def _contact(rng: random.Random, persona: str, nps: int) -> str:
    p_negative = {"detractor": 0.8, "passive": 0.5, "promoter": 0.15}[_band(nps)]
    valence = "negative" if rng.random() < p_negative else "positive"
    return _vary(rng, rng.choice(CONTACTS[persona][valence]), valence, opener=False)


def _response_id(rng: random.Random, seen: set[str]) -> str:
    alphabet = string.ascii_letters + string.digits
    while True:
        rid = "R_" + rng.choice("1234567") + "".join(rng.choices(alphabet, k=14))
        if rid not in seen:
            seen.add(rid)
            return rid


def _ip(rng: random.Random) -> str:
    first = rng.choice([81, 82, 86, 90, 92, 109, 146, 176, 212, 217])
    return f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def _clip(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def _one(rng: random.Random, ref: str, seen: set[str]) -> dict[str, str]:
    persona = rng.choices(list(PERSONA_WEIGHTS), weights=list(PERSONA_WEIGHTS.values()))[0]
    shares = EXPERIENCES[persona]
    _, low, high, mode = rng.choices(shares, weights=[s[0] for s in shares])[0]
    nps = max(0, min(10, int(rng.triangular(low, high, mode))))
    tenure = rng.randint(1, 20) if persona == "cautious-switcher" else rng.randint(2, 48)
    if persona == "budget-family" and nps <= 6 and rng.random() < 0.7:
        tenure = rng.randint(12, 40)  # detractors after the first April price rise
    ces_shift = -0.6 if persona == "cautious-switcher" else 0.0
    chosen = [c for c, p in zip(CHANNELS, CHANNEL_USE[persona], strict=True) if rng.random() < p]
    answers = {
        "Q1": str(nps),
        "Q2": str(_clip(1 + nps * 0.4 + rng.gauss(0, 0.55), 1, 5)),
        "Q3": str(_clip(1.2 + nps * 0.52 + ces_shift + rng.gauss(0, 0.9), 1, 7)),
        "Q4": ",".join(chosen or [rng.choice(["Website", "Phone"])]),
        "Q5": rng.choices(JOINED, weights=JOINED_WEIGHTS[persona])[0],
        "Q6_TEXT": _reason(rng, persona, nps, tenure) if rng.random() > 0.04 else "",
        "Q7_TEXT": _change(rng, persona, nps) if rng.random() > 0.12 else "",
        "Q8_TEXT": _contact(rng, persona, nps) if rng.random() > 0.55 else "",
    }
    if rng.random() < 0.025:
        answers["Q7_TEXT"] = rng.choice(NON_ANSWERS)
    if rng.random() < 0.02:
        answers["Q8_TEXT"] = rng.choice(NON_ANSWERS)
    finished = rng.random() >= 0.1
    day = rng.randint(1, 31 if finished else 23)
    start = datetime(2026, 10, day, rng.choices(range(24), weights=_HOURS)[0], rng.randint(0, 59))
    start += timedelta(seconds=rng.randint(0, 59))
    if finished:
        words = sum(len(answers[q].split()) for q in ("Q6_TEXT", "Q7_TEXT", "Q8_TEXT"))
        duration = 40 + 4 * words + rng.randint(0, 240)
        if rng.random() < 0.04:
            duration += rng.randint(3000, 20000)  # left the tab open
        start = min(start, datetime(2026, 10, 31, 17, 0, 0))
        progress = 100
    else:
        reached = rng.choices(range(7), weights=[1, 4, 3, 2, 2, 3, 2])[0]
        for question in _ANSWER_ORDER[reached:]:
            answers[question] = ""
        duration = 7 * 24 * 3600  # closed as incomplete after a week
        progress = round(100 * reached / 9)
    end = start + timedelta(seconds=duration)
    email = rng.random() < 0.8
    row = {
        "StartDate": f"{start:%Y-%m-%d %H:%M:%S}",
        "EndDate": f"{end:%Y-%m-%d %H:%M:%S}",
        "Status": "IP Address",
        "IPAddress": _ip(rng),
        "Progress": str(progress),
        "Duration (in seconds)": str(duration),
        "Finished": "True" if finished else "False",
        "RecordedDate": f"{end:%Y-%m-%d %H:%M:%S}",
        "ResponseId": _response_id(rng, seen),
        "ExternalReference": ref if email else "",
        "LocationLatitude": f"{rng.uniform(50.5, 55.5):.12f}",
        "LocationLongitude": f"{rng.uniform(-4.2, 1.3):.12f}",
        "DistributionChannel": "email" if email else "anonymous",
        "UserLanguage": "EN-GB",
        "Q1_NPS_GROUP": {"detractor": "Detractor", "passive": "Passive", "promoter": "Promoter"}[
            _band(nps)
        ]
        if answers["Q1"]
        else "",
        "persona": persona,
        "tenure_months": str(tenure),
    }
    row.update(answers)
    return row


_HOURS = [1, 1, 0, 0, 0, 1, 2, 5, 7, 8, 8, 8, 9, 8, 7, 7, 7, 8, 9, 10, 10, 9, 6, 3]


def build_rows(seed: int = 2026) -> list[list[str]]:
    """Return the data rows (after the 3 header rows), sorted by RecordedDate as Qualtrics does."""
    rng = random.Random(seed)
    refs = rng.sample(range(1, 2400), N_RESPONSES)
    if 73 not in refs:
        refs[0] = 73  # make sure "0073" is there: ExternalReference must keep leading zeros
    seen: set[str] = set()
    rows = [_one(rng, f"{ref:04d}", seen) for ref in refs]
    rows.sort(key=lambda r: r["RecordedDate"])
    return [[r.get(c, "") for c in COLUMNS] for r in rows]


def write_survey(path: Path, seed: int = 2026) -> None:
    """Write the export to ``path`` (UTF-8 with BOM, ``\\n`` line ends, minimal quoting)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerows(header_rows() + build_rows(seed))

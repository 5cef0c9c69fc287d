"""What each column of a survey export is called: layout, id, header text and vendor hints.

:func:`detect_layout` recognises the vendor layout from the header rows; :func:`column_infos`
turns the header rows into a :class:`ColumnInfo` per column (its id, text and vendor hints);
:func:`is_vendor_metadata` knows each layout's metadata columns. What kind of question a column
is, from its answers, is :mod:`workbench.ingest.question_kinds`.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass

from workbench.ingest.base import fold_space

QUALTRICS_METADATA = {
    "startdate", "enddate", "status", "ipaddress", "progress", "durationinseconds", "finished",
    "recordeddate", "responseid", "recipientlastname", "recipientfirstname", "recipientemail",
    "externalreference", "externaldatareference", "locationlatitude", "locationlongitude",
    "locationaccuracy", "distributionchannel", "userlanguage", "responseset", "name",
    "emailaddress",
}  # fmt: skip
SURVEYMONKEY_METADATA = {
    "respondentid", "collectorid", "startdate", "enddate", "ipaddress", "emailaddress",
    "firstname", "lastname",
}  # fmt: skip
GENERIC_METADATA = {
    "timestamp", "submittedat", "submitted", "submissiondate", "date", "datetime", "createdat",
    "starttime", "endtime", "completiontime", "email", "emailaddress", "name", "fullname",
    "firstname", "lastname", "ipaddress", "ip", "useragent", "score", "duration", "language",
}  # fmt: skip
ID_NAMES = (
    "respondentid", "responseid", "participantid", "respondent", "participant", "recordid",
    "submissionid", "responderid", "userid", "customerid", "id", "uuid",
)  # fmt: skip
_IMPORT_ID = '{"ImportId"'
PERSONA_NAMES = ("persona", "segment", "customersegment", "personaslug")
TEXT_IQ = re.compile(r" - (Parent )?(Topics|Sentiment|Topic Sentiment)", re.I)
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
_EXCEL_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?e[+-]\d+", re.I)
_EXCEL_DATE = re.compile(
    rf"(\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}|\d{{4}}[/.-]\d{{1,2}}[/.-]\d{{1,2}}"
    rf"|\d{{1,2}}[- ]{_MONTH}([- ]\d{{2,4}})?|{_MONTH}[- ]\d{{1,4}})"
    r"([ T]\d{1,2}:\d{2}(:\d{2})?)?",
    re.I,
)


def name_key(name: str) -> str:
    """Lower-case a column name and drop everything but letters and digits.

    Examples
    --------
    >>> name_key("Duration (in seconds)"), name_key("Respondent ID")
    ('durationinseconds', 'respondentid')
    """
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def excel_damage(value: str) -> str | None:
    """How Excel seems to have changed an id: ``"number"``, ``"date"`` or ``None``.

    Opened and saved in Excel, a long numeric id becomes scientific notation (its last digits
    are lost) and an id such as ``1-2`` or ``01/02/2024`` becomes a date.

    Examples
    --------
    >>> excel_damage("2.31E+13"), excel_damage("1.2e+05"), excel_damage("23100000000000")
    ('number', 'number', None)
    >>> excel_damage("01/02/2024"), excel_damage("2024-01-02 00:00:00"), excel_damage("2-Jan")
    ('date', 'date', 'date')
    >>> excel_damage("R_2YPOQ602ER1jkf1"), excel_damage("P-12"), excel_damage("3e4a")
    (None, None, None)
    """
    if _EXCEL_NUMBER.fullmatch(value):
        return "number"
    if _EXCEL_DATE.fullmatch(value):
        return "date"
    return None


_EXCEL_CAUSES = {
    "number": "long numbers shown in scientific notation such as 2.31E+13, which loses their "
    "last digits",
    "date": "ids such as 1-2 or 01/02 turned into dates",
}
EXCEL_ADVICE = (
    "export the file again from the survey tool, or open it in Excel with the id column "
    "imported as Text, instead of saving it from Excel"
)


def excel_causes(kinds: set[str]) -> str:
    """The causes, in words, of the kinds of damage :func:`excel_damage` found."""
    return "; ".join(_EXCEL_CAUSES[kind] for kind in sorted(kinds, reverse=True))


def slug(text: str, taken: set[str], fallback: str) -> str:
    """A stable identifier for a header text, unique among ``taken`` (which it updates).

    Examples
    --------
    >>> taken = set()
    >>> slug("How likely are you to recommend us?", taken, "c1")
    'how_likely_are_you_to_recommend_us'
    >>> slug("How likely are you to recommend us!", taken, "c2")
    'how_likely_are_you_to_recommend_us_2'
    """
    words = re.findall(r"[0-9a-z]+", text.casefold())
    base = ""
    for word in words:
        if len(base) + len(word) + 1 > 60 and base:
            break
        base = f"{base}_{word}" if base else word
    base = base or fallback
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}_{n}"
    taken.add(candidate)
    return candidate


@dataclass(slots=True)
class ColumnInfo:
    """What the reader knows about a column before classification."""

    qid: str
    text: str
    import_id: str | None = None
    sublabel: str | None = None
    vendor_metadata: bool = False


def is_vendor_metadata(layout: str, info: ColumnInfo) -> bool:
    """Whether a column is one of the layout's known metadata columns."""
    key = name_key(info.qid)
    text_key = name_key(info.text)
    if layout == "qualtrics":
        import_id = info.import_id
        if import_id is not None and not import_id.startswith("QID"):
            return True  # embedded data and survey metadata: startDate, _recordId, persona...
        return key in QUALTRICS_METADATA or info.qid.startswith("Q_")
    if layout == "qualtrics-legacy":
        return bool(re.fullmatch(r"V\d+", info.qid)) or key in QUALTRICS_METADATA
    if layout == "surveymonkey":
        return (
            text_key in SURVEYMONKEY_METADATA
            or text_key.startswith("customdata")
            or (not info.sublabel and text_key in GENERIC_METADATA)
        )
    return text_key in GENERIC_METADATA


def detect_layout(rows: list[list[str]]) -> str:
    """Recognise the export layout from its first rows.

    Examples
    --------
    >>> detect_layout([["Timestamp", "How was it?"], ["2026/10/01 10:00:00", "Fine"]])
    'google-forms'
    >>> detect_layout([["V1", "V2", "Q1"], ["ResponseID", "ResponseSet", "Text"]])
    'qualtrics-legacy'
    """
    first = [cell.strip() for cell in rows[0]]
    keys = {name_key(cell) for cell in first}
    if len(rows) >= 3 and is_import_row(rows[2]):
        return "qualtrics"
    if first[:1] == ["V1"] and ("V2" in first or (len(rows) > 1 and "ResponseID" in rows[1])):
        return "qualtrics-legacy"
    if "respondentid" in keys and "collectorid" in keys:
        return "surveymonkey"
    if first and name_key(first[0]) == "timestamp":
        return "google-forms"
    return "generic"


def is_import_row(row: list[str]) -> bool:
    hits = sum(cell.lstrip().startswith(_IMPORT_ID) for cell in row)
    return hits >= max(1, len(row) // 2)


def import_id_of(cell: str) -> str | None:
    try:
        value = json.loads(cell)
    except ValueError:
        return None
    return value.get("ImportId") if isinstance(value, dict) else None


def column_infos(layout: str, header: list[list[str]], width: int) -> list[ColumnInfo]:
    taken: set[str] = set()
    infos = []
    if layout in ("qualtrics", "qualtrics-legacy"):
        for j in range(width):
            qid, text = header[0][j].strip(), fold_space(header[1][j]) if len(header) > 1 else ""
            import_id = import_id_of(header[2][j]) if len(header) > 2 else None
            if not qid or qid in taken:
                qid = slug(qid or text, taken, f"column_{j + 1}")
            taken.add(qid)
            infos.append(ColumnInfo(qid, text or qid, import_id))
        return infos
    if layout == "surveymonkey":
        texts = [fold_space(cell) for cell in header[0]]
        subs = [fold_space(cell) for cell in header[1]]
        group = []
        for j in range(width):
            group.append(j if texts[j] or not group else group[-1])
        sizes = Counter(group)
        for j in range(width):
            question, sub = texts[group[j]], subs[j]
            if sizes[group[j]] > 1 and sub:
                text, qid = f"{question} — {sub}", slug(f"{question} {sub}", taken, f"c{j + 1}")
            else:
                text, qid = question or sub, slug(question or sub, taken, f"column_{j + 1}")
            infos.append(ColumnInfo(qid, text, sublabel=sub or None))
        return infos
    for j in range(width):
        text = fold_space(header[0][j])
        infos.append(ColumnInfo(slug(text, taken, f"column_{j + 1}"), text))
    return infos


def find_column(infos: list[ColumnInfo], name: str) -> int | None:
    """Index of the column whose id or header text is ``name`` (case-insensitive)."""
    for test in (
        lambda c: c.qid == name,
        lambda c: c.qid.casefold() == name.casefold(),
        lambda c: c.text.casefold() == fold_space(name).casefold(),
        lambda c: name_key(c.qid) == name_key(name) or name_key(c.text) == name_key(name),
    ):
        for j, info in enumerate(infos):
            if test(info):
                return j
    return None


def find_by_names(infos: list[ColumnInfo], names: tuple[str, ...]) -> int | None:
    for wanted in names:
        for j, info in enumerate(infos):
            if wanted in (name_key(info.qid), name_key(info.text)):
                return j
    return None


def listing(infos: list[ColumnInfo]) -> str:
    names = [
        info.text if name_key(info.text) == name_key(info.qid) else f"{info.qid} ({info.text})"
        for info in infos
    ]
    more = f" ... and {len(names) - 30} more" if len(names) > 30 else ""
    return "; ".join(names[:30]) + more

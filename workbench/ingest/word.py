"""Reader of Word (``.docx``) interview transcripts.

Three layouts are recognised: paragraphs that start with the speaker's name in bold
(``docx-bold``), paragraphs ``Name: text`` (``docx-prefix``) and a table with speaker and text
columns (``docx-table``). The transcript's text is built from the document: every paragraph's
text and every table row (cells joined by a tab) in document order, one per line (a line break
inside a paragraph or cell stays a line break). Turn offsets point into that text.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

from workbench.errors import EmptyFileError, InputError
from workbench.ingest.base import Transcript, Turn, fold_space
from workbench.ingest.office import refuse_unsafe_xml
from workbench.ingest.subtitles import accepted_labels, match_label

_SPEAKER_HEADERS = {"speaker", "name", "who", "speaker name", "participant"}
_TEXT_HEADERS = {"text", "transcript", "dialogue", "utterance", "speech", "what was said"}
_TIME_HEADERS = {"time", "timestamp", "time stamp", "start", "start time", "timecode"}
_TIME = re.compile(r"\[?\s*(?:(\d{1,3}):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?\s*\]?")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_LAYOUTS = (
    "paragraphs that start with a bold speaker name or 'Name:', "
    "or a table with Speaker and Text columns"
)


@dataclass(slots=True)
class _Block:
    """One line of the built text: a paragraph or a table row."""

    start: int
    line: int
    text: str
    paragraph: Paragraph | None = None
    table: int = -1
    cells: list[str] = field(default_factory=list)


def _open(raw: bytes, path: str) -> docx.document.Document:
    refuse_unsafe_xml(raw, path, "a Word document (.docx)")
    try:
        return docx.Document(io.BytesIO(raw))
    except (zipfile.BadZipFile, KeyError, ValueError, PackageNotFoundError, etree.XMLSyntaxError):
        hint = " (an old binary .doc: save it as .docx)" if raw.startswith(_OLE_MAGIC) else ""
        raise InputError(
            path, f"not a valid .docx{hint}", expected="a Word document (.docx, Office Open XML)"
        ) from None


def _blocks(document: docx.document.Document) -> tuple[str, list[_Block]]:
    blocks: list[_Block] = []
    offset, line = 0, 1
    n_tables = 0

    def add(block: _Block) -> None:
        nonlocal offset, line
        blocks.append(block)
        offset += len(block.text) + 1
        line += block.text.count("\n") + 1

    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            add(_Block(offset, line, item.text, paragraph=item))
        elif isinstance(item, Table):
            for row in item.rows:
                cells, seen = [], set()
                for cell in row.cells:  # a merged cell repeats: keep it once
                    if id(cell._tc) not in seen:
                        seen.add(id(cell._tc))
                        cells.append(cell.text)
                add(_Block(offset, line, "\t".join(cells), table=n_tables, cells=cells))
            n_tables += 1
    return "\n".join(b.text for b in blocks), blocks


def _line(text: str, block: _Block, at: int) -> int:
    return block.line + text.count("\n", block.start, at)


def _span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _is_bold(run: Run, styles: dict[str, bool]) -> bool:
    """Whether a run is bold, directly or through its character style (cached by style id)."""
    if run.bold is not None:
        return run.bold
    style_id = run._r.style  # looking up the default style for every run is slow
    if style_id is None:
        return False
    if style_id not in styles:
        styles[style_id] = bool(run.style is not None and run.style.font.bold)
    return styles[style_id]


def _bold_label(
    paragraph: Paragraph, ptext: str, styles: dict[str, bool]
) -> tuple[str, int] | None:
    """The speaker name in the paragraph's leading bold runs, and where the text starts."""
    n, seen_bold = 0, False
    for item in paragraph.iter_inner_content():
        if not isinstance(item, Run):
            break
        if _is_bold(item, styles):
            n += len(item.text)
            seen_bold = seen_bold or bool(item.text.strip())
        elif not seen_bold and not item.text.strip():
            n += len(item.text)
        else:
            break
    if not seen_bold:
        return None
    name = ptext[:n].strip().removesuffix(":").strip()
    found = match_label(name + ":")
    if found is None or found[0] != name:
        return None
    rest = ptext[n:]
    skip = len(rest) - len(rest.lstrip())
    if rest[skip : skip + 1] == ":":
        skip += 1
    return name, n + skip


def _paragraph_turns(text: str, blocks: list[_Block]) -> tuple[str, list[Turn]]:
    paragraphs = [b for b in blocks if b.paragraph is not None and b.text.strip()]
    styles: dict[str, bool] = {}
    bold = {id(b): _bold_label(b.paragraph, b.text, styles) for b in paragraphs}
    prefix = {id(b): match_label(b.text) for b in paragraphs}
    bold_ok = accepted_labels((v and v[0] for v in bold.values()), len(paragraphs), preamble=True)
    prefix_ok = accepted_labels(
        (v and v[0] for v in prefix.values()), len(paragraphs), preamble=True
    )
    n_bold = sum(1 for v in bold.values() if v and v[0] in bold_ok)
    n_prefix = sum(1 for v in prefix.values() if v and v[0] in prefix_ok)
    labels, ok, fmt = (
        (bold, bold_ok, "docx-bold")
        if n_bold >= n_prefix
        else (
            prefix,
            prefix_ok,
            "docx-prefix",
        )
    )
    turns: list[Turn] = []
    current: Turn | None = None
    pending: str | None = None  # a speaker name alone in its paragraph
    for block in blocks:
        if block.paragraph is None:
            current = pending = None  # a table ends a turn
            continue
        if not block.text.strip():
            continue
        label = labels.get(id(block))
        if label and label[0] in ok:
            speaker, begin = label
        elif current is not None:
            current.char_end = _span(text, block.start, block.start + len(block.text))[1]
            continue
        elif pending is not None:
            speaker, begin = pending, 0
        else:
            continue  # a title or date line before the first turn
        start, end = _span(text, block.start + begin, block.start + len(block.text))
        if start == end:
            pending, current = speaker, None
            continue
        current = Turn(speaker, "", start, end, _line(text, block, start))
        pending = None
        turns.append(current)
    for turn in turns:
        turn.text = fold_space(text[turn.char_start : turn.char_end])
    return fmt, turns


def _norm(cell: str) -> str:
    return fold_space(cell).lower().removesuffix(":")


def _seconds(value: str) -> float | None:
    found = _TIME.fullmatch(value.strip())
    if found is None:
        return None
    hours, minutes, seconds, frac = found.groups()
    total = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    return total + (int(frac.ljust(3, "0")) / 1000 if frac else 0.0)


def _columns(rows: list[list[str]]) -> tuple[int, int, int | None, bool] | None:
    """Speaker, text and time columns of a transcript table, and whether it has a header."""
    header = [_norm(c) for c in rows[0]]

    def find(names: set[str]) -> int | None:
        return next((i for i, h in enumerate(header) if h in names), None)

    speaker, said, time = find(_SPEAKER_HEADERS), find(_TEXT_HEADERS), find(_TIME_HEADERS)
    if speaker is not None and said is not None:
        return speaker, said, time, True
    width = len(rows[0])
    if len(rows) < 2 or not 2 <= width <= 3 or any(len(r) != width for r in rows):
        return None

    def share(col: int, test) -> float:
        values = [r[col].strip() for r in rows if r[col].strip()]
        return sum(1 for v in values if test(v)) / len(values) if values else 0.0

    cols = list(range(width))
    time = next((c for c in cols if share(c, lambda v: _seconds(v) is not None) >= 0.8), None)
    rest = [c for c in cols if c != time]
    if len(rest) != 2:
        return None
    mean = {c: sum(len(r[c]) for r in rows) / len(rows) for c in rest}
    speaker, said = sorted(rest, key=mean.__getitem__)
    named = share(speaker, lambda v: match_label(v.removesuffix(":") + ":") is not None)
    names = {r[speaker].strip() for r in rows if r[speaker].strip()}
    if named < 0.8 or len(names) >= len(rows):
        return None
    return speaker, said, time, False


def _table_turns(text: str, blocks: list[_Block], warnings: list[str], path: str) -> list[Turn]:
    turns: list[Turn] = []
    tables: dict[int, list[_Block]] = {}
    for block in blocks:
        if block.table >= 0:
            tables.setdefault(block.table, []).append(block)
    for rows in tables.values():
        found = _columns([r.cells for r in rows])
        if found is None:
            continue
        speaker_col, text_col, time_col, has_header = found
        previous: str | None = None
        for row in rows[1:] if has_header else rows:
            cells = row.cells
            if max(speaker_col, text_col) >= len(cells):
                continue
            speaker = fold_space(cells[speaker_col]).removesuffix(":").strip() or previous
            begin = row.start + sum(len(c) + 1 for c in cells[:text_col])
            start, end = _span(text, begin, begin + len(cells[text_col]))
            if start == end:
                continue
            start_s = None
            if time_col is not None and time_col < len(cells) and cells[time_col].strip():
                start_s = _seconds(cells[time_col])
                if start_s is None:
                    warnings.append(
                        f"{path}, line {row.line}: time {cells[time_col].strip()!r} not read "
                        "(expected HH:MM:SS or M:SS)"
                    )
            line = _line(text, row, start)
            turns.append(Turn(speaker, fold_space(text[start:end]), start, end, line, start_s))
            previous = speaker
    return turns


def read_docx(raw: bytes, path: str) -> Transcript:
    """Read a Word transcript.

    Layouts (the one that gives more turns wins; a table on a tie):

    - ``docx-table``: a table with a header row naming ``Speaker`` and ``Text`` (or
      ``Transcript``, ``Dialogue``) and optionally ``Time``/``Timestamp`` columns, or a 2–3
      column table whose shorter column holds recurring speaker names. Times such as
      ``00:02:15`` or ``2:15`` become ``start_s``. A row with an empty speaker cell keeps the
      previous row's speaker. Paragraphs outside such tables are not turns.
    - ``docx-bold``: paragraphs whose leading bold run(s) hold a short speaker name, with or
      without a colon, followed by a tab or space and the text. A name alone in a bold
      paragraph introduces the next paragraph(s).
    - ``docx-prefix``: paragraphs ``Name: text`` with a short, recurring label.

    In the paragraph layouts, paragraphs before the first label (a title, a date) are not
    turns, and a paragraph without a label continues the current turn (so does anything after
    the last turn). ``text`` is built as described in the module docstring; for every turn
    ``fold_space(text[char_start:char_end]) == turn.text``; the span starts after the speaker
    label (for tables, it is the text cell).

    Parameters
    ----------
    raw : bytes
        The file's content.
    path : str
        The file's name for messages.

    Returns
    -------
    Transcript

    Raises
    ------
    InputError
        The bytes are not a ``.docx``, or no speaker turns are found.
    EmptyFileError
        The document has no text.
    """
    document = _open(raw, path)
    revisions = accept_revisions(document.element.body)
    text, blocks = _blocks(document)
    if not text.strip():
        raise EmptyFileError(path, "the document has no text", expected=_LAYOUTS)
    warnings: list[str] = []
    fmt, turns = "docx-table", _table_turns(text, blocks, warnings, path)
    paragraph_fmt, paragraph_turns = _paragraph_turns(text, blocks)
    if len(paragraph_turns) > len(turns):  # e.g. a small table of names beside the transcript
        fmt, turns, warnings = paragraph_fmt, paragraph_turns, []
    if not turns:
        raise InputError(path, "no speaker turns found", expected=_LAYOUTS)
    if revisions:
        warnings.append(
            f"{path}: document has revisions (tracked changes: {revisions}): insertions kept, "
            "deletions dropped, as if all changes were accepted; accept or reject them in Word "
            "to read another version"
        )
    return Transcript(fmt, text, turns, warnings)


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_KEEP = (f"{_W}ins", f"{_W}moveTo")  # inserted or moved here: the text stays
_DROP = (f"{_W}del", f"{_W}moveFrom")  # deleted or moved away: the text goes


def accept_revisions(body: etree._Element) -> int:
    """Accept every tracked change in a document body, in place; return how many there were.

    python-docx reads only a paragraph's direct runs, so inserted text (runs inside ``w:ins``)
    would be lost with the deleted text. Insertions are unwrapped into their paragraph and
    deletions removed, which is the text Word shows after "Accept all changes".
    """
    found = 0
    for element in list(body.iter(*_DROP)):
        if element.getparent() is not None and element.getparent().tag != f"{_W}rPr":
            element.getparent().remove(element)
            found += 1
    for element in list(body.iter(*_KEEP)):
        parent = element.getparent()
        if parent is None or parent.tag == f"{_W}rPr":  # a paragraph mark's own revision mark
            continue
        at = parent.index(element)
        for child in list(element):
            parent.insert(at, child)
            at += 1
        parent.remove(element)
        found += 1
    return found

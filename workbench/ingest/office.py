"""Office Open XML packages (``.xlsx``, ``.docx``): what their XML parts hold beyond the readers.

An Office file is a zip of XML parts. A part with a document type declaration (``<!DOCTYPE``)
can declare entities that expand to huge text or read other files (external entities); Excel
and Word never write one. :func:`refuse_unsafe_xml` checks the prolog of every part with
defusedxml and raises an :class:`~workbench.errors.InputError` naming the file and the part, so
ingest reports that file (and ``--skip-bad`` writes the others) instead of crashing, or, as
python-docx did, silently dropping the text after an entity it does not resolve.

:func:`uncached_formulas` finds the formula cells of a worksheet that have no saved value
(written by a tool that stores formulas but does not compute them): openpyxl reads them as
empty cells.
"""

from __future__ import annotations

import io
import re
import zipfile

from defusedxml import DefusedXmlException, DTDForbidden
from defusedxml.ElementTree import DefusedXMLParser, ParseError, iterparse

from workbench.errors import InputError

_READ = 1 << 16
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")


class _RootReached(Exception):
    """The part's root element starts: no document type declaration can follow."""


class _StopAtRoot:
    """A parser target that stops at the first element (only the prolog is checked)."""

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        raise _RootReached

    def close(self) -> None:
        return None


def _unsafe_prolog(part: io.BufferedIOBase) -> DefusedXmlException | None:
    """The defusedxml refusal of this part's prolog, or ``None`` when it has no DTD.

    Only the bytes up to the root element are read: a document type declaration, where
    entities are declared, may only come before it. Bytes that are not XML are not refused
    here (the reader reports them).
    """
    parser = DefusedXMLParser(target=_StopAtRoot(), forbid_dtd=True)
    try:
        while chunk := part.read(_READ):
            parser.feed(chunk)
        parser.close()
    except _RootReached:
        return None
    except DefusedXmlException as exc:
        return exc
    except (ParseError, UnicodeError, LookupError):
        return None
    return None


def _what(refusal: DefusedXmlException, head: bytes) -> str:
    if isinstance(refusal, DTDForbidden):
        declared = "XML entities" if b"ENTITY" in head else "a document type"
        return f"declares {declared} (<!DOCTYPE {refusal.name} ...>)"
    return "declares XML entities"


def refuse_unsafe_xml(raw: bytes, path: str, kind: str) -> None:
    """Raise :class:`InputError` if a part of the Office file ``raw`` has a DTD or entities.

    Parameters
    ----------
    raw : bytes
        The file's content (a zip); anything else is left to the reader to report.
    path : str
        The file's name for messages.
    kind : str
        What the file should be, for the message (``"an Excel workbook"``).

    Raises
    ------
    InputError
        "unsafe XML in FILE (part NAME): ...".
    """
    try:
        package = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    with package:
        for info in package.infolist():
            if info.is_dir():
                continue
            try:
                with package.open(info) as part:
                    refusal = _unsafe_prolog(part)
                if refusal is None:
                    continue
                with package.open(info) as part:
                    head = part.read(_READ)
            except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
                continue  # a damaged or encrypted part: the reader reports the file
            raise InputError(
                path,
                f"unsafe XML in {path} (part {info.filename}): it {_what(refusal, head)}, "
                "which can expand to huge text or read other files; the file was not read",
                expected=f"{kind} without a DTD or XML entities, as Office and survey tools "
                "write it: save it again from the application, or export it again",
            )


def _has_formula(part: io.BufferedIOBase) -> bool:
    """Whether a worksheet part holds a formula element (read in chunks, nothing parsed)."""
    tail = b""
    while chunk := part.read(1 << 20):
        if _FORMULA.search(tail + chunk):
            return True
        tail = chunk[-16:]
    return False


def _column_name(number: int) -> str:
    name = ""
    while number:
        number, rest = divmod(number - 1, 26)
        name = chr(65 + rest) + name
    return name


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def uncached_formulas(raw: bytes, part: str) -> list[str]:
    """References (``C2``) of the formula cells of worksheet ``part`` that have no saved value.

    A cell with a formula and no ``<v>`` (or an empty one, unless the formula's result is a
    string, which may be empty) was never computed. The part is scanned for formulas first and
    parsed (with defusedxml, in one pass that forgets each row) only when it has some.

    Parameters
    ----------
    raw : bytes
        The ``.xlsx`` file.
    part : str
        The worksheet's part in the zip, such as ``xl/worksheets/sheet1.xml``.
    """
    with zipfile.ZipFile(io.BytesIO(raw)) as package:
        if part not in package.namelist():
            return []
        with package.open(part) as stream:
            if not _has_formula(stream):
                return []
        found: list[str] = []
        row, col = 0, 0
        with package.open(part) as stream:
            for event, element in iterparse(stream, events=("start", "end"), forbid_dtd=True):
                name = _local(element.tag)
                if event == "start":
                    if name == "row":
                        row, col = int(element.get("r") or row + 1), 0
                    elif name == "c":
                        ref = _CELL_REF.fullmatch(element.get("r") or "")
                        col = _column_number(ref.group(1)) if ref else col + 1
                    continue
                if name == "c":
                    children = {_local(child.tag): child for child in element}
                    value = children.get("v")
                    computed = value is not None and (
                        value.text or element.get("t") in ("str", "inlineStr")
                    )
                    if "f" in children and not computed:
                        found.append(f"{_column_name(col)}{row}")
                elif name == "row":
                    element.clear()
        return found


def _column_number(name: str) -> int:
    number = 0
    for letter in name:
        number = number * 26 + ord(letter) - 64
    return number

"""Office Open XML packages (``.xlsx``, ``.docx``): refuse unsafe XML before a reader parses it.

An Office file is a zip of XML parts. A part with a document type declaration (``<!DOCTYPE``)
can declare entities that expand to huge text or read other files (external entities); Excel
and Word never write one. :func:`refuse_unsafe_xml` checks the prolog of every part with
defusedxml and raises an :class:`~workbench.errors.InputError` naming the file and the part, so
ingest reports that file (and ``--skip-bad`` writes the others) instead of crashing, or, as
python-docx did, silently dropping the text after an entity it does not resolve.
"""

from __future__ import annotations

import io
import zipfile

from defusedxml import DefusedXmlException, DTDForbidden
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from workbench.errors import InputError

_READ = 1 << 16


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

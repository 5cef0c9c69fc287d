"""Checks on the XML parts of Office files (workbench.ingest.office)."""

from __future__ import annotations

import io
import zipfile

import pytest

from workbench.errors import InputError
from workbench.ingest.office import refuse_unsafe_xml, uncached_formulas

SHEET = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "<x:sheetData>"
    '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1"><x:f>1+1</x:f></x:c></x:row>'
    '<x:row><x:c><x:v>1</x:v></x:c><x:c t="str"><x:f>""</x:f><x:v></x:v></x:c>'
    "<x:c><x:f>A2*2</x:f><x:v></x:v></x:c><x:c><x:f>A2*3</x:f><x:v>3</x:v></x:c></x:row>"
    '<x:row r="7"><x:c r="AB7"><x:f t="shared" si="0"/></x:c></x:row>'
    "</x:sheetData></x:worksheet>"
)


def _package(**parts: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name, data in parts.items():
            package.writestr(name.replace("__", "/"), data)
    return out.getvalue()


def test_uncached_formulas_with_prefixes_and_without_cell_references() -> None:
    raw = _package(xl__worksheets__sheet1=SHEET.encode())
    # B1: no value; row 2 has no r: C2 empty value (not a string result); AB7 shared formula
    assert uncached_formulas(raw, "xl/worksheets/sheet1") == ["B1", "C2", "AB7"]
    plain = SHEET.replace("<x:f>", "<x:g>").replace("</x:f>", "</x:g>").replace("<x:f ", "<x:g ")
    assert uncached_formulas(_package(s=plain.encode()), "s") == []


def test_a_dtd_in_a_utf16_part_is_refused_and_a_plain_package_is_not() -> None:
    bad = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY e "x">]><r>&e;</r>'
    raw = _package(**{"[Content_Types].xml": b"<Types/>", "xl__x.xml": bad.encode("utf-16")})
    with pytest.raises(InputError, match=r"unsafe XML in a.xlsx \(part xl/x.xml\)"):
        refuse_unsafe_xml(raw, "a.xlsx", "an Excel workbook")
    refuse_unsafe_xml(_package(x=SHEET.encode(), y=b"\x89PNG not xml"), "b.xlsx", "a workbook")
    refuse_unsafe_xml(b"not a zip", "c.xlsx", "an Excel workbook")  # the reader reports it

"""Office files with unsafe XML, built for the tests by rewriting one part of a real package."""

from __future__ import annotations

import io
import zipfile

ENTITY = '<!DOCTYPE x [<!ENTITY e "boom">]>'
EXTERNAL = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/hostname">]>'


def with_entity(raw: bytes, part: str, find: str, declaration: str = ENTITY) -> bytes:
    """``raw`` with ``declaration`` before the root of ``part`` and ``&e;`` inside ``find``."""
    source = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == part:
                text = data.decode("utf-8")
                assert find in text, f"{find!r} not in {part}"
                at = text.index("?>") + 2 if text.startswith("<?xml") else 0
                text = text[:at] + declaration + text[at:]
                text = text.replace(find, find[: len(find) // 2] + "&e;" + find[len(find) // 2 :])
                data = text.encode("utf-8")
            package.writestr(info, data)
    return out.getvalue()

"""Helpers to inspect compiled Vega-Lite specs in the chart tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any


def datasets(spec: dict) -> dict[str, list[dict]]:
    """Inline datasets of a compiled spec (Altair puts data frames there)."""
    found = dict(spec.get("datasets", {}))
    for node in walk(spec):
        values = node.get("data", {}).get("values") if isinstance(node.get("data"), dict) else None
        if isinstance(values, list):
            found[f"inline-{id(values)}"] = values
    return found


def data_rows(spec: dict) -> list[dict]:
    """Every embedded row, excluding the empty ``{}`` rows used for reference rules."""
    return [row for rows in datasets(spec).values() for row in rows if row]


def walk(node: Any) -> Iterator[dict]:
    """Every dict in a nested spec, depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def encodings(spec: dict, channel: str) -> list[dict]:
    """Every encoding of ``channel`` anywhere in the spec."""
    return [n["encoding"][channel] for n in walk(spec) if channel in n.get("encoding", {})]


def strings(spec: dict) -> list[str]:
    """Every string value in the embedded data."""
    return [v for row in data_rows(spec) for v in row.values() if isinstance(v, str)]


def size(spec: dict) -> int:
    return len(json.dumps(spec))

"""``data/raw/metrics.csv``: the study's own conversion and retention counts, per persona and stage.

Conversion (the share of customers who moved from one stage to the next) and retention (the
share still a customer, or who renewed) usually come from analytics or CRM exports, not from
interviews. A researcher lists them as counts, one row per measure::

    persona,stage,metric,successes,total,label
    budget-family,decision,conversion,412,1350,quote to sign-up
    budget-family,renewal,retention,1010,1190,renewed at contract end
    ,renewal,retention,2950,3400,all customers

``persona`` and ``stage`` may be blank (all personas, all stages); ``metric`` is
``conversion``, ``retention`` or another short name; ``label`` is optional. The report shows
each as a share with a Wilson interval beside the survey measures.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from workbench import schema
from workbench.errors import InputError
from workbench.ingest.base import decode

METRICS_FILE = "metrics.csv"
SUCCESSES = "successes"
TOTAL = "total"
LABEL = "label"
REQUIRED = (schema.METRIC, SUCCESSES, TOTAL)
COLUMNS = (schema.PERSONA, schema.STAGE, schema.METRIC, SUCCESSES, TOTAL, LABEL)


def empty() -> pd.DataFrame:
    return schema.empty_frame(schema.STAGE_METRICS)


def _count(rel: str, value: str, line: int, column: str) -> int:
    try:
        number = int(value.replace(",", "").strip())
    except ValueError:
        raise InputError(
            rel, f"{value!r} is not a whole number", line=line, column=column,
            expected="a count such as 412",
        ) from None  # fmt: skip
    if number < 0:
        raise InputError(rel, f"{number} is negative", line=line, column=column,
                         expected="a count of 0 or more")  # fmt: skip
    return number


def read_stage_metrics(path: Path, rel: str = METRICS_FILE) -> pd.DataFrame:
    """Read ``metrics.csv`` into the :data:`workbench.schema.STAGE_METRICS` table.

    A missing file gives an empty table.

    Raises
    ------
    InputError
        For a missing column, a count that is not a whole number, or successes above the
        total; the message names the line and column.
    """
    if not path.exists():
        return empty()
    reader = csv.reader(decode(path.read_bytes(), rel).text.splitlines())
    header = [cell.strip().lower() for cell in next(reader, [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(
            rel,
            f"no {', '.join(map(repr, missing))} column; columns found: {', '.join(header)}",
            line=1,
            expected="a header persona,stage,metric,successes,total[,label]",
        )
    rows = []
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        row = dict(zip(header, (c.strip() for c in cells), strict=False))
        successes = _count(rel, row.get(SUCCESSES, ""), line, SUCCESSES)
        total = _count(rel, row.get(TOTAL, ""), line, TOTAL)
        if total == 0 or successes > total:
            raise InputError(
                rel, f"successes {successes} out of a total of {total}", line=line,
                column=SUCCESSES, expected="a total above 0 and successes no larger than it",
            )  # fmt: skip
        if not row.get(schema.METRIC):
            raise InputError(rel, "empty metric", line=line, column=schema.METRIC,
                             expected="conversion, retention or another name")  # fmt: skip
        rows.append(
            {
                schema.PERSONA: row.get(schema.PERSONA) or None,
                schema.STAGE: row.get(schema.STAGE) or None,
                schema.METRIC: row[schema.METRIC].lower(),
                SUCCESSES: successes,
                TOTAL: total,
                LABEL: row.get(LABEL) or None,
            }
        )
    if not rows:
        return empty()
    return schema.conform(pd.DataFrame(rows), schema.STAGE_METRICS, name=rel)

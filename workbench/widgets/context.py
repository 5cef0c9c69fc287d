"""A segment in its context: the turns before and after it, and where it is in its source.

:class:`ContextIndex` sorts the frame once by conversation (interviews: the source file;
surveys: the source file and respondent, so one respondent's other answers are the context) and
then by turn and character offset; afterwards the neighbours of any row are an O(1) slice.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"source_path": ["a.txt"] * 3 + ["b.txt"], "turn": [2, 0, 1, 0],
...                       "text": ["c", "a", "b", "z"]})
>>> index = ContextIndex(frame)
>>> before, after = index.around(2, before=1, after=1)
>>> before.tolist(), after.tolist()
([1], [0])
>>> location(12, None), location(None, 3725.4)
('line 12', '01:02:05')
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from workbench import schema


def location(line: object, start_s: object) -> str:
    """Where a segment is in its source: ``hh:mm:ss`` from media time, else ``line N``."""
    if start_s is not None and not pd.isna(start_s):
        seconds = math.floor(float(start_s))
        return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    if line is not None and not pd.isna(line):
        return f"line {int(line)}"
    return "location unknown"


class ContextIndex:
    """Neighbours of each row within its conversation, precomputed once.

    Parameters
    ----------
    frame : DataFrame
        Segments or coded rows with ``source_path`` and ``turn`` (``char_start``,
        ``source_type`` and ``participant_id`` used when present).
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        n = len(frame)
        source = frame[schema.SOURCE_PATH].astype(object).fillna("").to_numpy(dtype=object)
        if schema.SOURCE_TYPE in frame.columns and schema.PARTICIPANT_ID in frame.columns:
            survey = (frame[schema.SOURCE_TYPE].astype("string") == schema.SOURCE_SURVEY).to_numpy(
                dtype=bool, na_value=False
            )
            person = frame[schema.PARTICIPANT_ID].astype(object).fillna("").to_numpy(dtype=object)
            source = np.where(survey, source + "\0" + person.astype(str), source)
        group = pd.factorize(source)[0]
        turn = pd.to_numeric(frame[schema.TURN], errors="coerce").fillna(-1).to_numpy()
        start = np.zeros(n)
        if schema.CHAR_START in frame.columns:
            start = pd.to_numeric(frame[schema.CHAR_START], errors="coerce").fillna(-1).to_numpy()
        self.order = np.lexsort((np.arange(n), start, turn, group))
        self.rank = np.empty(n, dtype=np.int64)
        self.rank[self.order] = np.arange(n)
        sorted_group = group[self.order]
        boundaries = np.flatnonzero(np.diff(sorted_group)) + 1
        starts = np.concatenate([[0], boundaries]) if n else np.array([], dtype=int)
        ends = np.concatenate([boundaries, [n]]) if n else np.array([], dtype=int)
        lengths = ends - starts
        self._first = np.empty(n, dtype=np.int64)
        self._end = np.empty(n, dtype=np.int64)
        self._first[self.order] = np.repeat(starts, lengths)
        self._end[self.order] = np.repeat(ends, lengths)

    def around(self, position: int, *, before: int = 2, after: int = 2) -> tuple:
        """Positions of up to ``before`` rows before and ``after`` rows after ``position``.

        Returns
        -------
        tuple of (ndarray, ndarray)
            Frame positions, in conversation order.
        """
        rank = int(self.rank[position])
        lo = max(int(self._first[position]), rank - before)
        hi = min(int(self._end[position]), rank + 1 + after)
        return self.order[lo:rank], self.order[rank + 1 : hi]

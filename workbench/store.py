"""The durable human-code store: an append-only decision log in SQLite.

Human codes are primary research data. They live in ``data/codes/codes.sqlite`` of a study,
apart from everything a rebuild wipes, and every coding decision is **appended** to the table
``decisions``; nothing is ever updated or deleted (SQLite triggers refuse it).

Durability and concurrency
    The database runs in WAL journal mode with ``synchronous=FULL`` and a busy timeout. Each
    :meth:`CodeStore.record` is its own ``BEGIN IMMEDIATE … COMMIT`` transaction, so a decision
    whose ``record`` call returned survives ``kill -9`` of the writer (and a power cut), and two
    processes writing at once wait for each other instead of losing decisions.

Current code
    The current code of a (segment, coder) pair is the state written by that pair's latest
    decision (highest ``decision_id``; ``created_at`` is informative only). Every decision stores
    the full state (stage, touchpoints, emotion, sentiment label, pain point, goal, memo).

Undo
    The ``code`` and ``import`` decisions of a (segment, coder) pair form a stack; an ``undo``
    decision pops it. :meth:`CodeStore.undo` appends a NEW decision with ``action="undo"``,
    ``undoes`` = the id of the decision it reverts and ``restores`` = the id of the decision whose
    state is current again (its state columns are copied into the undo row), or ``restores`` NULL
    when the coder had no earlier decision: the segment is then *uncoded* for that coder and is
    left out of :meth:`CodeStore.current_codes`. Undoing again steps further back; with nothing
    left to undo a :class:`~workbench.errors.StoreError` is raised. There is no redo: record the
    code again.

Blind double-coding
    ``current_codes(blind_for=coder)`` returns only that coder's codes and refuses to return
    anyone else's; :meth:`CodeStore.overlap` lists the segments two coders both coded.

The store does not know the codebook: stages, touchpoints and emotions are stored as given.

Examples
--------
>>> import tempfile, pathlib
>>> store = CodeStore(pathlib.Path(tempfile.mkdtemp()) / "codes.sqlite")
>>> first = store.record("s1", "ana", stage="search", touchpoints=["web", "app"])
>>> second = store.record("s1", "ana", stage="purchase")
>>> store.current_codes()[STAGE].tolist()
['purchase']
>>> _ = store.undo("s1", "ana")
>>> store.current_codes()[TOUCHPOINTS].tolist()
[['web', 'app']]
>>> store.close()
"""

from __future__ import annotations

import json
import math
import numbers
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd

from workbench.errors import StoreError
from workbench.schema import (
    CODEBOOK_HASH,
    CODER,
    EMOTION,
    GOAL,
    PAIN_POINT,
    SEGMENT_ID,
    SENTIMENT_LABEL,
    STAGE,
    STRING,
    TOUCHPOINTS,
)

DECISION_ID = "decision_id"
MEMO = "memo"
ACTION = "action"
CREATED_AT = "created_at"
SESSION = "session"
UNDOES = "undoes"
RESTORES = "restores"

ACTION_CODE = "code"
ACTION_UNDO = "undo"
ACTION_IMPORT = "import"
ACTIONS = (ACTION_CODE, ACTION_UNDO, ACTION_IMPORT)

STORE_FILE = "codes.sqlite"
SCHEMA_VERSION = 1

#: Columns that make up a coder's state for a segment (copied by an undo).
STATE_COLUMNS = (STAGE, TOUCHPOINTS, EMOTION, SENTIMENT_LABEL, PAIN_POINT, GOAL, MEMO)
#: Keys accepted in the rows given to :meth:`CodeStore.record_many`.
ROW_KEYS = (SEGMENT_ID, CODER, *STATE_COLUMNS, SESSION, CODEBOOK_HASH)
#: Columns of :meth:`CodeStore.decisions` and :meth:`CodeStore.current_codes`, with dtypes.
DECISIONS: dict[str, str] = {
    DECISION_ID: "int64",
    SEGMENT_ID: STRING,
    CODER: STRING,
    STAGE: STRING,
    TOUCHPOINTS: "object",
    EMOTION: STRING,
    SENTIMENT_LABEL: STRING,
    PAIN_POINT: "boolean",
    GOAL: "boolean",
    MEMO: STRING,
    ACTION: STRING,
    CREATED_AT: STRING,
    SESSION: STRING,
    CODEBOOK_HASH: STRING,
    UNDOES: "Int64",
    RESTORES: "Int64",
}
_COLUMNS = ", ".join(DECISIONS)
_INSERT = (
    f"INSERT INTO decisions ({', '.join(c for c in DECISIONS if c != DECISION_ID)}) "
    f"VALUES ({', '.join('?' * (len(DECISIONS) - 1))})"
)
_SCHEMA = (
    f"""CREATE TABLE IF NOT EXISTS decisions (
    {DECISION_ID} INTEGER PRIMARY KEY AUTOINCREMENT,
    {SEGMENT_ID} TEXT NOT NULL CHECK (length({SEGMENT_ID}) > 0),
    {CODER} TEXT NOT NULL CHECK (length({CODER}) > 0),
    {STAGE} TEXT,
    {TOUCHPOINTS} TEXT NOT NULL DEFAULT '[]',
    {EMOTION} TEXT,
    {SENTIMENT_LABEL} TEXT,
    {PAIN_POINT} INTEGER CHECK ({PAIN_POINT} IN (0, 1)),
    {GOAL} INTEGER CHECK ({GOAL} IN (0, 1)),
    {MEMO} TEXT NOT NULL DEFAULT '',
    {ACTION} TEXT NOT NULL CHECK ({ACTION} IN ('code', 'undo', 'import')),
    {CREATED_AT} TEXT NOT NULL,
    {SESSION} TEXT,
    {CODEBOOK_HASH} TEXT,
    {UNDOES} INTEGER REFERENCES decisions ({DECISION_ID}),
    {RESTORES} INTEGER REFERENCES decisions ({DECISION_ID})
)""",
    f"""CREATE INDEX IF NOT EXISTS decisions_by_coder_segment
    ON decisions ({CODER}, {SEGMENT_ID}, {DECISION_ID})""",
    *(
        f"""CREATE TRIGGER IF NOT EXISTS decisions_no_{verb.lower()} BEFORE {verb} ON decisions
    BEGIN SELECT RAISE(ABORT, 'decisions are append-only: record a new decision'); END"""
        for verb in ("UPDATE", "DELETE")
    ),
)
# The latest decision per (coder, segment), leaving out pairs whose last undo left them uncoded.
# (No ORDER BY: SQLite would sort in a temporary B-tree; the frame is sorted in pandas.)
_CURRENT = f"""
SELECT {", ".join("d." + c for c in DECISIONS)}
FROM (SELECT MAX({DECISION_ID}) AS last FROM decisions {{where}} GROUP BY {CODER}, {SEGMENT_ID})
    AS l CROSS JOIN decisions AS d ON d.{DECISION_ID} = l.last
WHERE NOT (d.{ACTION} = '{ACTION_UNDO}' AND d.{RESTORES} IS NULL)
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _locked(exc: sqlite3.Error) -> bool:
    """Whether ``exc`` says another connection holds the lock."""
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _advice(exc: sqlite3.Error) -> str:
    text = str(exc).lower()
    if _locked(exc):
        return (
            "another program holds a lock on the store; close other kernels or programs "
            "using it and try again"
        )
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return (
            "the folder or file is not writable; check its permissions, or work in a copy "
            "of the study you can write to"
        )
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return (
            "the file is not a readable SQLite database; move it aside and restore "
            "data/codes from a backup (the workbench never overwrites it)"
        )
    return "check that the file is a code store of this workbench and that the disk is not full"


def _missing(value: Any) -> bool:
    """None, pandas NA or a float NaN (what empty cells of a frame hold)."""
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _text(value: Any, name: str, where: str) -> str | None:
    if _missing(value):
        return None
    if not isinstance(value, str):
        raise StoreError(f"{where}{name} must be text or None, got {value!r}")
    return value.strip() or None


def _flag(value: Any, name: str, where: str) -> int | None:
    if _missing(value):
        return None
    if isinstance(value, numbers.Number) and value in (0, 1):
        return int(value)
    raise StoreError(f"{where}{name} must be True, False, 1, 0 or None, got {value!r}")


def _touchpoints(value: Any, where: str) -> str:
    if _missing(value):
        return "[]"
    if isinstance(value, str):
        raise StoreError(f"{where}{TOUCHPOINTS} must be a list of names, not the string {value!r}")
    names: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise StoreError(f"{where}{TOUCHPOINTS} must hold text, got {item!r}")
        item = item.strip()
        if item and item not in names:
            names.append(item)
    return json.dumps(names, ensure_ascii=False)


def _name(value: Any, name: str, where: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise StoreError(f"{where}{name} must be a non-empty name, got {value!r}")
    return text


def _state(row: Mapping[str, Any], where: str = "") -> tuple:
    """Validate one row; return the values of the insert minus action, created_at, undo ids."""
    memo = row.get(MEMO)
    memo = "" if _missing(memo) else memo
    if not isinstance(memo, str):
        raise StoreError(f"{where}{MEMO} must be text, got {memo!r}")
    return (
        _name(row.get(SEGMENT_ID), SEGMENT_ID, where),
        _name(row.get(CODER), CODER, where),
        _text(row.get(STAGE), STAGE, where),
        _touchpoints(row.get(TOUCHPOINTS), where),
        _text(row.get(EMOTION), EMOTION, where),
        _text(row.get(SENTIMENT_LABEL), SENTIMENT_LABEL, where),
        _flag(row.get(PAIN_POINT), PAIN_POINT, where),
        _flag(row.get(GOAL), GOAL, where),
        memo,
    )


# Frames are fetched column-wise: SQLite packs each column into one JSON array, which is about
# twice as fast as building a Python tuple per row (measured on 100k decisions).
_PACK = ", ".join(f"json_group_array({f'json({c})' if c == TOUCHPOINTS else c})" for c in DECISIONS)


def _frame(packed: tuple) -> pd.DataFrame:
    columns = [json.loads(text) for text in packed]
    data = {
        name: pd.Series(values, dtype=dtype)
        for (name, dtype), values in zip(DECISIONS.items(), columns, strict=True)
    }
    return pd.DataFrame(data)


def _use_wal(conn: sqlite3.Connection, timeout: float) -> None:
    """Switch to WAL, retrying while another process does the same.

    Two processes opening a new store at once can get "database is locked" from the journal
    mode switch without SQLite's busy handler being called; wait and retry until ``timeout``.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL").fetchone()
            return
        except sqlite3.OperationalError as exc:
            if not _locked(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


class CodeStore:
    """The append-only SQLite store of human coding decisions.

    Parameters
    ----------
    path : Path or str
        The database file; its folder is created. Use :meth:`for_project` for a study.
    timeout : float
        Seconds to wait for another writer's lock before giving up (busy timeout).
    read_only : bool
        Open the file read-only (it must exist); writing then raises :class:`StoreError`.

    Raises
    ------
    StoreError
        The folder cannot be created or written, the file is locked, corrupt or not a store.
    """

    def __init__(self, path: Path | str, *, timeout: float = 30.0, read_only: bool = False):
        self.path = Path(path)
        self.read_only = read_only
        self._conn: sqlite3.Connection | None = None
        if not read_only:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"{self.path}: cannot create the folder of the code store "
                    f"({exc.strerror or exc}); choose a study folder you can write to"
                ) from None
        uri = f"file:{quote(self.path.resolve().as_posix())}?mode=ro"
        try:
            with self._guard("opening the code store"):
                self._conn = sqlite3.connect(
                    uri if read_only else self.path,
                    timeout=timeout,
                    isolation_level=None,  # transactions are explicit: BEGIN IMMEDIATE/COMMIT
                    uri=read_only,
                )
                self._conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
                if not read_only:
                    _use_wal(self._conn, timeout)
                self._conn.execute("PRAGMA synchronous = FULL")
                self._setup()
        except BaseException:
            self.close()
            raise

    @classmethod
    def for_project(cls, root: Path | str, **kwargs: Any) -> CodeStore:
        """Open the store of the study at ``root``: ``root/data/codes/codes.sqlite``."""
        return cls(Path(root) / "data" / "codes" / STORE_FILE, **kwargs)

    # --- plumbing ---------------------------------------------------------------------------
    @contextmanager
    def _guard(self, doing: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: {doing} failed: {exc}; {_advice(exc)}") from exc

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(f"{self.path}: the code store is closed; open a new CodeStore")
        return self._conn

    @contextmanager
    def _write(self, doing: str) -> Iterator[sqlite3.Connection]:
        if self.read_only:
            raise StoreError(f"{self.path}: {doing} refused: the store was opened read-only")
        conn = self._db()
        with self._guard(doing):
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def _setup(self) -> None:
        conn = self._db()
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: the code store has schema version {version}, newer than this "
                f"workbench understands ({SCHEMA_VERSION}); upgrade the workbench"
            )
        if version < SCHEMA_VERSION and not self.read_only:
            with self._write("creating the code store"):
                for statement in _SCHEMA:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        found = {row[1] for row in conn.execute("PRAGMA table_info(decisions)")}
        missing = [c for c in DECISIONS if c not in found]
        if missing:
            raise StoreError(
                f"{self.path}: not a code store of this workbench (table 'decisions' lacks "
                f"{missing}); point to data/codes/{STORE_FILE} of a study"
            )

    def _query(self, sql: str, params: tuple = (), doing: str = "reading") -> list[tuple]:
        with self._guard(doing):
            return self._db().execute(sql, params).fetchall()

    def _select(self, sql: str, params: tuple = ()) -> pd.DataFrame:
        """Run a SELECT of all :data:`DECISIONS` columns; return it as a typed frame."""
        return _frame(self._query(f"SELECT {_PACK} FROM ({sql})", params)[0])

    # --- writing ----------------------------------------------------------------------------
    def record(
        self,
        segment_id: str,
        coder: str,
        *,
        stage: str | None = None,
        touchpoints: Iterable[str] = (),
        emotion: str | None = None,
        sentiment_label: str | None = None,
        pain_point: bool | None = None,
        goal: bool | None = None,
        memo: str = "",
        action: str = ACTION_CODE,
        codebook_hash: str | None = None,
        session: str | None = None,
    ) -> int:
        """Append one decision in its own committed transaction; return its ``decision_id``.

        The decision is the coder's full new state for the segment. When the call returns the
        decision is on disk. ``action`` is ``"code"`` or ``"import"``; use :meth:`undo` to undo.
        """
        row = {
            SEGMENT_ID: segment_id,
            CODER: coder,
            STAGE: stage,
            TOUCHPOINTS: touchpoints,
            EMOTION: emotion,
            SENTIMENT_LABEL: sentiment_label,
            PAIN_POINT: pain_point,
            GOAL: goal,
            MEMO: memo,
            SESSION: session,
            CODEBOOK_HASH: codebook_hash,
        }
        return self._append([row], action)[1]

    def record_many(self, rows: Iterable[Mapping[str, Any]], *, action: str = ACTION_IMPORT) -> int:
        """Append many decisions in ONE transaction (all or none); return how many.

        Each row maps keys of :data:`ROW_KEYS` to values as :meth:`record` takes them; rows are
        appended in order, so a later row for the same (segment, coder) becomes current.
        """
        return self._append(list(rows), action)[0]

    def _append(self, rows: list[Mapping[str, Any]], action: str) -> tuple[int, int]:
        """Append rows in one transaction; return (how many, the last decision id)."""
        if action not in (ACTION_CODE, ACTION_IMPORT):
            raise StoreError(f"action must be 'code' or 'import', got {action!r}; use undo()")
        values = []
        now = _now()  # one time stamp per transaction
        for number, row in enumerate(rows, start=1):
            where = f"{self.path}: row {number}: " if len(rows) > 1 else f"{self.path}: "
            unknown = sorted(set(row) - set(ROW_KEYS))
            if unknown:
                raise StoreError(f"{where}unknown key(s) {unknown}; expected some of {ROW_KEYS}")
            session = _text(row.get(SESSION), SESSION, where)
            codebook_hash = _text(row.get(CODEBOOK_HASH), CODEBOOK_HASH, where)
            values.append((*_state(row, where), action, now, session, codebook_hash, None, None))
        if not values:
            return 0, 0
        with self._write("recording a decision") as conn:
            conn.executemany(_INSERT, values)
            last = conn.execute("SELECT last_insert_rowid()").fetchone()[0]
        return len(values), last

    def undo(self, segment_id: str, coder: str, *, session: str | None = None) -> int:
        """Append an ``undo`` decision restoring the coder's previous state; return its id.

        See the module notes for the exact rule. Raises :class:`StoreError` when the coder has
        nothing left to undo for the segment.
        """
        segment_id = _name(segment_id, SEGMENT_ID, f"{self.path}: ")
        coder = _name(coder, CODER, f"{self.path}: ")
        session = _text(session, SESSION, f"{self.path}: ")
        with self._write("undoing a decision") as conn:
            stack: list[int] = []
            history = conn.execute(
                f"SELECT {DECISION_ID}, {ACTION} FROM decisions WHERE {CODER} = ? "
                f"AND {SEGMENT_ID} = ? ORDER BY {DECISION_ID}",
                (coder, segment_id),
            )
            for decision_id, action in history:
                if action == ACTION_UNDO:
                    if stack:
                        stack.pop()
                else:
                    stack.append(decision_id)
            if not stack:
                raise StoreError(
                    f"{self.path}: nothing to undo for segment {segment_id!r} by coder "
                    f"{coder!r} (no earlier code left)"
                )
            undone = stack.pop()
            restores = stack[-1] if stack else None
            state: tuple = (None, "[]", None, None, None, None, "", None)
            if restores is not None:
                state = conn.execute(
                    f"SELECT {', '.join(STATE_COLUMNS)}, {CODEBOOK_HASH} FROM decisions "
                    f"WHERE {DECISION_ID} = ?",
                    (restores,),
                ).fetchone()
            value = (segment_id, coder, *state[:-1], ACTION_UNDO, _now(), session, state[-1])
            return conn.execute(_INSERT, (*value, undone, restores)).lastrowid

    # --- reading ----------------------------------------------------------------------------
    def decisions(self, coder: str | None = None) -> pd.DataFrame:
        """The full decision log (optionally one coder's), oldest first; touchpoints as lists.

        Not blind: during blind double-coding show a coder :meth:`current_codes` with
        ``blind_for`` instead.
        """
        where, params = ("", ()) if coder is None else (f" WHERE {CODER} = ?", (coder,))
        sql = f"SELECT {_COLUMNS} FROM decisions{where}"
        return self._select(sql, params).sort_values(DECISION_ID, ignore_index=True)

    def current_codes(
        self, coder: str | None = None, *, blind_for: str | None = None
    ) -> pd.DataFrame:
        """The current code per (segment, coder), undo-aware, sorted by segment then coder.

        Parameters
        ----------
        coder : str, optional
            Only this coder's codes.
        blind_for : str, optional
            The coder who is looking, in blind double-coding: only their own codes are
            returned; asking for another coder's codes raises :class:`StoreError`.
        """
        if blind_for is not None:
            blind_for = _name(blind_for, "blind_for", f"{self.path}: ")
            if coder is not None and coder != blind_for:
                raise StoreError(
                    f"{self.path}: blind coding: {blind_for!r} may not see the codes of "
                    f"{coder!r}; compare coders after coding with overlap() and agreement"
                )
            coder = blind_for
        where, params = ("", ()) if coder is None else (f"WHERE {CODER} = ?", (coder,))
        frame = self._select(_CURRENT.format(where=where), params)
        return frame.sort_values([SEGMENT_ID, CODER], ignore_index=True)

    def current_code(self, segment_id: str, coder: str) -> dict[str, Any] | None:
        """One coder's current code for one segment as a dict, or None when uncoded."""
        rows = self._query(
            f"SELECT {_COLUMNS} FROM decisions WHERE {CODER} = ? AND {SEGMENT_ID} = ? "
            f"ORDER BY {DECISION_ID} DESC LIMIT 1",
            (coder, segment_id),
        )
        if not rows:
            return None
        code = dict(zip(DECISIONS, rows[0], strict=True))
        if code[ACTION] == ACTION_UNDO and code[RESTORES] is None:
            return None
        code[TOUCHPOINTS] = json.loads(code[TOUCHPOINTS])
        for flag in (PAIN_POINT, GOAL):
            code[flag] = None if code[flag] is None else bool(code[flag])
        return code

    def coders(self) -> list[str]:
        """Every coder who has recorded a decision, sorted."""
        return [r[0] for r in self._query(f"SELECT DISTINCT {CODER} FROM decisions ORDER BY 1")]

    def _coded(self, coder: str) -> set[str]:
        sql = _CURRENT.format(where=f"WHERE {CODER} = ?")
        return {row[1] for row in self._query(sql, (coder,))}

    def overlap(self, a: str, b: str) -> list[str]:
        """Segment ids both coders currently have a code for, sorted (codes not revealed)."""
        return sorted(self._coded(a) & self._coded(b))

    def orphans(self, segment_ids: Iterable[str]) -> pd.DataFrame:
        """Current codes whose segment id is not among ``segment_ids`` (e.g. after re-ingest).

        They are only reported; the store keeps them.
        """
        if isinstance(segment_ids, str):
            raise StoreError("orphans() takes a collection of segment ids, not one string")
        known = set(segment_ids)
        current = self.current_codes()
        return current[~current[SEGMENT_ID].isin(known)].reset_index(drop=True)

    # --- lifetime ---------------------------------------------------------------------------
    def close(self) -> None:
        """Close the connection (idempotent)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> CodeStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"CodeStore({str(self.path)!r}{', read_only=True' if self.read_only else ''})"

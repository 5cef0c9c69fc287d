"""Tests of the durable human-code store (append-only log, undo, blind coding, durability)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest

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
    TOUCHPOINTS,
)
from workbench.store import (
    ACTION,
    CREATED_AT,
    DECISION_ID,
    MEMO,
    RESTORES,
    UNDOES,
    CodeStore,
    _advice,
)

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def store(tmp_path):
    with CodeStore(tmp_path / "codes" / "codes.sqlite") as opened:
        yield opened


def test_for_project_places_the_store_under_data_codes(tmp_path):
    with CodeStore.for_project(tmp_path) as store:
        store.record("s1", "ana", stage="search")
    assert (tmp_path / "data" / "codes" / "codes.sqlite").is_file()
    with CodeStore.for_project(tmp_path) as again:
        assert again.current_codes()[STAGE].tolist() == ["search"]


def test_database_runs_in_wal_with_full_sync_and_a_busy_timeout(store):
    db = store._db()
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000


def test_record_appends_and_the_latest_decision_is_current(store):
    first = store.record("s1", "ana", stage="search", touchpoints=["web"], pain_point=True)
    second = store.record("s1", "ana", stage="purchase", emotion="joy", goal=False, memo="ok")
    assert second > first
    log = store.decisions()
    assert log[DECISION_ID].tolist() == [first, second]
    assert log[STAGE].tolist() == ["search", "purchase"]
    current = store.current_codes()
    assert len(current) == 1
    row = current.iloc[0]
    assert (row[DECISION_ID], row[STAGE], row[EMOTION], row[MEMO]) == (
        second,
        "purchase",
        "joy",
        "ok",
    )
    assert row[TOUCHPOINTS] == []
    assert current[GOAL].tolist() == [False]
    assert current[PAIN_POINT].isna().all()  # the latest decision carries the full state


def test_decisions_cannot_be_updated_or_deleted_even_with_raw_sql(store):
    store.record("s1", "ana", stage="search")
    raw = sqlite3.connect(store.path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        raw.execute("UPDATE decisions SET stage = 'x'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        raw.execute("DELETE FROM decisions")
    raw.close()
    assert store.current_codes()[STAGE].tolist() == ["search"]


def test_created_at_is_utc_iso_with_microseconds(store):
    store.record("s1", "ana")
    text = store.decisions()[CREATED_AT].iloc[0]
    stamp = datetime.fromisoformat(text)
    assert stamp.utcoffset().total_seconds() == 0
    assert len(text.split(".")[1].split("+")[0]) == 6  # microseconds always written
    assert abs((datetime.now(UTC) - stamp).total_seconds()) < 60


def test_undo_appends_and_restores_the_previous_state_step_by_step(store):
    a = store.record(
        "s1",
        "ana",
        stage="search",
        touchpoints=["web", "app"],
        emotion="hope",
        sentiment_label="positive",
        pain_point=False,
        goal=True,
        memo="first",
        codebook_hash="h1",
    )
    b = store.record("s1", "ana", stage="purchase", memo="second", codebook_hash="h2")
    u1 = store.undo("s1", "ana")
    log = store.decisions()
    assert len(log) == 3 and log[ACTION].tolist() == ["code", "code", "undo"]
    assert (log[UNDOES].iloc[2], log[RESTORES].iloc[2]) == (b, a)
    code = store.current_code("s1", "ana")
    assert code[DECISION_ID] == u1
    expected = {
        STAGE: "search",
        TOUCHPOINTS: ["web", "app"],
        EMOTION: "hope",
        SENTIMENT_LABEL: "positive",
        PAIN_POINT: False,
        GOAL: True,
        MEMO: "first",
        CODEBOOK_HASH: "h1",
    }
    assert {key: code[key] for key in expected} == expected
    # a new code after an undo, then undo again: back to the state before it (a)
    store.record("s1", "ana", stage="use")
    store.undo("s1", "ana")
    assert store.current_code("s1", "ana")[STAGE] == "search"
    # undo past the first code: uncoded (absent), then nothing left to undo
    u3 = store.undo("s1", "ana")
    assert store.decisions()[RESTORES].isna().iloc[-1]
    assert store.decisions()[DECISION_ID].iloc[-1] == u3
    assert store.current_code("s1", "ana") is None
    assert store.current_codes().empty
    with pytest.raises(StoreError, match="nothing to undo"):
        store.undo("s1", "ana")
    assert len(store.decisions()) == 6  # the refused undo wrote nothing


def test_undo_only_touches_that_coder_and_segment(store):
    store.record("s1", "ana", stage="search")
    store.record("s1", "ben", stage="use")
    store.record("s2", "ana", stage="pay")
    store.undo("s1", "ana")
    current = store.current_codes()
    assert list(zip(current[SEGMENT_ID], current[CODER], current[STAGE], strict=True)) == [
        ("s1", "ben", "use"),
        ("s2", "ana", "pay"),
    ]


def test_several_coders_blind_mode_and_overlap(store):
    store.record("s1", "ana", stage="search")
    store.record("s2", "ana", stage="pay")
    store.record("s2", "ben", stage="use", memo="ben's secret")
    store.record("s3", "ben", stage="leave")
    assert store.coders() == ["ana", "ben"]
    blind = store.current_codes(blind_for="ana")
    assert set(blind[CODER]) == {"ana"}
    assert "ben's secret" not in blind[MEMO].tolist()
    assert blind[SEGMENT_ID].tolist() == ["s1", "s2"]
    assert store.current_codes(coder="ana", blind_for="ana")[SEGMENT_ID].tolist() == ["s1", "s2"]
    with pytest.raises(StoreError, match="blind"):
        store.current_codes(coder="ben", blind_for="ana")
    assert store.overlap("ana", "ben") == ["s2"]
    store.undo("s2", "ana")  # ana no longer has a code for s2
    assert store.overlap("ana", "ben") == []
    assert len(store.current_codes()) == 3


def test_record_many_is_one_all_or_nothing_transaction(store):
    rows = [
        {SEGMENT_ID: "s1", CODER: "ana", STAGE: "search", TOUCHPOINTS: ["web"]},
        {SEGMENT_ID: "s2", CODER: "ana", PAIN_POINT: 1},
    ]
    assert store.record_many(rows) == 2
    assert store.decisions()[ACTION].tolist() == ["import", "import"]
    bad = [{SEGMENT_ID: "s3", CODER: "ana"}, {SEGMENT_ID: "s4", CODER: "  "}]
    with pytest.raises(StoreError, match="row 2: coder"):
        store.record_many(bad)
    with pytest.raises(StoreError, match="unknown key"):
        store.record_many([{SEGMENT_ID: "s5", CODER: "ana", "stgae": "typo"}])
    assert len(store.decisions()) == 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"coder": ""}, "coder must be a non-empty name"),
        ({"coder": "   "}, "coder must be a non-empty name"),
        ({"segment_id": ""}, "segment_id must be a non-empty name"),
        ({"touchpoints": "web"}, "list of names"),
        ({"pain_point": "yes"}, "pain_point must be True, False"),
        ({"goal": 2}, "goal must be True, False"),
        ({"stage": 3}, "stage must be text"),
        ({"action": "undo"}, "use undo"),
    ],
)
def test_invalid_decisions_are_refused(store, kwargs, message):
    args = {"segment_id": "s1", "coder": "ana", **kwargs}
    with pytest.raises(StoreError, match=message):
        store.record(args.pop("segment_id"), args.pop("coder"), **args)
    assert store.decisions().empty


def test_unicode_and_list_touchpoints_survive_reopening(tmp_path):
    path = tmp_path / "codes.sqlite"
    with CodeStore(path) as store:
        store.record(
            "s-ü",
            "zoë",
            stage="Suche",
            touchpoints=[" app ", "Filiale", "app"],
            memo="très bien 👍\nzweite Zeile",
        )
    with CodeStore(path) as store:
        code = store.current_code("s-ü", "zoë")
    assert code[TOUCHPOINTS] == ["app", "Filiale"]  # trimmed, duplicates dropped
    assert code[MEMO] == "très bien 👍\nzweite Zeile"


def test_orphans_are_reported_and_kept(store):
    store.record("s1", "ana", stage="search")
    store.record("s2", "ben", stage="pay")
    store.record("gone", "ana", stage="use")
    orphans = store.orphans(["s1", "s2", "s3"])
    assert orphans[SEGMENT_ID].tolist() == ["gone"]
    assert orphans[STAGE].tolist() == ["use"]
    assert len(store.decisions()) == 3
    assert "gone" in store.current_codes()[SEGMENT_ID].tolist()
    with pytest.raises(StoreError):
        store.orphans("s1")


def test_folder_that_cannot_be_created_names_the_path(tmp_path):
    blocker = tmp_path / "data"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(StoreError) as info:
        CodeStore.for_project(tmp_path)
    assert str(blocker / "codes" / "codes.sqlite") in str(info.value)
    assert "folder" in str(info.value)


def test_read_only_store_refuses_writes_with_the_path(tmp_path):
    path = tmp_path / "with space #1?" / "codes.sqlite"  # URI-special characters
    with CodeStore(path) as store:
        store.record("s1", "ana", stage="search")
    with CodeStore(path, read_only=True) as store:
        assert store.current_codes()[STAGE].tolist() == ["search"]
        with pytest.raises(StoreError, match="read-only") as info:
            store.record("s2", "ana")
        assert str(path) in str(info.value)
    # the database layer itself refuses too (a read-only file or folder looks like this)
    raw = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as info:
        raw.execute("INSERT INTO decisions (segment_id) VALUES ('x')")
    raw.close()
    assert "not writable" in _advice(info.value)


def test_missing_store_opened_read_only_names_the_path(tmp_path):
    path = tmp_path / "absent.sqlite"
    with pytest.raises(StoreError) as info:
        CodeStore(path, read_only=True)
    assert str(path) in str(info.value)
    assert not path.exists()


def test_corrupt_file_is_reported_and_left_alone(tmp_path):
    path = tmp_path / "codes.sqlite"
    garbage = b"this is not a database at all " * 200
    path.write_bytes(garbage)
    with pytest.raises(StoreError) as info:
        CodeStore(path)
    assert str(path) in str(info.value) and "backup" in str(info.value)
    assert path.read_bytes() == garbage


def test_foreign_sqlite_file_is_not_taken_for_a_store(tmp_path):
    path = tmp_path / "other.sqlite"
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE decisions (x)")
    raw.execute("PRAGMA user_version = 1")
    raw.commit()
    raw.close()
    with pytest.raises(StoreError, match="not a code store"):
        CodeStore(path)


def test_locked_store_gives_a_clear_error_after_the_timeout(tmp_path):
    path = tmp_path / "codes.sqlite"
    CodeStore(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with CodeStore(path, timeout=0.2) as store:
            started = time.monotonic()
            with pytest.raises(StoreError, match="lock") as info:
                store.record("s1", "ana")
            assert time.monotonic() - started >= 0.15
            assert str(path) in str(info.value)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with CodeStore(path) as store:
        assert store.decisions().empty


def test_closed_store_says_so(tmp_path):
    store = CodeStore(tmp_path / "codes.sqlite")
    store.close()
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.current_codes()


# --- durability and concurrency with real processes -----------------------------------------
WRITER = """
import json, sys, time
from pathlib import Path
from urllib.parse import quote
from workbench.store import CodeStore
path, coder, count, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
print("ready", flush=True)
while go != "-" and not Path(go).exists():
    time.sleep(0.005)
store = CodeStore(path)
i = 0
while count < 0 or i < count:
    decision = store.record(f"seg{i}", coder, stage=f"stage{i}", touchpoints=[f"tp{i}", "web"],
                            memo=f"memo {i} ünïcode", pain_point=i % 2 == 0)
    print(json.dumps([decision, i]), flush=True)
    i += 1
"""


def _writer(path: Path, coder: str, count: int, go: str = "-") -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), coder, str(count), go],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )


def _assert_intact(store: CodeStore, coder: str, acks: list[tuple[int, int]]) -> None:
    log = store.decisions(coder).set_index(DECISION_ID)
    for decision, i in acks:
        assert decision in log.index, f"acknowledged decision {decision} lost"
        row = log.loc[decision]
        assert (row[SEGMENT_ID], row[STAGE], row[MEMO]) == (
            f"seg{i}",
            f"stage{i}",
            f"memo {i} ünïcode",
        )
        assert row[TOUCHPOINTS] == [f"tp{i}", "web"]
        assert bool(row[PAIN_POINT]) == (i % 2 == 0)


def test_acknowledged_decisions_survive_kill_9(tmp_path):
    path = tmp_path / "codes.sqlite"
    writer = _writer(path, "ana", -1)  # records until killed
    assert writer.stdout.readline().strip() == "ready"
    acks = []
    while len(acks) < 200:
        line = writer.stdout.readline()
        assert line, "the writer died before being killed"
        acks.append(tuple(json.loads(line)))
    writer.send_signal(signal.SIGKILL)
    acks += [tuple(json.loads(line)) for line in writer.stdout.read().splitlines() if line]
    assert writer.wait(timeout=10) == -signal.SIGKILL
    with CodeStore(path) as store:
        _assert_intact(store, "ana", acks)
        assert len(store.decisions()) >= len(acks)
        assert store.current_code(f"seg{acks[-1][1]}", "ana")[STAGE] == f"stage{acks[-1][1]}"


def test_two_writers_at_once_lose_nothing(tmp_path):
    path = tmp_path / "fresh" / "codes.sqlite"  # both processes create it at the same moment
    go = tmp_path / "go"
    writers = {coder: _writer(path, coder, 300, str(go)) for coder in ("ana", "ben")}
    for writer in writers.values():
        assert writer.stdout.readline().strip() == "ready"
    go.touch()
    acks = {}
    for coder, writer in writers.items():
        out, _ = writer.communicate(timeout=120)
        assert writer.returncode == 0
        acks[coder] = [tuple(json.loads(line)) for line in out.splitlines()]
    with CodeStore(path) as store:
        log = store.decisions()
        assert len(log) == 600
        for coder in writers:
            assert len(acks[coder]) == 300
            _assert_intact(store, coder, acks[coder])


@pytest.mark.slow
def test_queries_return_the_right_rows_on_a_store_with_100k_decisions(tmp_path):
    """Decision ``i`` is coder ``i % 5`` giving segment ``i % 40,000`` the stage ``s{i}``;
    then coder0 recodes seg0..seg20. (How fast: ``benchmarks/store.py``.)"""
    from workbench.store import _INSERT

    now = datetime.now(UTC).isoformat(timespec="microseconds")
    rows = [
        (f"seg{i % 40_000}", f"coder{i % 5}", f"s{i}", '["web"]', None, None, 1, None, "",
         "code", now, None, None, None, None)
        for i in range(100_000)
    ]  # fmt: skip
    with CodeStore(tmp_path / "codes.sqlite") as store:
        with store._write("bulk") as db:
            db.executemany(_INSERT, rows)
        for i in range(21):
            store.record(f"seg{i}", "coder0", stage="new")
        latest = {(f"seg{i % 40_000}", f"coder{i % 5}"): f"s{i}" for i in range(100_000)}
        latest |= {(f"seg{i}", "coder0"): "new" for i in range(21)}
        current = store.current_codes()
        assert len(current) == len(latest) == 40_016
        assert current.set_index([SEGMENT_ID, CODER])[STAGE].to_dict() == latest
        assert current[SEGMENT_ID].tolist() == sorted(current[SEGMENT_ID])
        mine = store.current_codes("coder1")
        assert len(mine) == 8_000 and set(mine[CODER]) == {"coder1"}
        assert mine.set_index(SEGMENT_ID)[STAGE]["seg39996"] == "s79996"
        bulk, recoded = store.current_code("seg7", "coder2"), store.current_code("seg7", "coder0")
        assert (bulk[STAGE], bulk[TOUCHPOINTS], bulk[PAIN_POINT]) == ("s80007", ["web"], True)
        assert (recoded[STAGE], recoded[TOUCHPOINTS]) == ("new", [])
        assert store.current_code("seg7", "coder1") is None
        assert store.overlap("coder0", "coder1") == ["seg1", "seg11", "seg16", "seg6"]
        log = store.decisions()
        assert len(log) == 100_021 and log[DECISION_ID].is_monotonic_increasing
        assert len(store.decisions("coder0")) == 20_021


def test_switching_to_wal_waits_for_another_opener():
    """A new store opened by two processes: the journal-mode switch can fail as "locked"
    without SQLite's busy handler; it is retried until the timeout, other errors are not."""
    from workbench.store import _use_wal

    class Connection:
        def __init__(self, failures, message="database is locked"):
            self.failures, self.message, self.calls = failures, message, 0

        def execute(self, sql):
            self.calls += 1
            if self.calls <= self.failures:
                raise sqlite3.OperationalError(self.message)
            return self

        def fetchone(self):
            return ("wal",)

    busy = Connection(3)
    _use_wal(busy, timeout=5.0)
    assert busy.calls == 4
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        _use_wal(Connection(10**6), timeout=0.05)
    other = Connection(1, "disk I/O error")
    with pytest.raises(sqlite3.OperationalError, match="disk"):
        _use_wal(other, timeout=5.0)
    assert other.calls == 1

"""Benchmark: the human-code store with 100,000 decisions: one new decision, and the queries.

Run on demand::

    .venv/bin/python benchmarks/store.py [--decisions 100000] [--segments 40000] [--coders 5]
        [--records 21] [--repeat 5]

Fills a fresh store (in a temporary folder) with ``--decisions`` decisions over ``--segments``
segments and ``--coders`` coders in one bulk transaction, then prints, each with its target:

* :meth:`~workbench.store.CodeStore.record`: the median wall time of ``--records`` single
  decisions, each its own committed transaction with ``synchronous = FULL`` (so it includes the
  fsync of the WAL; slow disks show here). Target: < 50 ms.
* :meth:`~workbench.store.CodeStore.current_codes`: the median CPU time of the undo-aware current
  code per (segment, coder) over ``--repeat`` runs (CPU time, so a busy machine does not count).
  Target: < 1 s.
* :meth:`~workbench.store.CodeStore.decisions`, :meth:`~workbench.store.CodeStore.overlap` and
  :meth:`~workbench.store.CodeStore.current_code`: median wall times, for reference.

The rows the queries return are checked by ``tests/test_store.py`` on the same kind of store.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from workbench.store import _INSERT, CodeStore


def fill(store: CodeStore, decisions: int, segments: int, coders: int) -> None:
    """Append ``decisions`` code decisions in one transaction: decision ``i`` is coder
    ``i % coders`` giving segment ``i % segments`` the stage ``s{i}`` and touchpoint ``web``."""
    now = datetime.now(UTC).isoformat(timespec="microseconds")
    rows = [
        (
            f"seg{i % segments}", f"coder{i % coders}", f"s{i}", '["web"]', None, None, 1, None,
            "", "code", now, None, None, None, None,
        )
        for i in range(decisions)
    ]  # fmt: skip
    with store._write("bulk") as db:
        db.executemany(_INSERT, rows)


def timed(call: Callable[[], Any], repeat: int, clock: Callable[[], float]) -> list[float]:
    """Seconds ``call`` takes by ``clock``, ``repeat`` times."""
    times = []
    for _ in range(repeat):
        started = clock()
        call()
        times.append(clock() - started)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=100_000)
    parser.add_argument("--segments", type=int, default=40_000)
    parser.add_argument("--coders", type=int, default=5)
    parser.add_argument("--records", type=int, default=21)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder, CodeStore(Path(folder) / "codes.sqlite") as store:
        started = time.perf_counter()
        fill(store, args.decisions, args.segments, args.coders)
        print(
            f"filled {args.decisions:,} decisions ({args.segments:,} segments, {args.coders} "
            f"coders) in {time.perf_counter() - started:.2f} s"
        )
        latencies = []
        for i in range(args.records):
            started = time.perf_counter()
            store.record(f"seg{i}", "coder0", stage="new")
            latencies.append(time.perf_counter() - started)
        median = statistics.median(latencies)
        print(
            f"record(): median {median * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms over "
            f"{args.records} decisions (target < 50 ms)",
            "OK" if median < 0.050 else "MISSED",
        )
        rows = len(store.current_codes())
        cpu = statistics.median(timed(store.current_codes, args.repeat, time.process_time))
        wall = statistics.median(timed(store.current_codes, args.repeat, time.perf_counter))
        print(
            f"current_codes(): {rows:,} rows, median CPU {cpu:.3f} s, wall {wall:.3f} s "
            "(target: CPU < 1 s)",
            "OK" if cpu < 1.0 else "MISSED",
        )
        queries: dict[str, Callable[[], Any]] = {
            "current_codes(coder)": lambda: store.current_codes("coder1"),
            "decisions()": store.decisions,
            "overlap(a, b)": lambda: store.overlap("coder0", "coder1"),
            "current_code(segment, coder)": lambda: store.current_code("seg7", "coder2"),
        }
        for name, query in queries.items():
            times = timed(query, args.repeat, time.perf_counter)
            print(f"{name}: median {statistics.median(times) * 1000:.2f} ms (wall)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

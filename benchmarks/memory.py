"""Peak memory of a process tree (this process and its workers), sampled while work runs."""

from __future__ import annotations

import threading

import psutil


class PeakRSS:
    """Context manager: ``peak_mb`` is the largest summed RSS of this process and its children.

    Sampled every ``interval`` seconds, so it is the real concurrent peak, not a sum of
    per-process peaks reached at different times.
    """

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.peak_mb = 0.0
        self._stop = threading.Event()

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for process in [me, *me.children(recursive=True)]:
                try:
                    total += process.memory_info().rss
                except psutil.Error:
                    continue
            self.peak_mb = max(self.peak_mb, total / 2**20)
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakRSS:
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

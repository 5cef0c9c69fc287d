"""Offline, proven: nothing tries the network while coders, VADER, the codebook and charts work.

The work runs in a fresh interpreter whose sockets are guarded before anything is imported, so
imports and first loads (the VADER lexicon, the codebook, vl-convert's renderer) count, and no
cache filled by an earlier test hides one. The guard refuses every connection and host lookup
with an ``OSError``, as a machine without network would, and records it: an attempt fails the
test even where the code that made it handles the error and goes on (nltk's downloader does).
It watches Python's sockets; a native library opening its own would go unseen.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
PROBE_HOST = "nltk-probe.invalid"  # RFC 2606: never resolves


class NetworkAttempt(ConnectionRefusedError):
    """Something tried to open a network connection or look up a host name."""


@contextmanager
def no_network() -> Iterator[list[str]]:
    """Make every socket connection and host lookup raise :class:`NetworkAttempt`.

    Yields
    ------
    list of str
        Each attempt, described (host and port), in order.
    """
    attempts: list[str] = []

    def refuse(what: str) -> Callable[..., Any]:
        def blocked(*args: Any, **kwargs: Any) -> Any:
            target = args[1:] if what.startswith("socket.socket") else args
            attempts.append(f"{what}{target!r}")
            raise NetworkAttempt(f"network access attempted: {what}{target!r}")

        return blocked

    patched = {
        (socket.socket, "connect"): refuse("socket.socket.connect"),
        (socket.socket, "connect_ex"): refuse("socket.socket.connect_ex"),
        (socket, "create_connection"): refuse("socket.create_connection"),
        (socket, "getaddrinfo"): refuse("socket.getaddrinfo"),
        (socket, "gethostbyname"): refuse("socket.gethostbyname"),
        (socket, "gethostbyname_ex"): refuse("socket.gethostbyname_ex"),
    }
    saved = {key: getattr(*key) for key in patched}
    for (owner, name), replacement in patched.items():
        setattr(owner, name, replacement)
    try:
        yield attempts
    finally:
        for (owner, name), original in saved.items():
            setattr(owner, name, original)


def guarded_run(folder: str, probe: str = "") -> None:
    """Train, save, load and use a coder, score with VADER and render a chart, guarded.

    Run in a fresh interpreter (see :func:`run`); prints a JSON report as its last line.
    ``probe="nltk-download"`` makes nltk try a download inside the guard, from a host under
    ``.invalid`` (a name that never resolves: nltk refuses loopback addresses itself).
    """
    report: dict[str, Any] = {}
    with no_network() as attempts:
        try:
            _work(Path(folder), report, probe)
        except Exception as exc:  # reported, with the attempts
            report["error"] = f"{type(exc).__name__}: {exc}"
    report["attempts"] = attempts
    print(json.dumps(report))


def _work(folder: Path, report: dict[str, Any], probe: str) -> None:
    if probe == "nltk-download":
        from nltk.downloader import Downloader

        downloader = Downloader(server_index_url=f"http://{PROBE_HOST}/index.xml")
        report["downloaded"] = downloader.download("vader_lexicon", quiet=True)
        return
    import numpy as np

    from tests import chart_frames
    from tests.tag.test_models import corpus
    from workbench import charts
    from workbench.chart_export import save_chart
    from workbench.codebook import builtin_codebook
    from workbench.tag import models, persistence
    from workbench.tag.sentiment import VaderScorer

    codebook = builtin_codebook()
    texts, labels = corpus(10)
    stage = models.fit_model("stage", texts, labels, codebook_hash=codebook.hash, cv=3, C=1.0)
    polarity = ["positive" if i % 2 else "negative" for i in range(len(texts))]
    frame = models.sentiment_features(texts)  # VADER's scores as features
    sentiment = models.fit_model("sentiment", frame, polarity, codebook_hash=codebook.hash, cv=3)
    for trained, X in ((stage, texts), (sentiment, frame)):
        path = persistence.save_model(folder / f"{trained.kind}.skops", trained)
        loaded = persistence.load_model(path, codebook_hash=codebook.hash)
        report[trained.kind] = bool(
            np.array_equal(loaded.predict_proba(X), trained.predict_proba(X))
        )
    report["vader"] = VaderScorer().polarity_scores("The new app is GREAT!")["compound"]
    chart = charts.emotion_curve(
        chart_frames.stages_frame(),
        chart_frames.evidence_frame(),
        codebook=codebook,
        persona="remote-worker",
    )
    svg = save_chart(chart, folder / "curve.svg")["svg"]
    report["svg"] = svg.read_text(encoding="utf-8").lstrip().startswith("<svg")


def run(folder: Path, probe: str = "") -> dict[str, Any]:
    """:func:`guarded_run` in a fresh interpreter; its report."""
    code = (
        f"from tests.tag.test_offline import guarded_run; guarded_run({str(folder)!r}, {probe!r})"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_coders_vader_codebook_and_charts_never_touch_the_network(tmp_path):
    report = run(tmp_path)
    assert report.pop("attempts") == []  # each attempt is named: what, host and port
    assert report == {"stage": True, "sentiment": True, "vader": 0.729, "svg": True}


@pytest.mark.slow
def test_the_guard_catches_an_attempt_even_when_it_is_handled(tmp_path):
    """nltk's downloader handles the refusal (it returns False, raising nothing): the attempts
    are reported all the same."""
    report = run(tmp_path, "nltk-download")
    assert report["downloaded"] is False and "error" not in report
    assert report["attempts"] and all(PROBE_HOST in a for a in report["attempts"])


def test_the_guard_refuses_a_plain_urlopen_and_then_steps_aside():
    import urllib.error
    import urllib.request

    originals = socket.create_connection, socket.getaddrinfo, socket.socket.connect
    with no_network() as attempts, pytest.raises(urllib.error.URLError, match="network access"):
        urllib.request.urlopen("http://127.0.0.1:9/", timeout=1)
    assert attempts == ["socket.create_connection(('127.0.0.1', 9), 1, None)"]
    with no_network() as attempts, pytest.raises(NetworkAttempt):
        socket.getaddrinfo("localhost", 80)
    assert attempts == ["socket.getaddrinfo('localhost', 80)"]
    assert (socket.create_connection, socket.getaddrinfo, socket.socket.connect) == originals

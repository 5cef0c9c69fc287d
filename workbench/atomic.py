"""Atomic writes of derived files: an interrupted run leaves the previous outputs intact.

Each output is first written in full to a temporary file in the target folder, flushed and
synced; only when every output of a step is written are they moved into place with
``os.replace`` (atomic on POSIX and Windows within one file system).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.errors import StoreError

_UMASK = os.umask(0)
os.umask(_UMASK)


def _temp_beside(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    os.chmod(name, 0o666 & ~_UMASK)  # mkstemp makes 0600; published files get the usual mode
    return Path(name)


def _sync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


class AtomicBatch:
    """Stage several outputs, then publish them together.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with AtomicBatch() as batch:
    ...     batch.write_text(folder / "a.txt", "hello")
    >>> (folder / "a.txt").read_text()
    'hello'
    """

    def __init__(self) -> None:
        self._staged: list[tuple[Path, Path]] = []

    def stage(self, path: Path, writer: Callable[[Path], Any]) -> None:
        """Write ``path``'s new content to a temporary file with ``writer(tmp_path)``."""
        path = Path(path)
        tmp = _temp_beside(path)
        try:
            writer(tmp)
            _sync(tmp)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        self._staged.append((tmp, path))

    def write_parquet(self, path: Path, frame: pd.DataFrame) -> None:
        self.stage(path, lambda tmp: frame.to_parquet(tmp, index=False))

    def write_text(self, path: Path, text: str) -> None:
        self.stage(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))

    def write_json(self, path: Path, data: Any) -> None:
        self.write_text(path, json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")

    def commit(self) -> list[Path]:
        """Move every staged file into place; return the final paths."""
        done = []
        for tmp, path in self._staged:
            os.replace(tmp, path)
            done.append(path)
        self._staged.clear()
        return done

    def discard(self) -> None:
        """Delete every staged temporary file."""
        for tmp, _ in self._staged:
            tmp.unlink(missing_ok=True)
        self._staged.clear()

    def __enter__(self) -> AtomicBatch:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.discard()


def read_json(path: Path, *, what: str) -> Any:
    """Content of a small JSON file the workbench keeps, or ``None`` when it does not exist yet.

    Raises :class:`~workbench.errors.StoreError` naming the line and column of invalid JSON.
    """
    path = Path(path)
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise StoreError(
            f"{path}, line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg}); "
            f"expected the {what} written by the workbench"
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise StoreError(f"{path}: cannot read ({exc})") from exc


def write_parquet_atomic(frame: pd.DataFrame, path: Path) -> Path:
    """Write one Parquet file atomically."""
    with AtomicBatch() as batch:
        batch.write_parquet(Path(path), frame)
    return Path(path)


def write_text_atomic(text: str, path: Path) -> Path:
    """Write one text file atomically."""
    with AtomicBatch() as batch:
        batch.write_text(Path(path), text)
    return Path(path)

"""Shared fixtures: where the repository and ``../shared/data`` are."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root (the bundled sample study lives here)."""
    return REPO


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` beside the repository; skip the test when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"../shared/data is absent (looked in {SHARED_DATA}); real-data test skipped")
    return SHARED_DATA

"""environment.yml and pyproject.toml name the same dependencies with the same lower bounds."""

from __future__ import annotations

import re
import tomllib

import yaml

from tests.conftest import REPO

_SPEC = re.compile(r"^\s*([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*(.*)$")


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pyproject_requirements() -> dict[str, str]:
    data = tomllib.loads((REPO / "pyproject.toml").read_text())
    project = data["project"]
    specs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        specs += extra
    found: dict[str, str] = {}
    for spec in specs:
        name, extras, version = _SPEC.match(spec).groups()
        found[_normalise(name)] = version.replace(" ", "")
        # conda-forge packages the extras of dask as separate packages
        for extra in (extras or "[]")[1:-1].split(","):
            if extra.strip():
                found[_normalise(extra)] = version.replace(" ", "")
    return found


def _environment_requirements() -> dict[str, str]:
    data = yaml.safe_load((REPO / "environment.yml").read_text())
    found: dict[str, str] = {}
    for item in data["dependencies"]:
        if isinstance(item, str):
            name, _, version = _SPEC.match(item).groups()
            if _normalise(name) not in ("python", "pip"):
                found[_normalise(name)] = version.replace(" ", "")
    return found


def test_environment_yml_matches_pyproject():
    assert _environment_requirements() == _pyproject_requirements()


def test_environment_installs_the_package_itself():
    data = yaml.safe_load((REPO / "environment.yml").read_text())
    pip_sections = [item["pip"] for item in data["dependencies"] if isinstance(item, dict)]
    assert ["-e ."] in pip_sections
    assert data["channels"] == ["conda-forge"]


def test_every_lower_bound_is_pinned():
    for name, version in _pyproject_requirements().items():
        assert version.startswith(">="), f"{name} has no lower bound in pyproject.toml"

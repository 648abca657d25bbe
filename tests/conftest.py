"""Shared fixtures: the project, its library, and profiles built inline with overrides."""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest
import yaml

from generator.load import Project
from generator.profile import Profile, Provider
from generator.select import select

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"

BASE_PROFILE = {
    "id": "test-client",
    "client": {"name": "Testi Oy"},
    "industry": "47.19",
    "employees": 25,
    "contract_scope": "preventive_only",
    "language": "fi",
}


@pytest.fixture(scope="session")
def project() -> Project:
    return Project(ROOT)


@pytest.fixture(scope="session")
def library(project):
    return project.load_library()


def make_profile(**overrides) -> Profile:
    data = {**BASE_PROFILE, **overrides}
    return Profile.model_validate(data)


@pytest.fixture
def plan_for(library):
    """Build a Plan for a profile given as overrides of a base profile."""
    def _plan(provider: Provider | None = None, **overrides):
        return select(make_profile(**overrides), library, provider)
    return _plan


def write_yaml(path: Path, data) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def check_golden(name: str, actual: str) -> None:
    """Compare text with tests/golden/<name>; UPDATE_GOLDEN=1 rewrites it. Shows a unified diff on mismatch."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"missing golden file {path}; run: make golden"
    expected = path.read_text(encoding="utf-8")
    if expected != actual:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                            f"golden/{name}", "actual", n=2))
        pytest.fail(f"output differs from golden/{name} (refresh with `make golden` if intended):\n{diff[:6000]}")

"""The gate to python-docx's internals (generator/render/docx/compat.py): without them the plan is the same
document, and nothing crashes when one is gone."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from generator.build.check import check_docx
from generator.inputs.load import Project, load_all
from generator.render.docx import compat, render_docx
from generator.select import select
from tests.conftest import ROOT, SAMPLE_EPOCH

SAMPLES = ("hoivakoti-aurinko", "butiken-vasa", "nordic-code-labs")


def _plan(pid: str):
    project = Project(ROOT)
    library, loaded = load_all([ROOT / "profiles" / f"{pid}.yaml"], project)
    lp = loaded[0]
    return select(lp.profile, library, lp.provider, lp.profile.provider, ROOT)


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def _relationships(xml: bytes) -> list[bytes]:
    """The package's relationships, each as written, in name order: the same set whatever order they are in."""
    return sorted(re.findall(rb"<Relationship [^>]*/>", xml))


@pytest.fixture
def gate(monkeypatch):
    monkeypatch.setattr(compat, "_OFF", [])
    monkeypatch.setenv("SOURCE_DATE_EPOCH", SAMPLE_EPOCH)
    return compat


def test_the_internals_are_used_on_a_checked_version(gate):
    if compat.version() not in compat.CHECKED:
        pytest.skip(f"python-docx {compat.version()} is not a checked version")
    assert compat.speedups()


@pytest.mark.slow
@pytest.mark.parametrize("how", ["switched off", "unchecked version", "missing internal"])
def test_without_the_internals_the_plan_is_the_same_document(built_samples, gate, monkeypatch, tmp_path, how):
    """Every part is the same bytes as the build wrote (the package collected or saved, the styles set up or
    reused); only the package's relationship list may name its parts in another order, because python-docx
    lists a replaced part last. The plan still reopens and passes openxml-audit."""
    if how == "switched off":
        monkeypatch.setenv(compat.ENV, "off")
    elif how == "unchecked version":
        monkeypatch.setattr(compat, "CHECKED", ())
    else:  # python-docx's own save() needs the same steps, so their absence is simulated where they are used
        def moved(document):
            raise AttributeError("type object 'PackageWriter' has no attribute '_write_parts'")
        monkeypatch.setattr(compat, "_collected", moved)
    for pid in SAMPLES:
        data = render_docx(_plan(pid), ROOT / "templates", ROOT)
        built = (built_samples / pid / "action-plan.docx").read_bytes()
        ours, theirs = _members(data), _members(built)
        assert sorted(ours) == sorted(theirs)
        for name in ours:
            if name == "_rels/.rels":
                assert _relationships(ours[name]) == _relationships(theirs[name])
            else:
                assert ours[name] == theirs[name], (pid, name)
        (tmp_path / f"{pid}.docx").write_bytes(data)
        assert check_docx(tmp_path / f"{pid}.docx") == []
    assert not compat.speedups()
    if how == "missing internal":
        assert "_write_parts" in compat.why_off()

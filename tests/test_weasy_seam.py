"""The one gate to WeasyPrint's internals (generator/render/weasy/compat.py): with the speed-ups off, on a version
they were not checked against, or with an internal gone, the PDFs are the same bytes and nothing crashes."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from generator.render.weasy import compat
from tests.conftest import ROOT, SAMPLE_EPOCH

SAMPLES = ("hoivakoti-aurinko", "skolan-i-strandby", "nordic-code-labs")
pytestmark = pytest.mark.skipif(not compat.speedups(), reason=f"the speed-ups are off here: {compat.why_off()}")


@pytest.mark.slow
def test_every_sample_is_the_same_bytes_with_the_speedups_off(built_samples, tmp_path):
    """A build with TOOLKIT_WEASYPRINT_INTERNALS=off takes WeasyPrint's public way for everything (fresh fonts
    per render, no memories, no kept sheets, its own parser and stylesheet) and writes the same PDFs."""
    out = tmp_path / "out"
    env = {**os.environ, "SOURCE_DATE_EPOCH": SAMPLE_EPOCH, compat.ENV: "off"}
    subprocess.run([sys.executable, "-m", "generator", "build", "--root", str(ROOT), str(ROOT / "profiles"), "-o",
                    str(out), "-j", "2", "-q"], check=True, env=env, cwd=ROOT)
    pdfs = sorted(p.relative_to(built_samples) for p in built_samples.glob("*/*.pdf"))
    assert len(pdfs) == 2 * len(list((ROOT / "profiles").glob("*.yaml")))
    for rel in pdfs:
        assert (out / rel).read_bytes() == (built_samples / rel).read_bytes(), rel
    assert not (out / ".toolkit-pathway-steps.json").exists()  # no engine versions known: nothing kept


MISSING = """
import importlib, sys
from pathlib import Path
module, name = sys.argv[4].rsplit(".", 1)
delattr(importlib.import_module(module), name)
from generator.inputs.load import Project, load_all
from generator.select import select
from generator.render.checklists import render_checklists
from generator.render.pathway import render_pathway
from generator.render.weasy import compat
root = Path(sys.argv[1])
project = Project(root)
for pid in sys.argv[2].split(","):
    library, loaded = load_all([root / "profiles" / (pid + ".yaml")], project)
    lp = loaded[0]
    plan = select(lp.profile, library, lp.provider, lp.profile.provider, root)
    Path(sys.argv[3], pid + "-checklists.pdf").write_bytes(render_checklists(plan, root / "templates"))
    Path(sys.argv[3], pid + "-care-pathway.pdf").write_bytes(render_pathway(plan, root / "templates"))
print(compat.why_off())
"""


@pytest.mark.slow
@pytest.mark.parametrize("missing", ["weasyprint.html.UA", "weasyprint.text.line_break.split_first_line"])
def test_a_missing_internal_turns_the_speedups_off_with_the_same_bytes(built_samples, tmp_path, missing):
    """An internal a speed-up needs is gone (as after an upgrade; here deleted in a fresh process before the
    first render): the speed-ups turn off, nothing crashes, the PDFs are those the build wrote, and the reason
    names the internal."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": SAMPLE_EPOCH}
    env.pop(compat.ENV, None)
    res = subprocess.run([sys.executable, "-c", MISSING, str(ROOT), ",".join(SAMPLES), str(tmp_path), missing],
                         capture_output=True, text=True, env=env, cwd=ROOT)
    assert res.returncode == 0, res.stderr[-3000:]
    assert "internal is missing" in res.stdout and missing.rsplit(".", 1)[1] in res.stdout
    for pid in SAMPLES:
        for name in ("checklists.pdf", "care-pathway.pdf"):
            assert (tmp_path / f"{pid}-{name}").read_bytes() == (built_samples / pid / name).read_bytes(), pid


UNCHECKED = """
import sys
from pathlib import Path
from generator.render.weasy import compat
compat.CHECKED = ()
from generator.inputs.load import Project, load_all
from generator.select import select
from generator.render.checklists import render_checklists
from generator.render.pathway import render_pathway
from generator.render.weasy import draw_memo, fast, fonts, line_memo, sheet
root = Path(sys.argv[1])
def refuse(*args, **kwargs):
    raise AssertionError("an internal was reached into")
fast.parsed = fast.stylesheets = fast._make_ua_stylesheets = sheet.LaidOutSheet._find_name = refuse
project = Project(root)
library, loaded = load_all([root / "profiles" / (sys.argv[2] + ".yaml")], project)
lp = loaded[0]
plan = select(lp.profile, library, lp.provider, lp.profile.provider, root)
Path(sys.argv[3], "checklists.pdf").write_bytes(render_checklists(plan, root / "templates"))
Path(sys.argv[3], "care-pathway.pdf").write_bytes(render_pathway(plan, root / "templates"))
assert not line_memo._INSTALLED and not draw_memo._INSTALLED and not fonts._FONTS
assert compat.engine_versions() is None and compat.why_off().startswith("WeasyPrint ")
"""


@pytest.mark.slow
def test_an_unchecked_version_is_never_reached_into(built_samples, tmp_path):
    """With a WeasyPrint the speed-ups were not checked against, no speed-up runs (each would raise here), no
    memory is installed, no font configuration is shared, and the PDFs are still those the build wrote."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": SAMPLE_EPOCH}
    env.pop(compat.ENV, None)
    pid = "skolan-i-strandby"
    subprocess.run([sys.executable, "-c", UNCHECKED, str(ROOT), pid, str(tmp_path)], check=True, env=env, cwd=ROOT)
    for name in ("checklists.pdf", "care-pathway.pdf"):
        assert (tmp_path / name).read_bytes() == (built_samples / pid / name).read_bytes()


def test_the_gate_reads_the_version_without_importing_weasyprint():
    """The version comes from the package metadata: asking the gate imports nothing of WeasyPrint."""
    code = ("import sys; from generator.render.weasy import compat; compat.why_off(); "
            "assert not [m for m in sys.modules if m.split('.')[0] == 'weasyprint'], 'imported'")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    assert compat.version() in compat.CHECKED


def test_the_switch_turns_every_speedup_off(monkeypatch):
    monkeypatch.setattr(compat, "_OFF", [])
    monkeypatch.setenv(compat.ENV, "off")
    assert not compat.speedups() and compat.why_off() == f"{compat.ENV}=off"
    monkeypatch.delenv(compat.ENV)
    assert compat.speedups()

"""Rebuilds after a small change: what a build keeps for the next one, and a single toolkit on several cores."""

from __future__ import annotations

import json
import os

import pytest

import generator.render as R
import generator.render.checklists as C
import generator.render.pathway as P
from generator.build import Options, build_all
from generator.errors import RenderError
from generator.inputs.load import load_all
from generator.render.pathway_steps import KEPT_FILE as STEPS
from tests.conftest import copy_checkout

pytestmark = pytest.mark.slow  # builds twice to see what a rebuild redoes

PROFILES = ("hoivakoti-aurinko", "skolan-i-strandby")


@pytest.fixture
def proj(tmp_path):
    return copy_checkout(tmp_path / "proj", PROFILES)


def build(proj, out, jobs=1, paths=None):
    library, loaded = load_all(paths or [proj.root / "profiles"], proj)
    summary = build_all(loaded, proj, library, out, jobs, Options())
    assert summary.count("failed") == 0, [r.error for r in summary.results]
    return summary


def rename(proj, pid, name):
    path = proj.root / "profiles" / f"{pid}.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("name: ") + len("name: ")
    path.write_text(text[:start] + name + text[text.index("\n", start):], encoding="utf-8")


def count_layouts(monkeypatch) -> list:
    calls: list = []
    real = P.layout
    monkeypatch.setattr(P, "layout", lambda *a, **k: calls.append(a[2]) or real(*a, **k))
    return calls


def test_a_rebuild_takes_the_care_pathway_step_an_earlier_build_proved(proj, tmp_path, monkeypatch):
    """The output folder keeps the proven steps: a client changed after the build gets its sheet laid out
    once, in a new process as in this one, with the bytes a build from nothing gives it."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    out = tmp_path / "out"
    build(proj, out, jobs=2)
    kept = json.loads((out / STEPS).read_text(encoding="utf-8"))
    assert len(kept["steps"]) >= 2 and set(kept) == {"key", "steps"}
    rename(proj, "hoivakoti-aurinko", "Hoivakoti Aurinko Oy, Tampere")
    P._HINTS.clear()  # as in a new process: nothing of the first build is in memory
    calls = count_layouts(monkeypatch)
    summary = build(proj, out)
    assert summary.count("built") == 1
    assert calls == ["care-pathway.pdf"]  # one layout, at the kept step; a search takes two or more
    fresh = tmp_path / "fresh"
    build(proj, fresh)
    for name in ("care-pathway.pdf", "checklists.pdf", "action-plan.docx"):
        assert (out / "hoivakoti-aurinko" / name).read_bytes() == (fresh / "hoivakoti-aurinko" / name).read_bytes()
    assert (out / STEPS).read_bytes() == (fresh / STEPS).read_bytes()  # the same steps, written alike


def test_kept_steps_of_other_templates_are_not_used(tmp_path, monkeypatch):
    """A step kept for other templates (or another WeasyPrint or Pango) proves nothing: after a change to the
    CSS the sheet is searched for again, and the file is rewritten for the new templates."""
    proj = copy_checkout(tmp_path / "proj", PROFILES, editable=("templates",))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    out = tmp_path / "out"
    paths = [proj.root / "profiles" / "hoivakoti-aurinko.yaml"]
    build(proj, out, paths=paths)
    before = json.loads((out / STEPS).read_text(encoding="utf-8"))
    css = proj.root / "templates" / "care-pathway.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n/* edited */\n", encoding="utf-8")
    P._HINTS.clear()
    calls = count_layouts(monkeypatch)
    build(proj, out, paths=paths)
    assert calls.count("care-pathway.pdf") >= 2  # a search: the step is proven again (it fits, the one before not)
    after = json.loads((out / STEPS).read_text(encoding="utf-8"))
    assert after["key"] != before["key"] and after["steps"] == before["steps"]


def test_a_damaged_steps_file_only_costs_a_search(proj, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    paths = [proj.root / "profiles" / "skolan-i-strandby.yaml"]
    fresh = tmp_path / "fresh"
    build(proj, fresh, paths=paths)
    good = json.loads((fresh / STEPS).read_text(encoding="utf-8"))
    for i, junk in enumerate(["{", "[]", json.dumps({"key": good["key"], "steps": {s: 99 for s in good["steps"]}}),
                              json.dumps({"key": good["key"], "steps": {s: "3" for s in good["steps"]}})]):
        out = tmp_path / f"out{i}"
        out.mkdir()
        (out / STEPS).write_text(junk, encoding="utf-8")
        build(proj, out, paths=paths)
        assert (out / "skolan-i-strandby" / "care-pathway.pdf").read_bytes() == \
            (fresh / "skolan-i-strandby" / "care-pathway.pdf").read_bytes(), junk
        assert (out / STEPS).read_bytes() == (fresh / STEPS).read_bytes(), junk


def test_a_single_toolkit_on_two_cores_gives_the_same_bytes(proj, tmp_path, monkeypatch):
    """One toolkit with -j 2 renders its checklists in a forked process beside the rest: same files."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    paths = [proj.root / "profiles" / "hoivakoti-aurinko.yaml"]
    marker = tmp_path / "forked"
    real = R._render_aside

    def aside(*args):
        marker.write_text(str(os.getpid()))
        return real(*args)
    monkeypatch.setattr(R, "_render_aside", aside)
    build(proj, tmp_path / "two", jobs=2, paths=paths)
    assert int(marker.read_text()) != os.getpid()
    marker.unlink()
    build(proj, tmp_path / "one", jobs=1, paths=paths)
    assert not marker.exists()
    for name in ("care-pathway.pdf", "checklists.pdf", "action-plan.docx", "manifest.json"):
        assert (tmp_path / "two" / "hoivakoti-aurinko" / name).read_bytes() == \
            (tmp_path / "one" / "hoivakoti-aurinko" / name).read_bytes(), name


def test_a_failure_in_the_forked_render_is_reported_like_any_other(proj, tmp_path, monkeypatch):
    """The checklists failing in the forked process: the toolkit fails with the renderer's own message, the
    earlier toolkit stays, and the forked process is gone."""
    out = tmp_path / "out"
    paths = [proj.root / "profiles" / "hoivakoti-aurinko.yaml"]
    build(proj, out, paths=paths)
    before = (out / "hoivakoti-aurinko" / "checklists.pdf").read_bytes()
    rename(proj, "hoivakoti-aurinko", "Hoivakoti Aurinko Oy, Tampere")

    def broken(plan, **kw):
        raise RenderError("checklists.pdf: a broken template")
    monkeypatch.setattr(C, "render_checklists", broken)
    library, loaded = load_all(paths, proj)
    summary = build_all(loaded, proj, library, out, 2, Options())
    (res,) = summary.results
    assert res.status == "failed" and "checklists.pdf: a broken template" in res.error
    assert (out / "hoivakoti-aurinko" / "checklists.pdf").read_bytes() == before
    import multiprocessing
    assert multiprocessing.active_children() == []


def test_an_exception_that_cannot_travel_back_still_names_the_document(proj, monkeypatch):
    """An exception the forked process cannot pickle comes back as a RenderError naming the document."""
    class Unpicklable(Exception):
        def __reduce__(self):
            raise TypeError("no")

    def broken(plan, **kw):
        raise Unpicklable("odd")
    monkeypatch.setattr(C, "render_checklists", broken)
    library, loaded = load_all([proj.root / "profiles" / "skolan-i-strandby.yaml"], proj)
    from generator.select import select
    lp = loaded[0]
    plan = select(lp.profile, library, lp.provider, lp.profile.provider, proj.root)
    with pytest.raises(RenderError, match="checklists.pdf: Unpicklable: odd"):
        R.render_all(R.available_outputs(), plan, proj.templates_dir, proj.workspace, jobs=2)

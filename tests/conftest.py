"""Shared fixtures: the project, its library, and profiles built inline with overrides."""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml

from generator.inputs.load import Project
from generator.inputs.profile import Profile, Provider
from generator.render.weasy import compat as weasy_compat
from generator.select import select

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
SAMPLE_EPOCH = "1798761600"  # 2027-01-01: every shared build is reproducible
W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

BASE_PROFILE = {
    "id": "test-client",
    "client": {"name": "Testi Oy"},
    "industry": "47.19",
    "employees": 25,
    "contract_scope": "preventive_only",
    "language": "fi",
}


def copy_checkout(root: Path, profiles: tuple[str, ...], editable: tuple[str, ...] = ()) -> Project:
    """A checkout at root with the providers and the named sample profiles, for tests that change profiles.

    content/ and templates/ are links to this checkout's own, unless named in editable: a test that changes
    them gets a copy (copying both for every test cost more than the test; a link must never be written to).
    """
    import shutil

    root.mkdir(parents=True, exist_ok=True)
    for d in ("content", "templates"):
        if d in editable:
            shutil.copytree(ROOT / d, root / d)
        else:
            (root / d).symlink_to(ROOT / d, target_is_directory=True)
    shutil.copytree(ROOT / "profiles" / "providers", root / "profiles" / "providers")
    for name in profiles:
        shutil.copy(ROOT / "profiles" / f"{name}.yaml", root / "profiles" / f"{name}.yaml")
    return Project.checkout(root)


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


def once_per_run(tmp_path_factory, name: str, make) -> Path:
    """A folder made once per test run by make(folder), shared by every test process of the run (pytest-xdist
    workers wait on a lock for the first one to finish it). Only for folders that tests read, never write."""
    import fcntl

    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the folder all workers' temp folders are in
    folder, done = base / name, base / f"{name}.done"
    with open(base / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)  # a half-made one of an interrupted worker
            folder.mkdir()
            make(folder)
            done.touch()
    return folder


def build_samples(out: Path) -> None:
    """Every profile in profiles/ built into out, reproducibly."""
    from generator.build import build_all
    from generator.inputs.load import load_all

    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", SAMPLE_EPOCH)
    try:
        project = Project(ROOT)
        library, loaded = load_all([ROOT / "profiles"], project)
        summary = build_all(loaded, project, library, out, jobs=2)
    finally:
        mp.undo()
    failed = [r for r in summary.results if r.status != "built"]
    assert not failed, failed


@pytest.fixture(scope="session")
def built_samples(tmp_path_factory) -> Path:
    """Every profile in profiles/ built once per test run into a folder: OUT/<id>/... (read-only use)."""
    return once_per_run(tmp_path_factory, "samples", build_samples)


@pytest.fixture(scope="session")
def built_register(tmp_path_factory):
    """A register of seven clients and a bad row (as Finnish Excel saves a CSV) built once per run with its
    needs data file and a depfile: (register, data file, OUT, the CLI's exit code and output). Read-only use:
    a test that builds again copies OUT first."""
    import json
    from types import SimpleNamespace

    def make(folder: Path) -> None:
        from click.testing import CliRunner

        from generator.cli import main
        from tests.registers import BAD, HEADER, SEVEN, needs_rows, write_csv

        register = write_csv(folder / "asiakkaat.csv", [HEADER] + SEVEN + [BAD])
        data = write_csv(folder / "tarvetiedot.csv", needs_rows())
        result = CliRunner().invoke(main, ["build", "--root", str(ROOT), str(register), "--data", str(data), "-o",
                                           str(folder / "out"), "-j", "2", "--depfile", "--json"],
                                    env={"SOURCE_DATE_EPOCH": SAMPLE_EPOCH})
        (folder / "result.json").write_text(json.dumps(
            {"exit_code": result.exit_code, "stdout": result.stdout, "stderr": result.stderr,
             "output": result.output}), encoding="utf-8")

    folder = once_per_run(tmp_path_factory, "register", make)
    result = SimpleNamespace(**json.loads((folder / "result.json").read_text(encoding="utf-8")))
    return folder / "asiakkaat.csv", folder / "tarvetiedot.csv", folder / "out", result


LIBREOFFICE = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")


@pytest.fixture(scope="session")
def soffice(tmp_path_factory):
    """soffice(target, outdir, *files): convert files with LibreOffice headless, as a user's Writer would.

    One user profile serves the whole session (per test process): a fresh profile costs LibreOffice a cold
    start of several seconds on every call. Returns nothing; the exit status says nothing either (it is 0
    when loading fails), so callers check that the converted file exists.
    """
    profile = tmp_path_factory.mktemp("libreoffice-profile")

    def convert(target: str, outdir: Path, *files: Path, timeout: int = 300) -> None:
        outdir.mkdir(parents=True, exist_ok=True)
        subprocess.run(["soffice", "--headless", f"-env:UserInstallation={profile.as_uri()}", "--convert-to", target,
                        "--outdir", str(outdir), *map(str, files)], check=False, capture_output=True, timeout=timeout)
    return convert


# Tests of the speed-ups that reach into WeasyPrint: they run only where the speed-ups do (docs/upgrading.md)
SPEEDUPS = pytest.mark.skipif(not weasy_compat.speedups(), reason=f"the WeasyPrint speed-ups are off: "
                                                                   f"{weasy_compat.why_off()}")


@pytest.fixture(scope="module")
def rendered(built_samples):
    """Every sample profile's plan and PDFs, as the run's sample build wrote them: id -> (plan, checklists
    bytes, pathway bytes)."""
    from generator.inputs.load import load_all

    project = Project(ROOT)
    library, loaded = load_all(sorted((ROOT / "profiles").glob("*.yaml")), project)
    out = {}
    for lp in loaded:
        plan = select(lp.profile, library, lp.provider, lp.profile.provider, project.root)
        folder = built_samples / plan.client.id
        out[plan.client.id] = (plan, (folder / "checklists.pdf").read_bytes(),
                               (folder / "care-pathway.pdf").read_bytes())
    return out


def docx_text(path: Path) -> str:
    """Every paragraph of a .docx (body, headers, footers, inside content controls), one per line."""
    from lxml import etree

    lines = []
    with zipfile.ZipFile(path) as z:
        for name in sorted(z.namelist()):
            if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", name):
                root = etree.fromstring(z.read(name))
                for p in root.iter(f"{W_NS}p"):
                    lines.append("".join(t.text or "" for t in p.iter(f"{W_NS}t")))
    return "\n".join(lines)


def pdf_text(path: Path) -> str:
    """The text of a PDF as poppler's pdftotext reads it (a third-party reader, like a user's viewer)."""
    res = subprocess.run(["pdftotext", "-q", str(path), "-"], capture_output=True, text=True, check=True)
    return res.stdout


def output_texts(folder: Path) -> dict[str, str]:
    """file name -> text, for every .docx and .pdf of one built toolkit."""
    return {f.name: docx_text(f) if f.suffix == ".docx" else pdf_text(f)
            for f in sorted(folder.iterdir()) if f.suffix in (".docx", ".pdf")}


def squash(text: str) -> str:
    """Text with whitespace and hyphens removed: PDF line breaks split and re-join hyphenated words."""
    return re.sub(r"[\s\-\u00ad\u2010\u2011]+", "", text).casefold()


def pytest_terminal_summary(terminalreporter) -> None:
    """What the readability checks (tests/test_readable.py) looked at, so a CI log shows they ran and on what."""
    import sys
    layout = sys.modules.get("layout")
    judged = layout.JUDGED if layout else {}
    if not judged:
        return
    chars = sum(f.chars for f in judged.values())
    low_name, low = min(((name, f.lowest) for name, f in judged.items()), key=lambda x: x[1])
    extremes = sum(1 for name in judged if "extreme-" in name)
    terminalreporter.write_sep("-", "readability (WCAG 2.2 AA contrast, overprint)")
    terminalreporter.write_line(f"{len(judged)} PDFs ({extremes} of extreme profiles), {chars} characters: lowest "
                                f"contrast {low:.2f}:1 ({low_name}); "
                                f"{sum(len(f.low_contrast) for f in judged.values())} under AA, "
                                f"{sum(len(f.overprints) for f in judged.values())} overprints")


@pytest.fixture
def laid_out_html(monkeypatch) -> list[str]:
    """Every HTML document the PDF renderers lay out while the test runs, as WeasyPrint is given it."""
    from generator.render.weasy import fast

    seen: list[str] = []
    real = fast.parsed

    def recording(html, *args):
        seen.append(html)
        return real(html, *args)

    monkeypatch.setattr(fast, "parsed", recording)
    return seen


def assert_parsed_as_html_would_be(html: str) -> None:
    """The document is well-formed XML, so render/weasy/fast.parsed parses it with the XML parser, and that gives the
    tree WeasyPrint's HTML parser (tinyhtml5) builds from it: same elements, attributes in order, text, tails."""
    from xml.etree import ElementTree

    import tinyhtml5

    def tree(e):
        return e.tag, list(e.attrib.items()), e.text or "", e.tail or "", [tree(c) for c in e]

    assert tree(ElementTree.fromstring(html)) == tree(tinyhtml5.parse(html, namespace_html_elements=False))

"""Batch builds: keep going, incremental rebuilds, reproducible bytes, shards, atomic output."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.build import Options, build_all
from generator.build.shard import in_shard
from generator.cli import main
from generator.inputs.load import Project, load_all
from tests.conftest import ROOT, copy_checkout, write_yaml

pytestmark = pytest.mark.slow  # each test builds toolkits, several in worker processes

# Three samples (fi, en, sv; two of them 50+) are enough for what these tests check, and each build of all
# eight costs a minute of the test run.
PROJ_PROFILES = ("hoivakoti-aurinko", "nordic-code-labs", "skolan-i-strandby")
N = len(PROJ_PROFILES)


@pytest.fixture
def proj(tmp_path):
    """A copy of the checkout (library, templates and three profiles) so tests can change content and profiles."""
    return copy_checkout(tmp_path / "proj", PROJ_PROFILES)


def build(proj, out, **kw):
    library, loaded = load_all([proj.root / "profiles"], proj)
    return build_all(loaded, proj, library, out, kw.pop("jobs", 1), Options(**kw))


def test_keep_going_past_a_failing_toolkit(proj, tmp_path, monkeypatch):
    import generator.build.toolkit as b
    real = b.select

    def failing(profile, *a, **k):
        if profile.id == "skolan-i-strandby":
            raise RuntimeError("boom")
        return real(profile, *a, **k)
    monkeypatch.setattr(b, "select", failing)
    summary = build(proj, tmp_path / "out")
    failed = [r for r in summary.results if r.status == "failed"]
    assert [r.id for r in failed] == ["skolan-i-strandby"]
    assert "boom" in failed[0].error and "profiles/skolan-i-strandby.yaml" in failed[0].error
    assert summary.count("built") == len(summary.results) - 1


def test_file_names_are_echoed_escaped(proj, tmp_path):
    """ESC [2J in a file name would clear the screen and a newline split the line: both are shown escaped."""
    folder = tmp_path / "incoming"
    folder.mkdir()
    for name in ("b\x1b[2J.yaml", "c\nd.yaml"):
        write_yaml(folder / name, {"id": "x", "client": {"name": "X"}, "employees": 0})
    result = CliRunner().invoke(main, ["build", "--root", str(proj.root), str(folder), "-o", str(tmp_path / "out"),
                                       "-j", "1", "--json"])
    assert result.exit_code == 1
    assert "\x1b" not in result.output and "\x1b" not in result.stderr
    failed = [line for line in result.stderr.splitlines() if line.startswith("failed: ")]
    assert len(failed) == 2 and "b\\x1b[2J.yaml: " in failed[0] and "c\\nd.yaml: " in failed[1]
    assert {r["id"] for r in json.loads(result.stdout)["results"]} == {str(folder / "b\x1b[2J.yaml"),
                                                                       str(folder / "c\nd.yaml")}


def test_bad_profile_among_good_ones_fails_alone(proj, tmp_path):
    write_yaml(proj.root / "profiles" / "zz-bad.yaml", {"id": "zz-bad", "employees": 0})
    out = tmp_path / "out"
    args = ["build", "--root", str(proj.root), str(proj.root / "profiles"), "-o", str(out), "-j", "1", "--json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert "failed: profiles/zz-bad.yaml: " in result.stderr and "profiles/zz-bad.yaml: employees:" in result.stderr
    summary = json.loads(result.stdout)
    assert summary["failed"] == 1 and summary["built"] == N
    assert len(list(out.glob("*/manifest.json"))) == N
    # --fail-fast: the bad profile stops the batch before anything is built
    fast = CliRunner().invoke(main, args[:-3] + ["-o", str(tmp_path / "fast"), "--fail-fast", "--json"])
    assert fast.exit_code == 1 and json.loads(fast.stdout)["built"] == 0


def test_only_clients_using_a_changed_item_rebuild(tmp_path):
    proj = copy_checkout(tmp_path / "proj", PROJ_PROFILES, editable=("content",))
    out = tmp_path / "out"
    first = build(proj, out)
    assert first.count("built") == N
    again = build(proj, out)
    assert again.count("up-to-date") == N
    # rule.coop-full applies only from 50 employees; of the two 50+ samples only nordic-code-labs is in English,
    # so changing the English text must rebuild that one toolkit and nothing else.
    rules = proj.root / "content" / "items" / "60-rules.yaml"
    text = rules.read_text(encoding="utf-8")
    marker = "- id: rule.coop-full"
    assert marker in text
    start = text.index(marker)
    en_at = text.index("    en: ", start)
    rules.write_text(text[:en_at] + "    en: CHANGED " + text[en_at + 8:], encoding="utf-8")
    third = build(proj, out)
    rebuilt = sorted(r.id for r in third.results if r.status == "built")
    assert rebuilt == ["nordic-code-labs"]


def test_force_rebuilds_everything(proj, tmp_path):
    out = tmp_path / "out"
    build(proj, out)
    assert build(proj, out, force=True).count("built") == N


def test_two_builds_are_byte_identical(proj, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    a, b = tmp_path / "a", tmp_path / "b"
    build(proj, a, jobs=2)
    build(proj, b, jobs=1)
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files_a == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    for rel in files_a:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def test_yaml_set_builds_the_same_bytes_under_any_hash_seed(tmp_path):
    """A !!set of work features: a Python set's order follows PYTHONHASHSEED; the toolkit's bytes must not."""
    profile = tmp_path / "set-client.yaml"
    profile.write_text("id: set-client\nclient: {name: Setti Oy}\nindustry: '87.10'\nemployees: 25\n"
                       "contract_scope: preventive_only\nwork_features: !!set {shift_work, night_work, lone_work, "
                       "customer_work, remote_work, travel_work}\n", encoding="utf-8")
    for seed in ("1", "2"):
        env = {**os.environ, "SOURCE_DATE_EPOCH": "1790000000", "PYTHONHASHSEED": seed}
        res = subprocess.run([sys.executable, "-m", "generator", "build", "--root", str(ROOT), "-q", "-j", "1",
                              "-o", str(tmp_path / seed), str(profile)], env=env, capture_output=True, text=True)
        assert res.returncode == 0, res.stderr
    files = sorted(p.name for p in (tmp_path / "1" / "set-client").iterdir())
    assert len(files) == 4
    for name in files:
        assert (tmp_path / "1" / "set-client" / name).read_bytes() == \
            (tmp_path / "2" / "set-client" / name).read_bytes(), name


def test_manifest_records_hashes_and_items(proj, tmp_path):
    out = tmp_path / "out"
    build(proj, out)
    m = json.loads((out / "hoivakoti-aurinko" / "manifest.json").read_text())
    assert m["inputs"]["profile"] and m["inputs"]["provider"] and m["inputs"]["plan"]
    assert "rule.osh-committee" in m["selected_items"]
    for name, digest in m["outputs"].items():
        import hashlib
        assert hashlib.sha256((out / "hoivakoti-aurinko" / name).read_bytes()).hexdigest() == digest
    # written through temp files, yet with the mode any new file gets (not mkstemp's 0600)
    umask = os.umask(0)
    os.umask(umask)
    assert {(f.stat().st_mode & 0o777) for f in (out / "hoivakoti-aurinko").iterdir()} == {0o666 & ~umask}


@pytest.mark.parametrize("n", [1, 2, 3, 7])
def test_shards_cover_every_client_exactly_once(n):
    ids = [f"client-{i}" for i in range(500)]
    shards = [[c for c in ids if in_shard(c, k, n)] for k in range(1, n + 1)]
    assert sorted(sum(shards, [])) == sorted(ids)
    if n > 1:
        assert all(len(s) > 500 / n / 2 for s in shards)


def test_shard_option_and_auto(proj, tmp_path, monkeypatch):
    seen = []
    for k in (1, 2):
        out = tmp_path / f"s{k}"
        r = CliRunner().invoke(main, ["build", "--root", str(proj.root), "-o", str(out), "--shard", f"{k}/2", "-q",
                                      "-j", "1", str(proj.root / "profiles")])
        assert r.exit_code == 0, r.output
        seen += [p.name for p in out.iterdir() if p.is_dir()]
    assert sorted(seen) == sorted(p.stem for p in (proj.root / "profiles").glob("*.yaml"))
    monkeypatch.setenv("CI_NODE_INDEX", "2")
    monkeypatch.setenv("CI_NODE_TOTAL", "2")
    r = CliRunner().invoke(main, ["build", "--root", str(proj.root), "-o", str(tmp_path / "auto"), "--shard", "auto",
                                  "-q", "-j", "1", "--json", str(proj.root / "profiles")])
    assert r.exit_code == 0
    s2 = sorted(p.name for p in (tmp_path / "s2").iterdir() if p.is_dir())
    assert sorted(p.name for p in (tmp_path / "auto").iterdir() if p.is_dir()) == s2


def test_depfile_and_zip(proj, tmp_path):
    out = tmp_path / "out"
    for p in (proj.root / "profiles").glob("*.yaml"):
        if p.stem != "hoivakoti-aurinko":
            p.unlink()
    assert build(proj, out).count("built") == 1
    # asking for the extras later rebuilds, rather than calling the toolkit up to date without them
    assert build(proj, out, depfile=True, zip=True).count("built") == 1
    dep = (out / "hoivakoti-aurinko" / "toolkit.d").read_text()
    assert "profiles/hoivakoti-aurinko.yaml" in dep and "profiles/providers/example-ohs.yaml" in dep
    assert "content/items/60-rules.yaml" in dep
    import zipfile
    names = zipfile.ZipFile(out / "hoivakoti-aurinko.zip").namelist()
    assert "hoivakoti-aurinko/manifest.json" in names


def test_depfiles_of_awkward_file_names_survive_make(tmp_path, monkeypatch):
    """'#' would start a comment, ':' a rule and '$' a variable: the depfiles escape them, and Make reads the
    real file names back (a change to such a profile makes its toolkit out of date, and only that one)."""
    from generator.build import MANIFEST, BuildContext, Options
    from generator.build.depfile import depfile
    from generator.inputs.load import load_profiles
    from generator.select import select
    ws = tmp_path / "my clients"
    (ws / "profiles").mkdir(parents=True)
    shutil.copytree(ROOT / "profiles" / "providers", ws / "profiles" / "providers")
    base = yaml_of(ROOT / "profiles" / "hoivakoti-aurinko.yaml")
    write_yaml(ws / "profiles" / "Asiakas #2: kopio.yaml", {**base, "id": "asiakas-2"})
    write_yaml(ws / "profiles" / "hinta$lista.yaml", {**base, "id": "hintalista"})
    project = Project(ws)
    library = project.load_library()
    loaded, problems = load_profiles([ws / "profiles"], project, library)
    assert not problems
    monkeypatch.chdir(ws)
    out = Path("out dir")
    for lp in loaded:
        plan = select(lp.profile, library, lp.provider, lp.profile.provider, ws)
        folder = out / lp.profile.id
        folder.mkdir(parents=True)
        names = ["action-plan.docx", "checklists.pdf", "care-pathway.pdf"]
        ctx = BuildContext.create(project, library, out, Options())
        (folder / "toolkit.d").write_text(depfile(lp, plan, ctx, dict.fromkeys(names, b"")))
        for name in names + [MANIFEST]:
            (folder / name).write_bytes(b"")
    (ws / "Makefile").write_text("all: out\\ dir/asiakas-2/manifest.json out\\ dir/hintalista/manifest.json\n"
                                 "include out\\ dir/*/toolkit.d\n"
                                 "out\\ dir/%/manifest.json:\n\t@echo rebuild $*\n")

    def make() -> str:
        # As a user's own make: not as a sub-make of `make test` (MAKELEVEL would add "Entering directory")
        env = {k: v for k, v in os.environ.items() if k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS")}
        res = subprocess.run(["make", "-n", "--no-print-directory"], cwd=ws, capture_output=True, text=True,
                             env=env)
        assert res.returncode == 0, res.stderr
        return res.stdout
    assert "rebuild" not in make()
    later = time.time() + 100
    os.utime(ws / "profiles" / "Asiakas #2: kopio.yaml", (later, later))
    assert make().splitlines() == ["echo rebuild asiakas-2"]
    os.utime(ws / "profiles" / "hinta$lista.yaml", (later, later))
    assert make().splitlines() == ["echo rebuild asiakas-2", "echo rebuild hintalista"]


def yaml_of(path: Path) -> dict:
    import yaml
    return yaml.safe_load(path.read_text(encoding="utf-8"))


COPIES = 4  # with N, twice the toolkits two workers build at a time


def test_killed_build_leaves_no_partial_files_and_rerun_finishes(proj, tmp_path):
    out = tmp_path / "out"
    # More clients, so the build is still running when it is killed after its first toolkit.
    src = (proj.root / "profiles" / "hoivakoti-aurinko.yaml").read_text(encoding="utf-8")
    for i in range(COPIES):
        (proj.root / "profiles" / f"copy-{i:02d}.yaml").write_text(
            src.replace("id: hoivakoti-aurinko", f"id: copy-{i:02d}"), encoding="utf-8")
    cmd = [sys.executable, "-m", "generator", "build", "--root", str(proj.root), "-o", str(out), "-j", "2", "-q",
           str(proj.root / "profiles")]
    # a killed process cannot remove its temp files: keep them in tmp_path, not the machine's /tmp
    (tmp_path / "tmp").mkdir()
    proc = subprocess.Popen(cmd, start_new_session=True, env={**os.environ, "TMPDIR": str(tmp_path / "tmp")})
    deadline = time.time() + 60
    while time.time() < deadline and not any(out.glob("*/manifest.json")):
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    for f in out.rglob("*"):
        if f.is_file() and not f.name.startswith("."):
            if f.name == "manifest.json":
                m = json.loads(f.read_text())
                for name in m["outputs"]:
                    assert (f.parent / name).exists()
    rerun = subprocess.run(cmd[:-2] + ["--json", str(proj.root / "profiles")], capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    summary = json.loads(rerun.stdout)
    assert summary["failed"] == 0 and summary["built"] + summary["up_to_date"] == N + COPIES
    assert not list(out.rglob(".*.tmp"))
    from generator.build.check import check_out
    assert check_out(out) == (N + COPIES, [])


def test_progress_is_a_bar_on_a_terminal_and_lines_in_logs(capsys):
    from generator.build import Result
    from generator.cli import Progress
    bar = Progress(bar=True, width=lambda: 120)
    for i, status in enumerate(["built", "up-to-date", "failed", "built"], start=1):
        bar(Result(f"c{i}", status, "boom" if status == "failed" else ""), i, 4)
    bar.close()
    err = capsys.readouterr().err
    assert "\r\033[K[#######.....................] 1/4 · built 1 · up to date 0 · failed 0" in err
    assert "\r\033[Kc3: FAILED\n" in err  # failures stay on screen above the bar
    assert "4/4 · built 2 · up to date 1 · failed 1" in err and err.endswith("\r\033[K")
    lines = Progress(bar=False)
    lines(Result("c1", "up-to-date"), 1, 2)
    assert capsys.readouterr().err == "[1/2] c1: up to date\n"


@pytest.mark.parametrize("columns", [20, 40, 60, 80, 100])
def test_progress_bar_fits_the_terminal(capsys, columns):
    """Each redraw stays within the terminal's width, so it never wraps and leaves a line behind."""
    from generator.build import Result
    from generator.cli import Progress
    bar = Progress(bar=True, width=lambda: columns)
    bar.start -= 3600  # an hour in: the time left is shown, as wide as it gets
    total = 100_000
    for i in range(1, 40):
        bar(Result(f"c{i}", ("built", "up-to-date", "built")[i % 3]), i * 2000, total)
    redraws = capsys.readouterr().err.split("\r\033[K")[1:]
    assert len(redraws) == 39 and all(r and "\n" not in r for r in redraws)
    assert max(len(r) for r in redraws) <= columns - 1
    assert all(r.startswith("[") for r in redraws) or columns < 30
    assert all(f"{i * 2000}/{total}" in r for i, r in enumerate(redraws, start=1))
    if columns >= 100:
        assert " s left" in redraws[-1] and "up to date 13" in redraws[-1]


def test_workers_are_recycled_without_hanging(proj, tmp_path):
    """More toolkits than one pool generation builds (RECYCLE_AFTER=1 here: 2 pools for 3 clients).

    Run in a subprocess with a timeout: a pool that stops replacing workers (CPython gh-115634, the reason
    max_tasks_per_child is not used) would otherwise hang the test run instead of failing it.
    """
    code = ("import sys, generator.build.pool as b; b.RECYCLE_AFTER = 1; from generator.cli import main; "
            "sys.argv[0] = 'toolkit'; main()")
    res = subprocess.run([sys.executable, "-c", code, "build", "--root", str(proj.root), "-o", str(tmp_path / "out"),
                          "-j", "2", "--json", str(proj.root / "profiles")], capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["built"] == N


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_build_leaves_no_temp_folders(proj, tmp_path, jobs):
    """WeasyPrint's font folder (one per process) is removed when the process exits, workers included."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    files = [str(proj.root / "profiles" / f"{p}.yaml") for p in ("hoivakoti-aurinko", "nordic-code-labs")]
    res = subprocess.run([sys.executable, "-m", "generator", "build", "--root", str(proj.root), "-q", "-j", jobs,
                          "-o", str(tmp_path / "out"), *files], env={**os.environ, "TMPDIR": str(tmp)},
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert list(tmp.iterdir()) == []

"""Faults: a killed worker, a full or read-only disk, two builds into one OUT. Outputs stay whole.

A build killed as a whole: tests/test_build.py::test_killed_build_leaves_no_partial_files_and_rerun_finishes.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.build.check import check_out, check_toolkit
from generator.cli import main
from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # killed workers, Ctrl-C, a second build waiting: real processes and time

SAMPLE = "parturi-kampaamo-salmi"


@pytest.fixture
def proj(tmp_path) -> Path:
    """A project whose profiles/ holds n copies of one sample (content and templates linked, not copied)."""
    root = tmp_path / "proj"
    (root / "profiles").mkdir(parents=True)
    shutil.copytree(ROOT / "profiles" / "providers", root / "profiles" / "providers")
    for d in ("content", "templates"):
        (root / d).symlink_to(ROOT / d)
    return root


def copies(root: Path, n: int) -> list[str]:
    src = (ROOT / "profiles" / f"{SAMPLE}.yaml").read_text(encoding="utf-8")
    ids = [f"copy-{i:02d}" for i in range(n)]
    for pid in ids:
        (root / "profiles" / f"{pid}.yaml").write_text(src.replace(f"id: {SAMPLE}", f"id: {pid}"), encoding="utf-8")
    return ids


def cmd(root: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "generator", "build", "--root", str(root), "-o", str(out), *extra,
            str(root / "profiles")]


def snapshot(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}


def wait_for(predicate, seconds: float = 120) -> None:
    deadline = time.time() + seconds
    while not predicate():
        assert time.time() < deadline, "timed out"
        time.sleep(0.05)


def children(pid: int) -> list[int]:
    """The worker processes of a build: its forked children (not multiprocessing's resource tracker)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        try:
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == pid and b"resource_tracker" not in cmdline:
            found.append(int(stat.parent.name))
    return found


def test_a_killed_worker_does_not_stop_the_batch(proj, tmp_path):
    ids = copies(proj, 5)  # enough that toolkits are still unfinished when a worker is killed
    out = tmp_path / "out"
    (tmp_path / "tmp").mkdir()  # a killed worker cannot remove its temp files: keep them out of the machine's /tmp
    proc = subprocess.Popen(cmd(proj, out, "-j", "2", "--json"), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "TMPDIR": str(tmp_path / "tmp")})
    wait_for(lambda: len(children(proc.pid)) >= 2 and any(out.glob("*/manifest.json")))
    victim = children(proc.pid)[0]
    os.kill(victim, signal.SIGKILL)
    stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0, stderr
    assert "note: a worker process died (killed, or out of memory); retrying" in stderr
    summary = json.loads(stdout)
    assert summary["built"] == len(ids) and summary["failed"] == 0
    count, problems = check_out(out)
    assert count == len(ids) and problems == []
    assert not list(out.rglob(".*.tmp"))


def _limit_file_size():  # runs in the child: a "full disk" for any file over 150 kB
    resource.setrlimit(resource.RLIMIT_FSIZE, (150_000, 150_000))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def test_a_full_disk_keeps_the_previous_toolkit(proj, tmp_path):
    copies(proj, 1)
    out = tmp_path / "out"
    assert subprocess.run(cmd(proj, out, "-q"), capture_output=True).returncode == 0
    before = snapshot(out)
    profile = proj / "profiles" / "copy-00.yaml"
    profile.write_text(profile.read_text(encoding="utf-8").replace("employees:", "employees: 1\n#"),
                       encoding="utf-8")
    res = subprocess.run(cmd(proj, out, "-q"), capture_output=True, text=True, preexec_fn=_limit_file_size)
    assert res.returncode == 1
    assert "failed: profiles/copy-00.yaml: cannot write" in res.stderr and "File too large" in res.stderr
    assert "the previous toolkit, if any, is unchanged" in res.stderr and "Traceback" not in res.stderr
    assert snapshot(out) == before
    assert check_toolkit(out / "copy-00") == []
    assert not list(out.rglob(".*.tmp"))


def test_a_read_only_output_folder_is_a_clear_error(proj, tmp_path, monkeypatch):
    """As root, chmod cannot make a folder read-only, so the file system's answer is injected."""
    import generator.build.batch as b
    import generator.files as files
    copies(proj, 1)
    out = tmp_path / "out"
    args = ["build", "--root", str(proj), "-o", str(out), "-q", "-j", "1", str(proj / "profiles")]
    assert CliRunner().invoke(main, args).exit_code == 0
    before = snapshot(out)
    profile = proj / "profiles" / "copy-00.yaml"
    profile.write_text(profile.read_text(encoding="utf-8").replace("employees:", "employees: 1\n#"), encoding="utf-8")

    def read_only(path, *args):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
    monkeypatch.setattr(files, "write_temp", read_only)
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 1
    assert "cannot write" in res.stderr and "Read-only file system" in res.stderr
    assert snapshot(out) == before
    # ... and when not even the lock file can be created, nothing starts
    monkeypatch.setattr(b, "locked", lambda out_root, wait: (_ for _ in ()).throw(
        OSError(errno.EROFS, os.strerror(errno.EROFS), str(out_root))))
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 1
    assert res.stderr.strip() == f"Error: cannot write to {out}: Read-only file system; nothing was changed"


def test_a_second_build_into_the_same_out_stops_or_waits(proj, tmp_path):
    ids = copies(proj, 4)  # long enough that the second build starts while the first holds the lock
    out = tmp_path / "out"
    first = subprocess.Popen(cmd(proj, out, "-j", "1", "-q"))
    lock = out / ".toolkit-build.lock"
    wait_for(lambda: lock.exists() and lock.read_text().strip() == str(first.pid))
    second = subprocess.run(cmd(proj, out, "-j", "1", "-q"), capture_output=True, text=True)
    assert second.returncode == 1
    assert f"is being written by another build (pid {first.pid})" in second.stderr
    waiting = subprocess.run(cmd(proj, out, "-j", "1", "--json", "--wait", "600"), capture_output=True, text=True)
    assert first.wait() == 0
    assert waiting.returncode == 0, waiting.stderr
    assert json.loads(waiting.stdout)["up_to_date"] == len(ids)  # it waited, then found everything done
    count, problems = check_out(out)
    assert count == len(ids) and problems == []


def test_ctrl_c_stops_soon_and_leaves_whole_toolkits(proj, tmp_path):
    """Ctrl-C in a terminal: SIGINT to the whole process group, the build and its workers alike."""
    ids = copies(proj, 6)
    out = tmp_path / "out"
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    # a session of its own, so the signal reaches the build's group and not pytest's; SIGINT as a terminal's
    # Ctrl-C delivers it (a process started in the background may inherit it ignored)
    proc = subprocess.Popen(cmd(proj, out, "-j", "2", "-q"), stderr=subprocess.PIPE, text=True,
                            start_new_session=True, env={**os.environ, "TMPDIR": str(tmp)},
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    wait_for(lambda: any(out.glob("*/manifest.json")))
    before = len(list(out.glob("*/manifest.json")))
    os.killpg(proc.pid, signal.SIGINT)
    sent = time.monotonic()
    _, stderr = proc.communicate(timeout=60)
    took = time.monotonic() - sent
    assert proc.returncode == 130, stderr
    done = len(list(out.glob("*/manifest.json")))
    assert done - before <= 2, f"{done - before} toolkits were written after Ctrl-C; at most the 2 in flight may be"
    assert took < 20, f"the build took {took:.1f} s to stop"  # a hang, not a slow machine, fails this
    assert stderr.strip().splitlines() == [f"Interrupted: built {done} toolkit{'s' * (done != 1)} before Ctrl-C; "
                                           "run the same command to build the rest."]
    assert not list(out.rglob(".*.tmp")) and list(tmp.iterdir()) == []
    count, problems = check_out(out)
    assert count == done and problems == []
    rerun = subprocess.run(cmd(proj, out, "-j", "2", "--json"), capture_output=True, text=True)
    summary = json.loads(rerun.stdout)
    assert rerun.returncode == 0 and (summary["up_to_date"], summary["built"]) == (done, len(ids) - done)

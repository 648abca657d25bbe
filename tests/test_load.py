"""Finding profiles: files and folders as users have them (link loops, pipes, hidden and Windows-named files)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from tests.conftest import BASE_PROFILE, ROOT, write_yaml


@pytest.fixture
def ws(tmp_path) -> Path:
    """A workspace with the sample provider file and no profiles yet."""
    root = tmp_path / "ws"
    (root / "profiles" / "providers").mkdir(parents=True)
    (root / "toolkit.toml").write_text("")
    (root / "profiles" / "providers" / "example-ohs.yaml").write_bytes(
        (ROOT / "profiles" / "providers" / "example-ohs.yaml").read_bytes())
    return root


def profile(folder: Path, name: str, pid: str, **changes) -> Path:
    return write_yaml(folder / name, {**BASE_PROFILE, "id": pid, **changes})


def toolkit(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """The command in a process of its own, with a timeout: reading a named pipe would block for ever."""
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True,
                           timeout=120)


def test_folder_scan_reads_any_case_and_skips_what_is_not_a_profile(ws):
    folder = ws / "profiles"
    profile(folder, "ACME.YAML", "acme")
    profile(folder, "Beta.Yml", "beta")
    (folder / "._acme.yaml").write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        ")  # AppleDouble
    profile(folder, ".draft.yaml", "draft")
    (folder / "edge-dir.yaml").mkdir()
    os.mkfifo(folder / "pipe.yaml")
    res = toolkit("validate", "profiles", cwd=ws)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().endswith("OK: 2 profile(s) and " + res.stdout.split(" and ", 1)[1].split(" content")[0]
                                       + " content items are valid; skipped 4 files: 1 macOS metadata file (._*), "
                                         "1 hidden file (.*), 2 folders or other non-regular files.")


def test_a_pipe_or_loop_named_directly_is_one_line_and_never_read(ws):
    os.mkfifo(ws / "profiles" / "pipe.yaml")
    (ws / "profiles" / "loop.yaml").symlink_to("loop.yaml")
    res = toolkit("validate", "profiles/pipe.yaml", "profiles/loop.yaml", cwd=ws)
    assert res.returncode == 1
    assert res.stderr.splitlines() == ["profiles/pipe.yaml: is not a regular file (a named pipe)",
                                       "profiles/loop.yaml: is a symbolic link loop; point the link at a file, "
                                       "or remove it",
                                       "Aborted: 2 errors in 2 files."]


def test_an_empty_folder_is_an_error_not_zero_profiles(ws, tmp_path):
    empty = tmp_path / "incoming"
    empty.mkdir()
    (empty / "._a.yaml").write_bytes(b"\x00\x05\x16\x07")
    for command in (["validate"], ["build", "-o", str(tmp_path / "out")]):
        result = CliRunner().invoke(main, [*command, "--project", str(ws), str(empty)])
        assert result.exit_code == 1, result.output
        assert result.stderr.splitlines()[0] == (f"no profiles found in {empty} (no .yaml or .yml files; "
                                                 "skipped 1 file: 1 macOS metadata file (._*))")
    assert not (tmp_path / "out").exists()


def test_the_same_file_named_twice_is_read_once(ws):
    profile(ws / "profiles", "a.yaml", "a")
    (ws / "profiles" / "same-a.yaml").symlink_to("a.yaml")
    result = CliRunner().invoke(main, ["validate", "--project", str(ws), str(ws / "profiles"),
                                       str(ws / "profiles" / "a.yaml")])
    assert result.exit_code == 0, result.output
    assert "OK: 1 profile(s)" in result.output


def test_a_folder_named_like_a_provider_file_is_not_offered(ws):
    (ws / "profiles" / "providers" / "edge-dir.yaml").mkdir()
    (ws / "profiles" / "providers" / "._example-ohs.yaml").write_bytes(b"\x00\x05\x16\x07")
    profile(ws / "profiles", "a.yaml", "a", provider="edge-dir")
    profile(ws / "profiles", "b.yaml", "b", provider="nosuch")
    result = CliRunner().invoke(main, ["validate", "--project", str(ws)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:2] == [
        "profiles/providers/edge-dir.yaml: is not a regular file (a folder)",
        "profiles/b.yaml: provider: no provider file profiles/providers/nosuch.yaml (available: example-ohs)"]


def test_provider_files_are_found_whatever_their_case(ws):
    """As Windows and macOS open them: a provider file saved as Example-OHS.YML is example-ohs."""
    providers = ws / "profiles" / "providers"
    (providers / "example-ohs.yaml").rename(providers / "Example-OHS.YML")
    profile(ws / "profiles", "a.yaml", "a", provider="example-ohs")
    result = CliRunner().invoke(main, ["validate", "--project", str(ws)])
    assert result.exit_code == 0, result.output
    profile(ws / "profiles", "a.yaml", "a", provider="nosuch")
    result = CliRunner().invoke(main, ["validate", "--project", str(ws)])
    assert "(available: example-ohs)" in result.stderr


def test_only_the_clients_of_a_looping_provider_fail(ws, tmp_path):
    """A provider file that links to itself fails its own clients, one line each; the batch goes on."""
    folder = ws / "profiles"
    (folder / "providers" / "loop.yaml").symlink_to("loop.yaml")
    profile(folder, "good.yaml", "good", provider="example-ohs")
    profile(folder, "first.yaml", "first", provider="loop")
    profile(folder, "second.yaml", "second", provider="loop")
    (folder / "self.yaml").symlink_to("self.yaml")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", "--project", str(ws), str(folder), "-o", str(out), "-j", "1",
                                       "--json", "-q"])
    assert result.exit_code == 1, result.output
    loop = "is a symbolic link loop; point the link at a file, or remove it"
    assert sorted(line for line in result.stderr.splitlines() if line.startswith("failed: ")) == sorted([
        f"failed: profiles/first.yaml: provider: profiles/providers/loop.yaml: {loop}",
        f"failed: profiles/second.yaml: provider: profiles/providers/loop.yaml: {loop}",
        f"failed: {folder / 'self.yaml'}: {loop}"])
    summary = json.loads(result.stdout)
    assert (summary["built"], summary["failed"]) == (1, 3)
    assert [p.name for p in out.iterdir() if p.is_dir()] == ["good"]

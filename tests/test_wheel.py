"""The installable tool: the sdist and wheel carry the library; installed in a fresh venv, `toolkit` works anywhere.

Built once per test session, without network access: hatchling (a test dependency) builds the sdist from the
checkout and the wheel from the unpacked sdist, as pip does. The wheel goes into a fresh venv with --no-deps;
its dependencies come from this checkout's environment through a .pth file (installing them from PyPI would
take minutes), and a check confirms they meet every requirement the wheel declares.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

from generator import __version__
from generator.inputs.load import Project
from tests.conftest import ROOT
from tests.test_workspace import add_overlay_example

pytestmark = pytest.mark.slow  # builds the wheel and installs it in a fresh virtual environment

REQUIREMENTS_MET = """
import importlib.metadata as md
from packaging.requirements import Requirement
missing = []
for line in md.requires("mielenterveys-toolkit") or []:
    req = Requirement(line)
    if req.marker and not req.marker.evaluate({"extra": ""}):
        continue
    try:
        version = md.version(req.name)
    except md.PackageNotFoundError:
        version = None
    if version is None or not req.specifier.contains(version, prereleases=True):
        missing.append(f"{req} (found {version})")
print("\\n".join(missing) or "all met")
"""


def hatchling(target: str, source: Path, dest: Path) -> str:
    """Build one target with hatchling; return what it printed (with Python's warnings switched on)."""
    env = {**os.environ, "PYTHONWARNINGS": "default", "SOURCE_DATE_EPOCH": "1767225600"}
    res = subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", target, "-d", str(dest)], cwd=source,
                         capture_output=True, text=True, env=env)
    assert res.returncode == 0, res.stdout + res.stderr
    return res.stdout + res.stderr


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("dist")
    log = hatchling("sdist", ROOT, out)
    (sdist,) = out.glob("*.tar.gz")
    with tarfile.open(sdist) as tf:
        tf.extractall(out / "src", filter="data")
        sdist_names = tf.getnames()
    (unpacked,) = (out / "src").iterdir()
    log += hatchling("wheel", unpacked, out)
    (wheel,) = out.glob("*.whl")
    return {"sdist": sdist_names, "wheel": wheel, "log": log}


@pytest.fixture(scope="module")
def venv(dist, tmp_path_factory) -> Path:
    """A fresh venv, outside the checkout, with the wheel installed."""
    env_dir = tmp_path_factory.mktemp("venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], check=True)
    python = env_dir / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                    "--no-index", str(dist["wheel"])], check=True)
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    # After the venv's own site-packages on sys.path; .pth files in these folders are not run, so this
    # checkout's own editable install does not come along.
    dev = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    Path(site, "_dependencies_from_dev_env.pth").write_text("\n".join(dev) + "\n", encoding="utf-8")
    return env_dir


def run(venv: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    return subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_builds_carry_the_library_without_warnings(dist):
    assert not re.search(r"warn|deprecat", dist["log"], re.I), dist["log"]
    wheel = set(zipfile.ZipFile(dist["wheel"]).namelist())
    for folder in ("content", "templates"):
        for f in (ROOT / folder).rglob("*"):
            if f.is_file() and "__pycache__" not in f.parts:
                rel = f.relative_to(ROOT).as_posix()
                assert f"generator/data/{rel}" in wheel, rel
                assert any(n.endswith(f"/{rel}") for n in dist["sdist"]), rel
    assert "generator/workspace/skeleton/dot-gitlab-ci.yml" in wheel and "generator/workspace/init.py" in wheel
    assert not any("bench" in n for n in wheel)  # the benchmark is a tool of this repository, not of the wheel
    metadata = zipfile.ZipFile(dist["wheel"]).read(next(n for n in wheel if n.endswith(".dist-info/METADATA")))
    assert b"License-Expression: MIT" in metadata


def test_installed_tool_works_from_any_folder(venv, tmp_path):
    met = run(venv, tmp_path, str(venv / "bin" / "python"), "-c", REQUIREMENTS_MET)
    assert met.stdout.strip() == "all met", met.stdout + met.stderr
    version = run(venv, tmp_path, "toolkit", "--version")
    assert version.returncode == 0, version.stderr
    tool_line, content_line = version.stdout.splitlines()
    assert tool_line.startswith(f"toolkit {__version__} ({venv}")  # the installed copy, not this checkout
    assert content_line == f"content library {Project.checkout(ROOT).load_library().version}"

    # From a fresh folder: init, then build and check as the workspace's README says
    assert run(venv, tmp_path, "toolkit", "init", "ws").returncode == 0
    ws = tmp_path / "ws"
    for args in (["toolkit", "validate"], ["toolkit", "build", "profiles", "-o", "out"], ["toolkit", "check", "out"]):
        res = run(venv, ws, *args)
        assert res.returncode == 0, (args, res.stdout, res.stderr)
    assert "OK: 1 toolkit(s) pass the checks." in res.stdout

    # From another folder: the profile's workspace supplies the provider and its own content
    add_overlay_example(ws)
    res = run(venv, tmp_path, "toolkit", "build", "ws/profiles/esimerkki-oy.yaml", "-o", "elsewhere", "-j", "1")
    assert res.returncode == 0, res.stderr
    manifest = json.loads((tmp_path / "elsewhere" / "esimerkki-oy" / "manifest.json").read_text())
    assert manifest["inputs"]["provider"] and "our.action.supervisor-consultation" in manifest["selected_items"]
    explained = run(venv, tmp_path, "toolkit", "explain", "ws/profiles/esimerkki-oy.yaml")
    assert explained.returncode == 0, explained.stderr
    line = next(x for x in explained.stdout.splitlines() if "our.action.supervisor-consultation" in x)
    assert line.endswith(": content/items/our-services.yaml")

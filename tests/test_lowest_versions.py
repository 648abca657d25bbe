"""The lowest WeasyPrint and python-docx that pyproject.toml declares really work: installed in a fresh virtual
environment they build every sample, with the speed-ups that reach into their internals off (those versions
are not among the checked ones), and the toolkits pass `toolkit check` (docs/upgrading.md)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib

import pytest

from tests.conftest import ROOT, SAMPLE_EPOCH

pytestmark = pytest.mark.slow


def lowest(package: str) -> str:
    """The lower bound pyproject.toml declares for package (`name>=X,...`)."""
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    for dep in deps:
        found = re.fullmatch(rf"{re.escape(package)}\s*>=\s*([0-9.]+)\s*(,.*)?", dep.split(";")[0].strip())
        if found:
            return found.group(1)
    raise AssertionError(f"pyproject.toml declares no lower bound for {package}")


def test_the_declared_lower_bounds_are_the_ones_this_test_installs():
    assert lowest("weasyprint") == "68"
    assert lowest("python-docx") == "1.1"


def test_the_lowest_declared_versions_build_every_sample_and_pass_the_checks(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("TOOLKIT_")}
    env["SOURCE_DATE_EPOCH"] = SAMPLE_EPOCH
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    pins = [f"weasyprint=={lowest('weasyprint')}", f"python-docx=={lowest('python-docx')}"]  # 68 is 68.0
    # the tool's other dependencies as declared, with the two libraries pinned to their lowest releases
    install = subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(ROOT),
                              *pins], capture_output=True, text=True, env=env)
    assert install.returncode == 0, install.stderr[-3000:]
    versions = subprocess.run([python, "-c", "from importlib.metadata import version as v; "
                               "print(v('weasyprint'), v('python-docx'))"], capture_output=True, text=True, check=True,
                              env=env)
    # (the gate reads the same metadata: an unchecked version is never reached into)
    weasyprint, docx = versions.stdout.split()
    assert weasyprint.startswith(lowest("weasyprint") + ".") and docx.startswith(lowest("python-docx") + ".")
    gates = subprocess.run([python, "-c", "from generator.render.weasy import compat as w; "
                            "from generator.render.docx import compat as d; print(w.speedups(), d.speedups())"],
                           capture_output=True, text=True, check=True, cwd=tmp_path, env=env)
    assert gates.stdout.split()[0] == "False"  # an unchecked WeasyPrint: its public API only
    out = tmp_path / "out"
    build = subprocess.run([str(venv / "bin" / "toolkit"), "build", "--root", str(ROOT), str(ROOT / "profiles"),
                            "-o", str(out), "-j", "2", "--json"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert build.returncode == 0, build.stderr[-3000:]
    check = subprocess.run([str(venv / "bin" / "toolkit"), "check", str(out)], capture_output=True, text=True,
                           env=env, cwd=tmp_path)
    assert check.returncode == 0, check.stdout[-3000:] + check.stderr[-3000:]
    built = len([p for p in (ROOT / "profiles").glob("*.yaml")])
    assert check.stdout.strip() == f"OK: {built} toolkit(s) pass the checks."

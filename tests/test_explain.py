"""`toolkit explain`: a readable plan with a reason for every item, as golden text for two samples."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from generator.cli import main
from tests.conftest import ROOT, check_golden


@pytest.mark.parametrize("sample", ["hoivakoti-aurinko", "nordic-code-labs"])
def test_explain_golden(sample):
    result = CliRunner().invoke(main, ["explain", "--root", str(ROOT), str(ROOT / "profiles" / f"{sample}.yaml")])
    assert result.exit_code == 0, result.output
    check_golden(f"explain-{sample}.txt", result.output)


@pytest.mark.parametrize("path", sorted((ROOT / "profiles").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_sample_explains_with_reasons(path):
    result = CliRunner().invoke(main, ["explain", "--json", "--root", str(ROOT), str(path)])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.output)
    assert plan["decisions"] and all(d["reasons"] for d in plan["decisions"])
    included = [d for d in plan["decisions"] if d["included"]]
    left_out = [d for d in plan["decisions"] if not d["included"]]
    assert len(included) > 100 and left_out

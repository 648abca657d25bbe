"""`toolkit explain`: what was tailored, grouped by what drove it; --all and --json list every decision."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from generator.cli import main
from tests.conftest import ROOT, check_golden


def explain(*args: str):
    result = CliRunner().invoke(main, ["explain", "--root", str(ROOT), *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("sample", ["hoivakoti-aurinko", "nordic-code-labs"])
def test_explain_golden(sample):
    check_golden(f"explain-{sample}.txt", explain(str(ROOT / "profiles" / f"{sample}.yaml")))


def test_explain_all_golden():
    check_golden("explain-all-hoivakoti-aurinko.txt", explain("--all", str(ROOT / "profiles" / "hoivakoti-aurinko.yaml")))


def test_explain_leads_with_what_was_tailored():
    """A 6-person salon: the decisions its profile drove, in groups, and one line for the rest (was 743 lines)."""
    path = str(ROOT / "profiles" / "parturi-kampaamo-salmi.yaml")
    text = explain(path)
    plan = json.loads(explain("--json", path))
    always = [d for d in plan["decisions"] if d["reasons"] == ["koskee kaikkia työpaikkoja"]]
    assert "koskee kaikkia työpaikkoja" not in text
    assert text.rstrip().endswith(f"Kaikille työpaikoille yhteiset kohdat: {len(always)} "
                                  "(näytä ne: toolkit explain --all)")
    for heading in ("  Koko: 6 työntekijää", "  Sopimus: vain ennaltaehkäisevä", "  Toimiala: TOL 96.02",
                    "  Työn piirteet: asiakastyö", "  Kieli: suomeksi", "  Hyvinvointialue: Etelä-Savo"):
        assert f"\n{heading}" in text, heading
    assert "    Valittu, koska työpaikallanne on alle 10 työntekijää:\n      + planning.entrepreneur-wellbeing: " in text
    assert "      - rule.osh-representative [rule]" in text
    assert "      - 21 hyvinvointialuetta [county]" in text  # not one line per county
    tailored = [d for d in plan["decisions"] if d not in always and d["kind"] != "county"]
    assert all(d["item_id"] in text for d in tailored)
    assert 3 * len(text.splitlines()) < len(explain("--all", path).splitlines())  # 128 of 743 lines here


@pytest.mark.parametrize("path", sorted((ROOT / "profiles").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_sample_explains_with_reasons(path):
    plan = json.loads(explain("--json", str(path)))
    assert plan["decisions"] and all(d["reasons"] for d in plan["decisions"])
    # the JSON is as it was: the grouping explain prints is not part of it
    assert all(set(d) == {"item_id", "kind", "included", "reasons"} for d in plan["decisions"])
    included = [d for d in plan["decisions"] if d["included"]]
    left_out = [d for d in plan["decisions"] if not d["included"]]
    assert len(included) > 100 and left_out

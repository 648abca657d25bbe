"""Bad profiles and provider files: each gives one line naming the file, the field and what is allowed."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from generator.cli import main
from tests.conftest import BASE_PROFILE, ROOT

GOOD = {**BASE_PROFILE, "id": "good-one"}

# (description, profile fields to change (None deletes), expected text in the error line)
BAD_PROFILES = [
    ("misspelled field", {"employes": 5}, "employes: unknown field. Did you mean 'employees'?"),
    ("negative headcount", {"employees": -3}, "employees: Input should be greater than or equal to 1"),
    ("headcount as text", {"employees": "many"}, "employees: Input should be a valid integer"),
    ("missing headcount", {"employees": None}, "employees: Field required"),
    ("mistyped scope", {"contract_scope": "preventive"},
     "contract_scope: Input should be 'preventive_only' or 'with_medical_care' (got 'preventive') Did you mean 'preventive_only'?"),
    ("unknown language", {"language": "de"}, "language: Input should be 'fi', 'sv' or 'en'"),
    ("mistyped county", {"wellbeing_county": "Pirkanmaaa"}, "wellbeing_county: unknown wellbeing services county 'Pirkanmaaa'. Did you mean 'Pirkanmaa'?"),
    ("mistyped feature", {"work_features": ["shiftwork"]}, "work_features[0]: unknown work feature 'shiftwork'. Did you mean 'shift_work'? Allowed: shift_work,"),
    ("feature twice", {"work_features": ["lone_work", "lone_work"]}, "work_features: listed twice: lone_work"),
    ("industry as float", {"industry": 87.1}, 'industry: YAML read the unquoted 87.1 as a number; write the TOL code '
                                              'in quotes ("87.1") so YAML keeps it as text'),
    ("industry not a code", {"industry": "care"}, "industry: 'care' is not a TOL 2008 code"),
    ("industry unknown division", {"industry": "04"}, "industry: '04' is not a TOL 2008 division (nearest:"),
    ("bad business id", {"client": {"name": "X", "business_id": "1234567-2"}},
     "client.business_id: '1234567-2' is not a valid Finnish business ID"),
    ("id upper case", {"id": "Client"}, "id: must be lowercase letters, digits and hyphens, 1-64 characters, not "
                                        "starting or ending with a hyphen (got 'Client'); did you mean 'client'?"),
    ("period reversed", {"plan_period": {"start": "2027-12-31", "end": "2027-01-01"}}, "plan_period: end 2027-01-01 must be after start 2027-12-31"),
    ("bad date", {"plan_period": {"start": "2027-13-01", "end": "2027-12-31"}}, "plan_period.start: Input should be a valid date"),
    ("unknown provider", {"provider": "nobody"}, "provider: no provider file profiles/providers/nobody.yaml (available: example-ohs)"),
]


def run(args):
    return CliRunner().invoke(main, args)


def profile_file(tmp_path, name, changes):
    from tests.conftest import write_yaml
    data = {**GOOD, "id": name if "id" not in changes else changes["id"]}
    for k, v in changes.items():
        if v is None:
            data.pop(k, None)
        else:
            data[k] = v
    return write_yaml(tmp_path / f"{name}.yaml", data)


@pytest.mark.parametrize("desc, changes, expected", BAD_PROFILES, ids=[b[0] for b in BAD_PROFILES])
def test_bad_profile_gives_one_clear_line(tmp_path, desc, changes, expected):
    path = profile_file(tmp_path, "bad-one", changes)
    result = run(["validate", "--root", str(ROOT), str(path)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[-1].startswith("Aborted: 1 error in 1 file")
    assert len(lines) == 2, result.output
    assert lines[0].startswith(str(path) + ": ")
    assert expected in lines[0], lines[0]
    assert "Traceback" not in result.output


# Broken YAML, encodings, huge values, injection, traversal and hostile assets: tests/corpus/cases.yaml.


def test_every_problem_in_every_file_is_reported(tmp_path):
    profile_file(tmp_path, "one", {"employees": 0, "language": "xx"})
    profile_file(tmp_path, "two", {"contract_scope": "all"})
    result = run(["validate", "--root", str(ROOT), str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.count("\n") == 4
    assert "Aborted: 3 errors in 2 files." in result.output


BAD_PROVIDERS = [
    ({"name": "P", "colour": "#000000"}, "colour: unknown field. Allowed: name, contact, team, brand_colour, logo, base_docx"),
    ({"name": "P", "brand_colour": "blue"}, "brand_colour: must be a colour written #RRGGBB, e.g. #1F6F5C (got 'blue')"),
    ({"name": "P", "logo": "profiles/providers/assets/missing.png"}, "does not exist"),
    ({"name": "P", "contact": {"email": "not-an-email"}},
     "contact.email: must be an e-mail address such as name@example.fi (got 'not-an-email')"),
]


@pytest.mark.parametrize("data, expected", BAD_PROVIDERS, ids=[b[1][:30] for b in BAD_PROVIDERS])
def test_bad_provider_file(tmp_path, data, expected):
    import shutil

    from tests.conftest import write_yaml
    root = tmp_path / "proj"
    shutil.copytree(ROOT / "content", root / "content")
    shutil.copytree(ROOT / "templates" / "labels", root / "templates" / "labels")
    (root / "profiles" / "providers").mkdir(parents=True)
    write_yaml(root / "profiles" / "providers" / "prov.yaml", data)
    path = write_yaml(root / "profiles" / "c.yaml", {**GOOD, "provider": "prov"})
    result = run(["validate", "--root", str(root), str(path)])
    assert result.exit_code == 1
    assert "profiles/providers/prov.yaml: " in result.output
    assert expected in result.output, result.output


def test_schema_lists_counties_and_features():
    import json
    result = run(["schema", "--root", str(ROOT)])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    county = schema["profile"]["properties"]["wellbeing_county"]["anyOf"][0]["enum"]
    assert "Pirkanmaa" in county and "Birkaland" in county and len(county) == 43  # Satakunta is the same in sv
    assert "additionalProperties" in json.dumps(schema["profile"])
    assert "brand_colour" in schema["provider"]["properties"]


def test_every_command_has_help():
    for cmd in main.commands.values():
        assert cmd.help and "Example:" in cmd.help, cmd.name
        assert run([cmd.name, "--help"]).exit_code == 0


def test_every_sample_profile_validates():
    result = run(["validate", "--root", str(ROOT), str(ROOT / "profiles")])
    assert result.exit_code == 0, result.output

"""Client registers: a .csv or .xlsx, one client per row, validated and built like profile files; toolkit import."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.inputs.load import load_profiles
from tests.conftest import ROOT, SAMPLE_EPOCH, write_yaml
from tests.registers import BAD, BAD_LINE, HEADER, IDS, SEVEN, write_csv, write_xlsx


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, list(args), env={"SOURCE_DATE_EPOCH": SAMPLE_EPOCH, **(env or {})})


@pytest.fixture(scope="module")
def built(built_register):
    """The session's build of the seven clients and a bad row (tests/conftest.py): (folder, OUT, CLI result)."""
    register, _, out, result = built_register
    return register.parent, out, result


def test_a_register_builds_and_a_bad_row_fails_alone(built, tmp_path):
    folder, out, result = built
    assert result.exit_code == 1, result.output
    summary = json.loads(result.stdout)
    assert (summary["built"], summary["failed"]) == (7, 1)
    assert sorted(p.parent.name for p in out.glob("*/manifest.json")) == sorted(IDS)
    failed = [line for line in result.stderr.splitlines() if line.startswith("failed: ")]
    assert len(failed) == 1
    assert failed[0].endswith(BAD_LINE)
    # a toolkit built from a register row (one with the needs chart) passes the same checks as any other
    shutil.copytree(out / "hoiva-zeta", tmp_path / "out" / "hoiva-zeta")
    check = run("check", str(tmp_path / "out"))
    assert check.exit_code == 0, check.output


def test_the_same_register_as_xlsx_is_the_same_input(built, tmp_path):
    """Numbers and dates typed as Excel types them read as the CSV's text: every client is up to date."""
    folder, out, _ = built
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    register = write_xlsx(tmp_path / "asiakkaat.xlsx", [HEADER] + SEVEN + [BAD])
    result = run("build", "--root", str(ROOT), str(register), "--data", str(folder / "tarvetiedot.csv"), "-o",
                 str(copy), "-j", "1", "--depfile", "--json")
    summary = json.loads(result.stdout)
    assert (summary["up_to_date"], summary["built"], summary["failed"]) == (7, 0, 1), result.stderr
    assert "asiakkaat.xlsx: row 9: employees: " in result.stderr


def test_the_depfile_of_a_register_client_names_the_register(built):
    folder, out, _ = built
    rule = (out / "hoiva-alfa" / "toolkit.d").read_text()
    deps = rule.split(":", 1)[1]
    assert str(folder / "asiakkaat.csv") in deps and "profiles/providers/example-ohs.yaml" in deps


def test_editing_one_row_rebuilds_one_client(built, tmp_path):
    """The build key of a register client is its row's values: moving rows or editing another leaves it alone."""
    folder, out, _ = built
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    rows = [list(r) for r in SEVEN]
    rows[1][4] = "23"  # hoiva-beta grows by one employee
    rows.insert(0, rows.pop())  # and the construction firm moves to the top
    register = write_csv(tmp_path / "asiakkaat.csv", [HEADER] + rows)
    result = run("build", "--root", str(ROOT), str(register), "--data", str(folder / "tarvetiedot.csv"), "-o",
                 str(copy), "-j", "1", "--depfile", "--json")
    summary = json.loads(result.stdout)
    assert (summary["built"], summary["up_to_date"]) == (1, 6), result.stderr
    assert [r["id"] for r in summary["results"] if r["status"] == "built"] == ["hoiva-beta"]


def profiles_of(path: Path, project, library) -> dict:
    loaded, problems = load_profiles([path], project, library)
    assert not problems, [str(p) for p in problems]
    return {lp.profile.id: lp.profile for lp in loaded}


def test_csv_and_xlsx_registers_give_the_profiles_a_profile_file_would(tmp_path, project, library):
    csv_clients = profiles_of(write_csv(tmp_path / "a.csv", [HEADER] + SEVEN), project, library)
    xlsx_clients = profiles_of(write_xlsx(tmp_path / "a.xlsx", [HEADER] + SEVEN), project, library)
    text_xlsx = profiles_of(write_xlsx(tmp_path / "b.xlsx", [HEADER] + SEVEN, typed=False), project, library)
    assert csv_clients == xlsx_clients == text_xlsx and list(csv_clients) == IDS
    alfa = csv_clients["hoiva-alfa"]
    assert (alfa.industry, alfa.employees, alfa.work_features) == ("87.10", 45, ("shift_work", "night_work"))
    assert str(alfa.plan_period.start) == "2027-01-01" and alfa.provider == "example-ohs"
    assert csv_clients["rakennus-eta"].employees == 1200  # "1 200", as a Finnish spreadsheet writes it
    assert csv_clients["hoiva-zeta"].work_features == ("lone_work", "emotionally_demanding_work")
    loaded, _ = load_profiles([tmp_path / "a.csv"], project, library)
    assert loaded[0].path.endswith("a.csv: row 2") and loaded[0].source.endswith("a.csv")


def test_comma_separated_quoted_csv_without_bom(tmp_path, project, library):
    rows = [HEADER] + [r[:8] + ["shift_work, night_work"] + r[9:] for r in SEVEN[:2]]
    clients = profiles_of(write_csv(tmp_path / "c.csv", rows, delimiter=",", bom=False), project, library)
    assert clients["hoiva-beta"].work_features == ("shift_work", "night_work")


@pytest.mark.parametrize("header", [
    ["Tunnus", "Nimi", "Y-tunnus", "Toimiala", "Henkilöstömäärä", "Sopimuksen laajuus", "Kieli", "Hyvinvointialue",
     "Työn piirteet", "Suunnitelma alkaa", "Suunnitelma päättyy", "Palveluntuottaja"],
    ["Kod", "Namn", "FO-nummer", "Bransch", "Antal anställda", "Avtalets omfattning", "Språk", "Välfärdsområde",
     "Arbetets drag", "Planen börjar", "Planen slutar", "Tjänsteproducent"],
], ids=["fi", "sv"])
def test_finnish_and_swedish_column_names(tmp_path, project, library, header):
    english = profiles_of(write_csv(tmp_path / "en.csv", [HEADER] + SEVEN), project, library)
    assert profiles_of(write_csv(tmp_path / "own.csv", [header] + SEVEN), project, library) == english


def problems_of(path: Path, project, library) -> list[str]:
    return [str(p) for p in load_profiles([path], project, library).problems]


def test_header_problems_name_the_column_and_what_is_allowed(tmp_path, project, library):
    header = ["id", "name", "industry", "employes", "contract_scope", "#muistiinpanot"]
    rows = [header, ["a", "A Oy", "47.19", "5", "preventive_only", "soita maanantaina"]]
    (problem,) = problems_of(write_csv(tmp_path / "r.csv", rows), project, library)
    assert "r.csv: employes: unknown column. Did you mean 'employees'? Allowed: id, name, business_id" in problem
    rows = [["id", "name", "industry", "employees"], ["a", "A Oy", "47.19", "5"]]
    (problem,) = problems_of(write_csv(tmp_path / "s.csv", rows), project, library)
    assert "row 1 (the header) has no column contract_scope" in problem
    rows = [["client_id", "indicator", "period", "value", "n"], ["a", "kela_90_day_notifications", "2026", "1", ""]]
    (problem,) = problems_of(write_csv(tmp_path / "data.csv", rows), project, library)
    assert "is a needs data file" in problem and "--data FILE" in problem


def test_notes_columns_are_not_read(tmp_path, project, library):
    rows = [HEADER + ["#muistiinpanot"]] + [r + ["soita maanantaina"] for r in SEVEN[:1]]
    assert list(profiles_of(write_csv(tmp_path / "r.csv", rows), project, library)) == ["hoiva-alfa"]


def test_row_problems_name_the_row_and_the_column_as_written(tmp_path, project, library):
    header = ["Tunnus", "Nimi", "Toimiala", "Henkilöstömäärä", "Sopimuksen laajuus", "Suunnitelma alkaa"]
    rows = [header, ["hyva", "Hyvä Oy", "47.19", "5", "preventive_only", ""],
            ["", "Nimetön Oy", "47.19", "5", "preventive_only", ""],
            ["paha", "Paha Oy", "47.19", "5", "preventive", "2027-01-01"],
            ["hyva", "Toinen Oy", "47.19", "5", "preventive_only", ""]]
    problems = problems_of(write_csv(tmp_path / "asiakkaat.csv", rows), project, library)
    assert any(p.endswith("asiakkaat.csv: row 3: Tunnus: must not be empty: the column is required") for p in problems)
    assert any("asiakkaat.csv: row 4: Sopimuksen laajuus: Input should be 'preventive_only' or 'with_medical_care' "
               "(got 'preventive') Did you mean 'preventive_only'?" in p for p in problems)
    assert any("asiakkaat.csv: row 4: plan_end: plan_start and plan_end go together" in p for p in problems)
    assert any("asiakkaat.csv: row 5: id: 'hyva' is already used by " in p and p.endswith(
        "asiakkaat.csv: row 2; ids must be unique") for p in problems)
    loaded, _ = load_profiles([tmp_path / "asiakkaat.csv"], project, library)
    assert [lp.profile.id for lp in loaded] == ["hyva"]  # the invalid rows fail alone


def test_unreadable_registers_get_one_line(tmp_path, project, library):
    (tmp_path / "latin1.csv").write_bytes(";".join(HEADER).encode() + "\nä;Ä Oy".encode("latin-1"))
    (problem,) = problems_of(tmp_path / "latin1.csv", project, library)
    assert "not UTF-8 text" in problem and "CSV UTF-8" in problem
    (tmp_path / "fake.xlsx").write_text("id;name\n")
    (problem,) = problems_of(tmp_path / "fake.xlsx", project, library)
    assert "is not an Excel .xlsx workbook" in problem
    rows = [HEADER, SEVEN[0] + ["", "stray"]]
    (problem,) = problems_of(write_csv(tmp_path / "stray.csv", rows), project, library)
    assert "row 2: column N has a value but no name in the header row" in problem


def test_a_folder_is_scanned_for_registers_too(tmp_path, project, library):
    write_csv(tmp_path / "asiakkaat.csv", [HEADER] + SEVEN[:2])
    write_yaml(tmp_path / "oma.yaml", {"id": "oma", "client": {"name": "Oma Oy"}, "industry": "47.19",
                                       "employees": 5, "contract_scope": "preventive_only"})
    assert sorted(profiles_of(tmp_path, project, library)) == ["hoiva-alfa", "hoiva-beta", "oma"]


def test_explain_a_client_of_a_register(tmp_path):
    register = write_csv(tmp_path / "asiakkaat.csv", [HEADER] + SEVEN)
    result = run("explain", "--root", str(ROOT), str(register), "--client", "vard-gamma")
    assert result.exit_code == 0, result.output
    assert "vard-gamma — Vårdhem Gamma Ab [sv]" in result.output
    result = run("explain", "--root", str(ROOT), str(register))
    assert result.exit_code == 2 and "holds 7 clients; name one with --client ID" in result.output


def test_import_writes_one_profile_per_row_and_round_trips(tmp_path, project, library):
    register = write_csv(tmp_path / "asiakkaat.csv", [HEADER] + SEVEN)
    folder = tmp_path / "profiles"
    result = run("import", "--root", str(ROOT), str(register), "-o", str(folder))
    assert result.exit_code == 0, result.output
    assert sorted(p.stem for p in folder.glob("*.yaml")) == sorted(IDS)
    assert profiles_of(folder, project, library) == profiles_of(register, project, library)
    text = (folder / "hoiva-alfa.yaml").read_text()
    assert 'industry: "87.10"' in text or "industry: '87.10'" in text  # quoted, so YAML keeps the trailing zero
    stamps = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}

    result = run("import", "--root", str(ROOT), str(register), "-o", str(folder))
    assert "0 created, 0 updated, 7 unchanged" in result.stderr
    assert stamps == {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}  # nothing rewritten

    rows = [list(r) for r in SEVEN]
    rows[1][4], rows[1][10] = "23", "2027-06-30"
    write_csv(register, [HEADER] + rows)
    result = run("import", "--root", str(ROOT), str(register), "-o", str(folder))
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [f"updated {folder / 'hoiva-beta.yaml'}: employees, plan_period.end"]
    assert "0 created, 1 updated, 6 unchanged" in result.stderr
    assert profiles_of(folder, project, library) == profiles_of(register, project, library)


def test_import_never_overwrites_another_clients_file_and_skips_bad_rows(tmp_path):
    folder = tmp_path / "profiles"
    folder.mkdir()
    write_yaml(folder / "hoiva-alfa.yaml", {"id": "someone-else"})
    write_yaml(folder / "oma.yaml", {"id": "oma"})
    register = write_csv(tmp_path / "asiakkaat.csv", [HEADER] + SEVEN[:2] + [BAD])
    result = run("import", "--root", str(ROOT), str(register), "-o", str(folder))
    assert result.exit_code == 1
    assert "hoiva-alfa.yaml: not written: holds the client 'someone-else', not 'hoiva-alfa'" in result.stderr
    assert "asiakkaat.csv: row 4: employees: " in result.stderr
    assert "1 other profile(s)" in result.stderr and "1 invalid row(s) not imported" in result.stderr
    assert not (folder / "hoiva-iota.yaml").exists() and (folder / "hoiva-beta.yaml").exists()


def test_oversized_registers_are_refused_with_one_line(tmp_path, project, library, monkeypatch):
    """The limits (tests lower them: a real register would take too long to write) hold for both formats."""
    import generator.inputs.table as table

    register = write_csv(tmp_path / "a.csv", [HEADER] + SEVEN)
    workbook = write_xlsx(tmp_path / "a.xlsx", [HEADER] + SEVEN)
    monkeypatch.setattr(table, "MAX_ROWS", 5)
    for path in (register, workbook):
        (problem,) = problems_of(path, project, library)
        assert problem.endswith(f"{path.name}: more than 5 rows; split the file"), problem
    monkeypatch.setattr(table, "MAX_UNPACKED", workbook.stat().st_size)  # compressed, so it unpacks to more
    (problem,) = problems_of(workbook, project, library)
    assert "a.xlsx: unpacks to more than" in problem
    monkeypatch.setattr(table, "MAX_BYTES", 100)
    (problem,) = problems_of(register, project, library)
    assert problem.endswith("a.csv: file is larger than 100 bytes, the most allowed")

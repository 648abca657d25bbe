"""Needs data (--data): the client's own figures in its plan, peer medians, the anonymity floor, suggested needs,
the chart, and a data file refused whole when it could hold personal data."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.errors import InputError
from generator.inputs.figures import MIN_PEERS
from generator.inputs.load import Project, load_profiles
from generator.inputs.needs import load_data, with_data
from generator.select import select
from tests.conftest import ROOT, SAMPLE_EPOCH, docx_text
from tests.docx_controls import read_controls
from tests.registers import BAD_LINE, DATA_HEADER, IDS, needs_rows, write_csv, write_xlsx

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"


def run(*args: str):
    return CliRunner().invoke(main, list(args), env={"SOURCE_DATE_EPOCH": SAMPLE_EPOCH})


def text_of(path: Path) -> str:
    """The plan's text, with the no-break spaces of numbers ("41\u00a0%") as plain spaces."""
    return docx_text(path).replace("\u00a0", " ")


@pytest.fixture(scope="module")
def files(built_register):
    """The register (seven clients and a bad row 9) and the needs data file of the session's build."""
    return built_register[:2]


@pytest.fixture(scope="module")
def built(built_register):
    """The seven clients built with their needs data (tests/conftest.py); the bad row fails alone."""
    out, result = built_register[2:]
    assert json.loads(result.stdout)["built"] == 7, result.output
    return out, result


def clients(files, project, library, rows=None):
    register, data = files
    loaded, problems = load_profiles([register], project, library)
    assert len(problems) == 1 and str(problems[0]).endswith(BAD_LINE)
    rows = rows if rows is not None else load_data(data, "tarvetiedot.csv", library)
    return {lp.profile.id: lp for lp in with_data(loaded, rows, library, "tarvetiedot.csv")[0]}


def plan_for(lp, library, project, previous=None):
    return select(lp.profile, library, lp.provider, lp.profile.provider, project.workspace, previous=previous,
                  data=lp.data)


# ---- the plan -------------------------------------------------------------------------------------------------

def test_the_plan_shows_the_clients_figures_and_the_peer_median(built):
    out, _ = built
    zeta = text_of(out / "hoiva-zeta" / "action-plan.docx")
    # the care clients' absence days are 9.0, 10.1, 11.2, 12.3, 13.4 and 14.5: zeta's five peers' median is 11.2
    assert "14,5 päivää henkilötyövuotta kohden (keskimäärin 40 työntekijää)" in zeta
    assert "vertailuryhmän mediaani 11,2 (5 saman toimialan työpaikkaa)" in zeta
    assert "Sairauspoissaolotiedot" in zeta and "\n2026\n" in zeta
    # the construction firm has no peers in its industry group: said so, no median
    eta = text_of(out / "rakennus-eta" / "action-plan.docx")
    assert "15,6 päivää henkilötyövuotta kohden" in eta and "ei vertailua: alle 5 saman toimialan työpaikkaa" in eta
    assert "vertailuryhmän mediaani" not in eta.replace("Vertailuryhmän mediaani", "")


def test_a_survey_figure_of_3_respondents_is_not_shown_and_one_of_12_is(built):
    out, _ = built
    beta = text_of(out / "hoiva-beta" / "action-plan.docx")
    assert "alle 5 vastaajaa, ei näytetä" in beta
    assert "23,5" not in beta and "23.5" not in beta
    chart_alt = " ".join(_alt_texts(out / "hoiva-beta" / "action-plan.docx"))
    assert "23,5" not in chart_alt and "Kiire ja aikapaine" not in chart_alt
    zeta = text_of(out / "hoiva-zeta" / "action-plan.docx")
    assert "41 % vastaajista kokee kuormittavaksi (12 vastaajaa)" in zeta


def _alt_texts(path: Path) -> list[str]:
    from lxml import etree

    root = etree.fromstring(zipfile.ZipFile(path).read("word/document.xml"))
    return [pr.get("descr") for pr in root.iter(f"{WP}docPr")]


def test_the_plan_has_a_chart_with_the_numbers_in_its_alt_text(built):
    out, _ = built
    path = out / "hoiva-zeta" / "action-plan.docx"
    (alt,) = [a.replace("\u00a0", " ") for a in _alt_texts(path) if a.startswith("Pylväskaavio")]
    for expected in ("Sairauspoissaolot (2026): 14,5 päivää", "vertailuryhmän mediaani 11,2",
                     "Kiire ja aikapaine (2026): 41 % vastaajista", "ei vertailua"):
        assert expected in alt, expected
    media = [n for n in zipfile.ZipFile(path).namelist() if n.startswith("word/media/")]
    assert len(media) == 1 and media[0].endswith(".png")


def test_suggested_needs_are_prefilled_and_linked_to_factors_and_actions(built, files, project, library):
    out, _ = built
    controls = {k: v.replace("\u00a0", " ") for k, v in read_controls((out / "hoiva-zeta" / "action-plan.docx")
                                                                        .read_bytes())}
    needs = [controls[f"need.{i}.need"] for i in range(1, 6)]
    assert needs[0].startswith("Sairauspoissaoloja on enemmän kuin vertailutyöpaikoilla")
    assert "Vähennettävä kuormitustekijä: Kiire ja aikapaine" in needs
    evidence = controls[f"need.{needs.index('Vähennettävä kuormitustekijä: Kiire ja aikapaine') + 1}.evidence"]
    assert evidence.startswith("Työpaikan kysely, 2026: 41 % vastaajista kokee kuormittavaksi (12 vastaajaa)")
    assert "Esimerkkitoimenpiteitä: Työmäärä ja työn järjestelyt käydään säännöllisesti yhdessä läpi" in evidence
    # the factor's row in the load-factor table: ticked, with the figure as its evidence
    assert controls["load.arrangements.time-pressure.present"] == "1"
    assert controls["load.arrangements.time-pressure.notes"].startswith("Työpaikan kysely, 2026: 41 %")
    assert controls["load.arrangements.amount.present"] == "0"
    plan = plan_for(clients(files, project, library)["hoiva-zeta"], library, project)
    linked = next(s for s in plan.data.suggested if s.id == "data.survey.load.arrangements.time-pressure")
    assert linked.factors == ("load.arrangements.time-pressure",)
    assert "action.community.workload-review" in linked.actions
    absence = next(s for s in plan.data.suggested if s.id == "data.absence_days_per_person_year")
    assert absence.factors == ("load.arrangements.time-pressure",)  # what the survey brought up, behind it


def test_suggested_needs_come_after_last_rounds_needs(files, project, library):
    from generator.record import Need, Record
    from generator.render.docx import render_docx

    lp = clients(files, project, library)["hoiva-zeta"]
    record = Record(client="hoiva-zeta", language="fi", files=(),
                    needs=(Need(id="need.1", need="Kiireiset aamuvuorot", evidence="kehityskeskustelut 2026"),))
    plan = plan_for(lp, library, project, previous=record)
    controls = dict(read_controls(render_docx(plan, project.templates_dir)))
    assert controls["need.1.need"] == "Kiireiset aamuvuorot"
    assert controls["need.2.need"] == plan.data.suggested[0].need
    assert controls["need.2.evidence"] == plan.data.suggested[0].evidence
    assert "\n  N2 data.absence_days_per_person_year: " in plan.summary()


def test_the_plan_is_byte_identical_across_processes(built, files, project, library):
    """The worker's plan (chart included) equals one rendered here: nothing depends on the process or time."""
    from generator.render.docx import render_docx

    out, _ = built
    os.environ["SOURCE_DATE_EPOCH"] = SAMPLE_EPOCH
    try:
        here = render_docx(plan_for(clients(files, project, library)["hoiva-zeta"], library, project),
                           project.templates_dir)
    finally:
        del os.environ["SOURCE_DATE_EPOCH"]
    assert here == (out / "hoiva-zeta" / "action-plan.docx").read_bytes()


def test_the_chart_is_the_same_png_under_any_hash_seed(tmp_path):
    script = ("import sys; from pathlib import Path; from generator.render.chart import Bar, draw; "
              "bars = [Bar('Sairauspoissaolot (2026)', '14,5 päivää', 14.5, '14,5', 11.2, '11,2', False), "
              "Bar('Kiire ja aikapaine (2026)', '', 41.0, '41 %', None, 'ei vertailua', True)]; "
              f"sys.stdout.buffer.write(draw(bars, 'Teidän työpaikkanne', 'Vertailuryhmän mediaani', '#1F6F5C', "
              f"Path({str(ROOT / 'templates' / 'fonts')!r})))")
    pngs = [subprocess.run([sys.executable, "-c", script], capture_output=True, check=True, cwd=ROOT,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")]
    assert pngs[0] == pngs[1] and pngs[0].startswith(b"\x89PNG")


def test_a_changed_figure_rebuilds_that_client_and_figures_stay_out_of_logs(built, files, tmp_path):
    out, result = built
    # How long the build took is no figure of a client's, and may happen to read "11.2"
    output = re.sub(r'\bin \d+(?:\.\d+)? s\b|"seconds": [\d.]+', "", result.output)
    for figure in ("14,5", "14.5", "11,2", "11.2", "41 %"):
        assert figure not in output, figure
    deps = (out / "hoiva-zeta" / "toolkit.d").read_text().split(":", 1)[1]
    assert str(files[0]) in deps and str(files[1]) in deps  # the register and the data file, as whole files
    manifest = (out / "hoiva-zeta" / "manifest.json").read_text()
    assert '"data": "' in manifest and "14.5" not in manifest and "14,5" not in manifest
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    rows = [r if r[:2] != ["rakennus-eta", "absence_days_per_person_year"] else r[:3] + ["16,0", "40"]
            for r in needs_rows()]
    data = write_csv(tmp_path / "tarvetiedot.csv", rows)
    again = run("build", "--root", str(ROOT), str(files[0]), "--data", str(data), "-o", str(copy), "-j", "1",
                "--depfile", "--json")
    summary = json.loads(again.stdout)
    assert [r["id"] for r in summary["results"] if r["status"] == "built"] == ["rakennus-eta"]
    assert summary["up_to_date"] == 6


def test_explain_shows_what_the_data_suggested_and_why(files):
    register, data = files
    result = run("explain", "--root", str(ROOT), str(register), "--client", "hoiva-zeta", "--data", str(data))
    assert result.exit_code == 0, result.output
    text = result.output.replace("\u00a0", " ")
    assert "Tarvetiedot tiedostosta " in text
    assert ("  absence_days_per_person_year 2026: 14,5 päivää henkilötyövuotta kohden (keskimäärin 40 työntekijää); "
            "vertailuryhmän mediaani 11,2 (5 saman toimialan työpaikkaa)\n"
            "    → N1 ehdotettu tarve: vähintään 10 % yli vertailuryhmän mediaanin") in text
    assert "→ N4 ehdotettu tarve: vähintään työkalun huomioraja 30 %" in text
    assert "    esimerkkitoimenpiteet: action.community.workload-review" in text
    beta = run("explain", "--root", str(ROOT), str(register), "--client", "hoiva-beta", "--data", str(data)).output
    beta = beta.replace("\u00a0", " ")
    assert "survey.load.arrangements.time-pressure 2026: alle 5 vastaajaa, ei näytetä" in beta
    assert "23,5" not in beta


# ---- peers ------------------------------------------------------------------------------------------------------

def test_peer_medians_need_five_peers_and_hidden_figures_never_count(files, project, library):
    by_id = clients(files, project, library)
    absence = {c: next(f for f in lp.data.figures if f.indicator == "absence_days_per_person_year")
               for c, lp in by_id.items()}
    assert absence["hoiva-zeta"].peer_median == pytest.approx(11.2) and absence["hoiva-zeta"].peers == 5
    assert absence["hoiva-alfa"].period == "2026"  # the latest period; its 2025 figure is not compared
    assert absence["rakennus-eta"].peer_median is None and absence["rakennus-eta"].peers == 0
    pressure = {c: next(f for f in lp.data.figures if f.indicator == "survey.load.arrangements.time-pressure")
                for c, lp in by_id.items()}
    assert pressure["hoiva-beta"].hidden and pressure["hoiva-beta"].value is None and pressure["hoiva-beta"].n is None
    # beta's 3-respondent figure is left out of everyone's peers: four remain, too few for a median
    assert pressure["hoiva-zeta"].peers == MIN_PEERS - 1 and pressure["hoiva-zeta"].peer_median is None


def test_shards_compute_the_same_peer_figures_as_the_whole_build(files, monkeypatch):
    import generator.build as b

    seen: dict[str, object] = {}

    def capture(profiles, *args, **kwargs):
        seen.update({lp.profile.id: lp.data for lp in profiles})
        return b.Summary()
    monkeypatch.setattr(b, "build_all", capture)
    register, data = files
    args = ["build", "--root", str(ROOT), str(register), "--data", str(data), "-o", str(register.parent / "x")]
    run(*args)
    whole, seen_ids = dict(seen), set(seen)
    seen.clear()
    for k in (1, 2):
        run(*args, "--shard", f"{k}/2")
    assert set(seen) == seen_ids == set(IDS)
    assert seen == whole


def test_a_data_file_as_xlsx_reads_the_same(files, library, tmp_path):
    csv_rows = load_data(files[1], "d", library)
    xlsx_rows = load_data(write_xlsx(tmp_path / "tarvetiedot.xlsx", needs_rows(), sheet="Tarvetieto"), "d", library)
    assert [(r.client_id, r.indicator, r.period, r.value, r.n) for r in csv_rows] == \
           [(r.client_id, r.indicator, r.period, r.value, r.n) for r in xlsx_rows]


# ---- refused files ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("column", ["hetu", "name", "employee"])
def test_a_personal_data_column_refuses_the_file(library, tmp_path, column):
    rows = [DATA_HEADER + [column]] + [r + ["x"] for r in needs_rows()[1:]]
    with pytest.raises(InputError) as err:
        load_data(write_csv(tmp_path / "tarvetiedot.csv", rows), "tarvetiedot.csv", library)
    (problem,) = err.value.problems
    assert f"tarvetiedot.csv: column '{column}' not allowed: a needs data file holds only the columns client_id, " \
           "indicator, period, value, n" in str(problem) and "nothing is built from it" in str(problem)


def test_a_refused_data_file_builds_nothing_and_says_so_in_one_line(files, tmp_path):
    rows = [DATA_HEADER + ["hetu"]] + [r + ["x"] for r in needs_rows()[1:]]
    data = write_csv(tmp_path / "tarvetiedot.csv", rows)
    out = tmp_path / "out"
    result = run("build", "--root", str(ROOT), str(files[0]), "--data", str(data), "-o", str(out), "-j", "1")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and lines[1] == "Aborted: 1 error in 1 file."
    assert "tarvetiedot.csv: column 'hetu' not allowed: " in lines[0]
    assert not out.exists() or not list(out.glob("*/manifest.json"))


@pytest.mark.parametrize("name, hint", [("tarvetiedot.xls", True), ("tarvetiedot.txt", False), ("tarvetiedot", False)])
def test_a_data_file_that_is_not_csv_or_xlsx_is_refused_by_its_name(library, tmp_path, name, hint):
    data = tmp_path / name
    data.write_bytes(b"\xd0\xcf\x11\xe0 an old Excel file")
    with pytest.raises(InputError) as err:
        load_data(data, name, library)
    (problem,) = err.value.problems
    assert str(problem).startswith(f"{name}: must be a .csv or .xlsx file, not '")
    assert ("save it from Excel as .xlsx or as CSV" in str(problem)) == hint


@pytest.mark.parametrize("row, column", [
    (["hoiva-alfa", "kela_90_day_notifications", "2026", "1", "010190-123A"], "E"),
    (["hoiva-alfa", "kela_90_day_notifications", "2026 311299A987J", "1", ""], "C"),
    (["131052-308T", "kela_90_day_notifications", "2026", "1", ""], "A"),
])
def test_a_personal_identity_code_anywhere_refuses_the_file_without_echoing_it(files, library, tmp_path, row, column):
    data = write_csv(tmp_path / "tarvetiedot.csv", needs_rows() + [row])
    with pytest.raises(InputError) as err:
        load_data(data, "tarvetiedot.csv", library)
    (problem,) = err.value.problems
    last = len(needs_rows()) + 1
    assert str(problem).startswith(f"tarvetiedot.csv: row {last}, column {column}: a value looks like a Finnish personal "
                                   "identity code (henkilötunnus)")
    assert not re.search(r"\d{6}[-+A]\d{3}", str(problem))


def test_row_problems_name_row_and_column_and_never_echo_a_figure(library, tmp_path):
    rows = [DATA_HEADER,
            ["hoiva-alfa", "survey.load.social.leadershp", "2026", "40", "12"],
            ["hoiva-alfa", "survey.tyytyvaisyys", "2026", "40", "12"],
            ["hoiva-alfa", "absence_days", "2026", "12", "40"],
            ["hoiva-alfa", "mental_health_absence_share", "2026", "137", "12"],
            ["hoiva-alfa", "survey.response_rate", "2026", "62", ""],
            ["hoiva-alfa", "kela_90_day_notifications", "viime vuosi", "1", ""],
            ["Hoiva Alfa", "kela_90_day_notifications", "2026", "1", ""],
            ["hoiva-beta", "kela_90_day_notifications", "2026", "1", ""],
            ["hoiva-beta", "kela_90_day_notifications", "2026", "2", ""]]
    with pytest.raises(InputError) as err:
        load_data(write_csv(tmp_path / "d.csv", rows), "d.csv", library)
    problems = [str(p) for p in err.value.problems]
    assert problems[0] == ("d.csv: row 2: indicator: unknown survey factor 'survey.load.social.leadershp'. "
                           "Did you mean 'survey.load.social.leadership'? (all 51: toolkit schema --kind data)")
    assert problems[1].startswith("d.csv: row 3: indicator: unknown survey factor 'survey.tyytyvaisyys'. Allowed: ")
    assert problems[2].startswith("d.csv: row 4: indicator: unknown indicator 'absence_days'. Did you mean "
                                  "'absence_days_per_person_year'? Allowed: ")
    assert problems[3] == "d.csv: row 5: value: must be a percentage, 0-100"
    assert problems[4].startswith("d.csv: row 6: n: must not be empty for survey.response_rate")
    assert problems[5].startswith("d.csv: row 7: period: must start with the year")
    assert problems[6].startswith("d.csv: row 8: client_id: must be a client's id") and "Hoiva Alfa" not in problems[6]
    assert problems[7] == "d.csv: row 10: the same client_id, indicator and period as row 9; keep one of them"
    assert not any("137" in p for p in problems)


def test_schema_publishes_every_indicator_with_its_unit():
    result = run("schema", "--kind", "data", "--root", str(ROOT))
    schema = json.loads(result.output)
    units = {i["id"]: i["unit"] for i in schema["x-indicators"]}
    assert units["absence_days_per_person_year"] == "days" and units["kela_90_day_notifications"] == "count"
    assert units["survey.load.social.leadership"] == "percent" == units["survey.resource.community.support"]
    assert schema["additionalProperties"] is False and set(schema["properties"]) == set(DATA_HEADER)
    rules = {i["id"]: i["suggests_a_need"] for i in schema["x-indicators"]}
    assert rules["survey.load.social.leadership"] == "at or above 30 %, or 10 percentage points or more above " \
                                                     "the peer median"


def test_what_an_action_addresses_is_checked(tmp_path):
    for folder in ("content", "templates"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    actions = tmp_path / "content" / "items" / "25-actions.yaml"
    text = actions.read_text(encoding="utf-8")
    actions.write_text(text.replace("addresses: [load.social.cooperation,", "addresses: [load.social.cooperaton,", 1),
                       encoding="utf-8")
    with pytest.raises(InputError) as err:
        Project.checkout(tmp_path).load_library()
    (problem,) = err.value.problems
    assert str(problem).startswith("content/items/25-actions.yaml: action.community.ground-rules.addresses: "
                                   "'load.social.cooperaton' is neither a needs-data indicator")
    assert "Did you mean 'load.social.cooperation'?" in str(problem)

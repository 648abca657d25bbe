"""Provider summary: 12 synthetic clients over three industry groups (6, 4 and 2 clients) and two size bands,
read back as a spreadsheet user would: the CSV with Python's csv module, the workbook with openpyxl."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from conftest import SAMPLE_EPOCH, make_profile
from openpyxl import load_workbook

from generator.record import Action, Record, SourceFile
from generator.returns.summary import ClientSummary, write_summary
from generator.select import select

# id -> (TOL code, employees, language): social and health care c01-c06, education c07-c10, construction c11-c12;
# odd numbers 20-49 employees, even numbers 50+; plans in all three languages.
CLIENTS = {f"c{n:02d}": ("87.10" if n <= 6 else "85.31" if n <= 10 else "41.20", 25 if n % 2 else 60,
                         ("fi", "sv", "en")[(n - 1) // 4]) for n in range(1, 13)}
ACTORS_MET = {"c01", "c02", "c03", "c04", "c07", "c11"}  # who ticked collab.structures.actors-named
FORMULA_NAME = '=HYPERLINK("http://example.invalid";"click")'
PLAN_FILE = SourceFile(kind="action-plan", file="in/c.docx", sha256="a" * 64, modified="2027-03-01T10:00:00Z")
LISTS_FILE = SourceFile(kind="checklists", file="in/c.pdf", sha256="b" * 64, modified="2027-03-02T22:30:00Z")
HEADER = ["ID", "Client", "Industry group", "Size band", "Contract scope", "Returned", "Returned documents",
          "Prerequisites met", "Prerequisites in all", "Actions done", "Agreed actions"]
REQUIRED_SHEETS = ("Structures", "Ways of working", "Planning", "Needs data", "Follow-up")


def _actions(cid: str) -> tuple[Action, ...]:
    def act(n: int, status: str, origin: str = "example") -> Action:
        return Action(id=f"action.x{n}", block="community", origin=origin, what=f"Action {n}", status=status)
    if cid == "c01":  # 5 agreed (not done and a row without a status count), 2 untouched suggestions do not
        return (act(1, "done"), act(2, "done"), act(3, "in_progress"), act(4, "not_done"),
                act(5, "", origin="user-row"), act(6, "suggested"), act(7, "suggested"))
    return act(1, "done"), act(2, "planned"), act(3, "suggested")


def _record(plan, cid: str) -> Record:
    answers = {e.id: True for _, items in plan.checklists() for e in items}
    answers["collab.structures.actors-named"] = cid in ACTORS_MET
    if cid == "c05":  # one prerequisite unmet, one left unanswered
        answers["collab.ways.critical-review"] = False
        del answers["collab.ways.clear-language"]
    if cid == "c06":  # the action plan came back without any checklist answers
        answers = {}
    files = (PLAN_FILE,) if cid == "c06" else (LISTS_FILE,) if cid == "c12" else (PLAN_FILE, LISTS_FILE)
    return Record(client=cid, language=plan.language, files=files, checklist_items=answers,
                  actions=() if cid == "c12" else _actions(cid))


@pytest.fixture(scope="module")
def rows(library):
    out = []
    for cid, (tol, employees, lang) in reversed(CLIENTS.items()):  # given unsorted: the summary sorts
        name = FORMULA_NAME if cid == "c04" else f"Client {cid}"
        plan = select(make_profile(id=cid, client={"name": name}, industry=tol, employees=employees,
                                   language=lang), library)
        out.append(ClientSummary.of(plan, _record(plan, cid)))
    return out


@pytest.fixture(scope="module")
def written(rows, library, tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", SAMPLE_EPOCH)
    try:
        out = tmp_path_factory.mktemp("records")
        paths = write_summary(rows, out, library)
    finally:
        mp.undo()
    return out, paths


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "no BOM: Excel in Finland would not read the file as UTF-8"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def _sheet(ws) -> list[list]:
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_writes_csv_and_workbook_and_nothing_else(written):
    out, paths = written
    assert [p.name for p in paths] == ["summary.csv", "summary.xlsx"]
    assert sorted(p.name for p in out.iterdir()) == ["summary.csv", "summary.xlsx"]  # no temp files left


def test_csv_one_row_per_client_sorted_with_counts(written):
    table = _csv_rows((written[0] / "summary.csv").read_bytes())
    assert table[0] == HEADER
    assert [r[0] for r in table[1:]] == sorted(CLIENTS)
    by_id = {r[0]: dict(zip(HEADER, r)) for r in table[1:]}
    c01 = by_id["c01"]
    assert c01["Industry group"] == "Social and health care" and c01["Size band"] == "20\u201349"
    assert c01["Contract scope"].startswith("preventive occupational health care only")
    assert c01["Returned"] == "2027-03-03", "22:30 UTC on 2 March is 3 March in Finland"
    assert c01["Returned documents"] == "Action plan, Checklists"
    assert (c01["Prerequisites met"], c01["Prerequisites in all"]) == ("7", "7")
    assert (c01["Actions done"], c01["Agreed actions"]) == ("2", "5")
    assert (by_id["c02"]["Prerequisites met"], by_id["c02"]["Actions done"], by_id["c02"]["Agreed actions"]) \
        == ("7", "1", "2")
    assert (by_id["c05"]["Prerequisites met"], by_id["c05"]["Prerequisites in all"]) == ("4", "7")
    assert (by_id["c06"]["Prerequisites met"], by_id["c06"]["Returned"]) == ("", "2027-03-01")
    c12 = by_id["c12"]
    assert (c12["Actions done"], c12["Agreed actions"], c12["Returned documents"]) == ("", "", "Checklists")
    assert by_id["c07"]["Industry group"] == "Education" and by_id["c11"]["Industry group"] == "Construction"
    assert by_id["c10"]["Size band"] == "50+"


def test_csv_names_in_the_summary_language_whatever_the_plan_language(written):
    table = _csv_rows((written[0] / "summary.csv").read_bytes())
    groups = {r[0]: r[2] for r in table[1:]}
    assert groups["c05"] == groups["c01"] == "Social and health care"  # sv and fi plans, one group name


def test_formula_text_is_not_a_formula(written):
    table = _csv_rows((written[0] / "summary.csv").read_bytes())
    assert next(r for r in table if r[0] == "c04")[1] == "'" + FORMULA_NAME
    ws = load_workbook(written[0] / "summary.xlsx").worksheets[0]
    cell = next(row[1] for row in ws.iter_rows(min_row=2) if row[0].value == "c04")
    assert (cell.value, cell.data_type) == (FORMULA_NAME, "s")


def test_first_sheet_is_the_csv_table(written):
    wb = load_workbook(written[0] / "summary.xlsx")
    assert wb.sheetnames[0] == "Clients" and wb.sheetnames[-1] == "About"
    for name in REQUIRED_SHEETS:
        assert name in wb.sheetnames
    table = _csv_rows((written[0] / "summary.csv").read_bytes())

    def as_csv(v):
        return "" if v is None else v.date().isoformat() if isinstance(v, datetime) else str(v)
    sheet = [[as_csv(v) for v in row] for row in _sheet(wb["Clients"])]
    table = [[v[1:] if v.startswith("'=") else v for v in row] for row in table]
    assert sheet == table
    assert wb["Clients"]["F2"].is_date, "the returned date is a date cell, so it sorts and filters as one"


def _columns(ws) -> dict[str, int]:
    header = next(r for r in ws.iter_rows(values_only=True) if r[0] == "No.")
    return {title: i for i, title in enumerate(header) if title}


def test_only_groups_of_five_or_more_are_broken_down(written):
    wb = load_workbook(written[0] / "summary.xlsx")
    for name in REQUIRED_SHEETS:
        ws = wb[name]
        titles = list(_columns(ws))
        assert "All clients (n = 11)" in titles, (name, titles)  # c06 returned no checklist answers
        assert "Social and health care (n = 5)" in titles, (name, titles)  # five answered: just enough
        assert "Size band 20\u201349 (n = 6)" in titles and "Size band 50+ (n = 5)" in titles, (name, titles)
        assert not any(t.startswith(("Education", "Construction")) for t in titles), (name, titles)
        notes = " ".join(str(r[0]) for r in ws.iter_rows(max_row=5, values_only=True) if r[0])
        assert "Not broken down: Education (4), Construction (2)." in notes, notes
        assert "fewer than 5 clients" in notes


def test_shares_by_group(written):
    ws = load_workbook(written[0] / "summary.xlsx")["Structures"]
    cols = _columns(ws)
    row = next(r for r in ws.iter_rows(values_only=True) if str(r[1]).startswith("We have named the right people"))
    assert (row[cols["Met (clients)"]], row[cols["Clients who answered"]]) == (6, 11)
    assert row[cols["All clients (n = 11)"]] == pytest.approx(6 / 11, abs=1e-4)
    assert row[cols["Social and health care (n = 5)"]] == pytest.approx(4 / 5)
    assert row[cols["Size band 20\u201349 (n = 6)"]] == pytest.approx(4 / 6, abs=1e-4)
    assert row[cols["Size band 50+ (n = 5)"]] == pytest.approx(2 / 5)
    assert ws.cell(row=7, column=cols["All clients (n = 11)"] + 1).number_format == "0%"


def test_a_group_cell_with_fewer_than_five_answers_stays_empty(written):
    ws = load_workbook(written[0] / "summary.xlsx")["Ways of working"]
    cols = _columns(ws)
    row = next(r for r in ws.iter_rows(values_only=True) if str(r[1]).startswith("We communicate in clear"))
    assert row[cols["Clients who answered"]] == 10  # c05 left it unanswered, c06 returned no checklists
    assert row[cols["Social and health care (n = 5)"]] is None  # 4 answers in the group
    assert row[cols["All clients (n = 11)"]] == 1.0


def test_each_checklist_sheet_has_a_bar_chart_of_its_shares(written):
    wb = load_workbook(written[0] / "summary.xlsx")
    checklist_sheets = wb.sheetnames[1:-1]
    assert len(checklist_sheets) >= len(REQUIRED_SHEETS)
    for name in checklist_sheets:
        charts = wb[name]._charts
        assert len(charts) == 1, name
        chart = charts[0]
        assert chart.tagname == "barChart" and chart.type == "bar"
        assert len(chart.series) == 4, name  # all clients, one industry group, two size bands


def test_two_runs_give_the_same_files(rows, library, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", SAMPLE_EPOCH)
    a, b = tmp_path / "a", tmp_path / "b"
    write_summary(rows, a, library)
    write_summary(list(reversed(rows)), b, library)
    assert (a / "summary.csv").read_bytes() == (b / "summary.csv").read_bytes()
    wa, wb = load_workbook(a / "summary.xlsx"), load_workbook(b / "summary.xlsx")
    assert wa.sheetnames == wb.sheetnames
    for name in wa.sheetnames:
        assert _sheet(wa[name]) == _sheet(wb[name]), name
    assert wa.properties.created == wa.properties.modified == datetime(2027, 1, 1)
    assert (a / "summary.xlsx").read_bytes() == (b / "summary.xlsx").read_bytes()


def test_headers_in_a_chosen_language(rows, library, tmp_path):
    write_summary(rows, tmp_path, library, language="fi")
    table = _csv_rows((tmp_path / "summary.csv").read_bytes())
    assert table[0][:3] == ["Tunnus", "Asiakas", "Toimialaryhmä"]
    assert {r[2] for r in table[1:]} == {"Sosiaali- ja terveysala", "Koulutus", "Rakentaminen"}
    wb = load_workbook(tmp_path / "summary.xlsx")
    assert wb.sheetnames[:3] == ["Asiakkaat", "Rakenteet", "Toimintatavat"]
    with pytest.raises(ValueError, match="fi, sv or en"):
        write_summary(rows, tmp_path, library, language="de")

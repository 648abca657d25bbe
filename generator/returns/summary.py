"""Provider summary: (Plan, Record) of every client -> RECORDS/summary.csv and RECORDS/summary.xlsx.

One row per client (sorted by id): who it is, when its toolkit came back, how many collaboration prerequisites
are met and how many agreed actions are done. The workbook repeats that table as its first sheet and adds a
sheet per checklist: how often each item is met, over all clients and by industry group and size band, with a
bar chart. A group of fewer than MIN_GROUP clients is not broken down (it counts in the total only), so that no
single client can be picked out and a share of two answers does not pass for a finding.

Definitions (also on the workbook's About sheet):
- returned: the newest saved time of the client's returned documents, as a date in Finland;
- prerequisites: the items of checklist.collab-structures and checklist.collab-ways in the client's plan; met
  is how many the record marks met; empty when no returned document answered any of them;
- actions: total is every action of the record except prefilled examples still at "suggested" (an example
  nobody agreed on is not an agreed action); "not done" and rows people wrote without a status count; done
  is status "done"; both empty when the action plan did not come back.

Words: the headers, names of industry groups, contract scopes and checklist items are in one language, English
unless the caller asks for fi or sv, taken from the content library's labels and items.
The CSV is UTF-8 with a BOM and ';' between fields, which is what Excel expects in Finland (where ',' is the
decimal separator); counts are separate numeric columns, so no "3/7" turns into a date. A value starting with
= + - @ gets a leading apostrophe (the usual guard against formula injection); in the workbook such values
are stored as text. With SOURCE_DATE_EPOCH set, two runs write byte-identical files.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Optional, Sequence

from ..content import Library
from ..files import replace_all, zip_bytes, zip_time
from ..plan import Plan
from ..record import Record
from ..render import build_time
from .follow_up import COLLABORATION, local_date

MIN_GROUP = 5
CSV_NAME, XLSX_NAME = "summary.csv", "summary.xlsx"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SHEET_CHARS = str.maketrans({c: " " for c in "[]:*?/\\"})
COLUMNS = (  # (field of ClientSummary, label key of its header)
    ("id", "report.summary.id"), ("name", "common.client"), ("industry_group", "report.summary.industry_group"),
    ("size_band", "report.summary.size_band"), ("contract_scope", "common.scope"),
    ("returned", "report.summary.returned"), ("documents", "report.summary.documents"),
    ("prerequisites_met", "report.summary.prereq_met"), ("prerequisites_total", "report.summary.prereq_total"),
    ("actions_done", "report.summary.actions_done"), ("actions_total", "report.summary.actions_total"),
)
DOCUMENT_NAMES = {"action-plan": "common.action_plan", "checklists": "common.checklists"}


@dataclass(frozen=True)
class ClientSummary:
    """One client's line of the summary, with its answer to every checklist item of its plan."""

    id: str
    name: str
    industry_group: str  # industry group id (named in the summary's language when written)
    size_band: str
    contract_scope: str  # preventive_only | with_medical_care
    returned: Optional[date]
    documents: tuple[str, ...]  # kinds of the returned files: action-plan, checklists
    prerequisites_met: Optional[int]  # None: no answer came back for any collaboration prerequisite
    prerequisites_total: int
    actions_done: Optional[int]  # None: the action plan did not come back
    actions_total: Optional[int]
    answers: tuple[tuple[str, str, Optional[bool]], ...]  # (checklist id, item id, met; None: no answer)

    @classmethod
    def of(cls, plan: Plan, record: Record) -> "ClientSummary":
        c, items = plan.client, record.checklist_items
        prerequisites = [e.id for cl in COLLABORATION for e in plan.items("checklist_item", cl)]
        answered = [items[i] for i in prerequisites if i in items]
        agreed = [a for a in record.actions if a.status != "suggested"]
        has_plan = record.has("action-plan")
        dates = [d for d in (local_date(f.modified) for f in record.files) if d]
        return cls(
            id=c.id, name=c.name, industry_group=c.industry_group, size_band=c.size_band,
            contract_scope=c.contract_scope, returned=max(dates) if dates else None,
            documents=tuple(sorted({f.kind for f in record.files})),
            prerequisites_met=sum(answered) if answered else None, prerequisites_total=len(prerequisites),
            actions_done=sum(a.status == "done" for a in agreed) if has_plan else None,
            actions_total=len(agreed) if has_plan else None,
            answers=tuple((cl.id, e.id, items.get(e.id)) for cl, members in plan.checklists() for e in members),
        )


class Words:
    """The summary's words in one language: label texts and the names of what it counts."""

    def __init__(self, library: Library, language: str = "en") -> None:
        if language not in ("fi", "sv", "en"):
            raise ValueError(f"summary language must be fi, sv or en, got '{language}'")
        self.language = language
        self.labels = {k: v.get(language) for k, v in library.labels.items()}
        self.groups = {g.id: g.name.get(language) for g in library.industry_groups}
        self.items = {i.id: i.text.get(language) for i in library.items if i.kind in ("checklist", "checklist_item")}
        listed = [i.id for i in library.items if i.kind == "checklist"]
        # the collaboration prerequisites first, as in the client table; then the library's order
        self.checklists = tuple(c for c in COLLABORATION if c in listed) + tuple(c for c in listed
                                                                                 if c not in COLLABORATION)

    def __call__(self, key: str, **values: object) -> str:
        text = self.labels[key]
        return text.format(**values) if values else text

    def scope(self, scope: str) -> str:
        return self.labels.get(f"scope.{scope}", scope)

    def sheet(self, name: str) -> str:
        """A sheet's name: of a checklist by its id, or of the 'clients' and 'about' sheets; at most 31 chars."""
        short = name.split(".", 1)[-1]
        name = self.labels.get(f"report.summary.sheet.{short.replace('-', '_')}", short)
        return name.translate(SHEET_CHARS)[:31]


def write_summary(rows: Sequence[ClientSummary], out_dir: Path, library: Library, language: str = "en") -> list[Path]:
    """Write OUT/summary.csv and OUT/summary.xlsx (both in full under temporary names, then renamed)."""
    words = Words(library, language)
    rows = sorted(rows, key=lambda r: r.id)
    table = [[words(key) for _, key in COLUMNS]] + [_values(r, words) for r in rows]
    files = {out_dir / CSV_NAME: csv_bytes(table), out_dir / XLSX_NAME: workbook_bytes(table, rows, words)}
    replace_all(files)
    return list(files)


def _values(row: ClientSummary, words: Words) -> list:
    docs = ", ".join(words(DOCUMENT_NAMES[d]) for d in row.documents if d in DOCUMENT_NAMES)
    named = {"industry_group": words.groups.get(row.industry_group, row.industry_group),
             "size_band": band_text(row.size_band),
             "contract_scope": words.scope(row.contract_scope), "documents": docs}
    return [named.get(field, getattr(row, field)) for field, _ in COLUMNS]


def band_text(band: str) -> str:
    """'10-19' as '10–19': with a hyphen, Excel reads a band as a date (19 October)."""
    return band.replace("-", "\u2013")


def csv_bytes(table: list[list]) -> bytes:
    """The table as CSV for Excel in Finland: UTF-8 with BOM, ';' between fields, CRLF line ends."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    for line in table:
        writer.writerow([_csv_cell(v) for v in line])
    return buf.getvalue().encode("utf-8-sig")


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if isinstance(value, str) and text.startswith(FORMULA_START) else text


def workbook_bytes(table: list[list], rows: Sequence[ClientSummary], words: Words) -> bytes:
    """The workbook: the client table, a sheet per checklist with a chart, and the definitions."""
    from openpyxl import Workbook

    wb = Workbook()
    _clients_sheet(wb.active, table, words)
    for checklist in words.checklists:
        if any(cl == checklist for r in rows for cl, _, _ in r.answers):
            _checklist_sheet(wb.create_sheet(words.sheet(checklist)), checklist, rows, words)
    _about_sheet(wb.create_sheet(words.sheet("about")), len(rows), words)
    return _save(wb, words)


def _put(ws, row: int, col: int, value, bold: bool = False, fmt: Optional[str] = None):
    """Set a cell; text is always stored as text, never as a formula, whatever it starts with."""
    from openpyxl.styles import Font

    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str) and cell.data_type == "f":
        cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)
    if fmt:
        cell.number_format = fmt
    return cell


def _clients_sheet(ws, table: list[list], words: Words) -> None:
    """The CSV's table, with dates as dates, a frozen header row and a filter."""
    from openpyxl.utils import get_column_letter

    ws.title = words.sheet("clients")
    for r, line in enumerate(table, start=1):
        for c, value in enumerate(line, start=1):
            _put(ws, r, c, value, bold=r == 1, fmt="yyyy-mm-dd" if isinstance(value, date) else None)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(table[0]))}{len(table)}"
    for c, width in enumerate((22, 30, 26, 11, 30, 12, 28, 12, 12, 12, 12), start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    _print_wide(ws)


@dataclass(frozen=True)
class _Column:
    """One share column of a checklist sheet: all clients, or one industry group or size band."""

    title: str
    clients: tuple[ClientSummary, ...]
    minimum: int  # fewer answers to an item than this: the cell stays empty


def _checklist_sheet(ws, checklist: str, rows: Sequence[ClientSummary], words: Words) -> None:
    """How often each item is met: counts over all clients, shares over all and by group, and a chart."""
    answering = tuple(r for r in rows if any(cl == checklist and met is not None for cl, _, met in r.answers))
    items = [i for i in words.items if any(cl == checklist and i == it for r in rows for cl, it, _ in r.answers)]
    columns, hidden = _columns(answering, words)
    _put(ws, 1, 1, words.items.get(checklist, checklist), bold=True)
    notes = [words("report.summary.note_share"), words("report.summary.note_small", min=MIN_GROUP)]
    if hidden:
        notes.append(words("report.summary.not_broken_down", groups=", ".join(hidden)))
    head = 6
    titles = [words("common.col.number"), words("common.col.item"), words("report.summary.met"),
              words("report.summary.answered")] + [c.title for c in columns]
    for c, title in enumerate(titles, start=1):
        _put(ws, head, c, title, bold=True)
    for n, item in enumerate(items, start=1):
        met, answered = _tally(answering, item)
        values = [n, words.items.get(item, item), met, answered] + [_share(col, item) for col in columns]
        for c, value in enumerate(values, start=1):
            _put(ws, head + n, c, value, fmt="0%" if c > 4 else None)
        ws.row_dimensions[head + n].height = 15 * (len(values[1]) // 62 + 1)  # the item text, wrapped
    ws.row_dimensions[head].height = 45
    widths = _layout(ws, len(titles))
    _notes(ws, notes, widths)
    _chart(ws, head, len(items), len(columns), len(titles) + 2, words)


def _columns(clients: tuple[ClientSummary, ...], words: Words) -> tuple[list[_Column], list[str]]:
    """All clients, then each industry group and size band with MIN_GROUP clients or more; the rest named."""
    from ..vocab import SIZE_BANDS

    columns = [_Column(f"{words('report.summary.all')} (n = {len(clients)})", clients, 1)]
    hidden = []
    dims = ((lambda r: r.industry_group, list(words.groups), lambda g: words.groups.get(g, g)),
            (lambda r: r.size_band, list(SIZE_BANDS), lambda b: f"{words('report.summary.size_band')} {band_text(b)}"))
    for key, order, name in dims:
        for group in sorted({key(r) for r in clients}, key=lambda g: (order.index(g) if g in order else 99, g)):
            members = tuple(r for r in clients if key(r) == group)
            if len(members) >= MIN_GROUP:
                columns.append(_Column(f"{name(group)} (n = {len(members)})", members, MIN_GROUP))
            else:
                hidden.append(f"{name(group)} ({len(members)})")
    return columns, hidden


def _answer(row: ClientSummary, item: str) -> Optional[bool]:
    return next((met for _, it, met in row.answers if it == item), None)


def _tally(clients: Sequence[ClientSummary], item: str) -> tuple[int, int]:
    """(met, answered) for one item over the given clients."""
    answers = [a for a in (_answer(r, item) for r in clients) if a is not None]
    return sum(answers), len(answers)


def _share(column: _Column, item: str) -> Optional[float]:
    met, answered = _tally(column.clients, item)
    return round(met / answered, 4) if answered and answered >= column.minimum else None


def _layout(ws, columns: int) -> list[int]:
    """Column widths, wrapped cells and a printout one page wide; returns the widths."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    widths = [6, 60, 12, 12] + [16] * (columns - 4)
    for c, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    for row in ws.iter_rows(min_row=6):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "C7"
    _print_wide(ws)
    return widths


def _print_wide(ws) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _notes(ws, notes: list[str], widths: list[int]) -> None:
    """The notes under the title, each wrapped across the table's width rather than running off to the right."""
    from openpyxl.styles import Alignment

    per_line = int(sum(widths) * 1.1)  # characters of 11pt text across the table, roughly
    for row, note in enumerate(notes, start=2):
        _put(ws, row, 1, note).alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(widths))
        ws.row_dimensions[row].height = 15 * (len(note) // per_line + 1)


def _chart(ws, head: int, items: int, series: int, at_column: int, words: Words) -> None:
    """A horizontal bar per item and column: the share met, item 1 on top, 0-100 %."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.utils import get_column_letter

    chart = BarChart()
    chart.type = "bar"
    chart.style = 10
    chart.title = words("report.summary.share")
    chart.legend.position = "b"
    chart.add_data(Reference(ws, min_col=5, max_col=4 + series, min_row=head, max_row=head + items),
                   titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=head + 1, max_row=head + items))
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 1
    chart.y_axis.number_format = "0%"
    chart.x_axis.scaling.orientation = "maxMin"
    chart.x_axis.delete = chart.y_axis.delete = False  # openpyxl 3.1 hides both axes by default
    chart.width, chart.height = 18, max(8.0, 0.5 * items * (series + 1))
    ws.add_chart(chart, f"{get_column_letter(at_column)}{head}")


def _about_sheet(ws, clients: int, words: Words) -> None:
    from openpyxl.styles import Alignment

    built = build_time().date().isoformat()
    lines = [words("report.summary.about.built", date=built, n=clients), words("report.summary.about.returned"),
             words("report.summary.about.prereq"),
             words("report.summary.about.actions", suggested=words("common.status.suggested"),
                   done=words("common.status.done"), not_done=words("common.status.not_done")),
             words("report.summary.note_share"), words("report.summary.note_small", min=MIN_GROUP),
             words("report.summary.about.csv")]
    _put(ws, 1, 1, words("report.summary.title"), bold=True)
    for r, line in enumerate(lines, start=3):
        _put(ws, r, 1, line).alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 110


def _save(wb, words: Words) -> bytes:
    """The workbook's bytes with fixed properties and entry times (SOURCE_DATE_EPOCH when set)."""
    from openpyxl.writer.excel import ExcelWriter

    when = build_time()
    props = wb.properties
    props.created = props.modified = when.replace(tzinfo=None)
    props.creator, props.lastModifiedBy = "toolkit", None
    props.title, props.language = words("report.summary.title"), words.language
    buf = io.BytesIO()
    ExcelWriter(wb, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED)).save()  # not save_workbook: it stamps now
    written = zipfile.ZipFile(buf)  # openpyxl's entry order, with fixed times and modes
    return zip_bytes({name: written.read(name) for name in written.namelist()}, zip_time(when))

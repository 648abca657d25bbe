"""Registers and needs data files for the tests: seven clients as a customer system exports them."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Sequence

HEADER = ["id", "name", "business_id", "industry", "employees", "contract_scope", "language", "wellbeing_county",
          "work_features", "plan_start", "plan_end", "provider"]
# Six care clients (TOL 86-88: one industry group, so each has five peers) and a construction firm.
SEVEN = [
    ["hoiva-alfa", "Hoivakoti Alfa Oy", "1234567-1", "87.10", "45", "preventive_only", "fi", "Pirkanmaa",
     "shift_work; night_work", "1.1.2027", "31.12.2027", "example-ohs"],
    ["hoiva-beta", "Hoivakoti Beta Oy", "", "87.30", "22", "with_medical_care", "fi", "Länsi-Uusimaa", "",
     "2027-01-01", "2027-12-31", ""],
    ["vard-gamma", "Vårdhem Gamma Ab", "", "87.10", "30", "preventive_only", "sv", "Österbotten", "shift_work",
     "", "", ""],
    ["clinic-delta", "Clinic Delta Ltd", "", "86.90", "12", "with_medical_care", "en", "", "customer_work", "", "",
     ""],
    ["hoiva-epsilon", "Hoiva Epsilon Oy", "", "88.10", "60", "preventive_only", "fi", "", "", "", "",
     "example-ohs"],
    ["hoiva-zeta", "Hoiva Zeta Oy", "", "87.90", "8", "preventive_only", "fi", "", "lone_work, emotionally_demanding_work",
     "", "", ""],
    ["rakennus-eta", "Rakennus Eta Oy", "", "41.20", "1 200", "with_medical_care", "fi", "Lappi", "", "", "", ""],
]
IDS = [r[0] for r in SEVEN]
# Row 9 as a spreadsheet shows it (the header is row 1, the seven clients rows 2-8): a headcount below 1.
BAD = ["hoiva-iota", "Hoiva Iota Oy", "", "87.10", "-3", "preventive_only", "fi", "", "", "", "", ""]
BAD_LINE = "asiakkaat.csv: row 9: employees: Input should be greater than or equal to 1"


def csv_bytes(rows: Sequence[Sequence[str]], delimiter: str = ";", bom: bool = True) -> bytes:
    """Rows as Finnish Excel saves "CSV UTF-8": a BOM, ';' between fields, quotes where needed."""
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode("utf-8")


def write_csv(path: Path, rows: Sequence[Sequence[str]], delimiter: str = ";", bom: bool = True) -> Path:
    path.write_bytes(csv_bytes(rows, delimiter, bom))
    return path


def write_xlsx(path: Path, rows: Sequence[Sequence[str]], sheet: str = "Asiakkaat", typed: bool = True) -> Path:
    """The same rows as an Excel workbook: the register on a sheet of its own behind a notes sheet, numbers and
    dates typed as Excel types them (87.10 as the number 87.1 shown with two decimals), empty rows after it."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "Ohje"
    wb.active.append(["Asiakasrekisteri, vienti asiakasjärjestelmästä"])
    ws = wb.create_sheet(sheet)
    for r, row in enumerate(rows, start=1):
        for c, text in enumerate(row, start=1):
            cell = ws.cell(r, c)
            cell.value = _typed(text, cell) if typed and r > 1 else (text or None)
    for r in range(len(rows) + 1, len(rows) + 4):  # formatted but empty rows, as Excel leaves them
        ws.cell(r, 1).number_format = "0"
    wb.save(path)
    return path


def _typed(text: str, cell):
    if not text:
        return None
    plain = text.replace(" ", "")
    if plain.isdigit():
        return int(plain)
    if "." in text and text.replace(".", "").isdigit() and text.count(".") == 1 and len(text.split(".")[0]) == 2:
        cell.number_format = "0.00"  # a TOL code typed as a number keeps its trailing zero on screen
        return float(text)
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            pass
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return text


DATA_HEADER = ["client_id", "indicator", "period", "value", "n"]


def needs_rows() -> list[list[str]]:
    """Figures of the seven clients for 2026: each care client has five peers; hoiva-beta's survey of time
    pressure (23.5 %) has 3 respondents and is never shown, hoiva-zeta's (41 %) has 12; hoiva-alfa also has last
    year's absence figure."""
    rows = [DATA_HEADER]
    for i, c in enumerate(IDS):
        rows += [
            [c, "absence_days_per_person_year", "2026", f"{9 + i},{i}", "40"],
            [c, "mental_health_absence_share", "2026", str(20 + 2 * i), "12"],
            [c, "survey.response_rate", "2026", "62", "3" if c == "hoiva-beta" else "12"],
            [c, "survey.load.arrangements.time-pressure", "2026", "23,5" if c == "hoiva-beta" else str(21 + 4 * i),
             "3" if c == "hoiva-beta" else "12"],
            [c, "survey.resource.community.support", "2026", str(70 - 5 * i), "12"],
            [c, "kela_90_day_notifications", "2026", str(i % 3), ""],
        ]
    rows.append(["hoiva-alfa", "absence_days_per_person_year", "2025", "8,0", "41"])
    return rows

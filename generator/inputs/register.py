"""Client registers: a .csv or .xlsx file, one client per row -> the raw profile of each row, for validate_profile.

A register is a provider's client list as it comes out of its customer system. Each row becomes the same
mapping a YAML profile file holds, and is validated as a Profile by the loader, so nothing after loading
knows whether a client came from a register or a file. Problems name the row as the spreadsheet shows it
(the header is row 1) and the column as its header names it.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import Problem
from .table import TableProblem, read_table

REGISTER_SHEETS = ("clients", "asiakkaat", "kunder")  # the sheet read from an .xlsx, else the first
# Column -> its Finnish and Swedish names (matched ignoring case, spaces, hyphens and underscores).
COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("tunnus", "asiakastunnus", "kod", "kundkod"),
    "name": ("nimi", "asiakas", "namn", "kund"),
    "business_id": ("y-tunnus", "ytunnus", "fo-nummer"),
    "industry": ("toimiala", "tol", "bransch", "näringsgren"),
    "employees": ("henkilöstömäärä", "työntekijät", "anställda", "antal anställda"),
    "contract_scope": ("sopimuksen laajuus", "sopimus", "avtalets omfattning", "avtal"),
    "language": ("kieli", "språk"),
    "wellbeing_county": ("hyvinvointialue", "välfärdsområde"),
    "work_features": ("työn piirteet", "arbetets drag"),
    "plan_start": ("suunnitelma alkaa", "alkaa", "planen börjar", "börjar"),
    "plan_end": ("suunnitelma päättyy", "päättyy", "planen slutar", "slutar"),
    "provider": ("palveluntuottaja", "työterveyshuolto", "tjänsteproducent", "företagshälsovård"),
}
REQUIRED = ("id", "name", "industry", "employees", "contract_scope")
# Where a profile field comes from in a register, for messages: client.name is the column `name`.
FIELD_COLUMNS = {"client": "name", "client.name": "name", "client.business_id": "business_id",
                 "plan_period.start": "plan_start", "plan_period.end": "plan_end", "plan_period": "plan_end"}
DATA_COLUMNS = ("client_id", "indicator", "period", "value", "n")  # a needs data file, given as a register


def normalise(header: str) -> str:
    """A column name as it is matched: case-folded, with spaces, hyphens and underscores as one space."""
    return " ".join(re.split(r"[\s_\-]+", header.casefold())).strip()


_BY_NAME = {normalise(n): col for col, aliases in COLUMNS.items() for n in (col, *aliases)}


@dataclass(frozen=True)
class RegisterRow:
    """One client of a register: its row number, the profile mapping, and a hash of the row's values."""

    row: int
    raw: dict
    digest: str  # the build key of this client: editing another row leaves it unchanged


def read_register(path: Path, shown: str) -> tuple[list[RegisterRow], list[Problem], dict[str, str]]:
    """Every non-empty row of a register as a profile mapping; problems of the file as a whole; and each
    column's name as the file's header writes it (column -> header), for messages about a row."""
    try:
        table = read_table(path, shown, REGISTER_SHEETS)
    except TableProblem as exc:
        return [], [exc.problem], {}
    columns, problems = _columns(table.header, shown)
    if problems:
        return [], problems, {}
    rows = []
    for number, cells in table.rows:
        values = {col: cells[i] for col, i in columns.items() if cells[i]}
        raw = _profile(values)
        digest = hashlib.sha256(json.dumps(raw, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        rows.append(RegisterRow(number, raw, digest))
    return rows, [], {col: table.header[i] for col, i in columns.items()}


def _columns(header: tuple[str, ...], shown: str) -> tuple[dict[str, int], list[Problem]]:
    """Column -> index in the row; or the problems of the header row (unknown, repeated, missing columns)."""
    if {normalise(h) for h in header if h} >= {normalise(c) for c in DATA_COLUMNS}:
        return {}, [Problem(shown, "", "is a needs data file (client_id, indicator, period, value, n), not a "
                                       "client register; give it to build or explain with --data FILE")]
    found: dict[str, int] = {}
    problems = []
    allowed = ", ".join(COLUMNS)
    for i, name in enumerate(header):
        if not name or name.startswith("#"):  # '#...' columns are the provider's own notes, never read
            continue
        col = _BY_NAME.get(normalise(name))
        if col is None:
            near = difflib.get_close_matches(normalise(name), list(_BY_NAME), n=1, cutoff=0.6)
            hint = f" Did you mean '{_BY_NAME[near[0]]}'?" if near else ""
            problems.append(Problem(shown, name, f"unknown column.{hint} Allowed: {allowed} (or their Finnish and "
                                                 "Swedish names; see README); a column named '#...' is not read"))
        elif col in found:
            problems.append(Problem(shown, name, f"a second column for {col} (the first is '{header[found[col]]}')"))
        else:
            found[col] = i
    missing = [c for c in REQUIRED if c not in found]
    if missing and not problems:
        problems.append(Problem(shown, "", f"row 1 (the header) has no column {', '.join(missing)}; a register needs "
                                           f"{', '.join(REQUIRED)}, and may have {', '.join(c for c in COLUMNS if c not in REQUIRED)}"))
    return found, problems


def _profile(v: dict[str, str]) -> dict[str, Any]:
    """A row's values as the mapping a YAML profile file holds; empty cells are left out."""
    raw: dict[str, Any] = {}
    if "id" in v:
        raw["id"] = v["id"]
    raw["client"] = {k: v[c] for k, c in (("name", "name"), ("business_id", "business_id")) if c in v}
    for col in ("industry", "contract_scope", "language", "wellbeing_county", "provider"):
        if col in v:
            raw[col] = v[col]
    if "employees" in v:
        raw["employees"] = _count(v["employees"])
    if "work_features" in v:
        raw["work_features"] = [f.strip() for f in re.split(r"[,;]", v["work_features"]) if f.strip()]
    period = {k: _date(v[c]) for k, c in (("start", "plan_start"), ("end", "plan_end")) if c in v}
    if period:
        raw["plan_period"] = period
    return raw


def _count(text: str) -> Any:
    """A headcount as people write it: 45, 1 200 (a space or no-break space between thousands) or 45.0."""
    plain = re.sub(r"(?<=\d)[ \u00a0\u202f](?=\d{3}\b)", "", text)
    m = re.fullmatch(r"(\d+)(?:[.,]0+)?", plain)
    return int(m.group(1)) if m else text


def _date(text: str) -> str:
    """YYYY-MM-DD, or a Finnish date 1.1.2027 / 01.01.2027 turned into it; anything else is left for validation."""
    m = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text)
    return f"{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}" if m else text


def row_problems(problems: list[Problem], row: int, headers: dict[str, str]) -> list[Problem]:
    """A row's validation problems, each under the row and the column as the file's header names it."""
    out = []
    for p in problems:
        field = re.sub(r"\[\d+\]$", "", p.field)
        col = FIELD_COLUMNS.get(field, field)
        message = p.message
        if p.message == "Field required" and field.startswith("plan_period."):
            message = "plan_start and plan_end go together: fill in both, or neither"
        elif p.message == "Field required":
            message = "must not be empty: the column is required"
        out.append(Problem(p.path, headers.get(col, col), message, row=row))
    return out


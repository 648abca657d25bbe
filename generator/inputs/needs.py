"""Needs data: a .csv or .xlsx of figures per client -> each client's own figures with its peers' medians (ClientData).

The first phase of the model, identifying needs, starts from what the provider already holds per client:
sickness absences, Kela's notifications, survey results. A data file holds aggregate figures in long
format, exactly the columns client_id, indicator, period, value, n. It is checked as a whole before anything
is built; a column that is not one of these, or a value that looks like a Finnish personal identity code,
refuses the whole file with one line, because a needs data file must never hold data on a person.

Privacy by design: a figure with an anonymity floor (surveys, the share of diagnoses) and fewer than MIN_N
respondents or people is dropped here, in the loading stage, so no later stage can show it or compute
with it. A peer median is the median of the other clients of the same build in the same industry group that
have the indicator for the same period, and is computed only over MIN_PEERS or more of them. It is computed
from the whole build, before a --shard picks its clients, so every shard gives the same figures.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Optional

from ..content import Library
from ..errors import InputError, Problem, capped, nearest
from ..vocab import SURVEY_PREFIX
from .figures import FIXED, MIN_N, MIN_PEERS, RANGES, ClientData, Figure, Indicator, indicators
from .profile import PROFILE_ID, LoadedProfile
from .register import DATA_COLUMNS, normalise
from .table import TableProblem, column_letter, read_table

COLUMNS = DATA_COLUMNS
DATA_SHEETS = ("data", "tarvetieto", "behovsdata")
# Finnish personal identity code (henkilötunnus): DDMMYY, the century sign, three digits, a check character.
HETU = re.compile(r"(?<![0-9A-Za-z])(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])\d\d[-+A-FU-Y]\d{3}[0-9A-FHJ-NPR-Y]"
                  r"(?![0-9A-Za-z])", re.IGNORECASE)
PERIOD = re.compile(r"\d{4}[0-9A-Za-z./ \-\u2013]{0,25}")


@dataclass(frozen=True)
class DataRow:
    """One checked row of a data file: a client's figure of one indicator for one period."""

    row: int
    client_id: str
    indicator: str
    period: str
    value: float
    n: Optional[int]


# ---- reading and checking ----------------------------------------------------------------------------------

def load_data(path: Path, shown: str, library: Library) -> list[DataRow]:
    """Read and check a needs data file; InputError with every problem, or with one line when it holds
    anything that could be data on a person (then nothing else is checked or echoed)."""
    try:
        table = read_table(path, shown, DATA_SHEETS)
    except TableProblem as exc:
        raise InputError([exc.problem], "data") from None
    _refuse_identity_codes(table.header, table.rows, shown)  # first: no later message may echo one
    columns = _columns(table.header, shown)
    known = indicators(library)
    rows, problems, seen = [], [], {}
    for number, cells in table.rows:
        values = {c: cells[i] for c, i in columns.items()}
        row, probs = _row(number, values, known, shown)
        if row is not None:
            key = (row.client_id, row.indicator, row.period)
            if key in seen:
                probs.append(Problem(shown, "", f"the same client_id, indicator and period as row {seen[key]}; "
                                                "keep one of them", row=number))
            seen.setdefault(key, number)
        problems += probs
        if row is not None and not probs:
            rows.append(row)
    if problems:
        raise InputError(capped(problems), "data")
    return rows


def _columns(header: tuple[str, ...], shown: str) -> dict[str, int]:
    """Column -> index; exactly the documented columns, else one line and nothing from the file is used."""
    names = [normalise(h).replace(" ", "_") for h in header]
    other = [h for h, n in zip(header, names) if h and n not in COLUMNS]
    if other:
        listed = ", ".join(f"'{h}'" for h in other[:5]) + (" ..." if len(other) > 5 else "")
        raise InputError([Problem(shown, "", f"column{'s' * (len(other) > 1)} {listed} not allowed: a needs data "
                          "file holds only the columns client_id, indicator, period, value, n (figures of a "
                          "workplace, never data on a person); remove the column. The file is refused and nothing "
                          "is built from it")], "data")
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    missing = [c for c in COLUMNS if c not in names]
    if repeated or missing:
        what = (f"the column {', '.join(repeated)} twice" if repeated else f"no column {', '.join(missing)}")
        raise InputError([Problem(shown, "", f"row 1 (the header) has {what}; a needs data file has exactly the "
                                             "columns client_id, indicator, period, value, n")], "data")
    return {n: i for i, n in enumerate(names) if n}


def _refuse_identity_codes(header: tuple[str, ...], rows: Iterable[tuple[int, tuple[str, ...]]], shown: str) -> None:
    """One line naming where a value looks like a personal identity code; the value itself is never echoed."""
    for number, cells in ((1, header), *rows):
        for i, cell in enumerate(cells):
            if HETU.search(cell):
                raise InputError([Problem(shown, "", f"row {number}, column {column_letter(i)}: a value looks like "
                                  "a Finnish personal identity code (henkilötunnus), which a needs data file must "
                                  "never hold; the value is not shown here. The file is refused and nothing is "
                                  "built from it")], "data")


def _row(number: int, v: dict[str, str], known: dict[str, Indicator],
         shown: str) -> tuple[Optional[DataRow], list[Problem]]:
    """A checked row, or the problems of its cells. Figures are never echoed: messages go to logs."""
    probs: list[Problem] = []

    def bad(column: str, message: str) -> None:
        probs.append(Problem(shown, column, message, row=number))

    if not re.fullmatch(PROFILE_ID, v["client_id"]):  # not echoed: it could be anything, a person's name too
        bad("client_id", "must be a client's id as its profile writes it: lowercase letters, digits and hyphens")
    ind = known.get(v["indicator"])
    if ind is None:
        _unknown_indicator(v["indicator"], known, bad)
    if not PERIOD.fullmatch(v["period"]):
        bad("period", "must start with the year, e.g. 2026, 2026-H1, 2026-Q3 or 2025-07/2026-06")
    value = _number(v["value"])
    if value is None:
        bad("value", "must be a number, e.g. 12.5 or 12,5" if v["value"] else "must not be empty")
    elif ind is not None and not _in_range(value, ind.unit):
        low, high = RANGES[ind.unit]
        bad("value", {"percent": f"must be a percentage, {low}-{high}", "days": f"must be days per person-year, "
                      f"{low}-{high}", "count": "must be a whole number of notifications, 0 or more"}[ind.unit])
    n = _whole(v["n"]) if v["n"] else None
    if v["n"] and n is None:
        bad("n", "must be a whole number, 0 or more")
    elif n is None and ind is not None and ind.floor:
        bad("n", f"must not be empty for {ind.id}: it is the number of {ind.n}, and a figure of fewer than "
                 f"{MIN_N} is not shown")
    if probs or ind is None or value is None:
        return None, probs
    return DataRow(number, v["client_id"], ind.id, v["period"], value, n), []


def _unknown_indicator(name: str, known: dict[str, Indicator], bad) -> None:
    fixed = [i.id for i in FIXED]
    if not re.fullmatch(r"[a-z0-9._-]{1,120}", name):  # echo only what reads as an id, never free text
        bad("indicator", f"must be one of {', '.join(fixed)}, or survey.<id of a load or resource factor> "
                         "(toolkit schema --kind data)" if name else "must not be empty")
        return
    if name.startswith(SURVEY_PREFIX) and name not in fixed:
        hint = nearest(name, [k for k in known if k not in fixed])
        allowed = hint or (" Allowed: survey.<id of a load or resource factor of the content library>, e.g. "
                           "survey.load.social.leadership")
        bad("indicator", f"unknown survey factor {name!r}.{allowed} (all {len(known) - len(fixed)}: "
                         "toolkit schema --kind data)")
    else:
        bad("indicator", f"unknown indicator {name!r}.{nearest(name, fixed)} Allowed: {', '.join(fixed)}, and "
                         "survey.<id of a load or resource factor> (toolkit schema --kind data)")


def _number(text: str) -> Optional[float]:
    """12.5, 12,5 (a decimal comma), 38 % or 1 200 as a number; None for anything else."""
    plain = re.sub(r"[\s\u00a0\u202f]", "", text).removesuffix("%").replace(",", ".")
    return float(plain) if re.fullmatch(r"-?\d+(\.\d+)?", plain) else None


def _whole(text: str) -> Optional[int]:
    value = _number(text)
    return int(value) if value is not None and value >= 0 and value.is_integer() else None


def _in_range(value: float, unit: str) -> bool:
    low, high = RANGES[unit]
    return low <= value <= high and (unit != "count" or value.is_integer())


# ---- per client, with the peers ----------------------------------------------------------------------------

def with_data(loaded: list[LoadedProfile], rows: list[DataRow], library: Library,
              source: str) -> tuple[list[LoadedProfile], list[str]]:
    """Every client with its ClientData (clients without figures unchanged), and the client ids of the data
    file that no client of the build has. loaded must be the whole build, before any --shard."""
    known = indicators(library)
    order = {k: i for i, k in enumerate(known)}
    group = {lp.profile.id: library.industry_group_for(lp.profile.tol_digits).id for lp in loaded}
    usable: dict[tuple[str, str], dict[str, float]] = {}  # (indicator, period) -> client -> shown value
    latest: dict[tuple[str, str], DataRow] = {}           # (client, indicator) -> its latest row
    for r in rows:
        if r.client_id not in group:
            continue
        if not _hidden(r, known[r.indicator]):
            usable.setdefault((r.indicator, r.period), {})[r.client_id] = r.value
        key = (r.client_id, r.indicator)
        if key not in latest or r.period > latest[key].period:  # periods sort as written: 2025 < 2026-H1
            latest[key] = r
    figures: dict[str, list[Figure]] = {}
    for (client, indicator), r in sorted(latest.items(), key=lambda kv: (kv[0][0], order[kv[0][1]])):
        hidden = _hidden(r, known[indicator])
        peers = [v for c, v in usable.get((indicator, r.period), {}).items() if c != client and group[c] == group[client]]
        median = float(statistics.median(peers)) if len(peers) >= MIN_PEERS else None
        figures.setdefault(client, []).append(Figure(indicator, r.period, None if hidden else r.value,
                                                     None if hidden else r.n, hidden, median, len(peers)))
    out = [replace(lp, data=ClientData(tuple(figures[lp.profile.id]), source)) if lp.profile.id in figures else lp
           for lp in loaded]
    unknown = sorted({r.client_id for r in rows} - set(group))
    return out, unknown


def _hidden(r: DataRow, ind: Indicator) -> bool:
    return ind.floor and (r.n is None or r.n < MIN_N)



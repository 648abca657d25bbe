"""Pieces several chapters of the Word plan share: the chapters' constants, column titles, guidance lists and the
fill-in and checklist tables."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Sequence

from ...plan import Carried

if TYPE_CHECKING:
    from .writer import Writer


# Rules shown with work-ability support; the other rules (size, cooperation, OSH) go with the roles.
WA_RULES = ("rule.kela", "rule.early-support", "rule.dismissed")

WA_ORDER = ("wa.ohs-always", "wa.early-support", "wa.negotiation", "wa.partial-allowance", "wa.return-to-work")
NEED_ROWS, GOAL_ROWS, BLANK_ACTION_ROWS = 4, 4, 1
# Steps of the model's cycle, shown as guidance in the section of the plan where that step is done.
STEPS_IN = {
    "needs": ("cycle.identify.workplace-data", "cycle.identify.ohs-data", "cycle.identify.industry",
              "cycle.identify.summary"),
    "goals": ("cycle.plan.choose", "cycle.plan.goals"),
    "actions": ("cycle.plan.actions", "cycle.plan.ensure"),
    "communication": ("cycle.plan.communication",),
    "follow_up": ("cycle.evaluate.regular",),
    "use": ("cycle.use.planning",),
}
FACTS_WITH_MILESTONES = ("fact.rule-306090", "fact.sickness-allowance")
INSTRUMENT_FACTS = "fact.instrument."
LABEL_FILL = "EEF2F4"
# Fill-in tables are captioned like the heading above them (for screen readers and the table list)
TABLE_CAPTIONS = {"meeting": "docx.collab.meetings", "channel": "docx.collab.channels", "comm": "docx.table.comm",
                  "need": "common.identified_needs"}
# The columns of an action row: the model's chain from need to status (owners share one cell).
ACTION_FIELDS = ("need", "goal", "what", "owners", "when", "metric", "status")
# cm of A4 landscape: every text column holds a 25-letter word at 8.5 pt, the narrow ones a date or a status
ACTION_WEIGHTS = (4.0, 4.0, 5.0, 4.0, 2.2, 4.0, 2.1)


def column(w: Writer, name: str) -> str:
    """A column title: the plan's shared field names (common.col.*, also used by the follow-up report) or
    the Word plan's own (docx.col.*)."""
    key = f"common.col.{name}"
    return w.plan.label(key if key in w.plan.labels else f"docx.col.{name}")


def short_id(item_id: str) -> str:
    return item_id.split(".", 1)[-1]


# ---- guidance ----------------------------------------------------------------------------------------

def guidance(w: Writer, entries, style: str = "List Bullet") -> None:
    """Guidance points of the model: the point in bold and its explanation, as bullets (or paragraphs)."""
    for e in entries:
        if e is None:
            continue
        if style == "List Bullet":
            w.bullet(e.text, e.body, cite=e)
        else:
            w.para(e.body or "", style=style, bold_lead=e.text, cite=e)


def steps(w: Writer, where: str):
    """The cycle steps done in this section of the plan, as guidance."""
    guidance(w, [w.plan.item(i) for i in STEPS_IN[where]])


def fill_in_table(w: Writer, prefix: str, fields: tuple, weights: tuple[float, ...], count: int,
                   first: Optional[list[str]] = None, dates: tuple[str, ...] = (), numbered: str = "",
                   values: Sequence[Carried] = ()) -> None:
    """A table of `count` rows of fill-in controls tagged <prefix>.<row>.<field>, under the fields' column titles.

    A field is a name, or (name, column) when its tag and its docx.col.* title differ; fields in dates get
    a date picker. first[i] prefills the first cell of row i + 1; values[i] (last round's row) prefills row
    i + 1 by field; one empty row always follows them. With numbered (a label such as "T{n}"), a first column
    shows each row's number for other tables to refer to.
    """
    L, ctl = w.plan.label, w.ctl
    fields = [(f, f) if isinstance(f, str) else f for f in fields]
    first = first or []
    rows = []
    for i in range(1, max(count, len(values) + 1) + 1):
        row = [numbered.format(n=i)] if numbered else []
        carried = values[i - 1] if i <= len(values) else None
        for j, (name, col) in enumerate(fields):
            tag, title = f"{prefix}.{i}.{name}", column(w, col)
            value = first[i - 1] if j == 0 and i <= len(first) else (carried.get(name) if carried else None)
            if name in dates:
                row.append(ctl.date(tag, title, w.parse_date(value)))
            else:
                row.append(ctl.text(tag, title, value or None))
        rows.append(tuple(row))
    headers = ((L("common.col.number"),) if numbered else ()) + tuple(column(w, col) for _, col in fields)
    names = (("number",) if numbered else ()) + tuple(name for name, _ in fields)
    w.table(headers, weights, rows, caption=L(TABLE_CAPTIONS[prefix]), table_id=prefix, fields=names,
            repeat=L("docx.repeat.row"))


def checklist_table(w: Writer, checklist_id: str, tick_title: str, title: Optional[str] = None) -> None:
    plan, L, ctl = w.plan, w.plan.label, w.ctl
    items = plan.items("checklist_item", checklist_id)
    if not items:
        return
    cl = plan.item(checklist_id)
    heading = title or (cl.text if cl else checklist_id)
    w.heading(heading, 3)
    rows = [(it.text, ctl.checkbox(f"{it.id}.done", it.text), ctl.text(f"{it.id}.notes", L("common.notes")))
            for it in items]
    w.table((L("common.col.item"), tick_title, L("common.notes")), (8.6, 2.0, 6.0), rows, caption=heading)

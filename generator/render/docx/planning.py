"""The planning chapters of the Word plan: identified needs (with the client's figures), goals, and the action rows
that carry the model's chain from need to status."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from ...plan import Carried, Entry
from ...vocab import ACTION_STATUSES
from .parts import (
    ACTION_FIELDS,
    ACTION_WEIGHTS,
    BLANK_ACTION_ROWS,
    GOAL_ROWS,
    INSTRUMENT_FACTS,
    NEED_ROWS,
    checklist_table,
    column,
    fill_in_table,
    guidance,
    short_id,
    steps,
)
from .xml import format_date, text_run

if TYPE_CHECKING:
    from .writer import Writer


# ---- 4 Needs -------------------------------------------------------------------------------------------------

def needs(w: Writer, n: int) -> None:
    plan, L = w.plan, w.plan.label
    w.heading(f"{n}. {L('docx.h.needs')}", 1)
    w.para(L("docx.needs.intro"))
    steps(w, "needs")
    if plan.data and plan.data.figures:  # the client's own figures first: the needs start from them
        _own_figures(w)
    if plan.items("checklist_item", "checklist.needs-data"):
        w.heading(L("docx.needs.data"), 2)
        checklist_table(w, "checklist.needs-data", L("docx.col.source_used"), title=None)
    instruments = [f for f in plan.items("fact") if f.id.startswith(INSTRUMENT_FACTS)]
    if instruments:
        w.heading(L("docx.needs.instruments"), 3)
        for f in instruments:
            w.bullet(f.text, f.body, cite=f)
    _factor_tables(w, "load_group", "load_factor", L("docx.needs.loads"), L("docx.col.present"), "present")
    _factor_tables(w, "resource_group", "resource_factor", L("docx.needs.resources"), L("docx.col.strength"),
                   "strength")
    notes = plan.items("industry_note")
    if notes:
        w.heading(L("docx.needs.industry"), 2)
        for note in notes:
            w.para(note.body or "", bold_lead=note.text, cite=note)
            if note.value:
                w.para(note.value, style="Small")
    w.heading(L("common.identified_needs"), 2)
    w.para(L("docx.needs.identified.intro"))
    previous = plan.previous.needs if plan.previous else ()
    suggested = plan.data.as_rows() if plan.data else ()
    if suggested:
        w.para(L("docx.needs.suggested.intro"))
    # last round's needs first, then what this round's figures suggest; every row stays editable
    fill_in_table(w, "need", ("need", ("evidence", "evidence_source")), (1.4, 7.2, 8.0), NEED_ROWS,
                   numbered=L("common.need_number", n="{n}"), values=tuple(previous) + suggested)


def _own_figures(w: Writer) -> None:
    """The client's figures: a table with period, source and peer median, and the chart of the same."""
    plan, L = w.plan, w.plan.label
    figures = plan.data.figures
    w.heading(L("docx.needs.figures"), 2)
    w.para(L("docx.needs.figures.intro"))
    rows = [(f.name, f.period, f.value_text, f.peer_text, f.source) for f in figures]
    w.table((L("docx.col.indicator"), L("docx.col.period"), L("docx.col.value"), L("docx.data.peer_median"),
             L("docx.col.data_source")), (3.8, 1.9, 4.3, 4.3, 2.9), rows, caption=L("docx.needs.figures"))
    _figures_chart(w, [f for f in figures if f.value is not None])


def _figures_chart(w: Writer, figures) -> None:
    """The figures against the peer median as a picture as wide as the text, its numbers in the alt text."""
    import io

    from docx.shared import Emu

    from ...inputs.load import tool_home
    from ..chart import Bar, draw
    from .xml import alt_text

    if not figures:
        return
    L = w.plan.label
    none = L("docx.chart.no_peers")
    bars = [Bar(f"{f.name} ({f.period})", "" if f.value_text == f.short else f.value_text, f.value, f.short,
                f.peer_median, f.peer_short or none, f.percent) for f in figures]
    fonts = (w.templates_dir or tool_home() / "templates") / "fonts"
    png = draw(bars, L("docx.chart.you"), L("docx.data.peer_median"), "#" + (w.brand or w.colour), fonts)
    described = "; ".join(f"{b.label}: {f.value_text}; {f.peer_text}" for b, f in zip(bars, figures))
    run = w.add_para().add_run()
    run.add_picture(io.BytesIO(png), width=Emu(w.text_width))
    alt_text(run._r, L("docx.chart.alt", figures=described))


def _factor_tables(w: Writer, group_kind: str, factor_kind: str, title: str, tick: str, suffix: str) -> None:
    plan, L, ctl = w.plan, w.plan.label, w.ctl
    groups = [(g, plan.items(factor_kind, g.id)) for g in plan.items(group_kind)]
    groups = [(g, fs) for g, fs in groups if fs]
    if not groups:
        return
    w.heading(title, 2)
    if group_kind == "load_group":
        w.para(L("docx.needs.loads.intro"))
    for group, factors in groups:
        w.heading(group.text, 3)
        if group.body:
            w.para(group.body, style="Small", cite=group)
        rows = []
        for f in factors:  # a survey figure of the factor prefills its evidence; one that suggested a need, the tick
            fig = plan.data.figure(f"survey.{f.id}") if plan.data else None
            seen = f"{fig.source}, {fig.period}: {fig.value_text}; {fig.peer_text}" if fig else None
            rows.append((f.text, ctl.checkbox(f"{f.id}.{suffix}", f.text, checked=bool(
                fig and fig.suggested and factor_kind == "load_factor")),
                ctl.text(f"{f.id}.notes", L("docx.col.evidence"), seen)))
        w.table((L("docx.col.factor"), tick, L("docx.col.evidence")), (6.6, 2.2, 7.8), rows, caption=group.text)


# ---- 5 Goals and 6 Actions (landscape) -----------------------------------------------------------------------

def goals(w: Writer, n: int) -> None:
    plan, L, ctl = w.plan, w.plan.label, w.ctl
    w.orientation(landscape=True)  # goals and actions carry the model's whole chain in one row
    w.heading(f"{n}. {L('docx.h.goals')}", 1)
    w.para(L("docx.goals.intro"))
    steps(w, "goals")
    needs_ref = [(f"N{i}", L("common.need_number", n=i)) for i in range(1, NEED_ROWS + 1)]
    rows = []
    carried = plan.previous.goals if plan.previous else ()
    for i in range(1, max(GOAL_ROWS, len(carried) + 1) + 1):
        tag, last = f"goal.{i}", carried[i - 1] if i <= len(carried) else None

        def value(name: str) -> Optional[str]:
            return (last.get(name) or None) if last else None
        rows.append((L("common.goal_number", n=i),
                     ctl.combo(f"{tag}.need", L("common.col.need"), needs_ref, value("need"), L("docx.ph.need_ref")),
                     ctl.text(f"{tag}.goal", L("common.col.goal"), value("goal")),
                     ctl.text(f"{tag}.metric", L("common.col.metric"), value("metric")),
                     ctl.text(f"{tag}.baseline", L("common.col.baseline"), value("baseline")),
                     ctl.text(f"{tag}.target", L("common.col.target"), value("target")),
                     ctl.text(f"{tag}.latest", L("common.col.latest"))))
    w.table((L("common.col.number"), L("common.col.need"), L("common.col.goal"), L("common.col.metric"),
             L("common.col.baseline"), L("common.col.target"), L("common.col.latest")),
            (1.3, 4.0, 4.6, 4.6, 3.6, 3.6, 3.6), rows, caption=L("docx.table.goal"), table_id="goal",
            fields=("number", "need", "goal", "metric", "baseline", "target", "latest"), repeat=L("docx.repeat.row"))
    measures = sorted(plan.items("measure_priority"), key=lambda m: (m.value or "9"))
    if measures:
        w.heading(L("docx.goals.measures"), 2)
        for m in measures:
            w.para(m.text, bold_lead=f"{m.value}." if m.value else None, cite=m)
        guidance(w, [p for p in plan.items("planning_point") if p.group is None], style="Normal")


def actions(w: Writer, n: int) -> None:
    plan, L = w.plan, w.plan.label
    w.heading(f"{n}. {L('docx.h.actions')}", 1)
    theme = plan.item("theme.planning")
    if theme and theme.body:
        w.para(theme.body)
    points = plan.items("planning_point", "theme.planning")
    if points:
        w.heading(L("docx.actions.planning"), 2)
        guidance(w, points)
        steps(w, "actions")
    w.para(L("docx.actions.intro"))
    _last_round_actions(w)
    for block in plan.items("planning_block"):
        w.heading(block.text, 2)
        if block.body:
            w.para(block.body, style="Small")
        _action_table(w, block, plan.items("action", block.id))
    for example in plan.items("example"):
        w.heading(example.text, 3)
        if example.body:
            w.para(example.body, cite=example)
    w.orientation(landscape=False)


def _last_round_actions(w: Writer) -> None:
    """Last round's actions that were done, or agreed not to be done: listed, not carried forward."""
    previous, L = w.plan.previous, w.plan.label
    if previous is None or not (previous.done_actions or previous.dropped_actions):
        return
    w.heading(L("docx.previous.actions"), 2)
    returned = w.parse_date(previous.returned)
    w.para(L("docx.previous.actions.intro", returned=format_date(returned, w.ctl.date_format) if returned else "–"))
    blocks = {short_id(b.id): b.text for b in w.plan.items("planning_block")}
    rows = [(c.get("what"), blocks.get(c.block or "", c.block or ""), c.get("when"), L(f"common.status.{c.get('status')}"))
            for c in previous.done_actions + previous.dropped_actions]
    w.table((L("common.col.what"), L("docx.col.block"), L("common.col.when"), L("docx.col.status")),
            (10.0, 7.0, 5.0, 3.3), rows, caption=L("docx.previous.actions"))


def _action_table(w: Writer, block: Entry, items: tuple[Entry, ...]) -> None:
    """One row per action: need, goal, what and how, owners at the workplace and in OHS, when, metric, status.

    Prefilled examples are tagged by their content id and start as suggestions; the empty rows at the end
    have generated ids. Users add rows with Word's repeating-section "+" or a new table row in LibreOffice.
    """
    L = w.plan.label
    choices = [(s, L(f"common.status.{s}")) for s in ACTION_STATUSES]
    goals_ref = [(f"T{i}", L("common.goal_number", n=i)) for i in range(1, GOAL_ROWS + 1)]
    previous = w.plan.previous
    short = short_id(block.id)
    rows = []
    for a in items:  # this round's examples; one carried forward from last round keeps what was agreed
        rows.append(_action_row(w, a.id, choices, goals_ref, a, previous.carried_action(a.id) if previous else None))
    shown = {a.id for a in items}
    carried = [c for c in (previous.open_actions if previous else ()) if c.block == short and c.id not in shown]
    for k, c in enumerate(carried, start=1):  # last round's own rows and examples no longer suggested
        rows.append(_action_row(w, f"action.{short}.carried{k}", choices, goals_ref, None, c))
    for k in range(1, BLANK_ACTION_ROWS + 1):
        rows.append(_action_row(w, f"action.{short}.new{k}", choices, goals_ref, None))
    w.table(tuple(column(w, f) for f in ACTION_FIELDS), ACTION_WEIGHTS, rows, caption=block.text,
            table_id=f"actions.{short_id(block.id)}", fields=ACTION_FIELDS, repeat=L("docx.h.actions"))


def _action_row(w: Writer, tag: str, choices, goals_ref, a: Optional[Entry], last: Optional[Carried] = None) -> tuple:
    """One action row: an example (a), last round's values (last) or an empty row; last round wins."""
    L, ctl = w.plan.label, w.ctl
    example = {"need": a.why, "goal": a.aim, "what": " ".join(x for x in (a.text, a.how) if x),
               "owner_workplace": a.who, "owner_ohs": a.who_ohs, "when": a.when_text, "metric": a.metric} if a else {}

    def value(name: str) -> Optional[str]:
        return (last.get(name) if last else example.get(name)) or None
    owners = [text_run(L("common.owner.workplace") + ": ", style=None),
              ctl.text(f"{tag}.owner_workplace", L("common.owner.workplace"), value("owner_workplace"), L("docx.ph.who")),
              "", text_run(L("common.owner.ohs") + ": "),
              ctl.text(f"{tag}.owner_ohs", L("common.owner.ohs"), value("owner_ohs"), L("docx.ph.who"))]
    status = last.get("status") if last else None
    return (ctl.text(f"{tag}.need", L("common.col.need"), value("need")),
            ctl.combo(f"{tag}.goal", L("common.col.goal"), goals_ref, value("goal"), L("docx.ph.goal_ref")),
            ctl.text(f"{tag}.what", L("common.col.what"), value("what")),
            owners,
            ctl.text(f"{tag}.when", L("common.col.when"), value("when"), L("docx.ph.when")),
            ctl.text(f"{tag}.metric", L("common.col.metric"), value("metric")),
            ctl.dropdown(f"{tag}.status", L("docx.col.status"), choices,
                         prompt=L("common.status.suggested") if a and not status else None,
                         suggestion=a is not None and not status, value=status))

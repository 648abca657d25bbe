"""The chapters of the Word action plan, each written from the Plan into a docx.Writer; missing content is skipped.

Tags of the fill-in controls are the interface that reading a filled plan back relies on: see
docs/docx-tags.md before changing one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Optional, Sequence

from docx.shared import Cm

from ...plan import Carried, Entry
from ...vocab import ACTION_STATUSES, EVALUATION_STEPS
from .xml import brand_rule, format_date, language_run, shade_cell, text_run

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


def _short_id(item_id: str) -> str:
    return item_id.split(".", 1)[-1]


# ---- cover, approval, contents -------------------------------------------------------------------------------

def cover(w: Writer) -> None:
    plan, c, L, ctl = w.plan, w.plan.client, w.plan.label, w.ctl
    title = w.para(L("docx.title"), style="Title")
    title.paragraph_format.space_before = Cm(2.0)
    brand_rule(title._p, w.brand or w.colour)
    w.para(L("docx.subtitle"), style="Subtitle")
    w.para(c.name, bold_lead=None).runs[0].font.size = w.doc.styles["Heading 2"].font.size
    provider = plan.provider.name if plan.provider else ctl.text("cover.provider", L("common.provider"))
    period = [ctl.date("plan.start", L("common.plan_period"), w.parse_date(c.plan_start)),
              text_run(" \u2013 "), ctl.date("plan.end", L("common.plan_period"), w.parse_date(c.plan_end))]
    rows = [
        (L("common.client"), c.name),
        (L("docx.cover.business_id"), c.business_id or ctl.text("client.business_id", L("docx.cover.business_id"))),
        (L("common.industry"), L("docx.cover.industry_value", group=c.industry_group_name, code=c.industry_code)),
        (L("docx.cover.employees"), str(c.employees)),
        (L("common.scope"), c.contract_scope_name),
        (L("common.provider"), provider),
        (L("common.plan_period"), period),
    ]
    _label_table(w, rows, L("docx.cover.details"))
    approval(w)
    credit = plan.item("model.credit")
    if credit:
        w.para(credit.text, style="Cover note", cite=credit).runs[0].bold = True
        if credit.body:
            w.para(credit.body, style="Cover note")
    w.page_break()


def _label_table(w: Writer, rows, caption: str):
    t = w.table((), (4.6, 12.0), rows, header=False, caption=caption)
    for row in t.rows:
        row.cells[0].paragraphs[0].runs[0].bold = True
        shade_cell(row.cells[0]._tc, LABEL_FILL)
    return t


def approval(w: Writer) -> None:
    """Who prepared and approved the plan, and when the staff's bodies handled it where the size has them."""
    plan, L, ctl = w.plan, w.plan.label, w.ctl
    rows = [
        (L("docx.approval.prepared_by"), ctl.text("approval.prepared_by", L("docx.approval.prepared_by"))),
        (L("docx.approval.prepared_on"), ctl.date("approval.prepared_on", L("docx.approval.prepared_on"),
                                                   w.stamp.date())),
        (L("docx.approval.approved_by"), ctl.text("approval.approved_by", L("docx.approval.approved_by"))),
        (L("docx.approval.approved_on"), ctl.date("approval.approved_on", L("docx.approval.approved_on"))),
    ]
    if plan.client.employees >= 20:  # an OSH committee and the Co-operation Act's procedure exist from 20
        rows.append((L("docx.approval.handled_on"), ctl.date("approval.handled_on", L("docx.approval.handled_on"))))
    p = w.para(L("docx.approval.title"), style="Cover note")
    p.runs[0].bold = True
    p.paragraph_format.keep_with_next = True
    _label_table(w, rows, L("docx.approval.title"))


def table_of_contents(w: Writer):
    """The contents title and a placeholder paragraph that fill_toc replaces with the field.

    No page break follows: chapter 1 starts under the list, so a base document with larger type never leaves
    a nearly empty page behind the contents.
    """
    w.para(w.plan.label("docx.toc"), style="TOC Heading")
    p = w.para("")
    w.para(w.plan.label("docx.toc.hint"), style="Fine print")
    return p


# ---- guidance helpers ----------------------------------------------------------------------------------------

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


# ---- 1 How to use --------------------------------------------------------------------------------------------

def how_to_use(w: Writer, n: int) -> None:
    plan, L = w.plan, w.plan.label
    w.heading(f"{n}. {L('docx.h.use')}", 1)
    w.para(L("docx.use.intro"))
    purpose = plan.item("model.purpose")
    if purpose:
        w.heading(L("docx.use.model"), 2)
        w.para(purpose.body or "", bold_lead=purpose.text, cite=purpose)
        guidance(w, [plan.item(i) for i in ("model.use", "model.no-ready-answers", "model.examples-checklists")])
    phases = plan.items("cycle_phase")
    if phases:
        theme = plan.item("theme.cycle")
        w.heading(theme.text if theme else L("docx.use.cycle"), 2)
        if theme and theme.body:
            w.para(theme.body)
        for phase in phases:
            w.bullet(phase.text, phase.body)
            for step in plan.items("cycle_step", phase.id):
                p = w.bullet(step.text)
                if "List Bullet 2" in w.style_ids:
                    w.style(p, "List Bullet 2")
    w.heading(L("docx.use.filling"), 2)
    for key in ("docx.use.fields", "docx.use.statuses", "docx.use.rows_word", "docx.use.rows_libreoffice"):
        w.bullet(L(key))


# ---- 2 Roles -------------------------------------------------------------------------------------------------

def roles(w: Writer, n: int) -> None:
    plan, L, ctl = w.plan, w.plan.label, w.ctl
    w.heading(f"{n}. {L('docx.h.roles')}", 1)
    w.para(L("docx.roles.intro"))
    cols = (L("docx.col.role_task"), L("docx.col.name"), L("docx.col.contact"))
    weights = (7.6, 4.0, 5.0)
    team = plan.provider.team if plan.provider else ()

    def actor_rows(actors: tuple[Entry, ...]):
        rows = []
        for a in actors:
            members = [m for m in team if m.actor == a.id] or [None]
            for k, m in enumerate(members):
                tag = a.id if k == 0 else f"{a.id}.{k + 1}"
                rows.append(([a.text, a.body] if k == 0 and a.body else a.text,
                             ctl.text(f"{tag}.name", f"{a.text}: {L('docx.col.name')}", m.name if m else None),
                             ctl.text(f"{tag}.contact", f"{a.text}: {L('docx.col.contact')}", m.contact if m else None)))
        return rows

    for party_id in ("party.workplace", "party.ohs"):
        actors = plan.items("actor", party_id)
        party = plan.item(party_id)
        if actors:
            w.heading(party.text if party else party_id, 2)
            if party and party.body:
                w.para(party.body, style="Small")
            rows = actor_rows(actors)
            if party_id == "party.ohs":
                rows += _other_team_rows(w, {a.id for a in actors})
            _bold_first_lines(w.table(cols, weights, rows, caption=party.text if party else party_id))
    if plan.provider:
        _provider_contact(w)
    partners = plan.items("partner")
    if partners:
        party = plan.item("party.partners")
        w.heading(party.text if party else L("docx.col.role_task"), 2)
        _bold_first_lines(w.table(cols, weights, actor_rows(partners), caption=party.text if party else None))
    rules = [r for r in plan.items("rule") if not r.id.startswith(WA_RULES)]
    if rules:
        w.heading(L("docx.roles.rules"), 2)
        for r in rules:
            w.bullet(r.text, cite=r)


def _bold_first_lines(t) -> None:
    """The role's name in bold above its task, in the first column of a roles table."""
    for row in t.rows[1:]:
        runs = row.cells[0].paragraphs[0].runs
        if runs:
            runs[0].bold = True


def _other_team_rows(w: Writer, shown: set[str]) -> list[tuple]:
    """Team members whose role is not one of the model's OHS roles in this plan, as rows of their own."""
    L, ctl = w.plan.label, w.ctl
    rows = []
    team = w.plan.provider.team if w.plan.provider else ()
    for i, m in enumerate(team, start=1):
        if m.actor in shown:
            continue
        rows.append((ctl.text(f"team.{i}.role", L("docx.col.role_task"), m.role),
                     ctl.text(f"team.{i}.name", L("docx.col.name"), m.name),
                     ctl.text(f"team.{i}.contact", L("docx.col.contact"), m.contact)))
    return rows


def _provider_contact(w: Writer) -> None:
    pr = w.plan.provider
    parts = [x for x in (pr.phone, pr.email) if x]
    if parts or pr.web:
        p = w.para(f"{pr.name}: " + " \u00b7 ".join(parts), bold_lead=f"{w.plan.label('docx.roles.provider_contact')}:")
        if pr.web:
            p.add_run(" \u00b7 " if parts else "")
            w.link(p, pr.web)


# ---- 3 Collaboration -----------------------------------------------------------------------------------------

def collaboration(w: Writer, n: int) -> None:
    plan, L = w.plan, w.plan.label
    w.heading(f"{n}. {L('docx.h.collab')}", 1)
    unmet = [plan.item(i) for i in plan.previous.unmet] if plan.previous else []
    unmet = [e for e in unmet if e is not None]
    if unmet:  # the prerequisites last round's checklists found missing come first
        w.heading(L("docx.previous.unmet"), 2)
        w.para(L("docx.previous.unmet.intro"))
        for e in unmet:
            w.bullet(e.text, e.consequence)
    theme = plan.item("theme.collaboration")
    if theme and theme.body:
        w.para(theme.body)
    guidance(w, plan.items("planning_point", "theme.collaboration"))
    w.para(L("docx.collab.intro"))
    w.heading(L("docx.collab.meetings"), 2)
    _fill_in_table(w, "meeting", (("name", "meeting"), "participants", "schedule", ("next", "next_date"), "record"),
                   (4.2, 3.5, 3.0, 2.6, 3.3), 4, first=[L(f"docx.collab.meeting.{i}") for i in (1, 2, 3)],
                   dates=("next",))
    w.heading(L("docx.collab.channels"), 2)
    _fill_in_table(w, "channel", ("channel", "used_for", "record", "responsible"), (3.6, 5.0, 4.4, 3.6), 3)
    for cl_id in ("checklist.collab-structures", "checklist.collab-ways"):
        _checklist_table(w, cl_id, L("docx.col.in_place"))


def _fill_in_table(w: Writer, prefix: str, fields: tuple, weights: tuple[float, ...], count: int,
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


def _checklist_table(w: Writer, checklist_id: str, tick_title: str, title: Optional[str] = None) -> None:
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
        _checklist_table(w, "checklist.needs-data", L("docx.col.source_used"), title=None)
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
    _fill_in_table(w, "need", ("need", ("evidence", "evidence_source")), (1.4, 7.2, 8.0), NEED_ROWS,
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
    blocks = {_short_id(b.id): b.text for b in w.plan.items("planning_block")}
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
    short = _short_id(block.id)
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
            table_id=f"actions.{_short_id(block.id)}", fields=ACTION_FIELDS, repeat=L("docx.h.actions"))


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


# ---- 7 Work ability ------------------------------------------------------------------------------------------

def work_ability(w: Writer, n: int) -> None:
    plan, L, ctl = w.plan, w.plan.label, w.ctl
    w.heading(f"{n}. {L('docx.h.work_ability')}", 1)
    w.para(L("docx.wa.intro", scope=plan.client.contract_scope_name))
    items = plan.items("work_ability")
    ordered = [i for k in WA_ORDER for i in items if i.id == k] + [i for i in items if i.id not in WA_ORDER]
    for item in ordered:
        if item.id == "wa.ohs-always":
            w.para(item.body or "", bold_lead=item.text, cite=item)
            continue
        w.heading(item.text, 2)
        if item.body:
            w.para(item.body, cite=item)
        if item.id == "wa.early-support":
            p = w.field(L("docx.wa.documented"), ctl.checkbox(f"{item.id}.documented", L("docx.wa.documented")))
            p.add_run("   ")
            w.field(L("docx.wa.location"), ctl.text(f"{item.id}.location", L("docx.wa.location")))
            w.field(L("docx.wa.agreed"), ctl.date(f"{item.id}.agreed", L("docx.wa.agreed")))
            _milestones(w)
        else:
            w.field(L("docx.wa.practice"), ctl.text(f"{item.id}.practice", f"{item.text}: {L('docx.wa.practice')}"))
    if not any(i.id == "wa.early-support" for i in items):
        _milestones(w)
    _pathway(w)
    rules = [r for r in plan.items("rule") if r.id.startswith(WA_RULES)]
    facts = [f for f in plan.items("fact") if not f.id.startswith(INSTRUMENT_FACTS)
             and f.id not in FACTS_WITH_MILESTONES]
    if rules or facts:
        w.heading(L("docx.wa.rules"), 2)
        for r in rules:
            w.bullet(r.text, cite=r)
        guidance(w, facts)


def _milestones(w: Writer) -> None:
    plan, L, ctl = w.plan, w.plan.label, w.ctl
    ms = plan.items("milestone")
    if not ms:
        return
    w.heading(L("docx.wa.milestones"), 3)
    guidance(w, [plan.item(f) for f in FACTS_WITH_MILESTONES[:1]], style="Normal")
    rows = [(m.value or "", m.text,
             ctl.text(f"{m.id}.practice", f"{m.value}: {L('docx.col.our_practice')}")) for m in ms]
    w.table((L("docx.col.days"), L("common.what_happens"), L("docx.col.our_practice")), (2.0, 8.6, 6.0), rows,
            caption=L("docx.wa.milestones"))
    guidance(w, [plan.item(f) for f in FACTS_WITH_MILESTONES[1:]], style="Normal")


def _pathway(w: Writer) -> None:
    L = w.plan.label
    levels = [lv for lv in w.plan.pathway() if lv.care]
    if not levels:
        return
    w.heading(L("docx.wa.pathway"), 2)
    theme = w.plan.item("theme.pathway")
    if theme and theme.body:
        w.para(theme.body)
    model = w.plan.item("model.pathway-model")
    if model:
        w.para(model.body or "", bold_lead=model.text, cite=model)
    rows = [(lv.level.text, [c.text for c in lv.care]) for lv in levels]
    w.table((L("docx.col.level"), L("docx.col.care")), (5.6, 11.0), rows, caption=L("docx.wa.pathway"))


# ---- 8 Communication, 9 Follow-up ----------------------------------------------------------------------------

def communication(w: Writer, n: int) -> None:
    L = w.plan.label
    w.heading(f"{n}. {L('docx.h.communication')}", 1)
    w.para(L("docx.comm.intro"))
    steps(w, "communication")
    _fill_in_table(w, "comm", ("message", "audience", "channel", "when", "responsible"), (4.4, 3.2, 3.2, 2.6, 3.2),
                   4, first=[L(f"docx.comm.row.{i}") for i in (1, 2, 3)], dates=("when",))


def follow_up(w: Writer, n: int) -> None:
    plan, L, ctl = w.plan, w.plan.label, w.ctl
    w.heading(f"{n}. {L('docx.h.follow_up')}", 1)
    steps(w, "follow_up")
    guidance(w, plan.items("planning_point", "theme.cycle"))
    w.heading(L("docx.follow.dates"), 2)
    rows = [(L(f"docx.follow.row.{i}"), ctl.date(f"follow.{i}.date", L(f"docx.follow.row.{i}")),
             ctl.text(f"follow.{i}.responsible", L("docx.col.responsible"))) for i in (1, 2)]
    w.table((L("docx.col.occasion"), L("common.col.date"), L("docx.col.responsible")), (7.0, 3.6, 6.0), rows,
            caption=L("docx.follow.dates"))
    evaluated = [s for s in plan.items("cycle_step") if s.id in EVALUATION_STEPS]
    evaluated = [(s, plan.items("evaluation_question", s.id)) for s in evaluated]
    evaluated = [(s, qs) for s, qs in evaluated if qs]
    if evaluated:
        w.heading(L("common.evaluation_questions"), 2)
        for step, questions in evaluated:
            w.heading(step.text, 3)
            if step.body:
                w.para(step.body, style="Small")
            rows = [(q.text, ctl.text(f"{q.id}.answer", q.text)) for q in questions]
            w.table((L("docx.col.question"), L("docx.col.answer")), (8.0, 8.6), rows, caption=step.text)
    if plan.items("checklist_item", "checklist.follow-up"):
        w.heading(L("docx.follow.checklist"), 2)
        _checklist_table(w, "checklist.follow-up", L("docx.col.in_place"))
    use = [plan.item(i) for i in STEPS_IN["use"]]
    if any(use):
        phase = plan.item("cycle.use")
        w.heading(phase.text if phase else L("docx.follow.next_round"), 2)
        if phase and phase.body:
            w.para(phase.body)
        guidance(w, use, style="Normal")


# ---- 10 Do well, appendices ----------------------------------------------------------------------------------

def do_well(w: Writer, n: int) -> None:
    plan, L = w.plan, w.plan.label
    themes = [(t, plan.items("do_well", t.id), plan.items("avoid", t.id)) for t in plan.items("theme")]
    themes = [x for x in themes if x[1] or x[2]]
    w.heading(f"{n}. {L('common.do_well_avoid')}", 1)
    for theme, good, bad in themes:
        w.heading(theme.text, 2)
        for title, items in ((L("common.do_well"), good), (L("common.avoid"), bad)):
            if items:
                w.para(bold_lead=title)
                for it in items:
                    w.bullet(it.text, it.body)


def glossary(w: Writer, n: int) -> None:
    """The glossary as an appendix: each term in the document's language, its equivalents, and what it means."""
    plan, L = w.plan, w.plan.label
    terms = plan.items("glossary_term")
    if not terms:
        return
    w.heading(f"{n}. {L('docx.h.glossary')}", 1)
    w.para(L("docx.glossary.intro"))
    rows = [(t.text, [language_run(f"{lang}: {term}", lang) for lang, term in t.other_languages], t.body or "")
            for t in terms]
    w.table((L("docx.col.term"), L("docx.col.equivalents"), L("docx.col.meaning")), (4.2, 4.6, 7.8), rows,
            caption=L("docx.h.glossary"))


def sources(w: Writer, n: int) -> None:
    """The numbered reference list: every source this plan's items cite, once, in order of first citation."""
    L = w.plan.label
    w.heading(f"{n}. {L('common.sources')}", 1)
    w.para(L("docx.sources.intro"))
    for number, ref in w.citations.listing():
        p = w.add_para(style="Small")
        p.add_run(f"[{number}]\u00a0")
        if ref.author:
            p.add_run(ref.author + ("" if ref.author.endswith(".") else ". "))
        title = ref.title + ("" if ref.title.endswith((".", "?", "!")) else ".")
        if ref.title_lang and ref.title_lang != w.lang:  # a title in another language is marked as such
            original, bracket, rest = title.partition(" [")
            p._p.append(language_run(original, ref.title_lang))
            if bracket:
                p.add_run(bracket + rest)  # the translation in brackets is in the document's language
        else:
            p.add_run(title)
        if ref.year:
            p.add_run(f" {ref.year}.")
        if ref.url:
            p.add_run(" ")
            w.link(p, ref.url)


SECTIONS: tuple[Callable[["Writer", int], None], ...] = (
    how_to_use, roles, collaboration, needs, goals, actions, work_ability, communication, follow_up, do_well,
    glossary, sources)

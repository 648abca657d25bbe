"""The chapters of the Word action plan, each written from the Plan into a docx.Writer; missing content is skipped."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Optional

from ..plan import Entry
from docx.shared import Cm

from .docx_xml import shade_cell, text_run

if TYPE_CHECKING:
    from .docx import Writer

# Rules shown with work-ability support; the other rules (size, cooperation, OSH) go with the roles.
WA_RULES = ("rule.kela", "rule.early-support", "rule.dismissed")
EVAL_STEPS = ("cycle.evaluate.implementation", "cycle.evaluate.goals", "cycle.evaluate.collaboration")
WA_ORDER = ("wa.ohs-always", "wa.early-support", "wa.negotiation", "wa.partial-allowance", "wa.return-to-work")
STATUSES = ("planned", "in_progress", "done", "dropped")
GOAL_ROWS, BLANK_ACTION_ROWS = 3, 1
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
WIDTH = 16.6  # usable width of A4 with 2.2 cm margins, in cm


def _short_id(item_id: str) -> str:
    return item_id.split(".", 1)[-1]


def cover(w: Writer) -> None:
    plan, c, L, ctl = w.plan, w.plan.client, w.plan.label, w.ctl
    w.para(L("docx.title"), style="Title").paragraph_format.space_before = Cm(2.5)
    w.para(L("docx.subtitle"), style="Subtitle")
    w.para(c.name, bold_lead=None).runs[0].font.size = w.doc.styles["Heading 1"].font.size
    provider = plan.provider.name if plan.provider else ctl.text("cover.provider", L("common.provider"))
    period = [ctl.date("plan.start", L("docx.cover.period"), w.parse_date(c.plan_start)),
              text_run(" \u2013 "), ctl.date("plan.end", L("docx.cover.period"), w.parse_date(c.plan_end))]
    rows = [
        (L("common.client"), c.name),
        (L("docx.cover.business_id"), c.business_id or ctl.text("client.business_id", L("docx.cover.business_id"))),
        (L("docx.cover.industry"), f"{c.industry_group_name} (TOL {c.industry_code})"),
        (L("docx.cover.employees"), str(c.employees)),
        (L("common.scope"), c.contract_scope_name),
        (L("common.provider"), provider),
        (L("docx.cover.period"), period),
        (L("docx.cover.version"), L("docx.cover.version_value", content=plan.content_version or "–",
                                    generator=plan.generator_version or "–")),
        (L("docx.cover.date"), ctl.date("document.date", L("docx.cover.date"), w.stamp.date())),
        (L("docx.cover.prepared_by"), ctl.text("cover.prepared_by", L("docx.cover.prepared_by"))),
        (L("docx.cover.approved"), ctl.date("cover.approved", L("docx.cover.approved"))),
    ]
    t = w.table((), (5.0, WIDTH - 5.0), rows, header=False)
    for row in t.rows:
        row.cells[0].paragraphs[0].runs[0].bold = True
        shade_cell(row.cells[0]._tc, LABEL_FILL)
    credit = plan.item("model.credit")
    if credit:
        w.heading(L("docx.cover.credit"), 3)
        w.para(credit.text, style="Small")
        if credit.body:
            w.para(credit.body, style="Small")
    w.page_break()


def table_of_contents(w: Writer):
    """A TOC heading and a placeholder paragraph that fill_toc replaces with the field."""
    w.para(w.plan.label("docx.toc"), style="Title").runs[0].font.size = w.doc.styles["Heading 1"].font.size
    p = w.para("")
    w.para(w.plan.label("docx.toc.hint"), style="Fine print")
    w.page_break()
    return p


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
                p.paragraph_format.left_indent = w.doc.styles["List Bullet"].paragraph_format.left_indent
                if "List Bullet 2" in w.style_ids:
                    w.style(p, "List Bullet 2")
    w.para(L("docx.use.fields"), style="Fine print")


def roles(w: Writer, n: int) -> None:
    plan, L, ctl = w.plan, w.plan.label, w.ctl
    w.heading(f"{n}. {L('docx.h.roles')}", 1)
    w.para(L("docx.roles.intro"))
    cols = (L("docx.col.role"), L("docx.col.task"), L("docx.col.name"), L("docx.col.contact"))
    widths = (3.6, 6.6, 3.2, 3.2)

    team = plan.provider.team if plan.provider else ()

    def actor_rows(actors: tuple[Entry, ...]):
        rows = []
        for a in actors:
            members = [m for m in team if m.actor == a.id] or [None]
            for k, m in enumerate(members):
                tag = a.id if k == 0 else f"{a.id}.{k + 1}"
                rows.append((a.text, a.body or "" if k == 0 else "",
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
            w.table(cols, widths, rows)
    if plan.provider:
        _provider_contact(w)
    partners = plan.items("partner")
    if partners:
        party = plan.item("party.partners")
        w.heading(party.text if party else L("docx.col.role"), 2)
        w.table(cols, widths, actor_rows(partners))
    rules = [r for r in plan.items("rule") if not r.id.startswith(WA_RULES)]
    if rules:
        w.heading(L("docx.roles.rules"), 3)
        for r in rules:
            w.bullet(r.text, cite=r)


def _other_team_rows(w: Writer, shown: set[str]) -> list[tuple]:
    """Team members whose role is not one of the model's OHS roles in this plan, as rows of their own."""
    L, ctl = w.plan.label, w.ctl
    rows = []
    team = w.plan.provider.team if w.plan.provider else ()
    for i, m in enumerate(team, start=1):
        if m.actor in shown:
            continue
        rows.append((ctl.text(f"team.{i}.role", L("docx.col.role"), m.role), "",
                     ctl.text(f"team.{i}.name", L("docx.col.name"), m.name),
                     ctl.text(f"team.{i}.contact", L("docx.col.contact"), m.contact)))
    return rows


def _provider_contact(w: Writer) -> None:
    pr = w.plan.provider
    parts = [x for x in (pr.phone, pr.email, pr.web) if x]
    if parts:
        w.para(f"{pr.name}: " + " \u00b7 ".join(parts), bold_lead=f"{w.plan.label('docx.roles.provider_contact')}:")


def collaboration(w: Writer, n: int) -> None:
    plan, L = w.plan, w.plan.label
    w.heading(f"{n}. {L('docx.h.collab')}", 1)
    theme = plan.item("theme.collaboration")
    if theme and theme.body:
        w.para(theme.body)
    guidance(w, plan.items("planning_point", "theme.collaboration"))
    w.para(L("docx.collab.intro"))
    w.heading(L("docx.collab.meetings"), 2)
    _fill_in_table(w, "meeting", (("name", "meeting"), "participants", "schedule", ("next", "next_date"), "record"),
                   (4.2, 3.4, 3.0, 2.8, 3.2), 4, first=[L(f"docx.collab.meeting.{i}") for i in (1, 2, 3)],
                   dates=("next",))
    w.heading(L("docx.collab.channels"), 2)
    _fill_in_table(w, "channel", ("channel", "used_for", "record", "responsible"), (3.6, 5.0, 4.4, 3.6), 3)
    for cl_id in ("checklist.collab-structures", "checklist.collab-ways"):
        _checklist_table(w, cl_id, L("docx.col.in_place"))


def _fill_in_table(w: Writer, prefix: str, fields: tuple, widths: tuple[float, ...], count: int,
                   first: Optional[list[str]] = None, dates: tuple[str, ...] = ()) -> None:
    """A table of `count` rows of fill-in controls tagged <prefix>.<row>.<field>, under the fields' column titles.

    A field is a name, or (name, column) when its tag and its docx.col.* title differ; fields in dates get
    a date picker. first[i] prefills the first cell of row i + 1; later rows start empty.
    """
    L, ctl = w.plan.label, w.ctl
    fields = [(f, f) if isinstance(f, str) else f for f in fields]
    first = first or []
    rows = []
    for i in range(1, count + 1):
        row = []
        for j, (name, column) in enumerate(fields):
            tag, title = f"{prefix}.{i}.{name}", L(f"docx.col.{column}")
            value = first[i - 1] if j == 0 and i <= len(first) else None
            row.append(ctl.date(tag, title) if name in dates else ctl.text(tag, title, value))
        rows.append(tuple(row))
    w.table(tuple(L(f"docx.col.{column}") for _, column in fields), widths, rows)


def _checklist_table(w: Writer, checklist_id: str, tick_title: str, title: Optional[str] = None) -> None:
    plan, L, ctl = w.plan, w.plan.label, w.ctl
    items = plan.items("checklist_item", checklist_id)
    if not items:
        return
    cl = plan.item(checklist_id)
    w.heading(title or (cl.text if cl else checklist_id), 3)
    rows = [(it.text, ctl.checkbox(f"{it.id}.done", it.text), ctl.text(f"{it.id}.notes", L("common.notes")))
            for it in items]
    w.table((L("docx.col.item"), tick_title, L("common.notes")), (9.0, 2.0, 5.6), rows)


def needs(w: Writer, n: int) -> None:
    plan, L = w.plan, w.plan.label
    w.heading(f"{n}. {L('docx.h.needs')}", 1)
    w.para(L("docx.needs.intro"))
    steps(w, "needs")
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
            w.para(group.body, style="Small")
        rows = [(f.text, ctl.checkbox(f"{f.id}.{suffix}", f.text), ctl.text(f"{f.id}.notes", L("docx.col.evidence")))
                for f in factors]
        w.table((L("docx.col.factor"), tick, L("docx.col.evidence")), (6.6, 2.2, 7.8), rows)


def goals(w: Writer, n: int) -> None:
    plan, L = w.plan, w.plan.label
    w.heading(f"{n}. {L('docx.h.goals')}", 1)
    w.para(L("docx.goals.intro"))
    steps(w, "goals")
    _fill_in_table(w, "goal", ("need", "goal", "metric", "baseline", "target"), (3.6, 3.6, 3.6, 2.9, 2.9), GOAL_ROWS)
    measures = sorted(plan.items("measure_priority"), key=lambda m: (m.value or "9"))
    if measures:
        w.heading(L("docx.goals.measures"), 3)
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
    for block in plan.items("planning_block"):
        w.heading(block.text, 2)
        if block.body:
            w.para(block.body, style="Small")
        _action_table(w, _short_id(block.id), plan.items("action", block.id))
    for example in plan.items("example"):
        w.heading(example.text, 3)
        if example.body:
            w.para(example.body, cite=example)


def _action_table(w: Writer, block: str, items: tuple[Entry, ...]) -> None:
    L, ctl = w.plan.label, w.ctl
    choices = [(s, L(f"docx.status.{s}")) for s in STATUSES]
    rows = []
    prefilled = [(a.text, a.why or a.aim, a.how, a.who) for a in items]
    for i, values in enumerate(prefilled + [(None,) * 4] * BLANK_ACTION_ROWS, start=1):
        tag = f"action.{block}.{i}"
        rows.append(tuple(ctl.text(f"{tag}.{f}", L(f"docx.col.{f}"), v)
                          for f, v in zip(("action", "why", "how", "who"), values))
                    + (ctl.date(f"{tag}.when", L("docx.col.when")),
                       ctl.dropdown(f"{tag}.status", L("docx.col.status"), choices)))
    w.table(tuple(L(f"docx.col.{f}") for f in ("action", "why", "how", "who", "when", "status")),
            (3.4, 3.4, 3.8, 2.6, 1.7, 1.7), rows)


def work_ability(w: Writer, n: int) -> None:
    plan, L, ctl = w.plan, w.plan.label, w.ctl
    w.heading(f"{n}. {L('docx.h.work_ability')}", 1)
    w.para(L("docx.wa.intro", scope=plan.client.contract_scope_name))
    items = plan.items("work_ability")
    ordered = [i for k in WA_ORDER for i in items if i.id == k] + [i for i in items if i.id not in WA_ORDER]
    for item in ordered:
        if item.id == "wa.ohs-always":
            w.para(item.body or "", bold_lead=item.text)
            continue
        w.heading(item.text, 2)
        if item.body:
            w.para(item.body)
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
    rows = [(m.value or "", m.text, ctl.text(f"{m.id}.practice", f"{m.value}: {L('docx.col.our_practice')}"))
            for m in ms]
    w.table((L("docx.col.days"), L("common.what_happens"), L("docx.col.our_practice")), (1.6, 9.0, 6.0), rows)
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
    w.table((L("docx.col.level"), L("docx.col.care")), (5.6, 11.0), rows)


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
    w.table((L("docx.col.occasion"), L("docx.col.date"), L("docx.col.responsible")), (7.0, 3.6, 6.0), rows)
    evaluated = [s for s in plan.items("cycle_step") if s.id in EVAL_STEPS]
    evaluated = [(s, plan.items("evaluation_question", s.id)) for s in evaluated]
    evaluated = [(s, qs) for s, qs in evaluated if qs]
    if evaluated:
        w.heading(L("common.evaluation_questions"), 2)
        for step, questions in evaluated:
            w.heading(step.text, 3)
            if step.body:
                w.para(step.body, style="Small")
            rows = [(q.text, ctl.text(f"{q.id}.answer", q.text)) for q in questions]
            w.table((L("docx.col.question"), L("docx.col.answer")), (8.0, 8.6), rows)
    _checklist_table(w, "checklist.follow-up", L("docx.col.in_place"))
    use = [plan.item(i) for i in STEPS_IN["use"]]
    if any(use):
        phase = plan.item("cycle.use")
        w.heading(phase.text if phase else L("docx.follow.next_round"), 2)
        if phase and phase.body:
            w.para(phase.body)
        guidance(w, use, style="Normal")


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
    rows = [(t.text, [f"{lang}: {term}" for lang, term in t.other_languages], t.body or "") for t in terms]
    w.table((L("docx.col.term"), L("docx.col.equivalents"), L("docx.col.meaning")), (4.2, 4.6, 7.8), rows)


def sources(w: Writer, n: int) -> None:
    """The numbered reference list: every source this plan's items cite, once, in order of first citation."""
    L = w.plan.label
    w.heading(f"{n}. {L('common.sources')}", 1)
    w.para(L("docx.sources.intro"))
    for number, ref in w.citations.listing():
        p = w.para(f"[{number}]\u00a0{ref.citation()}", style="Small")
        if ref.url:
            p.add_run(" ")
            w.link(p, ref.url)


SECTIONS: tuple[Callable[["Writer", int], None], ...] = (
    how_to_use, roles, collaboration, needs, goals, actions, work_ability, communication, follow_up, do_well,
    glossary, sources)

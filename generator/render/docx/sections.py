"""The chapters of the Word action plan, each written from the Plan into a docx.Writer; missing content is skipped.

Tags of the fill-in controls are the interface that reading a filled plan back relies on: see
docs/docx-tags.md before changing one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from docx.shared import Cm

from ...plan import Entry
from ...vocab import EVALUATION_STEPS
from .parts import LABEL_FILL, STEPS_IN, WA_RULES, checklist_table, fill_in_table, guidance, steps
from .planning import actions, goals, needs
from .reference import do_well, glossary, sources, work_ability
from .xml import brand_rule, shade_cell, text_run

if TYPE_CHECKING:
    from .writer import Writer

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
    fill_in_table(w, "meeting", (("name", "meeting"), "participants", "schedule", ("next", "next_date"), "record"),
                   (4.2, 3.5, 3.0, 2.6, 3.3), 4, first=[L(f"docx.collab.meeting.{i}") for i in (1, 2, 3)],
                   dates=("next",))
    w.heading(L("docx.collab.channels"), 2)
    fill_in_table(w, "channel", ("channel", "used_for", "record", "responsible"), (3.6, 5.0, 4.4, 3.6), 3)
    for cl_id in ("checklist.collab-structures", "checklist.collab-ways"):
        checklist_table(w, cl_id, L("docx.col.in_place"))


# ---- 8 Communication, 9 Follow-up ----------------------------------------------------------------------------

def communication(w: Writer, n: int) -> None:
    L = w.plan.label
    w.heading(f"{n}. {L('docx.h.communication')}", 1)
    w.para(L("docx.comm.intro"))
    steps(w, "communication")
    fill_in_table(w, "comm", ("message", "audience", "channel", "when", "responsible"), (4.4, 3.2, 3.2, 2.6, 3.2),
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
        checklist_table(w, "checklist.follow-up", L("docx.col.in_place"))
    use = [plan.item(i) for i in STEPS_IN["use"]]
    if any(use):
        phase = plan.item("cycle.use")
        w.heading(phase.text if phase else L("docx.follow.next_round"), 2)
        if phase and phase.body:
            w.para(phase.body)
        guidance(w, use, style="Normal")


SECTIONS: tuple[Callable[["Writer", int], None], ...] = (
    how_to_use, roles, collaboration, needs, goals, actions, work_ability, communication, follow_up, do_well,
    glossary, sources)

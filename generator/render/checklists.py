"""The checklists PDF: Plan -> checklists.pdf, a fillable form (an AcroForm checkbox per checklist item, named by
the item's id; a text field per evaluation question and per checklist's notes), rendered by WeasyPrint from
templates/checklists.html.j2.

What is verified: qpdf --check, embedded subset fonts, `Tagged: yes` (a structure tree from pdf_tags), document
language, metadata and the form fields with the item text as accessible name (TU). What is not: PDF/UA
conformance (veraPDF cannot run here, and WeasyPrint's form widgets are known to fail PDF/UA, upstream #2726),
so the document is called "tagged", never "accessible" or "compliant".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ..plan import Citations, Entry, Plan
from ..vocab import EVALUATION_STEPS
from .html import common_context, identity, template
from .weasy.engine import html_to_pdf


@dataclass(frozen=True)
class Section:
    """One tickable list of the checklists PDF: a checklist, or one step of the evaluation questions."""

    id: str
    title: str
    body: Optional[str]
    items: tuple[Entry, ...]


def render_checklists(plan: Plan, templates_dir: Path, asset_root: Optional[Path] = None) -> bytes:
    """The fillable checklists PDF: every checklist item is an AcroForm checkbox named by the item's id; each
    evaluation question and each checklist's notes are text fields (<question id>, <checklist id>.notes)."""
    ctx = common_context(plan, templates_dir, "pdf.checklists", asset_root)
    sections, questions = _sections(plan), _evaluation(plan)
    citations = Citations(plan)
    for e in [e for s in sections for e in s.items] + [e for s in questions for e in s.items]:
        citations.mark(e)
    ctx.update(sections=sections, questions=questions, total_items=sum(len(s.items) for s in sections),
               prompt=plan.item("prompt.self-assessment"),
               dowell_avoid=_dowell_avoid(plan), always=plan.labels.get("reason.always"),
               references=_cited(citations, [e for s in sections + questions for e in s.items]))
    html = template(templates_dir, "checklists.html.j2").render(**ctx)
    names = {e.id: e.text for s in sections + questions for e in s.items}
    names.update({f"{s.id}.notes": f"{s.title}: {plan.label('common.notes')}" for s in sections})
    pdf, _ = html_to_pdf(html, templates_dir, "checklists.pdf", forms=True, accessible_names=names,
                         identity=identity(plan, "checklists"), asset_root=asset_root)
    return pdf


def _cited(citations: Citations, entries: list[Entry]) -> tuple:
    """(number, reference) for the sources the given entries cite, numbered for this document."""
    ids = {c for e in entries for c in e.cites}
    return tuple((n, r) for n, r in citations.listing() if r.id in ids)


def _sections(plan: Plan) -> tuple[Section, ...]:
    """The checklists: items that are met or not, ticked and counted."""
    return tuple(Section(cl.id, cl.text, cl.body, items) for cl, items in plan.checklists())


def _evaluation(plan: Plan) -> tuple[Section, ...]:
    """The evaluation questions by step: open questions with a written answer, never counted as ticks."""
    out = []
    for step_id in EVALUATION_STEPS:
        questions = plan.items("evaluation_question", step_id)
        step = plan.item(step_id)
        if questions:
            title = step.text if step else plan.label("common.evaluation_questions")
            out.append(Section(step_id, title, step.body if step else None, questions))
    return tuple(out)


def _dowell_avoid(plan: Plan) -> tuple[tuple[str, tuple[Entry, ...], tuple[Entry, ...]], ...]:
    """(theme title, do-well items, avoid items) per theme, in the order the themes first appear."""
    groups: list[str] = []
    for e in plan.items("do_well") + plan.items("avoid"):
        if e.group not in groups:
            groups.append(e.group)
    out = []
    for g in groups:
        theme = plan.item(g) if g else None
        out.append((theme.text if theme else "", plan.items("do_well", g), plan.items("avoid", g)))
    return tuple(out)

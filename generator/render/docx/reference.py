"""The reference chapters of the Word plan: work-ability support under this contract, what to do well and avoid,
the glossary and the numbered sources."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .parts import FACTS_WITH_MILESTONES, INSTRUMENT_FACTS, WA_ORDER, WA_RULES, guidance
from .xml import language_run

if TYPE_CHECKING:
    from .writer import Writer


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

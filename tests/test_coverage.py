"""Every element of the model and of the domain rules is in the library: a missing one fails the build."""

from __future__ import annotations

import re

import pytest

from generator.vocab import WORK_FEATURES

# Element of the source model or brief -> the item ids that carry it.
ELEMENTS = {
    # seed 000: the model itself
    "model: purpose": ["model.purpose"],
    "model: two ways to use it": ["model.use"],
    "model: no ready-made answers": ["model.no-ready-answers"],
    "model: credit to TTL and MIELI and the programme": ["model.credit"],
    "model: examples, checklists, do-well/avoid lists": ["model.examples-checklists"],
    "model: the 2025 four-level model": ["model.pathway-model"],
    # seed 001: planning
    "planning: own part of the action plan": ["planning.own-section"],
    "planning: guidance points": ["planning.community-level", "planning.blocks-separate",
                                  "planning.multiprofessional-data", "planning.ohs-concrete",
                                  "planning.why-aim-how-who", "planning.involve-staff", "planning.entrepreneur-wellbeing"],
    "planning: example practice": ["example.early-care-cards"],
    "planning: five blocks": ["block.community", "block.prevention", "block.resources", "block.supervisors",
                              "block.supervisor-ohs"],
    "planning: do well (5)": ["planning.dowell.chain", "planning.dowell.workplace-business",
                              "planning.dowell.ohs-methods", "planning.dowell.use-data", "planning.dowell.experiment"],
    "planning: avoid (4)": ["planning.avoid.high-level-plan", "planning.avoid.vague-goals",
                            "planning.avoid.same-tools", "planning.avoid.reactive-only"],
    # seed 002: collaboration prerequisites
    "collaboration: what it is and means in practice": ["collab.what-is", "collab.in-practice",
                                                        "collab.shared-understanding", "collab.basics-first"],
    "collaboration: workplace actors": ["actor.management", "actor.hr", "actor.supervisor", "actor.employee",
                                        "actor.osh-manager", "actor.osh-representative", "actor.shop-steward"],
    "collaboration: OHS team and professionals": ["actor.ohs-team", "actor.oh-nurse", "actor.oh-physician",
                                                  "actor.oh-physiotherapist", "actor.oh-psychologist",
                                                  "actor.social-work-expert", "actor.occupational-hygienist",
                                                  "actor.account-manager", "actor.ohs-sales"],
    "collaboration: other partners (8)": ["partner.social-health", "partner.employment-services",
                                          "partner.rehabilitation", "partner.patient-organisations",
                                          "partner.pension-insurance", "partner.kela", "partner.consultancy",
                                          "partner.workplace-partners"],
    "collaboration: structures checklist (4)": ["collab.structures.actors-named", "collab.structures.roles-recorded",
                                                "collab.structures.meetings-agreed", "collab.structures.tools-agreed"],
    "collaboration: ways-of-working checklist (3)": ["collab.ways.clear-language", "collab.ways.open-discussion",
                                                     "collab.ways.critical-review"],
    "collaboration: how many items do you meet?": ["prompt.self-assessment"],
    "collaboration: do well (6)": ["collab.dowell.strategy", "collab.dowell.roles", "collab.dowell.active",
                                   "collab.dowell.time", "collab.dowell.understanding", "collab.dowell.low-threshold"],
    "collaboration: avoid (2)": ["collab.avoid.ohs-own-products", "collab.avoid.workplace-package"],
    # seed 003 and brief 1-2: the four levels
    "pathway: four levels": ["level.1", "level.2", "level.3", "level.4"],
    "pathway: care under both scopes": [f"pathway.care.{n}.{s}" for n in range(1, 5) for s in ("preventive", "medical")],
    "pathway: work-ability support always in OHS": ["wa.ohs-always"],
    "pathway: interface with the wellbeing services county": ["wa.interface-county"],
    "pathway: stepped care examples": ["stepped.general-support", "stepped.guided-self-help",
                                       "stepped.short-interventions", "stepped.short-psychotherapy",
                                       "stepped.long-therapy", "stepped.navigator"],
    "pathway: screening instruments as examples": ["screening.phq9", "screening.gad7", "screening.bdi",
                                                   "screening.oasis", "screening.audit"],
    # seed 004: the cycle
    "cycle: phases": ["cycle.identify", "cycle.plan", "cycle.evaluate", "cycle.use"],
    "cycle: identify needs (workplace, OHS, industry)": ["cycle.identify.workplace-data", "cycle.identify.ohs-data",
                                                         "cycle.identify.industry"],
    "cycle: choose, goals and metrics, actions, communication": ["cycle.plan.choose", "cycle.plan.goals",
                                                                 "cycle.plan.actions", "cycle.plan.communication"],
    "cycle: evaluation questions on implementation (4)": ["cycle.eval.impl.done", "cycle.eval.impl.differently",
                                                          "cycle.eval.impl.no-benefit", "cycle.eval.impl.schedule"],
    "cycle: evaluation questions on goals (4)": ["cycle.eval.goals.reached", "cycle.eval.goals.successes",
                                                 "cycle.eval.goals.changed", "cycle.eval.goals.metrics"],
    "cycle: evaluation questions on collaboration (3)": ["cycle.eval.collab.represented", "cycle.eval.collab.agreed",
                                                         "cycle.eval.collab.meetings"],
    "cycle: results used in the next round": ["cycle.use.planning"],
    # brief 3-8: rules and facts
    "rules: size thresholds": ["rule.osh-representative", "rule.osh-committee", "rule.coop-not-applied",
                               "rule.coop-light", "rule.coop-full", "rule.owner-wellbeing", "rule.dismissed-ohs"],
    "rules: Kela reimbursement classes": ["rule.kela-class-1", "rule.kela-class-2", "rule.kela-conditions"],
    "rules: early-support practice": ["wa.early-support", "rule.early-support-in-survey", "rule.early-support-written"],
    "rules: 30/60/90 and 150/230 days": ["milestone.30", "milestone.60", "milestone.90", "milestone.150",
                                         "milestone.230"],
    "rules: negotiation, partial allowance, psychotherapy": ["wa.negotiation", "wa.partial-allowance",
                                                             "wa.kela-psychotherapy", "wa.return-to-work"],
    "load: three groups and resources": ["load.content", "load.arrangements", "load.social", "resource.work",
                                         "resource.community"],
    "load: employer's order of measures": ["measure.remove", "measure.control", "measure.support"],
    "contacts: emergency, crisis lines per language, Mielenterveystalo": [
        "contact.emergency", "contact.crisis-fi", "contact.crisis-sv", "contact.crisis-en", "contact.mielenterveystalo"],
}

INDUSTRY_GROUPS_WITH_NOTES = ["social_health", "ece", "education", "customer_service", "expert_work", "construction",
                             "transport", "accommodation_food", "personal_services", "manufacturing", "general"]
BLOCKS = ["block.community", "block.prevention", "block.resources", "block.supervisors", "block.supervisor-ohs"]


@pytest.mark.parametrize("element", sorted(ELEMENTS))
def test_element_is_in_the_library(library, element):
    ids = library.by_id()
    missing = [i for i in ELEMENTS[element] if i not in ids]
    assert not missing, f"{element}: missing items {missing}"


def test_counties_are_all_there(library):
    assert len(library.counties()) == 22


@pytest.mark.parametrize("group", INDUSTRY_GROUPS_WITH_NOTES)
def test_every_industry_group_has_a_note_with_a_source(library, group):
    notes = [i for i in library.items if i.kind == "industry_note" and group in (i.when.industry_groups or ())]
    # an industry note rests on a study or statistic, not only on the model or the classification
    assert notes and all(set(n.cite) - {"ttl-mieli-2022", "tilastokeskus-tol2008"} for n in notes)


# The chain of an action row in the Word plan: need, goal, how, owner at the workplace, owner in OHS, when, metric.
ACTION_CHAIN = ("why", "aim", "how", "who", "who_ohs", "when_text", "metric")
LANGS = ("fi", "sv", "en")
# The model's OHS roles (stems that survive inflection), and the words for an action OHS has no part in.
OHS_ROLES = {
    "fi": ("työterveyshoitaj", "työterveyslääkär", "työterveyspsykologi", "työfysioterapeut",
           "sosiaalialan asiantuntij", "asiakkuuspäällik", "työhygieenik"),
    "sv": ("företagshälsovårdar", "företagsläkar", "företagspsykolog", "företagsfysioterapeut",
           "sakkunnig inom det sociala", "kundansvarig", "yrkeshygieniker"),
    "en": ("oh nurse", "oh physician", "oh psychologist", "oh physiotherapist", "social work expert", "account manager",
           "occupational hygienist"),
}
NO_OHS_TASK = {"fi": "Ei työterveyshuollon tehtävää", "sv": "Ingen uppgift för företagshälsovården",
               "en": "No OHS task"}
# `who` is the owner at the workplace: OHS has its own column.
OHS_IN_WHO = {"fi": re.compile(r"työterveys|työfysioterapeut", re.I),
              "sv": re.compile(r"företagshälso|företagsläkar|företagspsykolog|företagsfysioterapeut", re.I),
              "en": re.compile(r"\bOHS?\b|occupational health", re.I)}
# Below 20 there is no HR department, management team, board or shop steward (see test_select's roles by size).
LARGE_ORG_IN_WHO = {
    "fi": re.compile(r"\bHR\b|henkilöstöhallin|johtoryhm|hallitu(s|ks)|luottamus(mie|henkil)", re.I),
    "sv": re.compile(r"\bHR\b|personalförvaltning|ledningsgrupp|styrelse|förtroendem", re.I),
    "en": re.compile(r"\bHR\b|human resources|management team|\bboard\b|shop steward", re.I),
}
# A schedule is a season or recurrence, never a date: 1.9., 2027, 1 September / 1. syyskuuta.
MONTHS = ("jan|feb|mar|apr|maj|may|jun|jul|aug|sep|okt|oct|nov|dec|"
          "tammi|helmi|maalis|huhti|touko|kesä|heinä|elo|syys|loka|marras|joulu")
CALENDAR_DATE = re.compile(rf"\b\d{{1,2}}\.\s?\d{{1,2}}\.|\b(19|20)\d\d\b|\b\d{{1,2}}\.?\s+({MONTHS})", re.I)


def _actions(library):
    return [i for i in library.items if i.kind == "action"]


def _only_under_20(action) -> bool:
    w = action.when
    return bool((w.max_employees is not None and w.max_employees < 20) or
                (w.size_bands and set(w.size_bands) <= {"1-9", "10-19"}))


@pytest.mark.parametrize("block", BLOCKS)
def test_every_block_has_example_actions_with_why_aim_how_who(library, block):
    actions = [i for i in library.items if i.kind == "action" and i.group == block]
    assert len(actions) >= 2
    for a in actions:
        for field in ACTION_CHAIN:
            text = getattr(a, field)
            assert text and all(text.get(lang).strip() for lang in LANGS), f"{a.id}: {field}"


@pytest.mark.parametrize("lang", LANGS)
def test_every_action_splits_the_workplace_owner_from_the_ohs_owner(library, lang):
    wrong = []
    for a in _actions(library):
        who, ohs = a.who.get(lang), a.who_ohs.get(lang)
        if OHS_IN_WHO[lang].search(who):
            wrong.append(f"{a.id}: who names OHS: {who}")
        no_task = [a.who_ohs.get(x) == NO_OHS_TASK[x] for x in LANGS]
        if any(no_task) and not all(no_task):
            wrong.append(f"{a.id}: 'no OHS task' in some languages only")
        if ohs != NO_OHS_TASK[lang] and not any(role in ohs.lower() for role in OHS_ROLES[lang]):
            wrong.append(f"{a.id}: who_ohs names no OHS role of the model: {ohs}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("lang", LANGS)
def test_actions_for_small_workplaces_name_no_hr_board_or_shop_steward(library, lang):
    small = [a for a in _actions(library) if _only_under_20(a)]
    assert small
    wrong = [f"{a.id}: {a.who.get(lang)}" for a in small if LARGE_ORG_IN_WHO[lang].search(a.who.get(lang))]
    assert not wrong, "\n".join(wrong)


def test_action_schedules_and_metrics_are_suggestions_not_dates_or_targets(library):
    wrong = []
    for a in _actions(library):
        for lang in LANGS:
            if CALENDAR_DATE.search(a.when_text.get(lang)):
                wrong.append(f"{a.id}: a calendar date in when_text ({lang}): {a.when_text.get(lang)}")
            if "%" in a.metric.get(lang):
                wrong.append(f"{a.id}: a target figure in metric ({lang}): {a.metric.get(lang)}")
    assert not wrong, "\n".join(wrong)


def test_actions_have_variants_for_small_workplaces_industries_and_features(library):
    actions = [i for i in library.items if i.kind == "action"]
    assert any(a.when.max_employees and a.when.max_employees < 20 or
               (a.when.size_bands and set(a.when.size_bands) <= {"1-9", "10-19"}) for a in actions)
    for group in INDUSTRY_GROUPS_WITH_NOTES[:-1]:
        assert any(group in (a.when.industry_groups or ()) for a in actions), group
    for feature in WORK_FEATURES:
        assert any(feature in (a.when.work_features or ()) for a in actions), feature


def test_glossary_covers_the_domain_terms(library):
    terms = [i for i in library.items if i.kind == "glossary_term"]
    assert len(terms) >= 25
    en = {t.text.en.lower() for t in terms}
    for needed in ("action plan", "workplace survey", "wellbeing services county"):
        assert any(needed in t for t in en), needed

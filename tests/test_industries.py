"""Industry groups of their own: TOL codes land in the right group, and each group brings its own content."""

from __future__ import annotations

import pytest

LOAD_GROUPS = ("load.content", "load.arrangements", "load.social")

# New group -> a typical TOL code of the group.
NEW_GROUPS = {
    "construction": "41.20",
    "transport": "49.41",
    "accommodation_food": "56.10",
    "personal_services": "96.02",
    "manufacturing": "25.62",
    "expert_work": "62.01",
}


def _own(library, plan, kind, group_id):
    """Selected entries of a kind whose conditions name this industry group."""
    by_id = library.by_id()
    return [e for e in plan.items(kind) if group_id in (by_id[e.id].when.industry_groups or ())]


@pytest.mark.parametrize("code, group", [
    ("41.20", "construction"), ("41", "construction"), ("42.11", "construction"), ("43.99", "construction"),
    ("49.41", "transport"), ("50.20", "transport"), ("51.10", "transport"), ("52.29", "transport"),
    ("53.20", "transport"),
    ("55.10", "accommodation_food"), ("55.90", "accommodation_food"), ("56.10", "accommodation_food"),
    ("56.30", "accommodation_food"),
    ("96.02", "personal_services"), ("96.09", "personal_services"),
    ("10.11", "manufacturing"), ("16.10", "manufacturing"), ("25.62", "manufacturing"), ("33.20", "manufacturing"),
    ("62.01", "expert_work"), ("63.11", "expert_work"), ("58.21", "expert_work"), ("64.19", "expert_work"),
    ("66.22", "expert_work"), ("69.10", "expert_work"), ("71.12", "expert_work"), ("74.90", "expert_work"),
    # neighbours that stay where they were, or fall to "Other industries"
    ("47.19", "customer_service"), ("79.11", "customer_service"), ("82.20", "customer_service"),
    ("86.10", "social_health"), ("88.91", "ece"), ("85.31", "education"),
    ("84.11", "general"), ("84.24", "general"), ("09.10", "general"), ("35.11", "general"), ("39.00", "general"),
    ("45.20", "general"), ("46.90", "general"), ("59.11", "general"), ("61.10", "general"), ("68.20", "general"),
    ("75.00", "general"), ("95.11", "general"), ("97.00", "general"), ("01", "general"),
])
def test_codes_land_in_their_group(plan_for, code, group):
    assert plan_for(industry=code).client.industry_group == group


@pytest.mark.parametrize("group, code", sorted(NEW_GROUPS.items()))
def test_each_group_brings_its_own_content(plan_for, library, group, code):
    plan = plan_for(industry=code)
    assert plan.client.industry_group == group
    notes = _own(library, plan, "industry_note", group)
    assert notes, f"{group}: no industry note"
    # a note rests on a study, statistic or law, and every source it cites is in the reference list
    for n in notes:
        assert set(n.cites) - {"ttl-mieli-2022", "tilastokeskus-tol2008"}, n.id
        assert all(c in plan.references for c in n.cites), n.id
    actions = _own(library, plan, "action", group)
    assert len(actions) >= 2, f"{group}: {len(actions)} actions"
    for a in actions:
        assert a.why and a.aim and a.how and a.who, a.id
        assert a.group.startswith("block."), a.id
    checks = [e for e in _own(library, plan, "checklist_item", group) if e.group == "checklist.workplace"]
    assert checks, f"{group}: no workplace checklist item"
    factors = _own(library, plan, "load_factor", group)
    assert len(factors) >= 2, f"{group}: {len(factors)} load factors"
    assert all(f.group in LOAD_GROUPS for f in factors)


@pytest.mark.parametrize("group, code", sorted(NEW_GROUPS.items()))
def test_other_groups_content_stays_out(plan_for, library, group, code):
    by_id = library.by_id()
    plan = plan_for(industry=code)
    for e in plan.entries:
        groups = by_id[e.id].when.industry_groups
        assert groups is None or group in groups, f"{e.id} is for {groups}, not {group}"


def test_general_keeps_only_what_no_group_covers(plan_for, library):
    plan = plan_for(industry="84.11")
    notes = {n.id for n in plan.items("industry_note")}
    assert notes and all(library.by_id()[n].when.industry_groups == ("general",) for n in notes)


@pytest.mark.parametrize("code", ["47.19", "25.62", "41.20", "62.01", "01"])
def test_threat_of_violence_brings_the_procedure_in_any_industry(plan_for, library, code):
    plan = plan_for(industry=code, work_features=["customer_violence_risk"])
    by_id = library.by_id()
    feature_items = [e for e in plan.entries
                     if "customer_violence_risk" in (by_id[e.id].when.work_features or ())]
    kinds = {(e.kind, e.group) for e in feature_items}
    assert ("checklist_item", "checklist.workplace") in kinds
    ids = {e.id for e in feature_items}
    # the procedure (TTurvL 27 §) and aftercare, each as an action and as a check
    assert {"action.feature.customer-violence.procedure", "workplace.check.violence-procedure",
            "action.feature.customer-violence.aftercare", "workplace.check.violence-aftercare"} <= ids
    assert "law-tturvl" in plan.references


def test_without_a_threat_of_violence_there_is_no_procedure(plan_for):
    ids = set(plan_for(industry="25.62").selected_ids())
    assert "action.feature.customer-violence.procedure" not in ids
    assert "workplace.check.violence-procedure" not in ids


def test_care_work_adds_resident_aggression_and_lone_night_shifts(plan_for):
    day = set(plan_for(industry="87.10").selected_ids())
    assert {"industry.social-health.violence", "load.content.care-resident-aggression",
            "action.industry.social-health.aggression", "workplace.check.social-health-aggression"} <= day
    assert "action.industry.social-health.lone-night" not in day
    night = set(plan_for(industry="87.10", work_features=["night_work"]).selected_ids())
    assert {"action.industry.social-health.lone-night", "workplace.check.social-health-lone-night",
            "load.arrangements.care-lone-night"} <= night
    # lone night shifts are a care-work item: a factory with night work does not get them
    factory = set(plan_for(industry="25.62", work_features=["night_work"]).selected_ids())
    assert "action.industry.social-health.lone-night" not in factory


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_new_group_names_exist_in_every_language(library, lang):
    for g in library.industry_groups:
        assert g.name.get(lang), (g.id, lang)

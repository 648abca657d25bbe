"""Selection rules: each test names the boundary it guards, and checks the reason given."""

from __future__ import annotations

import pytest

from generator.select import select
from tests.conftest import make_profile


def decision(plan, item_id):
    return next(d for d in plan.decisions if d.item_id == item_id)


@pytest.mark.parametrize("employees, included", [(9, False), (10, True), (11, True)])
def test_osh_representative_from_10_employees(plan_for, employees, included):
    plan = plan_for(employees=employees)
    for item in ("actor.osh-representative", "rule.osh-representative"):
        d = decision(plan, item)
        assert d.included is included, item
        assert "10" in d.reasons[0] and (included or str(employees) in d.reasons[0])


@pytest.mark.parametrize("employees, included", [(19, False), (20, True)])
def test_osh_committee_from_20_employees(plan_for, employees, included):
    plan = plan_for(employees=employees)
    assert decision(plan, "actor.osh-committee").included is included
    assert decision(plan, "rule.osh-committee").included is included


@pytest.mark.parametrize("employees, expected", [
    (19, "rule.coop-not-applied"), (20, "rule.coop-light"), (49, "rule.coop-light"), (50, "rule.coop-full")])
def test_cooperation_act_bands(plan_for, employees, expected):
    plan = plan_for(employees=employees)
    bands = {"rule.coop-not-applied", "rule.coop-light", "rule.coop-full"}
    coop = {d.item_id for d in plan.decisions if d.item_id in bands and d.included}
    assert coop == {expected}


@pytest.mark.parametrize("employees, expected", [
    (19, "rule.early-support-in-survey"), (20, "rule.early-support-written")])
def test_early_support_documentation_changes_at_20(plan_for, employees, expected):
    plan = plan_for(employees=employees)
    found = {d.item_id for d in plan.decisions if d.item_id.startswith("rule.early-support") and d.included}
    assert found == {expected}


@pytest.mark.parametrize("employees, included", [(9, True), (10, False)])
def test_owner_wellbeing_below_10(plan_for, employees, included):
    plan = plan_for(employees=employees)
    assert decision(plan, "rule.owner-wellbeing").included is included
    assert decision(plan, "actor.owner").included is included


@pytest.mark.parametrize("employees, included", [(29, False), (30, True)])
def test_dismissed_employees_ohs_from_30_employees(plan_for, employees, included):
    plan = plan_for(employees=employees)
    assert decision(plan, "rule.dismissed-ohs").included is included


def test_dismissed_employees_rule_states_every_condition(plan_for):
    text = plan_for(employees=30, language="en").item("rule.dismissed-ohs").text
    for needed in ("financial or production", "at least 30", "five years", "six months", "obligation to work",
                   "covered by that employer's OHS"):
        assert needed in text, needed


# Who does what by size: the Co-operation Act and its bodies only from 20; a small firm's own roles below.
BOARD_AND_HR = ("actor.management", "actor.hr", "actor.shop-steward", "actor.osh-committee")


@pytest.mark.parametrize("employees", [6, 9, 10, 19])
def test_small_workplaces_have_no_board_hr_or_coop_roles(plan_for, employees):
    plan = plan_for(employees=employees)
    shown = {a.id for a in plan.items("actor")}
    assert not shown & set(BOARD_AND_HR), shown & set(BOARD_AND_HR)
    assert "actor.staff-contact" in shown
    assert ("actor.owner" in shown) is (employees <= 9)
    assert ("actor.managing-director" in shown) is (employees >= 10)
    assert ("actor.osh-representative" in shown) is (employees >= 10)


@pytest.mark.parametrize("employees", [20, 49, 50])
def test_from_20_the_cooperation_roles_are_there(plan_for, employees):
    shown = {a.id for a in plan_for(employees=employees).items("actor")}
    assert set(BOARD_AND_HR) <= shown
    assert not shown & {"actor.owner", "actor.staff-contact", "actor.managing-director"}


def test_osh_representative_is_chosen_where_10_work_regularly(plan_for):
    for lang, word in (("fi", "säännöllisesti"), ("sv", "regelbundet"), ("en", "regularly")):
        plan = plan_for(employees=12, language=lang)
        assert word in plan.item("rule.osh-representative").text, lang


def test_reason_text_reads_as_a_person_writes_it_in_the_plan_language(plan_for):
    left_out = {lang: decision(plan_for(employees=9, language=lang), "rule.osh-representative").reasons
                for lang in ("fi", "sv", "en")}
    assert left_out == {
        "fi": ("Jätetty pois, koska se koskee vasta vähintään 10 työntekijän työpaikkoja, ja teillä on 9",),
        "sv": ("Utelämnad eftersom det gäller först arbetsplatser med minst 10 anställda, och ni har 9",),
        "en": ("Left out because it applies only from 10 employees, and you have 9",)}
    included = {lang: decision(plan_for(employees=9, language=lang), "rule.owner-wellbeing").reasons
                for lang in ("fi", "sv", "en")}
    assert included == {"fi": ("Valittu, koska työpaikallanne on alle 10 työntekijää",),
                        "sv": ("Vald eftersom er arbetsplats har färre än 10 anställda",),
                        "en": ("Included because your workplace has fewer than 10 employees",)}
    assert plan_for(employees=9).item("rule.owner-wellbeing").reason == included["fi"][0]


def test_decisions_say_what_in_the_profile_drove_them(plan_for):
    plan = plan_for(employees=9, work_features=["shift_work"], wellbeing_county="Pirkanmaa")
    assert decision(plan, "rule.owner-wellbeing").drivers == ("size",)
    assert decision(plan, "action.feature.shift-work.sleep").drivers == ("features",)
    assert decision(plan, "rule.kela-class-2").drivers == ("scope",)
    assert decision(plan, "contact.crisis-sv").drivers == ("language",)
    assert decision(plan, "county.pirkanmaa").drivers == ("county",)
    assert decision(plan, "model.purpose").drivers == () and decision(plan, "model.purpose").included
    assert decision(plan, "model.purpose").reasons == ("koskee kaikkia työpaikkoja",)


@pytest.mark.parametrize("scope", ["preventive_only", "with_medical_care"])
def test_pathway_follows_contract_scope(plan_for, scope):
    plan = plan_for(contract_scope=scope)
    levels = plan.pathway()
    assert [lv.level.id for lv in levels] == ["level.1", "level.2", "level.3", "level.4"]
    for lv in levels:
        assert lv.care, f"{lv.level.id} has no care entry under {scope}"
    for d in plan.decisions:
        if d.kind == "pathway_care" and not d.included:
            assert any("koskee sopimuksia" in r for r in d.reasons), d


def test_levels_3_and_4_differ_between_scopes(plan_for):
    prev = {lv.level.id: [c.text for c in lv.care] for lv in plan_for(contract_scope="preventive_only").pathway()}
    med = {lv.level.id: [c.text for c in lv.care] for lv in plan_for(contract_scope="with_medical_care").pathway()}
    for level in ("level.2", "level.3", "level.4"):
        assert prev[level] != med[level], level


@pytest.mark.parametrize("scope", ["preventive_only", "with_medical_care"])
def test_work_ability_follow_up_stays_in_ohs(plan_for, scope):
    plan = plan_for(contract_scope=scope)
    for item in ("wa.ohs-always", "milestone.30", "milestone.60", "milestone.90", "milestone.150", "milestone.230"):
        assert plan.item(item) is not None, f"{item} missing under {scope}"


@pytest.mark.parametrize("code, group", [
    ("86", "social_health"), ("87.10", "social_health"), ("88.1", "social_health"), ("88.91", "ece"),
    ("88910", "ece"), ("85", "education"), ("85.31", "education"), ("47.19", "customer_service"),
    ("62.01", "expert_work"), ("41.20", "construction"), ("84.11", "general"), ("01", "general")])
def test_industry_codes_map_to_groups(plan_for, code, group):
    plan = plan_for(industry=code)
    assert plan.client.industry_group == group


@pytest.mark.parametrize("code, group", [("87.10", "social_health"), ("88.91", "ece"), ("85.20", "education"),
                                         ("62.01", "expert_work"), ("41.20", "construction"), ("01.11", "general")])
def test_industry_group_brings_its_notes(plan_for, library, code, group):
    plan = plan_for(industry=code)
    notes = plan.items("industry_note")
    assert notes, f"no industry note for {group}"
    by_id = library.by_id()
    for n in notes:
        groups = by_id[n.id].when.industry_groups
        assert groups is None or group in groups
    assert all(n.cites and all(c in plan.references for c in n.cites) for n in notes)


@pytest.mark.parametrize("feature", ["shift_work", "customer_violence_risk", "lone_work", "remote_work"])
def test_work_features_bring_their_items(plan_for, library, feature):
    with_f = set(plan_for(work_features=[feature]).selected_ids())
    without = set(plan_for().selected_ids())
    added = with_f - without
    assert added, f"{feature} adds nothing"
    by_id = library.by_id()
    assert all(feature in (by_id[i].when.work_features or ()) for i in added)
    assert {by_id[i].kind for i in added} >= {"action"}


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_every_plan_text_is_in_the_profile_language(plan_for, library, lang):
    plan = plan_for(language=lang)
    by_id = library.by_id()
    for e in plan.entries:
        assert e.text == by_id[e.id].text.get(lang)
    for key, text in plan.labels.items():
        assert text == library.labels[key].get(lang)
    crisis = {e.id for e in plan.items("contact")}
    assert f"contact.crisis-{lang}" in crisis
    assert not ({"contact.crisis-fi", "contact.crisis-sv", "contact.crisis-en"} - {f"contact.crisis-{lang}"}) & crisis


def test_county_is_named_in_the_plan_language(library):
    plan = select(make_profile(wellbeing_county="Pirkanmaa", language="sv"), library)
    assert plan.client.county == "Birkaland"
    assert select(make_profile(), library).client.county is None


def test_selection_is_deterministic(library):
    p = make_profile(work_features=["shift_work", "remote_work"], employees=33)
    assert select(p, library) == select(p, library)


def test_children_of_a_left_out_item_are_left_out(plan_for):
    plan = plan_for(contract_scope="preventive_only")
    included = set(plan.selected_ids())
    for e in plan.entries:
        if e.group is not None:
            assert e.group in included, f"{e.id} included but its group {e.group} is not"

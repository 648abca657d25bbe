"""Follow-up report: Plans from the fixtures, Records built by hand, the PDF judged by pypdf, qpdf and poppler."""

from __future__ import annotations

import dataclasses
import io
import re
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE_EPOCH, assert_parsed_as_html_would_be, make_profile, squash
from pypdf import PdfReader

from generator.errors import RenderError
from generator.inputs.profile import Provider
from generator.record import Action, Goal, Need, Record, SourceFile
from generator.returns.follow_up import render_follow_up
from generator.select import select

TEMPLATES = ROOT / "templates"
UNMET = ("collab.structures.roles-recorded", "collab.ways.critical-review")
PLAN_FILE = SourceFile(kind="action-plan", file="C:\\Users\\anna\\Asiakkaat\\toimintasuunnitelma.docx",
                       sha256="a" * 64, modified="2027-03-01T10:00:00Z", revision=7)
LISTS_FILE = SourceFile(kind="checklists", file="returned/tarkistuslistat.pdf", sha256="b" * 64,
                        modified="2027-03-02T22:30:00Z", revision=2)
OLD_FILE = SourceFile(kind="action-plan", file="returned/old.docx", sha256="c" * 64, modified="2027-02-01T10:00:00Z")
STATUS_ORDER = ("done", "in_progress", "planned", "not_done")
# (status, what people wrote); the two examples left at "suggested" are only named
WRITTEN = {
    "fi": ("Esihenkilöt kävivät varhaisen tuen koulutuksen", "Työmäärä on tiimipalaverien vakioaihe",
           "Kysely kuormituksesta toukokuussa", "Työnohjaus jätettiin pois budjetista", "Kahvitauko tiimin kanssa"),
    "sv": ("Cheferna gick utbildningen i tidigt stöd", "Arbetsmängden är en stående punkt på teammötet",
           "Enkät om belastning i maj", "Arbetshandledning ströks ur budgeten", "Kaffepaus med teamet"),
    "en": ("Supervisors took the early-support training", "Workload is a standing item in team meetings",
           "Survey on strain in May", "Work counselling was cut from the budget", "Coffee break with the team"),
}
ANSWERS = {"fi": ("Koulutus siirtyi syksyyn.", "Osittain: kuormitus väheni."),
           "sv": ("Utbildningen flyttades till hösten.", "Delvis: belastningen minskade."),
           "en": ("The training moved to the autumn.", "Partly: strain went down.")}


def _plan(library, lang: str, provider: Provider | None = None, **overrides):
    return select(make_profile(language=lang, **overrides), library, provider)


def _answers(plan, unmet=UNMET) -> dict[str, bool]:
    return {e.id: e.id not in unmet for _, items in plan.checklists() for e in items}


def full_record(plan) -> Record:
    """Everything came back: both documents, every part filled in."""
    lang, examples = plan.language, plan.items("action")
    done, progress, planned, dropped, own = WRITTEN[lang]
    actions = (
        Action(id=examples[0].id, block="community", origin="example", what=done, owner_workplace="HR",
               owner_ohs="OH nurse", when="2027-02", metric="share trained", goal="T1", status="done"),
        Action(id=examples[1].id, block="community", origin="example", what=progress, status="in_progress"),
        Action(id="action.prevention.new1", block="prevention", origin="empty-row", what=planned,
               when="2027-05", status="planned"),
        Action(id=examples[2].id, block="prevention", origin="example", what=dropped, status="not_done"),
        Action(id="actions.community.user1", block="community", origin="user-row", what=own),
        Action(id=examples[3].id, block="resources", origin="example", what=examples[3].text + " " + examples[3].how,
               status="suggested"),
        Action(id=examples[4].id, block="resources", origin="example", what=examples[4].text, status="suggested"),
    )
    impl, goals = ANSWERS[lang]
    return Record(
        client=plan.client.id, language=lang, files=(PLAN_FILE, LISTS_FILE), superseded=(OLD_FILE,),
        fields={"cycle.eval.impl.done.answer": impl},
        needs=(Need(id="need.1", need="Kuormitushuiput syksyllä", evidence="henkilöstökysely 2026"),
               Need(id="need.2", need="Epäselvät roolit iltavuorossa")),
        goals=(Goal(id="goal.1", number="T1", need="N1", goal="Vähemmän ylikuormitusviikkoja", metric="kysely",
                    baseline="40 %", target="25 %", latest="31 %"),
               Goal(id="goal.2", number="T2", need="N1", goal="Esihenkilöt koulutettu", metric="osuus",
                    baseline="0 %", target="100 %")),
        actions=actions, checklist_items=_answers(plan),
        checklist_texts={"cycle.eval.goals.reached": goals, "checklist.planning.notes": "Kysely toukokuussa."},
    )


def lists_only_record(plan) -> Record:
    """Only the filled checklists PDF came back."""
    return Record(client=plan.client.id, language=plan.language, files=(LISTS_FILE,),
                  checklist_items=_answers(plan), checklist_texts={"cycle.eval.collab.meetings": "Två gånger."})


def empty_plan_record(plan) -> Record:
    """The action plan came back with nothing filled in."""
    return Record(client=plan.client.id, language=plan.language, files=(PLAN_FILE,))


@pytest.fixture(scope="module")
def epoch():
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", SAMPLE_EPOCH)
    yield
    mp.undo()


@pytest.fixture(scope="module")
def reports(library, epoch, tmp_path_factory):
    """case -> (plan, record, PDF path); each rendered once."""
    folder = tmp_path_factory.mktemp("follow-up")
    cases = {f"full-{lang}": (_plan(library, lang), full_record) for lang in ("fi", "sv", "en")}
    cases["lists-only-sv"] = (_plan(library, "sv"), lists_only_record)
    cases["empty-plan-en"] = (_plan(library, "en"), empty_plan_record)
    out = {}
    for case, (plan, make) in cases.items():
        record = make(plan)
        path = folder / f"{case}.pdf"
        path.write_bytes(render_follow_up(plan, record, TEMPLATES))
        out[case] = (plan, record, path)
    return out


def _text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-q", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _between(text: str, start: str, end: str | None) -> str:
    """The squashed text from start to end (end None: to the end)."""
    t = squash(text)
    i = t.index(squash(start))
    j = t.index(squash(end), i) if end else len(t)
    return t[i:j]


def _headings(text: str, lang: str) -> list[int]:
    """Where each section heading stands, each looked for after the one before (the intro names some of them)."""
    t, at = squash(text), []
    for h in HEADINGS[lang]:
        at.append(t.find(squash(h), at[-1] if at else 0))
    assert -1 not in at, (lang, at)
    return at


def _section(text: str, lang: str, k: int) -> str:
    """The squashed text of section k (0: prerequisites ... 4: next round)."""
    at = _headings(text, lang) + [None]
    return squash(text)[at[k]:at[k + 1]]


# --- every case ---------------------------------------------------------------------------------------------

def test_one_to_three_pages(reports):
    for case, (_, _, path) in reports.items():
        assert 1 <= len(PdfReader(path).pages) <= 3, case


def test_qpdf_check_passes(reports):
    for case, (_, _, path) in reports.items():
        res = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        assert res.returncode == 0, f"{case}: {res.stdout}{res.stderr}"


def test_only_vendored_fonts_embedded_and_subset(reports):
    for case, (_, _, path) in reports.items():
        rows = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout.splitlines()[2:]
        assert rows, case
        for row in rows:
            cols = row.split()
            assert re.match(r"^[A-Z]{6}\+Toolkit-(Sans|Symbols)", cols[0]), f"{case}: unexpected font {row}"
            assert (cols[-5], cols[-4]) == ("yes", "yes"), f"{case}: not embedded and subset: {row}"


def test_language_title_credit_and_identity(reports):
    titles = {"fi": "Seurantaraportti", "sv": "Uppföljningsrapport", "en": "Follow-up report"}
    for case, (plan, _, path) in reports.items():
        reader = PdfReader(path)
        info = reader.metadata
        assert info["/ToolkitClient"] == plan.client.id and info["/ToolkitDocument"] == "follow-up", case
        assert info.title.startswith(titles[plan.language]), case
        assert reader.trailer["/Root"]["/Lang"] == {"fi": "fi-FI", "sv": "sv-FI", "en": "en-GB"}[plan.language]
        assert "/StructTreeRoot" in reader.trailer["/Root"], f"{case}: not tagged"
        text = squash(_text(path))
        assert squash(titles[plan.language]) in text
        assert squash(plan.item("model.credit").text) in text, f"{case}: no credit to TTL and MIELI"


# --- everything returned ------------------------------------------------------------------------------------

HEADINGS = {
    "fi": ("Yhteistyön edellytykset, jotka eivät vielä toteudu", "Toimenpiteiden tilanne", "Tavoitteet ja mittaukset",
           "Arviointikysymykset", "Seuraavalle kierrokselle"),
    "sv": ("Förutsättningar för samarbetet som ännu saknas", "Läget för åtgärderna", "Mål och mätningar",
           "Utvärderingsfrågor", "Till nästa omgång"),
    "en": ("Collaboration prerequisites not yet in place", "Where the actions stand", "Goals and measurements",
           "Evaluation questions", "Into the next round"),
}


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_sections_in_order(reports, lang):
    _headings(_text(reports[f"full-{lang}"][2]), lang)


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_unmet_prerequisites_come_first_with_what_they_would_bring(reports, lang):
    plan, _, path = reports[f"full-{lang}"]
    text = _text(path)
    first = _between(text, HEADINGS[lang][0], HEADINGS[lang][1])
    assert squash(plan.label("report.prereq.count", met=5, total=7)) in first
    for item_id in UNMET:
        item = plan.item(item_id)
        assert squash(item.text) in first and squash(item.consequence) in first, item_id
        assert first.index(squash(item.text)) < first.index(squash(item.consequence))
    met = plan.item("collab.structures.actors-named")
    assert squash(met.consequence) not in first, "a prerequisite in place is listed as missing"


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_actions_grouped_by_status(reports, lang):
    plan, _, path = reports[f"full-{lang}"]
    section = _section(_text(path), lang, 1)
    titles = [squash(plan.label(f"common.status.{s}")) + "(1)" for s in STATUS_ORDER]
    titles.append(squash(plan.label("report.status.none")) + "(1)")
    positions = [section.find(t) for t in titles]
    assert -1 not in positions and positions == sorted(positions), (titles, positions)
    for k, what in enumerate(WRITTEN[lang]):  # each action under its own status
        at = section.find(squash(what))
        assert positions[k] < at and (k + 1 == len(positions) or at < positions[k + 1]), what
    assert squash("HR") in section and squash("OH nurse") in section and squash("2027-05") in section
    goal = plan.label("common.goal_number", n=1)  # the list value T1 is shown as the plan shows it: sv M1, en G1
    assert squash(f"{goal} {WRITTEN[lang][0]}") in section
    assert squash(plan.label("report.actions.count", done=1, total=5)) in section


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_untouched_examples_are_named_not_listed(reports, lang):
    plan, record, path = reports[f"full-{lang}"]
    section = _section(_text(path), lang, 1)
    assert squash(plan.label("report.actions.examples", n=2)) in section
    example = plan.item(record.actions[5].id)
    assert squash(example.text.rstrip(".")) in section
    assert squash(example.how) not in section, "an untouched suggestion was listed in full"
    assert squash(plan.label("common.status.suggested")) + "(" not in section, "suggestions got a status table"


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_goals_with_their_needs_and_latest_measurement(reports, lang):
    plan, _, path = reports[f"full-{lang}"]
    section = _section(_text(path), lang, 2)
    for value in ("Vähemmän ylikuormitusviikkoja", "40 %", "25 %", "31 %", "Esihenkilöt koulutettu", "100 %"):
        assert squash(value) in section, value
    number = plan.label("common.need_number", n=1)
    assert squash(f"{number} Kuormitushuiput syksyllä") in section, "the goal's need is not resolved to its text"
    assert squash(plan.label("report.goals.not_measured")) in section
    assert squash(plan.label("report.needs.no_goal")) + squash("Epäselvät roolit") in section


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_evaluation_answers_from_plan_and_checklists(reports, lang):
    plan, _, path = reports[f"full-{lang}"]
    section = _section(_text(path), lang, 3)
    impl, goals = ANSWERS[lang]
    assert squash(f"{plan.label('report.answer.plan')}: {impl}") in section
    assert squash(f"{plan.label('report.answer.checklists')}: {goals}") in section
    for step in ("cycle.eval.impl.done", "cycle.eval.goals.reached", "cycle.eval.collab.meetings"):
        assert squash(plan.item(step).text) in section
    assert squash(plan.label("report.answer.none")) in section  # the questions nobody answered say so
    assert squash("Kysely toukokuussa.") in section  # a checklist's notes


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_next_round_carries_open_actions_and_unmet_prerequisites(reports, lang):
    plan, _, path = reports[f"full-{lang}"]
    section = _section(_text(path), lang, 4)
    assert squash(plan.item("cycle.use.planning").body) in section
    assert squash(plan.item("cycle.use").body) in section
    open_list = _between(section, plan.label("report.next.open"), plan.label("report.next.prereq"))
    done, progress, planned, dropped, own = WRITTEN[lang]
    assert squash(plan.item(plan.items("action")[1].id).text) in open_list  # in progress, by its example title
    assert squash(planned) in open_list
    assert squash(done) not in open_list and squash(dropped) not in open_list
    for item_id in UNMET:
        assert squash(plan.item(item_id).text) in section


def test_provenance_names_the_files_and_their_dates(reports):
    text = squash(_text(reports["full-fi"][2]))
    assert squash("Laadittu 1.1.2027 palautetuista asiakirjoista:") in text  # SOURCE_DATE_EPOCH, Finnish time
    assert squash("Toimintasuunnitelma (toimintasuunnitelma.docx, tallennettu 1.3.2027)") in text
    assert squash("Tarkistuslistat (tarkistuslistat.pdf, tallennettu 3.3.2027)") in text  # 22:30 UTC on 2.3.
    assert squash("Vanhempia versioita, joita ei käytetty: 1") in text
    assert "Users" not in _text(reports["full-fi"][2]), "a folder path of the returned file leaked"
    text_en = squash(_text(reports["full-en"][2]))
    assert squash("Compiled on 1 January 2027") in text_en and squash("saved 3 March 2027") in text_en


# --- parts that did not come back ---------------------------------------------------------------------------

def test_only_checklists_returned_says_the_plan_did_not_come_back(reports):
    plan, _, path = reports["lists-only-sv"]
    text = squash(_text(path))
    assert squash(plan.label("report.actions.not_returned")) in text
    assert squash(plan.label("report.goals.not_returned")) in text
    assert squash(plan.label("report.prereq.count", met=5, total=7)) in text
    assert squash(plan.item(UNMET[0]).consequence) in text
    assert squash(f"{plan.label('report.answer.checklists')}: Två gånger.") in text
    assert squash("Checklistor (tarkistuslistat.pdf, sparad 3.3.2027)") in text
    assert squash("Verksamhetsplan (") not in text


def test_empty_parts_say_so(reports):
    plan, _, path = reports["empty-plan-en"]
    text = squash(_text(path))
    for key in ("report.prereq.none", "report.actions.empty", "report.goals.empty", "report.answers.none",
                "report.next.none_open"):
        assert squash(plan.label(key)) in text, key
    assert squash(plan.label("report.actions.not_returned")) not in text


# --- rendering ----------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_a_long_record_still_fits_three_pages(library, epoch, tmp_path):
    plan = _plan(library, "fi", employees=60, work_features=["shift_work", "customer_violence_risk",
                                                             "remote_work", "organisational_change"])
    long = ("Kävimme asian läpi työsuojelutoimikunnassa helmikuussa. Suurin osa toteutui sovitusti, mutta "
            "syksyn ruuhka siirsi koulutuksen kevääseen, ja esihenkilöt toivoivat lyhyempiä tilaisuuksia.")
    questions = [e for e in plan.entries if e.kind == "evaluation_question"]
    statuses = ("done", "in_progress", "planned", "not_done", "done", "planned")
    record = Record(
        client=plan.client.id, files=(PLAN_FILE, LISTS_FILE),
        fields={f"{q.id}.answer": long for q in questions},
        checklist_texts={q.id: "Osittain, ks. suunnitelma." for q in questions},
        checklist_items=_answers(plan, unmet=[e.id for _, its in plan.checklists() for e in its][::3]),
        goals=tuple(Goal(id=f"goal.{n}", number=f"T{n}", need=f"N{n}", goal="Vähemmän ylikuormitusta",
                         baseline="40 %", target="25 %", latest="31 %" if n % 2 else "") for n in range(1, 5)),
        needs=tuple(Need(id=f"need.{n}", need="Kuormitushuiput ja epäselvät roolit iltavuorossa") for n in range(1, 5)),
        actions=tuple(Action(id=a.id, block="community", origin="example", what=f"{a.text} {a.how}",
                             owner_workplace=a.who or "", goal="T1", status=statuses[k % 6])
                      for k, a in enumerate(plan.items("action"))))
    assert len(record.actions) >= 15
    path = tmp_path / "long.pdf"
    path.write_bytes(render_follow_up(plan, record, TEMPLATES))
    assert len(PdfReader(path).pages) <= 3
    assert squash(long) in squash(_text(path)), "an answer was cut to make the report fit"


def test_branded_with_the_provider_colour_and_logo(library, epoch, tmp_path):
    import shutil

    from PIL import Image

    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    (templates / "assets").mkdir()
    Image.new("RGB", (80, 20), "#ff0000").save(templates / "assets" / "logo.png")
    provider = Provider(name="Testi Työterveys Oy", brand_colour="#006600")  # dark enough to print as given
    plan = _plan(library, "fi", provider=provider)
    plan = dataclasses.replace(plan, provider=dataclasses.replace(plan.provider,
                                                                  logo=str(templates / "assets" / "logo.png")))
    reader = PdfReader(io.BytesIO(render_follow_up(plan, full_record(plan), templates)))
    first = reader.pages[0]
    images = [o for o in first["/Resources"]["/XObject"].values() if o.get_object()["/Subtype"] == "/Image"]
    assert images, "the provider's logo is not drawn"
    assert b"0 0.4 0 rg" in first.get_contents().get_data(), "headings are not in the provider's colour"
    assert "Testi Työterveys Oy" in first.extract_text()


def test_reproducible_with_source_date_epoch(reports, epoch):
    plan, record, path = reports["full-en"]
    assert render_follow_up(plan, record, TEMPLATES) == path.read_bytes()


def test_record_of_another_client_is_refused(library):
    plan = _plan(library, "fi")
    record = empty_plan_record(plan).model_copy(update={"client": "someone-else"})
    with pytest.raises(RenderError, match="someone-else"):
        render_follow_up(plan, record, TEMPLATES)


def test_the_report_is_parsed_as_xml_into_the_tree_an_html_parser_builds(library, epoch, laid_out_html):
    """The report template is well-formed XHTML that parses into the tree tinyhtml5 builds (render/weasy/fast.parsed)."""
    for lang in ("fi", "sv", "en"):
        plan = _plan(library, lang)
        render_follow_up(plan, full_record(plan), TEMPLATES)
    assert laid_out_html
    for html in laid_out_html:
        assert_parsed_as_html_would_be(html)


def test_any_typed_text_keeps_the_report_and_the_report_says_what_it_left_out(library, epoch, tmp_path):
    """A 400 kB answer and characters no font of the report has (emoji, CJK, Hebrew, U+2028, DEL): the report
    is made, shows the answer's beginning and a visible replacement, and says both; the record keeps it all."""
    plan = _plan(library, "fi")
    odd = "Hyvä 😀 rivi\u2028toinen \x7f 中文 עברית loppu"
    long = "Pitkä vastaus. " * 27_000
    record = full_record(plan).model_copy(update={"fields": {"cycle.eval.impl.done.answer": odd + " " + long}})
    path = tmp_path / "report.pdf"
    path.write_bytes(render_follow_up(plan, record, ROOT / "templates"))
    text = _text(path)
    assert "\ufffd" in text and "Hyvä" in text and "loppu" in text
    assert "koko teksti on tallessa asiakkaan tietueessa" in " ".join(text.split())
    assert "näkyvät merkkinä" in " ".join(text.split())
    assert len(PdfReader(path).pages) <= 4

"""What reaches a client is written for the client: no editors' notes, every selected item shown, one label per
concept, a clean reference list. Judged on the built sample toolkits (fi, sv and en) as a reader sees them."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from tests.conftest import ROOT, docx_text, output_texts, squash

# Markers of internal provenance: the working paper, its section and source numbers, research trails.
LEAK_PATTERNS = {
    "the working paper ('brief')": re.compile(r"\bbrief\b", re.I),
    "a §-reference to the working paper": re.compile(r"§\s?\d+\.\d"),
    "a source number of the working paper (S12)": re.compile(r"\bS\d{1,2}\b"),
    "a research trail ('verified')": re.compile(r"verifi(ed|oitu)", re.I),
    "'not verified'": re.compile(r"not verified", re.I),
    "'toolkit authors'": re.compile(r"toolkit authors", re.I),
    "'general knowledge'": re.compile(r"general knowledge", re.I),
}
# Printed fields of an item; each must be somewhere in the client's outputs when the item is selected.
PRINTED = ("text", "body", "consequence", "why", "aim", "how", "who", "who_ohs", "when_text", "metric")
SAMPLES = sorted(p.stem for p in (ROOT / "profiles").glob("*.yaml"))


@pytest.fixture(scope="module")
def texts(built_samples) -> dict[str, dict[str, str]]:
    return {pid: output_texts(built_samples / pid) for pid in SAMPLES}


def test_samples_cover_every_language(texts):
    langs = {yaml.safe_load((ROOT / "profiles" / f"{pid}.yaml").read_text())["language"] for pid in texts}
    assert langs == {"fi", "sv", "en"}


@pytest.mark.parametrize("pid", SAMPLES)
def test_no_editors_notes_in_any_output(texts, pid):
    found = []
    for name, text in texts[pid].items():
        for what, pattern in LEAK_PATTERNS.items():
            for m in pattern.finditer(text):
                found.append(f"{pid}/{name}: {what}: …{text[max(0, m.start() - 40):m.end() + 40]!r}…")
    assert not found, "\n".join(found)


def test_the_leak_scan_catches_each_marker():
    """The scan itself: each marker the issue names is caught in a sentence where an editor might leave it."""
    samples = ["Lähde: domain brief §1.4", "(S12: kela.fi)", "verified 2026-11 via kela.fi", "not verified",
               "Example action by the toolkit authors", "general knowledge"]
    for s in samples:
        assert any(p.search(s) for p in LEAK_PATTERNS.values()), s
    assert not any(p.search("Työturvallisuuslain 27 §:n mukaan") for p in LEAK_PATTERNS.values())


@pytest.mark.parametrize("pid", SAMPLES)
def test_every_selected_item_is_shown_in_some_output(texts, library, built_samples, pid):
    manifest = json.loads((built_samples / pid / "manifest.json").read_text(encoding="utf-8"))
    lang = yaml.safe_load((ROOT / "profiles" / f"{pid}.yaml").read_text())["language"]
    everything = squash(" ".join(texts[pid].values()))
    by_id = library.by_id()
    missing = []
    for item_id in manifest["selected_items"]:
        item = by_id[item_id]
        for field in PRINTED:
            value = getattr(item, field)
            if value is not None and squash(value.get(lang)) not in everything:
                missing.append(f"{item_id}.{field} ({item.kind}): {value.get(lang)[:70]!r}")
    assert not missing, f"{pid}: selected but shown in no output:\n" + "\n".join(missing)


@pytest.mark.parametrize("pid", SAMPLES)
def test_reference_list_is_numbered_once_with_links(built_samples, pid):
    import zipfile

    path = built_samples / pid / "action-plan.docx"
    text = docx_text(path)
    numbers = [int(n) for n in re.findall(r"^\[(\d+)\]\u00a0", text, re.M)]
    assert numbers and numbers == list(range(1, len(numbers) + 1)), numbers
    cited = {int(n) for group in re.findall(r"\u00a0\[([\d, ]+)\]", text) for n in group.split(", ")}
    assert cited <= set(numbers), f"{pid}: a [n] in the text points at no reference"
    rels = zipfile.ZipFile(path).read("word/_rels/document.xml.rels").decode()
    assert rels.count('TargetMode="External"') >= len(numbers) // 2, "reference URLs are not hyperlinks"
    titles = re.findall(r"^\[\d+\]\u00a0(.*)$", text, re.M)
    assert len(titles) == len(set(titles)), f"{pid}: a source is listed twice"


def test_pathway_credits_the_model_and_says_it_is_a_summary(texts):
    expected = {"fi": "ei TTL:n omaa tekstiä", "sv": "inte Arbetshälsoinstitutets egen text",
                "en": "not TTL's own text"}
    for pid, outs in texts.items():
        lang = yaml.safe_load((ROOT / "profiles" / f"{pid}.yaml").read_text())["language"]
        sheet = squash(outs["care-pathway.pdf"])
        assert squash(expected[lang]) in sheet, pid
        assert "2025" in outs["care-pathway.pdf"], pid


def test_pathway_lists_116117_between_the_crisis_line_and_112(texts):
    for pid, outs in texts.items():
        sheet = " ".join(outs["care-pathway.pdf"].split())
        crisis, urgent, emergency = sheet.find("09 2525 011"), sheet.find("116117"), sheet.rfind("112 ")
        assert -1 < crisis < urgent < emergency, pid


def test_team_list_adds_names_to_the_model_roles(library, tmp_path):
    """A provider's team fills names into the OHS roles of the model; the roles themselves stay."""
    from generator.inputs.load import Project, load_all
    from generator.render.docx import render_docx
    from generator.select import select

    project = Project(ROOT)
    lib, loaded = load_all([ROOT / "profiles" / "hoivakoti-aurinko.yaml"], project)
    lp = loaded[0]
    assert lp.provider and lp.provider.team
    plan = select(lp.profile, lib, lp.provider, lp.profile.provider, project.root)
    path = tmp_path / "plan.docx"
    path.write_bytes(render_docx(plan, project.templates_dir))
    text = docx_text(path)
    for actor in plan.items("actor", "party.ohs"):
        assert actor.text in text, f"the model's role {actor.id} was dropped"
    for member in lp.provider.team:
        assert member.name in text
    nurse = next(m for m in plan.provider.team if m.actor == "actor.oh-nurse")
    assert nurse.name == "Anna Virtanen"


def test_labels_name_each_concept_once():
    """A concept shared by outputs has one label: no label text is defined under two keys in one language, and a
    key used by more than one output lives in templates/labels/common.yaml."""
    labels = {}
    for f in sorted((ROOT / "templates" / "labels").glob("*.yaml")):
        for key, value in yaml.safe_load(f.read_text(encoding="utf-8")).items():
            labels[key] = (f.name, value)
    for lang in ("fi", "sv", "en"):
        seen: dict[str, str] = {}
        for key, (_, value) in labels.items():
            text = value[lang].strip().casefold()
            assert text not in seen, f"'{value[lang]}' ({lang}) is both {seen[text]} and {key}: use one common.* label"
            seen[text] = key
    users = {
        "docx": sorted((ROOT / "generator" / "render" / "docx").glob("*.py")),
        "checklists": [ROOT / "templates" / "checklists.html.j2"],
        "pathway": [ROOT / "templates" / "care-pathway.html.j2"],
        "explain": [ROOT / "generator" / "plan.py", *sorted((ROOT / "generator" / "select").glob("*.py"))],
        "follow-up": [ROOT / "generator" / "returns" / "follow_up.py", ROOT / "templates" / "follow-up.html.j2"],
        "summary": [ROOT / "generator" / "returns" / "summary.py"],
    }
    used: dict[str, set[str]] = {}
    for output, files in users.items():
        for f in files:
            for key in re.findall(r"""['"]((?:common|docx|pdf|explain|reason|warn|report)\.[a-z0-9_.]+)['"]""", f.read_text()):
                used.setdefault(key, set()).add(output)
    pdf_py = "".join((ROOT / "generator" / "render" / name).read_text()
                     for name in ("html.py", "checklists.py", "pathway.py"))
    for key in re.findall(r"""['"]((?:common|docx|pdf)\.[a-z0-9_.]+)['"]""", pdf_py):
        used.setdefault(key, set()).update({"checklists", "pathway"} if key.startswith("common.") else {"pdf"})
    for key, outputs in used.items():
        if len(outputs - {"pdf"}) > 1 and key in labels:
            assert labels[key][0] == "common.yaml", f"{key} is used by {sorted(outputs)}: move it to common.yaml"

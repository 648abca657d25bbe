"""The Word action plan: valid, editable, reproducible, tailored; judged by python-docx, openxml-audit, LibreOffice."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace

import docx
import pytest
from lxml import etree

from generator.errors import RenderError
from generator.plan import ProviderInfo
from generator.render.docx import render_docx
from tests.conftest import LIBREOFFICE, check_golden
from tests.docx_controls import fill_controls, read_controls

EPOCH = "1798761600"  # 2027-01-01
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
GOLDEN_SAMPLES = ("hoivakoti-aurinko", "nordic-code-labs")
WEIRD = 'Smith & Sons <Ltd> "Q" {{ 7*7 }} Åström Čáhcegállu 😀'


@pytest.fixture(autouse=True)
def _epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


@pytest.fixture(scope="module")
def samples(built_samples) -> dict[str, bytes]:
    """Every profile in profiles/ as built once for the whole test session."""
    out = {d.name: (d / "action-plan.docx").read_bytes() for d in sorted(built_samples.iterdir()) if d.is_dir()}
    assert len(out) >= 2
    return out


# ---- helpers that read a .docx the way a user or a word processor sees it ----

def body_xml(data: bytes, part: str = "word/document.xml") -> etree._Element:
    return etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read(part))


def _text(e: etree._Element) -> str:
    return "".join(t.text or "" for t in e.iter(f"{W}t"))


def _style(p: etree._Element) -> str:
    s = p.find(f"{W}pPr/{W}pStyle")
    return s.get(f"{W}val") if s is not None else "Normal"


def dump(data: bytes) -> str:
    """Golden text: `style | text` per paragraph, tables as `| a | b |` rows, then every control's tag.

    The content version (a hash of content/) is masked: it changes with every content edit."""
    version = docx.Document(io.BytesIO(data)).core_properties.version
    lines = []
    for child in body_xml(data).find(f"{W}body"):
        if child.tag == f"{W}p":
            lines.append(f"{_style(child)} | {_text(child)}".rstrip())
        elif child.tag == f"{W}tbl":
            lines.append("[table]")
            for tr in child.iter(f"{W}tr"):
                lines.append("| " + " | ".join(_text(tc) for tc in tr.iter(f"{W}tc")) + " |")
    lines.append("[controls]")
    lines += [tag for tag, _ in read_controls(data)]
    text = "\n".join(lines) + "\n"
    return text.replace(version, "<content-version>") if version else text


def section_text(data: bytes, heading_starts: str) -> str:
    """The text from the Heading 1 that starts with the given text up to the next Heading 1."""
    out, inside = [], False
    for child in body_xml(data).find(f"{W}body"):
        if child.tag == f"{W}p" and _style(child) == "Heading1":
            inside = _text(child).startswith(heading_starts)
        if inside:
            out.append(_text(child))
    assert out, f"no section {heading_starts!r}"
    return "\n".join(out)


def tags(data: bytes) -> list[str]:
    return [t for t, _ in read_controls(data)]


# ---- third-party readers ----

@pytest.mark.slow
def test_every_sample_passes_openxml_audit_and_reopens(samples, tmp_path):
    from openxml_audit import OpenXmlValidator
    for sid, data in samples.items():
        path = tmp_path / f"{sid}.docx"
        path.write_bytes(data)
        result = OpenXmlValidator().validate(path)
        assert result.is_valid, f"{sid}: " + "; ".join(f"{e.error_type}: {e.description}" for e in result.errors)
        doc = docx.Document(io.BytesIO(data))
        assert doc.paragraphs[0].text  # the title


@LIBREOFFICE
@pytest.mark.libreoffice
def test_every_sample_converts_with_libreoffice(samples, tmp_path, soffice):
    for sid, data in samples.items():
        (tmp_path / f"{sid}.docx").write_bytes(data)
    soffice("pdf", tmp_path, *sorted(tmp_path.glob("*.docx")), timeout=180)
    from pypdf import PdfReader
    for sid in samples:
        pdf = tmp_path / f"{sid}.pdf"
        assert pdf.exists(), f"LibreOffice could not convert {sid}.docx"  # its exit code is 0 even then
        pages = len(PdfReader(pdf).pages)
        assert 8 <= pages <= 40, f"{sid}: {pages} pages"


# ---- editable template ----

def test_content_controls_round_trip(plan_for):
    data = render_docx(plan_for(), templates_dir=None)
    controls = dict(read_controls(data))
    assert controls["goal.1.metric"] == "" and controls["approval.approved_on"] == ""
    box = next(t for t in controls if t.endswith(".present"))
    filled = fill_controls(data, {"goal.1.metric": "Kysely: kuormitus 1–5 & <muut>", "goal.2.target": "≤ 3,0",
                                  box: "1", "action.community.new1.what": "Tiimipalaverit"})
    back = dict(read_controls(filled))
    assert back["goal.1.metric"] == "Kysely: kuormitus 1–5 & <muut>"
    assert back["goal.2.target"] == "≤ 3,0"
    assert back[box] == "1"
    assert back["action.community.new1.what"] == "Tiimipalaverit"
    assert back["goal.1.need"] == ""  # untouched controls still show their placeholder
    docx.Document(io.BytesIO(filled))


def test_controls_have_the_right_kinds(plan_for):
    root = body_xml(render_docx(plan_for(), templates_dir=None))
    kinds = {}
    for sdt in root.iter(f"{W}sdt"):
        pr = sdt.find(f"{W}sdtPr")
        if pr.find(f"{W}tag") is None:  # the items of a repeating section carry no tag of their own
            continue
        tag = pr.find(f"{W}tag").get(f"{W}val")
        kinds[tag] = [etree.QName(c).localname for c in pr]
    assert "text" in kinds["goal.1.metric"] and "showingPlcHdr" in kinds["goal.1.metric"]
    assert "date" in kinds["follow.1.date"]
    assert "dropDownList" in kinds["action.community.new1.status"]
    assert "comboBox" in kinds["goal.1.need"] and "comboBox" in kinds["action.community.new1.goal"]
    assert any("checkbox" in k for t, k in kinds.items() if t.endswith(".present"))
    date = root.find(f".//{W}sdt/{W}sdtPr/{W}date")
    assert date.find(f"{W}lid").get(f"{W}val") == "fi-FI"
    ids = [e.get(f"{W}val") for e in root.iter(f"{W}id")]
    assert len(ids) == len(set(ids)), "content-control ids must be unique"
    marks = [e.get(f"{W}name") for e in root.iter(f"{W}bookmarkStart")]
    assert len(marks) == len(set(marks)), "bookmark names must be unique"
    assert all(len(m) <= 40 for m in marks), "Word allows bookmark names of up to 40 characters"


def test_toc_footer_language_and_properties(plan_for):
    plan = plan_for(language="sv")
    data = render_docx(plan, templates_dir=None)
    z = zipfile.ZipFile(io.BytesIO(data))
    document = z.read("word/document.xml").decode()
    assert 'TOC \\o "1-2" \\h \\z \\u' in document
    assert b'<w:updateFields w:val="true"/>' in z.read("word/settings.xml")
    footers = b"".join(z.read(n) for n in z.namelist() if n.startswith("word/footer"))
    assert b" PAGE " in footers and b" NUMPAGES " in footers
    assert b'w:lang w:val="sv-FI"' in z.read("word/styles.xml")
    headers = b"".join(z.read(n) for n in z.namelist() if n.startswith("word/header"))
    assert plan.client.name.encode() in headers
    cp = docx.Document(io.BytesIO(data)).core_properties
    assert plan.client.name in cp.title and cp.language == "sv-FI" and cp.keywords
    assert cp.created.isoformat().startswith("2027-01-01")


def test_headings_are_word_heading_styles(samples):
    styles = [_style(p) for p in body_xml(samples["hoivakoti-aurinko"]).iter(f"{W}p")]
    from generator.render.docx.sections import SECTIONS
    assert styles.count("Heading1") == len(SECTIONS)  # one per chapter, glossary and references included
    assert styles.count("Title") == 1 and "Heading2" in styles


# ---- escaping, reproducibility, branding ----

def test_client_name_appears_literally(plan_for):
    plan = plan_for(client={"name": WEIRD})
    data = render_docx(plan, templates_dir=None)
    doc = docx.Document(io.BytesIO(data))
    assert any(p.text == WEIRD for p in doc.paragraphs)
    assert WEIRD in _text(body_xml(data, "word/header1.xml")) or any(
        WEIRD in _text(body_xml(data, n)) for n in zipfile.ZipFile(io.BytesIO(data)).namelist()
        if n.startswith("word/header"))
    assert WEIRD in doc.core_properties.title
    assert "49" not in doc.paragraphs[3].text  # no template engine evaluated {{ 7*7 }}


def test_same_inputs_give_identical_bytes(plan_for, monkeypatch):
    plan = plan_for()
    first = render_docx(plan, templates_dir=None)
    assert render_docx(plan, templates_dir=None) == first
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(EPOCH) + 86400))
    assert render_docx(plan, templates_dir=None) != first  # the date is really taken from the epoch


def test_brand_colour_and_logo(plan_for, tmp_path):
    from PIL import Image
    logo = tmp_path / "logo.png"
    Image.new("RGB", (60, 20), (200, 30, 30)).save(logo)
    provider = ProviderInfo(id="p", name="Brand OHS", brand_colour="#AA3300", logo=str(logo))
    data = render_docx(replace(plan_for(), provider=provider), templates_dir=None)
    z = zipfile.ZipFile(io.BytesIO(data))
    assert any(n.startswith("word/media/") for n in z.namelist())
    styles = z.read("word/styles.xml")
    assert b'w:fill="AA3300"' in styles  # the table style's header row
    assert b'w:val="AA3300"' in styles   # the headings


def test_styles_kept_per_process_follow_each_plans_language_and_colours(plan_for, monkeypatch):
    """Writer._setup_styles hands a finished styles part from one plan to the next plan with the same language
    and colours: every plan still gets its own language and colours, and the same bytes as from a fresh cache."""
    from generator.render.docx import writer as docx_module
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    plain, plain_sv = plan_for(language="fi"), plan_for(language="sv")
    swedish = replace(plain_sv, provider=ProviderInfo(id="p", name="P", brand_colour="#AA3300"))

    def styles(data: bytes) -> bytes:
        return zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml")

    monkeypatch.setattr(docx_module, "_STYLES", {})
    fresh = {"fi": render_docx(plain, templates_dir=None), "sv": render_docx(swedish, templates_dir=None)}
    assert len(docx_module._STYLES) == 2
    for _ in range(2):  # now from the kept styles parts, in either order
        assert render_docx(swedish, templates_dir=None) == fresh["sv"]
        assert render_docx(plain, templates_dir=None) == fresh["fi"]
    assert b'w:lang w:val="sv-FI"' in styles(render_docx(plain_sv, templates_dir=None))  # fi's colours, sv
    assert b'w:lang w:val="fi-FI"' in styles(fresh["fi"]) and b"AA3300" not in styles(fresh["fi"])
    assert b'w:lang w:val="sv-FI"' in styles(fresh["sv"]) and b'w:fill="AA3300"' in styles(fresh["sv"])


def test_base_docx_is_used_and_checked(plan_for, tmp_path):
    base = docx.Document()
    base.sections[0].header.paragraphs[0].text = "Corporate header"
    base.add_paragraph("old body text")
    good = tmp_path / "base.docx"
    base.save(good)
    plan = plan_for()
    data = render_docx(replace(plan, provider=ProviderInfo(id="p", name="P", base_docx=str(good))), templates_dir=None)
    z = zipfile.ZipFile(io.BytesIO(data))
    headers = b"".join(z.read(n) for n in z.namelist() if n.startswith("word/header"))
    assert b"Corporate header" in headers
    assert "old body text" not in _text(body_xml(data))

    styles = base.styles.element
    for name in ("Subtitle", "List Bullet"):
        styles.remove(base.styles[name].element)
    bad = tmp_path / "bad.docx"
    base.save(bad)
    with pytest.raises(RenderError, match="Subtitle, List Bullet"):
        render_docx(replace(plan, provider=ProviderInfo(id="p", name="P", base_docx=str(bad))), templates_dir=None)


# ---- tailoring ----

def test_roles_follow_the_size_rules(plan_for):
    small = tags(render_docx(plan_for(employees=6), templates_dir=None))
    large = tags(render_docx(plan_for(employees=60), templates_dir=None))
    assert "actor.owner.name" in small and "actor.owner.name" not in large
    for role in ("actor.osh-representative", "actor.osh-committee", "actor.hr", "actor.management"):
        assert f"{role}.name" in large and f"{role}.name" not in small


def test_work_ability_differs_between_contract_scopes(plan_for):
    prev = plan_for(contract_scope="preventive_only")
    med = plan_for(contract_scope="with_medical_care")
    heading = prev.label("docx.h.work_ability")
    a = section_text(render_docx(prev, templates_dir=None), f"7. {heading}")
    b = section_text(render_docx(med, templates_dir=None), f"7. {heading}")
    assert a != b
    for level in med.pathway():
        for care in level.care:
            assert care.text in b
    assert med.client.contract_scope_name in b and prev.client.contract_scope_name in a


def test_no_provider_leaves_fill_in_rows(plan_for):
    data = render_docx(plan_for(), templates_dir=None)
    t = tags(data)
    assert "cover.provider" in t
    assert not any(x.startswith("team.") for x in t)
    assert any(x.startswith("actor.oh-") for x in t)  # OHS roles to fill in instead of the team


def test_missing_content_is_skipped_not_fatal(plan_for):
    plan = plan_for()
    keep = {"about", "party", "actor"}
    thin = replace(plan, entries=tuple(e for e in plan.entries if e.kind in keep))
    data = render_docx(thin, templates_dir=None)
    assert "goal.1.metric" in tags(data)


@pytest.mark.parametrize("sample", GOLDEN_SAMPLES)
def test_golden_text_dump(samples, sample):
    check_golden(f"docx-{sample}.txt", dump(samples[sample]))

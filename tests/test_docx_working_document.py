"""The Word plan as a working document: the action chain, statuses, rows users add, branding through a base
document, the contents list, the cover, the package and accessibility. Judged on the .docx XML and by
openxml-audit; LibreOffice's view of a filled plan is in test_docx_filling.py."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace
from pathlib import Path

import docx
import pytest
from docx.shared import Cm, Pt, RGBColor
from lxml import etree

from generator.plan import ProviderInfo
from generator.render.docx import render_docx
from generator.render.docx.parts import ACTION_FIELDS
from generator.vocab import ACTION_STATUSES as STATUSES
from tests.docx_controls import read_controls

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W15 = "{http://schemas.microsoft.com/office/word/2012/wordml}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
EPOCH = "1798761600"


@pytest.fixture(autouse=True)
def _epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def part(data: bytes, name: str) -> etree._Element:
    return etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read(name))


def text(e: etree._Element) -> str:
    return "".join(t.text or "" for t in e.iter(f"{W}t"))


def sdt_tag(sdt) -> str:
    tag = sdt.find(f"{W}sdtPr/{W}tag")
    return tag.get(f"{W}val") if tag is not None else ""


@pytest.fixture(scope="module")
def fi_plan():
    from generator.inputs.load import Project
    from generator.select import select
    from tests.conftest import ROOT, make_profile

    library = Project(ROOT).load_library()
    return select(make_profile(employees=25), library)


@pytest.fixture(scope="module")
def fi_doc(fi_plan) -> bytes:
    import os
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        return render_docx(fi_plan)
    finally:
        if old is None:
            os.environ.pop("SOURCE_DATE_EPOCH")
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old


# ---- the action chain ----------------------------------------------------------------------------------------

def test_every_prefilled_action_carries_the_whole_chain(fi_plan, fi_doc):
    tags = {t for t, _ in read_controls(fi_doc)}
    for action in fi_plan.items("action"):
        for field in ("need", "goal", "what", "owner_workplace", "owner_ohs", "when", "metric", "status"):
            assert f"{action.id}.{field}" in tags, f"{action.id}.{field}"
    values = dict(read_controls(fi_doc))
    a = fi_plan.items("action")[0]
    assert values[f"{a.id}.need"] == a.why and values[f"{a.id}.goal"] == a.aim
    assert values[f"{a.id}.what"].startswith(a.text)


def test_action_tables_have_the_chain_columns_in_order(fi_plan, fi_doc):
    root = part(fi_doc, "word/document.xml")
    headers = []
    for tbl in root.iter(f"{W}tbl"):
        first = tbl.find(f"{W}tr")
        if first is not None:
            headers.append([text(tc) for tc in first.iter(f"{W}tc")])
    from generator.render.docx.parts import column
    expected = [column(type("W", (), {"plan": fi_plan})(), f) for f in ACTION_FIELDS]
    assert headers.count(expected) == len(fi_plan.items("planning_block"))


def test_statuses_include_suggested_and_prefilled_actions_start_as_suggestions(fi_plan, fi_doc):
    root = part(fi_doc, "word/document.xml")
    prefilled = {a.id for a in fi_plan.items("action")}
    suggestion_style = None
    for sdt in root.iter(f"{W}sdt"):
        tag = sdt_tag(sdt)
        if not tag.endswith(".status"):
            continue
        values = [li.get(f"{W}value") for li in sdt.iter(f"{W}listItem")]
        assert values == list(STATUSES), tag
        style = sdt.find(f"{W}sdtContent//{W}rStyle").get(f"{W}val")
        if tag.rsplit(".", 1)[0] in prefilled:
            assert text(sdt.find(f"{W}sdtContent")) == fi_plan.label("common.status.suggested")
            suggestion_style = suggestion_style or style
            assert style == suggestion_style
        else:
            assert style != suggestion_style or suggestion_style is None
    styles = part(fi_doc, "word/styles.xml")
    sug = styles.find(f"{W}style[@{W}styleId='{suggestion_style}']")
    assert sug is not None and sug.find(f"{W}rPr/{W}shd") is not None, "suggestions must look different"


def test_goals_refer_to_needs_and_actions_to_goals(fi_doc):
    root = part(fi_doc, "word/document.xml")
    combos = {sdt_tag(s): [li.get(f"{W}value") for li in s.iter(f"{W}listItem")]
              for s in root.iter(f"{W}sdt") if s.find(f"{W}sdtPr/{W}comboBox") is not None}
    assert combos["goal.1.need"][:2] == ["N1", "N2"]
    assert all(v[:2] == ["T1", "T2"] for t, v in combos.items() if t.endswith(".goal") and not t.startswith("goal."))
    body = text(root)
    assert "N1" in body and "T1" in body  # the numbers the references use are shown in the tables


@pytest.mark.parametrize("employees, handled", [(19, False), (20, True)])
def test_approval_block(plan_for, employees, handled):
    tags = {t for t, _ in read_controls(render_docx(plan_for(employees=employees)))}
    assert {"approval.prepared_by", "approval.approved_by", "approval.approved_on"} <= tags
    assert ("approval.handled_on" in tags) is handled


# ---- rows users add ------------------------------------------------------------------------------------------

def test_fill_in_rows_sit_in_repeating_sections_and_word_2013_mode(fi_doc):
    root = part(fi_doc, "word/document.xml")
    sections = [s for s in root.iter(f"{W}sdt") if s.find(f"{W}sdtPr/{W15}repeatingSection") is not None]
    assert sections
    for s in sections:
        items = s.findall(f"{W}sdtContent/{W}sdt")
        assert items and all(i.find(f"{W}sdtPr/{W15}repeatingSectionItem") is not None for i in items)
        assert all(i.find(f"{W}sdtContent/{W}tr") is not None for i in items)
    settings = part(fi_doc, "word/settings.xml")
    mode = [c.get(f"{W}val") for c in settings.iter(f"{W}compatSetting") if c.get(f"{W}name") == "compatibilityMode"]
    assert mode == ["15"]
    assert b"w15" in zipfile.ZipFile(io.BytesIO(fi_doc)).read("word/document.xml")[:3000]


def test_every_control_and_fill_in_table_is_in_the_tag_map(fi_doc):
    root = part(fi_doc, "word/document.xml")
    tagmap = part(fi_doc, "customXml/item1.xml")
    ns = "{urn:x-mielenterveys-toolkit:tags:1}"
    by_mark = {c.get("bookmark"): c.get("tag") for c in tagmap.iter(f"{ns}control")}
    controls = [s for s in root.iter(f"{W}sdt") if s.find(f"{W}sdtPr/{W}tag") is not None
                and s.find(f"{W}sdtPr/{W15}repeatingSection") is None]
    for sdt in controls:
        mark = sdt.find(f"{W}sdtContent/{W}bookmarkStart")
        assert mark is not None, sdt_tag(sdt)
        assert by_mark[mark.get(f"{W}name")] == sdt_tag(sdt)
    tables = {t.get("id"): t.get("columns").split() for t in tagmap.iter(f"{ns}table")}
    assert tables["goal"][1:] == ["need", "goal", "metric", "baseline", "target", "latest"]
    assert tables["actions.prevention"] == list(ACTION_FIELDS)


# ---- layout --------------------------------------------------------------------------------------------------

def _grid_widths(root) -> list[int]:
    return [sum(int(g.get(f"{W}w")) for g in tbl.iter(f"{W}gridCol")) for tbl in root.find(f"{W}body").iter(f"{W}tbl")]


def test_tables_fill_the_text_width_of_their_section(fi_doc):
    doc = docx.Document(io.BytesIO(fi_doc))
    widths = {round((s.page_width - s.left_margin - s.right_margin) / 635) for s in doc.sections}  # EMU -> twips
    assert len(widths) == 2, "portrait and landscape"
    for w in _grid_widths(part(fi_doc, "word/document.xml")):
        assert any(abs(w - t) <= 2 for t in widths), w


def test_goals_and_actions_are_in_a_landscape_section(fi_doc):
    doc = docx.Document(io.BytesIO(fi_doc))
    orientations = [s.page_width > s.page_height for s in doc.sections]
    assert orientations == [False, True, False]


# ---- branding through a base document ------------------------------------------------------------------------

def _base(tmp_path: Path, kind: str) -> Path:
    """A provider letterhead made in Word's way: its own font and size, heading colour, margins and header."""
    from PIL import Image

    base = docx.Document()
    st = base.styles
    st["Normal"].font.name = "Georgia"
    st["Normal"].font.size = Pt(12)
    st["Heading 1"].font.color.rgb = RGBColor(0x8B, 0x00, 0x4B)
    sec = base.sections[0]
    sec.page_width, sec.page_height = Cm(21.59), Cm(27.94)  # US Letter, to prove nothing assumes A4
    sec.left_margin = sec.right_margin = Cm(3.0)
    if kind == "text":
        sec.header.paragraphs[0].text = "Pohjoisen Työterveys Oy · Kauppakatu 1 · 90100 Oulu"
    else:
        logo = tmp_path / "letterhead.png"
        Image.new("RGB", (400, 80), (20, 60, 120)).save(logo)
        sec.header.paragraphs[0].add_run().add_picture(str(logo), width=Cm(5))
    path = tmp_path / f"base-{kind}.docx"
    base.save(path)
    return path


def _logo(tmp_path: Path, size=(300, 100)) -> Path:
    from PIL import Image
    path = tmp_path / f"logo-{size[0]}x{size[1]}.png"
    Image.new("RGB", size, (200, 30, 30)).save(path)
    return path


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["text", "logo"])
def test_base_document_branding(plan_for, tmp_path, kind):
    from openxml_audit import OpenXmlValidator

    base = _base(tmp_path, kind)
    provider = ProviderInfo(id="p", name="Pohjoisen Työterveys Oy", base_docx=str(base), logo=str(_logo(tmp_path)))
    data = render_docx(replace(plan_for(), provider=provider))
    path = tmp_path / "plan.docx"
    path.write_bytes(data)
    result = OpenXmlValidator().validate(path)
    assert result.is_valid, "; ".join(f"{e.error_type}: {e.description}" for e in result.errors)
    doc = docx.Document(io.BytesIO(data))
    # the base's styles win: its heading colour stays, no default brand colour overrides it
    assert doc.styles["Heading 1"].font.color.rgb == RGBColor(0x8B, 0x00, 0x4B)
    assert doc.styles["Normal"].font.name == "Georgia"
    z = zipfile.ZipFile(io.BytesIO(data))
    headers = [etree.fromstring(z.read(n)) for n in z.namelist() if re.fullmatch(r"word/header\d+\.xml", n)]
    pictures = sum(len(h.findall(f".//{W}drawing")) for h in headers)
    if kind == "text":
        assert any("Kauppakatu 1" in text(h) for h in headers)
        assert pictures == 1, "the provider's logo joins a text letterhead"
    else:
        assert pictures == 1, "a letterhead with a logo gets no second logo"
    footers = b"".join(z.read(n) for n in z.namelist() if n.startswith("word/footer"))
    assert b" PAGE " in footers, "page numbers are always there"
    # every table fits the base's text width, computed from its page size and margins
    text_twips = {round((s.page_width - s.left_margin - s.right_margin) / 635) for s in doc.sections}
    for w in _grid_widths(part(data, "word/document.xml")):
        assert any(abs(w - t) <= 2 for t in text_twips), (w, text_twips)


def test_explicit_brand_colour_wins_over_the_base(plan_for, tmp_path):
    provider = ProviderInfo(id="p", name="P", base_docx=str(_base(tmp_path, "text")), brand_colour="#225500")
    doc = docx.Document(io.BytesIO(render_docx(replace(plan_for(), provider=provider))))
    assert doc.styles["Heading 1"].font.color.rgb == RGBColor(0x22, 0x55, 0x00)


def test_base_document_can_restyle_the_table_header(plan_for, tmp_path):
    """Table header shading comes from the named table style; a base document that defines it decides."""
    first = render_docx(replace(plan_for(), provider=ProviderInfo(id="p", name="P")))
    styles = part(first, "word/styles.xml")
    toolkit = styles.find(f"{W}style[@{W}styleId='ToolkitTable']")
    assert toolkit is not None and toolkit.find(f"{W}tblStylePr[@{W}type='firstRow']") is not None
    base = docx.Document()
    own = etree.fromstring(etree.tostring(toolkit))
    own.find(f".//{W}tblStylePr/{W}tcPr/{W}shd").set(f"{W}fill", "123456")
    base.styles.element.append(own)
    path = tmp_path / "restyled.docx"
    base.save(path)
    data = render_docx(replace(plan_for(), provider=ProviderInfo(id="p", name="P", base_docx=str(path))))
    assert b'w:fill="123456"' in zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml")
    assert b"<w:shd" not in zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").split(b"<w:tblHeader/>")[1][:400]


@pytest.mark.parametrize("size", [(4000, 90), (80, 1200), (300, 300)])
def test_logos_of_any_shape_fit_the_header(plan_for, tmp_path, size):
    provider = ProviderInfo(id="p", name="P", logo=str(_logo(tmp_path, size)))
    data = render_docx(replace(plan_for(), provider=provider))
    doc = docx.Document(io.BytesIO(data))
    text_width = doc.sections[0].page_width - doc.sections[0].left_margin - doc.sections[0].right_margin
    header = part(data, "word/header1.xml") if "word/header1.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist() \
        else None
    extent = next(header.iter(f"{WP}extent"))
    cx, cy = int(extent.get("cx")), int(extent.get("cy"))
    assert cx <= text_width // 3 + 1 and cy <= Cm(1.2) + 1
    assert abs(cx / cy - size[0] / size[1]) < 0.02 * size[0] / size[1], "the logo keeps its proportions"


# ---- contents, cover, package, accessibility -----------------------------------------------------------------

def test_contents_entries_link_to_their_headings(fi_doc):
    root = part(fi_doc, "word/document.xml")
    marks = {b.get(f"{W}name") for b in root.iter(f"{W}bookmarkStart")}
    links = [h for h in root.iter(f"{W}hyperlink") if h.get(f"{W}anchor")]
    assert len(links) > 10 and all(h.get(f"{W}anchor") in marks for h in links)
    toc_styles = {p.find(f"{W}pPr/{W}pStyle").get(f"{W}val") for h in links for p in [h.getparent()]}
    assert toc_styles <= {"TOC1", "TOC2"}


def test_cover_has_no_running_header_or_content_hash(fi_plan, fi_doc):
    doc = docx.Document(io.BytesIO(fi_doc))
    assert doc.sections[0].different_first_page_header_footer
    cover = []
    for p in part(fi_doc, "word/document.xml").find(f"{W}body"):
        if p.find(f".//{W}br[@{W}type='page']") is not None:
            break
        cover.append(text(p))
    assert fi_plan.content_version not in " ".join(cover)
    assert doc.core_properties.version == fi_plan.content_version  # the version lives in the properties


def test_package_is_clean(fi_doc):
    z = zipfile.ZipFile(io.BytesIO(fi_doc))
    names = z.namelist()
    assert "docProps/thumbnail.jpeg" not in names
    app = z.read("docProps/app.xml").decode()
    assert "Macintosh" not in app and "mielenterveys-toolkit" in app and "<Pages>" not in app
    custom_xml = [n for n in names if n.startswith("customXml/item") and not n.startswith("customXml/itemProps")]
    assert custom_xml == ["customXml/item1.xml"]
    assert b"bibliography" not in z.read("customXml/item1.xml")
    props = z.read("docProps/custom.xml").decode()
    assert "toolkit.client" in props and "toolkit.document" in props
    settings = z.read("word/settings.xml").decode()
    assert 'w:themeFontLang w:val="fi-FI"' in settings and 'w:decimalSymbol w:val=","' in settings


def test_english_plan_uses_a_decimal_point_and_marks_finnish_titles(plan_for):
    data = render_docx(plan_for(language="en"))
    settings = zipfile.ZipFile(io.BytesIO(data)).read("word/settings.xml").decode()
    assert 'w:decimalSymbol w:val="."' in settings and 'w:themeFontLang w:val="en-GB"' in settings
    root = part(data, "word/document.xml")
    marked = [r for r in root.iter(f"{W}r") if r.find(f"{W}rPr/{W}lang[@{W}val='fi-FI']") is not None]
    assert marked, "runs in Finnish (glossary equivalents, Finnish titles) are marked as Finnish"


def test_accessibility_basics(fi_doc, plan_for, tmp_path):
    root = part(fi_doc, "word/document.xml")
    styles = [p.find(f"{W}pPr/{W}pStyle").get(f"{W}val") for p in root.iter(f"{W}p")
              if p.find(f"{W}pPr/{W}pStyle") is not None]
    assert styles.count("Title") == 1
    levels = [int(s[-1]) for s in styles if re.fullmatch(r"Heading[1-9]", s)]
    for prev, cur in zip([0] + levels, levels):
        assert cur <= prev + 1, f"heading level jumps from {prev} to {cur}"
    for tbl in root.find(f"{W}body").iter(f"{W}tbl"):
        assert tbl.find(f"{W}tblPr/{W}tblCaption") is not None, "every table has a caption"
        first = tbl.find(f".//{W}tr")
        look = tbl.find(f"{W}tblPr/{W}tblLook")
        if look.get(f"{W}firstRow") == "1":
            assert first.find(f"{W}trPr/{W}tblHeader") is not None, "header rows repeat"
    provider = ProviderInfo(id="p", name="Logo Oy", logo=str(_logo(tmp_path)))
    data = render_docx(replace(plan_for(), provider=provider))
    docprs = list(part(data, "word/header1.xml").iter(f"{WP}docPr"))
    assert docprs and all(d.get("descr") == "Logo Oy" for d in docprs)


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_no_finnish_abbreviations_in_other_languages(plan_for, lang):
    import tempfile

    from tests.conftest import docx_text

    data = render_docx(plan_for(language=lang, employees=45))
    with tempfile.NamedTemporaryFile(suffix=".docx") as fh:
        fh.write(data)
        fh.flush()
        body = docx_text(Path(fh.name))
    for pattern in (r"\b\d+ v\b", r"\bpv\b", r"\bhlö\b", r"\bvrk\b", r"\besim\.", r"\bmm\. "):
        assert not re.search(pattern, body), f"{lang}: {pattern} in {re.search(pattern, body)}"


def test_fill_in_only_protection_is_optional(plan_for):
    plain = zipfile.ZipFile(io.BytesIO(render_docx(plan_for()))).read("word/settings.xml")
    assert b"documentProtection" not in plain
    locked = render_docx(replace(plan_for(), provider=ProviderInfo(id="p", name="P", protect=True)))
    settings = zipfile.ZipFile(io.BytesIO(locked)).read("word/settings.xml")
    assert b'w:documentProtection w:edit="forms" w:enforcement="1"' in settings

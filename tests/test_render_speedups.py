"""The PDF speed-ups, each against WeasyPrint alone: the care pathway's step search and kept sheets, the line and
drawing memories, the trimmed user-agent stylesheet and the XML parse (render/weasy/, render/pathway*.py)."""

from __future__ import annotations

import dataclasses
import io

import pytest
from conftest import ROOT, SPEEDUPS, assert_parsed_as_html_would_be
from pypdf import PdfReader

from generator.render.checklists import render_checklists
from generator.render.pathway import render_pathway
from generator.render.weasy.engine import html_to_pdf

TEMPLATES = ROOT / "templates"


@pytest.mark.slow
@pytest.mark.parametrize("pid", ["rakennus-kivi", "skolan-i-strandby"])
def test_pathway_scale_hint_only_orders_the_tries(rendered, monkeypatch, pid):
    """The step remembered from the last similar sheet saves layouts but never changes the sheet, whichever
    way and however far the search gallops from it."""
    import generator.render.pathway as P
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    plan = rendered[pid][0]
    key = (plan.language, plan.client.contract_scope)
    P._HINTS.clear()
    P.PROVEN.clear()
    fresh = render_pathway(plan, TEMPLATES)
    best = P._HINTS[key]
    last = len(P.SCALES) - 1
    for hint in sorted({0, best - 5, best - 3, best - 2, best - 1, best, best + 1, best + 2, best + 3, last}):
        P._HINTS.clear()
        P._HINTS[key if hint % 2 else P.ANY] = min(max(hint, 0), last)  # this sheet's kind, or any
        P.PROVEN.clear()
        assert render_pathway(plan, TEMPLATES) == fresh, hint


def _reset_pathway_memory():
    import generator.render.pathway as P
    P.PROVEN.clear()
    P._HINTS.clear()
    P.sheet.forget()


def _renamed(plan, name, cid="toinen"):
    return dataclasses.replace(plan, client=dataclasses.replace(plan.client, id=cid, name=name))


@SPEEDUPS
def test_a_sheet_like_an_earlier_one_is_laid_out_once_at_the_proven_step(rendered, monkeypatch):
    """Another client whose sheet differs only in its name takes the step proven for the first: one layout
    in a process that has not laid that sheet out, none in one that has, and the same bytes a full search
    gives; the step is the largest that fits (it fits, the one before not)."""
    import generator.render.pathway as P
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    plan = rendered["hoivakoti-aurinko"][0]
    other = _renamed(plan, "Toinen Hoivakoti Oy")
    _reset_pathway_memory()
    searched = render_pathway(other, TEMPLATES)
    step = next(iter(P.PROVEN.values()))
    _reset_pathway_memory()
    render_pathway(plan, TEMPLATES)  # proves the step for this signature, and keeps the sheet
    calls = []
    real = P.layout
    monkeypatch.setattr(P, "layout", lambda *a, **k: calls.append(1) or real(*a, **k))
    assert render_pathway(other, TEMPLATES) == searched
    assert len(calls) == 0  # the kept sheet took the other name
    P.sheet.forget()  # as in another worker of the batch: the step is known, the sheet is not
    assert render_pathway(other, TEMPLATES) == searched
    assert len(calls) == 1
    monkeypatch.setattr(P, "layout", real)
    ctx_pages = []
    for i in (step, step - 1):
        if i < 0:
            continue
        html = P.template(TEMPLATES, "care-pathway.html.j2").render(scale=P.SCALES[i],
                                                                       **_pathway_context(other))
        ctx_pages.append(len(real(html, TEMPLATES, "care-pathway.pdf").pages))
    assert ctx_pages[0] == 1 and (len(ctx_pages) == 1 or ctx_pages[1] > 1)


NAMES = ("Toinen Hoivakoti Oy", "W", "مطعم الواحة Oy", "Työterveyshuoltopalvelujentuottajaosakeyhtiö",
         "Öljy-Äijät & Ko Ky", "Two  spaces Oy", "Ab Åland Strömming", "Soft\xadhyphen Oy", "Kiinteistö Oy Ääneläinen 2")
REFUSED = {"مطعم الواحة Oy", "Two  spaces Oy", "Soft\xadhyphen Oy"}  # each laid out afresh


@pytest.mark.slow
@SPEEDUPS
@pytest.mark.parametrize("pid", ["hoivakoti-aurinko", "skolan-i-strandby", "nordic-code-labs"])
def test_a_kept_sheet_takes_a_new_name_with_the_bytes_a_fresh_layout_gives(rendered, monkeypatch, pid):
    """Clients of one signature in a row, each sheet made from the one before (LaidOutSheet.take), give the
    bytes each gets laid out alone: names of other widths, accents, a 44-letter word, and names the sheet
    refuses to take (Arabic needs a fallback font, spaces that collapse, a soft hyphen), which are laid out."""
    import generator.render.pathway as P
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    plan = rendered[pid][0]
    plans = [_renamed(plan, name, f"c{i}") for i, name in enumerate(NAMES)]
    alone = []
    for p in plans:
        _reset_pathway_memory()
        alone.append(render_pathway(p, TEMPLATES))
    _reset_pathway_memory()
    render_pathway(plan, TEMPLATES)
    taken = []
    real = P.sheet.LaidOutSheet.take
    monkeypatch.setattr(P.sheet.LaidOutSheet, "take", lambda self, *a: taken.append(real(self, *a)) or taken[-1])
    assert [render_pathway(p, TEMPLATES) for p in plans] == alone
    assert not any(t for t, name in zip(taken, NAMES) if name in REFUSED)
    assert taken[:2] == [True, True] and sum(taken) >= 4  # (a sheet kept with the Arabic name may refuse more)


def test_a_long_name_is_never_taken_on_trust(rendered):
    """A name too long for its line could change the layout: such a sheet always gets its own search."""
    import generator.render.pathway as P
    plan = rendered["hoivakoti-aurinko"][0]
    long = dataclasses.replace(plan, client=dataclasses.replace(plan.client, name="Pitkäniminen " * 12 + "Oy"))
    template = P.template(TEMPLATES, "care-pathway.html.j2")
    ctx = _pathway_context(long)
    assert P._signature(template, ctx, long, TEMPLATES / "fonts") is None
    assert P._signature(template, _pathway_context(plan), plan, TEMPLATES / "fonts")


def _pathway_context(plan):
    import generator.render.pathway as P
    ctx = P.common_context(plan, TEMPLATES, "pdf.pathway")
    ctx.update(levels=plan.pathway(), lane=plan.item("wa.ohs-always"), milestones=P._milestones(plan),
               contacts=P._contacts(plan), theme=plan.item("theme.pathway"))
    ctx["credit"] = plan.label("pdf.pathway.credit")
    return ctx


def test_proven_steps_are_shared_through_the_batch_folder(tmp_path):
    """A step one worker proved is found by another worker of the batch; junk in the folder is ignored."""
    from generator.render.pathway_steps import SCALES as PATHWAY_SCALES
    from generator.render.pathway_steps import ProvenSteps
    first, second = ProvenSteps(), ProvenSteps()
    first.folder = second.folder = tmp_path
    assert second.get("abc") is None
    first.prove("abc", 7)
    assert second.get("abc") == 7 and list(tmp_path.iterdir()) == [tmp_path / "abc"]
    (tmp_path / "bad").write_text("x")
    (tmp_path / "far").write_text(str(len(PATHWAY_SCALES)))
    assert second.get("bad") is None and second.get("far") is None
    alone = ProvenSteps()
    alone.prove("abc", 3)
    assert alone.get("abc") == 3 and ProvenSteps().get("abc") is None



MEMO_SAMPLES = ("hoivakoti-aurinko", "paivakoti-satakieli", "skolan-i-strandby", "butiken-vasa", "nordic-code-labs")


def _both(rendered, pids=MEMO_SAMPLES) -> list[bytes]:
    out = []
    for pid in pids:
        plan = rendered[pid][0]
        out += [render_checklists(plan, TEMPLATES), render_pathway(plan, TEMPLATES)]
    return out


class ReadingStyle(dict):
    """A computed style that notes the name of every property read from it into `read`."""

    def __init__(self, style, read: set):
        self.style, self.read = style, read

    def __getitem__(self, key):
        self.read.add(key)
        return self.style[key]

    def __getattr__(self, name):
        return getattr(self.style, name)


@pytest.fixture(scope="module")
def alone(rendered) -> list[bytes]:
    """The memory tests' documents as WeasyPrint renders them alone (both memories off), made once for all of
    them: the MEMO_SAMPLES' PDFs, then UNUSUAL_LINES and MARKERS."""
    from generator.render.weasy import draw_memo, line_memo

    with pytest.MonkeyPatch.context() as mp:
        for memory in (line_memo, draw_memo):
            memory.uninstall()
            mp.setattr(memory, "ENABLED", False)
        docs = _both(rendered) + [html_to_pdf(UNUSUAL_LINES, TEMPLATES, "t.pdf")[0],
                                  html_to_pdf(MARKERS, TEMPLATES, "t.pdf")[0]]
    for memory in (line_memo, draw_memo):
        memory.uninstall()  # empty; installed again by the next render
    return docs


def _memory_off(memory, monkeypatch):
    """A memory module (line_memo, draw_memo), off and empty to start with; as it was (on, empty) afterwards."""
    memory.uninstall()
    monkeypatch.setattr(memory, "ENABLED", False)
    yield memory
    memory.uninstall()


@pytest.fixture
def line_memo(monkeypatch):
    """The line-break memory, off and empty to start with; as it was (on, empty) afterwards."""
    from generator.render.weasy import line_memo
    yield from _memory_off(line_memo, monkeypatch)


@pytest.mark.slow
@SPEEDUPS
def test_remembered_line_breaks_give_the_same_bytes(rendered, alone, line_memo, monkeypatch):
    """Documents laid out with the line-break memory, empty and then full of this batch's lines, are the
    bytes WeasyPrint gives alone; no laid-out text box holds a layout object the memory keeps."""
    alone = alone[:-2]
    assert not line_memo._MEMO
    monkeypatch.setattr(line_memo, "ENABLED", True)
    first = _both(rendered)
    lines = len(line_memo._MEMO)
    assert lines > 1000
    again = _both(rendered)  # answered from memory
    assert len(line_memo._MEMO) == lines  # nothing new was broken
    assert first == alone and again == alone
    from generator.render.weasy.engine import layout
    html = "<p>" + " ".join(["Työterveyshuolto ja mielenterveys"] * 40) + "</p>"
    layout(html, TEMPLATES, "t.pdf")
    doc = layout(html, TEMPLATES, "t.pdf")  # its lines now come from memory
    held = {id(v[0]) for v in line_memo._MEMO.values()}
    boxes = [b for page in doc.pages for b in page._page_box.descendants() if hasattr(b, "pango_layout")]
    assert boxes and not held & {id(b.pango_layout) for b in boxes}  # each caller got its own copy


@pytest.mark.slow
@SPEEDUPS
def test_the_line_memory_key_holds_every_style_property_weasyprint_reads(rendered, line_memo, monkeypatch):
    """STYLE_KEYS must name every style property WeasyPrint's split_first_line reads, or a line could be
    answered for a style it was not broken in. Recorded while the samples (fi, sv, en) are rendered."""
    from weasyprint.layout import inline, preferred
    from weasyprint.text import line_break

    read: set[str] = set()

    real = line_break.split_first_line

    def recording(text, style, *args, **kwargs):
        return real(text, ReadingStyle(style, read), *args, **kwargs)

    for module in (inline, preferred):
        monkeypatch.setattr(module, "split_first_line", recording)
    _both(rendered)
    assert "font_size" in read and "white_space" in read
    assert read <= set(line_memo.STYLE_KEYS), sorted(read - set(line_memo.STYLE_KEYS))


@pytest.fixture
def draw_memo(monkeypatch):
    """The memory of drawn lines, off and empty to start with; as it was (on, empty) afterwards."""
    from generator.render.weasy import draw_memo
    yield from _memory_off(draw_memo, monkeypatch)


# A marker the ::marker rule changes: its letters keep their case in an uppercase list (text-transform)
MARKERS = ('<html lang="fi"><head><link rel="stylesheet" href="base.css" /></head><body>'
           '<ol style="text-transform: uppercase; list-style-type: lower-alpha"><li>Ensimmäinen</li>'
           '<li>Toinen</li></ol></body></html>')
# Lines the memory must leave to WeasyPrint (underlined, struck through, cut with an ellipsis) between plain
# ones, in each of the three fonts
UNUSUAL_LINES = """<!DOCTYPE html><html lang="fi"><head><link rel="stylesheet" href="base.css" /></head><body>
<p>Työkyvyn tuki <u>alleviivattu</u> ja <s>yliviivattu</s> teksti</p>
<p style="width: 30mm; white-space: nowrap; overflow: hidden; text-overflow: ellipsis">Mielenterveyden
tukeminen työpaikalla on yhteistyötä</p><p>Työkyvyn tuki</p><p>→ ≤ ≥ مرحبا</p></body></html>"""


@pytest.mark.slow
@SPEEDUPS
def test_remembered_drawing_gives_the_same_bytes(rendered, alone, draw_memo, monkeypatch):
    """Documents drawn with the memory of drawn lines, empty and then full of this batch's lines, are the
    bytes WeasyPrint gives alone; so are lines it leaves to WeasyPrint (decorated, cut with an ellipsis)."""
    def drawn():
        return _both(rendered) + [html_to_pdf(UNUSUAL_LINES, TEMPLATES, "t.pdf")[0]]

    alone = alone[:-1]
    assert not draw_memo._MEMO
    monkeypatch.setattr(draw_memo, "ENABLED", True)
    first = drawn()
    lines = len(draw_memo._MEMO)
    assert lines > 500
    again = drawn()  # drawn from memory
    assert len(draw_memo._MEMO) == lines  # nothing new was drawn
    assert first == alone and again == alone
    from weasyprint.pdf.fonts import Font
    kept = [arg for ops in draw_memo._MEMO.values() for name, args in ops if name is None for arg in args]
    assert kept and not any(isinstance(a, (Font, draw_memo._LineFont)) for a in kept)  # no document's font


@pytest.mark.slow
@SPEEDUPS
def test_the_drawing_memory_key_holds_every_style_property_a_drawn_line_reads(rendered, draw_memo, monkeypatch):
    """A remembered line is keyed by line_memo.STYLE_KEYS: every style property WeasyPrint reads to shape and
    draw a plain line must be among them, or a line could be written for a style it was not drawn in. Besides
    them, draw_text reads only what decides whether a line is plain, and the colour, which is set from the
    line's own style on every draw. Recorded while the samples (fi, sv, en) are drawn."""
    from weasyprint.draw import text as draw_module

    from generator.render.weasy.line_memo import STYLE_KEYS

    read: set[str] = set()

    real = draw_module.draw_text

    def recording(stream, textbox, *args):
        style = textbox.style
        textbox.style = ReadingStyle(style, read)
        try:
            return real(stream, textbox, *args)
        finally:
            textbox.style = style

    monkeypatch.setattr(draw_module, "draw_text", recording)
    monkeypatch.setattr(draw_memo, "ENABLED", True)
    _both(rendered)
    assert draw_memo._MEMO and "font_size" in read
    decides = {"visibility", "text_decoration_line", "text_decoration_color", "color"}
    assert read - decides <= set(STYLE_KEYS), sorted(read - decides - set(STYLE_KEYS))


@pytest.mark.slow
@SPEEDUPS
def test_the_user_agent_stylesheet_gives_markers_to_list_items_only_and_the_same_bytes(rendered, alone, monkeypatch):
    """fast._ua_stylesheets leaves out WeasyPrint's footnote and note pseudo-element rules and gives the
    ::marker rule to <li> alone. That holds only while no template makes another element a list item, or a
    footnote or a note; with it the PDFs are the bytes WeasyPrint's own stylesheet gives."""
    from weasyprint import html as ua

    from generator.render.weasy import fast

    css = "\n".join(p.read_text(encoding="utf-8") for p in sorted(TEMPLATES.glob("*.css")))
    html = "\n".join(p.read_text(encoding="utf-8") for p in sorted(TEMPLATES.glob("*.j2")))
    for made in ("list-item", "footnote", "note("):
        assert made not in css and made not in html
    ours = fast._ua_stylesheets(forms=True)
    assert ours[0] is not ua.UA_STYLESHEET and ours[1] is ua.UA_FORM_STYLESHEET
    asked = []

    def weasyprints(forms=False):
        asked.append(forms)
        return [ua.UA_STYLESHEET, ua.UA_FORM_STYLESHEET][:1 + forms]

    monkeypatch.setattr(fast, "_ua_stylesheets", weasyprints)
    # the memories give WeasyPrint's bytes (the tests above): `alone` stands for our stylesheet here
    assert _both(rendered) + [html_to_pdf(MARKERS, TEMPLATES, "t.pdf")[0]] == alone[:-2] + alone[-1:]
    assert True in asked and False in asked  # the checklists (forms) and the care pathway


@pytest.mark.slow
@SPEEDUPS
def test_the_templates_are_parsed_as_xml_into_the_tree_an_html_parser_builds(rendered, laid_out_html):
    """Every checklists and care-pathway document of the samples (each type size tried) takes the fast XML
    parse and gives WeasyPrint the tree tinyhtml5 would (fast.parsed); a document that is not
    well-formed XML still renders, by WeasyPrint's own parser."""
    for plan, _, _ in rendered.values():
        render_checklists(plan, TEMPLATES)
        render_pathway(plan, TEMPLATES)
    assert len(laid_out_html) >= 2 * len(rendered)
    for html in laid_out_html:
        assert_parsed_as_html_would_be(html)
    pdf, pages = html_to_pdf('<html lang="fi"><p>Ensimmäinen rivi<br>toinen rivi</p>', TEMPLATES, "t.pdf")
    assert pages == 1 and "toinen rivi" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()

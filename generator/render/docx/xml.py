"""WordprocessingML elements python-docx has no API for: runs, paragraphs, tables, fields, links, shading."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from typing import Optional, Sequence

from docx.oxml.ns import nsmap as _DOCX_NSMAP
from docx.oxml.ns import qn
from docx.oxml.parser import oxml_parser as _PARSER
from lxml import etree

from ...vocab import LANG_TAGS

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_NSMAP = {"w": _DOCX_NSMAP["w"]}
W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
W15_NS = "http://schemas.microsoft.com/office/word/2012/wordml"
NS = {"w": W_NS, "w14": W14_NS}

CHECKED, UNCHECKED = "\u2612", "\u2610"
CHECKBOX_FONT = "MS Gothic"
PLACEHOLDER_STYLE = "PlaceholderText"  # style id of Word's built-in "Placeholder Text" character style
PLACEHOLDER_GREY = "707070"  # Word's own 808080 is 3.9:1 on white, under the 4.5:1 of WCAG 2.2 AA
MAX_TAG = 64  # Word truncates longer tags


_CLARK: dict[str, str] = {}


def _clark(name: str) -> str:
    """'w:val' -> '{namespace}val', remembered (qn() was a hot spot: hundreds of thousands of calls a plan)."""
    found = _CLARK.get(name)
    if found is None:
        found = _CLARK[name] = qn(name)
    return found


def el(tag: str, **attrs: str) -> etree._Element:
    """A w: or w14: element with attributes given as w_val="x" -> w:val="x".

    Made by python-docx's parser, so it gets python-docx's element classes (CT_P, CT_Tbl...), but without
    OxmlElement's per-call namespace-map building.
    """
    e = _PARSER.makeelement(_clark(tag), nsmap=_NSMAP)
    for k, v in attrs.items():
        prefix, _, name = k.partition("_")
        e.set(_clark(f"{prefix}:{name}"), v)
    return e


def stable_tag(tag: str) -> str:
    """Tags are kept as given up to Word's limit; longer ones keep a prefix plus a short hash, still stable."""
    if len(tag) <= MAX_TAG:
        return tag
    return tag[: MAX_TAG - 9] + "." + hashlib.sha1(tag.encode()).hexdigest()[:8]


W = f"{{{W_NS}}}"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
PARAGRAPH_BREAK = object()  # in a cell's parts: start a new paragraph


def text_run(text: str, style: Optional[str] = None, colour: Optional[str] = None, bold: bool = False) -> etree._Element:
    r = el("w:r")
    if style or colour or bold:
        rpr = etree.SubElement(r, W + "rPr")
        if style:
            etree.SubElement(rpr, W + "rStyle").set(W + "val", style)
        if bold:
            etree.SubElement(rpr, W + "b")
        if colour:
            etree.SubElement(rpr, W + "color").set(W + "val", colour)
    t = etree.SubElement(r, W + "t")
    t.set(_XML_SPACE, "preserve")
    t.text = text
    return r


def new_paragraph(style_id: Optional[str] = None) -> etree._Element:
    p = el("w:p")
    if style_id:
        etree.SubElement(etree.SubElement(p, W + "pPr"), W + "pStyle").set(W + "val", style_id)
    return p


def set_pstyle(p: etree._Element, style_id: str) -> None:
    ppr = p.find(W + "pPr")
    if ppr is None:
        ppr = el("w:pPr")
        p.insert(0, ppr)
    ps = ppr.find(W + "pStyle")
    if ps is None:
        ps = el("w:pStyle")
        ppr.insert(0, ps)
    ps.set(W + "val", style_id)


def append_to_body(body: etree._Element, element: etree._Element) -> None:
    """Add a block element at the end of the body, before its closing section properties."""
    last = body[-1] if len(body) else None
    if last is not None and last.tag == W + "sectPr":
        last.addprevious(element)
    else:
        body.append(element)


def new_table(style_id: str, twips: Sequence[int], header: bool, caption: str) -> etree._Element:
    """An empty w:tbl with its properties and grid: the named style, fixed layout, centred, full width."""
    tbl = el("w:tbl")
    pr = etree.SubElement(tbl, W + "tblPr")
    etree.SubElement(pr, W + "tblStyle").set(W + "val", style_id)
    tw = etree.SubElement(pr, W + "tblW")
    tw.set(W + "w", str(sum(twips)))
    tw.set(W + "type", "dxa")
    etree.SubElement(pr, W + "jc").set(W + "val", "center")
    etree.SubElement(pr, W + "tblLayout").set(W + "type", "fixed")
    look = etree.SubElement(pr, W + "tblLook")
    for k, v in (("val", "0420" if header else "0400"), ("firstRow", "1" if header else "0"), ("lastRow", "0"),
                 ("firstColumn", "0"), ("lastColumn", "0"), ("noHBand", "1"), ("noVBand", "1")):
        look.set(W + k, v)
    if caption:
        etree.SubElement(pr, W + "tblCaption").set(W + "val", caption[:255])
    grid = etree.SubElement(tbl, W + "tblGrid")
    for w in twips:
        etree.SubElement(grid, W + "gridCol").set(W + "w", str(w))
    return tbl


def new_row(twips: Sequence[int], cells: Sequence[Sequence], style_id: str, header: bool = False) -> etree._Element:
    """A w:tr: one cell per width, each holding the given parts (runs and controls; PARAGRAPH_BREAK starts a
    new paragraph); a header row repeats on every page and keeps with the first data row."""
    tr = el("w:tr")
    if header:
        etree.SubElement(etree.SubElement(tr, W + "trPr"), W + "tblHeader")
    for w, parts in zip(twips, cells):
        tc = etree.SubElement(tr, W + "tc")
        tcw = etree.SubElement(etree.SubElement(tc, W + "tcPr"), W + "tcW")
        tcw.set(W + "w", str(w))
        tcw.set(W + "type", "dxa")
        p = _cell_paragraph(tc, style_id, header)
        for part in parts:
            if part is PARAGRAPH_BREAK:
                p = _cell_paragraph(tc, style_id, header)
            else:
                p.append(part)
    return tr


def _cell_paragraph(tc: etree._Element, style_id: str, keep_next: bool) -> etree._Element:
    p = etree.SubElement(tc, W + "p")
    ppr = etree.SubElement(p, W + "pPr")
    etree.SubElement(ppr, W + "pStyle").set(W + "val", style_id)
    if keep_next:
        etree.SubElement(ppr, W + "keepNext")
    return p




def language_run(text: str, lang: str) -> etree._Element:
    """A run marked as being in another language (spell-check and screen readers switch to it)."""
    r = text_run(text)
    rpr = el("w:rPr")
    code = LANG_TAGS.get(lang, lang)
    rpr.append(el("w:lang", w_val=code, w_eastAsia=code))
    r.insert(0, rpr)
    return r


def brand_rule(p: etree._Element, colour: str) -> None:
    """A rule in the brand colour under a paragraph (the cover title)."""
    ppr = p.get_or_add_pPr()
    bdr = el("w:pBdr")
    bdr.append(el("w:bottom", w_val="single", w_sz="18", w_space="6", w_color=colour))
    # CT_PPr order: pStyle, keepNext, keepLines, pageBreakBefore, framePr, widowControl, numPr, suppressLineNumbers,
    # pBdr, shd, tabs, ...
    later = [c for c in ppr if etree.QName(c).localname not in
             ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
              "suppressLineNumbers")]
    if later:
        later[0].addprevious(bdr)
    else:
        ppr.append(bdr)


def hyperlink(part, url: str, text: str, style: Optional[str] = None) -> etree._Element:
    """A w:hyperlink to an external URL (a relationship of `part`), its text in the given character style."""
    rid = part.relate_to(url, "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink",
                         is_external=True)
    link = el("w:hyperlink", r_id=rid, w_history="1")
    link.append(text_run(text, style=style))
    return link


def format_date(value: date, fmt: str) -> str:
    """Format a date with the subset of Word date pictures used here (d, dd, M, MM, yyyy)."""
    out = fmt.replace("yyyy", f"{value.year:04d}").replace("dd", f"{value.day:02d}").replace("MM", f"{value.month:02d}")
    out = re.sub(r"(?<![0-9])d(?![0-9])", str(value.day), out)
    return re.sub(r"(?<![0-9])M(?![0-9])", str(value.month), out)


def field_runs(instruction: str, cached: str) -> list[etree._Element]:
    """Runs of a complex field (begin, instruction, separate, cached result, end)."""
    runs = []
    for kind in ("begin", None, "separate", "result", "end"):
        r = el("w:r")
        if kind in ("begin", "separate", "end"):
            r.append(el("w:fldChar", w_fldCharType=kind))
        elif kind is None:
            it = el("w:instrText")
            it.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            it.text = f" {instruction} "
            r.append(it)
        else:
            r = text_run(cached)
        runs.append(r)
    return runs


def field_begin(instruction: str) -> list[etree._Element]:
    """The opening runs of a field whose result spans several paragraphs (the TOC)."""
    return field_runs(instruction, "")[:3]


def field_end() -> etree._Element:
    r = el("w:r")
    r.append(el("w:fldChar", w_fldCharType="end"))
    return r


def shade_cell(tc: etree._Element, fill: str) -> None:
    tcpr = tc.get_or_add_tcPr()
    for old in tcpr.findall(qn("w:shd")):
        tcpr.remove(old)
    shd = el("w:shd", w_val="clear", w_color="auto", w_fill=fill)
    # CT_TcPr order: ... tcBorders, shd, noWrap, tcMar, textDirection, tcFitText, vAlign, hideMark ...
    later = [c for c in tcpr if etree.QName(c).localname in
             ("noWrap", "tcMar", "textDirection", "tcFitText", "vAlign", "hideMark", "headers", "cellIns",
              "cellDel", "cellMerge", "tcPrChange")]
    if later:
        later[0].addprevious(shd)
    else:
        tcpr.append(shd)


def repeat_header(tr: etree._Element) -> None:
    """Mark a row as the table's header row, repeated on every page."""
    trpr = tr.get_or_add_trPr()
    trpr.append(el("w:tblHeader"))


def table_look(tbl: etree._Element, header: bool) -> None:
    """Which parts of the table style apply: the header row's look only when there is a header row."""
    tblpr = tbl.tblPr
    for old in tblpr.findall(qn("w:tblLook")):
        tblpr.remove(old)
    look = el("w:tblLook", w_val="0420" if header else "0400", w_firstRow="1" if header else "0",
              w_lastRow="0", w_firstColumn="0", w_lastColumn="0", w_noHBand="1", w_noVBand="1")
    tblpr.append(look)


def table_description(tbl: etree._Element, caption: str, description: str) -> None:
    """Alternative text of a table (Word's Table Properties > Alt Text), read by screen readers."""
    tblpr = tbl.tblPr
    for name in ("tblCaption", "tblDescription"):
        for old in tblpr.findall(qn(f"w:{name}")):
            tblpr.remove(old)
    if caption:
        tblpr.append(el("w:tblCaption", w_val=caption[:255]))
    if description:
        tblpr.append(el("w:tblDescription", w_val=description[:255]))


def has_drawing(element: etree._Element) -> bool:
    return element.find(".//" + qn("w:drawing")) is not None or element.find(".//" + qn("w:pict")) is not None


def has_page_field(element: etree._Element) -> bool:
    """Whether a header or footer shows page numbers (a PAGE field, simple or complex)."""
    for instr in element.iter(qn("w:instrText")):
        if "PAGE" in (instr.text or "").upper().split():
            return True
    return any("PAGE" in (f.get(qn("w:instr")) or "").upper().split() for f in element.iter(qn("w:fldSimple")))


def image_size(path: str) -> Optional[tuple[int, int]]:
    """Pixel size of a raster logo, or None for formats python-docx cannot embed (SVG)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            if im.format not in ("PNG", "JPEG", "GIF", "BMP", "TIFF"):
                return None
            return im.size
    except (UnidentifiedImageError, OSError):
        return None


def alt_text(r: etree._Element, text: str) -> None:
    """Alternative text of the picture in run r (its docPr description and title)."""
    for pr in r.iter("{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"):
        pr.set("descr", text)
        pr.set("title", text)
        pr.set("name", text[:60] or "logo")


def internal_link(bookmark: str, text: str) -> etree._Element:
    """A link to a bookmark in this document (contents list entries)."""
    link = el("w:hyperlink", w_anchor=bookmark, w_history="1")
    link.append(text_run(text))
    return link



"""WordprocessingML pieces python-docx has no API for: content controls, fields, shading; zip normalising."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from typing import Optional, Sequence

from docx.oxml.ns import nsmap as _DOCX_NSMAP, qn
from docx.oxml.parser import oxml_parser as _PARSER
from lxml import etree

from ...files import zip_bytes
from . import compat
from ...vocab import LANG_TAGS

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_NSMAP = {"w": _DOCX_NSMAP["w"]}
W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
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


TAGMAP_NS = "urn:x-mielenterveys-toolkit:tags:1"
W15_NS = "http://schemas.microsoft.com/office/word/2012/wordml"


class Controls:
    """Builds content controls (w:sdt) with unique ids and a stable identity that survives other editors.

    Every control has a semantic tag (w:tag; see docs/docx-tags.md) and, inside its content, a hidden
    bookmark `_tk<n>`. LibreOffice drops tags and most aliases when it saves a .docx but keeps bookmarks,
    so `tagmap()` (written into the document as a custom XML part) maps each bookmark back to its tag.
    """

    def __init__(self, lang_id: str, date_format: str, placeholders: dict[str, str],
                 placeholder_style: str = PLACEHOLDER_STYLE, suggestion_style: Optional[str] = None) -> None:
        self.lang_id = lang_id
        self.placeholder_style = placeholder_style
        self.suggestion_style = suggestion_style or placeholder_style
        self.date_format = date_format
        self.ph = placeholders
        self._next_id = 100
        self.bookmarks: dict[str, str] = {}  # bookmark name -> tag, in document order
        self.tables: list[tuple[str, str, tuple[str, ...]]] = []  # (bookmark, table id, field per column)
        self._next_mark = 0

    def mark(self, name_prefix: str = "_tk") -> tuple[etree._Element, etree._Element]:
        """A collapsed hidden bookmark (start, end) with the next free name and id."""
        self._next_mark += 1
        name = f"{name_prefix}{self._next_mark:04d}"
        start = el("w:bookmarkStart", w_id=str(self._next_mark), w_name=name)
        return start, el("w:bookmarkEnd", w_id=str(self._next_mark))

    def table_mark(self, table_id: str, fields: Sequence[str]) -> list[etree._Element]:
        """Bookmark elements for a fill-in table's header cell, recording which field each column holds."""
        start, end = self.mark("_tb")
        self.tables.append((start.get(qn("w:name")), table_id, tuple(fields)))
        return [start, end]

    def _sdt(self, tag: str, alias: str, showing_placeholder: bool) -> tuple[etree._Element, etree._Element]:
        sdt, pr = el("w:sdt"), el("w:sdtPr")
        sdt.append(pr)
        pr.append(el("w:alias", w_val=alias[:255]))
        pr.append(el("w:tag", w_val=stable_tag(tag)))
        self._next_id += 1
        pr.append(el("w:id", w_val=str(self._next_id)))
        if showing_placeholder:
            pr.append(el("w:showingPlcHdr"))
        return sdt, pr

    def _content(self, sdt: etree._Element, tag: str, *runs: etree._Element) -> etree._Element:
        content = el("w:sdtContent")
        start, end = self.mark()
        self.bookmarks[start.get(qn("w:name"))] = stable_tag(tag)
        content.append(start)
        content.append(end)
        for r in runs:
            content.append(r)
        sdt.append(content)
        return sdt

    def _shown(self, text: str, placeholder: bool, style: Optional[str] = None) -> etree._Element:
        # the direct grey is for readers that ignore the style inside controls (LibreOffice)
        if placeholder:
            return text_run(text, style or self.placeholder_style, None if style else PLACEHOLDER_GREY)
        return text_run(text)

    def text(self, tag: str, alias: str, value: Optional[str] = None, prompt: Optional[str] = None) -> etree._Element:
        """Plain-text control; shows the placeholder (or prompt) until filled."""
        empty = not value
        sdt, pr = self._sdt(tag, alias, empty)
        pr.append(el("w:text", w_multiLine="1"))
        return self._content(sdt, tag, self._shown(prompt or self.ph["text"] if empty else value, empty))

    def date(self, tag: str, alias: str, value: Optional[date] = None) -> etree._Element:
        """Date picker in the document's language and date format."""
        sdt, pr = self._sdt(tag, alias, value is None)
        d = el("w:date")
        if value is not None:
            d.set(qn("w:fullDate"), f"{value.isoformat()}T00:00:00Z")
        d.append(el("w:dateFormat", w_val=self.date_format))
        d.append(el("w:lid", w_val=self.lang_id))
        d.append(el("w:storeMappedDataAs", w_val="dateTime"))
        d.append(el("w:calendar", w_val="gregorian"))
        pr.append(d)
        shown = format_date(value, self.date_format) if value else self.ph["date"]
        return self._content(sdt, tag, self._shown(shown, value is None))

    def dropdown(self, tag: str, alias: str, choices: Sequence[tuple[str, str]], prompt: Optional[str] = None,
                 suggestion: bool = False, value: Optional[str] = None) -> etree._Element:
        """Drop-down list of (value, display text); starts on the placeholder, or on a chosen value. A
        suggestion's placeholder is in the suggestion style, so a prefilled example stands out until someone
        picks its status."""
        shown = dict(choices).get(value) if value else None
        sdt, pr = self._sdt(tag, alias, shown is None)
        dd = el("w:dropDownList")
        for v, text in choices:
            dd.append(el("w:listItem", w_displayText=text, w_value=v))
        pr.append(dd)
        if shown is not None:
            return self._content(sdt, tag, self._shown(shown, False))
        style = self.suggestion_style if suggestion else None
        return self._content(sdt, tag, self._shown(prompt or self.ph["choice"], True, style))

    def combo(self, tag: str, alias: str, choices: Sequence[tuple[str, str]], value: Optional[str] = None,
              prompt: Optional[str] = None) -> etree._Element:
        """Combo box: pick one of the choices (e.g. a goal's number) or type something else."""
        empty = not value
        sdt, pr = self._sdt(tag, alias, empty)
        cb = el("w:comboBox")
        for v, shown in choices:
            cb.append(el("w:listItem", w_displayText=shown, w_value=v))
        pr.append(cb)
        return self._content(sdt, tag, self._shown(prompt or self.ph["text"] if empty else value, empty))

    def checkbox(self, tag: str, alias: str, checked: bool = False) -> etree._Element:
        """Word 2010 check box (w14:checkbox); other readers show the ballot-box character."""
        sdt, pr = self._sdt(tag, alias, False)
        box = etree.SubElement(pr, f"{{{W14_NS}}}checkbox")
        etree.SubElement(box, f"{{{W14_NS}}}checked").set(f"{{{W14_NS}}}val", "1" if checked else "0")
        for name, char in (("checkedState", "2612"), ("uncheckedState", "2610")):
            st = etree.SubElement(box, f"{{{W14_NS}}}{name}")
            st.set(f"{{{W14_NS}}}val", char)
            st.set(f"{{{W14_NS}}}font", CHECKBOX_FONT)
        r = el("w:r")
        rpr = el("w:rPr")
        rpr.append(el("w:rFonts", w_ascii=CHECKBOX_FONT, w_eastAsia=CHECKBOX_FONT, w_hAnsi=CHECKBOX_FONT))
        r.append(rpr)
        t = el("w:t")
        t.text = CHECKED if checked else UNCHECKED
        r.append(t)
        return self._content(sdt, tag, r)

    def repeating(self, tag: str, alias: str, rows: Sequence[etree._Element]) -> etree._Element:
        """Rows wrapped in a repeating section (Word 2013+): each row is an item Word can duplicate with "+"."""
        section, pr = el("w:sdt"), el("w:sdtPr")
        section.append(pr)
        pr.append(el("w:alias", w_val=alias[:255]))
        pr.append(el("w:tag", w_val=stable_tag(tag)))
        self._next_id += 1
        pr.append(el("w:id", w_val=str(self._next_id)))
        etree.SubElement(pr, f"{{{W15_NS}}}repeatingSection", nsmap={"w15": W15_NS})
        content = el("w:sdtContent")
        section.append(content)
        for row in rows:
            item, ipr = el("w:sdt"), el("w:sdtPr")
            item.append(ipr)
            self._next_id += 1
            ipr.append(el("w:id", w_val=str(self._next_id)))
            etree.SubElement(ipr, f"{{{W15_NS}}}repeatingSectionItem", nsmap={"w15": W15_NS})
            ic = el("w:sdtContent")
            ic.append(row)
            item.append(ic)
            content.append(item)
        return section

    def tagmap(self) -> bytes:
        """The custom XML part that maps bookmarks to tags and describes every fill-in table."""
        root = etree.Element(f"{{{TAGMAP_NS}}}tags", nsmap={None: TAGMAP_NS})
        for name, tag in self.bookmarks.items():
            etree.SubElement(root, f"{{{TAGMAP_NS}}}control", bookmark=name, tag=tag)
        for name, table_id, fields in self.tables:
            t = etree.SubElement(root, f"{{{TAGMAP_NS}}}table", bookmark=name, id=table_id)
            t.set("columns", " ".join(fields))
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


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


def set_font(style: etree._Element, font: str) -> None:
    """Give a style one explicit font, dropping theme-font references that would override it."""
    rpr = style.get_or_add_rPr()
    old = rpr.find(qn("w:rFonts"))
    fonts = el("w:rFonts", w_ascii=font, w_hAnsi=font, w_eastAsia=font, w_cs=font)
    if old is not None:
        old.addprevious(fonts)
        rpr.remove(old)
    else:
        rpr.insert(0, fonts)  # rFonts comes first in CT_RPr (after rStyle, which styles do not have)


def add_table_style(styles: etree._Element, name: str, fill: str, text: str = "FFFFFF") -> None:
    """A table style with thin grid lines and a header row shaded in fill (the brand colour) with bold text.

    Tables refer to it by name, so a provider's base document that defines a table style of the same name
    restyles every table of the plan.
    """
    sid = re.sub(r"[^A-Za-z0-9]", "", name)
    style = el("w:style", w_type="table", w_customStyle="1", w_styleId=sid)
    style.append(el("w:name", w_val=name))
    if styles.find("w:style[@w:styleId='TableNormal']", NS) is not None:
        style.append(el("w:basedOn", w_val="TableNormal"))
    style.append(el("w:uiPriority", w_val="40"))
    style.append(el("w:qFormat"))
    tblpr = el("w:tblPr")
    borders = el("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(el(f"w:{side}", w_val="single", w_sz="4", w_space="0", w_color="A6A6A6"))
    tblpr.append(borders)
    mar = el("w:tblCellMar")
    for side, width in (("left", "85"), ("right", "85")):
        mar.append(el(f"w:{side}", w_w=width, w_type="dxa"))
    tblpr.append(mar)
    style.append(tblpr)
    first = el("w:tblStylePr", w_type="firstRow")
    rpr = el("w:rPr")
    rpr.append(el("w:b"))
    rpr.append(el("w:color", w_val=text))
    first.append(rpr)
    tcpr = el("w:tcPr")
    tcpr.append(el("w:shd", w_val="clear", w_color="auto", w_fill=fill))
    first.append(tcpr)
    style.append(first)
    styles.append(style)


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


def highlight_style(style: etree._Element, fill: str) -> None:
    """Give a character style a background shading (visible in Word and LibreOffice)."""
    rpr = style.get_or_add_rPr()
    rpr.append(el("w:shd", w_val="clear", w_color="auto", w_fill=fill))


def outline_level(style: etree._Element, level: int) -> None:
    ppr = style.get_or_add_pPr()
    for old in ppr.findall(qn("w:outlineLvl")):
        ppr.remove(old)
    ppr.append(el("w:outlineLvl", w_val=str(level)))


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


def make_builtin(style: etree._Element, name: str) -> None:
    """Turn a style python-docx added as custom into Word's built-in of that name (e.g. "toc 1")."""
    style.attrib.pop(qn("w:customStyle"), None)
    style.find(qn("w:name")).set(qn("w:val"), name)


DECIMAL = {"fi-FI": (",", ";"), "sv-FI": (",", ";"), "en-GB": (".", ",")}
# CT_Settings child order (the ones we write or place around)
SETTINGS_ORDER = ("writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
                  "doNotDisplayPageBoundaries", "displayBackgroundShape", "printPostScriptOverText",
                  "printFractionalCharacterWidth", "printFormsData", "embedTrueTypeFonts", "embedSystemFonts",
                  "saveSubsetFonts", "saveFormsData", "mirrorMargins", "alignBordersAndEdges",
                  "bordersDoNotSurroundHeader", "bordersDoNotSurroundFooter", "gutterAtTop", "hideSpellingErrors",
                  "hideGrammaticalErrors", "activeWritingStyle", "proofState", "formsDesign", "attachedTemplate",
                  "linkStyles", "stylePaneFormatFilter", "stylePaneSortMethod", "documentType", "mailMerge",
                  "revisionView", "trackRevisions", "doNotTrackMoves", "doNotTrackFormatting",
                  "documentProtection", "autoFormatOverride", "styleLockTheme", "styleLockQFSet",
                  "defaultTabStop", "autoHyphenation", "consecutiveHyphenLimit", "hyphenationZone",
                  "doNotHyphenateCaps", "showEnvelope", "summaryLength", "clickAndTypeStyle",
                  "defaultTableStyle", "evenAndOddHeaders", "bookFoldRevPrinting", "bookFoldPrinting",
                  "bookFoldPrintingSheets", "drawingGridHorizontalSpacing", "drawingGridVerticalSpacing",
                  "displayHorizontalDrawingGridEvery", "displayVerticalDrawingGridEvery",
                  "doNotUseMarginsForDrawingGridOrigin", "drawingGridHorizontalOrigin",
                  "drawingGridVerticalOrigin", "doNotShadeFormData", "noPunctuationKerning",
                  "characterSpacingControl", "printTwoOnOne", "strictFirstAndLastChars", "noLineBreaksAfter",
                  "noLineBreaksBefore", "savePreviewPicture", "doNotValidateAgainstSchema", "saveInvalidXml",
                  "ignoreMixedContent", "alwaysShowPlaceholderText", "doNotDemarcateInvalidXml",
                  "saveXmlDataOnly", "useXSLTWhenSaving", "saveThroughXslt", "showXMLTags",
                  "alwaysMergeEmptyNamespace", "updateFields", "hdrShapeDefaults", "footnotePr", "endnotePr",
                  "compat", "docVars", "rsids", "mathPr", "attachedSchema", "themeFontLang", "clrSchemeMapping",
                  "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures", "forceUpgrade", "captions",
                  "readModeInkLockDown", "smartTagType", "schemaLibrary", "shapeDefaults",
                  "doNotEmbedSmartTags", "decimalSymbol", "listSeparator")


def _place(settings: etree._Element, new: etree._Element) -> None:
    """Insert a settings child where CT_Settings wants it, replacing one of the same name."""
    name = etree.QName(new).localname
    for old in settings.findall(qn(f"w:{name}")):
        settings.remove(old)
    rank = SETTINGS_ORDER.index(name)
    for child in settings:
        other = etree.QName(child).localname
        if other in SETTINGS_ORDER and SETTINGS_ORDER.index(other) > rank:
            child.addprevious(new)
            return
    settings.append(new)


def set_settings(settings: etree._Element, lang_id: str = "fi-FI", protect: bool = False) -> None:
    """Word 2013 compatibility (repeating sections need it), fields updated on open (contents, page count),
    the document's language for themes and numbers, and optional fill-in-only protection."""
    for old in settings.findall(qn("w:proofState")):  # so Word spell-checks the new text
        settings.remove(old)
    _place(settings, el("w:updateFields", w_val="true"))
    compat = settings.find(qn("w:compat"))
    if compat is None:
        compat = el("w:compat")
        _place(settings, compat)
    for cs in compat.findall(qn("w:compatSetting")):
        if cs.get(qn("w:name")) == "compatibilityMode":
            cs.set(qn("w:val"), "15")
            break
    else:
        compat.append(el("w:compatSetting", w_name="compatibilityMode", w_uri="http://schemas.microsoft.com/office/word",
                         w_val="15"))
    _place(settings, el("w:themeFontLang", w_val=lang_id))
    decimal, separator = DECIMAL.get(lang_id, (".", ","))
    _place(settings, el("w:decimalSymbol", w_val=decimal))
    _place(settings, el("w:listSeparator", w_val=separator))
    for old in settings.findall(qn("w:documentProtection")):
        settings.remove(old)
    if protect:  # Word's "filling in forms": the guidance is read-only, the content controls stay editable
        _place(settings, el("w:documentProtection", w_edit="forms", w_enforcement="1"))


def set_default_language(styles: etree._Element, lang_id: str) -> None:
    """Set w:lang in docDefaults so spell-check uses the document's language."""
    dd = styles.find(qn("w:docDefaults"))
    if dd is None:
        dd = el("w:docDefaults")
        styles.insert(0, dd)
    rd = dd.find(qn("w:rPrDefault"))
    if rd is None:
        rd = el("w:rPrDefault")
        dd.insert(0, rd)
    rpr = rd.find(qn("w:rPr"))
    if rpr is None:
        rpr = el("w:rPr")
        rd.append(rpr)
    for old in rpr.findall(qn("w:lang")):
        rpr.remove(old)
    lang = el("w:lang", w_val=lang_id, w_eastAsia=lang_id, w_bidi="ar-SA")
    # CT_RPr order: lang comes after these and before eastAsianLayout, specVanish, oMath
    later = [c for c in rpr if etree.QName(c).localname in ("eastAsianLayout", "specVanish", "oMath")]
    if later:
        later[0].addprevious(lang)
    else:
        rpr.append(lang)


_ROOT_RE = re.compile(rb"<w:document\b[^>]*>")


def _ensure_w14_root(xml: bytes) -> bytes:
    """Declare on the root element the Word 2010/2013 namespaces that check boxes (w14) and repeating
    sections (w15) use, as ignorable for older readers; a base document may lack them."""
    m = _ROOT_RE.search(xml)
    if not m:
        return xml
    tag = m.group(0)
    new = tag
    for prefix, uri in (("w14", W14_NS), ("w15", W15_NS), ("mc", MC_NS)):
        if f"xmlns:{prefix}=".encode() not in new:
            new = new[:-1] + f' xmlns:{prefix}="{uri}"'.encode() + b">"
    ign = re.search(rb'mc:Ignorable="([^"]*)"', new)
    wanted = [b"w14", b"w15"]
    if ign is None:
        new = new[:-1] + b' mc:Ignorable="w14 w15">'
    else:
        have = ign.group(1).split()
        extra = [w for w in wanted if w not in have]
        if extra:
            new = new.replace(ign.group(0), b'mc:Ignorable="' + b" ".join(have + extra) + b'"')
    return xml.replace(tag, new, 1)


def package_zip(document, timestamp: tuple[int, int, int, int, int, int]) -> bytes:
    """The document's package as .docx bytes: entries sorted, fixed timestamps, so equal inputs give equal bytes.

    The members are those python-docx's save() writes (compat.package_members: collected from its writer's
    steps rather than zipped and read back, where the version allows).
    """
    members = compat.package_members(document)
    members["word/document.xml"] = _ensure_w14_root(members["word/document.xml"])
    return zip_bytes({name: members[name] for name in sorted(members)}, timestamp)

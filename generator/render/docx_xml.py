"""WordprocessingML pieces python-docx has no API for: content controls, fields, shading; zip normalising."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from datetime import date
from typing import Iterator, Optional, Sequence

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
NS = {"w": W_NS, "w14": W14_NS}

CHECKED, UNCHECKED = "\u2612", "\u2610"
CHECKBOX_FONT = "MS Gothic"
PLACEHOLDER_STYLE = "PlaceholderText"  # style id of Word's built-in "Placeholder Text" character style
PLACEHOLDER_GREY = "808080"
MAX_TAG = 64  # Word truncates longer tags


def el(tag: str, **attrs: str) -> etree._Element:
    """A w: or w14: element with attributes given as w_val="x" -> w:val="x"."""
    e = OxmlElement(tag)
    for k, v in attrs.items():
        prefix, _, name = k.partition("_")
        e.set(qn(f"{prefix}:{name}"), v)
    return e


def stable_tag(tag: str) -> str:
    """Tags are kept as given up to Word's limit; longer ones keep a prefix plus a short hash, still stable."""
    if len(tag) <= MAX_TAG:
        return tag
    return tag[: MAX_TAG - 9] + "." + hashlib.sha1(tag.encode()).hexdigest()[:8]


def text_run(text: str, style: Optional[str] = None, colour: Optional[str] = None) -> etree._Element:
    r = el("w:r")
    if style or colour:
        rpr = el("w:rPr")
        if style:
            rpr.append(el("w:rStyle", w_val=style))
        if colour:
            rpr.append(el("w:color", w_val=colour))
        r.append(rpr)
    t = el("w:t")
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    t.text = text
    r.append(t)
    return r


def hyperlink(part, url: str, text: str, style: Optional[str] = None) -> etree._Element:
    """A w:hyperlink to an external URL (a relationship of `part`), its text in the given character style."""
    rid = part.relate_to(url, "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink",
                         is_external=True)
    link = el("w:hyperlink", r_id=rid, w_history="1")
    link.append(text_run(text, style=style))
    return link


class Controls:
    """Builds run-level content controls (w:sdt) with unique ids; one instance per document."""

    def __init__(self, lang_id: str, date_format: str, placeholders: dict[str, str],
                 placeholder_style: str = PLACEHOLDER_STYLE) -> None:
        self.lang_id = lang_id
        self.placeholder_style = placeholder_style
        self.date_format = date_format
        self.ph = placeholders
        self._next_id = 100

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

    def _content(self, sdt: etree._Element, text: str, placeholder: bool) -> etree._Element:
        content = el("w:sdtContent")
        # the direct grey is for readers that ignore the style inside controls (LibreOffice)
        content.append(text_run(text, self.placeholder_style, PLACEHOLDER_GREY) if placeholder else text_run(text))
        sdt.append(content)
        return sdt

    def text(self, tag: str, alias: str, value: Optional[str] = None) -> etree._Element:
        """Plain-text control; shows the placeholder text until filled."""
        empty = not value
        sdt, pr = self._sdt(tag, alias, empty)
        pr.append(el("w:text", w_multiLine="1"))
        return self._content(sdt, self.ph["text"] if empty else value, empty)

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
        return self._content(sdt, shown, value is None)

    def dropdown(self, tag: str, alias: str, choices: Sequence[tuple[str, str]]) -> etree._Element:
        """Drop-down list of (value, display text); starts on the placeholder."""
        sdt, pr = self._sdt(tag, alias, True)
        dd = el("w:dropDownList")
        for value, shown in choices:
            dd.append(el("w:listItem", w_displayText=shown, w_value=value))
        pr.append(dd)
        return self._content(sdt, self.ph["choice"], True)

    def checkbox(self, tag: str, alias: str, checked: bool = False) -> etree._Element:
        """Word 2010 check box (w14:checkbox); other readers show the ballot-box character."""
        sdt, pr = self._sdt(tag, alias, False)
        box = etree.SubElement(pr, f"{{{W14_NS}}}checkbox")
        etree.SubElement(box, f"{{{W14_NS}}}checked").set(f"{{{W14_NS}}}val", "1" if checked else "0")
        for name, char in (("checkedState", "2612"), ("uncheckedState", "2610")):
            st = etree.SubElement(box, f"{{{W14_NS}}}{name}")
            st.set(f"{{{W14_NS}}}val", char)
            st.set(f"{{{W14_NS}}}font", CHECKBOX_FONT)
        content = el("w:sdtContent")
        r = el("w:r")
        rpr = el("w:rPr")
        rpr.append(el("w:rFonts", w_ascii=CHECKBOX_FONT, w_eastAsia=CHECKBOX_FONT, w_hAnsi=CHECKBOX_FONT))
        r.append(rpr)
        t = el("w:t")
        t.text = CHECKED if checked else UNCHECKED
        r.append(t)
        content.append(r)
        sdt.append(content)
        return sdt


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


def cant_split(tr: etree._Element) -> None:
    """Keep a table row on one page."""
    trpr = tr.get_or_add_trPr()
    trpr.insert(0, el("w:cantSplit"))


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


def make_builtin(style: etree._Element, name: str) -> None:
    """Turn a style python-docx added as custom into Word's built-in of that name (e.g. "toc 1")."""
    style.attrib.pop(qn("w:customStyle"), None)
    style.find(qn("w:name")).set(qn("w:val"), name)


def set_settings(settings: etree._Element) -> None:
    """Update fields on open (TOC, NUMPAGES); drop proofState so Word spell-checks the new text."""
    for name in ("proofState", "updateFields"):
        for old in settings.findall(qn(f"w:{name}")):
            settings.remove(old)
    upd = el("w:updateFields", w_val="true")
    # CT_Settings order: updateFields comes right before these elements
    after = ("hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "mathPr",
             "attachedSchema", "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats",
             "doNotAutoCompressPictures", "forceUpgrade", "captions", "readModeInkLockDown", "smartTagType",
             "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator")
    nxt = next((c for c in settings if etree.QName(c).localname in after), None)
    if nxt is not None:
        nxt.addprevious(upd)
    else:
        settings.append(upd)


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
    """A base document may lack the w14/mc declarations the check boxes need on the root element."""
    m = _ROOT_RE.search(xml)
    if not m:
        return xml
    tag = m.group(0)
    new = tag
    if b"xmlns:w14=" not in new:
        new = new[:-1] + f' xmlns:w14="{W14_NS}"'.encode() + b">"
    if b"xmlns:mc=" not in new:
        new = new[:-1] + f' xmlns:mc="{MC_NS}"'.encode() + b">"
    ign = re.search(rb'mc:Ignorable="([^"]*)"', new)
    if ign is None:
        new = new[:-1] + b' mc:Ignorable="w14">'
    elif b"w14" not in ign.group(1).split():
        new = new.replace(ign.group(0), b'mc:Ignorable="' + (ign.group(1) + b" w14").strip() + b'"')
    return xml.replace(tag, new, 1)


def normalise_zip(data: bytes, timestamp: tuple[int, int, int, int, int, int]) -> bytes:
    """Rewrite the package with sorted entries and fixed timestamps so equal inputs give equal bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in sorted(src.namelist()):
            content = src.read(name)
            if name == "word/document.xml":
                content = _ensure_w14_root(content)
            info = zipfile.ZipInfo(name, date_time=timestamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, content)
    return out.getvalue()


# Reading back and filling a document's content controls (what a user does in Word).

def _iter_sdts(root: etree._Element) -> Iterator[etree._Element]:
    yield from root.iter(qn("w:sdt"))


def _tag_of(sdt: etree._Element) -> Optional[str]:
    tag = sdt.find("w:sdtPr/w:tag", NS)
    return tag.get(qn("w:val")) if tag is not None else None


def _value_of(sdt: etree._Element) -> str:
    pr = sdt.find("w:sdtPr", NS)
    box = pr.find("w14:checkbox/w14:checked", NS)
    if box is not None:
        return "1" if box.get(f"{{{W14_NS}}}val") in ("1", "true") else "0"
    if pr.find("w:showingPlcHdr", NS) is not None:
        return ""
    return "".join(t.text or "" for t in sdt.iterfind("w:sdtContent//w:t", NS))


def read_controls(data: bytes) -> list[tuple[str, str]]:
    """(tag, value) of every content control in document order; placeholders read as "", check boxes as 1/0."""
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    root = etree.fromstring(xml)
    return [(t, _value_of(s)) for s in _iter_sdts(root) if (t := _tag_of(s)) is not None]


def fill_controls(data: bytes, values: dict[str, str]) -> bytes:
    """Fill controls by tag as a user would: text replaces the placeholder; "1"/"0" sets a check box."""
    src = zipfile.ZipFile(io.BytesIO(data))
    root = etree.fromstring(src.read("word/document.xml"))
    for sdt in _iter_sdts(root):
        tag = _tag_of(sdt)
        if tag not in values:
            continue
        pr = sdt.find("w:sdtPr", NS)
        box = pr.find("w14:checkbox/w14:checked", NS)
        texts = list(sdt.iterfind("w:sdtContent//w:t", NS))
        if box is not None:
            box.set(f"{{{W14_NS}}}val", "1" if values[tag] == "1" else "0")
            texts[0].text = CHECKED if values[tag] == "1" else UNCHECKED
            continue
        for flag in pr.findall("w:showingPlcHdr", NS):
            pr.remove(flag)
        for rpr in list(sdt.iterfind("w:sdtContent//w:rPr", NS)):
            rpr.getparent().remove(rpr)
        texts[0].text = values[tag]
        for t in texts[1:]:
            t.getparent().remove(t)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "word/document.xml":
                content = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            dst.writestr(info, content)
    return out.getvalue()

"""Content controls (w:sdt): the plan's fill-in fields, each with a stable tag and a bookmark that outlives an
editor's save (docs/docx-tags.md)."""

from __future__ import annotations

from datetime import date
from typing import Optional, Sequence

from docx.oxml.ns import qn
from lxml import etree

from .xml import (
    CHECKBOX_FONT,
    CHECKED,
    PLACEHOLDER_GREY,
    PLACEHOLDER_STYLE,
    UNCHECKED,
    W14_NS,
    W15_NS,
    el,
    format_date,
    stable_tag,
    text_run,
)

TAGMAP_NS = "urn:x-mielenterveys-toolkit:tags:1"


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

"""Render the Word action plan: Plan -> bytes of an editable .docx with content controls."""

from __future__ import annotations

import io
import os
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Optional, Sequence, Union

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.image.exceptions import UnrecognizedImageError
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from lxml import etree

from ..errors import RenderError
from ..plan import Citations, Entry, Plan
from . import docx_xml as X

# Styles the document uses by name; a base .docx must define them (python-docx's default template does).
REQUIRED_STYLES = ("Normal", "Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "List Bullet",
                   "Table Grid", "Header", "Footer")
LANG_IDS = {"fi": "fi-FI", "sv": "sv-FI", "en": "en-GB"}
DATE_FORMATS = {"fi": "d.M.yyyy", "sv": "d.M.yyyy", "en": "dd/MM/yyyy"}
DEFAULT_COLOUR = "#1F5F8B"
FONT = "Arial"
LABEL_FILL = "F2F2F2"
Cell = Union[str, etree._Element, Sequence[Union[str, etree._Element]], None]


def render_docx(plan: Plan, templates_dir: Optional[Path] = None) -> bytes:
    """The action plan of one client as .docx bytes; byte-identical for equal inputs and SOURCE_DATE_EPOCH."""
    from .docx_sections import SECTIONS, cover, table_of_contents  # sections use the builder below

    stamp = build_time()
    w = Writer(plan, stamp)
    cover(w)
    toc = table_of_contents(w)
    for number, section in enumerate(SECTIONS, start=1):
        section(w, number)
    w.fill_toc(toc)
    w.set_properties()
    buf = io.BytesIO()
    w.doc.save(buf)
    zip_time = max(stamp, datetime(1980, 1, 1, tzinfo=timezone.utc)).timetuple()[:6]
    return X.normalise_zip(buf.getvalue(), zip_time)


def build_time() -> datetime:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=timezone.utc).replace(microsecond=0)
        except ValueError:
            raise RenderError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, got '{epoch}'") from None
    return datetime.now(timezone.utc).replace(microsecond=0)


def open_base(base: Optional[str]) -> docx.document.Document:
    """python-docx's default document, or the provider's base with its body emptied; check the styles."""
    if base is None:
        return docx.Document()
    try:
        doc = docx.Document(base)
    except Exception as exc:  # a corrupt or non-Word file: say which file
        raise RenderError(f"base_docx '{base}' cannot be opened as a Word document: {exc}") from None
    names = {s.name for s in doc.styles}
    missing = [n for n in REQUIRED_STYLES if n not in names]
    if missing:
        raise RenderError(f"base_docx '{base}' lacks the styles {', '.join(missing)}\n\n"
                          f"Add them in Word (Styles pane) or start from a document that has them.")
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    return doc


class Writer:
    """The document being written and the small helpers every section uses."""

    def __init__(self, plan: Plan, stamp: datetime) -> None:
        self.plan = plan
        self.stamp = stamp
        self.lang = plan.language
        provider = plan.provider
        self.colour = (provider.brand_colour if provider else DEFAULT_COLOUR).lstrip("#").upper()
        self.doc = open_base(provider.base_docx if provider else None)
        self.from_base = bool(provider and provider.base_docx)
        self.headings: list[tuple[int, str]] = []
        self.citations = Citations(plan)
        self._setup_styles()
        # name -> style id, resolved once: python-docx's `p.style = ...` rescans every style per call,
        # which was two thirds of the render time
        self.style_ids = {st.name: st.style_id for st in self.doc.styles}
        self.ctl = X.Controls(LANG_IDS[self.lang], DATE_FORMATS[self.lang],
                              {"text": plan.label("docx.ph.text"), "date": plan.label("docx.ph.date"),
                               "choice": plan.label("docx.ph.status")}, self.placeholder_style_id)
        self._setup_page()
        X.set_settings(self.doc.settings.element)
        self._drop_styles_with_effects()

    def _drop_styles_with_effects(self) -> None:
        """Word 2010's stylesWithEffects copy would go stale against our styles (openxml-audit flags it)."""
        part = self.doc.part
        for rid, rel in list(part.rels.items()):
            if rel.reltype.endswith("/stylesWithEffects"):
                part.drop_rel(rid)

    # ---- set-up ----
    def _setup_styles(self) -> None:
        styles = self.doc.styles
        X.set_default_language(styles.element, LANG_IDS[self.lang])
        brand = RGBColor.from_string(self.colour)
        if not self.from_base:  # a base document brings its own fonts and sizes
            # Arial: in every Word, and LibreOffice maps it to the metric-compatible Liberation Sans
            for name in ("Normal", "Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3"):
                X.set_font(styles[name].element, FONT)
            styles["Normal"].font.size = Pt(10)
            for name, size in (("Title", 26), ("Subtitle", 13), ("Heading 1", 16), ("Heading 2", 13),
                               ("Heading 3", 11)):
                styles[name].font.size = Pt(size)
        for name in ("Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3"):
            styles[name].font.color.rgb = brand
        names = {s.name for s in styles}
        if "Placeholder Text" not in names:
            ph = styles.add_style("Placeholder Text", WD_STYLE_TYPE.CHARACTER)
            ph.font.color.rgb = RGBColor(0x80, 0x80, 0x80)
            X.make_builtin(ph.element, "Placeholder Text")
        self.placeholder_style_id = styles["Placeholder Text"].style_id
        if "Hyperlink" not in names:  # Word's built-in link style, so a base document can restyle links
            link = styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
            link.font.color.rgb = RGBColor(0x05, 0x63, 0xC1)
            link.font.underline = True
            X.make_builtin(link.element, "Hyperlink")
        self.hyperlink_style_id = styles["Hyperlink"].style_id
        self.toc_styles = {}
        for level in (1, 2):
            found = next((s for s in styles if s.name.lower() == f"toc {level}"), None)
            if found is None:  # Word's built-in "toc N", so an updated TOC keeps using it
                found = styles.add_style(f"TOC {level}", WD_STYLE_TYPE.PARAGRAPH)
                found.base_style = styles["Normal"]
                found.paragraph_format.left_indent = Cm(0.6 * (level - 1))
                found.paragraph_format.space_after = Pt(3)
                X.make_builtin(found.element, f"toc {level}")
            self.toc_styles[level] = found
        for name in ("Small", "Fine print"):
            if name not in names:
                st = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
                st.base_style = styles["Normal"]
                st.font.size = Pt(8.5 if name == "Small" else 8)
                st.paragraph_format.space_before = Pt(1.5)  # air inside table cells
                st.paragraph_format.space_after = Pt(1.5)
                if name == "Fine print":
                    st.font.color.rgb = RGBColor(0x55, 0x55, 0x55)

    def _setup_page(self) -> None:
        section = self.doc.sections[0]
        if not self.from_base:  # A4 with even margins; a base document keeps its page setup
            section.page_width, section.page_height = Cm(21.0), Cm(29.7)
            section.orientation = WD_ORIENT.PORTRAIT
            for side in ("left_margin", "right_margin"):
                setattr(section, side, Cm(2.2))
            section.top_margin, section.bottom_margin = Cm(2.4), Cm(2.2)
            section.header_distance, section.footer_distance = Cm(1.0), Cm(1.0)
        self._header(section)
        self._footer(section)

    def _header(self, section) -> None:
        header = section.header
        if self.from_base and any(p.text.strip() for p in header.paragraphs):
            return  # the base document's own header stays
        usable = section.page_width - section.left_margin - section.right_margin
        # a borderless two-cell table: client left, logo right, whatever tab stops the Header style has
        t = header.add_table(1, 2, usable)
        left, right = t.rows[0].cells
        for cell, width in zip((left, right), (usable * 2 // 3, usable - usable * 2 // 3)):
            cell.width = width
        p = left.paragraphs[0]
        self.style(p, "Header")
        p.add_run(self.plan.client.name).bold = True
        p.add_run(f" \u2013 {self.plan.label('docx.header')}")
        p = right.paragraphs[0]
        self.style(p, "Header")
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        provider = self.plan.provider
        if provider and provider.logo:
            try:
                p.add_run().add_picture(provider.logo, height=Cm(0.9))
                return
            except (UnrecognizedImageError, OSError, ValueError):
                pass  # SVG and unusual formats: python-docx cannot embed them; show the name instead
        if provider:
            p.add_run(provider.name)

    def _footer(self, section) -> None:
        footer = section.footer
        if self.from_base and any(p.text.strip() for p in footer.paragraphs):
            return
        p = footer.paragraphs[0]
        p.text = ""
        self.style(p, "Footer")
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        text = self.plan.label("common.page_of", page="\x00PAGE\x00", pages="\x00NUMPAGES\x00")
        for i, part in enumerate(text.split("\x00")):
            if i % 2:
                for r in X.field_runs(part, "1"):
                    p._p.append(r)
            elif part:
                p.add_run(part)

    def set_properties(self) -> None:
        cp = self.doc.core_properties
        plan = self.plan
        cp.title = f"{plan.label('docx.title')} \u2013 {plan.client.name}"
        cp.subject = plan.label("docx.subject")
        cp.author = plan.provider.name if plan.provider else ""
        cp.last_modified_by = cp.author
        cp.keywords = plan.label("docx.keywords")
        cp.language = LANG_IDS[self.lang]
        cp.comments = ""
        cp.category = ""
        cp.revision = 1
        cp.version = plan.content_version
        naive = self.stamp.replace(tzinfo=None)
        cp.created = cp.modified = naive
        cp.last_printed = naive

    # ---- content helpers ----
    def style(self, p, name: str):
        """Give paragraph p the paragraph style called name (a cheap `p.style = styles[name]`)."""
        p._p.style = self.style_ids[name]
        return p

    def add_para(self, container=None, style: Optional[str] = None):
        """A new paragraph at the end of container (default: the body), in the given style."""
        p = (container or self.doc).add_paragraph()
        return self.style(p, style) if style else p

    def heading(self, text: str, level: int):
        p = self.add_para(style=f"Heading {level}")
        p.add_run(text)
        if level <= 2:
            self.headings.append((level, text))
        return p

    def para(self, text: str = "", style: Optional[str] = None, bold_lead: Optional[str] = None,
             cite: Optional[Entry] = None):
        p = self.add_para(style=style)
        if bold_lead:
            p.add_run(bold_lead).bold = True
            if text:
                p.add_run(" ")
        if text:
            p.add_run(text)
        self.add_citation(p, cite)
        return p

    def bullet(self, text: str, body: Optional[str] = None, cite: Optional[Entry] = None):
        p = self.add_para(style="List Bullet")
        if body:
            p.add_run(text).bold = True
            p.add_run(" " + body)
        else:
            p.add_run(text)
        self.add_citation(p, cite)
        return p

    def add_citation(self, p, entry: Optional[Entry]) -> None:
        """Append the entry's reference numbers ('[3]') to paragraph p; they point into the reference list."""
        mark = self.citations.mark(entry) if entry is not None else ""
        if mark:
            p.add_run("\u00a0" + mark)

    def link(self, p, url: str, text: Optional[str] = None) -> None:
        """Append a clickable web address to paragraph p."""
        p._p.append(X.hyperlink(self.doc.part, url, text or url, self.hyperlink_style_id))

    def field(self, label: str, control: etree._Element):
        """A labelled fill-in line: bold label, then the control."""
        p = self.para(bold_lead=f"{label}:")
        p.add_run(" ")
        p._p.append(control)
        return p

    def page_break(self) -> None:
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def table(self, headers: Sequence[str], widths: Sequence[float], rows: Sequence[Sequence[Cell]],
              header: bool = True):
        """A grid table with a brand-coloured header row repeated on each page; widths in cm."""
        t = self.doc.add_table(rows=0, cols=len(widths))
        t._tbl.tblStyle_val = self.style_ids["Table Grid"]
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        t.autofit = False
        if header:
            cells = t.add_row().cells
            X.repeat_header(t.rows[-1]._tr)
            for cell, text in zip(cells, headers):
                X.shade_cell(cell._tc, self.colour)
                run = cell.paragraphs[0].add_run(text)
                run.bold = True
                run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
        for row in rows:
            cells = t.add_row().cells
            for cell, value in zip(cells, row):
                self._fill_cell(cell, value)
        for col, width in zip(t.columns, widths):
            col.width = Cm(width)  # the grid LibreOffice reads
        for row in t.rows:
            X.cant_split(row._tr)
            for cell, width in zip(row.cells, widths):
                cell.width = Cm(width)  # the cell widths Word reads
        for cell in t.rows[0].cells if t.rows else ():
            for p in cell.paragraphs:
                p.paragraph_format.keep_with_next = True
        self.add_para(style="Small")  # breathing space; Word also needs a paragraph between tables
        return t

    def _fill_cell(self, cell, value: Cell) -> None:
        p = cell.paragraphs[0]
        self.style(p, "Small")
        parts = value if isinstance(value, (list, tuple)) else [value]
        first = True
        for part in parts:
            if part is None:
                continue
            if isinstance(part, str):
                if not first:
                    p = self.add_para(cell, "Small")
                p.add_run(part)
            else:
                p._p.append(part)
            first = False

    def fill_toc(self, toc_paragraph) -> None:
        """Put the headings as the TOC field's cached result, so readers that do not update fields show it."""
        anchor = toc_paragraph._p
        entries = self.headings or [(1, "")]
        new = []
        for i, (level, text) in enumerate(entries):
            p = self.add_para(style=self.toc_styles[level].name)
            if i == 0:
                for r in X.field_begin('TOC \\o "1-3" \\h \\z \\u'):
                    p._p.append(r)
            p.add_run(text)
            new.append(p._p)
        new[-1].append(X.field_end())
        for p in new:
            anchor.addprevious(p)
        anchor.getparent().remove(anchor)

    def parse_date(self, value: Optional[str]) -> Optional[date]:
        try:
            return date.fromisoformat(value) if value else None
        except ValueError:
            return None

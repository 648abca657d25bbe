"""The Word plan being written: the document, its styles and page set-up, and the helpers every section uses."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Optional, Sequence, Union

import docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from ... import __version__
from ...errors import RenderError
from ...palette import palette
from ...plan import Citations, Entry, Plan
from ...vocab import LANG_TAGS
from . import compat
from . import package as P
from . import styles as S
from . import xml as X
from .controls import Controls

# Styles the document uses by name; a base .docx must define them (python-docx's default template does).
REQUIRED_STYLES = ("Normal", "Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "List Bullet",
                   "Header", "Footer")
TABLE_STYLE = "Toolkit Table"  # header shading lives here, so a base document can restyle every table
DATE_FORMATS = {"fi": "d.M.yyyy", "sv": "d.M.yyyy", "en": "dd/MM/yyyy"}
FONT = "Arial"
TAG_SCHEME = "1"  # version of docs/docx-tags.md; a reader refuses plans of a scheme it does not know
LOGO_MAX_HEIGHT = Cm(1.2)  # a logo is scaled to fit this height and a third of the text width
Cell = Union[str, etree._Element, Sequence[Union[str, etree._Element]], None]


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


_STYLES: dict[tuple, bytes] = {}  # (language, colours) -> the finished styles part (see Writer._setup_styles)


class Writer:
    """The document being written and the small helpers every section uses."""

    def __init__(self, plan: Plan, stamp: datetime) -> None:
        self.plan = plan
        self.stamp = stamp
        self.lang = plan.language
        self.templates_dir: Optional[Path] = None  # the fonts of the needs chart; None: the tool's own
        provider = plan.provider
        self.doc = open_base(provider.base_docx if provider else None)
        self.from_base = bool(provider and provider.base_docx)
        # A base document's own colours win unless the provider file names a brand colour. Text takes the
        # brand colour only as dark as reads on paper, table headers a fill their text reads on (palette.py).
        explicit = provider.brand_colour if provider else None
        self.palette = palette(explicit)
        self.colour = self.palette.accent.lstrip("#")  # headings and rules in the brand colour
        self.brand = None if self.from_base and not explicit else self.colour  # None: keep the base's headings
        self.headings: list[tuple[int, str, str]] = []  # (level, text, bookmark) for the contents list
        self.citations = Citations(plan)
        self._setup_styles()
        # name -> style id, resolved once: python-docx's `p.style = ...` rescans every style per call,
        # which was two thirds of the render time
        self.style_ids = {st.name: st.style_id for st in self.doc.styles}
        self.ctl = Controls(LANG_TAGS[self.lang], DATE_FORMATS[self.lang],
                              {"text": plan.label("docx.ph.text"), "date": plan.label("docx.ph.date"),
                               "choice": plan.label("docx.ph.status")}, self.placeholder_style_id,
                              self.style_ids["Suggestion"])
        self._setup_page()
        S.set_settings(self.doc.settings.element, LANG_TAGS[self.lang], protect=bool(provider and provider.protect))
        P.drop_template_leftovers(self.doc)

    # ---- set-up ----
    def _setup_styles(self) -> None:
        """The plan's styles, on python-docx's default styles or on a base document's.

        Without a base document they depend only on the language and the colours, and clients of a batch
        share those: the finished styles part is kept per process and given to the next such plan as a copy
        (setting them up was an eighth of a plan's render time)."""
        key = None if self.from_base else (self.lang, self.brand, self.palette.fill, self.palette.on_fill)
        if key is None or key not in _STYLES or not compat.use_styles(self.doc, _STYLES[key]):
            self._make_styles(self.doc.styles)
            finished = compat.styles_xml(self.doc) if key is not None else None
            if finished is not None:
                _STYLES[key] = finished
        styles = self.doc.styles
        self.placeholder_style_id = styles["Placeholder Text"].style_id
        self.hyperlink_style_id = styles["Hyperlink"].style_id
        self.toc_styles = {level: next(s.name for s in styles if s.name.lower() == f"toc {level}")
                           for level in (1, 2)}

    def _make_styles(self, styles) -> None:
        S.set_default_language(styles.element, LANG_TAGS[self.lang])
        if not self.from_base:  # a base document brings its own fonts and sizes
            # Arial: in every Word, and LibreOffice maps it to the metric-compatible Liberation Sans
            for name in ("Normal", "Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3"):
                S.set_font(styles[name].element, FONT)
            styles["Normal"].font.size = Pt(10)
            for name, size in (("Title", 26), ("Subtitle", 13), ("Heading 1", 16), ("Heading 2", 13),
                               ("Heading 3", 11)):
                styles[name].font.size = Pt(size)
        if self.brand:
            brand = RGBColor.from_string(self.brand)
            for name in ("Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3"):
                styles[name].font.color.rgb = brand
        names = {s.name for s in styles}
        self._character_styles(styles, names)
        self._paragraph_styles(styles, names)
        if TABLE_STYLE not in names:
            S.add_table_style(styles.element, TABLE_STYLE, self.palette.fill.lstrip("#"),
                              self.palette.on_fill.lstrip("#"))

    def _character_styles(self, styles, names: set[str]) -> None:
        if "Placeholder Text" not in names:
            ph = styles.add_style("Placeholder Text", WD_STYLE_TYPE.CHARACTER)
            ph.font.color.rgb = RGBColor.from_string(X.PLACEHOLDER_GREY)
            S.make_builtin(ph.element, "Placeholder Text")
        if "Suggestion" not in names:  # a prefilled example's status, until someone agrees on it
            sug = styles.add_style("Suggestion", WD_STYLE_TYPE.CHARACTER)
            sug.font.italic = True
            sug.font.color.rgb = RGBColor(0x7A, 0x4A, 0x00)
            S.highlight_style(sug.element, "FFF2CC")
        if "Hyperlink" not in names:  # Word's built-in link style, so a base document can restyle links
            link = styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
            link.font.color.rgb = RGBColor(0x05, 0x63, 0xC1)
            link.font.underline = True
            S.make_builtin(link.element, "Hyperlink")

    def _paragraph_styles(self, styles, names: set[str]) -> None:
        for level in (1, 2):
            found = next((s for s in styles if s.name.lower() == f"toc {level}"), None)
            if found is None:  # Word's built-in "toc N", so an updated TOC keeps using it
                found = styles.add_style(f"TOC {level}", WD_STYLE_TYPE.PARAGRAPH)
                found.base_style = styles["Normal"]
                found.paragraph_format.left_indent = Cm(0.6 * (level - 1))
                found.paragraph_format.space_after = Pt(1.5 if level == 2 else 3)
                S.make_builtin(found.element, f"toc {level}")
        if not any(s.name.lower() == "toc heading" for s in styles):  # the contents title; not a second Title
            th = styles.add_style("TOC Heading", WD_STYLE_TYPE.PARAGRAPH)
            th.base_style = styles["Heading 1"]
            S.make_builtin(th.element, "TOC Heading")
            S.outline_level(th.element, 9)  # body level: the contents title is not itself in the contents
        for name in ("Small", "Fine print", "Cover note"):
            if name not in names:
                st = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
                st.base_style = styles["Normal"]
                st.font.size = Pt(8.5 if name == "Small" else 8)
                st.paragraph_format.space_before = Pt(1.5)  # air inside table cells
                st.paragraph_format.space_after = Pt(1.5)
                if name != "Small":
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
        section.different_first_page_header_footer = True  # the cover has no running header or page number
        self._header(section)
        self._footer(section)

    @property
    def text_width(self) -> int:
        """Width between the margins of the current section, in EMU (from the page, never hard-coded)."""
        s = self.doc.sections[-1]
        return int(s.page_width - s.left_margin - s.right_margin)

    def _header(self, section) -> None:
        header = section.header
        provider = self.plan.provider
        if self.from_base and any(p.text.strip() or X.has_drawing(p._p) for p in header.paragraphs) \
                or self.from_base and header.part.element.find(qn("w:tbl")) is not None:
            # The base document's own letterhead stays; the logo joins it unless it already has one.
            if provider and provider.logo and not X.has_drawing(header.part.element):
                p = header.add_paragraph()
                self.style(p, "Header")
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                self._logo(p.add_run())
            return
        width = self.text_width
        # a borderless two-cell table: client left, logo right, whatever tab stops the Header style has
        t = header.add_table(1, 2, width)
        left, right = t.rows[0].cells
        for cell, part in zip((left, right), (width * 2 // 3, width - width * 2 // 3)):
            cell.width = part
        X.table_description(t._tbl, self.plan.label("common.action_plan"), "")
        p = left.paragraphs[0]
        self.style(p, "Header")
        p.add_run(self.plan.client.name).bold = True
        p.add_run(f" \u2013 {self.plan.label('common.action_plan')}")
        p = right.paragraphs[0]
        self.style(p, "Header")
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if provider and provider.logo and self._logo(p.add_run()):
            return
        if provider:
            p.add_run(provider.name)

    def _logo(self, run) -> bool:
        """Put the provider's logo into a run, scaled to the header, its name as alt text; False if impossible."""
        provider = self.plan.provider
        size = X.image_size(provider.logo)
        if size is None:
            return False  # SVG and unusual formats: python-docx cannot embed them; the name is shown instead
        w_px, h_px = size
        height = LOGO_MAX_HEIGHT
        width = Emu(int(height * w_px / h_px))
        if width > self.text_width // 3:  # a wide logo is limited by the width, keeping its proportions
            width = Emu(self.text_width // 3)
            height = Emu(int(width * h_px / w_px))
        run.add_picture(provider.logo, width=width, height=height)
        X.alt_text(run._r, provider.name)
        return True

    def _footer(self, section) -> None:
        footer = section.footer
        if self.from_base and X.has_page_field(footer.part.element):
            return  # the base has its own page numbers
        p = footer.paragraphs[0] if not (self.from_base and footer.paragraphs[0].text.strip()) else footer.add_paragraph()
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
        """Core, custom and application properties: what the file is, for whom, from which build."""
        cp = self.doc.core_properties
        plan = self.plan
        cp.title = f"{plan.label('docx.title')} \u2013 {plan.client.name}"
        cp.subject = plan.label("docx.subject")
        cp.author = plan.provider.name if plan.provider else ""
        cp.last_modified_by = cp.author
        cp.keywords = plan.label("docx.keywords")
        cp.language = LANG_TAGS[self.lang]
        cp.comments = ""
        cp.category = ""
        cp.revision = 1
        cp.version = plan.content_version
        naive = self.stamp.replace(tzinfo=None)
        cp.created = cp.modified = naive
        cp.last_printed = naive
        P.set_custom_properties(self.doc, {
            "toolkit.client": plan.client.id,
            "toolkit.document": "action-plan",
            "toolkit.language": plan.language,
            "toolkit.content": plan.content_version,
            "toolkit.generator": plan.generator_version or __version__,
            "toolkit.tags": TAG_SCHEME,
        })
        P.set_app_properties(self.doc, f"mielenterveys-toolkit {plan.generator_version or __version__}",
                             plan.provider.name if plan.provider else "")
        P.add_tagmap(self.doc, self.ctl.tagmap())

    # ---- content helpers ----
    # Paragraphs, runs and tables are built as XML directly: python-docx's object calls re-find and re-order
    # child elements on every property set, which was most of the plan's render time.
    def style(self, p, name: str):
        """Give paragraph p the paragraph style called name (a cheap `p.style = styles[name]`)."""
        X.set_pstyle(p._p, self.style_ids[name])
        return p

    def add_para(self, container=None, style: Optional[str] = None):
        """A new paragraph at the end of container (default: the body), in the given style."""
        p_elm = X.new_paragraph(self.style_ids[style] if style else None)
        if container is None:
            X.append_to_body(self.doc.element.body, p_elm)
            return Paragraph(p_elm, self.doc._body)
        container._element.append(p_elm)
        return Paragraph(p_elm, container)

    def heading(self, text: str, level: int):
        p = self.add_para(style=f"Heading {level}")
        if level <= 2:  # in the contents list, which links to this bookmark
            start, end = self.ctl.mark("_Toc")
            p._p.append(start)
            p._p.append(X.text_run(text))
            p._p.append(end)
            self.headings.append((level, text, start.get(qn("w:name"))))
        else:
            p._p.append(X.text_run(text))
        return p

    def para(self, text: str = "", style: Optional[str] = None, bold_lead: Optional[str] = None,
             cite: Optional[Entry] = None):
        p = self.add_para(style=style)
        if bold_lead:
            p._p.append(X.text_run(bold_lead, bold=True))
            if text:
                p._p.append(X.text_run(" "))
        if text:
            p._p.append(X.text_run(text))
        self.add_citation(p, cite)
        return p

    def bullet(self, text: str, body: Optional[str] = None, cite: Optional[Entry] = None):
        p = self.add_para(style="List Bullet")
        if body:
            p._p.append(X.text_run(text, bold=True))
            p._p.append(X.text_run(" " + body))
        else:
            p._p.append(X.text_run(text))
        self.add_citation(p, cite)
        return p

    def add_citation(self, p, entry: Optional[Entry]) -> None:
        """Append the entry's reference numbers ('[3]') to paragraph p; they point into the reference list."""
        mark = self.citations.mark(entry) if entry is not None else ""
        if mark:
            p._p.append(X.text_run("\u00a0" + mark))

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

    def orientation(self, landscape: bool) -> None:
        """Start a new section on a new page, landscape or portrait (page size and margins from the first)."""
        first = self.doc.sections[0]
        new = self.doc.add_section(WD_SECTION.NEW_PAGE)
        short, long_ = sorted((first.page_width, first.page_height))
        new.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        new.page_width, new.page_height = (long_, short) if landscape else (short, long_)
        new.different_first_page_header_footer = False

    def table(self, headers: Sequence[str], weights: Sequence[float], rows: Sequence[Sequence[Cell]],
              header: bool = True, caption: Optional[str] = None, table_id: Optional[str] = None,
              fields: Sequence[str] = (), repeat: Optional[str] = None):
        """A table in the Toolkit Table style, as wide as the text; weights share that width between columns.

        A fill-in table (table_id) carries a hidden bookmark in its header that says which field each
        column holds, so rows added in any editor can be read back; with repeat, its rows sit in a
        repeating section Word can extend with "+". Rows may split across pages: LibreOffice 7.4 drops whole
        rows of a table whose tall rows are marked "can't split" (seen with filled-in action tables).
        """
        total = self.text_width // 635  # EMU -> twentieths of a point
        twips = [int(total * w / sum(weights)) for w in weights]
        twips[-1] = total - sum(twips[:-1])
        tbl = X.new_table(self.style_ids[TABLE_STYLE], twips, header, caption or (headers[0] if headers else ""))
        small = self.style_ids["Small"]
        if header:
            cells = [[X.text_run(text, bold=True)] for text in headers]
            if table_id:
                cells[0] = self.ctl.table_mark(table_id, fields) + cells[0]
            tbl.append(X.new_row(twips, cells, small, header=True))
        data_rows = [X.new_row(twips, [self._cell_content(v) for v in row], small) for row in rows]
        if repeat and data_rows:
            tbl.append(self.ctl.repeating(f"rows.{table_id or repeat}", repeat, data_rows))
        else:
            for tr in data_rows:
                tbl.append(tr)
        X.append_to_body(self.doc.element.body, tbl)
        self.add_para(style="Small")  # breathing space; Word also needs a paragraph between tables
        return Table(tbl, self.doc._body)

    def _cell_content(self, value: Cell) -> list:
        """A cell's content as a list of paragraphs' parts: a string starts a new paragraph (after the first),
        an element (a run, a control) joins the current one."""
        parts = value if isinstance(value, (list, tuple)) else [value]
        out: list = []
        first = True
        for part in parts:
            if part is None:
                continue
            if isinstance(part, str):
                if not first:
                    out.append(X.PARAGRAPH_BREAK)
                out.append(X.text_run(part))
            else:
                out.append(part)
            first = False
        return out

    def fill_toc(self, toc_paragraph) -> None:
        """Put the headings as the TOC field's cached result, each a link to its heading, so readers that
        do not update fields show a working contents list."""
        anchor = toc_paragraph._p
        entries = self.headings or [(1, "", "")]
        new = []
        for i, (level, text, bookmark) in enumerate(entries):
            p = self.add_para(style=self.toc_styles[level])
            if i == 0:
                for r in X.field_begin('TOC \\o "1-2" \\h \\z \\u'):
                    p._p.append(r)
            if bookmark:
                p._p.append(X.internal_link(bookmark, text))
            else:
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

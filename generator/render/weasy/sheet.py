"""A laid-out care pathway that takes another client's name without being laid out again (WeasyPrint internals)."""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

from ..metrics import in_main_font
from . import compat


class LaidOutSheet:
    """A laid-out care pathway (a weasyprint Document at its proven step) that takes another client's name.

    Sheets of one signature differ only in the client's name, set alone on its own line of the header (bold,
    left-aligned, one line). Laying such a sheet out again cost more than half of its render; instead the
    name's text box is set anew here, the way WeasyPrint's line layout sets it (split_first_line with the
    box's style and width), and the line's width follows. Nothing else on the page depends on that box. The
    bytes are those a fresh layout gives (tests/test_render_pdf.py compares them for several names).

    A name is taken only when that is sure: it fits the line, is drawn in the main font alone (fallback fonts
    have other ascents), has no spaces a browser would collapse and no soft hyphen, and its box comes out
    as high, with the same baseline, as the box it replaces. Otherwise the sheet is laid out afresh. With a
    WeasyPrint version these internals were not checked against, no sheet is kept (compat.py).
    """

    def __init__(self, doc, step: int, name: str) -> None:
        self.doc, self.step = doc, step
        self.line = self.box = None
        if compat.speedups() and len(doc.pages) == 1:
            try:
                self._find_name(name)
            except (ImportError, AttributeError) as exc:
                compat.off(compat.missing(exc))
                self.line = self.box = None

    def _find_name(self, name: str) -> None:
        """Find the name's line and text box on the laid-out page (both stay None when it is not alone there)."""
        from weasyprint.formatting_structure.boxes import BlockBox, TextBox

        for box in self.doc.pages[0]._page_box.descendants():
            element = getattr(box, "element", None)
            if element is not None and element.get("class") == "for" and isinstance(box, BlockBox):
                lines = box.children
                if len(lines) == 1 and len(lines[0].children) == 1:
                    text = lines[0].children[0]
                    if isinstance(text, TextBox) and text.text == name and lines[0].width == text.width:
                        self.line, self.box = lines[0], text
                break

    def take(self, name: str, title: str, templates_dir: Path) -> bool:
        """Set name in place of the one the sheet shows; False (sheet unchanged) when that is not sure."""
        box = self.box
        if box is None or not compat.speedups() or name != " ".join(name.split()) or "\xad" in name \
                or not in_main_font(name, templates_dir / "fonts", bold=True):
            return False
        try:
            from weasyprint.text.line_break import split_first_line

            layout, length, resume, width, height, baseline = split_first_line(
                name, box.style, _NoHyphenation, box.pango_layout.max_width, box.justification_spacing)
        except (ImportError, AttributeError) as exc:
            compat.off(compat.missing(exc))
            return False
        if resume is not None or length != len(name.encode()) or height != box.height \
                or baseline + box.margin_top != box.baseline or width > box.pango_layout.max_width:
            return False
        box.text, box.width, box.pango_layout = layout.text, width, layout
        self.line.width = width
        self.doc.metadata.title = title
        self.doc.fonts = {}  # as a fresh Document has: the fonts (and their glyphs) of the last write go
        return True


class _NoHyphenation:
    """The layout context split_first_line reads only for hyphenation dictionaries; the name line has none."""

    dictionaries: dict = {}


# signature -> the sheet laid out last for it in this process; a few only (a laid-out sheet holds ~3 MB).
# A batch builds clients of one language, scope, provider and county one after another (build/pool.py), so
# sheets of one signature mostly come together.
_LAID_OUT: "OrderedDict[tuple[str, str], LaidOutSheet]" = OrderedDict()  # (signature, templates folder)
LAID_OUT_KEPT = 4


def keep(key: tuple[str, str], step: int, doc, name: str) -> None:
    """Remember a sheet laid out at its proven step, showing name, for the next sheet of its signature."""
    sheet = LaidOutSheet(doc, step, name)
    if sheet.box is None:
        return
    _LAID_OUT[key] = sheet
    _LAID_OUT.move_to_end(key)
    while len(_LAID_OUT) > LAID_OUT_KEPT:
        _LAID_OUT.popitem(last=False)


def reuse(key: tuple[str, str], step: int, name: str, title: str, templates_dir: Path):
    """The sheet laid out last under key at step, now showing name and title; None when there is none or
    taking the name is not sure (the caller lays the sheet out)."""
    sheet = _LAID_OUT.get(key)
    if sheet is None or sheet.step != step or not sheet.take(name, title, templates_dir):
        return None
    _LAID_OUT.move_to_end(key)
    return sheet.doc


def forget() -> None:
    """Drop every remembered sheet (a new build starts with none)."""
    _LAID_OUT.clear()

"""Remember how WeasyPrint draws a line of text, across the documents a process renders.

To draw a laid-out line (weasyprint.draw.text.draw_text), WeasyPrint shapes its text again with Pango and turns
every glyph into PDF text operators in Python: about a tenth of a checklist's rendering time. A batch draws the
same library lines in the same fonts again and again. `install()` wraps draw_text so that a line drawn before,
with the same text and every style property that shapes it, is written from memory: the same operators at this
line's position, and the same glyph widths and glyph-to-text mappings given to this document's font (what
WeasyPrint's own drawing records on the font for the embedded subset and for copying text out of the PDF).

The answer is the one WeasyPrint gave before, so the PDFs are the same bytes (tests/test_render_pdf.py renders
with and without it). Only plain lines are remembered: a line with an ellipsis, an underline, overline or
line-through, a colour font (emoji) or a glyph the font lacks is drawn by WeasyPrint every time. The key holds
the style properties of line_memo.STYLE_KEYS: the ones Pango's layout of a line reads (the same tests hold
that list to what WeasyPrint reads).

Each remembered line keeps a reference to the Pango fonts it was drawn in, so a font Pango would otherwise free
cannot be mistaken for another at the same address. Installed only for the WeasyPrint versions the tests have
run with (compat.CHECKED).
"""

from __future__ import annotations

from collections import OrderedDict

from . import compat
from .line_memo import STYLE_KEYS

# Lines kept per process, the least recently used dropped first: a few hundred bytes each.
CAPACITY = 20_000

ENABLED = True  # tests turn it off to compare with WeasyPrint alone
_MEMO: "OrderedDict[tuple, list]" = OrderedDict()
_INSTALLED: list = []  # [the original draw_text] once installed
_DECORATIONS = ("underline", "overline", "line-through")


class _NotPlain(Exception):
    """The line uses something the memory does not reproduce: a colour font, or a glyph no font has. (The
    latter cannot reach a document: profiles and data with a character the vendored fonts lack are refused,
    text.py. WeasyPrint would report it twice, once while the line is recorded.)"""


class _LineFont:
    """The document's font as WeasyPrint's line drawing sees it, but with widths and text mappings of this
    line only, so that the memory learns them for every glyph of the line, not only those new to the font."""

    def __init__(self, font):
        self._font = font
        self.widths: dict = {}
        self.to_unicode: dict = {}

    def __getattr__(self, name):
        return getattr(self._font, name)

    def get_unused_glyph_id(self, codepoint):
        raise _NotPlain


class _Recorder:
    """Stands in for the PDF stream while WeasyPrint draws one line: keeps the operators instead of writing."""

    def __init__(self, stream, keep_font):
        self._stream = stream
        self._keep_font = keep_font
        self.ops: list = []

    def __getattr__(self, name):  # the scratch rectangles WeasyPrint measures glyphs with
        return getattr(self._stream, name)

    def add_font(self, pango_font):
        font, size = self._stream.add_font(pango_font)
        if font.png or font.svg or font.colr:
            raise _NotPlain
        line_font = _LineFont(font)
        self.ops.append((None, (self._keep_font(pango_font), line_font)))
        return line_font, size

    def set_text_matrix(self, *values):
        self.ops.append(("set_text_matrix", None))  # this line's position, given when it is written

    def set_font_size(self, *args):
        self.ops.append(("set_font_size", args))

    def set_text_rise(self, *args):
        self.ops.append(("set_text_rise", args))

    def show_text(self, *args):
        self.ops.append(("show_text", args))


def _record(draw_first_line, stream, textbox, matrix, keep_font) -> "list | None":
    """The operators WeasyPrint draws a plain line with (its layout active), or None for another line."""
    recorder = _Recorder(stream, keep_font)
    try:
        draw_first_line(recorder, textbox, "clip", "none", matrix)
    except _NotPlain:
        return None
    ops = []
    for name, args in recorder.ops:
        if name is None:  # the document's font is let go: a memory of lines must not hold whole documents
            pango_font, line_font = args
            if 0 in line_font.widths:  # .notdef may carry a width WeasyPrint chose for a missing glyph
                return None
            args = (pango_font, tuple(line_font.widths.items()), tuple(line_font.to_unicode.items()))
        ops.append((name, args))
    return ops


def _write(stream, ops, matrix_values) -> None:
    for name, args in ops:
        if name is None:
            pango_font, widths, to_unicode = args
            font, _ = stream.add_font(pango_font)
            for glyph, width in widths:
                font.widths.setdefault(glyph, width)
            for glyph, text in to_unicode:
                font.to_unicode.setdefault(glyph, text)
        elif args is None:
            stream.set_text_matrix(*matrix_values)
        else:
            getattr(stream, name)(*args)


def install() -> bool:
    """Wrap WeasyPrint's draw_text where the drawing code calls it; True if the memory is in use."""
    if _INSTALLED or not ENABLED:
        return bool(_INSTALLED)
    if not compat.speedups():
        return False
    try:
        from weasyprint import draw
        from weasyprint.draw import text as draw_module
        from weasyprint.matrix import Matrix
        from weasyprint.text.ffi import ffi, gobject

        try:
            gobject.g_object_ref
        except AttributeError:  # WeasyPrint declares only g_object_unref
            ffi.cdef("gpointer g_object_ref (gpointer object);")
        original = draw_module.draw_text
        draw_first_line = draw_module.draw_first_line
        draw.draw_text  # the name the wrapper replaces
    except (ImportError, AttributeError) as exc:
        compat.off(compat.missing(exc))
        return False
    _INSTALLED.append(original)

    def keep_font(pango_font):
        return ffi.gc(ffi.cast("PangoFont *", gobject.g_object_ref(pango_font)), gobject.g_object_unref)

    def draw_text(stream, textbox, offset_x, text_overflow, block_ellipsis):
        style = textbox.style
        layout = textbox.pango_layout
        decorations = style["text_decoration_line"]
        if (text_overflow == "ellipsis" or block_ellipsis != "none" or style["visibility"] != "visible"
                or any(d in decorations for d in _DECORATIONS)):
            return original(stream, textbox, offset_x, text_overflow, block_ellipsis)
        try:
            key = (textbox.text, layout.text, layout.justification_spacing, id(style.font_config),
                   *[style[k] for k in STYLE_KEYS])
            hash(key)
        except (TypeError, KeyError, AttributeError):  # a value that cannot be a key: not remembered
            return original(stream, textbox, offset_x, text_overflow, block_ellipsis)
        assert style["font_size"]
        x, y = textbox.position_x, textbox.position_y + textbox.baseline
        matrix = Matrix(d=-1, e=x, f=y)
        ops = _MEMO.get(key)
        if ops is None:
            layout.reactivate(style)
            ops = _record(draw_first_line, stream, textbox, matrix, keep_font)
            layout.deactivate()
            if ops is None:
                return original(stream, textbox, offset_x, text_overflow, block_ellipsis)
            _MEMO[key] = ops
            if len(_MEMO) > CAPACITY:
                _MEMO.popitem(last=False)
        else:
            _MEMO.move_to_end(key)
        stream.set_color(style["color"])
        stream.begin_text()
        _write(stream, ops, matrix.values)
        stream.end_text()

    draw.draw_text = draw_text
    return True


def uninstall() -> None:
    """Put WeasyPrint's own draw_text back and forget every line (for tests)."""
    if _INSTALLED:
        from weasyprint import draw

        draw.draw_text = _INSTALLED.pop()
    _MEMO.clear()

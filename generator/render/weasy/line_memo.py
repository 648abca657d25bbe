"""Remember WeasyPrint's line breaks across the documents a process renders.

A batch sets the same library texts (checklist items, pathway levels, references) again and again, in the
same fonts and in boxes of the same widths: most lines of a client's checklists were broken, to the letter,
for an earlier client of the same language. WeasyPrint breaks each line with Pango every time (a fifth of a
layout). `install()` wraps WeasyPrint's `split_first_line` so that a line it has broken before, with the same
text, width and every style property the function reads, is answered from memory.

The answer is the one WeasyPrint gave before, so the PDFs are the same bytes (tests/test_render_pdf.py renders
with and without it). What the function returns besides numbers is a Pango layout wrapper that WeasyPrint has
already released its Pango objects from ("deactivated": text, widths and font metrics only); each caller gets
its own copy, because drawing may change its text (an ellipsis).

The key holds the value of every style property `split_first_line` and the functions it calls read
(STYLE_KEYS). A test records the properties WeasyPrint actually reads while rendering the samples and fails
when one is missing, so a WeasyPrint upgrade that reads another property cannot make the memory answer
wrongly. The memory is installed only for the WeasyPrint versions that test has run with
(compat.CHECKED).
"""

from __future__ import annotations

from collections import OrderedDict

from . import compat

# Style properties split_first_line reads, directly or through Layout, create_layout, line_size,
# get_font_description and font_features (weasyprint/text/line_break.py, fonts.py)
STYLE_KEYS = (
    "direction", "font_family", "font_feature_settings", "font_kerning", "font_language_override", "font_size",
    "font_stretch", "font_style", "font_variant_alternates", "font_variant_caps", "font_variant_east_asian",
    "font_variant_ligatures", "font_variant_numeric", "font_variant_position", "font_variation_settings",
    "font_weight", "hyphenate_character", "hyphenate_limit_chars", "hyphenate_limit_zone", "hyphens", "lang",
    "letter_spacing", "overflow_wrap", "tab_size", "text_decoration_line", "white_space", "word_break",
    "word_spacing",
)
# Lines kept per process, the least recently used dropped first: about 0.8 kB each, so at most ~10 MB. A
# build worker renders ~50 toolkits before it is replaced; 40 toolkits of three languages left ~11,000 lines.
CAPACITY = 12_000

ENABLED = True  # tests turn it off to compare with WeasyPrint alone
_MEMO: "OrderedDict[tuple, tuple]" = OrderedDict()
_INSTALLED: list = []  # [the original split_first_line] once installed


def install() -> bool:
    """Wrap WeasyPrint's split_first_line where the layout code calls it; True if the memory is in use."""
    if _INSTALLED or not ENABLED:
        return bool(_INSTALLED)
    if not compat.speedups():
        return False
    try:
        from weasyprint.layout import inline, preferred
        from weasyprint.text import line_break

        original = line_break.split_first_line
        inline.split_first_line, preferred.split_first_line  # the names the wrapper replaces
    except (ImportError, AttributeError) as exc:
        compat.off(compat.missing(exc))
        return False
    _INSTALLED.append(original)

    def split_first_line(text, style, context, max_width, justification_spacing, is_line_start=True,
                         minimum=False):
        try:
            key = (text, max_width, justification_spacing, is_line_start, minimum, id(style.font_config),
                   *[style[k] for k in STYLE_KEYS])
            hash(key)
        except (TypeError, KeyError, AttributeError):  # a value that cannot be a key: not remembered
            return original(text, style, context, max_width, justification_spacing, is_line_start, minimum)
        found = _MEMO.get(key)
        if found is None:
            found = original(text, style, context, max_width, justification_spacing, is_line_start, minimum)
            _MEMO[key] = found
            if len(_MEMO) > CAPACITY:
                _MEMO.popitem(last=False)
        else:
            _MEMO.move_to_end(key)
        layout, *rest = found
        mine = object.__new__(type(layout))  # a shallow copy; copy.copy took a tenth of the time saved
        mine.__dict__.update(layout.__dict__)
        return (mine, *rest)

    inline.split_first_line = preferred.split_first_line = split_first_line
    return True


def uninstall() -> None:
    """Put WeasyPrint's own split_first_line back and forget every line (for tests)."""
    if _INSTALLED:
        from weasyprint.layout import inline, preferred

        inline.split_first_line = preferred.split_first_line = _INSTALLED.pop()
    _MEMO.clear()

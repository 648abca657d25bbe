"""Free text from profiles and provider files: str -> cleaned text every output can print, or ValueError naming the character."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

# C0 controls other than tab, line feed and carriage return (those are white space and folded to a space),
# DEL, and the C1 controls: U+009B is a terminal's CSI, U+0085 a line break to some readers and not others.
CONTROLS = frozenset(chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)])
# Marks, embeddings, overrides and isolates: they reorder what a reader sees ("Oy \u202eyO" shows as "Oy Oy").
# The documents set the direction of each script themselves, so a name never needs one.
DIRECTION = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Invisible format characters that real names carry: soft hyphen (from word processors), zero-width space,
# zero-width non-joiner and joiner (Arabic and Persian spelling needs them), word joiner, zero-width no-break
# space. Every vendored font has them and the PDFs draw nothing for them. Other format characters (tag
# characters, invisible operators, interlinear annotations...) can only hide text, and are refused.
HARMLESS_INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")
# What templates/fonts/ covers, for messages (the code points themselves are read from the font files).
FONT_SCRIPTS = "Latin (with Sámi and other diacritics), Cyrillic, Greek and Arabic script"


def describe(c: str) -> str:
    """A character as users can identify it: 'é' (U+00E9 LATIN SMALL LETTER E WITH ACUTE), or U+200F (...)."""
    code, name = f"U+{ord(c):04X}", unicodedata.name(c, "")
    if c.isprintable() and not c.isspace():
        return f"'{c}' ({code}{' ' + name if name else ''})"
    return f"{code} ({name})" if name else code


def _listed(chars: Iterable[str], limit: int = 3) -> str:
    distinct = list(dict.fromkeys(chars))
    shown = ", ".join(describe(c) for c in distinct[:limit])
    return shown + (f" and {len(distinct) - limit} more" if len(distinct) > limit else "")


def clean_text(v: str, printable: Optional[frozenset[int]] = None) -> str:
    """Fold white space and normalise to NFC; refuse control, direction and hiding characters, empty text and,
    given the code points the vendored fonts cover, any character the PDFs could not print."""
    for kind, chars in (("control character", CONTROLS), ("text-direction character", DIRECTION)):
        found = [c for c in v if c in chars]
        if found:
            raise ValueError(f"contains the {kind}{'s' * (len(set(found)) > 1)} {_listed(found)}; remove "
                             f"{'them' if len(set(found)) > 1 else 'it'}")
    hidden = [c for c in v if unicodedata.category(c) == "Cf" and c not in HARMLESS_INVISIBLE]
    if hidden:
        several = len(set(hidden)) > 1
        raise ValueError(f"contains the invisible character{'s' * several} {_listed(hidden)}, which can hide "
                         f"text; remove {'them' if several else 'it'}")
    folded = " ".join(v.split())
    if not folded:
        raise ValueError("must not be empty")
    if all(c in HARMLESS_INVISIBLE or c == " " for c in folded):
        raise ValueError(f"must not be empty: it holds only invisible characters, {_listed(folded.replace(' ', ''))}")
    folded = unicodedata.normalize("NFC", folded)
    if printable is not None:
        missing = [c for c in folded if ord(c) not in printable and not c.isspace()]
        if missing:
            several = len(set(missing)) > 1
            raise ValueError(f"{_listed(missing)} {'are' if several else 'is'} not in the toolkit's fonts, which "
                             f"cover {FONT_SCRIPTS}; remove or replace {'them' if several else 'it'}")
    return folded


@lru_cache(maxsize=4)
def printable_code_points(fonts_dir: Path) -> Optional[frozenset[int]]:
    """Every code point some font in fonts_dir (templates/fonts/) maps to a glyph; read once per folder.

    The stylesheets list every vendored family in each font-family, so a character any of them has is printed.
    None when the folder holds no fonts: then nothing can be printed, and the build says so, not every name.
    """
    from fontTools.ttLib import TTFont

    paths = sorted(Path(fonts_dir).glob("*.[ot]tf"))
    points: set[int] = set()
    for path in paths:
        with TTFont(path, lazy=True) as font:
            points.update(font.getBestCmap() or {})
    return frozenset(points) if paths else None

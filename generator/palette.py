"""Colours from one brand colour: '#RRGGBB' -> Palette, every text colour readable on what it is drawn on.

WCAG 2.2 AA asks text for a contrast of 4.5:1 against its background (3:1 from 18 pt, or 14 pt bold). The
documents print text in the brand colour on paper (headings, links, phone numbers), text on areas filled with
it (the day badges, table headers) and on the care pathway's four level colours. A brand colour as providers
choose it (white, pale yellow, a mid grey) would make some of that unreadable, so each use gets its own
colour: the brand colour where it reads, else the brand colour darkened or lightened (its hue and saturation
kept) just until it does; text on a fill is white or near-black, whichever reads. Any #RRGGBB can be made to
read this way (black on white is 21:1), so no brand colour is refused; `adjustments` says what changed.
"""

from __future__ import annotations

import colorsys
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

DEFAULT_BRAND = "#1F5F8B"
PAPER = "#FFFFFF"
WHITE = "#FFFFFF"
INK = "#1A1A1A"  # the documents' body text (templates/base.css)
AA = 4.5  # text under 18 pt (14 pt bold): every derived text colour is held to this
# The care pathway's levels 1-4: how much of the brand colour each head's fill has, light to dark, and the
# tint of the box behind dark text in each column.
LEVEL_TONES = (0.2, 0.4, 0.7, 1.0)
LEVEL_TINTS = (0.07, 0.1, 0.13, 0.16)
WASH = 0.04  # the work-ability lane's background: a hint of the brand colour


def rgb(colour: str) -> tuple[int, int, int]:
    c = colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def hexcode(value: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{min(255, max(0, round(v))):02X}" for v in value)


def luminance(colour: str) -> float:
    """Relative luminance as WCAG 2.2 defines it (sRGB)."""
    def lin(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4
    r, g, b = (lin(c) for c in rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours, 1.0 to 21.0."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def mix(a: str, b: str, t: float) -> str:
    """The colour t of the way from a to b."""
    return hexcode(tuple(x + (y - x) * t for x, y in zip(rgb(a), rgb(b))))


def _with_lightness(colour: str, lightness: float) -> str:
    h, _, s = colorsys.rgb_to_hls(*(c / 255 for c in rgb(colour)))
    return hexcode(tuple(c * 255 for c in colorsys.hls_to_rgb(h, lightness, s)))


def readable_on(colour: str, background: str, ratio: float = AA, darker: bool = True) -> str:
    """colour as it is if it reaches ratio on background, else darkened (or lightened) just until it does.

    Only the HLS lightness changes, so the hue stays; luminance grows with lightness, so a binary search
    finds the smallest change. Black and white always get there against a light and a dark background.
    """
    if contrast(colour, background) >= ratio:
        return colour
    _, lightness, _ = colorsys.rgb_to_hls(*(c / 255 for c in rgb(colour)))
    lo, hi = (0.0, lightness) if darker else (lightness, 1.0)  # the answer lies between; keep the readable end
    for _ in range(30):
        mid = (lo + hi) / 2
        if (contrast(_with_lightness(colour, mid), background) >= ratio) == darker:
            lo = mid
        else:
            hi = mid
    found = _with_lightness(colour, lo if darker else hi)
    if contrast(found, background) < ratio:  # rounding to 8 bits can land just short
        found = "#000000" if darker else "#FFFFFF"
    return found


def text_on(fill: str) -> str:
    """White or near-black text, whichever reads better on fill."""
    return WHITE if contrast(WHITE, fill) >= contrast(INK, fill) else INK


def fill_for_text(colour: str, ratio: float = AA) -> tuple[str, str]:
    """(fill, text): colour as a fill with white or near-black text on it, adjusted until one of them reads.

    A mid colour (a 50 % grey) reads with neither: it is darkened for white text or lightened for near-black,
    whichever needs the smaller change.
    """
    text = text_on(colour)
    if contrast(text, colour) >= ratio:
        return colour, text
    darker = readable_on(colour, WHITE, ratio, darker=True)
    lighter = readable_on(colour, INK, ratio, darker=False)
    lightness = colorsys.rgb_to_hls(*(c / 255 for c in rgb(colour)))[1]
    def change(c: str) -> float:
        return abs(colorsys.rgb_to_hls(*(x / 255 for x in rgb(c)))[1] - lightness)
    best = darker if change(darker) <= change(lighter) else lighter
    return best, text_on(best)


@dataclass(frozen=True)
class Level:
    """One care-pathway level: its head's fill and text, and the tint behind dark text in its column."""

    tone: str
    ink: str
    tint: str


@dataclass(frozen=True)
class Palette:
    """Every colour the documents derive from the brand colour (see the module's docstring)."""

    brand: str     # as given
    accent: str    # text and rules on paper and on the wash
    fill: str      # areas with text on them: the day badges, table headers
    on_fill: str   # text on fill
    wash: str      # a faint brand tint behind text (the work-ability lane)
    levels: tuple[Level, ...]

    def css(self) -> str:
        """The palette as CSS custom properties of :root, for the PDF templates."""
        props = {"accent": self.accent, "fill": self.fill, "on-fill": self.on_fill, "wash": self.wash}
        for n, lv in enumerate(self.levels, start=1):
            props.update({f"tone-{n}": lv.tone, f"ink-{n}": lv.ink, f"tint-{n}": lv.tint})
        return " ".join(f"--{k}: {v};" for k, v in props.items())

    def adjustments(self) -> Optional[str]:
        """What had to change for the documents to stay readable, as one sentence; None when nothing did."""
        if self.accent == self.brand and self.fill == self.brand:
            return None
        under, uses = [], []
        if self.accent != self.brand:
            under.append(f"{_ratio(contrast(self.brand, PAPER))} on white paper")
            uses.append(f"{self.accent} for text")
        if _best_text(self.brand) < AA:
            under.append(f"at most {_ratio(_best_text(self.brand))} with text on it")
        if self.fill != self.brand:
            uses.append(f"{self.fill} behind {'white' if self.on_fill == WHITE else 'near-black'} text")
        hint = (f"; a shade as dark as {self.accent} would be used as given" if self.accent != self.brand else "")
        return (f"{self.brand} gives {' and '.join(under)}, under the 4.5:1 that WCAG 2.2 AA asks of text; "
                f"the documents use {' and '.join(uses)} instead{hint}")


def _ratio(value: float) -> str:
    """A contrast ratio cut (not rounded) to one decimal, so 4.48 never reads as the 4.5 it misses."""
    return f"{int(value * 10) / 10:.1f}:1"


def _best_text(fill: str) -> float:
    return max(contrast(WHITE, fill), contrast(INK, fill))


@lru_cache(maxsize=64)
def palette(brand: Optional[str] = None) -> Palette:
    """The palette of a brand colour (#RRGGBB; None: the toolkit's default)."""
    brand = (brand or DEFAULT_BRAND).upper()
    accent = readable_on(brand, PAPER)
    # The faintest of tints; fainter still (down to paper) where the accent would not read on it
    wash = next(w for w in (mix(PAPER, accent, WASH * k / 4) for k in (4, 3, 2, 1, 0)) if contrast(accent, w) >= AA)
    # A fill that barely differs from the paper would not show as one (white, pale yellow): the accent
    # colour fills instead, so a badge still looks like a badge.
    fill, on_fill = fill_for_text(brand if contrast(brand, PAPER) >= 1.5 else accent)
    levels = []
    for tone_share, tint_share in zip(LEVEL_TONES, LEVEL_TINTS):
        tone, ink = fill_for_text(mix(PAPER, accent, tone_share))
        tint = readable_on(mix(PAPER, accent, tint_share), INK, darker=False)
        levels.append(Level(tone, ink, tint))
    return Palette(brand, accent, fill, on_fill, wash, tuple(levels))

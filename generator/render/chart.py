"""Draw the needs chart: the client's figures against the peer median -> PNG bytes, in the vendored fonts.

Drawn with Pillow rather than matplotlib, whose import alone costs about 0.5 s per worker. One row per figure,
each on its own scale (a percentage on 0-100 %, days and counts on a round number above the larger of the two
values), because the figures have different units: what a reader compares is the client's bar with the
median's bar under it. Every bar carries its number, so the chart never relies on colour alone.
Byte-identical for equal input: Pillow writes no time or software name into a PNG, the fonts come from
templates/fonts/, and text is laid out by FreeType's basic layout (no system shaping library).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional, Sequence

WIDTH = 1600          # pixels; the plan shows it as wide as the text (about 16.6 cm, so about 245 dpi)
PAD = 20
BAR_H = 34
TEXT_RESERVE = 300    # room right of the longest bar for its number
INK, MUTED, PEER, RULE = (34, 34, 34), (90, 90, 90), (150, 160, 168), (215, 220, 224)
DEFAULT_COLOUR = "#1F5F8B"


@dataclass(frozen=True)
class Bar:
    """One figure of the chart: what it is, the client's value and the peer median (None: no comparison)."""

    label: str
    note: str          # what the number means, under the label: "23 % of respondents report it as a strain"
    value: float
    value_text: str
    peer: Optional[float]
    peer_text: str
    percent: bool


@lru_cache(maxsize=8)
def _font(path: str, size: int):
    from PIL import ImageFont

    return ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.BASIC)


def scale_of(bar: Bar) -> float:
    """The value a full-width bar stands for: 100 for a percentage, else a round number above both values."""
    if bar.percent:
        return 100.0
    top = max(bar.value, bar.peer or 0.0, 1.0) * 1.15
    step = 10 ** math.floor(math.log10(top))
    return math.ceil(top / step) * step


def usable_colour(colour: Optional[str]) -> tuple[int, int, int]:
    """The brand colour, unless it is too light to see against white (contrast under 3:1): then the default."""
    def rgb(hex_: str) -> tuple[int, int, int]:
        return tuple(int(hex_.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]

    def luminance(c: tuple[int, int, int]) -> float:
        lin = [(v / 255) / 12.92 if v / 255 <= 0.03928 else ((v / 255 + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    if colour:
        c = rgb(colour)
        if 1.05 / (luminance(c) + 0.05) >= 3.0:
            return c
    return rgb(DEFAULT_COLOUR)


def _wrap(text: str, font, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if line and font.getlength(trial) > width:
            lines.append(line)
            line = word
        else:
            line = trial
    return lines + [line] if line else lines


def draw(bars: Sequence[Bar], you: str, peers: str, colour: Optional[str], fonts_dir: Path) -> bytes:
    """The chart as PNG bytes: a legend, then per figure its label, the client's bar and the median's bar."""
    from PIL import Image, ImageDraw

    regular = str(fonts_dir / "NotoSans-Regular.ttf")
    bold = str(fonts_dir / "NotoSans-Bold.ttf")
    f_label, f_text = _font(bold, 26), _font(regular, 25)
    brand = usable_colour(colour)
    track = WIDTH - 2 * PAD - TEXT_RESERVE
    labels = [[(line, f_label) for line in _wrap(b.label, f_label, WIDTH - 2 * PAD)]
              + [(line, f_text) for line in _wrap(b.note, f_text, WIDTH - 2 * PAD)] for b in bars]
    line_h, legend_h, gap = 36, 56, 30
    height = PAD + legend_h + sum(len(ls) * line_h + 2 * BAR_H + 14 + gap for ls in labels) + PAD
    img = Image.new("RGB", (WIDTH, height), (255, 255, 255))
    d = ImageDraw.Draw(img)
    x = PAD
    for fill, text in ((brand, you), (PEER, peers)):  # the legend
        d.rectangle((x, PAD + 8, x + 26, PAD + 34), fill=fill)
        d.text((x + 36, PAD + 4), text, font=f_text, fill=INK)
        x += 36 + int(f_text.getlength(text)) + 48
    y = PAD + legend_h
    for bar, lines in zip(bars, labels):
        d.line((PAD, y - gap // 2, WIDTH - PAD, y - gap // 2), fill=RULE, width=2)
        for line, font in lines:
            d.text((PAD, y), line, font=font, fill=INK if font is f_label else MUTED)
            y += line_h
        y += 6
        full = scale_of(bar)
        for value, text, fill in ((bar.value, bar.value_text, brand), (bar.peer, bar.peer_text, PEER)):
            length = 0 if value is None else max(2, round(track * min(value, full) / full))
            if length:
                d.rectangle((PAD, y, PAD + length, y + BAR_H - 6), fill=fill)
            d.text((PAD + length + 12, y - 2), text, font=f_text, fill=INK if value is not None else MUTED)
            y += BAR_H + 4
        y += gap
    buf = io.BytesIO()
    img.save(buf, "PNG", compress_level=6)
    return buf.getvalue()

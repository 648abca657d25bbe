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


@lru_cache(maxsize=512)
def _wrap(text: str, font, width: int) -> tuple[str, ...]:
    """text broken into lines of at most width pixels. Remembered: the same labels recur in client after client,
    and measuring a line costs a millisecond."""
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if line and font.getlength(trial) > width:
            lines.append(line)
            line = word
        else:
            line = trial
    return tuple(lines + [line] if line else lines)


# The chart is painted straight into a palette image (one byte a pixel instead of three): it holds only white,
# the greys of its text (dark grey on white, smoothed at the edges: every grey from INK up to white) and three
# flat colours. Greys keep their own level as their palette index; the flat colours take indices below the
# darkest grey, which no text pixel reaches. The pixels are those an RGB drawing gives, and a palette PNG
# encodes in a third of the time (the chart was a tenth of a plan's render time).
BRAND_I, PEER_I, RULE_I = 0, 1, 2
assert min(INK[0], MUTED[0]) > RULE_I and all(c[0] == c[1] == c[2] for c in (INK, MUTED))


def draw(bars: Sequence[Bar], you: str, peers: str, colour: Optional[str], fonts_dir: Path) -> bytes:
    """The chart as PNG bytes: a legend, then per figure its label, the client's bar and the median's bar."""
    from PIL import Image, ImageDraw

    regular = str(fonts_dir / "NotoSans-Regular.ttf")
    bold = str(fonts_dir / "NotoSans-Bold.ttf")
    f_label, f_text = _font(bold, 26), _font(regular, 25)
    palette = [v for level in range(256) for v in (level, level, level)]
    for index, rgb in ((BRAND_I, usable_colour(colour)), (PEER_I, PEER), (RULE_I, RULE)):
        palette[3 * index:3 * index + 3] = rgb
    ink, muted = INK[0], MUTED[0]
    track = WIDTH - 2 * PAD - TEXT_RESERVE
    labels = [[(line, f_label) for line in _wrap(b.label, f_label, WIDTH - 2 * PAD)]
              + [(line, f_text) for line in _wrap(b.note, f_text, WIDTH - 2 * PAD)] for b in bars]
    line_h, legend_h, gap = 36, 56, 30
    height = PAD + legend_h + sum(len(ls) * line_h + 2 * BAR_H + 14 + gap for ls in labels) + PAD
    img = Image.new("L", (WIDTH, height), 255)  # text is drawn in grey levels, smoothed as on white
    d = ImageDraw.Draw(img)
    x = PAD
    for fill, text in ((BRAND_I, you), (PEER_I, peers)):  # the legend
        d.rectangle((x, PAD + 8, x + 26, PAD + 34), fill=fill)
        d.text((x + 36, PAD + 4), text, font=f_text, fill=ink)
        x += 36 + int(f_text.getlength(text)) + 48
    y = PAD + legend_h
    for bar, lines in zip(bars, labels):
        d.line((PAD, y - gap // 2, WIDTH - PAD, y - gap // 2), fill=RULE_I, width=2)
        for line, font in lines:
            d.text((PAD, y), line, font=font, fill=ink if font is f_label else muted)
            y += line_h
        y += 6
        full = scale_of(bar)
        for value, text, fill in ((bar.value, bar.value_text, BRAND_I), (bar.peer, bar.peer_text, PEER_I)):
            length = 0 if value is None else max(2, round(track * min(value, full) / full))
            if length:
                d.rectangle((PAD, y, PAD + length, y + BAR_H - 6), fill=fill)
            d.text((PAD + length + 12, y - 2), text, font=f_text, fill=ink if value is not None else muted)
            y += BAR_H + 4
        y += gap
    out = Image.frombytes("P", img.size, img.tobytes())
    out.putpalette(palette)
    buf = io.BytesIO()
    out.save(buf, "PNG", compress_level=6)
    return buf.getvalue()

"""Text widths in the vendored Noto Sans, read with fontTools: enough to tell whether a name fits a line."""

from __future__ import annotations

from pathlib import Path

_ADVANCES: dict[tuple[Path, bool], tuple] = {}


def _advances(fonts: Path, bold: bool) -> tuple[dict[int, int], int]:
    """(code point -> advance width, units per em) of the vendored Noto Sans, read once per process."""
    key = (fonts, bold)
    if key not in _ADVANCES:
        from fontTools.ttLib import TTFont

        font = TTFont(fonts / ("NotoSans-Bold.ttf" if bold else "NotoSans-Regular.ttf"), lazy=True)
        cmap, hmtx = font.getBestCmap(), font["hmtx"]
        _ADVANCES[key] = ({cp: hmtx[g][0] for cp, g in cmap.items()}, font["head"].unitsPerEm)
    return _ADVANCES[key]


def text_width(text: str, size: float, fonts: Path, bold: bool = False) -> float:
    """Width in pt of text set in the vendored Noto Sans (no kerning; an unknown glyph counts as 1 em)."""
    advances, upm = _advances(fonts, bold)
    return sum(advances.get(ord(c), upm) for c in text) * size / upm


def in_main_font(text: str, fonts: Path, bold: bool = False) -> bool:
    """Whether the vendored Noto Sans has every character of text (no fallback font is needed for it)."""
    advances = _advances(fonts, bold)[0]
    return all(ord(c) in advances for c in text)

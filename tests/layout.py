"""What a reader sees in a built document: the contrast of every character against what it is drawn on, and
glyphs of different lines drawn over each other. Judged from the PDF itself, by third-party readers.

PDF: pdfium (pypdfium2, the engine of Chrome's viewer) gives each character, its fill colour, size and font.
What it is drawn on is read from the page as pdfium renders it with the text taken out (pypdf's remove_text): that sees what a
reader sees, clipping, rounded corners and borders drawn as even-odd rings included, which the filled
rectangles pdfminer reports do not tell.

Word: the colours of the styles, table styles and runs, against the shading they stand on (python-docx's
XML; Word draws "auto" text black or white, whichever reads).
"""

from __future__ import annotations

import ctypes
import io
import unicodedata
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from generator.palette import contrast, hexcode

SCALE = 2.0  # background raster: 144 dpi, so a 5 pt character still covers a few pixels
AA_NORMAL, AA_LARGE = 4.5, 3.0


@dataclass
class PdfFindings:
    pages: int = 0
    chars: int = 0
    low_contrast: list[str] = field(default_factory=list)  # one line per run of failing characters
    overprints: list[str] = field(default_factory=list)
    lowest: float = 21.0  # the lowest ratio found, for reports


def _chars(textpage, page_height: float) -> list[dict]:
    """Every drawn, non-blank character of a page: its box (advance width, font ascent to descent; top-down
    coordinates as the raster), baseline (PDF's upward y), size in points, boldness and fill colour."""
    import pypdfium2.raw as R

    raw = textpage.raw
    out = []
    rect, matrix = R.FS_RECTF(), R.FS_MATRIX()
    rgba = [ctypes.c_uint() for _ in range(4)]
    ox, oy = ctypes.c_double(), ctypes.c_double()
    name = ctypes.create_string_buffer(256)
    flags = ctypes.c_int()
    for i in range(R.FPDFText_CountChars(raw)):
        text = chr(R.FPDFText_GetUnicode(raw, i))
        if not text.strip() or unicodedata.category(text) == "Cf" or R.FPDFText_IsGenerated(raw, i) == 1:
            continue
        R.FPDFText_GetLooseCharBox(raw, i, rect)
        if rect.right <= rect.left:
            continue
        R.FPDFText_GetMatrix(raw, i, matrix)
        R.FPDFText_GetCharOrigin(raw, i, ox, oy)
        R.FPDFText_GetFillColor(raw, i, *rgba)
        R.FPDFText_GetFontInfo(raw, i, name, len(name), flags)
        scale = abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5
        out.append({"text": text, "x0": rect.left, "x1": rect.right, "top": page_height - rect.top,
                    "bottom": page_height - rect.bottom, "base": oy.value,
                    "size": R.FPDFText_GetFontSize(raw, i) * scale,
                    "bold": b"bold" in name.value.lower(), "colour": hexcode(tuple(c.value for c in rgba[:3]))})
    return out


def _backgrounds(path: Path):
    """Each page rendered without its text (pypdf's remove_text), as PIL images."""
    import pypdfium2 as pdfium
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=str(path))
    writer.remove_text()
    buf = io.BytesIO()
    writer.write(buf)
    bare = pdfium.PdfDocument(buf.getvalue())
    return [bare[i].render(scale=SCALE).to_pil().convert("RGB") for i in range(len(bare))]


def _behind(img, ch) -> str:
    """The colour most of the character's box is drawn on (its middle, clear of neighbouring borders)."""
    px = img.load()
    w, h = img.size
    x0, x1 = ch["x0"], ch["x1"]
    top, bottom = ch["top"], ch["bottom"]
    points = Counter()
    for fx in (0.3, 0.5, 0.7):
        for fy in (0.35, 0.55, 0.75):
            x = int((x0 + (x1 - x0) * fx) * SCALE)
            y = int((top + (bottom - top) * fy) * SCALE)
            if 0 <= x < w and 0 <= y < h:
                points[px[x, y]] += 1
    if not points:  # outside the page: drawn on nothing a reader sees
        return "#FFFFFF"
    return hexcode(points.most_common(1)[0][0])


def _large(ch) -> bool:
    """WCAG's large text: 18 pt, or 14 pt bold."""
    return ch["size"] >= 18 or (ch["size"] >= 14 and ch["bold"])


JUDGED: dict[str, PdfFindings] = {}  # client/file -> findings, for the test run's summary (conftest.py)


@lru_cache(maxsize=64)
def inspect_pdf(path: Path) -> PdfFindings:
    """Contrast of every visible character and overprinted glyphs, page by page (cached per file)."""
    import pypdfium2 as pdfium

    found = PdfFindings()
    backgrounds = _backgrounds(path)
    doc = pdfium.PdfDocument(str(path))
    try:
        found.pages = len(doc)
        for number, img in enumerate(backgrounds, start=1):
            page = doc[number - 1]
            chars = _chars(page.get_textpage(), page.get_height())
            found.chars += len(chars)
            _contrast(chars, img, number, found)
            _overprints(chars, number, found)
    finally:
        doc.close()
    JUDGED[f"{path.parent.name}/{path.name}"] = found
    return found


def _contrast(chars, img, number: int, found: PdfFindings) -> None:
    failing: dict[tuple, list[str]] = defaultdict(list)
    for ch in chars:
        fg = ch["colour"]
        bg = _behind(img, ch)
        ratio = contrast(fg, bg)
        found.lowest = min(found.lowest, ratio)
        need = AA_LARGE if _large(ch) else AA_NORMAL
        if ratio < need:
            failing[(fg, bg, round(ratio, 2), need, round(ch["size"], 1))].append(ch["text"])
    for (fg, bg, ratio, need, size), text in failing.items():
        found.low_contrast.append(f"page {number}: {fg} on {bg} is {ratio}:1 (needs {need}:1 at {size} pt): "
                                  f"{''.join(text)[:80]!r}")


def _lines(chars) -> list[list[dict]]:
    """Characters in drawing order, cut into lines: a new line where the baseline moves, or the next character
    starts left of the previous one or far to its right (another cell of a table, another margin box)."""
    lines: list[list[dict]] = []
    prev = None
    for ch in chars:
        base = ch["base"]
        if prev is None or abs(base - prev["base"]) > 0.2 * ch["size"] or ch["x0"] < prev["x0"] - 0.5 \
                or ch["x0"] > prev["x1"] + 1.5 * ch["size"]:
            lines.append([])
        lines[-1].append(ch)
        prev = ch
    return lines


def _core(ch) -> tuple[float, float, float, float]:
    """The part of a glyph's box that ink is sure to fill: the middle of its advance, baseline to x-height."""
    base, size, w = ch["base"], ch["size"], ch["x1"] - ch["x0"]
    return ch["x0"] + 0.15 * w, base - 0.05 * size, ch["x1"] - 0.15 * w, base + 0.5 * size


def _overprints(chars, number: int, found: PdfFindings) -> None:
    """Glyphs of different lines whose cores overlap: text drawn over text."""
    grid: dict[tuple[int, int], list[tuple[int, tuple, dict]]] = defaultdict(list)
    hits: dict[tuple[int, int], tuple[dict, dict]] = {}
    for li, line in enumerate(_lines(chars)):
        for ch in line:
            box = _core(ch)
            cells = {(int(x // 24), int(y // 24)) for x in (box[0], box[2]) for y in (box[1], box[3])}
            for cell in cells:
                for other_line, other, och in grid[cell]:
                    if other_line != li and box[0] < other[2] - 0.3 and other[0] < box[2] - 0.3 \
                            and box[1] < other[3] - 0.3 and other[1] < box[3] - 0.3:
                        hits.setdefault((other_line, li), (och, ch))
            for cell in cells:
                grid[cell].append((li, box, ch))
    for a, b in hits.values():
        found.overprints.append(f"page {number}: {a['text']!r} at ({a['x0']:.0f}, {a['top']:.0f}) and {b['text']!r} "
                                f"at ({b['x0']:.0f}, {b['top']:.0f}) overlap")


# ---- Word ----

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass(frozen=True)
class _Style:
    color: str | None
    fill: str | None
    based_on: str | None
    first_row: tuple[str | None, str | None] = (None, None)  # table styles: header row (color, fill)


def _val(el, tag: str, attr: str = "val") -> str | None:
    found = el.find(tag) if el is not None else None
    return found.get(f"{W}{attr}") if found is not None else None


def _styles(xml: bytes) -> dict[str, _Style]:
    from lxml import etree
    out = {}
    for st in etree.fromstring(xml).iter(f"{W}style"):
        rpr, ppr = st.find(f"{W}rPr"), st.find(f"{W}pPr")
        first = (None, None)
        for cond in st.iter(f"{W}tblStylePr"):
            if cond.get(f"{W}type") == "firstRow":
                first = (_val(cond.find(f"{W}rPr"), f"{W}color"), _val(cond.find(f"{W}tcPr"), f"{W}shd", "fill"))
        out[st.get(f"{W}styleId")] = _Style(_val(rpr, f"{W}color"), _val(rpr, f"{W}shd", "fill")
                                            or _val(ppr, f"{W}shd", "fill"), _val(st, f"{W}basedOn"), first)
    return out


def _resolve(styles: dict[str, _Style], sid: str | None, what: str) -> str | None:
    seen = set()
    while sid and sid in styles and sid not in seen:
        seen.add(sid)
        value = getattr(styles[sid], what)
        if value:
            return value
        sid = styles[sid].based_on
    return None


def _usable(colour: str | None) -> str | None:
    return None if colour in (None, "auto", "") else "#" + colour.upper()


def docx_contrast(path: Path) -> tuple[list[str], float]:
    """(runs whose text colour does not reach 4.5:1 on what it stands on, the lowest ratio found)."""
    from lxml import etree
    problems: list[str] = []
    lowest = 21.0
    with zipfile.ZipFile(path) as z:
        styles = _styles(z.read("word/styles.xml"))
        parts = [n for n in z.namelist() if n.startswith("word/") and n.endswith(".xml")
                 and n.split("/")[-1].startswith(("document", "header", "footer"))]
        roots = {n: etree.fromstring(z.read(n)) for n in parts}
    for name, root in roots.items():
        for run in root.iter(f"{W}r"):
            text = "".join(t.text or "" for t in run.iter(f"{W}t")).strip()
            if not text:
                continue
            fg, bg = _run_colours(run, styles)
            if fg is None:
                continue  # "auto": Word draws it black or white, whichever reads
            ratio = contrast(fg, bg)
            lowest = min(lowest, ratio)
            if ratio < AA_NORMAL:
                problems.append(f"{name}: {fg} on {bg} is {ratio:.2f}:1: {text[:60]!r}")
    return problems, lowest


def _run_colours(run, styles: dict[str, _Style]) -> tuple[str | None, str]:
    """The colour of a run's text and of what it stands on: run, character style, paragraph style, the
    table cell's shading and its table style's header row, else white paper."""
    rpr = run.find(f"{W}rPr")
    p = next((a for a in run.iterancestors(f"{W}p")), None)
    pstyle = _val(p.find(f"{W}pPr") if p is not None else None, f"{W}pStyle")
    rstyle = _val(rpr, f"{W}rStyle")
    fg = _val(rpr, f"{W}color") or _resolve(styles, rstyle, "color") or _resolve(styles, pstyle, "color")
    bg = _val(rpr, f"{W}shd", "fill") or _resolve(styles, rstyle, "fill") or _resolve(styles, pstyle, "fill")
    tc = next((a for a in run.iterancestors(f"{W}tc")), None)
    if tc is not None:
        bg = bg or _val(tc.find(f"{W}tcPr"), f"{W}shd", "fill")
        tr = next(tc.iterancestors(f"{W}tr"))
        tbl = next(tr.iterancestors(f"{W}tbl"))
        tblpr = tbl.find(f"{W}tblPr")
        header = tr.find(f"{W}trPr") is not None and tr.find(f"{W}trPr").find(f"{W}tblHeader") is not None
        look = tblpr.find(f"{W}tblLook") if tblpr is not None else None
        if header and (look is None or look.get(f"{W}firstRow") != "0"):
            color, fill = _first_row(styles, _val(tblpr, f"{W}tblStyle"))
            fg = _val(rpr, f"{W}color") or color or fg
            bg = bg or fill
    return _usable(fg), _usable(bg) or "#FFFFFF"


def _first_row(styles: dict[str, _Style], sid: str | None) -> tuple[str | None, str | None]:
    seen = set()
    while sid and sid in styles and sid not in seen:
        seen.add(sid)
        if any(styles[sid].first_row):
            return styles[sid].first_row
        sid = styles[sid].based_on
    return None, None

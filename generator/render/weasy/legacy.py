"""What WeasyPrint 68 and 69 write differently from 70, brought in line by the PDF finisher (engine.py).

The declared range starts at 68.0, the first version with the URL fetcher the renderers need. Two of its
differences would break a promise of ours: checked boxes drawn with the ZapfDingbats font, which is not
embedded (`toolkit check` refuses a font that is not the templates' own), and table-header ids taken from
memory addresses, so the same input gave other bytes in every process. Both are mended on the PDF objects
before they are written, through the finisher WeasyPrint offers; with 70 nothing here runs.
"""

from __future__ import annotations

from typing import Optional

from . import compat


def needed() -> bool:
    """Whether the installed WeasyPrint writes what this module mends (68.x and 69.x)."""
    return _major(compat.version()) in (68, 69)


def _major(version: Optional[str]) -> Optional[int]:
    try:
        return int((version or "").split(".")[0])
    except ValueError:
        return None


def mend(pdf) -> None:
    """Mend the PDF objects of a 68.x or 69.x document in place."""
    draw_marks_without_dingbats(pdf)
    stable_header_ids(pdf)


def draw_marks_without_dingbats(pdf) -> None:
    """Draw a checked checkbox as a filled check mark, as WeasyPrint 70 does, not as the ZapfDingbats glyph of
    WeasyPrint 68-69 (appearance stream, /DA, /MK /CA), which also lists that font, not embedded, in the
    resources of every page: check refuses a font that is not the templates' own. WeasyPrint 70 adds no such
    font, and its PDFs are left as they are. A field that uses the font otherwise (a radio button's disc)
    keeps it, and check says so.
    """
    import pydyf

    fonts = [o for o in pdf.objects if isinstance(o, pydyf.Dictionary) and o.get("BaseFont") == "/ZapfDingbats"]
    if not fonts:
        return
    widgets = [o for o in pdf.objects if isinstance(o, pydyf.Dictionary) and isinstance(o.get("DA"), pydyf.String)
               and b"/ZaDb " in o["DA"].data]
    marks = []
    for widget in widgets:
        glyph = widget.get("MK", {}).get("CA")
        streams = [pdf.objects[int(ref.split()[0])] for ref in widget["AP"]["N"].values()]
        if glyph is None or glyph.string != "4" or not all(
                b"BT" in s.stream and any(isinstance(op, bytes) and op.endswith(b" Tf") for op in s.stream)
                for s in streams):
            return
        marks.append((widget, streams))
    for widget, streams in marks:
        for stream in streams:
            ops = stream.stream
            start = ops.index(b"BT") + 1
            colour = ops[start:next(i for i in range(start, len(ops)) if ops[i].endswith(b" Tf"))]
            stream.stream = list(colour)
            _, _, width, height = stream.extra["BBox"]
            cx, cy = rx, ry = width / 2, height / 2
            stream.move_to(cx - rx, cy)
            stream.line_to(cx, cy - ry)
            stream.line_to(cx + rx, cy + ry)
            stream.line_to(cx - rx / 7, cy - ry / 3)
            stream.close()
            stream.fill()
        da = widget.pop("DA").data.split()  # (/a1.0 gs 0.066667 0.066667 0.066667 rg /ZaDb 8.5 Tf)
        rg = da.index(b"rg") if b"rg" in da else 0
        widget["MK"] = pydyf.Dictionary({"BC": pydyf.Array(da[rg - 3:rg])} if rg >= 3 else {})
        widget["Border"] = pydyf.Array((0, 0, 0))
    references = {font.reference for font in fonts}
    for obj in pdf.objects:
        if isinstance(obj, pydyf.Dictionary):
            for key in [k for k, v in obj.items() if isinstance(v, bytes) and v in references]:
                del obj[key]  # the page fonts' /ZaDb
    for font in fonts:
        font.clear()  # left unreferenced: pydyf cannot leave a numbered object out


def stable_header_ids(pdf) -> None:
    """WeasyPrint 66-69 identify a table header cell in the structure tree (its /ID, and the /Headers of the
    cells under it) by the id() of its box, a memory address that changes from process to process: the same
    input gave other bytes each time. Number them in the order they are written instead. WeasyPrint 70 names
    them after the table and the cell, as text, and its PDFs are left as they are.
    """
    import pydyf

    ids: dict[int, pydyf.String] = {}

    def stable(value):
        if isinstance(value, pydyf.String) and isinstance(value.string, int):
            return ids.setdefault(value.string, pydyf.String(f"th{len(ids) + 1}"))
        return value

    for obj in pdf.objects:
        if isinstance(obj, pydyf.Dictionary):
            if "ID" in obj:
                obj["ID"] = stable(obj["ID"])
            if isinstance(obj.get("A"), pydyf.Dictionary) and isinstance(obj["A"].get("Headers"), list):
                obj["A"]["Headers"][:] = [stable(key) for key in obj["A"]["Headers"]]

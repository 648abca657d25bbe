"""Test helpers: read and fill a built plan's content controls by tag, as a user does in Word."""

from __future__ import annotations

import io
import zipfile
from typing import Iterator, Optional

from docx.oxml.ns import qn
from lxml import etree

from generator.render.docx.xml import CHECKED, NS, UNCHECKED, W14_NS


def _iter_sdts(root: etree._Element) -> Iterator[etree._Element]:
    yield from root.iter(qn("w:sdt"))


def _tag_of(sdt: etree._Element) -> Optional[str]:
    tag = sdt.find("w:sdtPr/w:tag", NS)
    return tag.get(qn("w:val")) if tag is not None else None


def _value_of(sdt: etree._Element) -> str:
    pr = sdt.find("w:sdtPr", NS)
    box = pr.find("w14:checkbox/w14:checked", NS)
    if box is not None:
        return "1" if box.get(f"{{{W14_NS}}}val") in ("1", "true") else "0"
    if pr.find("w:showingPlcHdr", NS) is not None:
        return ""
    return "".join(t.text or "" for t in sdt.iterfind("w:sdtContent//w:t", NS))


def read_controls(data: bytes) -> list[tuple[str, str]]:
    """(tag, value) of every content control in document order; placeholders read as "", check boxes as 1/0."""
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    root = etree.fromstring(xml)
    return [(t, _value_of(s)) for s in _iter_sdts(root) if (t := _tag_of(s)) is not None]


def fill_controls(data: bytes, values: dict[str, str]) -> bytes:
    """Fill controls by tag as a user would: text replaces the placeholder; "1"/"0" sets a check box."""
    src = zipfile.ZipFile(io.BytesIO(data))
    root = etree.fromstring(src.read("word/document.xml"))
    for sdt in _iter_sdts(root):
        tag = _tag_of(sdt)
        if tag not in values:
            continue
        pr = sdt.find("w:sdtPr", NS)
        box = pr.find("w14:checkbox/w14:checked", NS)
        texts = list(sdt.iterfind("w:sdtContent//w:t", NS))
        if box is not None:
            box.set(f"{{{W14_NS}}}val", "1" if values[tag] == "1" else "0")
            texts[0].text = CHECKED if values[tag] == "1" else UNCHECKED
            continue
        for flag in pr.findall("w:showingPlcHdr", NS):
            pr.remove(flag)
        for rpr in list(sdt.iterfind("w:sdtContent//w:rPr", NS)):
            rpr.getparent().remove(rpr)
        texts[0].text = values[tag]
        for t in texts[1:]:
            t.getparent().remove(t)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "word/document.xml":
                content = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            dst.writestr(info, content)
    return out.getvalue()

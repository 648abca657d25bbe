"""Read a returned action plan: bytes of a .docx saved by Word or LibreOffice -> its identity and every value.

The tag scheme is docs/docx-tags.md. Word keeps each control's tag; LibreOffice drops tags but keeps the hidden
bookmark inside each control, which the document's tag map names. Rows users added are found in each fill-in
table: a row whose tags were already seen in that table (Word's repeating section copies its neighbour), or
one without controls (LibreOffice inserts plain rows) is read by column and gets an id of its own.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from typing import Iterable, Optional

from . import Identity, NotReadable, Returned, iso_timestamp, revision
from .safe import open_zip, parse_xml

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"
W15 = "{http://schemas.microsoft.com/office/word/2012/wordml}"
TAGMAP = "{urn:x-mielenterveys-toolkit:tags:1}"
CP = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}"
DCTERMS = "{http://purl.org/dc/terms/}"
VT = "{http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes}"


def read_plan(data: bytes, placeholders: Iterable[str] = ()) -> Returned:
    """The identity, every control's value by tag and every fill-in table's rows of a returned plan.

    placeholders: the prompt texts of empty fields in every language; LibreOffice saves a placeholder that
    was never replaced as literal text, which reads as empty here.
    """
    parts = open_zip(data)
    identity = _identity(parts)
    bookmarks, tables = _tagmap(parts)
    if "word/document.xml" not in parts:
        raise NotReadable("the package has no word/document.xml")
    root = parse_xml(parts["word/document.xml"], "word/document.xml")
    reader = _Reader(bookmarks, frozenset(p.strip() for p in placeholders if p.strip()))
    out = Returned(identity)
    for sdt in _controls(root):
        tag = reader.tag(sdt)
        if tag and tag not in out.fields:
            out.fields[tag] = reader.value(sdt)
    for tbl in root.iter(f"{W}tbl"):
        spec = _table_spec(tbl, tables)
        if spec:
            out.rows[spec[0]] = reader.rows(tbl, *spec)
    return out


# ---- identity ------------------------------------------------------------------------------------------------

def _identity(parts: dict[str, bytes]) -> Identity:
    props: dict[str, str] = {}
    if "docProps/custom.xml" in parts:
        for prop in parse_xml(parts["docProps/custom.xml"], "docProps/custom.xml"):
            value = next(iter(prop), None)
            if value is not None:
                props[prop.get("name", "")] = (value.text or "").strip()
    client, document = props.get("toolkit.client"), props.get("toolkit.document")
    if not client or not document:
        raise NotReadable("not a toolkit document: it carries no toolkit.client property (made with another "
                          "program, or its document properties were removed)")
    modified, saves = "", 0
    if "docProps/core.xml" in parts:
        core = parse_xml(parts["docProps/core.xml"], "docProps/core.xml")
        m = core.find(f"{DCTERMS}modified")
        modified = iso_timestamp(m.text or "") if m is not None else ""
        r = core.find(f"{CP}revision")
        saves = revision(r.text or "") if r is not None else 0
    return Identity(client, document, props.get("toolkit.language", ""), props.get("toolkit.content", ""),
                    props.get("toolkit.generator", ""), modified, saves, props.get("toolkit.tags", ""))


def _tagmap(parts: dict[str, bytes]) -> tuple[dict[str, str], dict[str, tuple[str, tuple[str, ...]]]]:
    """bookmark -> tag, and header bookmark -> (table id, field per column), from the document's tag map."""
    for name, body in parts.items():
        if re.fullmatch(r"customXml/item\d+\.xml", name) and TAGMAP[1:-1].encode() in body[:500]:
            root = parse_xml(body, name)
            controls = {c.get("bookmark"): c.get("tag") for c in root.iter(f"{TAGMAP}control")}
            tables = {t.get("bookmark"): (t.get("id"), tuple((t.get("columns") or "").split()))
                      for t in root.iter(f"{TAGMAP}table")}
            return controls, tables
    return {}, {}


# ---- controls ------------------------------------------------------------------------------------------------

def _is_section(sdt) -> bool:
    pr = sdt.find(f"{W}sdtPr")
    return pr is not None and (pr.find(f"{W15}repeatingSection") is not None
                               or pr.find(f"{W15}repeatingSectionItem") is not None)


def _controls(scope) -> Iterable:
    """The fill-in controls under scope, innermost first: a control that wraps another (LibreOffice wraps
    check boxes in an extra one) and repeating sections are containers, not values."""
    for sdt in scope.iter(f"{W}sdt"):
        if _is_section(sdt):
            continue
        content = sdt.find(f"{W}sdtContent")
        if content is None or content.find(f".//{W}sdt") is not None:
            continue
        yield sdt


class _Reader:
    def __init__(self, bookmarks: dict[str, str], placeholders: frozenset[str]) -> None:
        self.bookmarks = bookmarks
        self.placeholders = placeholders

    def tag(self, sdt) -> Optional[str]:
        tag = sdt.find(f"{W}sdtPr/{W}tag")
        if tag is not None and tag.get(f"{W}val"):
            return tag.get(f"{W}val")
        for mark in sdt.iter(f"{W}bookmarkStart"):
            if mark.get(f"{W}name") in self.bookmarks:
                return self.bookmarks[mark.get(f"{W}name")]
        # LibreOffice can leave the bookmark just outside the control it was in: look at the neighbours
        for sibling in (sdt.getprevious(), sdt.getnext()):
            if sibling is not None and sibling.tag == f"{W}bookmarkStart":
                name = sibling.get(f"{W}name")
                if name in self.bookmarks:
                    return self.bookmarks[name]
        return None

    def value(self, sdt) -> str:
        pr = sdt.find(f"{W}sdtPr")
        if pr is None:  # a control without properties (no editor writes one): its text is all it holds
            return _text(sdt.find(f"{W}sdtContent"))
        box = pr.find(f"{W14}checkbox/{W14}checked")
        if box is not None:
            return "1" if box.get(f"{W14}val") in ("1", "true", "on") else "0"
        if pr.find(f"{W}showingPlcHdr") is not None:
            return ""
        shown = _text(sdt.find(f"{W}sdtContent"))
        if shown in self.placeholders:
            return ""
        when = pr.find(f"{W}date")
        if when is not None:
            full = when.get(f"{W}fullDate", "")
            return full[:10] if re.match(r"\d{4}-\d{2}-\d{2}", full) else _parse_date(shown)
        items = pr.findall(f"{W}dropDownList/{W}listItem") + pr.findall(f"{W}comboBox/{W}listItem")
        for item in items:
            if shown == (item.get(f"{W}displayText") or item.get(f"{W}value")):
                return item.get(f"{W}value") or shown
        return shown

    def rows(self, tbl, table_id: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
        """The data rows of a fill-in table, each with its id, origin and values by field."""
        out: list[dict[str, str]] = []
        seen: set[str] = set()
        users = 0
        for tr in _rows(tbl)[1:]:
            values: dict[str, str] = {}
            prefixes: Counter = Counter()
            for sdt in _controls(tr):
                tag = self.tag(sdt)
                if not tag or "." not in tag:
                    continue
                prefix, field = tag.rsplit(".", 1)
                prefixes[prefix] += 1
                values[field] = self.value(sdt)
            if prefixes:
                key = prefixes.most_common(1)[0][0]
                if key in seen:
                    users += 1
                    row = {"id": f"{table_id}.user{users}", "origin": "user-row"}
                else:
                    seen.add(key)
                    row = {"id": key, "origin": "template"}
                cells = _cells(tr)
                for i, col in enumerate(columns):  # the row's number, and text typed beside the controls
                    if col not in values and col != "owners" and i < len(cells):
                        text = _text(cells[i])
                        if text and text not in self.placeholders:
                            values[col] = text
            else:
                cells = _cells(tr)
                texts = [_text(c) for c in cells]
                if not any(t and t not in self.placeholders for t in texts):
                    continue  # an empty row someone added and left
                users += 1
                row = {"id": f"{table_id}.user{users}", "origin": "user-row"}
                for col, text in zip(columns, texts):
                    if not text or text in self.placeholders:
                        continue
                    values["owner_workplace" if col == "owners" else col] = text
            row.update(values)
            out.append(row)
        return out


def _table_spec(tbl, tables) -> Optional[tuple[str, tuple[str, ...]]]:
    rows = _rows(tbl)
    if not rows:
        return None
    for mark in rows[0].iter(f"{W}bookmarkStart"):
        if mark.get(f"{W}name") in tables:
            return tables[mark.get(f"{W}name")]
    return None


def _rows(tbl) -> list:
    """The rows of this table (also those inside repeating sections), not of tables nested in its cells."""
    return [tr for tr in tbl.iter(f"{W}tr") if next(tr.iterancestors(f"{W}tbl")) is tbl]


def _cells(tr) -> list:
    return [tc for tc in tr.iter(f"{W}tc") if next(tc.iterancestors(f"{W}tr")) is tr]


def _text(e) -> str:
    """Text as typed: paragraphs and line breaks become newlines, surrounding space is trimmed."""
    if e is None:
        return ""
    paragraphs = []
    for p in e.iter(f"{W}p"):
        parts = []
        for node in p.iter(f"{W}t", f"{W}br", f"{W}cr", f"{W}tab"):
            parts.append(node.text or "" if node.tag == f"{W}t" else ("\t" if node.tag == f"{W}tab" else "\n"))
        paragraphs.append("".join(parts))
    if not paragraphs:  # a run-level control: its runs, no paragraph of its own
        paragraphs = ["".join(t.text or "" for t in e.iter(f"{W}t"))]
    return "\n".join(p for p in paragraphs).strip()


def _parse_date(text: str) -> str:
    """A date typed by hand into a date field (31.12.2027, 31/12/2027, 2027-12-31) as YYYY-MM-DD, else as typed."""
    m = re.fullmatch(r"(\d{1,2})[./](\d{1,2})[./](\d{4})", text.strip())
    try:
        if m:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1))).isoformat()
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        return text

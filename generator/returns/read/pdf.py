"""Read returned checklists: bytes of a filled checklists.pdf -> its identity, ticked items and text fields.

PDF viewers store form values differently: some set the field's value (/V) and regenerate the appearance,
others write an incremental update and leave appearances stale, others set only the widget's state (/AS).
The value is read from /V and, where a check box has none, from /AS; appearances are never looked at.
Encrypted files are refused; scripts and actions in a file are ignored (nothing in it is ever run).
"""

from __future__ import annotations

import io
import re
from datetime import datetime, timezone

from . import Identity, NotReadable, Returned
from .safe import check_size


def read_checklists(data: bytes) -> Returned:
    """Identity from the document information; check boxes by item id; text fields by name."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    check_size(data)
    if not data.lstrip()[:5] == b"%PDF-":
        raise NotReadable("not a PDF file")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise NotReadable("the PDF is encrypted; save or print it to a PDF without a password")
        info = reader.metadata or {}
        fields = reader.get_fields() or {}
    except NotReadable:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError, OSError) as exc:
        raise NotReadable(f"damaged PDF: {exc}") from None
    identity = _identity(info, data)
    out = Returned(identity)
    for name, field in fields.items():
        kind = field.get("/FT")
        if kind == "/Btn":
            out.checked[name] = _ticked(field)
        elif kind == "/Tx":
            value = field.get("/V")
            out.fields[name] = _text(value)
    return out


def _identity(info, data: bytes) -> Identity:
    def get(key: str) -> str:
        value = info.get(f"/{key}")
        return str(value).strip() if value is not None else ""

    client, document = get("ToolkitClient"), get("ToolkitDocument")
    if not client or not document:
        raise NotReadable("not a toolkit document: its document information names no client (made with "
                          "another program, or printed to a new PDF that dropped it)")
    return Identity(client, document, get("ToolkitLanguage"), get("ToolkitContent"), get("ToolkitGenerator"),
                    _pdf_date(get("ModDate") or get("CreationDate")), data.count(b"%%EOF"))


def _ticked(field) -> bool:
    value = field.get("/V")
    if value is None:  # some fillers set only the widget's appearance state
        for kid in field.get("/Kids", []) or []:
            kid = kid.get_object()
            if "/AS" in kid:
                value = kid["/AS"]
                break
        else:
            value = field.get("/AS")
    return value is not None and str(value) not in ("/Off", "Off", "")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def _pdf_date(raw: str) -> str:
    """D:20271231120000+02'00' -> ISO 8601 in UTC; '' when absent or unreadable."""
    m = re.match(r"D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz+-])?(\d{2})?'?(\d{2})?", raw or "")
    if not m:
        return ""
    y, mo, d, h, mi, s = (int(x) if x else default for x, default in zip(m.groups()[:6], (0, 1, 1, 0, 0, 0)))
    try:
        when = datetime(y, mo, d, h, mi, s)
    except ValueError:
        return ""
    sign, oh, om = m.group(7), m.group(8), m.group(9)
    if sign in ("+", "-") and oh:
        from datetime import timedelta
        offset = timedelta(hours=int(oh), minutes=int(om or 0))
        when = when - offset if sign == "+" else when + offset
    return when.replace(tzinfo=timezone.utc).isoformat().replace("+00:00", "Z")

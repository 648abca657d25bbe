"""Read returned checklists: bytes of a filled checklists.pdf -> its identity, ticked items and text fields.

PDF viewers store form values differently: some set the field's value (/V) and regenerate the appearance,
others write an incremental update and leave appearances stale, others set only the widget's state (/AS).
The value is read from /V and, where a check box has none, from /AS; appearances are never looked at.
Encrypted files are refused; scripts and actions in a file are ignored (nothing in it is ever run).
"""

from __future__ import annotations

import io
import re
import zlib
from datetime import datetime, timedelta, timezone

from . import Identity, NotReadable, Returned, timestamp
from .safe import check_size


def read_checklists(data: bytes) -> Returned:
    """Identity from the document information; check boxes by item id; text fields by name."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, PyPdfError

    check_size(data)
    if not data.lstrip()[:5] == b"%PDF-":
        raise NotReadable("not a PDF file")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise NotReadable(ENCRYPTED)
        info = reader.metadata or {}
        identity = _identity(info, data)
        out = Returned(identity)
        for name, field in (reader.get_fields() or {}).items():
            kind = field.get("/FT")
            if kind == "/Btn":
                out.checked[str(name)] = _ticked(field)
            elif kind == "/Tx":
                out.fields[str(name)] = _text(field.get("/V"))
    except NotReadable:
        raise
    except DependencyError:  # reading an AES-encrypted file needs a cipher library: it is encrypted all the same
        raise NotReadable(ENCRYPTED) from None
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError,
            OverflowError, OSError, zlib.error) as exc:
        raise NotReadable(f"damaged PDF: {exc}") from None
    return out


# RC4 and AES alike, with or without a password to open it: nothing in an encrypted file is read
ENCRYPTED = "the PDF is encrypted; save or print it to a PDF without a password and send it again"


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
        kids = field.get("/Kids")
        for kid in kids if isinstance(kids, list) else ():
            kid = kid.get_object()
            if isinstance(kid, dict) and "/AS" in kid:
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
    """D:20271231120000+02'00' -> ISO 8601 in UTC; '' when absent, unreadable or not a plausible time."""
    m = re.match(r"D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz+-])?(\d{2})?'?(\d{2})?", raw or "")
    if not m:
        return ""
    y, mo, d, h, mi, s = (int(x) if x else default for x, default in zip(m.groups()[:6], (0, 1, 1, 0, 0, 0)))
    sign, oh, om = m.group(7), m.group(8), m.group(9)
    try:
        offset = timedelta(hours=int(oh or 0), minutes=int(om or 0)) if sign in ("+", "-") else timedelta(0)
        zone = timezone(-offset if sign == "-" else offset)
        return timestamp(datetime(y, mo, d, h, mi, s, tzinfo=zone))
    except (ValueError, OverflowError):
        return ""

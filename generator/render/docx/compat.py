"""The gate to python-docx's internals: (installed python-docx) -> whether the plan may reach past its public API.

Three things the Word plan needs reach into python-docx: the package's members collected with the steps of
PackageWriter.write (instead of saving the zip and reading it back: a seventh of a plan's render time), the
styles part's element replaced by a finished copy (the styles are set up once per language and colours:
an eighth), and the bytes of a part replaced (app.xml, custom.xml). Each asks `speedups()` first and, when the
version was not checked or an internal is missing (ImportError, AttributeError), takes the public way: save()
and re-read, styles set up for every plan, a new part in place of the old one. The first two give the same
bytes (tests/test_docx_seam.py); the third gives a valid package whose relationships are numbered otherwise.

Imports nothing from this package; python-docx's version comes from the installed package's metadata.
The element accessors python-docx documents for going beyond its API (paragraph._p, run._r, table._tbl,
cell._tc, document._body) are used as they are: they are its supported extension points.
"""

from __future__ import annotations

import functools
import io
import os
import zipfile
from typing import Optional

# python-docx versions these internals were checked against: same signatures, same bytes (docs/upgrading.md)
CHECKED = ("1.1.0", "1.1.2", "1.2.0")
ENV = "TOOLKIT_DOCX_INTERNALS"  # "off": python-docx's public way whatever the version

_OFF: list[str] = []


@functools.lru_cache(maxsize=1)
def version() -> Optional[str]:
    """The installed python-docx's version (read once); None when it is not installed."""
    from importlib import metadata

    try:
        return metadata.version("python-docx")
    except metadata.PackageNotFoundError:
        return None


def why_off() -> Optional[str]:
    """Why the internals are not used in this process, or None when they are."""
    if _OFF:
        return _OFF[0]
    if os.environ.get(ENV, "").strip().lower() == "off":
        return f"{ENV}=off"
    if version() not in CHECKED:
        return f"python-docx {version()} is not a version these internals were checked against ({', '.join(CHECKED)})"
    return None


def speedups() -> bool:
    """Whether code may reach into python-docx's internals now. Ask before touching any of them."""
    return why_off() is None


def _off(exc: BaseException) -> None:
    if not _OFF:
        _OFF.append(f"a python-docx internal is missing ({type(exc).__name__}: {exc})")


def package_members(document) -> dict[str, bytes]:
    """Every member of the document's package, by name in the zip, as python-docx's save() would write it."""
    if speedups():
        try:
            return _collected(document)
        except (ImportError, AttributeError) as exc:
            _off(exc)
    buf = io.BytesIO()
    document.save(buf)
    with zipfile.ZipFile(buf) as saved:
        return {name: saved.read(name) for name in saved.namelist()}


def _collected(document) -> dict[str, bytes]:
    """The members as the steps of PackageWriter.write make them, collected rather than zipped."""
    from docx.opc.pkgwriter import PackageWriter

    members: dict[str, bytes] = {}

    class Collect:
        @staticmethod
        def write(pack_uri, blob: bytes) -> None:
            members[pack_uri.membername] = blob

    package = document.part.package
    for part in package.parts:
        part.before_marshal()
    parts = package.parts
    PackageWriter._write_content_types_stream(Collect, parts)
    PackageWriter._write_pkg_rels(Collect, package.rels)
    PackageWriter._write_parts(Collect, parts)
    return members


def styles_xml(document) -> Optional[bytes]:
    """The serialised styles part, to be given to a later document (None: not with these internals)."""
    if not speedups():
        return None
    try:
        from lxml import etree

        return etree.tostring(document.part._styles_part._element)
    except (ImportError, AttributeError) as exc:
        _off(exc)
        return None


def use_styles(document, xml: bytes) -> bool:
    """Give document a copy of a finished styles part; False (nothing changed) when that cannot be done."""
    if not speedups():
        return False
    try:
        from docx.oxml import parse_xml

        part = document.part._styles_part
        part._element  # the attribute replaced below: missing means python-docx keeps it elsewhere
        part._element = parse_xml(xml)
        return True
    except (ImportError, AttributeError) as exc:
        _off(exc)
        return False


def set_blob(part, blob: bytes) -> bool:
    """Replace the bytes of a generic part in place; False when that cannot be done (see package.py)."""
    if not speedups() or not hasattr(part, "_blob"):
        return False
    part._blob = blob
    return True

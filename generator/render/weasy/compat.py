"""The gate to WeasyPrint's internals: (installed WeasyPrint, environment) -> whether the speed-ups may reach in.

The PDF renderers use WeasyPrint's public API (HTML, CSS, FontConfiguration, Document.write_pdf with a
finisher). Some speed-ups reach further, into names WeasyPrint does not promise to keep: its line breaking
(line_memo.py), line drawing (draw_memo.py), laid-out boxes (sheet.py), the HTML object's parsed tree and
user-agent stylesheets (fast.py), a FontConfiguration's font folder (fonts.py) and Pango's version. Each of
them asks `speedups()` first, before it imports anything internal, and calls `off()` when an internal it
needs is missing (ImportError, AttributeError): from then on every speed-up of the process takes
WeasyPrint's public way. The PDFs are the same bytes either way (tests/test_weasy_seam.py).

This module imports nothing from the package, and nothing from WeasyPrint but the package itself (load_weasyprint,
which only speeds up its import): the version comes from the installed package's metadata. docs/upgrading-weasyprint.md says how a version is checked and added.
"""

from __future__ import annotations

import functools
import os
import sys
from typing import Optional

# WeasyPrint versions the speed-ups were checked against: every test of tests/test_weasy_seam.py and the
# byte-identity tests of tests/test_render_pdf.py passed with them.
CHECKED = ("70.0",)
# "off": WeasyPrint's public way whatever the version (tests compare the two; a user can rule the speed-ups out)
ENV = "TOOLKIT_WEASYPRINT_INTERNALS"

_OFF: list[str] = []  # why the speed-ups were turned off in this process, once they were


@functools.lru_cache(maxsize=1)
def version() -> Optional[str]:
    """The installed WeasyPrint's version, read without importing it (once); None when it is not installed."""
    from importlib import metadata

    try:
        return metadata.version("weasyprint")
    except metadata.PackageNotFoundError:
        return None


def why_off() -> Optional[str]:
    """Why the speed-ups are off in this process, or None when they are on."""
    if _OFF:
        return _OFF[0]
    if os.environ.get(ENV, "").strip().lower() == "off":
        return f"{ENV}=off"
    found = version()
    if found not in CHECKED:
        return (f"WeasyPrint {found} is not a version the speed-ups were checked against "
                f"({', '.join(CHECKED)})")
    return None


def speedups() -> bool:
    """Whether code may reach into WeasyPrint's internals now. Ask before importing any of them."""
    return why_off() is None


def off(reason: str) -> None:
    """Turn the speed-ups off for the rest of this process: an internal one of them needs is missing."""
    if not _OFF:
        _OFF.append(reason)


def missing(exc: BaseException) -> str:
    """The reason to give off() for an ImportError or AttributeError raised by an internal."""
    return f"a WeasyPrint internal is missing ({type(exc).__name__}: {exc})"


def engine_versions() -> Optional[str]:
    """The layout engine's versions (WeasyPrint, and Pango, which breaks lines and measures text): a layout
    remembered from an earlier process holds only for the same ones. None when they cannot be told (the
    speed-ups are off): then nothing is remembered between processes."""
    if not speedups():
        return None
    try:
        load_weasyprint()
        from weasyprint.text.ffi import pango

        return f"WeasyPrint {version()}, Pango {pango.pango_version()}"
    except (ImportError, AttributeError) as exc:
        off(missing(exc))
        return None


def load_weasyprint() -> None:
    """Import WeasyPrint, once per process (about a second). A batch's main process calls this before it
    forks its workers, so that they start with WeasyPrint loaded instead of importing it each.

    WeasyPrint finds Pango, HarfBuzz and fontconfig by trying each library's names for every platform in
    turn ('libpango-1.0-0', 'pango-1.0-0', 'pango-1.0', ..., 'libpango-1.0-0.dll'), and on Linux each name
    ctypes.util.find_library cannot find costs an ldconfig, a gcc and an ld run: a fifth of a second per
    process. On Linux find_library looks for lib<name>.so, so a name that already starts with "lib" or ends
    in .dll or .dylib is never found by it: while WeasyPrint is imported, those are answered at once. The
    libraries found, and the order they are tried in, stay WeasyPrint's.
    """
    if "weasyprint" in sys.modules:
        return
    import ctypes.util
    import importlib

    real = ctypes.util.find_library

    def find_library(name: str):
        if sys.platform.startswith("linux") and (name.startswith("lib") or name.endswith((".dll", ".dylib"))):
            return None
        return real(name)

    ctypes.util.find_library = find_library
    try:
        importlib.import_module("weasyprint")
    finally:
        ctypes.util.find_library = real

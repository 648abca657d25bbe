"""The fonts WeasyPrint may use: only the vendored ones (templates/fonts/), never the machine's.

Every render gets a FontConfiguration made with a Fontconfig configuration that has no font folder, so the
only fonts a PDF can hold are those the stylesheets load with @font-face: the same bytes on any machine.
With the speed-ups on (compat.py) one configuration serves every render of a process; otherwise each render
gets a fresh one, as WeasyPrint does by default.
"""

from __future__ import annotations

import gc
import os
from pathlib import Path

from . import compat


def font_config():
    """The FontConfiguration a render uses: the process's shared one, or a fresh one (speed-ups off)."""
    if compat.speedups():
        try:
            return _shared()
        except (ImportError, AttributeError) as exc:  # the font folder of an inherited configuration
            compat.off(compat.missing(exc))
    if _COLLECT_AT_EXIT[0] != os.getpid():
        _COLLECT_AT_EXIT[0] = os.getpid()
        from multiprocessing.util import Finalize
        # A configuration removes its font folder when it is collected: make sure the last ones are, while
        # the interpreter can still run their __del__ (at shutdown it cannot, and the folders would stay).
        Finalize(None, gc.collect, exitpriority=1)
    return _private_font_configuration()


_COLLECT_AT_EXIT = [0]  # the pid that has registered its collection at exit


_FONTS: list = []  # [FontConfiguration, pid of the process whose font folder it writes to]


def _shared():
    """One WeasyPrint FontConfiguration per process, shared by every render.

    A fresh one per render (WeasyPrint's default) reloads Fontconfig and copies each @font-face font to a
    new temp folder: a third of a PDF's render time. Shared, each font is registered once per process.

    A forked build worker inherits the parent's configuration, with the fonts the parent registered, and
    its font folder. WeasyPrint takes a font file in that folder as "already registered", so workers sharing
    it would skip fonts a sibling wrote (and so never register them), or read a font file while a sibling is
    rewriting it ("Font-face ... cannot be loaded"). A forked process therefore first gets a folder of its
    own, holding copies of the fonts the configuration already has (see _adopt_font_folder).
    """
    if not _FONTS:
        _FONTS[:] = [_private_font_configuration(), os.getpid()]
        _remove_at_exit()
    elif _FONTS[1] != os.getpid():
        _adopt_font_folder(_FONTS[0])
        _FONTS[1] = os.getpid()
        _remove_at_exit()
    return _FONTS[0]


def _remove_at_exit() -> None:
    from multiprocessing.util import Finalize
    # WeasyPrint removes its font temp folder only when the object is collected, which a module-level
    # object never is. Finalize (unlike atexit) also runs when a pool worker exits.
    Finalize(None, _remove_font_folder, args=(os.getpid(),), exitpriority=1)


def _adopt_font_folder(config) -> None:
    """Give an inherited FontConfiguration a font folder of this process's own.

    The fonts the configuration registered before the fork stay registered (Fontconfig keeps their paths in
    the parent's folder, which outlives its workers); copies under the same names tell WeasyPrint they are
    registered, and fonts registered from now on are written here, where no other process writes.
    """
    import shutil
    import tempfile

    inherited = config._folder  # internal: an AttributeError turns the speed-ups off
    if inherited is None:
        return  # nothing registered yet: WeasyPrint makes a folder of this process's own when it needs one
    folder = Path(tempfile.mkdtemp(prefix="weasyprint-"))
    for font in Path(inherited).iterdir():
        shutil.copyfile(font, folder / font.name)
    config._folder = folder


# Fontconfig configuration without a single font folder: the only fonts WeasyPrint can then use are those the
# stylesheets load with @font-face from templates/fonts/. Neither a missing glyph nor a generic family can reach
# a system font, so the PDFs hold the same fonts, byte for byte, whatever fonts the machine has installed.
PRIVATE_FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig></fontconfig>
"""


def _private_font_configuration():
    """A WeasyPrint FontConfiguration that sees only the vendored fonts, not the machine's.

    FontConfiguration loads Fontconfig's default configuration, which Fontconfig reads from FONTCONFIG_FILE:
    point that at PRIVATE_FONTCONFIG while it is made, and put the variable back at once, so programs this
    process starts (qpdf, LibreOffice) still see the machine's fonts.
    """
    import tempfile

    from weasyprint.text.fonts import FontConfiguration

    with tempfile.TemporaryDirectory(prefix="toolkit-fontconfig-") as folder:
        conf = Path(folder, "fonts.conf")
        conf.write_text(PRIVATE_FONTCONFIG, encoding="utf-8")
        saved = os.environ.get("FONTCONFIG_FILE")
        os.environ["FONTCONFIG_FILE"] = str(conf)
        try:
            return FontConfiguration()
        finally:
            if saved is None:
                del os.environ["FONTCONFIG_FILE"]
            else:
                os.environ["FONTCONFIG_FILE"] = saved


def _remove_font_folder(owner: int) -> None:
    """Remove this process's font folder (a forked child's Finalize must not remove its parent's)."""
    import shutil
    folder = getattr(_FONTS[0], "_folder", None) if _FONTS else None
    if folder and os.getpid() == owner == _FONTS[1]:
        shutil.rmtree(folder, ignore_errors=True)
        # Nothing left for WeasyPrint's __del__ to remove: at interpreter shutdown it would otherwise call a
        # module function that is already gone ("Exception ignored in FontConfiguration.__del__").
        _FONTS[0]._folder = None

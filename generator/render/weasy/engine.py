"""WeasyPrint plumbing for the PDF renderers: (HTML string, templates_dir) -> PDF bytes, safely and reproducibly."""

from __future__ import annotations

import logging
import os
import re
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional
from urllib.parse import unquote, urlsplit

from ...errors import AssetError, RenderError
from ...inputs.profile import ASSET_DIRS


def allowed_roots(templates_dir: Path, asset_root: Optional[Path] = None) -> tuple[Path, ...]:
    """templates/ and the asset folders validation allows; checked again here rather than trusted.

    asset_root is the workspace whose asset folders hold the provider's files (default: the folder above
    templates/, as in a checkout of the tool).
    """
    root = _asset_base(templates_dir, asset_root)
    return (templates_dir.resolve(),) + tuple((root / d).resolve() for d in ASSET_DIRS)


def _asset_base(templates_dir: Path, asset_root: Optional[Path]) -> Path:
    return (asset_root or templates_dir.parent).resolve()


def check_local_asset(value: str, templates_dir: Path, asset_root: Optional[Path] = None) -> Path:
    """Resolve a logo or other asset path; AssetError unless it is an existing file in an allowed folder."""
    roots = allowed_roots(templates_dir, asset_root)
    base = _asset_base(templates_dir, asset_root)
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value) and not re.match(r"^[A-Za-z]:[\\/]", value):
        raise AssetError(f"asset '{value}' is a URL; only files under {_names(roots, base)} are allowed")
    path = Path(value)
    if not path.is_absolute():
        path = base / path
    try:
        path = path.resolve()
    except RuntimeError:  # Python 3.11's "Symlink loop"
        raise AssetError(f"asset '{value}' is a symbolic link loop") from None
    if not any(path.is_relative_to(r) for r in roots):
        raise AssetError(f"asset '{value}' is outside the allowed folders {_names(roots, base)}")
    if not path.is_file():
        raise AssetError(f"asset '{value}' does not exist")
    return path


def _names(roots: tuple[Path, ...], base: Path) -> str:
    """The allowed folders as users know them: relative to the workspace, the tool's templates in full."""
    return ", ".join(r.relative_to(base).as_posix() if r.is_relative_to(base) else str(r) for r in roots)


def _fetcher_class():
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class AssetFetcher(URLFetcher):
        """Serve only file:// URLs inside the allowed folders; anything else aborts the render."""

        def __init__(self, templates_dir: Path, asset_root: Optional[Path] = None) -> None:
            super().__init__(allowed_protocols={"file"}, fail_on_errors=True)
            self.base = _asset_base(templates_dir, asset_root)
            self.roots = allowed_roots(templates_dir, asset_root)

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
                raise FatalURLFetchingError(f"refused to load '{url}': only files under "
                                            f"{_names(self.roots, self.base)} may be used")
            path = Path(unquote(parts.path)).resolve()
            if not any(path.is_relative_to(r) for r in self.roots):
                raise FatalURLFetchingError(f"refused to load '{path}': outside the allowed folders "
                                            f"{_names(self.roots, self.base)}")
            return super().fetch(path.as_uri(), headers)

    return AssetFetcher


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _weasyprint_warnings() -> Iterator[list[str]]:
    """Collect what WeasyPrint logs at WARNING or above: it reports bad CSS and missing images only there."""
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


def html_to_pdf(html: str, templates_dir: Path, what: str, forms: bool = False,
                accessible_names: Optional[dict[str, str]] = None,
                identity: Optional[dict[str, str]] = None,
                asset_root: Optional[Path] = None) -> "tuple[bytes, int]":
    """Render HTML (relative URLs resolve against templates_dir) once; return (PDF bytes, page count).

    Tagged PDF (pdf_tags) rather than pdf/ua-1: fillable checkboxes fail PDF/UA for widgets (WeasyPrint #2726).
    """
    doc = layout(html, templates_dir, what, forms, asset_root)
    return write(doc, what, forms, accessible_names, identity), len(doc.pages)


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


def layout(html: str, templates_dir: Path, what: str, forms: bool = False, asset_root: Optional[Path] = None):
    """Lay HTML out into pages (a weasyprint Document) without writing the PDF: enough to count pages."""
    load_weasyprint()
    from weasyprint.urls import FatalURLFetchingError

    from . import draw_memo
    from . import line_memo

    line_memo.install()  # lines broken for an earlier document are not broken again (line_memo.py)
    draw_memo.install()  # nor drawn again (draw_memo.py)
    fetcher = _fetcher_class()(templates_dir, asset_root)
    base_url = templates_dir.resolve().as_uri() + "/"
    with _weasyprint_warnings() as warnings:
        try:
            html, sheets = _stylesheets(html, base_url, fetcher, warnings)
            doc = _html(html, base_url, fetcher).render(
                font_config=_font_config(), pdf_forms=forms, pdf_tags=True, stylesheets=sheets)
        except FatalURLFetchingError as exc:
            raise AssetError(f"{what}: {exc}") from None
    _raise_warnings(what, warnings)
    return doc


# WeasyPrint versions whose internals the renderers reach into were checked against: the HTML object _html
# makes, the line breaking line_memo wraps, the laid-out boxes pdf.LaidOutSheet changes. With another
# version each of them takes WeasyPrint's public way instead.
CHECKED_WEASYPRINT = ("70.0",)


def internals_checked() -> bool:
    load_weasyprint()
    import weasyprint

    return weasyprint.__version__ in CHECKED_WEASYPRINT


def engine_versions() -> str:
    """The layout engine's versions (WeasyPrint, and Pango, which breaks lines and measures text): a layout
    remembered from an earlier process holds only for the same ones."""
    load_weasyprint()
    import weasyprint
    from weasyprint.text.ffi import pango

    return f"WeasyPrint {weasyprint.__version__}, Pango {pango.pango_version()}"


def _html(html: str, base_url: str, fetcher):
    """The weasyprint.HTML of a document, its tree parsed as XML where it is well-formed.

    WeasyPrint parses HTML with tinyhtml5, in pure Python: 30 ms for a checklists document, and the care
    pathway is parsed again for each type size tried. The templates are written as well-formed XHTML that
    tinyhtml5 reads into the same tree (void elements closed, tables with their tbody, no text between html,
    head and body that an HTML parser would move), so Python's C XML parser (4 ms) gives that tree;
    tests/test_render_pdf.py compares the two trees for every document the samples render. A document that is
    not well-formed XML, or another WeasyPrint version, takes WeasyPrint's own way.
    """
    import weasyprint
    from xml.etree import ElementTree

    if internals_checked():
        try:
            root = ElementTree.fromstring(html)
        except ElementTree.ParseError:
            root = None
        if root is not None and root.tag == "html":
            import cssselect2

            doc = object.__new__(weasyprint.HTML)  # what HTML.__init__ sets once it has the tree
            doc.base_url = weasyprint._find_base_url(root, base_url)
            doc.url_fetcher = fetcher
            doc.media_type = "print"
            doc.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
            doc.etree_element = doc.wrapper_element.etree_element
            doc._ua_stylesheets = _ua_stylesheets
            return doc
    return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)


# Rules of WeasyPrint's user-agent stylesheet that give every element of a document a ::marker and five
# footnote and note pseudo-elements, whose styles WeasyPrint computes for every element: a checklists document
# of ~370 elements had 2,590 styles computed, 446 without them, and rendered about a tenth faster. Only a list
# item draws a marker (the stylesheet makes only <li> one), and only a footnote or a note (float: footnote,
# position: note()) draws the others, which no template has. So the marker rule is given to <li> alone and the
# others are left out; tests/test_render_pdf.py checks that the templates make no other list item, footnote or
# note, and that the PDFs are the same bytes.
_UA_MARKER = "\n::marker {"
_UA_NOTES = re.compile(r"\n::(footnote-call|footnote-marker|note-call|note-marker|note-callback) \{[^}]*\}")
_UA: list = []  # [[user-agent stylesheets without forms], [with forms]] once made


def _ua_stylesheets(forms: bool = False) -> list:
    """WeasyPrint's user-agent stylesheets, less the pseudo-element rules above (WeasyPrint's own if they
    are not found as expected)."""
    import weasyprint
    from weasyprint import html as ua
    from weasyprint.css.counters import CounterStyle

    if not _UA:
        text, notes = _UA_NOTES.subn("\n", ua.UA.replace(_UA_MARKER, "\nli::marker {"))
        plain = ua.UA.count(_UA_MARKER) == 1 and notes == 5
        # Its @counter-style rules are parsed into a dictionary of their own: a document takes its counter
        # styles from WeasyPrint's (HTML._ua_counter_style), and parsing them again into that one is refused
        sheet = weasyprint.CSS(string=text, counter_style=CounterStyle()) if plain else ua.UA_STYLESHEET
        _UA[:] = [[sheet], [sheet, ua.UA_FORM_STYLESHEET]]
    return _UA[forms]


_HEAD_STYLE = re.compile(r'<link rel="stylesheet" href="([^"<>]+)"\s*/?>|<style>(.*?)</style>', re.S)
_SHEETS: dict[tuple, tuple] = {}  # (url, mtime, size, font configuration) -> (weasyprint.CSS, its warnings)


def _stylesheets(html: str, base_url: str, fetcher, warnings: list[str]) -> "tuple[str, list]":
    """Take the stylesheets out of the document's head and return them parsed, in document order.

    WeasyPrint parses every linked stylesheet again for each render: a tenth of a checklists render and of
    each care-pathway layout. A linked file is parsed once per process here (again when it changes). All
    of them, the inline <style> blocks too, become WeasyPrint's "user" stylesheets, in the order the head
    lists them: with no author stylesheet left, the cascade between them (specificity, then order) is the
    one the document had. Warnings a stylesheet gave when it was parsed are reported on every render.
    """
    import weasyprint

    head, mark, body = html.partition("</head>")
    if not mark:
        return html, []
    config = _font_config()
    sheets = []
    for match in _HEAD_STYLE.finditer(head):
        href, inline = match.groups()
        if href is None:
            sheets.append(weasyprint.CSS(string=inline, base_url=base_url, url_fetcher=fetcher, font_config=config))
            continue
        url = base_url + href
        try:
            stat = Path(unquote(urlsplit(url).path)).stat()
            key: Optional[tuple] = (url, stat.st_mtime_ns, stat.st_size, id(config))
        except OSError:
            key = None  # not kept: WeasyPrint's fetcher reports the missing file on each render
        parsed = _SHEETS.get(key) if key else None
        if parsed is None:
            with _weasyprint_warnings() as found:
                parsed = (weasyprint.CSS(url=url, url_fetcher=fetcher, font_config=config), tuple(found))
            if key:
                _SHEETS[key] = parsed
        sheets.append(parsed[0])
        warnings.extend(parsed[1])
    return _HEAD_STYLE.sub("", head) + mark + body, sheets


_FONTS: list = []  # [FontConfiguration, pid of the process whose font folder it writes to]


def _font_config():
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

    inherited = getattr(config, "_folder", None)
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


def write(doc, what: str, forms: bool = False, accessible_names: Optional[dict[str, str]] = None,
          identity: Optional[dict[str, str]] = None) -> bytes:
    """The PDF bytes of a laid-out Document, finished by _finisher before they are serialised."""
    with _weasyprint_warnings() as warnings:
        pdf = doc.write_pdf(pdf_forms=forms, pdf_tags=True, uncompressed_pdf=False,
                            finisher=_finisher(accessible_names or {}, identity or {}))
    _raise_warnings(what, warnings)
    return pdf


def _finisher(accessible_names: dict[str, str], identity: dict[str, str]):
    """Touch up the PDF objects WeasyPrint is about to write: open the bookmarks pane; full field names; the
    document's identity (client, document, build) as custom document-information entries, which PDF fillers
    keep, so a returned PDF tells which client it belongs to whatever its file is called.

    WeasyPrint takes a field's accessible name (TU) from the laid-out <label>, where words broken across
    lines lose their space ("stärkaresurserna"); accessible_names (field name -> text) replaces it.
    WeasyPrint's tagging already sets DisplayDocTitle, so viewers show the title, not the file name.
    Done here rather than by re-reading the PDF with pypdf: that cost a quarter of each PDF's render time.
    """
    def finish(document, pdf) -> None:
        import pydyf

        if "Outlines" in pdf.catalog:
            pdf.catalog["PageMode"] = "/UseOutlines"
        for key, value in identity.items():
            pdf.info[key] = pydyf.String(value)
        if not accessible_names:
            return
        for obj in pdf.objects:
            if isinstance(obj, pydyf.Dictionary) and isinstance(obj.get("T"), pydyf.String):
                name = obj["T"].string
                if name in accessible_names:
                    obj["TU"] = pydyf.String(accessible_names[name])
    return finish


def _raise_warnings(what: str, warnings: list[str]) -> None:
    if warnings:
        raise RenderError(f"{what}: WeasyPrint reported {len(warnings)} problem(s): " + "; ".join(warnings))

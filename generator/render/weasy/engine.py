"""WeasyPrint for the PDF renderers: (HTML string, templates_dir) -> laid-out pages -> PDF bytes, safely and
reproducibly.

Safely: a URL fetcher serves only files inside the templates and the workspace's asset folders, and every
problem WeasyPrint logs fails the render. Reproducibly: only the vendored fonts (fonts.py). Through
WeasyPrint's public API; the speed-ups that reach into its internals (fast.py, line_memo.py, draw_memo.py)
are used only while compat.speedups() says so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional
from urllib.parse import unquote, urlsplit

from ...errors import AssetError
from ...inputs.assets import allowed_roots, asset_base, shown_roots
from . import compat, draw_memo, fast, legacy, line_memo
from .compat import load_weasyprint
from .fonts import font_config
from .logs import raise_warnings, weasyprint_warnings

__all__ = ["html_to_pdf", "layout", "load_weasyprint", "write"]


def _fetcher_class():
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class AssetFetcher(URLFetcher):
        """Serve only file:// URLs inside the allowed folders; anything else aborts the render."""

        def __init__(self, templates_dir: Path, asset_root: Optional[Path] = None) -> None:
            super().__init__(allowed_protocols={"file"}, fail_on_errors=True)
            self.base = asset_base(templates_dir, asset_root)
            self.roots = allowed_roots(templates_dir, asset_root)

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
                raise FatalURLFetchingError(f"refused to load '{url}': only files under "
                                            f"{shown_roots(self.roots, self.base)} may be used")
            path = Path(unquote(parts.path)).resolve()
            if not any(path.is_relative_to(r) for r in self.roots):
                raise FatalURLFetchingError(f"refused to load '{path}': outside the allowed folders "
                                            f"{shown_roots(self.roots, self.base)}")
            return super().fetch(path.as_uri(), headers)

    return AssetFetcher


def html_to_pdf(html: str, templates_dir: Path, what: str, forms: bool = False,
                accessible_names: Optional[dict[str, str]] = None,
                identity: Optional[dict[str, str]] = None,
                asset_root: Optional[Path] = None) -> "tuple[bytes, int]":
    """Render HTML (relative URLs resolve against templates_dir) once; return (PDF bytes, page count).

    Tagged PDF (pdf_tags) rather than pdf/ua-1: fillable checkboxes fail PDF/UA for widgets (WeasyPrint #2726).
    """
    doc = layout(html, templates_dir, what, forms, asset_root)
    return write(doc, what, forms, accessible_names, identity), len(doc.pages)


def layout(html: str, templates_dir: Path, what: str, forms: bool = False, asset_root: Optional[Path] = None):
    """Lay HTML out into pages (a weasyprint Document) without writing the PDF: enough to count pages."""
    load_weasyprint()
    import weasyprint
    from weasyprint.urls import FatalURLFetchingError

    if compat.speedups():
        line_memo.install()  # lines broken for an earlier document are not broken again (line_memo.py)
        draw_memo.install()  # nor drawn again (draw_memo.py)
    fetcher = _fetcher_class()(templates_dir, asset_root)
    base_url = templates_dir.resolve().as_uri() + "/"
    config = font_config()
    with weasyprint_warnings() as warnings:
        try:
            sheets: list = []
            doc = None
            if compat.speedups():
                html, sheets = fast.stylesheets(html, base_url, fetcher, config, warnings)
                doc = fast.parsed(html, base_url, fetcher)
            if doc is None:
                doc = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
            pages = doc.render(font_config=config, pdf_forms=forms, pdf_tags=True, stylesheets=sheets)
        except FatalURLFetchingError as exc:
            raise AssetError(f"{what}: {exc}") from None
    raise_warnings(what, warnings)
    return pages


def write(doc, what: str, forms: bool = False, accessible_names: Optional[dict[str, str]] = None,
          identity: Optional[dict[str, str]] = None) -> bytes:
    """The PDF bytes of a laid-out Document, finished by _finisher before they are serialised."""
    with weasyprint_warnings() as warnings:
        pdf = doc.write_pdf(pdf_forms=forms, pdf_tags=True, uncompressed_pdf=False,
                            finisher=_finisher(accessible_names or {}, identity or {}))
    raise_warnings(what, warnings)
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
    mend = legacy.needed()

    def finish(document, pdf) -> None:
        import pydyf

        if mend:  # WeasyPrint 68-69 (legacy.py)
            legacy.mend(pdf)
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

"""Faster ways to WeasyPrint's own results: the document parsed as XML, a trimmed user-agent stylesheet, and
linked stylesheets parsed once per process.

Used only while compat.speedups() says so; each gives the tree, the styles and in the end the PDF bytes
WeasyPrint's public way gives (tests/test_render_pdf.py and tests/test_weasy_seam.py compare them).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Optional
from urllib.parse import unquote, urlsplit

from . import compat
from .logs import weasyprint_warnings

# Each speed-up of this module can be switched off on its own (the bench measures what each one saves)
PARSE_XML = True
TRIM_UA = True
KEEP_SHEETS = True


def parsed(html: str, base_url: str, fetcher):
    """The weasyprint.HTML of a document with its tree parsed as XML; None where it is not well-formed.

    WeasyPrint parses HTML with tinyhtml5, in pure Python: 30 ms for a checklists document, and the care
    pathway is parsed again for each type size tried. The templates are written as well-formed XHTML that
    tinyhtml5 reads into the same tree (void elements closed, tables with their tbody, no text between html,
    head and body that an HTML parser would move), so Python's C XML parser (4 ms) gives that tree;
    tests/test_render_pdf.py compares the two trees for every document the samples render. A document that is
    not well-formed XML takes WeasyPrint's own way (None), as does every document once the speed-ups are off.
    """
    from xml.etree import ElementTree

    if not PARSE_XML:
        return None
    try:
        root = ElementTree.fromstring(html)
    except ElementTree.ParseError:
        return None
    if root.tag != "html":
        return None
    try:
        import cssselect2
        import weasyprint

        doc = object.__new__(weasyprint.HTML)  # what HTML.__init__ sets once it has the tree
        doc.base_url = weasyprint._find_base_url(root, base_url)
        doc.url_fetcher = fetcher
        doc.media_type = "print"
        doc.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
        doc.etree_element = doc.wrapper_element.etree_element
        doc._ua_stylesheets = _ua_stylesheets
        _make_ua_stylesheets()  # now, so a missing internal is found here rather than in the render
    except (ImportError, AttributeError) as exc:
        compat.off(compat.missing(exc))
        return None
    return doc


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
    are not found as expected): what a parsed document gives WeasyPrint as its _ua_stylesheets."""
    if not TRIM_UA:
        from weasyprint import html as ua

        return [ua.UA_STYLESHEET, ua.UA_FORM_STYLESHEET][:1 + forms]
    return _make_ua_stylesheets()[forms]


def _make_ua_stylesheets() -> list:
    """[[user-agent stylesheets without forms], [with forms]], made once per process."""
    if not _UA:
        import weasyprint
        from weasyprint import html as ua
        from weasyprint.css.counters import CounterStyle

        text, notes = _UA_NOTES.subn("\n", ua.UA.replace(_UA_MARKER, "\nli::marker {"))
        plain = ua.UA.count(_UA_MARKER) == 1 and notes == 5
        # Its @counter-style rules are parsed into a dictionary of their own: a document takes its counter
        # styles from WeasyPrint's (HTML._ua_counter_style), and parsing them again into that one is refused
        sheet = weasyprint.CSS(string=text, counter_style=CounterStyle()) if plain else ua.UA_STYLESHEET
        _UA[:] = [[sheet], [sheet, ua.UA_FORM_STYLESHEET]]
    return _UA


_HEAD_STYLE = re.compile(r'<link rel="stylesheet" href="([^"<>]+)"\s*/?>|<style>(.*?)</style>', re.S)
_SHEETS: dict[tuple, tuple] = {}  # (url, mtime, size, font configuration) -> (weasyprint.CSS, its warnings)


def stylesheets(html: str, base_url: str, fetcher, config, warnings: list[str]) -> "tuple[str, list]":
    """Take the stylesheets out of the document's head and return them parsed, in document order.

    WeasyPrint parses every linked stylesheet again for each render: a tenth of a checklists render and of
    each care-pathway layout. A linked file is parsed once per process here (again when it changes). All
    of them, the inline <style> blocks too, become WeasyPrint's "user" stylesheets, in the order the head
    lists them: with no author stylesheet left, the cascade between them (specificity, then order) is the
    one the document had. Warnings a stylesheet gave when it was parsed are reported on every render.
    """
    import weasyprint

    head, mark, body = html.partition("</head>")
    if not mark or not KEEP_SHEETS:
        return html, []
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
            with weasyprint_warnings() as found:
                parsed = (weasyprint.CSS(url=url, url_fetcher=fetcher, font_config=config), tuple(found))
            if key:
                _SHEETS[key] = parsed
        sheets.append(parsed[0])
        warnings.extend(parsed[1])
    return _HEAD_STYLE.sub("", head) + mark + body, sheets

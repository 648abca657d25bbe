"""PDF renderers: Plan -> checklists.pdf (fillable checkboxes) and care-pathway.pdf (one A4 landscape page).

Both are rendered by WeasyPrint from templates/*.html.j2 + templates/*.css and finished before they are
serialised (see pdf_engine). What is verified here: qpdf --check, embedded subset fonts, `Tagged: yes` (a
structure tree from pdf_tags), document language, metadata and AcroForm checkboxes named by item id with the item
text as accessible name (TU). What is not: PDF/UA conformance (veraPDF cannot run here, and WeasyPrint's
form widgets are known to fail PDF/UA, upstream #2726), so the documents are called "tagged", never
"accessible" or "compliant".
"""

from __future__ import annotations

import json
import os
import re
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ..errors import RenderError
from ..palette import palette
from ..plan import Citations, Entry, Plan
from .weasy.engine import check_local_asset, engine_versions, html_to_pdf, internals_checked, layout, write

LANG_TAGS = {"fi": "fi-FI", "sv": "sv-FI", "en": "en-GB"}
EVALUATION_STEPS = ("cycle.evaluate.implementation", "cycle.evaluate.goals", "cycle.evaluate.collaboration")
# Care-pathway density steps, tried in order until the sheet fits on one page (see care-pathway.css).
PATHWAY_SCALES = tuple(f"scale-{i}" for i in range(19))  # 10.4pt down to 5.9pt in 0.25pt steps
# (language, contract scope) -> the scale index the last such sheet took in this process; see render_pathway
_PATHWAY_HINTS: dict[tuple[str, str], int] = {}
ANY = ("", "")  # the hint for a language and scope not seen yet: the step the last sheet took
HEX_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


@dataclass(frozen=True)
class Section:
    """One tickable list of the checklists PDF: a checklist, or one step of the evaluation questions."""

    id: str
    title: str
    body: Optional[str]
    items: tuple[Entry, ...]


def render_checklists(plan: Plan, templates_dir: Path, asset_root: Optional[Path] = None) -> bytes:
    """The fillable checklists PDF: every checklist item is an AcroForm checkbox named by the item's id; each
    evaluation question and each checklist's notes are text fields (<question id>, <checklist id>.notes)."""
    ctx = _common(plan, templates_dir, "pdf.checklists", asset_root)
    sections, questions = _sections(plan), _evaluation(plan)
    citations = Citations(plan)
    for e in [e for s in sections for e in s.items] + [e for s in questions for e in s.items]:
        citations.mark(e)
    ctx.update(sections=sections, questions=questions, total_items=sum(len(s.items) for s in sections),
               prompt=plan.item("prompt.self-assessment"),
               dowell_avoid=_dowell_avoid(plan), always=plan.labels.get("reason.always"),
               references=_cited(citations, [e for s in sections + questions for e in s.items]))
    html = _template(templates_dir, "checklists.html.j2").render(**ctx)
    names = {e.id: e.text for s in sections + questions for e in s.items}
    names.update({f"{s.id}.notes": f"{s.title}: {plan.label('common.notes')}" for s in sections})
    pdf, _ = html_to_pdf(html, templates_dir, "checklists.pdf", forms=True, accessible_names=names,
                         identity=identity(plan, "checklists"), asset_root=asset_root)
    return pdf


def identity(plan: Plan, document: str) -> dict[str, str]:
    """Custom document-information entries that say whose document this is and from which build."""
    return {"ToolkitClient": plan.client.id, "ToolkitDocument": document, "ToolkitLanguage": plan.language,
            "ToolkitContent": plan.content_version, "ToolkitGenerator": plan.generator_version}


def _cited(citations: Citations, entries: list[Entry]) -> tuple:
    """(number, reference) for the sources the given entries cite, numbered for this document."""
    ids = {c for e in entries for c in e.cites}
    return tuple((n, r) for n, r in citations.listing() if r.id in ids)


def render_pathway(plan: Plan, templates_dir: Path, asset_root: Optional[Path] = None) -> bytes:
    """The one-page care pathway in the largest type size that fits, so it never spills onto a second page."""
    ctx = _common(plan, templates_dir, "pdf.pathway", asset_root)
    ctx.update(levels=plan.pathway(), lane=plan.item("wa.ohs-always"), milestones=_milestones(plan),
               contacts=_contacts(plan), theme=plan.item("theme.pathway"))
    ctx["credit"] = plan.label("pdf.pathway.credit")
    template = _template(templates_dir, "care-pathway.html.j2")

    def fits(i: int) -> bool:
        nonlocal pages
        doc = layout(template.render(scale=PATHWAY_SCALES[i], **ctx), templates_dir, "care-pathway.pdf",
                     asset_root=asset_root)
        pages = len(doc.pages)
        if pages == 1:
            found[i] = doc
        return pages == 1

    # The answer is the largest type (lowest index) that fits on one page; smaller type never needs more
    # pages, so "i fits and i-1 does not" proves i is it. Sheets of one language and scope mostly settle
    # within a step or two of each other, so the search starts at the step the last similar sheet took and
    # gallops away from it: 2-3 layouts instead of 4-5 for a binary search (200 synthetic profiles: 1.38
    # layouts a sheet before, with steps already proven for most). The hint only orders the tries; the
    # result is the same with or without it.
    found: dict[int, object] = {}  # index -> laid-out Document; only the best is written
    pages = 0
    # Across a batch most sheets differ from an earlier one only in the client's name: when the name cannot
    # change the layout (it fits on its line at the largest type), a sheet with the same signature takes the
    # step proven for the earlier one, and is laid out once. If it does not fit after all, the search runs.
    signature = _pathway_signature(template, ctx, plan, templates_dir / "fonts")
    proven = _PATHWAY_PROVEN.get(signature) if signature else None
    kept = (signature or "", str(templates_dir))
    if proven is not None:
        # The sheet this process laid out last for the signature, with this client's name set in its line,
        # is the layout this sheet gets: nothing else on it depends on the name (see LaidOutSheet).
        sheet = _LAID_OUT.get(kept)
        if sheet is not None and sheet.step == proven and sheet.take(plan.client.name, ctx["title"], templates_dir):
            _LAID_OUT.move_to_end(kept)
            return write(sheet.doc, "care-pathway.pdf", identity=identity(plan, "care-pathway"))
        if fits(proven):
            _keep_laid_out(kept, proven, found[proven], plan.client.name)
            return write(found[proven], "care-pathway.pdf", identity=identity(plan, "care-pathway"))
    key = (plan.language, plan.client.contract_scope)
    hint = _PATHWAY_HINTS.get(key, _PATHWAY_HINTS.get(ANY))
    lo, hi = 0, len(PATHWAY_SCALES) - 1  # still open: the lowest index that fits is in lo..hi, or none fits
    if hint is not None:  # gallop from the hint (1, 2, 4... steps away), then search what is left
        stride = 1
        if fits(hint):
            hi = hint - 1
            while lo <= hi:
                probe = max(hint - stride, lo)
                if not fits(probe):
                    lo = probe + 1
                    break
                hi, stride = probe - 1, stride * 2
        else:
            lo = hint + 1
            while lo <= hi:
                probe = min(hint + stride, hi)
                if fits(probe):
                    hi = probe - 1
                    break
                lo, stride = probe + 1, stride * 2
    while lo <= hi:  # binary search for the lowest index that fits, within what is still open
        mid = (lo + hi) // 2
        if fits(mid):
            hi = mid - 1
        else:
            lo = mid + 1
    if not found:
        raise RenderError(f"care-pathway.pdf: the content needs {pages} pages even at the smallest type size; "
                          "shorten the pathway texts in content/items/")
    best = min(found)
    _PATHWAY_HINTS[key] = _PATHWAY_HINTS[ANY] = best
    if signature:
        _PATHWAY_PROVEN.prove(signature, best)
        _keep_laid_out(kept, best, found[best], plan.client.name)
    return write(found[best], "care-pathway.pdf", identity=identity(plan, "care-pathway"))


class ProvenSteps(dict):
    """Layout signature -> the scale index proven for it (this step fits, the one before does not).

    Kept per process; when a batch shares a folder (share_proven_steps, set in every worker of a build's
    pool), a step one worker proved is read by the others too, so a signature is searched for once per batch
    rather than once per worker. The folder holds one small file per signature, written atomically; a file
    that cannot be read counts as not proven, which only costs a search.

    Steps also outlive the build: the build's output folder keeps them in one file (`kept`, see
    steps_to_keep) under a key of everything else a layout depends on (the templates folder with its CSS
    and fonts, WeasyPrint's and Pango's versions), so a rebuild after one profile changed lays that client's
    sheet out once instead of searching for its step again. A file for another key is ignored.
    """

    folder: Optional[Path] = None
    kept: Optional[Path] = None
    templates = ""  # the templates folder's tree hash, part of the key of kept

    def __init__(self) -> None:
        super().__init__()
        self.proved: set[str] = set()  # signatures this build proved (here, or in its other processes)
        self._kept: Optional[dict[str, int]] = None

    def kept_steps(self) -> dict[str, int]:
        """The steps earlier builds kept for these templates, read once per build and process."""
        if self._kept is None:
            self._kept = read_kept_steps(self.kept, self.templates) if self.kept is not None else {}
        return self._kept

    def get(self, signature: str, default=None):  # type: ignore[override]
        if signature not in self:
            step = self.kept_steps().get(signature)
            if step is None and self.folder is not None:
                step = _step_file(self.folder / signature)
            if step is not None:
                self[signature] = step
        return super().get(signature, default)

    def prove(self, signature: str, step: int) -> None:
        self[signature] = step
        self.proved.add(signature)
        if self.folder is not None:
            tmp = self.folder / f".{signature}.{os.getpid()}"
            try:
                tmp.write_text(str(step), encoding="ascii")
                os.replace(tmp, self.folder / signature)
            except OSError:
                tmp.unlink(missing_ok=True)


def _step_file(path: Path) -> Optional[int]:
    """The step a batch folder's file holds; None when it cannot be read or is out of range."""
    try:
        step = int(path.read_text(encoding="ascii"))
    except (OSError, ValueError):
        return None
    return step if 0 <= step < len(PATHWAY_SCALES) else None


_PATHWAY_PROVEN = ProvenSteps()


def share_proven_steps(folder: Optional[Path], kept: Optional[Path] = None, templates: str = "") -> None:
    """Start a build's memory of proven care-pathway steps in this process: shared through folder with the
    other processes of the batch (None: this process alone), and seeded from the kept file (see ProvenSteps)
    of the templates with tree hash templates."""
    _PATHWAY_PROVEN.clear()
    _PATHWAY_PROVEN.proved.clear()
    _LAID_OUT.clear()
    _PATHWAY_PROVEN.folder, _PATHWAY_PROVEN.kept, _PATHWAY_PROVEN.templates = folder, kept, templates
    _PATHWAY_PROVEN._kept = None


def collect_proven_steps(folder: Path) -> None:
    """Take in the steps a batch's workers proved, from the folder they shared (steps_to_keep passes them on
    to the next build)."""
    try:
        files = [f for f in folder.iterdir() if not f.name.startswith(".")]
    except OSError:
        return
    for f in files:
        step = _step_file(f)
        if step is not None:
            _PATHWAY_PROVEN[f.name] = step
            _PATHWAY_PROVEN.proved.add(f.name)


KEPT_STEPS = 50_000  # signatures kept between builds (this build's first); about 80 bytes each


def _kept_key(templates: str) -> str:
    """What a kept step holds for besides its sheet's HTML: the templates folder and the layout engine."""
    import hashlib

    return hashlib.sha256(f"{templates}\n{engine_versions()}".encode()).hexdigest()


def read_kept_steps(path: Path, templates: str) -> dict[str, int]:
    """The steps kept in path for these templates and this engine; {} when there are none or they are for
    other templates, another engine, or the file cannot be read (a cache: a miss only costs a search)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    steps = data.get("steps") if isinstance(data, dict) and data.get("key") == _kept_key(templates) else None
    if not isinstance(steps, dict):
        return {}
    return {s: n for s, n in steps.items() if type(n) is int and 0 <= n < len(PATHWAY_SCALES)}


def steps_to_keep() -> Optional[bytes]:
    """After a build: the kept file's new contents, the steps this build proved (in this process and its
    workers) with those kept before, for the next build; None when nothing is new. Sorted, so two builds of
    the same clients write the same file, whatever order their workers finished in."""
    p = _PATHWAY_PROVEN
    if p.kept is None or not p.proved:
        return None
    kept = p.kept_steps()
    steps = {s: p[s] for s in p.proved}
    if all(kept.get(s) == n for s, n in steps.items()):
        return None
    for s, n in kept.items():  # then the steps kept before, as many as fit
        if len(steps) >= KEPT_STEPS:
            break
        steps.setdefault(s, n)
    return json.dumps({"key": _kept_key(p.templates), "steps": dict(sorted(steps.items()))}, indent=0).encode()


class LaidOutSheet:
    """A laid-out care pathway (a weasyprint Document at its proven step) that takes another client's name.

    Sheets of one signature differ only in the client's name, set alone on its own line of the header (bold,
    left-aligned, one line). Laying such a sheet out again cost more than half of its render; instead the
    name's text box is set anew here, the way WeasyPrint's line layout sets it (split_first_line with the
    box's style and width), and the line's width follows. Nothing else on the page depends on that box. The
    bytes are those a fresh layout gives (tests/test_render_pdf.py compares them for several names).

    A name is taken only when that is sure: it fits the line, is drawn in the main font alone (fallback fonts
    have other ascents), has no spaces a browser would collapse and no soft hyphen, and its box comes out
    as high, with the same baseline, as the box it replaces. Otherwise the sheet is laid out afresh. With a
    WeasyPrint version these internals were not checked against, no sheet is kept (pdf_engine.internals_checked).
    """

    def __init__(self, doc, step: int, name: str) -> None:
        from weasyprint.formatting_structure.boxes import BlockBox, TextBox

        self.doc, self.step = doc, step
        self.line = self.box = None
        pages = doc.pages if internals_checked() and len(doc.pages) == 1 else ()
        for box in pages[0]._page_box.descendants() if pages else ():
            element = getattr(box, "element", None)
            if element is not None and element.get("class") == "for" and isinstance(box, BlockBox):
                lines = box.children
                if len(lines) == 1 and len(lines[0].children) == 1:
                    text = lines[0].children[0]
                    if isinstance(text, TextBox) and text.text == name and lines[0].width == text.width:
                        self.line, self.box = lines[0], text
                break

    def take(self, name: str, title: str, templates_dir: Path) -> bool:
        """Set name in place of the one the sheet shows; False (sheet unchanged) when that is not sure."""
        from weasyprint.text.line_break import split_first_line

        box = self.box
        if box is None or name != " ".join(name.split()) or "\xad" in name \
                or not in_main_font(name, templates_dir / "fonts", bold=True):
            return False
        layout, length, resume, width, height, baseline = split_first_line(
            name, box.style, _NoHyphenation, box.pango_layout.max_width, box.justification_spacing)
        if resume is not None or length != len(name.encode()) or height != box.height \
                or baseline + box.margin_top != box.baseline or width > box.pango_layout.max_width:
            return False
        box.text, box.width, box.pango_layout = layout.text, width, layout
        self.line.width = width
        self.doc.metadata.title = title
        self.doc.fonts = {}  # as a fresh Document has: the fonts (and their glyphs) of the last write go
        return True


class _NoHyphenation:
    """The layout context split_first_line reads only for hyphenation dictionaries; the name line has none."""

    dictionaries: dict = {}


# signature -> the sheet laid out last for it in this process; a few only (a laid-out sheet holds ~3 MB).
# A batch builds clients of one language, scope, provider and county one after another (build.py), so
# sheets of one signature mostly come together.
_LAID_OUT: "OrderedDict[tuple[str, str], LaidOutSheet]" = OrderedDict()  # (signature, templates folder)
LAID_OUT_KEPT = 4


def _keep_laid_out(key: tuple[str, str], step: int, doc, name: str) -> None:
    sheet = LaidOutSheet(doc, step, name)
    if sheet.box is None:
        return
    _LAID_OUT[key] = sheet
    _LAID_OUT.move_to_end(key)
    while len(_LAID_OUT) > LAID_OUT_KEPT:
        _LAID_OUT.popitem(last=False)


HEADER_NAME_WIDTH = 0.62 * (297 - 18) / 25.4 * 72 * 0.85  # pt: the header's name line at scale-0, with a margin
HEADER_NAME_SIZE = 1.2 * 10.4  # pt: .for at scale-0 (care-pathway.css)


def _pathway_signature(template, ctx: dict, plan: Plan, fonts: Path) -> Optional[str]:
    """A hash of everything that decides the sheet's layout, or None when the client's name might.

    The name appears on the sheet only on its own line of the header (and in the title); while it fits that
    line at the largest type, its letters cannot move anything else. The provider's logo is named in the
    HTML by its path; its pixels count too (its size sets the header's height).
    """
    import hashlib
    from dataclasses import replace
    from urllib.parse import urlparse
    from urllib.request import url2pathname

    if text_width(plan.client.name, HEADER_NAME_SIZE, fonts, bold=True) > HEADER_NAME_WIDTH:
        return None
    anonymous = {**ctx, "client": replace(plan.client, name=""), "title": ""}
    digest = hashlib.sha256(template.render(scale="", **anonymous).encode())
    if ctx.get("logo"):
        try:
            digest.update(Path(url2pathname(urlparse(ctx["logo"]).path)).read_bytes())
        except OSError:
            return None  # WeasyPrint will say what is wrong with the file
    return digest.hexdigest()


_ADVANCES: dict[tuple[Path, bool], tuple] = {}


def _advances(fonts: Path, bold: bool) -> tuple[dict[int, int], int]:
    """(code point -> advance width, units per em) of the vendored Noto Sans, read once per process."""
    key = (fonts, bold)
    if key not in _ADVANCES:
        from fontTools.ttLib import TTFont

        font = TTFont(fonts / ("NotoSans-Bold.ttf" if bold else "NotoSans-Regular.ttf"), lazy=True)
        cmap, hmtx = font.getBestCmap(), font["hmtx"]
        _ADVANCES[key] = ({cp: hmtx[g][0] for cp, g in cmap.items()}, font["head"].unitsPerEm)
    return _ADVANCES[key]


def text_width(text: str, size: float, fonts: Path, bold: bool = False) -> float:
    """Width in pt of text set in the vendored Noto Sans (no kerning; an unknown glyph counts as 1 em)."""
    advances, upm = _advances(fonts, bold)
    return sum(advances.get(ord(c), upm) for c in text) * size / upm


def in_main_font(text: str, fonts: Path, bold: bool = False) -> bool:
    """Whether the vendored Noto Sans has every character of text (no fallback font is needed for it)."""
    advances = _advances(fonts, bold)[0]
    return all(ord(c) in advances for c in text)


_ENVIRONMENTS: dict[str, object] = {}


def _template(templates_dir: Path, name: str):
    """A compiled template of templates_dir. One Jinja environment per folder and process, so a template is
    compiled once (compiling both PDF templates for every toolkit took a tenth of its CPU); Jinja checks the
    file's modification time on each lookup and compiles an edited template again."""
    import jinja2

    env = _ENVIRONMENTS.get(str(templates_dir))
    if env is None:
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir)), autoescape=True,
                                 undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        env.filters["css_string"] = css_string
        env.filters["breakable"] = breakable
        env.filters["upper_first"] = lambda text: text[:1].upper() + text[1:]
        _ENVIRONMENTS[str(templates_dir)] = env
    try:
        return env.get_template(name)
    except jinja2.TemplateError as exc:
        raise RenderError(f"{name}: {exc}") from None


# The title of each PDF; the checklists' is shared with the follow-up report, which names them
TITLES = {"pdf.checklists": "common.checklists", "pdf.pathway": "pdf.pathway.title"}


def _common(plan: Plan, templates_dir: Path, prefix: str, asset_root: Optional[Path] = None) -> dict:
    """What both documents show: who it is for and by whom, metadata, running header and footer."""
    provider = plan.provider
    logo = check_local_asset(provider.logo, templates_dir, asset_root).as_uri() if provider and provider.logo else None
    colours = palette(provider.brand_colour if provider and HEX_COLOUR.match(provider.brand_colour or "") else None)
    provider_name = provider.name if provider else plan.label("pdf.no_provider")
    heading = plan.label(TITLES.get(prefix, prefix + ".title"))
    title = f"{heading} – {plan.client.name}"
    credit = plan.item("model.credit")
    page_of = plan.label("common.page_of", page="\x00", pages="\x01")
    return dict(
        plan=plan, client=plan.client, provider=provider, provider_name=provider_name, logo=logo,
        palette=colours, lang=LANG_TAGS.get(plan.language, plan.language), label=plan.label,
        title=title, heading=heading, subject=plan.label(prefix + ".subject"),
        keywords=f"{plan.label('pdf.keywords')}, {plan.label(prefix + '.keywords')}",
        credit=credit.text if credit else "",
        page_of_css=_page_of_css(page_of),
    )


def css_string(text: str) -> "Markup":
    """A quoted CSS string in which every character but ASCII letters and digits is a 6-digit hex escape.

    Spaces are escaped too: CSS swallows one whitespace after a hex escape, so "a: b" would lose it.

    The result holds no quote, '<' or '&', so HTML autoescaping leaves it unchanged inside <style>.
    """
    from markupsafe import Markup

    return Markup('"' + "".join(c if c.isascii() and c.isalnum() else f"\\{ord(c):06x}"
                                for c in text) + '"')


def breakable(text: str) -> "Markup":
    """A web or e-mail address, HTML-escaped, with a break opportunity after each / . - and @, so a long one
    wraps where a reader expects rather than at the box's edge (base.css breaks it there when a part is
    longer than the box). A zero-width space rather than <wbr>: WeasyPrint ignores <wbr> inside a link; the
    space draws nothing and text extraction (pdftotext) leaves it out."""
    from markupsafe import Markup, escape

    return Markup("\u200b".join(str(escape(part)) for part in re.split(r"(?<=[/.@-])", text)))


def _page_of_css(page_of: str) -> str:
    """'Sivu {page} / {pages}' as a CSS content value with the page counters in place."""
    parts = []
    for chunk in re.split(r"([\x00\x01])", page_of):
        if chunk == "\x00":
            parts.append("counter(page)")
        elif chunk == "\x01":
            parts.append("counter(pages)")
        elif chunk:
            parts.append(css_string(chunk))
    from markupsafe import Markup

    return Markup(" ".join(parts))


def _sections(plan: Plan) -> tuple[Section, ...]:
    """The checklists: items that are met or not, ticked and counted."""
    return tuple(Section(cl.id, cl.text, cl.body, items) for cl, items in plan.checklists())


def _evaluation(plan: Plan) -> tuple[Section, ...]:
    """The evaluation questions by step: open questions with a written answer, never counted as ticks."""
    out = []
    for step_id in EVALUATION_STEPS:
        questions = plan.items("evaluation_question", step_id)
        step = plan.item(step_id)
        if questions:
            title = step.text if step else plan.label("common.evaluation_questions")
            out.append(Section(step_id, title, step.body if step else None, questions))
    return tuple(out)


def _dowell_avoid(plan: Plan) -> tuple[tuple[str, tuple[Entry, ...], tuple[Entry, ...]], ...]:
    """(theme title, do-well items, avoid items) per theme, in the order the themes first appear."""
    groups: list[str] = []
    for e in plan.items("do_well") + plan.items("avoid"):
        if e.group not in groups:
            groups.append(e.group)
    out = []
    for g in groups:
        theme = plan.item(g) if g else None
        out.append((theme.text if theme else "", plan.items("do_well", g), plan.items("avoid", g)))
    return tuple(out)


def _milestones(plan: Plan) -> tuple[Entry, ...]:
    def days(e: Entry) -> int:
        try:
            return int(e.value or "")
        except ValueError:
            return 10**6
    return tuple(sorted(plan.items("milestone"), key=days))


def _contacts(plan: Plan) -> dict:
    """The contact band: OHS, county, Mielenterveystalo.fi, crisis line in this language, 112."""
    crisis = plan.item(f"contact.crisis-{plan.language}")
    if crisis is None:  # only the document's language is selected; fall back to whichever is there
        crisis = next((e for e in plan.items("contact") if e.id.startswith("contact.crisis-")), None)
    county = plan.client.county
    entry = next(iter(plan.items("county")), None)  # the client's county, with its services' entry point
    return dict(
        ohs=plan.item("contact.ohs"),
        county_item=plan.item("contact.county-generic"),
        county_name=plan.label("pdf.pathway.your_county", county=county) if county else None,
        county_entry=entry,
        mielenterveystalo=plan.item("contact.mielenterveystalo"),
        crisis=crisis,
        chat=plan.item("contact.crisis-chat"),
        urgent=plan.item("contact.urgent-care"),
        emergency=plan.item("contact.emergency"),
    )

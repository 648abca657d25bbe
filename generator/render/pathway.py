"""The care pathway sheet: Plan -> care-pathway.pdf, one A4 landscape page in the largest type that fits.

The four levels of care, who treats where under this client's contract, work-ability follow-up in OHS and
where to turn, rendered by WeasyPrint from templates/care-pathway.html.j2. Tagged like the checklists
(checklists.py says what is verified and what is not).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from ..errors import RenderError
from ..plan import Entry, Plan
from . import Batch
from . import pathway_steps as steps
from .html import common_context, identity, template
from .metrics import text_width
from .pathway_steps import PROVEN, SCALES
from .weasy import sheet
from .weasy.engine import layout, write

# (language, contract scope) -> the scale index the last such sheet took in this process; see render_pathway
_HINTS: dict[tuple[str, str], int] = {}
ANY = ("", "")  # the hint for a language and scope not seen yet: the step the last sheet took


def render_pathway(plan: Plan, templates_dir: Path, asset_root: Optional[Path] = None) -> bytes:
    """The one-page care pathway in the largest type size that fits, so it never spills onto a second page."""
    ctx = common_context(plan, templates_dir, "pdf.pathway", asset_root)
    ctx.update(levels=plan.pathway(), lane=plan.item("wa.ohs-always"), milestones=_milestones(plan),
               contacts=_contacts(plan), theme=plan.item("theme.pathway"))
    ctx["credit"] = plan.label("pdf.pathway.credit")
    page = template(templates_dir, "care-pathway.html.j2")

    def fits(i: int) -> bool:
        nonlocal pages
        doc = layout(page.render(scale=SCALES[i], **ctx), templates_dir, "care-pathway.pdf",
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
    signature = _signature(page, ctx, plan, templates_dir / "fonts")
    proven = PROVEN.get(signature) if signature else None
    kept = (signature or "", str(templates_dir))
    if proven is not None:
        # The sheet this process laid out last for the signature, with this client's name set in its line,
        # is the layout this sheet gets: nothing else on it depends on the name (see weasy/sheet.py).
        doc = sheet.reuse(kept, proven, plan.client.name, ctx["title"], templates_dir)
        if doc is not None:
            return write(doc, "care-pathway.pdf", identity=identity(plan, "care-pathway"))
        if fits(proven):
            sheet.keep(kept, proven, found[proven], plan.client.name)
            return write(found[proven], "care-pathway.pdf", identity=identity(plan, "care-pathway"))
    key = (plan.language, plan.client.contract_scope)
    hint = _HINTS.get(key, _HINTS.get(ANY))
    lo, hi = 0, len(SCALES) - 1  # still open: the lowest index that fits is in lo..hi, or none fits
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
    _HINTS[key] = _HINTS[ANY] = best
    if signature:
        PROVEN.prove(signature, best)
        sheet.keep(kept, best, found[best], plan.client.name)
    return write(found[best], "care-pathway.pdf", identity=identity(plan, "care-pathway"))


HEADER_NAME_WIDTH = 0.62 * (297 - 18) / 25.4 * 72 * 0.85  # pt: the header's name line at scale-0, with a margin
HEADER_NAME_SIZE = 1.2 * 10.4  # pt: .for at scale-0 (care-pathway.css)


def _signature(page, ctx: dict, plan: Plan, fonts: Path) -> Optional[str]:
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
    digest = hashlib.sha256(page.render(scale="", **anonymous).encode())
    if ctx.get("logo"):
        try:
            digest.update(Path(url2pathname(urlparse(ctx["logo"]).path)).read_bytes())
        except OSError:
            return None  # WeasyPrint will say what is wrong with the file
    return digest.hexdigest()


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


def begin_batch(batch: Batch) -> None:
    """A build starts in this process: steps proven by earlier builds into the same output folder, and the
    folder where the build's processes share the steps they prove (pathway_steps.py)."""
    steps.start(batch.shared, batch.out / steps.KEPT_FILE, batch.templates)
    sheet.forget()


def end_batch(batch: Batch) -> dict[str, bytes]:
    """The build ends: the steps it proved, with those kept before, for the next build into its folder."""
    steps.gather(batch.shared)
    kept = steps.to_keep()
    steps.start(None)
    sheet.forget()
    return {steps.KEPT_FILE: kept} if kept is not None else {}

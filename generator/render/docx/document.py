"""Render the Word action plan: Plan -> bytes of an editable .docx with content controls."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from ...files import zip_time
from ...inputs.assets import check_local_asset
from ...plan import Plan
from .. import build_time
from . import package as P
from .sections import SECTIONS, cover, table_of_contents
from .writer import Writer


def render_docx(plan: Plan, templates_dir: Optional[Path] = None, asset_root: Optional[Path] = None) -> bytes:
    """The action plan of one client as .docx bytes; byte-identical for equal inputs and SOURCE_DATE_EPOCH."""
    for asset in (plan.provider.logo, plan.provider.base_docx) if plan.provider and templates_dir else ():
        if asset:  # python-docx opens whatever path it is given: checked again here, as for the PDFs
            check_local_asset(asset, templates_dir, asset_root)

    stamp = build_time()
    w = Writer(plan, stamp)
    w.templates_dir = templates_dir
    cover(w)
    toc = table_of_contents(w)
    for number, section in enumerate(SECTIONS, start=1):
        section(w, number)
    w.fill_toc(toc)
    w.set_properties()
    return P.package_zip(w.doc, zip_time(stamp))

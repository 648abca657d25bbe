"""Renderers: Plan -> bytes of one output file. They read the Plan and templates/, never profiles or content/."""

from __future__ import annotations

import importlib
import os
from datetime import datetime, timezone
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from ..errors import RenderError
from ..plan import Plan


def build_time() -> datetime:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else now; in UTC, whole seconds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=timezone.utc).replace(microsecond=0)
        except ValueError:
            raise RenderError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, got '{epoch}'") from None
    return datetime.now(timezone.utc).replace(microsecond=0)


@dataclass(frozen=True)
class Output:
    """One output file of a toolkit and the function that renders it."""

    filename: str
    module: str
    function: str

    def load(self) -> Callable[..., bytes]:
        return getattr(importlib.import_module(self.module), self.function)


OUTPUTS: tuple[Output, ...] = (
    Output("action-plan.docx", "generator.render.docx", "render_docx"),
    Output("checklists.pdf", "generator.render.pdf", "render_checklists"),
    Output("care-pathway.pdf", "generator.render.pdf", "render_pathway"),
)


def available_outputs() -> tuple[Output, ...]:
    """The outputs whose renderer module exists in this version of the generator."""
    found = []
    for out in OUTPUTS:
        spec = importlib.util.find_spec(out.module)
        if spec is not None:
            found.append(out)
    return tuple(found)


def render(out: Output, plan: Plan, templates_dir: Path, asset_root: Optional[Path] = None) -> bytes:
    """One output's bytes; asset_root is the workspace whose asset folders the provider's logo may come from."""
    return out.load()(plan, templates_dir=templates_dir, asset_root=asset_root)

"""Readers: the bytes of one returned file -> what it holds, or a problem naming the file. They mirror the
renderers, know nothing about batches, and never execute, fetch or modify anything in a returned file."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional


class NotReadable(Exception):
    """Raised when a returned file cannot be used: not ours, corrupt, encrypted, too large or unsafe."""


@dataclass(frozen=True)
class Identity:
    """What a returned document says about itself (embedded at build time; never the file name)."""

    client: str
    document: str  # action-plan | checklists
    language: str = ""
    content: str = ""
    generator: str = ""
    modified: str = ""  # ISO 8601, from the document's own properties
    revision: int = 0   # save count (Office), or the number of PDF updates
    tags: str = ""      # the plan's tag scheme version (docs/docx-tags.md); "" for PDFs


@dataclass
class Returned:
    """One returned document as read: its identity and its values."""

    identity: Identity
    fields: dict[str, str] = field(default_factory=dict)          # tag -> value (plan) / name -> value (PDF)
    rows: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # fill-in table id -> rows, in order
    checked: dict[str, bool] = field(default_factory=dict)        # PDF check boxes by item id
    warnings: list[str] = field(default_factory=list)
    source: Optional[str] = None

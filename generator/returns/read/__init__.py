"""Readers: the bytes of one returned file -> what it holds, or a problem naming the file. They mirror the
renderers, know nothing about batches, and never execute, fetch or modify anything in a returned file."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Optional

# A saved time outside these years is not one a person saved the file at: it is treated as unknown
YEARS = (1990, 2200)


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


def timestamp(when: Optional[datetime]) -> str:
    """A document's saved time as ISO 8601 in UTC ('...Z'); '' when unknown or not a plausible time."""
    if when is None:
        return ""
    try:
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)  # Office writes UTC without saying so
        when = when.astimezone(timezone.utc)
    except (OverflowError, ValueError):  # year 1 minus an offset, or year 9999 plus one
        return ""
    if not YEARS[0] <= when.year <= YEARS[1]:
        return ""
    return when.isoformat().replace("+00:00", "Z")


def iso_timestamp(text: str) -> str:
    """An ISO 8601 time as a document's properties write it -> timestamp(); '' when it is not one."""
    try:
        return timestamp(datetime.fromisoformat(text.strip().replace("Z", "+00:00")))
    except ValueError:
        return ""


def revision(text: str) -> int:
    """A save count as written (ASCII digits only: '²' and a 5,000-digit number are not counts); 0 otherwise."""
    text = text.strip()
    return int(text) if re.fullmatch(r"[0-9]{1,9}", text) else 0

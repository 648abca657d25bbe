"""WeasyPrint's log as problems: it reports bad CSS and missing images only there, so a render collects what
it logs and fails on it."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Iterator

from ...errors import RenderError


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def weasyprint_warnings() -> Iterator[list[str]]:
    """Collect what WeasyPrint logs at WARNING or above: it reports bad CSS and missing images only there."""
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


def raise_warnings(what: str, warnings: list[str]) -> None:
    if warnings:
        raise RenderError(f"{what}: WeasyPrint reported {len(warnings)} problem(s): " + "; ".join(warnings))

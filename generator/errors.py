"""Exceptions raised by the generator; cli.py turns them into one-line messages and exit codes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem in one input file, shown to users as `path: field: message`."""

    path: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.field}: {self.message}" if self.field else f"{self.path}: {self.message}"


class ToolkitError(Exception):
    """Base class of every error the generator reports to users without a traceback."""


class InputError(ToolkitError):
    """Raised when profiles, provider files or content files are invalid; carries every problem found."""

    def __init__(self, problems: list[Problem], what: str = "input") -> None:
        self.problems = list(problems)
        self.what = what
        super().__init__("\n".join(str(p) for p in self.problems))


class RenderError(ToolkitError):
    """Raised when an output cannot be rendered (template error, refused asset, renderer warning)."""


class AssetError(RenderError):
    """Raised when a logo, base document or other asset lies outside the allowed folders or is unusable."""

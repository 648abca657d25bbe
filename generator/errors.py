"""Exceptions raised by the generator; cli.py turns them into one-line messages and exit codes."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Optional

if TYPE_CHECKING:
    from pydantic import ValidationError

MAX_PROBLEMS = 20  # per file: a broken, machine-made or hostile file cannot flood the output


@dataclass(frozen=True)
class Problem:
    """One problem in one input file, shown to users as `path: field: message`."""

    path: str
    field: str
    message: str
    row: Optional[int] = None  # a register's row as a spreadsheet shows it (the header is row 1)

    @property
    def where(self) -> str:
        """The file, or the file and row of a register: what one failed client is reported under."""
        return f"{self.path}: row {self.row}" if self.row is not None else self.path

    def __str__(self) -> str:
        # Escaped, so a key or file name cannot drive the terminal or split the line; clipped, so a hostile
        # 1 MB key or value cannot flood a terminal or a CI log.
        path, field, message = (clip(escape(self.path), 300), clip(escape(self.field), 100),
                                clip(escape(self.message), 600))
        if self.row is not None:
            path += f": row {self.row}"
        where = [part for part in (path, field) if part]  # a problem of the command line has no file
        return ": ".join(where + [message])


_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape(text: str) -> str:
    """text with every character a terminal would act on or not show written as an escape (\\x1b, \\n, \\u200f).

    Everything the tool echoes from its input (keys, values, file and folder names) goes through this: an
    ESC in a file name could otherwise clear the screen or set the window title, a newline split a message.
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else _ESCAPES.get(c) or (
        f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}")
        for c in text)


def clip(text: str, limit: int) -> str:
    """text, cut to at most limit characters with a note of how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters)"


def capped(problems: list[Problem], limit: int = MAX_PROBLEMS) -> list[Problem]:
    """The first `limit` problems of each file, in order, then a line for each file that had more."""
    kept: list[Problem] = []
    count: dict[str, int] = {}
    for p in problems:
        count[p.path] = count.get(p.path, 0) + 1
        if count[p.path] <= limit:
            kept.append(p)
    return kept + [Problem(path, "", f"... and {n - limit} more problems in this file")
                   for path, n in count.items() if n > limit]


def _fmt_loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def pydantic_problems(path: str, exc: "ValidationError", prefix: str = "",
                      patterns: Optional[dict[str, Callable[[str], str]]] = None) -> list[Problem]:
    """Turn a pydantic ValidationError into one Problem per error, with allowed values where known.

    patterns: regular expression -> what a value that does not match it is told, in words.
    """
    patterns = patterns or {}
    problems = []
    for err in exc.errors():
        loc = _fmt_loc(err["loc"])
        fieldname = f"{prefix}{'.' if prefix and loc else ''}{loc}"
        msg = err["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown field"
        elif err["type"] == "string_pattern_mismatch" and err.get("ctx", {}).get("pattern") in patterns:
            msg = patterns[err["ctx"]["pattern"]](err["input"])
        elif err["type"] == "literal_error":
            msg = f"{msg}" + (f" (got {err['input']!r})" if not isinstance(err.get("input"), (dict, list)) else "")
        problems.append(Problem(path, fieldname, msg))
    return problems


def nearest(value: str, allowed: list[str] | tuple[str, ...]) -> str:
    """Return ' Did you mean X?' for a near match, else ''."""
    m = difflib.get_close_matches(str(value), list(allowed), n=1, cutoff=0.6)
    return f" Did you mean '{m[0]}'?" if m else ""


class FileProblem(Exception):
    """A file that cannot be read at all, with the ready Problem to report (YamlProblem, TableProblem)."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))


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

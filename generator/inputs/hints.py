"""Validator problems -> messages in the user's words: what YAML 1.1 did to an unquoted value, what a pattern means."""

from __future__ import annotations

import re
import types
import typing
from typing import Any, Literal, Optional, Union

from pydantic import BaseModel

from ..errors import Problem
from ..yamlio import Scalar


def field_type(model: type[BaseModel], path: str) -> Any:
    """The annotation of a field path such as client.name or team[0].role, Optional removed; None if unknown."""
    ann: Any = model
    for part in re.findall(r"[^.\[\]]+", path):
        if part.isdigit():
            args = typing.get_args(ann)
            if typing.get_origin(ann) not in (tuple, list) or not args:
                return None
            ann = args[0]
        elif isinstance(ann, type) and issubclass(ann, BaseModel) and part in ann.model_fields:
            ann = ann.model_fields[part].annotation
        else:
            return None
        if typing.get_origin(ann) in (Union, types.UnionType):
            ann = next((a for a in typing.get_args(ann) if a is not type(None)), None)
    return ann


def _text_like(ann: Any) -> bool:
    return ann is str or typing.get_origin(ann) is Literal


def _unquoted(s: Scalar, what: str) -> str:
    """What YAML made of an unquoted value that was meant as text, and how to keep it as text."""
    keep = f"write {what} in quotes (\"{s.text}\") so YAML keeps it as text"
    if s.kind == "bool":
        return f"YAML read the unquoted {s.text} as a boolean ({str(s.value).lower()}); {keep}"
    if s.kind == "null":
        return "must not be empty" if not s.text else f"YAML read the unquoted {s.text} as no value; {keep}"
    dropped = [z for z, hit in (("leading", re.match(r"[-+]?0\d", s.text)),
                                ("trailing", s.kind == "float" and re.search(r"\.\d*0$", s.text))) if hit]
    if dropped:
        return f"YAML read {s.text} as a number and dropped the {' and '.join(dropped)} zero; {keep}"
    return f"YAML read the unquoted {s.text} as a number; {keep}"


def yaml_hints(problems: list[Problem], scalars: dict[str, Scalar], model: type[BaseModel], shown: str,
               names: Optional[dict[str, str]] = None) -> list[Problem]:
    """Say what YAML 1.1 did to unquoted values, instead of what the validator saw.

    A number YAML changed (octal 0045 -> 37, base-60 12:30 -> 750) is refused even where the changed value
    would pass: it is never used. A boolean, number or null in a text field gets the quotes it needs.
    names: field path -> how to call the value in the advice ("the TOL code"); default "it".
    """
    names = names or {}
    replaced: dict[str, str] = {}
    for path, s in scalars.items():
        ann = field_type(model, path)
        if ann is None:
            continue
        changed = s.changed()
        if changed and ann is int:
            digits = s.text.replace("_", "")
            plain = str(int(digits)) if digits.lstrip("+-").isdigit() else "the number without ':'"
            replaced[path] = f"{s.text} {changed}; write {plain}"
        elif changed:
            replaced[path] = (f"{s.text} {changed}; write {names.get(path, 'it')} in quotes (\"{s.text}\") so YAML "
                              "keeps it as text")
        elif _text_like(ann) and any(p.field == path and p.message != "unknown field" for p in problems):
            if typing.get_origin(ann) is Literal and s.kind in ("int", "float"):
                continue  # language: 1 is plainly a number; "allowed: fi, sv, en" says it all
            msg = _unquoted(s, names.get(path, "it"))
            if typing.get_origin(ann) is Literal:  # a yes/no/on/off that may have been meant as a word
                msg += ". Allowed: " + ", ".join(map(str, typing.get_args(ann)))
            replaced[path] = msg
    out = [p for p in problems if p.field not in replaced]
    out += [Problem(shown, path, msg) for path, msg in sorted(replaced.items())]
    order: dict[str, int] = {}  # a new message takes the place of the one it replaces
    for i, p in enumerate(problems):
        order.setdefault(p.field, i)
    return sorted(out, key=lambda p: order.get(p.field, len(problems)))

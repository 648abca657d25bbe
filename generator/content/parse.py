"""Read content files into models: YAML lists of items, sources and groups, label files, file hashes."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import Problem, pydantic_problems
from ..yamlio import YamlProblem, read_yaml
from .model import ID_WORDS, Label


def yaml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def library_hashes(root: Path, labels_dir: Path | None = None) -> dict[str, str]:
    """sha256 of every library file, keyed by its path from the folder above content/ (the same wherever the
    tool is installed, so equal content has an equal version)."""
    root = Path(root)
    names = {p: p.relative_to(root.parent).as_posix() for p in yaml_files(root)}
    if labels_dir is not None:
        names.update({p: "/".join(p.parts[-3:]) for p in sorted(Path(labels_dir).glob("*.yaml"))})
    return {name: hashlib.sha256(p.read_bytes()).hexdigest() for p, name in names.items()}


def fingerprint(hashes: dict[str, str]) -> str:
    """The content version: 12 hex digits of one hash over every file's name and hash."""
    return hashlib.sha256("".join(f"{k}{v}" for k, v in sorted(hashes.items())).encode()).hexdigest()[:12]


def load_list(data: Any, rel: str, model: type[BaseModel], problems: list[Problem], key: str) -> list[Any]:
    if isinstance(data, dict) and set(data) == {key}:
        data = data[key]
    if not isinstance(data, list):
        problems.append(Problem(rel, "", f"expected a list of {key} (or a mapping '{key}: [...]')"))
        return []
    out = []
    for i, raw in enumerate(data):
        ident = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else f"[{i}]"
        try:
            out.append(model.model_validate(raw))
        except ValidationError as exc:
            for p in pydantic_problems(rel, exc, prefix=ident, patterns=ID_WORDS):
                if p.message == "unknown field":
                    allowed = ", ".join(model.model_fields)
                    p = Problem(p.path, p.field, f"unknown field (allowed: {allowed})")
                problems.append(p)
    return out


def load_labels(path: Path, rel: str, problems: list[Problem], labels: dict[str, Label],
                 where: dict[str, str], trusted: bool = False) -> None:
    try:
        data = read_yaml(path, rel, trusted=trusted)
    except YamlProblem as exc:
        problems.append(exc.problem)
        return
    if not isinstance(data, dict):
        problems.append(Problem(rel, "", "expected a mapping of label keys to {fi, sv, en}"))
        return
    for key, raw in data.items():
        if str(key) in labels:
            problems.append(Problem(rel, str(key), "label defined twice"
                                    + (f" (first in {where[str(key)]})" if str(key) in where else "")))
            continue
        try:
            labels[str(key)] = Label.model_validate(raw)
            where[str(key)] = rel
        except ValidationError as exc:
            problems.extend(pydantic_problems(rel, exc, prefix=str(key), patterns=ID_WORDS))

"""A workspace's own content merged into the library: its items, bibliography entries and label wording."""

from __future__ import annotations

import hashlib
import string
from pathlib import Path
from typing import Any, Callable, Optional

from ..errors import Problem, nearest
from ..text import clean_text
from ..vocab import LANGUAGES
from ..yamlio import YamlProblem, read_yaml
from .checks import check_whole
from .model import IndustryGroup, Item, Label, Source
from .parse import load_labels, load_list, yaml_files


def merge_overlay(folder: Path, show: Callable[[Path], str], items: list[Item], groups: list[IndustryGroup],
                   sources: dict[str, Source], item_files: dict[str, str], problems: list[Problem],
                   hashes: dict[str, str], printable: Optional[frozenset[int]]) -> dict[str, str]:
    """Merge a workspace's content/ into the library; return item id -> 'added' | 'replaced'.

    A known id replaces the library's item where it stands, so the documents keep their order; a new id is
    added after the library's items. A replacement keeps the item's kind: renderers rely on the kinds of
    fixed ids. New bibliography entries come from content/reference/sources.yaml. The workspace's files get
    the checks profiles get (no links out of their folder, no control characters).
    """
    if (folder / "reference" / "industries.yaml").is_file():
        problems.append(Problem(show(folder / "reference" / "industries.yaml"), "", "the workspace's content/ is a "
                                "whole content library; keep only your own items in content/items/, or build with "
                                "that library as a checkout of the tool: --root DIR"))
        return {}
    position = {item.id: n for n, item in enumerate(items)}
    origins: dict[str, str] = {}
    own_sources: dict[str, str] = {}  # source id -> file
    for path in yaml_files(folder):
        rel = show(path)
        where = path.parent.relative_to(folder).as_posix()
        if (where, path.name) == ("reference", "sources.yaml"):
            data = _read_workspace_file(path, path.parent, rel, problems, hashes)
            for src in load_list(data, rel, Source, problems, "sources") if data is not None else ():
                _add_source(src, rel, sources, own_sources, problems, printable)
            continue
        if where != "items":
            problems.append(Problem(rel, "", "not read: a workspace's content/ holds items/*.yaml and "
                                             "reference/sources.yaml; industry groups and counties come with the tool"))
            continue
        data = _read_workspace_file(path, path.parent, rel, problems, hashes)
        for item in load_list(data, rel, Item, problems, "items") if data is not None else ():
            origin = _merge_item(item, rel, items, position, origins, item_files, problems, printable)
            if origin:
                origins[item.id], item_files[item.id] = origin, rel
    merged = [i for i in items if i.id in origins]
    check_whole(merged, groups, item_files, problems, universe=items)
    _check_own_citations(merged, sources, own_sources, item_files, items, problems)
    return origins


def _merge_item(item: Item, rel: str, items: list[Item], position: dict[str, int], origins: dict[str, str],
                item_files: dict[str, str], problems: list[Problem], printable: Optional[frozenset[int]]) -> str:
    """Put a workspace item into items; return 'added', 'replaced', or '' after recording a problem."""
    unsafe = _unsafe_text(item.model_dump(), item.id, printable)
    if unsafe:
        problems.append(Problem(rel, unsafe.field, unsafe.message))
    elif item.id in origins:
        problems.append(Problem(rel, item.id, f"duplicate id (first in {item_files[item.id]})"))
    elif item.id not in position:
        items.append(item)
        return "added"
    elif items[position[item.id]].kind != item.kind:
        problems.append(Problem(rel, f"{item.id}.kind", f"'{item.kind}' replaces an item of kind "
                                f"'{items[position[item.id]].kind}'; a replacement keeps the kind"))
    else:
        items[position[item.id]] = item
        return "replaced"
    return ""


def _add_source(src: Source, rel: str, sources: dict[str, Source], own: dict[str, str],
                problems: list[Problem], printable: Optional[frozenset[int]]) -> None:
    unsafe = _unsafe_text(src.model_dump(), src.id, printable)
    if unsafe:
        problems.append(Problem(rel, unsafe.field, unsafe.message))
    elif src.id in own:
        problems.append(Problem(rel, src.id, "duplicate source id"))
    elif src.id in sources:
        problems.append(Problem(rel, src.id, "the tool's bibliography already has this id; cite it as it is, "
                                             "or give your entry an id of its own"))
    else:
        sources[src.id], own[src.id] = src, rel


def _check_own_citations(merged: list[Item], sources: dict[str, Source], own: dict[str, str],
                         files: dict[str, str], items: list[Item], problems: list[Problem]) -> None:
    """The workspace's items cite known entries, and each of its own entries is cited by some item."""
    known = sorted(sources)
    for item in merged:
        for c in item.cite:
            if c not in sources:
                problems.append(Problem(files[item.id], f"{item.id}.cite", f"unknown source '{c}' (not in the "
                                        f"tool's bibliography or content/reference/sources.yaml).{nearest(c, known)}"))
    cited = {c for item in items for c in item.cite}
    for sid, rel in own.items():
        if sid not in cited:
            problems.append(Problem(rel, sid, "no item cites this source; cite it or remove it"))


def _read_workspace_file(path: Path, folder: Path, rel: str, problems: list[Problem],
                         hashes: dict[str, str]) -> Any:
    """A workspace file's YAML, or None after recording why not (a link out of its folder, bad YAML)."""
    if path.is_symlink() and not path.resolve().is_relative_to(folder.resolve()):
        problems.append(Problem(rel, "", f"is a symbolic link to a file outside {folder.name}/; refused"))
        return None
    try:
        data = read_yaml(path, rel)
    except YamlProblem as exc:
        problems.append(exc.problem)
        return None
    hashes[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return data


def _unsafe_text(value: Any, where: str, printable: Optional[frozenset[int]]) -> Optional[Problem]:
    """A Problem (without its file) for the first text in value that profiles may not hold either: control,
    direction or hiding characters, or characters the vendored fonts cannot print."""
    if isinstance(value, str):
        try:
            if value.strip():  # required texts are checked for emptiness by the models
                clean_text(value, printable)
        except ValueError as exc:
            return Problem("", where, str(exc))
        return None
    parts = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, (list, tuple)) else ()
    for key, sub in parts:
        found = _unsafe_text(sub, f"{where}[{key}]" if isinstance(key, int) else f"{where}.{key}", printable)
        if found:
            return found
    return None


def override_labels(folder: Path, show: Callable[[Path], str], labels: dict[str, Label], problems: list[Problem],
                     hashes: dict[str, str], printable: Optional[frozenset[int]]) -> None:
    """Replace library labels with a workspace's templates/labels/*.yaml.

    Only known keys, and only with the placeholders the library's label has: a label is formatted with
    str.format, so any other field ({x.__class__}) would be a template built from the workspace's text.
    """
    own: dict[str, Label] = {}
    where: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")):
        rel = show(path)
        if _read_workspace_file(path, folder, rel, problems, hashes) is not None:
            load_labels(path, rel, problems, own, where)
    for key, label in own.items():
        rel = where[key]
        if key not in labels:
            problems.append(Problem(rel, key, f"unknown label.{nearest(key, sorted(labels))} A workspace can "
                                              "only replace the labels of the tool (templates/labels/)"))
            continue
        unsafe = _unsafe_text(label.model_dump(), key, printable)
        if unsafe:
            problems.append(Problem(rel, unsafe.field, unsafe.message))
            continue
        allowed = set().union(*(_placeholders(labels[key].get(lang)) for lang in LANGUAGES))
        ok = True
        for lang in LANGUAGES:
            try:
                extra = _placeholders(label.get(lang)) - allowed
            except ValueError:
                extra, ok = set(), False
                problems.append(Problem(rel, f"{key}.{lang}", "unbalanced { or }; write {{ and }} for braces"))
            if extra:
                ok = False
                shown = ", ".join("{" + a + "}" for a in sorted(allowed)) or "none"
                problems.append(Problem(rel, f"{key}.{lang}", f"unknown placeholder "
                                        f"{', '.join('{' + e + '}' for e in sorted(extra))} (allowed: {shown})"))
        if ok:
            labels[key] = label


def _placeholders(text: str) -> set[str]:
    """The replacement fields of a label, each with its conversion and format spec (ValueError if malformed)."""
    return {name + (f"!{conv}" if conv else "") + (f":{spec}" if spec else "")
            for _, name, spec, conv in string.Formatter().parse(text) if name is not None}

"""Load and check the content library: content/**/*.yaml (+ a workspace overlay) -> Library (items, groups, labels)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

from ..errors import InputError, Problem, capped
from ..yamlio import YamlProblem, read_yaml
from .checks import check_citations, check_whole
from .model import IndustryGroup, Item, Label, Library, Source
from .overlay import merge_overlay, override_labels
from .parse import fingerprint, library_hashes, load_labels, load_list, yaml_files


def load_library(root: Path, labels_dir: Path | None = None, overlay: Path | None = None,
                 overlay_labels: Path | None = None, shown: Callable[[Path], str] | None = None,
                 printable: Optional[frozenset[int]] = None) -> Library:
    """Load every content file under root, then a workspace's overlay; check the whole; raise InputError.

    overlay is a workspace's content/ folder: its items/*.yaml add items, or replace the library's item
    with the same id, and its reference/sources.yaml adds bibliography entries. overlay_labels is its
    templates/labels/ folder: labels that replace the library's. shown turns a path into the form users
    see (default: relative to root's parent); printable, the code points the fonts cover, limits the overlay's
    texts as it limits profiles'.
    """
    root = Path(root)
    show = shown or (lambda p: p.relative_to(root.parent).as_posix())
    problems: list[Problem] = []
    items: list[Item] = []
    groups: list[IndustryGroup] = []
    sources: dict[str, Source] = {}
    item_files: dict[str, str] = {}
    files = yaml_files(root)
    if not files:
        raise InputError([Problem(str(root), "", "no content files (*.yaml) found")], "content")
    hashes = library_hashes(root, labels_dir)
    for path in files:
        rel = show(path)
        try:
            data = read_yaml(path, rel, trusted=True)  # the library's own files
        except YamlProblem as exc:
            problems.append(exc.problem)
            continue
        if path.name == "industries.yaml":
            groups.extend(load_list(data, rel, IndustryGroup, problems, "industry_groups"))
            continue
        if path.name == "sources.yaml":
            for src in load_list(data, rel, Source, problems, "sources"):
                if src.id in sources:
                    problems.append(Problem(rel, src.id, "duplicate source id"))
                sources[src.id] = src
            continue
        for item in load_list(data, rel, Item, problems, "items"):
            if item.id in item_files:
                problems.append(Problem(rel, f"{item.id}", f"duplicate id (first in {item_files[item.id]})"))
                continue
            item_files[item.id] = rel
            items.append(item)
    labels: dict[str, Label] = {}
    label_files: dict[str, str] = {}
    if labels_dir is not None:
        for lpath in sorted(Path(labels_dir).glob("*.yaml")):
            load_labels(lpath, show(lpath), problems, labels, label_files, trusted=True)
    check_whole(items, groups, item_files, problems)
    check_citations(items, groups, sources, item_files, problems)
    origins: dict[str, str] = {}
    overlay_hashes: dict[str, str] = {}
    own: list[Problem] = []
    if overlay is not None and overlay.is_dir():
        origins = merge_overlay(overlay, show, items, groups, sources, item_files, own, overlay_hashes, printable)
    if overlay_labels is not None and overlay_labels.is_dir():
        override_labels(overlay_labels, show, labels, own, overlay_hashes, printable)
    problems += capped(own)
    if problems:
        raise InputError(problems, "content")
    return Library(tuple(items), tuple(groups), labels, sources, item_files, hashes, fingerprint(hashes), origins,
                   overlay_hashes)


if __name__ == "__main__":  # quick check for content authors: python -m generator.content.load [content] [labels]
    import sys

    try:
        lib = load_library(Path(sys.argv[1] if len(sys.argv) > 1 else "content"),
                           Path(sys.argv[2] if len(sys.argv) > 2 else "templates/labels"))
    except InputError as err:
        print(err)
        sys.exit(1)
    print(f"content OK: {len(lib.items)} items, {len(lib.labels)} labels, version {lib.version}")

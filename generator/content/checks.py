"""Cross-file checks of the content library: references between items, industry groups and citations."""

from __future__ import annotations

from typing import Optional

from ..errors import Problem, nearest
from ..vocab import DATA_INDICATORS
from .model import IndustryGroup, Item, Source


def check_whole(items: list[Item], groups: list[IndustryGroup], files: dict[str, str],
                 problems: list[Problem], universe: Optional[list[Item]] = None) -> None:
    """Cross-file checks: dangling references, unknown industry groups, and what actions say they address."""
    ids = set(files)
    group_ids = [g.id for g in groups]
    factor_kinds = ("load_group", "load_factor", "resource_group", "resource_factor")
    addressable = set(DATA_INDICATORS[:3]) | {i.id for i in universe or items if i.kind in factor_kinds}
    if not groups:
        problems.append(Problem("content", "", "no industry groups: add content/reference/industries.yaml"))
    for item in items:
        where = files[item.id]
        for ref_field, ref in [("group", item.group)] + [("refs", r) for r in item.refs]:
            if ref is not None and ref not in ids:
                problems.append(Problem(where, f"{item.id}.{ref_field}",
                                        f"refers to unknown item '{ref}'.{nearest(ref, sorted(ids))}"))
        for target in item.addresses:
            if target not in addressable:
                problems.append(Problem(where, f"{item.id}.addresses", f"'{target}' is neither a needs-data indicator "
                                        f"({', '.join(DATA_INDICATORS[:3])}) nor a load or resource factor or group."
                                        f"{nearest(target, sorted(addressable))}"))
        if item.addresses and item.kind != "action":
            problems.append(Problem(where, f"{item.id}.addresses", "only actions address needs data"))
        for g in item.when.industry_groups or ():
            if g not in group_ids:
                problems.append(Problem(where, f"{item.id}.when.industry_groups",
                                        f"unknown industry group '{g}' (allowed: {', '.join(group_ids)})"))


def check_citations(items: list[Item], groups: list[IndustryGroup], sources: dict[str, Source],
                     files: dict[str, str], problems: list[Problem]) -> None:
    """Every cite names a bibliography entry; an entry nothing cites is flagged so the list stays clean."""
    if not sources:
        problems.append(Problem("content", "", "no bibliography: add content/reference/sources.yaml"))
        return
    known = sorted(sources)
    used: set[str] = set()
    for where, ident, cites in ([(files[i.id], i.id, i.cite) for i in items]
                                + [("content/reference/industries.yaml", g.id, g.cite) for g in groups]):
        for c in cites:
            used.add(c)
            if c not in sources:
                problems.append(Problem(where, f"{ident}.cite", f"unknown source '{c}' (not in "
                                        f"content/reference/sources.yaml).{nearest(c, known)}"))
    for sid in known:
        if sid not in used:
            problems.append(Problem("content/reference/sources.yaml", sid, "no item cites this source; "
                                    "cite it or remove it"))

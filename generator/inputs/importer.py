"""toolkit import: the valid clients of a register -> one YAML profile file per client, rewriting only what changed.

For providers who keep their profiles in git: the register (the customer system's export) stays the master
copy, and each import changes exactly the files whose client changed, so the diff shows what changed. A file
is compared by what it says, not by its bytes: one whose fields already match is left untouched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import yaml

from ..files import write_atomic
from ..yamlio import YamlProblem, read_yaml
from .profile import LoadedProfile, Profile


@dataclass
class ImportResult:
    """What an import did, file by file (paths as given to -o)."""

    created: list[str] = field(default_factory=list)
    updated: list[tuple[str, list[str]]] = field(default_factory=list)  # (file, the fields that changed)
    unchanged: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)        # (file, why it was not written)
    others: list[str] = field(default_factory=list)  # profile files in the folder that the register lacks


def profile_mapping(p: Profile) -> dict[str, Any]:
    """A Profile as the mapping of a profile file, in the order the README documents the fields."""
    client: dict[str, Any] = {"name": p.client.name}
    if p.client.business_id:
        client["business_id"] = p.client.business_id
    data: dict[str, Any] = {"id": p.id, "client": client, "industry": p.industry, "employees": p.employees,
                            "contract_scope": p.contract_scope, "language": p.language}
    if p.wellbeing_county:
        data["wellbeing_county"] = p.wellbeing_county
    if p.work_features:
        data["work_features"] = list(p.work_features)
    if p.plan_period:
        data["plan_period"] = {"start": p.plan_period.start.isoformat(), "end": p.plan_period.end.isoformat()}
    if p.provider:
        data["provider"] = p.provider
    return data


def profile_yaml(p: Profile, register: str) -> str:
    """The profile file's text. safe_dump quotes what YAML 1.1 would read as something else ("87.10", "no")."""
    head = (f"# Imported from {register} by `toolkit import`. The register is the master copy: the next import\n"
            "# rewrites the fields that differ from it.\n")
    return head + yaml.safe_dump(profile_mapping(p), allow_unicode=True, sort_keys=False, width=120)


def import_register(clients: list[LoadedProfile], register: str, out: Path) -> ImportResult:
    """Write out/<id>.yaml for every client; create new files, rewrite changed ones, leave the rest alone."""
    result = ImportResult()
    written = set()
    for lp in clients:
        target = out / f"{lp.profile.id}.yaml"
        written.add(target.name)
        new = profile_mapping(lp.profile)
        old, why = _existing(target)
        if why:
            result.refused.append((str(target), why))
            continue
        if old is not None and old.get("id") != new["id"]:
            result.refused.append((str(target), f"holds the client {old.get('id')!r}, not {new['id']!r}; "
                                                 "rename or move it, then import again"))
            continue
        if old == new:
            result.unchanged.append(str(target))
            continue
        write_atomic(target, profile_yaml(lp.profile, register).encode("utf-8"))
        if old is None:
            result.created.append(str(target))
        else:
            result.updated.append((str(target), _changed(old, new)))
    if out.is_dir():
        result.others = sorted(str(p) for p in out.glob("*.yaml") if p.name not in written)
    return result


def _existing(target: Path) -> tuple[Optional[dict], str]:
    """The mapping a file holds now (None: no file), or why it must not be overwritten."""
    if target.is_symlink():
        return None, "is a symbolic link; replace it with the file itself, or remove it"
    if not target.exists():
        return None, ""
    try:
        data = read_yaml(target, str(target))
    except YamlProblem as exc:
        return None, f"cannot be read ({exc.problem.message}); fix or remove it, then import again"
    return (data, "") if isinstance(data, dict) else (None, "is not a profile (not a mapping of fields)")


def _changed(old: dict, new: dict, prefix: str = "") -> list[str]:
    """The dotted names of the fields that differ: employees, plan_period.end."""
    out = []
    for key in list(new) + [k for k in old if k not in new]:
        a, b = old.get(key), new.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            out += _changed(a, b, f"{prefix}{key}.")
        elif a != b:
            out.append(f"{prefix}{key}")
    return out

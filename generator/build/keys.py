"""Build keys: what a toolkit was built from, as hashes in its manifest, so a rebuild redoes only what changed.

Two keys, cheap first. The quick key holds the toolkit's own inputs and the whole content library: when it
matches, nothing the toolkit uses can have changed. The input key holds the selected plan instead of the
library, so an edit to items a client does not use leaves that client's toolkit as it is.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from .. import __version__
from ..plan import Plan

if TYPE_CHECKING:
    from ..inputs.profile import LoadedProfile
    from .context import BuildContext

MANIFEST = "manifest.json"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tree_hash(folder: Path, root: Path) -> str:
    """One hash over every file's relative path and bytes under folder (templates, fonts, labels)."""
    h = hashlib.sha256()
    for p in sorted(q for q in folder.rglob("*") if q.is_file()):
        h.update(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def _file_hash(path: Optional[str], workspace: Path) -> Optional[str]:
    """sha256 of a file as shown to users: relative to the workspace, or absolute when outside it."""
    if not path:
        return None
    p = Path(path) if Path(path).is_absolute() else workspace / path
    return sha256(p.read_bytes())


def base_key(lp: "LoadedProfile", ctx: "BuildContext") -> dict:
    """Hashes of a toolkit's own inputs and of how it is built; the content comes on top (see below)."""
    provider, workspace, opts = lp.provider, ctx.project.workspace, ctx.opts
    previous = ctx.previous_record(lp)
    return {
        # a register's row is keyed by its own values, so editing one row rebuilds that one client
        "profile": lp.digest or _file_hash(lp.path, workspace),
        "provider": _file_hash(lp.provider_path, workspace),
        "assets": {k: _file_hash(v, workspace) for k, v in
                   (("logo", provider and provider.logo), ("base_docx", provider and provider.base_docx)) if v},
        "templates": ctx.templates,
        "generator": __version__,
        "source_date_epoch": os.environ.get("SOURCE_DATE_EPOCH"),
        "outputs": [o.filename for o in ctx.outputs],
        "extras": [name for name, on in (("depfile", opts.depfile), ("zip", opts.zip)) if on],
        "previous": sha256(previous.read_bytes()) if previous else None,
        # the client's figures and peer medians (--data): a changed figure rebuilds the clients it changes
        **({"data": sha256(repr(lp.data).encode())} if lp.data is not None else {}),
    }


def quick_key(base: dict, ctx: "BuildContext") -> dict:
    """base + the whole content library and the workspace's overlay: when this matches, nothing the toolkit
    uses can have changed."""
    library = ctx.library
    files = {**library.file_hashes, **{f"workspace:{k}": v for k, v in library.workspace_hashes.items()}}
    return {**base, "content": sha256(json.dumps(files, sort_keys=True).encode())}


def input_key(base: dict, plan: Plan) -> dict:
    """base + the plan. The plan stands for the content: it holds every selected item's text, so an edit to
    items this client does not use, or a new item it does not get, leaves the key unchanged. The decisions
    are left out: they only explain the plan, and list every item of the library and the workspace."""
    # repr of the frozen dataclasses: deterministic, and 10x cheaper than json of asdict for 1000s of clients
    return {**base, "plan": sha256(repr(replace(plan, decisions=())).encode())}


def read_manifest(out_dir: Path) -> Optional[dict]:
    try:
        manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def outputs_intact(out_dir: Path, manifest: dict) -> bool:
    """Every output the manifest lists is there with the recorded sha256."""
    for name, digest in manifest.get("outputs", {}).items():
        try:
            if sha256((out_dir / name).read_bytes()) != digest:
                return False
        except OSError:
            return False
    return True

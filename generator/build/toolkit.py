"""One client's toolkit: (LoadedProfile, BuildContext) -> up to date, or selected, rendered and written whole."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..content import fingerprint
from ..errors import ToolkitError, escape
from ..files import ZIP_EPOCH, replace_all
from ..files import zip_bytes as reproducible_zip
from ..inputs.profile import LoadedProfile
from ..plan import Plan
from ..record import load_record
from ..render import render_all
from ..select import select
from .context import BuildContext
from .depfile import depfile
from .interrupt import STOP
from .keys import MANIFEST, base_key, input_key, outputs_intact, quick_key, read_manifest, sha256

INTERRUPTED = "interrupted"  # a Result status that is never reported: the toolkit waits for the next run


@dataclass
class Result:
    """What happened to one client's toolkit."""

    id: str
    status: str  # built | up-to-date | failed
    error: str = ""
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class Prepared:
    """A toolkit found out of date: its plan and the keys its manifest will hold."""

    plan: Plan
    inputs: dict
    quick: dict


def failed(lp: LoadedProfile, message: str) -> Result:
    """A failed toolkit, its message on one line whatever the profile's file name holds (see errors.escape)."""
    return Result(lp.profile.id, "failed", escape(f"{lp.path}: {message}"))


def prepare(lp: LoadedProfile, ctx: BuildContext, check: bool = True,
            defer: bool = False) -> "Result | Prepared | None":
    """A Result when the toolkit is up to date or cannot be planned; else what writing it needs.

    check=False when the caller has already found the toolkit out of date (a worker, after build_all).
    defer=True: None when there is no earlier toolkit to compare with, so the plan is left to the worker
    that builds it (a first build then selects each plan once, in parallel, not twice).

    Two checks, cheap first: when the profile, provider, templates and the whole content library are as
    last built, the toolkit is up to date without selecting its plan. When only the content changed, the
    plan is selected and compared, so an edit to items a client does not use does not rebuild it.
    """
    pid, out_dir = lp.profile.id, ctx.folder(lp)
    try:
        base = base_key(lp, ctx)
        quick = quick_key(base, ctx)
        manifest = read_manifest(out_dir) if check and not ctx.opts.force else None
        if manifest and manifest.get("quick_inputs") == quick and outputs_intact(out_dir, manifest):
            return Result(pid, "up-to-date")
        if defer and manifest is None:
            return None
        record_path = ctx.previous_record(lp)
        record = load_record(record_path) if record_path else None
        plan = select(lp.profile, ctx.library, lp.provider, lp.profile.provider, ctx.project.workspace,
                      previous=record, data=lp.data)
        inputs = input_key(base, plan)
    except ToolkitError as exc:
        return failed(lp, str(exc))
    except OSError as exc:  # a provider asset vanished or became unreadable since validation
        return failed(lp, f"cannot read {exc.filename or 'an input'}: {exc.strerror or exc}")
    except Exception as exc:  # a selection bug must not stop the batch; it is reported with the profile
        return failed(lp, f"internal error: {type(exc).__name__}: {exc}")
    if manifest and manifest.get("inputs") == inputs and outputs_intact(out_dir, manifest):
        return Result(pid, "up-to-date")
    return Prepared(plan, inputs, quick)


def write_toolkit(lp: LoadedProfile, prepared: Prepared, ctx: BuildContext, jobs: int = 1) -> Result:
    """Render and write one toolkit; everything is rendered in memory first, so a failure leaves the old
    toolkit as it was. jobs > 1: its documents are rendered in parallel (render_all)."""
    pid, plan, library = lp.profile.id, prepared.plan, ctx.library
    try:
        rendered = render_all(ctx.outputs, plan, ctx.project.templates_dir, ctx.project.workspace, jobs)
    except ToolkitError as exc:
        return failed(lp, str(exc))
    except OSError as exc:  # the renderers' temp files (WeasyPrint's fonts): a full or read-only disk
        return failed(lp, f"cannot write {exc.filename or 'a temporary file'}: "
                          f"{exc.strerror or exc}; the previous toolkit, if any, is unchanged")
    except Exception as exc:  # a renderer bug must not stop the batch; it is reported with the profile
        return failed(lp, f"internal error: {type(exc).__name__}: {exc}")
    out_dir = ctx.folder(lp)
    manifest = {
        "id": pid,
        "generator_version": __version__,
        "content_version": library.version,
        "workspace_content_version": fingerprint(library.workspace_hashes) if library.workspace_hashes else None,
        "inputs": prepared.inputs,
        "quick_inputs": prepared.quick,
        "outputs": {name: sha256(data) for name, data in rendered.items()},
        "selected_items": list(plan.selected_ids()),
    }
    files = dict(rendered)
    if ctx.opts.depfile:
        files["toolkit.d"] = depfile(lp, plan, ctx, rendered).encode()
    files[MANIFEST] = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()
    archive = ({ctx.out / f"{pid}.zip": zip_bytes({**rendered, MANIFEST: files[MANIFEST]}, pid)}
               if ctx.opts.zip else {})
    try:
        with STOP.shielded():  # a toolkit is put in place whole, or not at all
            commit_files(out_dir, files, archive)
    except OSError as exc:
        where = exc.filename or out_dir
        return failed(lp, f"cannot write {where}: {exc.strerror or exc}; "
                          "the previous toolkit, if any, is unchanged")
    return Result(pid, "built", files=tuple(rendered))


def build_one(lp: LoadedProfile, ctx: BuildContext, jobs: int = 1, check: bool = True) -> Result:
    """prepare, then write_toolkit when it is out of date."""
    prepared = prepare(lp, ctx, check=check)
    return prepared if isinstance(prepared, Result) else write_toolkit(lp, prepared, ctx, jobs)


def commit_files(out_dir: Path, files: dict[str, bytes], extra: dict[Path, bytes]) -> None:
    """Write a toolkit so that OUT never holds a mix of old and new files.

    Every file is first written in full beside its target; a full or read-only disk fails there and the
    previous toolkit stays as it was. Only then are they renamed into place, the manifest last: until it is,
    the next run sees the toolkit as out of date and rebuilds it.
    """
    targets = {out_dir / name: data for name, data in files.items() if name != MANIFEST}
    targets.update(extra)
    targets[out_dir / MANIFEST] = files[MANIFEST]
    replace_all(targets, remove_first=[out_dir / MANIFEST])


def zip_bytes(files: dict[str, bytes], folder: str) -> bytes:
    """A reproducible zip of a toolkit: its files under <folder>/ in name order, dated SOURCE_DATE_EPOCH."""
    stamp = time.gmtime(int(os.environ.get("SOURCE_DATE_EPOCH", "315532800")))[:6]
    return reproducible_zip({f"{folder}/{name}": files[name] for name in sorted(files)}, max(stamp, ZIP_EPOCH))


def clean_stale_temps(out_root: Path) -> None:
    """Remove temp files left by a build that was killed (they are never outputs)."""
    if out_root.is_dir():
        for tmp in out_root.glob("**/.*.tmp"):
            tmp.unlink(missing_ok=True)

"""Build toolkits: profiles -> select -> render -> atomic write of OUT/<id>/ with a manifest, in parallel."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from . import __version__
from .errors import ToolkitError
from .library import Library
from .load import Project
from .profile import LoadedProfile
from .render import Output, available_outputs, render
from .select import select

MANIFEST = "manifest.json"
RECYCLE_AFTER = 50  # toolkits per worker process before it is replaced, to bound memory


@dataclass
class Result:
    """What happened to one client's toolkit."""

    id: str
    status: str  # built | up-to-date | failed
    error: str = ""
    files: tuple[str, ...] = ()


@dataclass
class Summary:
    results: list[Result] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    def line(self) -> str:
        return (f"Built {self.count('built')}, up to date {self.count('up-to-date')}, "
                f"failed {self.count('failed')} in {self.seconds:.1f} s")

    def as_json(self) -> dict:
        return {"built": self.count("built"), "up_to_date": self.count("up-to-date"),
                "failed": self.count("failed"), "seconds": round(self.seconds, 3),
                "results": [r.__dict__ | {"files": list(r.files)} for r in self.results]}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def input_key(lp: LoadedProfile, project: Project, library: Library, outputs: tuple[Output, ...]) -> dict:
    """Hashes of everything a toolkit depends on; equal keys mean the outputs would be equal."""
    templates = sorted(p for p in project.templates_dir.rglob("*") if p.is_file())
    inputs = {
        "profile": sha256((project.root / lp.path).read_bytes() if not Path(lp.path).is_absolute()
                          else Path(lp.path).read_bytes()),
        "provider": sha256((project.root / lp.provider_path).read_bytes()) if lp.provider_path else None,
        "content": library.version,
        "templates": sha256(b"".join(p.relative_to(project.root).as_posix().encode() + p.read_bytes()
                                     for p in templates)),
        "generator": __version__,
        "outputs": [o.filename for o in outputs],
    }
    return inputs


def atomic_write(path: Path, data: bytes) -> None:
    """Write data to path so that the file appears only complete (temp file in the same folder + rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def up_to_date(out_dir: Path, inputs: dict) -> bool:
    try:
        manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if manifest.get("inputs") != inputs:
        return False
    for name, digest in manifest.get("outputs", {}).items():
        try:
            if sha256((out_dir / name).read_bytes()) != digest:
                return False
        except OSError:
            return False
    return True


def build_one(lp: LoadedProfile, project: Project, library: Library, out_root: Path,
              outputs: tuple[Output, ...], force: bool) -> Result:
    """Build one toolkit; render everything in memory first so a failure leaves the old toolkit as it was."""
    pid = lp.profile.id
    out_dir = out_root / pid
    inputs = input_key(lp, project, library, outputs)
    if not force and up_to_date(out_dir, inputs):
        return Result(pid, "up-to-date")
    try:
        plan = select(lp.profile, library, lp.provider, lp.profile.provider, project.root)
        rendered = {o.filename: render(o, plan, project.templates_dir) for o in outputs}
    except ToolkitError as exc:
        return Result(pid, "failed", f"{lp.path}: {exc}")
    except Exception as exc:  # a renderer bug must not stop the batch; it is reported with the profile
        return Result(pid, "failed", f"{lp.path}: internal error: {type(exc).__name__}: {exc}")
    manifest = {
        "id": pid,
        "generator_version": __version__,
        "content_version": library.version,
        "inputs": inputs,
        "outputs": {name: sha256(data) for name, data in rendered.items()},
        "selected_items": list(plan.selected_ids()),
    }
    for name, data in rendered.items():
        atomic_write(out_dir / name, data)
    atomic_write(out_dir / MANIFEST, (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode())
    return Result(pid, "built", files=tuple(rendered))


_WORKER: dict = {}


def _init_worker(root: str) -> None:
    project = Project(Path(root))
    _WORKER["project"] = project
    _WORKER["library"] = project.load_library()
    _WORKER["outputs"] = available_outputs()
    for o in _WORKER["outputs"]:  # import heavy renderers once per worker, not once per toolkit
        o.load()


def _work(lp: LoadedProfile, out_root: str, force: bool) -> Result:
    return build_one(lp, _WORKER["project"], _WORKER["library"], Path(out_root), _WORKER["outputs"], force)


def build_all(profiles: list[LoadedProfile], project: Project, library: Library, out_root: Path, jobs: int,
              force: bool = False, fail_fast: bool = False,
              progress: Optional[Callable[[Result, int, int], None]] = None) -> Summary:
    """Build every toolkit, in worker processes when jobs > 1; keep going past failures unless fail_fast."""
    start = time.perf_counter()
    summary = Summary()
    total = len(profiles)
    if jobs <= 1 or total <= 1:
        outputs = available_outputs()
        for lp in profiles:
            res = build_one(lp, project, library, out_root, outputs, force)
            summary.results.append(res)
            if progress:
                progress(res, len(summary.results), total)
            if fail_fast and res.status == "failed":
                break
    else:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(str(project.root),),
                                 max_tasks_per_child=RECYCLE_AFTER) as pool:
            futures = [pool.submit(_work, lp, str(out_root), force) for lp in profiles]
            for fut in as_completed(futures):
                res = fut.result()
                summary.results.append(res)
                if progress:
                    progress(res, len(summary.results), total)
                if fail_fast and res.status == "failed":
                    for f in futures:
                        f.cancel()
                    break
    summary.results.sort(key=lambda r: r.id)
    summary.seconds = time.perf_counter() - start
    return summary

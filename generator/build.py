"""Build toolkits: profiles -> select -> render -> atomic write of OUT/<id>/ with a manifest, in parallel."""

from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import tempfile
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Optional

from . import __version__
from .errors import ToolkitError
from .library import Library
from .load import Project
from .plan import Plan
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


def tree_hash(folder: Path, root: Path) -> str:
    """One hash over every file's relative path and bytes under folder (templates, fonts, labels)."""
    h = hashlib.sha256()
    for p in sorted(q for q in folder.rglob("*") if q.is_file()):
        h.update(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def _file_hash(path: Optional[str], root: Path) -> Optional[str]:
    if not path:
        return None
    p = Path(path) if Path(path).is_absolute() else root / path
    return sha256(p.read_bytes())


def input_key(lp: LoadedProfile, plan: Plan, project: Project, templates: str,
              outputs: tuple[Output, ...]) -> dict:
    """Hashes of everything a toolkit depends on. The plan stands for the content: it holds every selected
    item's text and every decision, so an edit to items this client does not use leaves its key unchanged."""
    plan_json = json.dumps(asdict(plan), sort_keys=True, ensure_ascii=False, default=str)
    return {
        "profile": _file_hash(lp.path, project.root),
        "provider": _file_hash(lp.provider_path, project.root),
        "assets": {k: _file_hash(v, project.root) for k, v in
                   (("logo", plan.provider and plan.provider.logo), ("base_docx", plan.provider and plan.provider.base_docx)) if v},
        "plan": sha256(plan_json.encode()),
        "templates": templates,
        "generator": __version__,
        "source_date_epoch": os.environ.get("SOURCE_DATE_EPOCH"),
        "outputs": [o.filename for o in outputs],
    }


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


@dataclass(frozen=True)
class Options:
    """How to build: what to write besides the toolkit files."""

    force: bool = False
    depfile: bool = False
    zip: bool = False


def build_one(lp: LoadedProfile, project: Project, library: Library, out_root: Path,
              outputs: tuple[Output, ...], templates: str, opts: Options) -> Result:
    """Build one toolkit; render everything in memory first so a failure leaves the old toolkit as it was."""
    pid = lp.profile.id
    out_dir = out_root / pid
    try:
        plan = select(lp.profile, library, lp.provider, lp.profile.provider, project.root)
        inputs = input_key(lp, plan, project, templates, outputs)
        if not opts.force and up_to_date(out_dir, inputs):
            return Result(pid, "up-to-date")
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
    # The manifest goes last: until it is written, the next run sees the toolkit as out of date.
    (out_dir / MANIFEST).unlink(missing_ok=True)
    for name, data in rendered.items():
        atomic_write(out_dir / name, data)
    manifest_bytes = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()
    if opts.depfile:
        atomic_write(out_dir / "toolkit.d", depfile(lp, plan, library, project, out_dir, rendered).encode())
    if opts.zip:
        atomic_write(out_root / f"{pid}.zip", zip_bytes({**rendered, MANIFEST: manifest_bytes}, pid))
    atomic_write(out_dir / MANIFEST, manifest_bytes)
    return Result(pid, "built", files=tuple(rendered))


def depfile(lp: LoadedProfile, plan: Plan, library: Library, project: Project, out_dir: Path,
            rendered: dict[str, bytes]) -> str:
    """A Make rule: the toolkit's files depend on its profile, provider, used content files and templates."""
    used = sorted({library.item_files[i] for i in plan.selected_ids()} | {"content/reference/industries.yaml"})
    deps = [lp.path] + ([lp.provider_path] if lp.provider_path else []) + used
    deps += sorted(p.relative_to(project.root).as_posix() for p in project.templates_dir.rglob("*") if p.is_file())
    targets = " ".join((out_dir / n).as_posix() for n in list(rendered) + [MANIFEST])
    esc = [d.replace(" ", "\\ ") for d in deps]
    return f"{targets}: \\\n  " + " \\\n  ".join(esc) + "\n"


def zip_bytes(files: dict[str, bytes], folder: str) -> bytes:
    """A reproducible zip: fixed timestamps and order, files under <folder>/."""
    buf = io.BytesIO()
    stamp = time.gmtime(int(os.environ.get("SOURCE_DATE_EPOCH", "315532800")))[:6]
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"{folder}/{name}", date_time=max(stamp, (1980, 1, 1, 0, 0, 0)))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, files[name])
    return buf.getvalue()


def clean_stale_temps(out_root: Path) -> None:
    """Remove temp files left by a build that was killed (they are never outputs)."""
    if out_root.is_dir():
        for tmp in out_root.glob("**/.*.tmp"):
            tmp.unlink(missing_ok=True)


_WORKER: dict = {}


def _init_worker(root: str, templates: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the pool
    project = Project(Path(root))
    _WORKER.update(project=project, library=project.load_library(), outputs=available_outputs(), templates=templates)
    for o in _WORKER["outputs"]:  # import heavy renderers once per worker, not once per toolkit
        o.load()


def _work(lp: LoadedProfile, out_root: str, opts: Options) -> Result:
    w = _WORKER
    return build_one(lp, w["project"], w["library"], Path(out_root), w["outputs"], w["templates"], opts)


def build_all(profiles: list[LoadedProfile], project: Project, library: Library, out_root: Path, jobs: int,
              opts: Options = Options(), fail_fast: bool = False,
              progress: Optional[Callable[[Result, int, int], None]] = None) -> Summary:
    """Build every toolkit, in worker processes when jobs > 1; keep going past failures unless fail_fast."""
    start = time.perf_counter()
    summary = Summary()
    total = len(profiles)
    clean_stale_temps(out_root)
    templates = tree_hash(project.templates_dir, project.root)
    if jobs <= 1 or total <= 1:
        outputs = available_outputs()
        for lp in profiles:
            res = build_one(lp, project, library, out_root, outputs, templates, opts)
            summary.results.append(res)
            if progress:
                progress(res, len(summary.results), total)
            if fail_fast and res.status == "failed":
                break
    else:
        with ProcessPoolExecutor(max_workers=min(jobs, total), initializer=_init_worker,
                                 initargs=(str(project.root), templates), max_tasks_per_child=RECYCLE_AFTER) as pool:
            futures = [pool.submit(_work, lp, str(out_root), opts) for lp in profiles]
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

"""Build toolkits: profiles -> select -> render -> atomic write of OUT/<id>/ with a manifest, in parallel."""

from __future__ import annotations

import fcntl
import gc
import hashlib
import io
import json
import os
import signal
import tempfile
import threading
import time
import zipfile
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, as_completed, wait as wait_for
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterator, Optional

from .. import __version__
from ..errors import ToolkitError, escape
from ..content.library import Library, fingerprint
from ..inputs.load import Project
from ..plan import Plan
from ..inputs.profile import LoadedProfile
from ..returns.record import load_record
from ..render import Output, available_outputs, load_renderers, render_all
from ..select import select

MANIFEST = "manifest.json"
RECYCLE_AFTER = 50  # toolkits per worker process (on average) before it is replaced, to bound memory
STOP_GRACE = 15.0  # seconds the workers get to wind down after Ctrl-C before they are killed


class Stop:
    """Ctrl-C as a build takes it, in the main process and in each worker (the SIGINT handler of both).

    A toolkit is rendered in memory, so Ctrl-C may cut a render short at any moment: nothing is lost. It must
    never cut short the renames that put a toolkit's files in place (commit_files): there it is only noted,
    and the build stops after that toolkit. A worker waiting for work only notes it too (a KeyboardInterrupt
    there would kill the worker with a traceback); every toolkit it is given after that is left for the next
    run. A terminal sends Ctrl-C to the whole process group, so parent and workers usually both get it.
    """

    def __init__(self) -> None:
        self.requested = False
        self.interruptible = True

    def __call__(self, signum, frame) -> None:
        self.requested = True
        if self.interruptible:
            self.interruptible = False  # once: a second Ctrl-C must not break the winding down
            raise KeyboardInterrupt

    @contextmanager
    def shielded(self) -> Iterator[None]:
        """Ctrl-C is noted but not raised inside (the renames of a toolkit; forking workers, which inherit it)."""
        before, self.interruptible = self.interruptible, False
        try:
            yield
        finally:
            self.interruptible = before

    @contextmanager
    def interruptible_section(self) -> Iterator[None]:
        """Ctrl-C raises KeyboardInterrupt inside (a worker rendering), also when it came just before."""
        self.interruptible = True
        try:
            if self.requested:
                raise KeyboardInterrupt
            yield
        finally:
            self.interruptible = False

    def check(self) -> None:
        """Raise KeyboardInterrupt when Ctrl-C was noted inside a shielded section."""
        if self.requested:
            raise KeyboardInterrupt

    @contextmanager
    def installed(self) -> Iterator[None]:
        """This object as the SIGINT handler of the build (main thread only: Python's rule for handlers)."""
        self.requested, self.interruptible = False, True
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = signal.signal(signal.SIGINT, self)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)


STOP = Stop()


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
    interrupted: bool = False  # Ctrl-C: what is in results was finished; the rest waits for the next run

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    def line(self) -> str:
        return (f"Built {self.count('built')}, up to date {self.count('up-to-date')}, "
                f"failed {self.count('failed')} in {self.seconds:.1f} s")

    def as_json(self) -> dict:
        return {"built": self.count("built"), "up_to_date": self.count("up-to-date"),
                "failed": self.count("failed"), "seconds": round(self.seconds, 3), "interrupted": self.interrupted,
                "results": [r.__dict__ | {"files": list(r.files)} for r in self.results]}


def _failed(lp: LoadedProfile, message: str) -> Result:
    """A failed toolkit, its message on one line whatever the profile's file name holds (see errors.escape)."""
    return Result(lp.profile.id, "failed", escape(f"{lp.path}: {message}"))


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


def base_key(lp: LoadedProfile, project: Project, templates: str, outputs: tuple[Output, ...],
             opts: "Options") -> dict:
    """Hashes of a toolkit's own inputs and of how it is built; the content comes on top (see below)."""
    provider = lp.provider
    return {
        # a register's row is keyed by its own values, so editing one row rebuilds that one client
        "profile": lp.digest or _file_hash(lp.path, project.workspace),
        "provider": _file_hash(lp.provider_path, project.workspace),
        "assets": {k: _file_hash(v, project.workspace) for k, v in
                   (("logo", provider and provider.logo), ("base_docx", provider and provider.base_docx)) if v},
        "templates": templates,
        "generator": __version__,
        "source_date_epoch": os.environ.get("SOURCE_DATE_EPOCH"),
        "outputs": [o.filename for o in outputs],
        "extras": [name for name, on in (("depfile", opts.depfile), ("zip", opts.zip)) if on],
        "previous": _record_hash(previous_record(opts, lp)),
        # the client's figures and peer medians (--data): a changed figure rebuilds the clients it changes
        **({"data": sha256(repr(lp.data).encode())} if lp.data is not None else {}),
    }


def _record_hash(path: Optional[Path]) -> Optional[str]:
    return sha256(path.read_bytes()) if path else None


def previous_record(opts: "Options", lp: LoadedProfile) -> Optional[Path]:
    """Last round's record of this client, when --previous names a folder that has one."""
    if opts.previous is None:
        return None
    path = Path(opts.previous) / f"{lp.profile.id}.json"
    return path if path.is_file() else None


def quick_key(base: dict, library: Library) -> dict:
    """base + the whole content library and the workspace's overlay: when this matches, nothing the toolkit
    uses can have changed."""
    files = {**library.file_hashes, **{f"workspace:{k}": v for k, v in library.workspace_hashes.items()}}
    return {**base, "content": sha256(json.dumps(files, sort_keys=True).encode())}


def input_key(base: dict, plan: Plan) -> dict:
    """base + the plan. The plan stands for the content: it holds every selected item's text, so an edit to
    items this client does not use, or a new item it does not get, leaves the key unchanged. The decisions
    are left out: they only explain the plan, and list every item of the library and the workspace."""
    # repr of the frozen dataclasses: deterministic, and 10x cheaper than json of asdict for 1000s of clients
    return {**base, "plan": sha256(repr(replace(plan, decisions=())).encode())}


def _file_mode() -> int:
    """The mode a plain open() would give a new file under this process's umask (usually 0644)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


FILE_MODE = _file_mode()


def write_temp(path: Path, data: bytes) -> str:
    """Write data in full to a hidden temp file beside path (same file system, so a rename is atomic).

    mkstemp creates it 0600; it gets the usual mode so the renamed output is readable like any other file.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


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


@dataclass(frozen=True)
class Options:
    """How to build: what to write besides the toolkit files."""

    force: bool = False
    depfile: bool = False
    zip: bool = False
    previous: Optional[Path] = None  # RECORDS folder of last round: a client's plan starts from <id>.json


def prepare(lp: LoadedProfile, project: Project, library: Library, out_root: Path, outputs: tuple[Output, ...],
            templates: str, opts: Options, check: bool = True,
            defer: bool = False) -> "Result | tuple[Plan, dict, dict] | None":
    """A Result when the toolkit is up to date or cannot be planned; else its plan, input key and quick key.

    check=False when the caller has already found the toolkit out of date (a worker, after build_all).
    defer=True: None when there is no earlier toolkit to compare with, so the plan is left to the worker
    that builds it (a first build then selects each plan once, in parallel, not twice).

    Two checks, cheap first: when the profile, provider, templates and the whole content library are as
    last built, the toolkit is up to date without selecting its plan. When only the content changed, the
    plan is selected and compared, so an edit to items a client does not use does not rebuild it.
    """
    pid = lp.profile.id
    out_dir = out_root / pid
    try:
        base = base_key(lp, project, templates, outputs, opts)
        quick = quick_key(base, library)
        manifest = read_manifest(out_dir) if check and not opts.force else None
        if manifest and manifest.get("quick_inputs") == quick and outputs_intact(out_dir, manifest):
            return Result(pid, "up-to-date")
        if defer and manifest is None:
            return None
        record_path = previous_record(opts, lp)
        record = load_record(record_path) if record_path else None
        plan = select(lp.profile, library, lp.provider, lp.profile.provider, project.workspace, previous=record,
                      data=lp.data)
        inputs = input_key(base, plan)
    except ToolkitError as exc:
        return _failed(lp, str(exc))
    except OSError as exc:  # a provider asset vanished or became unreadable since validation
        return _failed(lp, f"cannot read {exc.filename or 'an input'}: {exc.strerror or exc}")
    except Exception as exc:  # a selection bug must not stop the batch; it is reported with the profile
        return _failed(lp, f"internal error: {type(exc).__name__}: {exc}")
    if manifest and manifest.get("inputs") == inputs and outputs_intact(out_dir, manifest):
        return Result(pid, "up-to-date")
    return plan, inputs, quick


def write_toolkit(lp: LoadedProfile, plan: Plan, inputs: dict, quick: dict, project: Project, library: Library,
                  out_root: Path, outputs: tuple[Output, ...], opts: Options, jobs: int = 1) -> Result:
    """Render and write one toolkit; everything is rendered in memory first, so a failure leaves the old
    toolkit as it was. jobs > 1: its documents are rendered in parallel (render_all)."""
    pid = lp.profile.id
    try:
        rendered = render_all(outputs, plan, project.templates_dir, project.workspace, jobs)
    except ToolkitError as exc:
        return _failed(lp, str(exc))
    except OSError as exc:  # the renderers' temp files (WeasyPrint's fonts): a full or read-only disk
        return _failed(lp, f"cannot write {exc.filename or 'a temporary file'}: "
                           f"{exc.strerror or exc}; the previous toolkit, if any, is unchanged")
    except Exception as exc:  # a renderer bug must not stop the batch; it is reported with the profile
        return _failed(lp, f"internal error: {type(exc).__name__}: {exc}")
    out_dir = out_root / pid
    manifest = {
        "id": pid,
        "generator_version": __version__,
        "content_version": library.version,
        "workspace_content_version": fingerprint(library.workspace_hashes) if library.workspace_hashes else None,
        "inputs": inputs,
        "quick_inputs": quick,
        "outputs": {name: sha256(data) for name, data in rendered.items()},
        "selected_items": list(plan.selected_ids()),
    }
    files = dict(rendered)
    if opts.depfile:
        files["toolkit.d"] = depfile(lp, plan, library, project, out_dir, rendered).encode()
    files[MANIFEST] = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()
    archive = {out_root / f"{pid}.zip": zip_bytes({**rendered, MANIFEST: files[MANIFEST]}, pid)} if opts.zip else {}
    try:
        with STOP.shielded():  # a toolkit is put in place whole, or not at all
            commit_files(out_dir, files, archive)
    except OSError as exc:
        where = exc.filename or out_dir
        return _failed(lp, f"cannot write {where}: {exc.strerror or exc}; "
                           "the previous toolkit, if any, is unchanged")
    return Result(pid, "built", files=tuple(rendered))


def commit_files(out_dir: Path, files: dict[str, bytes], extra: dict[Path, bytes]) -> None:
    """Write a toolkit so that OUT never holds a mix of old and new files.

    Every file is first written in full to a temp file beside its target; a full or read-only disk fails
    here and the previous toolkit stays as it was. Only then are the temp files renamed into place, the
    manifest last: until it is, the next run sees the toolkit as out of date and rebuilds it.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    targets = {out_dir / name: data for name, data in files.items() if name != MANIFEST}
    targets.update(extra)
    targets[out_dir / MANIFEST] = files[MANIFEST]
    staged: list[tuple[str, Path]] = []
    try:
        for path, data in targets.items():
            staged.append((write_temp(path, data), path))
        (out_dir / MANIFEST).unlink(missing_ok=True)
        for tmp, path in staged:
            os.replace(tmp, path)
    finally:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)


def depfile(lp: LoadedProfile, plan: Plan, library: Library, project: Project, out_dir: Path,
            rendered: dict[str, bytes]) -> str:
    """A Make rule: the toolkit's files depend on its profile, provider, used content files, the workspace's
    label overrides and the templates (the tool's files in full when the tool is installed elsewhere).

    A client from a register depends on the whole register file: Make knows files, not rows, so an edit to
    any row makes Make run the build, which then rebuilds only the clients whose rows changed.
    """
    reference = project.shown(project.content_dir / "reference" / "industries.yaml")
    used = sorted({library.item_files[i] for i in plan.selected_ids()} | {reference})
    deps = [lp.source] + ([lp.provider_path] if lp.provider_path else []) + used
    if lp.data is not None:  # --data: the figures are an input too (the whole file, as for a register)
        deps.insert(1, lp.data.source)
    item_files = set(library.item_files.values())
    deps += sorted(k for k in library.workspace_hashes if k not in item_files)  # label overrides, own sources
    deps += sorted(project.shown(p) for p in project.templates_dir.rglob("*") if p.is_file())
    targets = " ".join(make_escape((out_dir / n).as_posix()) for n in list(rendered) + [MANIFEST])
    return f"{targets}: \\\n  " + " \\\n  ".join(make_escape(d) for d in deps) + "\n"


# What a file name must not carry into a Make rule as it is: '#' starts a comment, ':' ends the targets, '$'
# starts a variable, a space separates names. Make has no escape for a newline or tab: such a character (in a
# profile's file name) is written as errors.escape shows it, so the rule still parses.
_MAKE_ESCAPES = {"$": "$$", "#": "\\#", ":": "\\:", " ": "\\ "}


def make_escape(path: str) -> str:
    """A file name as GNU Make reads it back in a rule's targets and prerequisites."""
    return "".join(_MAKE_ESCAPES.get(c, c) for c in escape(path))


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


class OutputBusy(ToolkitError):
    """Another build holds the lock on the output folder."""


LOCK = ".toolkit-build.lock"
STEPS = ".toolkit-pathway-steps.json"  # care-pathway type steps proven by earlier builds (render/pdf.py)


@contextmanager
def locked(out_root: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold an exclusive lock on OUT for the whole build, so two builds never write the same files.

    A second build waits up to `wait` seconds, then stops with OutputBusy. The lock is an flock on
    OUT/.toolkit-build.lock: the kernel releases it when the holder exits or is killed, so a crashed build
    never leaves OUT locked. An OSError (OUT read-only, not creatable) propagates for the caller to report.
    """
    out_root.mkdir(parents=True, exist_ok=True)
    fh = open(out_root / LOCK, "a+", encoding="utf-8")
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    fh.seek(0)
                    holder = fh.read().strip() or "unknown"
                    raise OutputBusy(f"{out_root} is being written by another build (pid {holder}); "
                                     "wait for it to finish, use --wait SECONDS, or build into another -o folder")
                time.sleep(0.2)
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        yield
    finally:
        fh.close()


_WORKER: dict = {}


# The library the parent loaded, which a forked worker inherits instead of loading it again
_PARENT: dict = {}


def _init_worker(workspace: str, tool: str, templates: str, shared: str, kept: str) -> None:
    STOP.interruptible = False  # until a toolkit is being rendered (see Stop)
    signal.signal(signal.SIGINT, STOP)
    project = Project(Path(workspace), Path(tool))  # the same workspace and tool as the parent
    inherited = _PARENT.get("library")
    library = inherited[1] if inherited and inherited[0] == (workspace, tool) else project.load_library()
    _WORKER.update(project=project, library=library, outputs=available_outputs(), templates=templates)
    load_renderers(_WORKER["outputs"])  # already loaded when forked from a batch's main process
    from ..render.pdf import share_proven_steps
    share_proven_steps(Path(shared), Path(kept), templates)


def _work(lp: LoadedProfile, out_root: str, opts: Options) -> Result:
    w = _WORKER
    project, library, outputs, root = w["project"], w["library"], w["outputs"], Path(out_root)
    try:
        with STOP.interruptible_section():
            # build_all has found this toolkit out of date already: only the plan is selected again
            prepared = prepare(lp, project, library, root, outputs, w["templates"], opts, check=False)
            if isinstance(prepared, Result):
                return prepared
            return write_toolkit(lp, *prepared, project, library, root, outputs, opts)
    except KeyboardInterrupt:  # Ctrl-C: nothing of this toolkit was written; the next run builds it
        return Result(lp.profile.id, INTERRUPTED)


INTERRUPTED = "interrupted"  # a Result status that is never reported: the toolkit waits for the next run


POOL_RETRIES = 2  # fresh pools after a worker died (killed, out of memory) before giving up on what is left


def build_all(profiles: list[LoadedProfile], project: Project, library: Library, out_root: Path, jobs: int,
              opts: Options = Options(), fail_fast: bool = False,
              progress: Optional[Callable[[Result, int, int], None]] = None, wait: float = 0.0,
              failed_inputs: tuple[Result, ...] = (), notice: Callable[[str], None] = lambda msg: None) -> Summary:
    """Build every toolkit, in worker processes when jobs > 1; keep going past failures unless fail_fast.

    failed_inputs are clients whose profile did not validate: reported with the rest, never built.
    notice gets messages about the batch itself (a worker died and its toolkits are retried).
    Raises OutputBusy when another build holds OUT, OSError when OUT cannot be created or locked.
    """
    start = time.perf_counter()
    summary = Summary()
    total = len(profiles) + len(failed_inputs)

    def report(res: Result) -> bool:
        """Record a result; True when the batch should stop."""
        summary.results.append(res)
        if progress:
            progress(res, len(summary.results), total)
        return fail_fast and res.status == "failed"

    try:
        with STOP.installed(), locked(out_root, wait):
            clean_stale_temps(out_root)
            _build(profiles, project, library, out_root, jobs, opts, report, notice, failed_inputs)
    except KeyboardInterrupt:  # Ctrl-C: what finished is whole; what was in flight was finished or dropped
        summary.interrupted = True
        clean_stale_temps(out_root)
    summary.results.sort(key=lambda r: r.id)
    summary.seconds = time.perf_counter() - start
    return summary


def _build(profiles: list[LoadedProfile], project: Project, library: Library, out_root: Path, jobs: int,
           opts: Options, report: Callable[[Result], bool], notice: Callable[[str], None],
           failed_inputs: tuple[Result, ...]) -> None:
    """build_all's work, under its lock; KeyboardInterrupt on Ctrl-C (after the toolkit being written)."""
    templates = tree_hash(project.templates_dir, project.tool)
    outputs = available_outputs()
    if any(report(r) for r in failed_inputs):
        return
    from ..render.pdf import share_proven_steps, steps_to_keep
    share_proven_steps(None, out_root / STEPS, templates)  # what earlier builds into OUT proved
    try:
        _build_stale(profiles, project, library, out_root, jobs, opts, report, notice, templates, outputs)
    finally:
        kept = steps_to_keep()  # for the next build, even when this one stops early
        if kept is not None:
            try:
                os.replace(write_temp(out_root / STEPS, kept), out_root / STEPS)
            except OSError:  # a full or read-only disk: the outputs are what matter; the next build searches
                pass
        share_proven_steps(None)


def _build_stale(profiles: list[LoadedProfile], project: Project, library: Library, out_root: Path, jobs: int,
                 opts: Options, report: Callable[[Result], bool], notice: Callable[[str], None], templates: str,
                 outputs: tuple) -> None:
    """Check each toolkit and build those out of date: here, or in a pool of workers."""
    # Up-to-date checks in this process (a few hashes each, a select when the content changed), so a
    # rebuild after one change starts no workers for one toolkit, and none at all when nothing changed.
    # One worker: build in this process as the checks go. Several: queue the stale ones for a pool,
    # keeping no plans (they would cost memory per client); workers select again, which is cheap.
    stale: list[LoadedProfile] = []
    first: Optional[tuple[Plan, dict, dict]] = None
    for lp in profiles:
        prepared = prepare(lp, project, library, out_root, outputs, templates, opts, defer=jobs > 1)
        if prepared is None:  # never built: a worker selects its plan
            stale.append(lp)
            continue
        if isinstance(prepared, Result):
            res = prepared
        elif jobs <= 1:
            res = write_toolkit(lp, *prepared, project, library, out_root, outputs, opts)
        else:
            stale.append(lp)
            first = first or prepared
            continue
        if report(res):
            return
        STOP.check()  # Ctrl-C while that toolkit's files were put in place
    if len(stale) == 1:
        first = first or prepare(stale[0], project, library, out_root, outputs, templates, opts, check=False)
        report(first if isinstance(first, Result) else
               write_toolkit(stale[0], *first, project, library, out_root, outputs, opts, jobs))
        STOP.check()
    elif stale:
        _PARENT["library"] = ((str(project.workspace), str(project.tool)), library)  # forked workers share it
        load_renderers(outputs)  # imported once here: forked workers start with WeasyPrint and python-docx
        # What the workers inherit (the library, the renderers' modules) moves to a generation their garbage
        # collections never walk, and its pages stay shared with this process: Python's advice for fork.
        gc.freeze()
        try:
            _build_in_pool(sorted(stale, key=_kin), project, out_root, min(jobs, len(stale)), opts, templates,
                           report, notice)
        finally:
            gc.unfreeze()
            _PARENT.clear()


def _kin(lp: LoadedProfile) -> tuple[str, str, str, str]:
    """Clients whose care pathways are alike come one after another: a worker lays out a sheet once for a
    run of them and sets each client's name in it (render/pdf.py, LaidOutSheet). The order the pool takes
    them in changes nothing in the outputs, and results are reported as they finish anyway."""
    p = lp.profile
    return p.language, p.contract_scope, p.provider or "", p.wellbeing_county or ""


def _wind_down(pool: ProcessPoolExecutor, futures: list, report: Callable[[Result], bool]) -> None:
    """After Ctrl-C: drop the queued toolkits, let each worker cut its render short (or finish the renames it
    is doing), report what was finished, and let the workers exit normally, so their temp folders go too.

    Workers are sent SIGINT here as well: a Ctrl-C may have been sent to this process alone (kill -INT).
    A worker that has not stopped after STOP_GRACE seconds is killed; its temp files are cleaned up after.
    """
    with STOP.shielded():  # another Ctrl-C now is noted, not raised: the winding down takes a moment only
        for f in futures:
            f.cancel()
        workers = list((getattr(pool, "_processes", None) or {}).values())
        for proc in workers:
            try:
                os.kill(proc.pid, signal.SIGINT)
            except OSError:  # already gone
                pass
        deadline = time.monotonic() + STOP_GRACE
        pending = [f for f in futures if not f.cancelled()]
        while pending and time.monotonic() < deadline:
            done, still = wait_for(pending, timeout=deadline - time.monotonic(), return_when=FIRST_COMPLETED)
            for f in done:
                res = None if f.cancelled() or f.exception() else f.result()
                if res is not None and res.status != INTERRUPTED:
                    report(res)
            pending = list(still)
        if pending:
            for proc in workers:
                proc.kill()
        pool.shutdown(wait=True, cancel_futures=True)


def _build_in_pool(stale: list[LoadedProfile], project: Project, out_root: Path, jobs: int, opts: Options,
                   templates: str, report: Callable[[Result], bool], notice: Callable[[str], None]) -> None:
    """Build in worker processes, a fresh pool per jobs x RECYCLE_AFTER toolkits to bound memory.

    Not max_tasks_per_child: on Python 3.11-3.14 a pool using it stops replacing workers and hangs
    (CPython gh-115634). If a worker dies, what it left unfinished is rerun in a fresh pool.
    """
    generation = jobs * RECYCLE_AFTER
    # Care-pathway steps proven by one worker are shared with the others through this folder (render/pdf.py)
    from ..render.pdf import collect_proven_steps
    with tempfile.TemporaryDirectory(prefix="toolkit-steps-") as shared:
        try:
            for start in range(0, len(stale), generation):
                if _build_generation(stale[start:start + generation], project, out_root, jobs, opts, templates,
                                     report, notice, shared):
                    return
        finally:
            collect_proven_steps(Path(shared))  # before the folder goes, for the next build (_build)


def _build_generation(todo: list[LoadedProfile], project: Project, out_root: Path, jobs: int, opts: Options,
                      templates: str, report: Callable[[Result], bool], notice: Callable[[str], None],
                      shared: str) -> bool:
    """Build todo in one pool (retried after a dead worker); True when the batch should stop."""
    for attempt in range(POOL_RETRIES + 1):
        unfinished: list[LoadedProfile] = []
        pool = ProcessPoolExecutor(max_workers=min(jobs, len(todo)), initializer=_init_worker,
                                   initargs=(str(project.workspace), str(project.tool), templates, shared,
                                             str(out_root / STEPS)))
        futures: dict = {}
        reported: set = set()
        try:
            with STOP.shielded():  # workers are forked here: each inherits a Ctrl-C that waits (see Stop)
                for lp in todo:
                    futures[pool.submit(_work, lp, str(out_root), opts)] = lp
            STOP.check()
            for fut in as_completed(futures):
                reported.add(fut)
                try:
                    res = fut.result()
                except BrokenProcessPool:
                    unfinished.append(futures[fut])
                    continue
                if report(res):  # --fail-fast
                    for f in futures:
                        f.cancel()
                    pool.shutdown(wait=True)
                    return True
        except KeyboardInterrupt:
            _wind_down(pool, [f for f in futures if f not in reported], report)
            raise
        except BaseException:
            # shutdown(cancel_futures=True) alone loses the cancel when the pool object is collected before
            # its manager thread reads the flag, so the futures are cancelled here.
            for f in futures:
                f.cancel()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
        if not unfinished:
            return False
        clean_stale_temps(out_root)  # the dead worker's half-written temp files
        todo = sorted(unfinished, key=lambda lp: lp.profile.id)
        if attempt < POOL_RETRIES:
            notice(f"a worker process died (killed, or out of memory); retrying {len(todo)} unfinished "
                   f"toolkit(s) in a fresh pool")
    for lp in todo:
        report(_failed(lp, f"the worker process building it died "
                           f"{POOL_RETRIES + 1} times (killed, or out of memory); run the build again to retry"))
    return False

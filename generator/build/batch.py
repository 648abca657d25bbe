"""Build toolkits: profiles -> select -> render -> atomic write of OUT/<id>/ with a manifest, in parallel."""

from __future__ import annotations

import gc
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from ..content import Library
from ..files import write_atomic
from ..inputs.load import Project
from ..inputs.profile import LoadedProfile
from ..render import Batch, begin_batch, end_batch, load_renderers
from .context import BuildContext, Options
from .interrupt import STOP
from .lock import locked
from .pool import Report, build_in_pool, kin
from .toolkit import Prepared, Result, clean_stale_temps, prepare, write_toolkit


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
            if not any(report(r) for r in failed_inputs):
                _build(profiles, BuildContext.create(project, library, out_root, opts), jobs, report, notice)
    except KeyboardInterrupt:  # Ctrl-C: what finished is whole; what was in flight was finished or dropped
        summary.interrupted = True
        clean_stale_temps(out_root)
    summary.results.sort(key=lambda r: r.id)
    summary.seconds = time.perf_counter() - start
    return summary


def _build(profiles: list[LoadedProfile], ctx: BuildContext, jobs: int, report: Report,
           notice: Callable[[str], None]) -> None:
    """build_all's work, under its lock, between the renderers' batch hooks; KeyboardInterrupt on Ctrl-C
    (after the toolkit being written)."""
    with tempfile.TemporaryDirectory(prefix="toolkit-batch-") as shared:
        batch = Batch(ctx.out, ctx.templates, Path(shared))
        begin_batch(ctx.outputs, batch)
        try:
            _build_stale(profiles, ctx, batch, jobs, report, notice)
        finally:
            kept = end_batch(ctx.outputs, batch)  # for the next build, even when this one stops early
            for name, data in kept.items():
                try:
                    write_atomic(ctx.out / name, data)
                except OSError:  # a full or read-only disk: the outputs are what matter; it is only a cache
                    pass


def _build_stale(profiles: list[LoadedProfile], ctx: BuildContext, batch: Batch, jobs: int, report: Report,
                 notice: Callable[[str], None]) -> None:
    """Check each toolkit and build those out of date: here, or in a pool of workers."""
    # Up-to-date checks in this process (a few hashes each, a select when the content changed), so a
    # rebuild after one change starts no workers for one toolkit, and none at all when nothing changed.
    # One worker: build in this process as the checks go. Several: queue the stale ones for a pool,
    # keeping no plans (they would cost memory per client); workers select again, which is cheap.
    stale: list[LoadedProfile] = []
    first: Optional[Prepared] = None
    for lp in profiles:
        prepared = prepare(lp, ctx, defer=jobs > 1)
        if prepared is None:  # never built: a worker selects its plan
            stale.append(lp)
            continue
        if isinstance(prepared, Result):
            res = prepared
        elif jobs <= 1:
            res = write_toolkit(lp, prepared, ctx)
        else:
            stale.append(lp)
            first = first or prepared
            continue
        if report(res):
            return
        STOP.check()  # Ctrl-C while that toolkit's files were put in place
    if len(stale) == 1:
        one = first or prepare(stale[0], ctx, check=False)
        report(one if isinstance(one, Result) else write_toolkit(stale[0], one, ctx, jobs))
        STOP.check()
    elif stale:
        load_renderers(ctx.outputs)  # imported once here: forked workers start with WeasyPrint and python-docx
        # What the workers inherit (the library, the renderers' modules) moves to a generation their garbage
        # collections never walk, and its pages stay shared with this process: Python's advice for fork.
        gc.freeze()
        try:
            build_in_pool(sorted(stale, key=kin), ctx, batch, min(jobs, len(stale)), report, notice)
        finally:
            gc.unfreeze()

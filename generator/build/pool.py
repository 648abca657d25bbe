"""Build stale toolkits in worker processes: a fresh pool per generation, retried when a worker dies, wound
down on Ctrl-C."""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, as_completed
from concurrent.futures import wait as wait_for
from concurrent.futures.process import BrokenProcessPool
from typing import Callable, Optional

from ..inputs.profile import LoadedProfile
from ..render import Batch, begin_batch, load_renderers
from .context import BuildContext
from .interrupt import STOP
from .toolkit import INTERRUPTED, Result, build_one, clean_stale_temps, failed

RECYCLE_AFTER = 50  # toolkits per worker process (on average) before it is replaced, to bound memory
STOP_GRACE = 15.0  # seconds the workers get to wind down after Ctrl-C before they are killed
POOL_RETRIES = 2  # fresh pools after a worker died (killed, out of memory) before giving up on what is left

Report = Callable[[Result], bool]  # record a result; True when the batch should stop (--fail-fast)

_CTX: list[BuildContext] = []  # in a worker: the build it works for


def _init_worker(ctx: BuildContext, batch: Batch) -> None:
    STOP.interruptible = False  # until a toolkit is being rendered (see Stop)
    signal.signal(signal.SIGINT, STOP)
    _CTX[:] = [ctx]
    load_renderers(ctx.outputs)  # already loaded when forked from a batch's main process
    begin_batch(ctx.outputs, batch)


def _work(lp: LoadedProfile) -> Result:
    try:
        with STOP.interruptible_section():
            # the main process has found this toolkit out of date already: only the plan is selected again
            return build_one(lp, _CTX[0], check=False)
    except KeyboardInterrupt:  # Ctrl-C: nothing of this toolkit was written; the next run builds it
        return Result(lp.profile.id, INTERRUPTED)


def kin(lp: LoadedProfile) -> tuple[str, str, str, str]:
    """Clients whose care pathways are alike come one after another: a worker lays out a sheet once for a
    run of them and sets each client's name in it (render/weasy/sheet.py). The order the pool takes them in
    changes nothing in the outputs, and results are reported as they finish anyway."""
    p = lp.profile
    return p.language, p.contract_scope, p.provider or "", p.wellbeing_county or ""


def build_in_pool(stale: list[LoadedProfile], ctx: BuildContext, batch: Batch, jobs: int, report: Report,
                  notice: Callable[[str], None]) -> None:
    """Build in worker processes, a fresh pool per jobs x RECYCLE_AFTER toolkits to bound memory.

    Not max_tasks_per_child: on Python 3.11-3.14 a pool using it stops replacing workers and hangs
    (CPython gh-115634). If a worker dies, what it left unfinished is rerun in a fresh pool.
    """
    generation = jobs * RECYCLE_AFTER
    for start in range(0, len(stale), generation):
        if _build_generation(stale[start:start + generation], ctx, batch, jobs, report, notice):
            return


def _build_generation(todo: list[LoadedProfile], ctx: BuildContext, batch: Batch, jobs: int, report: Report,
                      notice: Callable[[str], None]) -> bool:
    """Build todo in one pool (retried after a dead worker); True when the batch should stop."""
    for attempt in range(POOL_RETRIES + 1):
        unfinished: list[LoadedProfile] = []
        pool = ProcessPoolExecutor(max_workers=min(jobs, len(todo)), initializer=_init_worker,
                                   initargs=(ctx, batch))
        futures: dict = {}
        reported: set = set()
        try:
            with STOP.shielded():  # workers are forked here: each inherits a Ctrl-C that waits (see Stop)
                for lp in todo:
                    futures[pool.submit(_work, lp)] = lp
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
        clean_stale_temps(ctx.out)  # the dead worker's half-written temp files
        todo = sorted(unfinished, key=lambda lp: lp.profile.id)
        if attempt < POOL_RETRIES:
            notice(f"a worker process died (killed, or out of memory); retrying {len(todo)} unfinished "
                   f"toolkit(s) in a fresh pool")
    for lp in todo:
        report(failed(lp, f"the worker process building it died "
                          f"{POOL_RETRIES + 1} times (killed, or out of memory); run the build again to retry"))
    return False


def _wind_down(pool: ProcessPoolExecutor, futures: list, report: Report) -> None:
    """After Ctrl-C: drop the queued toolkits, let each worker cut its render short (or finish the renames it
    is doing), report what was finished, and let the workers exit normally, so their temp folders go too.

    Workers are sent SIGINT here as well: a Ctrl-C may have been sent to this process alone (kill -INT).
    A worker that has not stopped after STOP_GRACE seconds is killed; its temp files are cleaned up after.
    """
    with STOP.shielded():  # another Ctrl-C now is noted, not raised: the winding down takes a moment only
        for f in futures:
            f.cancel()
        # the pool's processes: concurrent.futures keeps them in a private attribute (none: nothing to signal)
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
                res: Optional[Result] = None if f.cancelled() or f.exception() else f.result()
                if res is not None and res.status != INTERRUPTED:
                    report(res)
            pending = list(still)
        if pending:
            for proc in workers:
                proc.kill()
        pool.shutdown(wait=True, cancel_futures=True)

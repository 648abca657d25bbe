"""One build per output folder: an flock on OUT/.toolkit-build.lock for the whole build."""

from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..errors import ToolkitError

LOCK = ".toolkit-build.lock"


class OutputBusy(ToolkitError):
    """Another build holds the lock on the output folder."""


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

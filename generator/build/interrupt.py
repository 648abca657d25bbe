"""Ctrl-C during a build: stop within a moment, but never while a toolkit's files are being put in place."""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator


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

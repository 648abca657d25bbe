"""The care pathway's type steps, and the steps proven for a sheet's layout, shared and kept between builds.

A care pathway is set in the largest of SCALES that fits one page. Which step that is depends only on the
sheet's layout signature (pathway.py), so a step proven once holds for every sheet of the signature: within
a process, across the processes of a batch (a folder they share), and across builds (a file in the output
folder, under a key of the templates and the layout engine).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Optional

from ..files import write_atomic
from .weasy.compat import engine_versions

# Care-pathway density steps, tried in order until the sheet fits on one page (see care-pathway.css).
SCALES = tuple(f"scale-{i}" for i in range(19))  # 10.4pt down to 5.9pt in 0.25pt steps
KEPT_FILE = ".toolkit-pathway-steps.json"  # in OUT: the steps earlier builds proved


class ProvenSteps(dict):
    """Layout signature -> the scale index proven for it (this step fits, the one before does not).

    Kept per process; when a batch shares a folder (start, in every process of a build), a step one worker proved is read by the others too, so a signature is searched for once per batch
    rather than once per worker. The folder holds one small file per signature, written atomically; a file
    that cannot be read counts as not proven, which only costs a search.

    Steps also outlive the build: the build's output folder keeps them in one file (`kept`, see to_keep) under a key of everything else a layout depends on (the templates folder with its CSS
    and fonts, WeasyPrint's and Pango's versions), so a rebuild after one profile changed lays that client's
    sheet out once instead of searching for its step again. A file for another key is ignored.
    """

    folder: Optional[Path] = None
    kept: Optional[Path] = None
    templates = ""  # the templates folder's tree hash, part of the key of kept

    def __init__(self) -> None:
        super().__init__()
        self.proved: set[str] = set()  # signatures this build proved (here, or in its other processes)
        self._kept: Optional[dict[str, int]] = None

    def kept_steps(self) -> dict[str, int]:
        """The steps earlier builds kept for these templates, read once per build and process."""
        if self._kept is None:
            self._kept = read_kept_steps(self.kept, self.templates) if self.kept is not None else {}
        return self._kept

    def get(self, signature: str, default=None):  # type: ignore[override]
        if signature not in self:
            step = self.kept_steps().get(signature)
            if step is None and self.folder is not None:
                step = _step_file(self.folder / signature)
            if step is not None:
                self[signature] = step
        return super().get(signature, default)

    def prove(self, signature: str, step: int) -> None:
        self[signature] = step
        self.proved.add(signature)
        if self.folder is not None:
            try:  # a scratch folder of this build: whole or absent for the other processes, never synced
                write_atomic(self.folder / signature, str(step).encode("ascii"), sync=False)
            except OSError:
                pass


def _step_file(path: Path) -> Optional[int]:
    """The step a batch folder's file holds; None when it cannot be read or is out of range."""
    try:
        step = int(path.read_text(encoding="ascii"))
    except (OSError, ValueError):
        return None
    return step if 0 <= step < len(SCALES) else None


PROVEN = ProvenSteps()


def start(folder: Optional[Path], kept: Optional[Path] = None, templates: str = "") -> None:
    """Start a build's memory of proven steps in this process: shared through folder with the other processes
    of the batch (None: this process alone), and seeded from the kept file (see ProvenSteps) of the templates
    with tree hash templates (None: no kept steps)."""
    PROVEN.clear()
    PROVEN.proved.clear()
    PROVEN.folder, PROVEN.kept, PROVEN.templates = folder, kept, templates
    PROVEN._kept = None


def gather(folder: Path) -> None:
    """Take in the steps the batch's processes proved, from the folder they shared (to_keep passes them on
    to the next build)."""
    try:
        files = [f for f in folder.iterdir() if not f.name.startswith(".")]
    except OSError:
        return
    for f in files:
        step = _step_file(f)
        if step is not None:
            PROVEN[f.name] = step
            PROVEN.proved.add(f.name)


KEPT_STEPS = 50_000  # signatures kept between builds (this build's first); about 80 bytes each


def _kept_key(templates: str) -> Optional[str]:
    """What a kept step holds for besides its sheet's HTML: the templates folder and the layout engine; None
    when the engine's versions cannot be told (then nothing is kept between builds)."""
    engine = engine_versions()
    return hashlib.sha256(f"{templates}\n{engine}".encode()).hexdigest() if engine else None


def read_kept_steps(path: Path, templates: str) -> dict[str, int]:
    """The steps kept in path for these templates and this engine; {} when there are none or they are for
    other templates, another engine, or the file cannot be read (a cache: a miss only costs a search)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    key = _kept_key(templates)
    steps = data.get("steps") if key and isinstance(data, dict) and data.get("key") == key else None
    if not isinstance(steps, dict):
        return {}
    return {s: n for s, n in steps.items() if type(n) is int and 0 <= n < len(SCALES)}


def to_keep() -> Optional[bytes]:
    """After a build: the kept file's new contents, the steps this build proved (in this process and its
    workers) with those kept before, for the next build; None when nothing is new. Sorted, so two builds of
    the same clients write the same file, whatever order their workers finished in."""
    p = PROVEN
    if p.kept is None or not p.proved:
        return None  # a build that laid nothing out (all up to date) need not even load the layout engine
    key = _kept_key(p.templates)
    if key is None:
        return None
    kept = p.kept_steps()
    steps = {s: p[s] for s in p.proved}
    if all(kept.get(s) == n for s, n in steps.items()):
        return None
    for s, n in kept.items():  # then the steps kept before, as many as fit
        if len(steps) >= KEPT_STEPS:
            break
        steps.setdefault(s, n)
    return json.dumps({"key": key, "steps": dict(sorted(steps.items()))}, indent=0).encode()

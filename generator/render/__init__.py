"""The renderer registry: which output files a toolkit has, which function renders each, and the batch hooks.

Renderers: Plan -> bytes of one output file. They read the Plan and templates/, never profiles or content/.
To add an output: write its renderer (a module here with a function (plan, templates_dir, asset_root) ->
bytes), its template in templates/, and one line in OUTPUTS.
"""

from __future__ import annotations

import importlib
import os
import pickle
import signal
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Optional

from ..errors import RenderError
from ..plan import Plan


def build_time() -> datetime:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else now; in UTC, whole seconds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=timezone.utc).replace(microsecond=0)
        except ValueError:
            raise RenderError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, got '{epoch}'") from None
    return datetime.now(timezone.utc).replace(microsecond=0)


@dataclass(frozen=True)
class Output:
    """One output file of a toolkit and the function that renders it."""

    filename: str
    module: str
    function: str
    batch: bool = False  # the module defines begin_batch/end_batch (see Batch)

    def load(self) -> Callable[..., bytes]:
        return getattr(importlib.import_module(self.module), self.function)


OUTPUTS: tuple[Output, ...] = (
    Output("action-plan.docx", "generator.render.docx", "render_docx"),
    Output("checklists.pdf", "generator.render.checklists", "render_checklists"),
    Output("care-pathway.pdf", "generator.render.pathway", "render_pathway", batch=True),
)


@dataclass(frozen=True)
class Batch:
    """A build of many toolkits, as its renderers' batch hooks see it.

    A renderer module may define begin_batch(batch) and end_batch(batch) -> {file name: bytes} (its Output
    says so with batch=True): the build calls begin_batch in its main process and in each worker process, and
    end_batch once in the main process when the build ends (also when it stops early). What end_batch returns
    is written by the build, atomically, into the output folder, for the next build's begin_batch to read. Renderers keep what they learn about
    layouts in such files (render/pathway.py); they never write files themselves.
    """

    out: Path        # the output folder: state files kept between builds live there, named by the renderer
    templates: str   # tree hash of the templates folder: state kept for other templates is not used
    shared: Path     # a scratch folder every process of this build can write to; removed when the build ends


def _hooks(outputs: tuple[Output, ...], name: str) -> list[Callable]:
    """The hooks of the outputs that have them; the others' modules are not imported (a build with nothing to
    render loads no renderer)."""
    modules = dict.fromkeys(importlib.import_module(o.module) for o in outputs if o.batch)
    return [getattr(m, name) for m in modules if hasattr(m, name)]


def begin_batch(outputs: tuple[Output, ...], batch: Batch) -> None:
    """Tell every renderer of outputs that a build starts in this process (see Batch)."""
    for hook in _hooks(outputs, "begin_batch"):
        hook(batch)


def end_batch(outputs: tuple[Output, ...], batch: Batch) -> dict[str, bytes]:
    """Tell every renderer of outputs that the build ends; return the state files they keep for the next one."""
    kept: dict[str, bytes] = {}
    for hook in _hooks(outputs, "end_batch"):
        kept.update(hook(batch))
    return kept


def available_outputs() -> tuple[Output, ...]:
    """The outputs whose renderer module exists in this version of the generator."""
    found = []
    for out in OUTPUTS:
        spec = importlib.util.find_spec(out.module)
        if spec is not None:
            found.append(out)
    return tuple(found)


def load_renderers(outputs: tuple[Output, ...]) -> None:
    """Import the renderers of outputs and what they render with (python-docx, WeasyPrint): a batch's main
    process does it before forking its workers, which then start with them instead of importing them each."""
    for out in outputs:
        out.load()
    if any(out.filename.endswith(".pdf") for out in outputs):
        from .weasy.engine import load_weasyprint

        load_weasyprint()


def render(out: Output, plan: Plan, templates_dir: Path, asset_root: Optional[Path] = None) -> bytes:
    """One output's bytes; asset_root is the workspace whose asset folders the provider's logo may come from."""
    return out.load()(plan, templates_dir=templates_dir, asset_root=asset_root)


ASIDE = "checklists.pdf"  # about half of a toolkit's rendering time: what render_all renders aside


def render_all(outputs: tuple[Output, ...], plan: Plan, templates_dir: Path, asset_root: Optional[Path] = None,
               jobs: int = 1) -> dict[str, bytes]:
    """Every output's bytes, by file name; raises what a renderer raised.

    With jobs > 1 (a build of a single toolkit, given more than one core), the checklists are rendered in a
    forked process while this one renders the rest: the wall time of that build falls by about a third.
    """
    aside = next((o for o in outputs if o.filename == ASIDE), None) if jobs > 1 and len(outputs) > 1 else None
    if aside is None or not hasattr(os, "fork"):
        return {o.filename: render(o, plan, templates_dir, asset_root) for o in outputs}
    import multiprocessing

    load_renderers(outputs)  # once, before the fork, rather than in both processes
    receive, send = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(
        target=_render_aside, args=(send, aside, plan, templates_dir, asset_root), daemon=True)
    child.start()
    send.close()
    try:
        done = {o.filename: render(o, plan, templates_dir, asset_root) for o in outputs if o is not aside}
        try:
            ok, value = receive.recv()
        except EOFError:  # killed (out of memory) before it could answer
            raise RenderError(f"{aside.filename}: the process rendering it stopped unexpectedly") from None
        if not ok:
            raise value
    except BaseException:
        if child.is_alive():  # this process failed or was interrupted: the other render is not needed
            os.kill(child.pid, signal.SIGINT)
        raise
    finally:
        receive.close()
        child.join()  # its exit removes its temp files (WeasyPrint's font folder)
    return {o.filename: done[o.filename] if o is not aside else value for o in outputs}


def _render_aside(send, out: Output, plan: Plan, templates_dir: Path, asset_root: Optional[Path]) -> None:
    """In the forked process: render out and send (True, bytes), or (False, what it raised)."""
    try:
        answer = (True, render(out, plan, templates_dir, asset_root))
    except BaseException as exc:  # Ctrl-C included: the parent decides what it means
        answer = (False, exc)
    try:
        try:
            send.send(answer)
        except (TypeError, AttributeError, pickle.PicklingError):  # an exception that does not pickle
            send.send((False, RenderError(f"{out.filename}: {type(answer[1]).__name__}: {answer[1]}")))
    except (BrokenPipeError, OSError):
        pass  # the parent stopped waiting
    finally:
        send.close()

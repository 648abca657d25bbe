"""`--depfile`: a Make rule per toolkit, naming every file it was built from."""

from __future__ import annotations

from ..errors import escape
from ..inputs.profile import LoadedProfile
from ..plan import Plan
from .context import BuildContext
from .keys import MANIFEST


def depfile(lp: LoadedProfile, plan: Plan, ctx: BuildContext, rendered: dict[str, bytes]) -> str:
    """A Make rule: the toolkit's files depend on its profile, provider, used content files, the workspace's
    label overrides and the templates (the tool's files in full when the tool is installed elsewhere).

    A client from a register depends on the whole register file: Make knows files, not rows, so an edit to
    any row makes Make run the build, which then rebuilds only the clients whose rows changed.
    """
    project, library = ctx.project, ctx.library
    reference = project.shown(project.content_dir / "reference" / "industries.yaml")
    used = sorted({library.item_files[i] for i in plan.selected_ids()} | {reference})
    deps = [lp.source] + ([lp.provider_path] if lp.provider_path else []) + used
    if lp.data is not None:  # --data: the figures are an input too (the whole file, as for a register)
        deps.insert(1, lp.data.source)
    item_files = set(library.item_files.values())
    deps += sorted(k for k in library.workspace_hashes if k not in item_files)  # label overrides, own sources
    deps += sorted(project.shown(p) for p in project.templates_dir.rglob("*") if p.is_file())
    out_dir = ctx.folder(lp)
    targets = " ".join(make_escape((out_dir / n).as_posix()) for n in list(rendered) + [MANIFEST])
    return f"{targets}: \\\n  " + " \\\n  ".join(make_escape(d) for d in deps) + "\n"


# What a file name must not carry into a Make rule as it is: '#' starts a comment, ':' ends the targets, '$'
# starts a variable, a space separates names. Make has no escape for a newline or tab: such a character (in a
# profile's file name) is written as errors.escape shows it, so the rule still parses.
_MAKE_ESCAPES = {"$": "$$", "#": "\\#", ":": "\\:", " ": "\\ "}


def make_escape(path: str) -> str:
    """A file name as GNU Make reads it back in a rule's targets and prerequisites."""
    return "".join(_MAKE_ESCAPES.get(c, c) for c in escape(path))

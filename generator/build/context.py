"""What one build is: the workspace and tool, the content library, the output folder, the outputs and options."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ..content import Library
from ..inputs.load import Project
from ..inputs.profile import LoadedProfile
from ..render import Output, available_outputs
from .keys import tree_hash


@dataclass(frozen=True)
class Options:
    """How to build: what to write besides the toolkit files."""

    force: bool = False
    depfile: bool = False
    zip: bool = False
    previous: Optional[Path] = None  # RECORDS folder of last round: a client's plan starts from <id>.json


@dataclass(frozen=True)
class BuildContext:
    """Everything a build's steps share, made once per build (and inherited by its worker processes)."""

    project: Project
    library: Library
    out: Path                       # OUT: each toolkit in OUT/<id>/
    outputs: tuple[Output, ...]     # the files every toolkit has
    templates: str                  # tree hash of the templates folder (fonts, CSS, labels)
    opts: Options

    @classmethod
    def create(cls, project: Project, library: Library, out: Path, opts: Options) -> "BuildContext":
        return cls(project, library, out, available_outputs(), tree_hash(project.templates_dir, project.tool), opts)

    def folder(self, lp: LoadedProfile) -> Path:
        """OUT/<id>/ of a client."""
        return self.out / lp.profile.id

    def previous_record(self, lp: LoadedProfile) -> Optional[Path]:
        """Last round's record of this client, when --previous names a folder that has one."""
        if self.opts.previous is None:
            return None
        path = Path(self.opts.previous) / f"{lp.profile.id}.json"
        return path if path.is_file() else None

"""Find and load profile and provider files: paths -> [LoadedProfile], with every problem collected."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Optional

from .errors import InputError, Problem, ToolkitError
from .library import Library, load_library
from .profile import LoadedProfile, Profile, Provider, validate_profile, validate_provider
from .register import read_register, row_problems
from .table import TABLE_SUFFIXES
from .text import printable_code_points
from .yamlio import YamlProblem, read_yaml_scalars


WORKSPACE_MARKER = "toolkit.toml"  # written by `toolkit init`; marks a workspace folder


def tool_home() -> Path:
    """The folder holding the tool's own content/ and templates/.

    Installed from a wheel, they are package data (generator/data/); installed for development
    (pip install -e), they are the checkout's top-level folders, edited in place.
    """
    package = Path(__file__).resolve().parent
    for home in (package / "data", package.parent):
        if (home / "content").is_dir() and (home / "templates").is_dir():
            return home
    raise ToolkitError(f"this installation has no content library ({package / 'data'} is missing); "
                       "reinstall the tool")


@dataclass(frozen=True)
class Project:
    """Where everything comes from: the tool (its content library and templates) and the provider's workspace
    (profiles, provider files and their assets, and an overlay of its own content items and labels).

    In a checkout of the tool both are the same folder, and the checkout's content/ is the library, not an
    overlay. Every path shown to users is relative to the workspace where possible.
    """

    workspace: Path
    tool: Path = field(default_factory=tool_home)

    def __post_init__(self) -> None:
        object.__setattr__(self, "workspace", Path(self.workspace).absolute())
        object.__setattr__(self, "tool", Path(self.tool).absolute())

    @classmethod
    def checkout(cls, folder: Path) -> "Project":
        """A folder that holds the whole library and templates as well as the profiles (--root)."""
        return cls(folder, folder)

    @property
    def root(self) -> Path:
        """The workspace (the name from before tool and workspace were separate)."""
        return self.workspace

    @property
    def content_dir(self) -> Path:
        return self.tool / "content"

    @property
    def templates_dir(self) -> Path:
        return self.tool / "templates"

    @property
    def labels_dir(self) -> Path:
        return self.tool / "templates" / "labels"

    @property
    def providers_dir(self) -> Path:
        return self.workspace / "profiles" / "providers"

    @property
    def overlay_dir(self) -> Optional[Path]:
        """The workspace's own content items (content/), unless it is the library itself."""
        return _unless_same(self.workspace / "content", self.content_dir)

    @property
    def overlay_labels_dir(self) -> Optional[Path]:
        """The workspace's label overrides (templates/labels/), unless they are the library's own."""
        return _unless_same(self.workspace / "templates" / "labels", self.labels_dir)

    def printable(self) -> Optional[frozenset[int]]:
        """The code points the vendored fonts (templates/fonts/) can print; text with others is refused."""
        return printable_code_points(self.templates_dir / "fonts")

    def load_library(self) -> Library:
        return load_library(self.content_dir, self.labels_dir, overlay=self.overlay_dir,
                            overlay_labels=self.overlay_labels_dir, shown=self.shown, printable=self.printable())

    def shown(self, path: Path) -> str:
        """A path as users see it: relative to the workspace where possible, else absolute."""
        for file, root in ((path.absolute(), self.workspace), (path.resolve(), self.workspace.resolve())):
            try:  # unresolved first: a symlink is shown where it is, not where it points
                return file.relative_to(root).as_posix()
            except ValueError:
                pass
        # Absolute, so that the path also reads back when it is used to hash the file (build keys).
        return str(path.absolute())


def _unless_same(folder: Path, library: Path) -> Optional[Path]:
    return None if folder.resolve() == library.resolve() else folder


def find_workspace(path: Path) -> Optional[Path]:
    """The nearest folder at or above path that has profiles/providers/ or a toolkit.toml marker."""
    here = Path(path).absolute()
    if not here.is_dir():
        here = here.parent
    for folder in (here, *here.parents):
        if (folder / WORKSPACE_MARKER).is_file() or (folder / "profiles" / "providers").is_dir():
            return folder
    return None


def choose_project(paths: Iterable[Path], workspace: Optional[Path] = None, root: Optional[Path] = None) -> Project:
    """The project a command works in: --root (a checkout), --project, or the workspace the paths lie in.

    Without either option, each path (or the current folder when there are none) belongs to the nearest
    workspace at or above it, else to the current folder; paths from two workspaces are an error, as
    each workspace has its own provider files and content overlay.
    """
    if root is not None:
        if not ((root / "content").is_dir() and (root / "templates").is_dir()):
            raise ToolkitError(f"--root {root}: no content/ and templates/ there. --root names a checkout of the "
                               "tool (its content library, templates and profiles/providers/); for a provider "
                               "workspace use --project DIR")
        return Project.checkout(root)
    if workspace is not None:
        return Project(workspace)
    cwd = Path.cwd()
    found: dict[Path, Path] = {}
    for p in list(paths) or [cwd]:
        ws = find_workspace(p) or cwd
        found.setdefault(ws.resolve(), ws)
    if len(found) > 1:
        names = ", ".join(str(w) for w in found.values())
        raise ToolkitError(f"the profiles belong to different workspaces ({names}); build each workspace on its "
                           "own, or name one with --project DIR")
    return Project(next(iter(found.values())))


def default_project() -> Project:
    """The tool's own folder as a project: in a checkout, its samples with its own library."""
    return Project.checkout(tool_home())


# Profile files (.yaml, .yml) and client registers (.csv, .xlsx: one client per row, see register.py)
PROFILE_SUFFIXES = (".yaml", ".yml") + TABLE_SUFFIXES


def find_profile_files(paths: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """Expand folders to the profile files and registers directly inside them (providers/ is not scanned)."""
    files: list[Path] = []
    problems: list[Problem] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            folder = p.resolve()
            for f in sorted(f for f in p.iterdir() if f.suffix in PROFILE_SUFFIXES and f.is_file()):
                # A folder is scanned for its own files: a link out of it could read any file on the machine.
                if f.is_symlink() and not f.resolve().is_relative_to(folder):
                    problems.append(Problem(str(f), "", f"is a symbolic link to a file outside {p}; "
                                                        "copy the profile into the folder or name it explicitly"))
                else:
                    files.append(f)
        elif p.is_file():
            files.append(p)
        else:
            problems.append(Problem(str(p), "", "no such file or folder"))
    return files, problems


def county_names(library: Library) -> dict[str, str]:
    """Map the case-folded Finnish and Swedish county names to their Finnish name."""
    names = {}
    for c in library.counties():
        for lang in ("fi", "sv"):
            names[c.text.get(lang).casefold()] = c.text.fi
    return names


def load_profiles(paths: Iterable[Path], project: Project, library: Library
                  ) -> tuple[list[LoadedProfile], list[Problem]]:
    """Load every profile under paths with its provider; collect all problems, including duplicate ids."""
    files, problems = find_profile_files(paths)
    counties = county_names(library)
    providers: dict[str, tuple[Optional[Provider], Optional[str], list[Problem]]] = {}
    loaded: list[LoadedProfile] = []
    seen_ids: dict[str, str] = {}
    for f in files:
        shown = project.shown(f)
        for profile, row, digest in _read_profiles(f, shown, counties, project.printable(), problems):
            where = shown if row is None else f"{shown}: row {row}"
            if profile.id in seen_ids:
                problems.append(Problem(shown, "id", f"'{profile.id}' is already used by {seen_ids[profile.id]}; "
                                                     "ids must be unique", row=row))
                continue
            seen_ids[profile.id] = where
            provider, provider_path = None, None
            if profile.provider:
                if profile.provider not in providers:
                    providers[profile.provider] = _load_provider(profile.provider, project)
                provider, provider_path, pprobs = providers[profile.provider]
                for prob in pprobs:
                    # A missing provider file is a problem of the profile's field; others belong to the provider file.
                    prob = prob if prob.path else Problem(shown, "provider", prob.message, row=row)
                    if prob not in problems:
                        problems.append(prob)
                if provider is None:
                    continue
            loaded.append(LoadedProfile(where, profile, provider, provider_path,
                                        file=shown if row is not None else None, digest=digest))
    return loaded, problems


def _read_profiles(path: Path, shown: str, counties: dict[str, str], printable: Optional[frozenset[int]],
                   problems: list[Problem]) -> Iterator[tuple[Profile, Optional[int], Optional[str]]]:
    """The valid profiles of one file, each with its register row and the row's hash (None, None for a
    profile file); every problem is added to problems. One input seam: a register's rows are validated as
    profiles, exactly as the mapping of a YAML file is."""
    if path.suffix in TABLE_SUFFIXES:
        rows, file_problems, headers = read_register(path, shown)
        problems.extend(file_problems)
        for r in rows:
            profile, probs = validate_profile(r.raw, shown, counties, printable)
            problems.extend(row_problems(probs, r.row, headers))
            if profile is not None:
                yield profile, r.row, r.digest
        return
    try:
        raw, scalars = read_yaml_scalars(path, shown)
    except YamlProblem as exc:
        problems.append(exc.problem)
        return
    profile, probs = validate_profile(raw, shown, counties, printable, scalars)
    problems.extend(probs)
    if profile is not None:
        yield profile, None, None


def _load_provider(pid: str, project: Project) -> tuple[Optional[Provider], Optional[str], list[Problem]]:
    path = project.providers_dir / f"{pid}.yaml"
    shown = project.shown(path)
    if path.is_symlink() and not path.resolve().is_relative_to(project.providers_dir.resolve()):
        return None, shown, [Problem(shown, "", "is a symbolic link to a file outside profiles/providers/; refused")]
    if not path.is_file():
        available = sorted(p.stem for p in project.providers_dir.glob("*.yaml")) if project.providers_dir.is_dir() else []
        msg = f"no provider file {shown}" + (f" (available: {', '.join(available)})" if available else "")
        return None, None, [Problem("", "provider", msg)]
    try:
        raw, scalars = read_yaml_scalars(path, shown)
    except YamlProblem as exc:
        return None, shown, [exc.problem]
    provider, probs = validate_provider(raw, shown, project.workspace, project.printable(), scalars)
    return provider, shown, probs


def load_all(paths: Iterable[Path], project: Project) -> tuple[Library, list[LoadedProfile]]:
    """Load the library and the profiles; raise InputError listing every problem."""
    library = project.load_library()
    loaded, problems = load_profiles(paths, project, library)
    if problems:
        raise InputError(problems, "profiles")
    return library, loaded

"""Find and load profile and provider files: paths -> [LoadedProfile], with every problem collected."""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Optional

from ..content import Library, load_library
from ..errors import InputError, Problem, ToolkitError
from ..palette import palette
from ..text import printable_code_points
from ..yamlio import YamlProblem, read_yaml_scalars
from .profile import LoadedProfile, Profile, Provider, validate_profile, validate_provider
from .register import read_register, row_problems
from .table import TABLE_SUFFIXES

WORKSPACE_MARKER = "toolkit.toml"  # written by `toolkit init`; marks a workspace folder


def tool_home() -> Path:
    """The folder holding the tool's own content/ and templates/.

    Installed from a wheel, they are package data (generator/data/); installed for development
    (pip install -e), they are the checkout's top-level folders, edited in place.
    """
    package = Path(__file__).resolve().parent.parent  # generator/
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
        for file, root in ((path.absolute, self.workspace), (lambda: _resolved(path), self.workspace.resolve())):
            try:  # unresolved first: a symlink is shown where it is, not where it points
                return file().relative_to(root).as_posix()
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


# Profile files are told by their extension, compared case-insensitively (Windows tools save ACME.YAML).
PROFILE_SUFFIXES = (".yaml", ".yml")
# What a scanned folder offers as clients: profile files and registers (.csv, .xlsx: one client per row)
INPUT_SUFFIXES = PROFILE_SUFFIXES + TABLE_SUFFIXES


@dataclass(frozen=True)
class Skipped:
    """A file in a scanned folder that is not read as a profile, and why (said in the closing summary)."""

    path: Path
    why: tuple[str, str]  # APPLEDOUBLE, HIDDEN or NOT_REGULAR


@dataclass(frozen=True)
class Blocked:
    """A valid profile whose provider file cannot be used: that client fails, the others are still built."""

    path: str           # the profile, as shown
    provider_path: str  # its provider file, as shown


@dataclass(frozen=True)
class Loaded:
    """What load_profiles found. Unpacks as (profiles, problems), the pair most callers need."""

    profiles: list[LoadedProfile]
    problems: list[Problem]
    skipped: tuple[Skipped, ...] = ()
    blocked: tuple[Blocked, ...] = ()
    warnings: tuple[Problem, ...] = ()  # usable as written, but changed on the way (a brand colour darkened)

    def __iter__(self) -> Iterator:
        return iter((self.profiles, self.problems))

    def failures(self) -> dict[str, list[str]]:
        """Problem lines by failed input, for a build that keeps going: each client whose provider file
        cannot be used fails with that file's problems, so only that provider's clients fail."""
        by_path: dict[str, list[Problem]] = {}
        for p in self.problems:  # a register's invalid row fails on its own, as an invalid profile file does
            by_path.setdefault(p.where, []).append(p)
        providers = {b.provider_path for b in self.blocked}
        out = {path: [str(p) for p in probs] for path, probs in by_path.items() if path not in providers}
        for b in self.blocked:
            out.setdefault(b.path, []).extend(f"{b.path}: provider: {p}" for p in by_path.get(b.provider_path, ()))
        return out


# Why a file in a scanned folder was passed over: (one, several), as the closing summary says it.
APPLEDOUBLE = ("macOS metadata file (._*)", "macOS metadata files (._*)")
HIDDEN = ("hidden file (.*)", "hidden files (.*)")
NOT_REGULAR = ("folder or other non-regular file", "folders or other non-regular files")


def skipped_summary(skipped: Iterable[Skipped]) -> str:
    """'skipped 3 files: 2 macOS metadata files (._*), 1 hidden file (.*)', or '' when none were."""
    counts: dict[tuple[str, str], int] = {}
    for s in skipped:
        counts[s.why] = counts.get(s.why, 0) + 1
    if not counts:
        return ""
    total = sum(counts.values())
    return f"skipped {total} file{'s' * (total != 1)}: " + ", ".join(
        f"{n} {why[n != 1]}" for why, n in counts.items())


def _resolved(path: Path) -> Path:
    """path.resolve(), with a symbolic link loop as OSError(ELOOP) on every Python (3.11 raises RuntimeError)."""
    try:
        return path.resolve()
    except RuntimeError:
        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), str(path)) from None


def unreadable(path: Path) -> Optional[str]:
    """Why path cannot be read as a file (a link loop, a link to nothing, a folder, a pipe), or None.

    Checked before a file is opened: opening a FIFO would wait for a writer for ever.
    """
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "is a symbolic link loop; point the link at a file, or remove it"
        if path.is_symlink():
            return "is a symbolic link to a file that does not exist"
        if exc.errno == errno.ENOENT:
            return "no such file or folder"
        return f"cannot be read: {exc.strerror or exc}"
    if not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "a named pipe" if stat.S_ISFIFO(mode) else "a special file"
        return f"is not a regular file ({kind})"
    return None


def _hidden(name: str) -> Optional[tuple[str, str]]:
    """Why a file in a scanned folder is not a profile, by its name alone: macOS's and editors' own files."""
    if name.startswith("._"):  # AppleDouble: a Mac's resource fork on a shared drive, binary
        return APPLEDOUBLE
    if name.startswith("."):
        return HIDDEN
    return None


def find_profile_files(paths: Iterable[Path]) -> tuple[list[Path], list[Problem], list[Skipped]]:
    """Expand folders to the profile files directly inside them (providers/ is not scanned).

    Returns the files (each file once, however often it is named), the problems (a missing path, a link
    loop, an empty folder), and the files of scanned folders that were passed over, with the reason.
    A file named on the command line is read whatever its name; only folders are filtered.
    """
    files: list[Path] = []
    problems: list[Problem] = []
    skipped: list[Skipped] = []
    seen: set[Path] = set()

    def add(f: Path) -> None:
        real = _resolved(f)  # overlapping arguments (profiles/ profiles/a.yaml) name one file twice
        if real not in seen:
            seen.add(real)
            files.append(f)

    for p in map(Path, paths):
        if p.is_dir():
            before, passed = len(problems), len(skipped)
            found = _scan_folder(p, problems, skipped)
            for f in found:
                add(f)
            if not found and len(problems) == before:  # a typo, or a folder not yet synced: not a success
                why = skipped_summary(skipped[passed:])
                problems.append(Problem("", "", f"no profiles found in {p} (no .yaml or .yml files"
                                                 + (f"; {why})" if why else ")")))
            continue
        why = unreadable(p)
        if not why:
            add(p)
        elif Problem(str(p), "", why) not in problems:  # the same broken file named twice: said once
            problems.append(Problem(str(p), "", why))
    return files, problems, skipped


def _scan_folder(folder: Path, problems: list[Problem], skipped: list[Skipped]) -> list[Path]:
    """The profile files directly in folder, in name order; what cannot be read goes to problems or skipped."""
    resolved = folder.resolve()
    found = []
    for f in sorted(folder.iterdir()):
        if f.suffix.lower() not in INPUT_SUFFIXES:
            continue
        hidden = _hidden(f.name)
        if hidden:
            skipped.append(Skipped(f, hidden))
            continue
        why = unreadable(f)
        if why and why.startswith("is not a regular file"):
            skipped.append(Skipped(f, NOT_REGULAR))
        elif why:
            problems.append(Problem(str(f), "", why))
        # A folder is scanned for its own files: a link out of it could read any file on the machine.
        elif f.is_symlink() and not f.resolve().is_relative_to(resolved):
            problems.append(Problem(str(f), "", f"is a symbolic link to a file outside {folder}; "
                                                "copy the profile into the folder or name it explicitly"))
        else:
            found.append(f)
    return found


def county_names(library: Library) -> dict[str, str]:
    """Map the case-folded Finnish and Swedish county names to their Finnish name."""
    names = {}
    for c in library.counties():
        for lang in ("fi", "sv"):
            names[c.text.get(lang).casefold()] = c.text.fi
    return names


def load_profiles(paths: Iterable[Path], project: Project, library: Library) -> Loaded:
    """Load every profile under paths with its provider; collect all problems, including duplicate ids."""
    files, problems, skipped = find_profile_files(paths)
    counties = county_names(library)
    providers: dict[str, tuple[Optional[Provider], Optional[str], list[Problem]]] = {}
    loaded: list[LoadedProfile] = []
    blocked: list[Blocked] = []
    warnings: list[Problem] = []
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
                    warnings += _provider_warnings(*providers[profile.provider][:2])
                provider, provider_path, pprobs = providers[profile.provider]
                for prob in pprobs:
                    # A missing provider file is a problem of the profile's field; others belong to the provider file.
                    prob = prob if prob.path else Problem(shown, "provider", prob.message, row=row)
                    if prob not in problems:
                        problems.append(prob)
                if provider is None:
                    if provider_path:
                        blocked.append(Blocked(where, provider_path))
                    continue
            loaded.append(LoadedProfile(where, profile, provider, provider_path,
                                        file=shown if row is not None else None, digest=digest))
    return Loaded(loaded, problems, tuple(skipped), tuple(blocked), tuple(warnings))


def _read_profiles(path: Path, shown: str, counties: dict[str, str], printable: Optional[frozenset[int]],
                   problems: list[Problem]) -> Iterator[tuple[Profile, Optional[int], Optional[str]]]:
    """The valid profiles of one file, each with its register row and the row's hash (None, None for a
    profile file); every problem is added to problems. One input seam: a register's rows are validated as
    profiles, exactly as the mapping of a YAML file is."""
    if path.suffix.lower() in TABLE_SUFFIXES:
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


def _provider_warnings(provider: Optional[Provider], shown: Optional[str]) -> list[Problem]:
    """A brand colour the documents cannot print as it is (text would not read) is adjusted: say how."""
    note = palette(provider.brand_colour).adjustments() if provider and provider.brand_colour else None
    return [Problem(shown or "", "brand_colour", note)] if note else []


def _load_provider(pid: str, project: Project) -> tuple[Optional[Provider], Optional[str], list[Problem]]:
    path = _provider_file(pid, project.providers_dir)
    shown = project.shown(path)
    why = unreadable(path)
    if why == "no such file or folder":
        available = _available_providers(project.providers_dir)
        msg = f"no provider file {shown}" + (f" (available: {', '.join(available)})" if available else "")
        return None, None, [Problem("", "provider", msg)]
    if why:
        return None, shown, [Problem(shown, "", why)]
    if path.is_symlink() and not path.resolve().is_relative_to(project.providers_dir.resolve()):
        return None, shown, [Problem(shown, "", "is a symbolic link to a file outside profiles/providers/; refused")]
    try:
        raw, scalars = read_yaml_scalars(path, shown)
    except YamlProblem as exc:
        return None, shown, [exc.problem]
    provider, probs = validate_provider(raw, shown, project.workspace, project.printable(), scalars)
    return provider, shown, probs


def _provider_file(pid: str, folder: Path) -> Path:
    """profiles/providers/<pid>.yaml, or the one file there named so with .yml or another case (ACME.YAML)."""
    path = folder / f"{pid}.yaml"
    if os.path.lexists(path) or not folder.is_dir():
        return path
    names = {f"{pid}{suffix}" for suffix in PROFILE_SUFFIXES}
    found = sorted(f for f in folder.iterdir() if f.name.lower() in names)
    return found[0] if len(found) == 1 else path


def _available_providers(folder: Path) -> list[str]:
    """The provider ids a profile can name: the regular, visible profile files in profiles/providers/."""
    if not folder.is_dir():
        return []
    return sorted({f.stem.lower() for f in folder.iterdir()
                  if f.suffix.lower() in PROFILE_SUFFIXES and not _hidden(f.name) and unreadable(f) is None})


def load_all(paths: Iterable[Path], project: Project) -> tuple[Library, list[LoadedProfile]]:
    """Load the library and the profiles; raise InputError listing every problem."""
    library = project.load_library()
    loaded, problems = load_profiles(paths, project, library)
    if problems:
        raise InputError(problems, "profiles")
    return library, loaded

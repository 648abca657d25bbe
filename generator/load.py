"""Find and load profile and provider files: paths -> [LoadedProfile], with every problem collected."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

from .errors import InputError, Problem
from .library import Library, load_library
from .profile import LoadedProfile, Provider, validate_profile, validate_provider
from .text import printable_code_points
from .yamlio import YamlProblem, read_yaml_scalars


@dataclass(frozen=True)
class Project:
    """Where the project's folders are; everything the tool reads lies under root."""

    root: Path

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def labels_dir(self) -> Path:
        return self.root / "templates" / "labels"

    @property
    def providers_dir(self) -> Path:
        return self.root / "profiles" / "providers"

    def printable(self) -> Optional[frozenset[int]]:
        """The code points the vendored fonts (templates/fonts/) can print; text with others is refused."""
        return printable_code_points(self.templates_dir / "fonts")

    def load_library(self) -> Library:
        return load_library(self.content_dir, self.labels_dir)

    def shown(self, path: Path) -> str:
        """A path as users see it: relative to the project root where possible."""
        for file, root in ((path.absolute(), self.root.absolute()), (path.resolve(), self.root.resolve())):
            try:  # unresolved first: a symlink is shown where it is, not where it points
                return file.relative_to(root).as_posix()
            except ValueError:
                pass
        return str(path)


def default_project() -> Project:
    """The project in the current folder, or the checkout the package was installed from."""
    cwd = Path.cwd()
    if (cwd / "content").is_dir() and (cwd / "templates").is_dir():
        return Project(cwd)
    here = Path(__file__).resolve().parent.parent
    if (here / "content").is_dir():
        return Project(here)
    return Project(cwd)


def find_profile_files(paths: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """Expand folders to the *.yaml/*.yml files directly inside them (providers/ is not scanned)."""
    files: list[Path] = []
    problems: list[Problem] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            folder = p.resolve()
            for f in sorted(f for f in p.iterdir() if f.suffix in (".yaml", ".yml") and f.is_file()):
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
        try:
            raw, scalars = read_yaml_scalars(f, shown)
        except YamlProblem as exc:
            problems.append(exc.problem)
            continue
        profile, probs = validate_profile(raw, shown, counties, project.printable(), scalars)
        problems.extend(probs)
        if profile is None:
            continue
        if profile.id in seen_ids:
            problems.append(Problem(shown, "id", f"'{profile.id}' is already used by {seen_ids[profile.id]}; ids must be unique"))
            continue
        seen_ids[profile.id] = shown
        provider, provider_path = None, None
        if profile.provider:
            if profile.provider not in providers:
                providers[profile.provider] = _load_provider(profile.provider, project)
            provider, provider_path, pprobs = providers[profile.provider]
            for prob in pprobs:
                # A missing provider file is a problem of the profile's field; others belong to the provider file.
                prob = prob if prob.path else Problem(shown, "provider", prob.message)
                if prob not in problems:
                    problems.append(prob)
            if provider is None:
                continue
        loaded.append(LoadedProfile(shown, profile, provider, provider_path))
    return loaded, problems


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
    provider, probs = validate_provider(raw, shown, project.root, project.printable(), scalars)
    return provider, shown, probs


def load_all(paths: Iterable[Path], project: Project) -> tuple[Library, list[LoadedProfile]]:
    """Load the library and the profiles; raise InputError listing every problem."""
    library = project.load_library()
    loaded, problems = load_profiles(paths, project, library)
    if problems:
        raise InputError(problems, "profiles")
    return library, loaded

"""Create a provider workspace: DIR -> the skeleton's files written into it, never over an existing file."""

from __future__ import annotations

from pathlib import Path

from .. import __version__
from ..errors import ToolkitError

SKELETON = Path(__file__).resolve().parent / "skeleton"
VERSION_MARK = "@VERSION@"


def skeleton_files() -> dict[str, bytes]:
    """The workspace's files, path -> bytes; a part named dot-x in the skeleton is .x in the workspace.

    Kept without the dots in the package so that this repository's git and CI do not take the skeleton's
    .gitignore and CI files for their own.
    """
    files = {}
    for src in sorted(p for p in SKELETON.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        rel = "/".join("." + part[4:] if part.startswith("dot-") else part for part in src.relative_to(SKELETON).parts)
        files[rel] = src.read_bytes().replace(VERSION_MARK.encode(), __version__.encode())
    return files


def create_workspace(folder: Path) -> list[str]:
    """Write the skeleton into folder (created if needed); return the files written, in order.

    Raises ToolkitError, having written nothing, when any of the files exists already or folder is a file.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ToolkitError(f"{folder} is a file; name a new or existing folder")
    files = skeleton_files()
    existing = [rel for rel in files if (folder / rel).exists() or (folder / rel).is_symlink()]
    if existing:
        raise ToolkitError(f"{folder} already has {', '.join(existing)}; nothing was written. "
                           "Run init in a new folder, or move those files away first")
    for rel, data in files.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "xb") as fh:  # "x": never over a file that appeared meanwhile
            fh.write(data)
    return list(files)

"""Writing files so that nobody sees half of one: atomic replacement, and reproducible zip packages.

Every file the tool writes for users (toolkits, records, summaries, profiles, kept build state) goes through
here: it is written in full to a hidden temp file beside its target (same file system, so the rename is
atomic), then renamed into place. A full or read-only disk, a crash or a kill leaves the earlier file as it
was; the temp files are named `.<name>.<random>.tmp`, so a later run can recognise and remove them.
"""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Iterable

ZipTime = tuple[int, int, int, int, int, int]
ZIP_EPOCH: ZipTime = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold


def _file_mode() -> int:
    """The mode a plain open() would give a new file under this process's umask (usually 0644)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


FILE_MODE = _file_mode()


def write_temp(path: Path, data: bytes, sync: bool = True) -> str:
    """Write data in full (synced to disk unless sync=False) to a hidden temp file beside path; return the temp
    file's name. mkstemp creates it 0600; it gets the usual mode so the renamed file is readable like any other.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if sync:
                fh.flush()
                os.fsync(fh.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def write_atomic(target: Path, data: bytes, sync: bool = True) -> Path:
    """Put data at target whole, or leave target as it was (its folder is created if needed). sync=False for
    scratch files, which need not survive a power cut."""
    replace_all({target: data}, sync=sync)
    return target


def replace_all(targets: dict[Path, bytes], remove_first: Iterable[Path] = (), sync: bool = True) -> None:
    """Write several files so that none is replaced unless every one could be written.

    Each is first written in full to a temp file beside it; only then are the temp files renamed into place,
    in the order given. remove_first: files removed after every temp file is written and before the first
    rename (a manifest that must not vouch for a mix of old and new files while they are renamed).
    """
    for folder in {path.parent for path in targets}:
        folder.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[str, Path]] = []
    try:
        for path, data in targets.items():
            staged.append((write_temp(path, data, sync), path))
        for path in remove_first:
            path.unlink(missing_ok=True)
        for tmp, path in staged:
            os.replace(tmp, path)
    finally:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)


def zip_time(when: datetime) -> ZipTime:
    """A zip entry's time for when, raised to the earliest a zip can hold."""
    return max(when.timetuple()[:6], ZIP_EPOCH)


def zip_bytes(members: dict[str, bytes], date_time: ZipTime) -> bytes:
    """A zip of members in the order given, each deflated with the same time and mode: equal members give
    equal bytes (a .docx, an .xlsx or a delivery zip alike)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return out.getvalue()

"""Where a provider's logo and base document may come from, and what they must be: the one asset policy.

Checked twice: when a provider file is validated (check_asset: a relative path to a regular file of the
right kind inside an asset folder), and again when a document is rendered (check_local_asset, and the
PDF renderer's URL fetcher through allowed_roots), so a file swapped for a link after validation is
still refused.
"""

from __future__ import annotations

import errno
import re
import stat
from pathlib import Path
from typing import Optional

from ..errors import AssetError

# Folders (relative to the workspace) from which provider files may take a logo or a base .docx.
ASSET_DIRS = ("profiles/providers/assets", "templates/assets")


def check_asset(value: str, root: Optional[Path], suffixes: tuple[str, ...]) -> str:
    """Allow only a relative path to an existing file inside the asset folders; return it normalised."""
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", value) or value.startswith(("/", "\\", "~")):
        raise ValueError(f"'{value}' must be a relative path inside {' or '.join(ASSET_DIRS)} (no URLs or absolute paths)")
    if not value.lower().endswith(suffixes):
        raise ValueError(f"'{value}' must end with {' or '.join(suffixes)}")
    if root is None:
        return value
    root = root.resolve()
    try:
        target = (root / value).resolve()
    except RuntimeError:  # Python 3.11 says "Symlink loop" so; later versions resolve as far as they can
        raise ValueError(f"'{value}' is a symbolic link loop; point it at the file, or copy the file there") from None
    allowed = [(root / d).resolve() for d in ASSET_DIRS]
    if not any(target.is_relative_to(a) for a in allowed):
        raise ValueError(f"'{value}' is outside the asset folders {', '.join(ASSET_DIRS)}")
    try:
        mode = target.stat().st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ValueError(f"'{value}' is a symbolic link loop; point it at the file, or copy the file there") from None
        raise ValueError(f"'{value}' does not exist") from None
    if not stat.S_ISREG(mode):  # a folder, or a named pipe that would block the reader for ever
        raise ValueError(f"'{value}' is not a regular file")
    if target.stat().st_size > 5_000_000:
        raise ValueError(f"'{value}' is larger than 5 MB")
    problem = base_docx_problem(target) if target.suffix.lower() == ".docx" else logo_problem(target)
    if problem:
        raise ValueError(f"'{value}' {problem}")
    return target.relative_to(root).as_posix()


MAX_LOGO_PIXELS = 25_000_000  # a 5000 x 5000 logo; more is a mistake or a decompression bomb
MAX_DOCX_UNPACKED = 100_000_000


def logo_problem(path: Path) -> Optional[str]:
    """Why a logo cannot be used (wrong format, too many pixels, an SVG with a DTD), or None."""
    if path.suffix.lower() == ".svg":
        with open(path, "rb") as fh:  # the prolog is all that is checked
            text = fh.read(4096).decode("utf-8", "replace").lower()
        if "<svg" not in text:
            return "is not an SVG image"
        if "<!doctype" in text or "<!entity" in text:
            return "is an SVG with a DOCTYPE or entities; save it as plain SVG"
        return None
    from PIL import Image
    Image.MAX_IMAGE_PIXELS = MAX_LOGO_PIXELS
    try:
        with Image.open(path) as img:  # reads the header only
            fmt, (w, h) = img.format, img.size
    except Image.DecompressionBombError:
        return f"has more than {MAX_LOGO_PIXELS:,} pixels; use a logo under 5000 x 5000 pixels"
    except (OSError, ValueError, SyntaxError):
        return "is not a PNG or JPEG image"
    if fmt not in ("PNG", "JPEG"):
        return f"is a {fmt} image; use PNG, JPEG or SVG"
    if w * h > MAX_LOGO_PIXELS:
        return f"is {w} x {h} pixels; use a logo under 5000 x 5000 pixels"
    return None


def base_docx_problem(path: Path) -> Optional[str]:
    """Why a base document cannot be used (not a .docx package, macros, a ZIP bomb), or None."""
    import zipfile
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            types = zf.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    except (zipfile.BadZipFile, OSError, KeyError):
        return "is not a Word .docx file (not a ZIP package)"
    if "word/document.xml" not in names or not types:
        return "is not a Word .docx file (no word/document.xml)"
    if any(n.lower().endswith("vbaproject.bin") for n in names) or b"macroenabled" in types.lower():
        return "contains macros (a .docm renamed to .docx); save it as a Word document without macros"
    if sum(i.file_size for i in infos) > MAX_DOCX_UNPACKED:
        return f"unpacks to more than {MAX_DOCX_UNPACKED // 1_000_000} MB"
    return None


def allowed_roots(templates_dir: Path, asset_root: Optional[Path] = None) -> tuple[Path, ...]:
    """templates/ and the asset folders validation allows; checked again here rather than trusted.

    asset_root is the workspace whose asset folders hold the provider's files (default: the folder above
    templates/, as in a checkout of the tool).
    """
    root = asset_base(templates_dir, asset_root)
    return (templates_dir.resolve(),) + tuple((root / d).resolve() for d in ASSET_DIRS)


def asset_base(templates_dir: Path, asset_root: Optional[Path]) -> Path:
    return (asset_root or templates_dir.parent).resolve()


def check_local_asset(value: str, templates_dir: Path, asset_root: Optional[Path] = None) -> Path:
    """Resolve a logo or other asset path; AssetError unless it is an existing file in an allowed folder."""
    roots = allowed_roots(templates_dir, asset_root)
    base = asset_base(templates_dir, asset_root)
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value) and not re.match(r"^[A-Za-z]:[\\/]", value):
        raise AssetError(f"asset '{value}' is a URL; only files under {shown_roots(roots, base)} are allowed")
    path = Path(value)
    if not path.is_absolute():
        path = base / path
    try:
        path = path.resolve()
    except RuntimeError:  # Python 3.11's "Symlink loop"
        raise AssetError(f"asset '{value}' is a symbolic link loop") from None
    if not any(path.is_relative_to(r) for r in roots):
        raise AssetError(f"asset '{value}' is outside the allowed folders {shown_roots(roots, base)}")
    if not path.is_file():
        raise AssetError(f"asset '{value}' does not exist")
    return path


def shown_roots(roots: tuple[Path, ...], base: Path) -> str:
    """The allowed folders as users know them: relative to the workspace, the tool's templates in full."""
    return ", ".join(r.relative_to(base).as_posix() if r.is_relative_to(base) else str(r) for r in roots)

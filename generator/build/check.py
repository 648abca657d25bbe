"""Check built toolkits with third-party readers: OUT/<id>/ -> list of problems (empty when all is well)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

from .keys import MANIFEST

# templates/base.css loads every vendored font under a "Toolkit ..." family; any other name came from the system.
VENDORED_FONT_PREFIX = "Toolkit-"


def check_docx(path: Path) -> list[str]:
    """The .docx reopens with python-docx and has no schema, package or relationship errors."""
    import docx

    problems = []
    try:
        docx.Document(str(path))
    except Exception as exc:  # any failure to reopen is the finding
        return [f"{path}: python-docx cannot reopen it: {exc}"]
    try:
        from openxml_audit import OpenXmlValidator
    except ImportError:
        return [f"{path}: cannot check the schema: openxml-audit is not installed (pip install openxml-audit)"]
    result = OpenXmlValidator(semantic_validation=False).validate(str(path))
    for err in getattr(result, "errors", []):
        if err.error_type.value in ("schema", "package", "relationship", "binary"):
            problems.append(f"{path}: {err.error_type.value}: {err.description} ({err.part_uri} {err.path})")
    return problems


def check_pdf(path: Path, one_page: bool = False, fields: set[str] | None = None) -> list[str]:
    """The PDF passes qpdf --check, embeds only vendored fonts, and has the expected pages and form fields."""
    from pypdf import PdfReader

    problems = []
    for tool in ("qpdf", "pdffonts"):
        if not shutil.which(tool):
            problems.append(f"{path}: cannot check: {tool} is not installed (apt-get install qpdf poppler-utils)")
    if shutil.which("qpdf"):
        res = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        if res.returncode != 0:
            problems.append(f"{path}: qpdf --check: {res.stdout.strip().splitlines()[-1] if res.stdout else res.stderr}")
    if shutil.which("pdffonts"):
        res = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True)
        for line in res.stdout.splitlines()[2:]:
            cols = line.split()
            if len(cols) >= 5 and "no" in cols[-5:-3]:
                problems.append(f"{path}: font not embedded: {cols[0]}")
            if cols and not cols[0].partition("+")[2 if "+" in cols[0] else 0].startswith(VENDORED_FONT_PREFIX):
                problems.append(f"{path}: font not from templates/fonts/: {cols[0]}")
    try:
        reader = PdfReader(str(path))
        pages = len(reader.pages)
        names = set((reader.get_fields() or {}).keys())
    except Exception as exc:
        return problems + [f"{path}: pypdf cannot read it: {exc}"]
    if one_page and pages != 1:
        problems.append(f"{path}: {pages} pages, the care pathway must be exactly one")
    if fields is not None and not names <= fields:
        problems.append(f"{path}: form fields not among the selected items: {sorted(names - fields)[:5]}")
    if fields is not None and not names:
        problems.append(f"{path}: no fillable checkboxes")
    return problems


def check_toolkit(folder: Path) -> list[str]:
    """Check one OUT/<id>/ folder against its manifest."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"{folder}: no readable {MANIFEST}: {exc}"]
    problems = []
    for name, digest in manifest.get("outputs", {}).items():
        f = folder / name
        if not f.is_file():
            problems.append(f"{f}: missing")
            continue
        if hashlib.sha256(f.read_bytes()).hexdigest() != digest:
            problems.append(f"{f}: sha256 differs from the manifest")
        if name.endswith(".docx"):
            problems += check_docx(f)
        elif name == "care-pathway.pdf":
            problems += check_pdf(f, one_page=True)
        elif name == "checklists.pdf":
            selected = set(manifest.get("selected_items", []))
            # a checkbox or answer field per selected item, and a notes field per selected checklist
            problems += check_pdf(f, fields=selected | {f"{i}.notes" for i in selected})
    return problems


def check_out(out: Path) -> tuple[int, list[str]]:
    """Check every toolkit under OUT; return how many were checked and the problems."""
    folders = sorted(p for p in out.iterdir() if p.is_dir() and (p / MANIFEST).exists()) if out.is_dir() else []
    problems: list[str] = []
    for folder in folders:
        problems += check_toolkit(folder)
    return len(folders), problems

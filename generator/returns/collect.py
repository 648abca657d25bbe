"""Collect returned toolkits: files and folders -> one record per client (RECORDS/<id>.json), keep going.

Which client, document and build a file belongs to is read from the file itself (document properties of the
plan, document information of the PDF), never from its name. Several returned versions of one document: the
newest by the document's own modified time, then its save count, wins; the others are reported. A file that
is not ours, damaged, encrypted, of a client not in the profiles, or of an unknown tag scheme gives one line
and the rest carry on. Returned files are only read, never changed.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

from ..content import Library
from ..errors import Problem
from ..files import write_atomic
from ..record import Action, Goal, Need, Record, SourceFile
from ..vocab import ACTION_STATUSES
from .read import NotReadable, Returned
from .read.docx import read_plan
from .read.pdf import read_checklists
from .read.safe import MAX_FILE

TAG_SCHEMES = ("1",)  # plan tag schemes this version reads (docs/docx-tags.md)
ACTION_TABLE = "actions."
SUFFIXES = (".docx", ".pdf")


@dataclass
class Collected:
    """What collect found: records by client id, superseded versions, and one problem per unusable file."""

    records: dict[str, Record] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    superseded: list[tuple[str, str]] = field(default_factory=list)  # (file, why it was not used)
    skipped: list[tuple[str, str]] = field(default_factory=list)     # ours, but nothing to read (care pathway)
    files: int = 0


def find_returned(paths: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """.docx and .pdf files under the given files and folders (recursively), in a stable order."""
    found: list[Path] = []
    problems: list[Problem] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            for dirpath, dirnames, filenames in os.walk(p, followlinks=False):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in sorted(filenames):
                    if name.startswith(".") or not name.lower().endswith(SUFFIXES):
                        continue  # dot files: macOS AppleDouble companions, editors' lock files (~$, .~lock)
                    found.append(Path(dirpath) / name)
        elif p.is_file():
            found.append(p)
        else:
            problems.append(Problem(str(p), "", "no such file or folder"))
    return found, problems


def read_returned(path: Path, placeholders: Iterable[str]) -> Returned:
    """Read one returned file by what it is (a zip package or a PDF), whatever it is called."""
    if path.stat().st_size > MAX_FILE:
        raise NotReadable(f"the file is over {MAX_FILE // (1024 * 1024)} MB")
    data = path.read_bytes()
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise NotReadable("a password-protected Office file or an old .doc (Word 97-2003); save it as a .docx "
                          "without a password")
    if data[:2] == b"PK":
        returned = read_plan(data, placeholders)
    elif data.lstrip()[:5] == b"%PDF-":
        returned = read_checklists(data)
    else:
        raise NotReadable("neither a Word document (.docx) nor a PDF")
    returned.source = hashlib.sha256(data).hexdigest()
    return returned


def collect(paths: Iterable[Path], client_ids: set[str], library: Library, placeholders: Iterable[str],
            shown=str) -> Collected:
    """Read every returned file under paths into records, one per client in client_ids."""
    result = Collected()
    files, result.problems = find_returned(paths)
    result.files = len(files)
    latest: dict[tuple[str, str], tuple[Path, Returned]] = {}
    older: dict[tuple[str, str], list[tuple[Path, Returned]]] = {}
    placeholders = tuple(placeholders)
    for path in files:
        try:
            returned = read_returned(path, placeholders)
        except NotReadable as exc:
            result.problems.append(Problem(shown(path), "", str(exc)))
            continue
        except OSError as exc:
            result.problems.append(Problem(shown(path), "", f"cannot read: {exc.strerror or exc}"))
            continue
        ident = returned.identity
        if ident.document not in ("action-plan", "checklists"):  # the care pathway, a follow-up report
            result.skipped.append((shown(path), f"{ident.client}'s {ident.document} has nothing to fill in"))
            continue
        if ident.document == "action-plan" and ident.tags not in TAG_SCHEMES:
            result.problems.append(Problem(shown(path), "", _old_scheme(ident)))
            continue
        if ident.client not in client_ids:
            result.problems.append(Problem(shown(path), "", f"belongs to client '{ident.client}', which is not "
                                                            "in the profiles given; collect it with that profile"))
            continue
        key = (ident.client, ident.document)
        candidate = (path, returned)
        if key in latest and _newer(latest[key][1], returned):
            older.setdefault(key, []).append(candidate)
        else:
            if key in latest:
                older.setdefault(key, []).append(latest[key])
            latest[key] = candidate
    for client in sorted({c for c, _ in latest}):
        plan = latest.get((client, "action-plan"))
        lists = latest.get((client, "checklists"))
        superseded = [x for kind in ("action-plan", "checklists") for x in older.get((client, kind), [])]
        for path, returned in superseded:
            result.superseded.append((shown(path), f"an older version of {client}'s {returned.identity.document}"))
        result.records[client] = build_record(client, plan, lists, superseded, library, shown)
    return result


def _newer(a: Returned, b: Returned) -> bool:
    """Whether a is newer than b: by the document's own modified time, then by its save count."""
    return (a.identity.modified, a.identity.revision) >= (b.identity.modified, b.identity.revision)


def _old_scheme(ident) -> str:
    built = f"generator {ident.generator}" if ident.generator else "an older generator"
    if not ident.tags:
        return (f"built by {built}, before plans carried the tag map that reading them back needs; fill in a "
                "plan built by this version (toolkit build) and collect that")
    return f"uses tag scheme {ident.tags}, which this version does not read (it reads {', '.join(TAG_SCHEMES)})"


def _source(path: Path, returned: Returned, shown) -> SourceFile:
    ident = returned.identity
    return SourceFile(kind=ident.document, file=shown(path), sha256=returned.source or "",
                      modified=ident.modified, revision=ident.revision, generator=ident.generator,
                      content=ident.content)


def build_record(client: str, plan: Optional[tuple[Path, Returned]], lists: Optional[tuple[Path, Returned]],
                 superseded: list[tuple[Path, Returned]], library: Library, shown=str) -> Record:
    """One client's record from its newest returned plan and checklists."""
    files = tuple(_source(p, r, shown) for p, r in (x for x in (plan, lists) if x is not None))
    fields = dict(plan[1].fields) if plan else {}
    rows = plan[1].rows if plan else {}
    checked: dict[str, bool] = {}
    for tag, value in fields.items():  # the plan's own checklist tables, where the PDF did not come back
        if tag.endswith(".done"):
            checked[tag[: -len(".done")]] = value == "1"
    if lists:
        checked.update(lists[1].checked)
    language = (plan or lists)[1].identity.language
    return Record(
        client=client, language=language, files=files,
        superseded=tuple(_source(p, r, shown) for p, r in superseded),
        fields=fields,
        needs=tuple(_needs(rows.get("need", []))),
        goals=tuple(_goals(rows.get("goal", []))),
        actions=tuple(_actions(rows, library)),
        checklist_items=dict(sorted(checked.items())),
        checklist_texts=dict(sorted(lists[1].fields.items())) if lists else {},
    )


def _filled(row: dict[str, str], fields: tuple[str, ...]) -> bool:
    return any(row.get(f) for f in fields)


def _needs(rows: list[dict[str, str]]) -> Iterable[Need]:
    for row in rows:
        if _filled(row, ("need", "evidence")):
            yield Need(id=_row_id(row, "need"), need=row.get("need", ""), evidence=row.get("evidence", ""))


def _goals(rows: list[dict[str, str]]) -> Iterable[Goal]:
    fields = ("need", "goal", "metric", "baseline", "target", "latest")
    for n, row in enumerate(rows, start=1):
        if _filled(row, fields):
            yield Goal(id=_row_id(row, "goal"), number=row.get("number", ""),
                       **{f: row.get(f, "") for f in fields})


def _actions(rows: dict[str, list[dict[str, str]]], library: Library) -> Iterable[Action]:
    fields = ("need", "goal", "what", "owner_workplace", "owner_ohs", "when", "metric")
    for table_id, table in rows.items():
        if not table_id.startswith(ACTION_TABLE):
            continue
        block = table_id[len(ACTION_TABLE):]
        for row in table:
            rid = row["id"]
            if row["origin"] == "user-row":
                origin = "user-row"
            elif rid.startswith(f"action.{block}.new"):
                origin = "empty-row"
            else:
                origin = "example"
            status = row.get("status", "")
            if origin == "example" and not status:
                status = "suggested"  # a prefilled example whose status nobody picked
            if origin != "example" and not _filled(row, fields) and not status:
                continue  # an empty row left empty
            yield Action(id=rid, block=block, origin=origin, status=status if status in ACTION_STATUSES else "",
                         **{f: row.get(f, "") for f in fields})




def _row_id(row: dict[str, str], prefix: str) -> str:
    rid = row["id"]
    return rid if row["origin"] != "user-row" else f"{prefix}.user{rid.rsplit('user', 1)[-1]}"


def write_record(out_dir: Path, record: Record) -> Path:
    """Write RECORDS/<id>.json: never half a record, and an earlier good one stays until the new one is whole."""
    return write_atomic(out_dir / f"{record.client}.json", record.to_json().encode("utf-8"))


def placeholder_texts(library: Library) -> set[str]:
    """The prompts empty fields show, in every language: LibreOffice saves an untouched one as plain text."""
    keys = [k for k in library.labels if k.startswith("docx.ph.")] + ["common.status.suggested"]
    return {getattr(library.labels[k], lang) for k in keys if k in library.labels for lang in ("fi", "sv", "en")}

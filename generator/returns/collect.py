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
import signal
import stat
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Optional

from ..content import Library
from ..errors import Problem
from ..files import write_atomic
from ..record import Action, Goal, Need, Record, SourceFile
from ..vocab import ACTION_STATUSES
from .read import NotReadable, Returned
from .read.docx import read_plan
from .read.pdf import read_checklists
from .read.safe import read_file

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
    notes: list[tuple[str, str]] = field(default_factory=list)       # (file, what was odd about it)
    files: int = 0


def find_returned(paths: Iterable[Path], shown=str) -> tuple[list[Path], list[Problem]]:
    """.docx and .pdf files under the given files and folders (recursively), in a stable order.

    Only regular files are taken. A symbolic link in a folder is followed only to a regular file inside
    that folder; a link that leads out of it, to a folder, a pipe, a device or nowhere, is reported, as is
    any other thing that is not a file (a named pipe could hang the read, /dev/zero never ends).
    """
    found: list[Path] = []
    problems: list[Problem] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            root = p.resolve()
            for dirpath, dirnames, filenames in os.walk(p, followlinks=False):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
                    dirnames.remove(name)  # os.walk would not go in; say so rather than pass over it
                    problems.append(Problem(shown(Path(dirpath) / name), "", "a link to a folder; not followed "
                                            "(copy the returned files themselves in instead)"))
                for name in sorted(filenames):
                    if name.startswith(".") or not name.lower().endswith(SUFFIXES):
                        continue  # dot files: macOS AppleDouble companions, editors' lock files (~$, .~lock)
                    path = Path(dirpath) / name
                    why = _not_a_returned_file(path, root)
                    if why:
                        problems.append(Problem(shown(path), "", why))
                    else:
                        found.append(path)
        elif p.is_file():  # named on the command line: followed wherever it points, if it is a file
            found.append(p)
        elif p.exists() or p.is_symlink():
            problems.append(Problem(shown(p), "", "not a file or folder (a link to nothing, a pipe or a device)"))
        else:
            problems.append(Problem(shown(p), "", "no such file or folder"))
    return found, problems


def _not_a_returned_file(path: Path, root: Path) -> Optional[str]:
    """Why a .docx or .pdf entry of a returned folder is not read, or None when it is a file to read."""
    try:
        mode = path.lstat().st_mode
        if stat.S_ISLNK(mode):
            target = path.resolve(strict=True)
            if not target.is_relative_to(root):
                return "a link to a file outside the returned folder; not followed (copy the file in instead)"
            mode = target.stat().st_mode
    except (OSError, RuntimeError):  # a dangling link, a loop
        return "a link that leads nowhere (to a missing file, or in a loop)"
    if not stat.S_ISREG(mode):
        return "not a regular file (a folder, named pipe, device or socket); only files are read"
    return None


def read_returned(path: Path, placeholders: Iterable[str]) -> Returned:
    """Read one returned file by what it is (a zip package or a PDF), whatever it is called."""
    data = read_file(path)
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


READ_SECONDS = 10  # longer than any real file takes; a file that takes longer is given up on


class _TooSlow(BaseException):
    """Raised into a reader that has taken READ_SECONDS (a BaseException: readers' own handlers let it pass)."""


@contextmanager
def _bounded(seconds: float) -> Iterator[None]:
    """Raise _TooSlow in the block after `seconds` (in the main thread; elsewhere the block is not timed)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise _TooSlow

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _library_messages() -> Iterator[list[str]]:
    """What the readers' libraries log or warn while one file is read, kept for that file's notes instead of
    going to the terminal unattributed and unescaped (pypdf's "EOF marker not found", field names it echoes)."""
    import logging
    import warnings

    messages: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    logger = logging.getLogger("pypdf")
    handler, propagate = Keep(logging.WARNING), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield messages
        messages.extend(str(w.message) for w in caught)
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def read_one(path: Path, placeholders: Iterable[str]) -> tuple[Optional[Returned], str, list[str]]:
    """(what the file holds, or None; why not; what the libraries said while reading it). The one boundary
    between a returned file and the batch: whatever a file holds, it fails alone."""
    with _library_messages() as said:
        try:
            with _bounded(READ_SECONDS):
                return read_returned(path, placeholders), "", said
        except NotReadable as exc:
            return None, str(exc), said
        except _TooSlow:
            return None, f"reading it took over {READ_SECONDS} s; it is not read", said
        except OSError as exc:
            return None, f"cannot read: {exc.strerror or exc}", said
        except MemoryError:
            return None, "reading it needed more memory than this machine has; it is not read", said
        except Exception as exc:  # a reader's bug must not stop the batch: the file is named, the rest go on
            return None, (f"could not be read ({type(exc).__name__}: {exc}); the other files were read. Please "
                          "report this file to the tool's maintainers"), said


def collect(paths: Iterable[Path], client_ids: set[str], library: Library, placeholders: Iterable[str],
            shown=str) -> Collected:
    """Read every returned file under paths into records, one per client in client_ids. Each file is read
    alone (read_one): one that cannot be used is a problem naming it, and the others are read all the same."""
    result = Collected()
    files, result.problems = find_returned(paths, shown)
    result.files = len(files)
    latest: dict[tuple[str, str], tuple[Path, Returned]] = {}
    older: dict[tuple[str, str], list[tuple[Path, Returned, str]]] = {}
    placeholders = tuple(placeholders)
    for path in files:
        returned, why, said = read_one(path, placeholders)
        if returned is None:  # the problem says what is wrong; what a library said on the way is noise then
            result.problems.append(Problem(shown(path), "", why))
            continue
        result.notes += [(shown(path), f"read, but {m[:1].lower()}{m[1:]}") for m in said[:MAX_NOTES]]
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
        if key not in latest:
            latest[key] = (path, returned)
            continue
        kept, why_not = _newer_of(latest[key], (path, returned), shown)
        older.setdefault(key, []).append(why_not)
        latest[key] = kept
    for client in sorted({c for c, _ in latest}):
        plan = latest.get((client, "action-plan"))
        lists = latest.get((client, "checklists"))
        superseded = [x for kind in ("action-plan", "checklists") for x in older.get((client, kind), [])]
        result.superseded += [(shown(p), why) for p, _, why in superseded]
        result.records[client] = build_record(client, plan, lists, [(p, r) for p, r, _ in superseded], library,
                                              shown)
    return result


MAX_NOTES = 3  # library messages shown per file: enough to say what was odd, never a flood


def _newer_of(a: tuple[Path, Returned], b: tuple[Path, Returned], shown) -> tuple[tuple[Path, Returned],
                                                                                tuple[Path, Returned, str]]:
    """(the version used, (the other, its file's returned content, why it is not used)) of two versions of one
    document: the newer by the document's own saved time, then its save count. Two versions that tie on both
    cannot be told apart by what they say: the first by name is used, and the note names both and says so."""
    (pa, ra), (pb, rb) = a, b
    ka = (ra.identity.modified, ra.identity.revision)
    kb = (rb.identity.modified, rb.identity.revision)
    doc = f"{ra.identity.client}'s {ra.identity.document}"
    if ka != kb:
        (new, old) = (a, b) if ka > kb else (b, a)
        return new, (*old, f"an older version of {doc} (the one used is {shown(new[0])})")
    (first, second) = (a, b) if str(pa) <= str(pb) else (b, a)
    return first, (*second, f"saved at the same time and as many times as {shown(first[0])}, another version of "
                            f"{doc}; that one is used because its name sorts first. If this is the version you "
                            "meant, remove the other one and collect again")


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

"""Returned files from the wild: hostile and odd files mixed into a folder of two clients' genuine filled toolkits.

One `toolkit collect` run reads them all (issue 26). Whatever a file holds, it fails alone: both clients' records,
follow-up reports and the summary are written, each bad file is named in one escaped line, nothing crashes, hangs
or floods memory, and no raw control byte reaches the terminal. The run is timed and its memory measured against
a run of the genuine files alone.
"""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import pytest
from lxml import etree
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

from generator.errors import escape
from tests.conftest import ROOT
from tests.test_collect import W, fill_pdf_pypdf, fill_plan, rewrite_part

A, B = "hoivakoti-aurinko", "skolan-i-strandby"  # Finnish and Swedish: two genuine clients in every run
RAW = [chr(c) for c in (*range(0x00, 0x09), *range(0x0b, 0x20), 0x7f, *range(0x80, 0xa0), 0x200e, 0x200f,
                        *range(0x202a, 0x202f), *range(0x2066, 0x206a))]  # never raw on a terminal (\n aside)
SECONDS, MEGABYTES = 10, 500  # what the hostile files may add to the genuine files' run, all together


@dataclass
class Case:
    name: str
    make: Callable[[Path, dict], None]  # writes the case's file into the returned folder
    file: str                           # its name as the lines and records show it (escaped)
    problem: Optional[str] = None       # one line names the file and says this (exit status 1)
    read: bool = False                  # read into a client's record (used, or named as another version)
    note: Optional[str] = None          # a note line names the file and says this


def case(name: str, suffix: str, data: Callable[[Path, dict], bytes], **expect) -> Case:
    """A case whose file is name + suffix, with the bytes data(folder, genuine) gives."""
    def make(folder: Path, g: dict) -> None:
        (folder / f"{name}{suffix}").write_bytes(data(folder, g))
    return Case(name, make, escape(name + suffix), **expect)


# ---- genuine files ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def genuine(built_samples) -> dict:
    """Both clients' plans and checklists, filled as people fill them."""
    out = {}
    for client in (A, B):
        folder = built_samples / client
        plan = fill_plan((folder / "action-plan.docx").read_bytes(), {"approval.prepared_by": "Anna Virtanen"})
        lists = (folder / "checklists.pdf").read_bytes()
        fields = PdfReader(io.BytesIO(lists)).get_fields()
        boxes = sorted(n for n, f in fields.items() if f.get("/FT") == "/Btn")
        texts = sorted(n for n, f in fields.items() if f.get("/FT") == "/Tx")
        out[client] = {"plan": plan, "lists": fill_pdf_pypdf(lists, set(boxes[::2]), {texts[0]: "Kuukausittain"},
                                                              regenerate=False),
                       "texts": texts}
    return out


def _write_genuine(folder: Path, genuine: dict) -> None:
    for client in (A, B):
        (folder / f"{client}-plan.docx").write_bytes(genuine[client]["plan"])
        (folder / f"{client}-checklists.pdf").write_bytes(genuine[client]["lists"])


# ---- makers ---------------------------------------------------------------------------------------------------

def _pdf(writer: PdfWriter) -> bytes:
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _lists_with(genuine: dict, change, client: str = A) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(genuine[client]["lists"])))
    change(writer)
    return _pdf(writer)


def _info(**values: str):
    def change(writer: PdfWriter) -> None:
        writer.add_metadata({f"/{k}": v for k, v in values.items()})
    return change


def _encrypted(name: str, *args: str):
    def make(folder: Path, g: dict) -> None:
        src = folder.parent / f"{name}-plain.pdf"
        src.write_bytes(g[A]["lists"])
        subprocess.run(["qpdf", "--allow-weak-crypto", "--encrypt", *args, "--", str(src), str(folder / f"{name}.pdf")],
                       check=True, capture_output=True)
    return make


def _field(writer: PdfWriter, name: str):
    for ref in writer._root_object["/AcroForm"]["/Fields"]:
        obj = ref.get_object()
        if obj.get("/T") == name:
            return obj
    raise KeyError(name)


def _flate_bomb_value(g: dict):
    """A text field's value given as a stream that inflates to a gigabyte."""
    def change(writer: PdfWriter) -> None:
        import zlib
        bomb = StreamObject()
        bomb._data = zlib.compress(b"\0" * (1 << 27), 9)  # 128 KiB that inflate to 128 MiB
        bomb[NameObject("/Filter")] = NameObject("/FlateDecode")
        _field(writer, g[A]["texts"][0])[NameObject("/V")] = writer._add_object(bomb)
    return change


def _kids_dict(g: dict):
    def change(writer: PdfWriter) -> None:
        field = _field(writer, g[A]["texts"][0])
        field[NameObject("/Kids")] = DictionaryObject({NameObject("/Odd"): NumberObject(1)})
    return change


def _core(prop: str, value: str):
    def change(xml: bytes) -> bytes:
        root = etree.fromstring(xml)
        for e in root:
            if etree.QName(e).localname == prop:
                e.text = value
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return change


def _plan_with(genuine: dict, part: str, change, client: str = B) -> bytes:
    return rewrite_part(genuine[client]["plan"], part, change)


def _no_sdtpr(xml: bytes) -> bytes:
    root = etree.fromstring(xml)
    for sdt in root.iter(f"{W}sdt"):
        pr = sdt.find(f"{W}sdtPr")
        if pr is not None and sdt.find(f".//{W}sdt") is None:
            sdt.remove(pr)
            break
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _twice(data: bytes, part: str) -> bytes:
    """The package with one part written twice (the second a copy with other text)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info.filename))
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # zipfile warns about the duplicate name: that is the point
            dst.writestr(part, src.read(part).replace(b"Anna Virtanen", b"Joku Muu"))
    return out.getvalue()


def _link(name: str, target: Callable[[Path], Path]):
    def make(folder: Path, g: dict) -> None:
        (folder / name).symlink_to(target(folder))
    return make


def _outside(folder: Path) -> Path:
    target = folder.parent / "outside.docx"
    if not target.exists():
        target.write_bytes(b"PK")
    return target


def _mkfifo(name: str):
    def make(folder: Path, g: dict) -> None:
        os.mkfifo(folder / name)
    return make


def _socket(name: str):
    def make(folder: Path, g: dict) -> None:
        s = socket.socket(socket.AF_UNIX)
        s.bind(str(folder / name))  # left bound until the test process ends: a socket file in the folder
        _SOCKETS.append(s)
    return make


_SOCKETS: list = []


def _sparse(name: str, size: int):
    def make(folder: Path, g: dict) -> None:
        with open(folder / name, "wb") as fh:
            fh.write(b"%PDF-1.7\n")
            fh.truncate(size)
    return make


def _raw_name(raw: bytes, data: Callable[[dict], bytes]):
    """A file whose name is bytes that are not UTF-8 (Latin-1 from a Windows zip)."""
    def make(folder: Path, g: dict) -> None:
        with open(os.fsencode(folder) + b"/" + raw, "wb") as fh:
            fh.write(data(g))
    return make


LONG = ("Pitkä vastaus " * 110_000)[:1_500_000]   # 1.5 MB typed into one field
ANSWER = "cycle.eval.impl.done.answer"             # an evaluation answer of the plan: free text
ODD = "Hyvä 😀 rivi\u2028toinen \x7f 中文 עברית \U0001F3FD loppu"  # emoji, U+2028, DEL, CJK, Hebrew


CASES = [
    # ---- encrypted PDFs: AES and RC4, with and without a password to open them
    Case("aes256-no-password", _encrypted("aes256-no-password", "", "owner", "256"), "aes256-no-password.pdf",
         problem="encrypted"),
    Case("aes256-password", _encrypted("aes256-password", "user", "owner", "256"), "aes256-password.pdf",
         problem="encrypted"),
    Case("aes128", _encrypted("aes128", "user", "owner", "128", "--use-aes=y"), "aes128.pdf", problem="encrypted"),
    Case("rc4-128", _encrypted("rc4-128", "user", "owner", "128", "--use-aes=n"), "rc4-128.pdf",
         problem="encrypted"),
    Case("rc4-40-no-password", _encrypted("rc4-40-no-password", "", "owner", "40"), "rc4-40-no-password.pdf",
         problem="encrypted"),
    # ---- PDF structure: bombs, loops and odd types
    case("flate-bomb-field", ".pdf", lambda f, g: _lists_with(g, _flate_bomb_value(g)), problem="damaged PDF"),
    case("kids-5000-deep", ".pdf", lambda f, g: _lists_with(g, _deep_kids_field), read=True),
    case("kids-dictionary", ".pdf", lambda f, g: _lists_with(g, _kids_dict(g), B), read=True),
    case("truncated-pdf", ".pdf", lambda f, g: g[A]["lists"][: len(g[A]["lists"]) // 2], problem=""),
    case("empty-pdf", ".pdf", lambda f, g: b"", problem="neither a Word document"),
    case("garbage-after-header", ".pdf", lambda f, g: b"%PDF-1.7\n" + os.urandom(4000), problem=""),
    # ---- identities and names that would steer a terminal
    case("client-with-escapes", ".pdf", lambda f, g: _lists_with(
        g, _info(ToolkitClient="\x1b]0;owned\x07\x1b[2J\u202eklient")), problem="not in the profiles"),
    case("document-with-escapes", ".pdf", lambda f, g: _lists_with(
        g, _info(ToolkitDocument="\x1b[31mpathway\x9b\u2066")), note="not used"),
    case("moddate-9999", ".pdf", lambda f, g: _lists_with(g, _info(ModDate="D:99991231235959+14'00'")), read=True),
    case("moddate-0001", ".pdf", lambda f, g: _lists_with(g, _info(ModDate="D:00010101000000-12'00'"), B), read=True),
    case("pdf-odd-answer", ".pdf", lambda f, g: fill_pdf_pypdf(g[B]["lists"], set(), {g[B]["texts"][-1]: ODD},
                                                               regenerate=False), read=True),
    # ---- Word packages
    case("revision-superscript", ".docx", lambda f, g: _plan_with(g, "docProps/core.xml", _core("revision", "²")),
         read=True),
    case("revision-5000-digits", ".docx", lambda f, g: _plan_with(
        g, "docProps/core.xml", _core("revision", "9" * 5000), A), read=True),
    case("modified-9999", ".docx", lambda f, g: _plan_with(
        g, "docProps/core.xml", _core("modified", "9999-12-31T23:59:59+00:00")), read=True),
    case("modified-0001", ".docx", lambda f, g: _plan_with(
        g, "docProps/core.xml", _core("modified", "0001-01-01T00:00:00-12:00"), A), read=True),
    case("control-without-properties", ".docx", lambda f, g: _plan_with(g, "word/document.xml", _no_sdtpr),
         read=True),
    case("document-xml-twice", ".docx", lambda f, g: _twice(g[A]["plan"], "word/document.xml"),
         problem="two parts named word/document.xml"),
    case("core-xml-twice", ".docx", lambda f, g: _twice(g[B]["plan"], "docProps/core.xml"),
         problem="two parts named docProps/core.xml"),
    case("answer-1500-kb", ".docx", lambda f, g: fill_plan(g[A]["plan"], {ANSWER: LONG}), read=True),
    case("docx-odd-answer", ".docx", lambda f, g: fill_plan(g[B]["plan"], {ANSWER: ODD}), read=True),
    case("xml-not-utf8", ".docx", lambda f, g: _plan_with(
        g, "word/document.xml", lambda x: x.replace("Anna Virtanen".encode(), "Änna".encode("latin-1"))),
         problem="not well-formed XML"),
    case("empty-zip", ".docx", lambda f, g: b"PK\x05\x06" + b"\0" * 18, problem="not a toolkit document"),
    case("ole-docx", ".docx", lambda f, g: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,
         problem="password-protected Office file"),
    # ---- the file system
    Case("named-pipe", _mkfifo("named-pipe.pdf"), "named-pipe.pdf", problem="not a regular file"),
    Case("socket", _socket("socket.docx"), "socket.docx", problem="not a regular file"),
    Case("dev-zero", _link("dev-zero.pdf", lambda f: Path("/dev/zero")), "dev-zero.pdf",
         problem="outside the returned folder"),
    Case("dev-urandom", _link("dev-urandom.docx", lambda f: Path("/dev/urandom")), "dev-urandom.docx",
         problem="outside the returned folder"),
    Case("link-outside", _link("link-outside.docx", _outside), "link-outside.docx",
         problem="outside the returned folder"),
    Case("link-nowhere", _link("link-nowhere.pdf", lambda f: f / "gone.pdf"), "link-nowhere.pdf",
         problem="leads nowhere"),
    Case("link-loop", _link("link-loop.pdf", lambda f: f / "link-loop.pdf"), "link-loop.pdf",
         problem="leads nowhere"),
    Case("link-to-folder", _link("link-to-folder.pdf", lambda f: f.parent), "link-to-folder.pdf",
         problem="a link to a folder"),
    Case("sparse-60-mb", _sparse("sparse-60-mb.pdf", 60 * 1024 * 1024), "sparse-60-mb.pdf", problem="at most 50 MB"),
    Case("latin1-name", _raw_name(b"suunnitelma-\xe4\xe4.docx", lambda g: g[A]["plan"]),
         escape(os.fsdecode(b"suunnitelma-\xe4\xe4.docx")), read=True),
    case("bidi\u202egpj\x9b", ".pdf", lambda f, g: g[B]["lists"], read=True),
    case("bell\x07\x1b[2J", ".pdf", lambda f, g: b"not a document", problem="neither a Word document"),
]


def _deep_kids_field(writer: PdfWriter) -> None:
    """A field whose /Kids chain is 5,000 levels deep, added to the form."""
    top = DictionaryObject({NameObject("/T"): TextStringObject("deep"), NameObject("/FT"): NameObject("/Btn")})
    top_ref = writer._add_object(top)
    node = top
    for _ in range(5000):
        child = DictionaryObject()
        child_ref = writer._add_object(child)
        node[NameObject("/Kids")] = ArrayObject([child_ref])
        node = child
    writer._root_object["/AcroForm"]["/Fields"].append(top_ref)


def _run(folder: Path, out: Path) -> tuple[subprocess.CompletedProcess, float, int]:
    """toolkit collect in a process of its own: (result, seconds, peak memory in MB of that process)."""
    code = ("import resource, subprocess, sys, time; start = time.perf_counter(); "
            "r = subprocess.run(sys.argv[1:], capture_output=True, timeout=600); "
            "sys.stdout.buffer.write(r.stdout); sys.stderr.buffer.write(r.stderr); "
            "print(f'\\n@@ {r.returncode} {time.perf_counter() - start} "
            "{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}', file=sys.stderr); sys.exit(0)")
    args = [sys.executable, "-c", code, sys.executable, "-m", "generator", "collect", "--root", str(ROOT),
            str(folder), "-o", str(out)]
    res = subprocess.run(args, capture_output=True, timeout=900, cwd=ROOT)
    stderr = res.stderr.decode("utf-8", "surrogateescape")
    body, _, tail = stderr.rpartition("\n@@ ")
    code_, seconds, peak = tail.split()
    return (subprocess.CompletedProcess(args, int(code_), res.stdout.decode("utf-8", "surrogateescape"), body),
            float(seconds), int(peak) // 1024)


@pytest.fixture(scope="module")
def runs(genuine, tmp_path_factory):
    """(the genuine files alone, the genuine files with every case): (result, seconds, peak MB, out)."""
    base = tmp_path_factory.mktemp("hostile")
    alone, mixed = base / "alone", base / "returned"
    alone.mkdir()
    mixed.mkdir()
    _write_genuine(alone, genuine)
    _write_genuine(mixed, genuine)
    for case in CASES:
        case.make(mixed, genuine)
    return _run(alone, base / "out-alone") + (base / "out-alone",), _run(mixed, base / "out") + (base / "out",)


pytestmark = pytest.mark.slow


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 40 and len({c.name for c in CASES}) == len(CASES)


def test_the_genuine_files_alone_are_collected(runs):
    (res, _, _, out), _ = runs
    assert res.returncode == 0, res.stderr
    assert {p.name for p in out.iterdir()} >= {f"{A}.json", f"{B}.json", f"{A}-follow-up.pdf",
                                               f"{B}-follow-up.pdf", "summary.csv", "summary.xlsx"}


def test_every_bad_file_fails_alone_and_the_good_clients_are_whole(runs):
    _, (res, _, _, out) = runs
    assert res.returncode == 1, res.stderr
    for client in (A, B):
        record = json.loads((out / f"{client}.json").read_text(encoding="utf-8"))
        assert {f["kind"] for f in record["files"]} == {"action-plan", "checklists"}, client
        assert PdfReader(out / f"{client}-follow-up.pdf").pages, client
    summary = (out / "summary.csv").read_text(encoding="utf-8-sig")
    assert A in summary and B in summary
    lines = res.stderr.splitlines()
    records = "".join((out / f"{c}.json").read_text(encoding="utf-8") for c in (A, B))
    for case in CASES:
        named = [line for line in lines if case.file in line]
        problems = [line for line in named if not line.startswith("note: ")]
        if case.problem is not None:
            assert len(problems) == 1, (case.name, named)
            assert case.problem in problems[0], (case.name, problems[0])
        else:
            assert not problems, (case.name, problems)
        if case.read:
            assert json.dumps(case.file)[1:-1] in records, (case.name, named)
        if case.note is not None:
            assert any(line.startswith("note: ") and case.note in line for line in named), (case.name, named)


def test_nothing_crashes_and_nothing_raw_reaches_the_terminal(runs):
    for res, *_ in runs:
        text = res.stdout + res.stderr
        assert "Traceback" not in text and "Exception ignored" not in text
        raw = sorted({f"U+{ord(c):04X}" for c in text if c in RAW})
        assert not raw, raw
        for line in res.stderr.splitlines():  # every line says whose it is: no library talking on its own
            assert line.startswith(("note: ", "Collected ", "/", str(ROOT))) or ": " in line, line


def test_the_hostile_files_cost_little_time_and_memory(runs):
    (_, alone_s, alone_mb, _), (_, mixed_s, mixed_mb, _) = runs
    assert mixed_s <= alone_s + SECONDS * 3, (alone_s, mixed_s)  # 40 files, each refused or read in moments
    assert mixed_mb <= alone_mb + MEGABYTES, (alone_mb, mixed_mb)


def test_long_and_unprintable_answers_keep_the_report(runs):
    """The 1.5 MB answer (used: it ties with the genuine plan and sorts first) is kept whole in the record,
    and the report, made all the same, shows its beginning and says the rest is in the record."""
    _, (_, _, _, out) = runs
    record = json.loads((out / f"{A}.json").read_text(encoding="utf-8"))
    assert [f["file"] for f in record["files"] if f["kind"] == "action-plan"][0].endswith("answer-1500-kb.docx")
    assert record["fields"][ANSWER] == LONG.strip()
    text = subprocess.run(["pdftotext", "-q", str(out / f"{A}-follow-up.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Pitkä vastaus" in text and "koko teksti on tallessa" in " ".join(text.split())
    assert len(PdfReader(out / f"{A}-follow-up.pdf").pages) <= 4

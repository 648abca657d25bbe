"""The hostile-input corpus (tests/corpus/cases.yaml): every case gets its expected outcome, never a traceback.

While a case runs, a Python audit hook records every file the process opens: no case may open the
"secret" file its symlinks point at, or /etc/passwd, and building writes nothing outside OUT.
"""

from __future__ import annotations

import io
import os
import re
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main
from tests.conftest import BASE_PROFILE, ROOT

CASES = yaml.safe_load((Path(__file__).parent / "corpus" / "cases.yaml").read_text(encoding="utf-8"))
BASE = {**BASE_PROFILE, "id": "case", "client": {"name": "Corpus Oy"}}

# ---- every file opened by this process while a case runs ----
_OPENED: list[str] = []
_RECORDING: list[bool] = [False]


def _audit(event: str, args: tuple) -> None:
    if _RECORDING[0] and event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        _OPENED.append(os.path.realpath(os.fsdecode(args[0])))


sys.addaudithook(_audit)


def _png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 4)) + chunk(b"IEND", b"")


def _docm() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                    '<Override PartName="/word/document.xml" ContentType="application/vnd.ms-word.document.'
                    'macroEnabled.main+xml"/></Types>')
        zf.writestr("word/document.xml", "<w:document/>")
        zf.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro")
    return buf.getvalue()


def _dump(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**9)


def _profiles_folder(folder: Path) -> None:
    for i in range(3000):
        (folder / f"client-{i:04d}.yaml").write_text(_dump({**BASE, "id": f"client-{i:04d}"}), encoding="utf-8")


# Generated inputs: name -> (project root, target path) -> None
MAKERS = {
    "deep_nesting": lambda root, p: p.write_text("id: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8"),
    "alias_bomb": lambda root, p: p.write_text(
        "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        + "".join(f"{c}: &{c} [{', '.join([f'*{chr(ord(c) - 1)}'] * 12)}]\n" for c in "bcdefghijklm"),
        encoding="utf-8"),
    "name_1mb": lambda root, p: p.write_text(_dump({**BASE, "client": {"name": "A" * 1_000_000}}), encoding="utf-8"),
    "features_10000": lambda root, p: p.write_text(_dump({**BASE, "work_features": ["shift_work"] * 10_000}),
                                                   encoding="utf-8"),
    "file_3mb": lambda root, p: p.write_text(_dump(BASE) + ("# padding\n" * 300_000), encoding="utf-8"),
    "unknown_fields_10000": lambda root, p: p.write_text(
        _dump({**BASE, **{f"f{i:05d}": 1 for i in range(10_000)}}), encoding="utf-8"),
    "many_profiles": lambda root, p: _profiles_folder(p.parent),
    "text": lambda root, p: p.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8"),
    "huge_png": lambda root, p: p.write_bytes(_png(20_000, 20_000)),
    "svg_entities": lambda root, p: p.write_text(
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        '<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>', encoding="utf-8"),
    "docm": lambda root, p: p.write_bytes(_docm()),
}


def _set(d: dict, changes: dict) -> dict:
    out = dict(d)
    for k, v in changes.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = v
    return out


@pytest.fixture(scope="module")
def secret(tmp_path_factory) -> Path:
    """A file outside every project that no case may read."""
    p = tmp_path_factory.mktemp("outside") / "secret.yaml"
    p.write_text("id: stolen\nsecret: do-not-read\n", encoding="utf-8")
    return p


def make_project(tmp_path: Path, case: dict, secret: Path) -> Path:
    """A project with the real content and templates (linked) and this case's input files; for a case with
    `workspace` files, a provider workspace instead, with those files and the installed tool's library."""
    root = tmp_path / "proj"
    (root / "profiles" / "providers" / "assets").mkdir(parents=True)
    for d in ("content", "templates"):
        if "workspace" not in case:
            (root / d).symlink_to(ROOT / d)
    for rel, text in (case.get("workspace") or {}).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        if text in MAKERS:
            MAKERS[text](root, root / rel)
        else:
            (root / rel).write_text(text, encoding="utf-8")
    target = root / "profiles" / "case.yaml"
    profile = _set(BASE, case.get("profile") or {})
    if "provider" in case or "provider_raw" in case:
        profile["provider"] = "prov"
        text = case["provider_raw"] if "provider_raw" in case else _dump(case["provider"])
        (root / "profiles" / "providers" / "prov.yaml").write_text(text, encoding="utf-8")
    for rel, maker in (case.get("assets") or {}).items():
        MAKERS[maker](root, root / rel)
    for rel, to in (case.get("symlinks") or {}).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).symlink_to(secret if to == "@secret" else to)
    if "raw" in case:
        text = case["raw"].replace("\n", "\r\n") if case.get("newline") == "crlf" else case["raw"]
        target.write_bytes(text.encode(case.get("encoding", "utf-8")))
    elif "make" in case:
        MAKERS[case["make"]](root, target)
    elif not target.is_symlink():
        target.write_text(_dump(profile), encoding="utf-8")
    for name, changes in (case.get("extra") or {}).items():
        (root / "profiles" / name).write_text(_dump(_set(BASE, changes)), encoding="utf-8")
    return root


def where(case: dict) -> str:
    """--project for a provider workspace (the installed library), --root for a project with its own."""
    return "--project" if "workspace" in case else "--root"


def run_recorded(args: list[str]):
    _OPENED.clear()
    _RECORDING[0] = True
    try:
        return CliRunner().invoke(main, args)
    finally:
        _RECORDING[0] = False


def assert_nothing_forbidden_read(secret: Path) -> None:
    forbidden = {str(secret.resolve()), "/etc/passwd", "/etc/shadow"}
    assert not forbidden & set(_OPENED), sorted(forbidden & set(_OPENED))


def test_corpus_is_big_and_well_formed():
    names = [c["name"] for c in CASES]
    assert len(names) >= 40 and len(set(names)) == len(names)
    for c in CASES:
        assert set(c["expect"]) & {"error", "ok", "literal"}, c["name"]
        assert c.get("make") is None or c["make"] in MAKERS, c["name"]


NON_LITERAL = [c for c in CASES if "literal" not in c["expect"]]


SLOW_CASES = {"thousands-of-profiles", "yaml-deep-nesting", "name-of-1-mb", "ten-thousand-unknown-fields"}  # a few seconds each: left out of make test-fast


@pytest.mark.parametrize("case", [pytest.param(c, marks=pytest.mark.slow) if c["name"] in SLOW_CASES else c
                                  for c in NON_LITERAL], ids=[c["name"] for c in NON_LITERAL])
def test_case(case, tmp_path, secret):
    root = make_project(tmp_path, case, secret)
    args = [str(root / a) for a in case.get("args", ["profiles/case.yaml"])]
    result = run_recorded(["validate", where(case), str(root), *args])
    assert "Traceback" not in result.output and not isinstance(result.exception, Exception) or \
        isinstance(result.exception, SystemExit), result.output
    assert_nothing_forbidden_read(secret)
    expect = case["expect"]
    if expect.get("ok"):
        assert result.exit_code == 0, result.output
        if "count" in expect:
            assert f"OK: {expect['count']} profile(s)" in result.output
        return
    err = expect["error"]
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert lines[-1].startswith("Aborted: "), result.output
    problems = lines[:-1]
    assert len(problems) == expect.get("lines", 1), result.output[:3000]
    path = str(root / err["path"][5:]) if err["path"].startswith("@abs:") else err["path"]
    head = f"{path}: {err['field']}: " if err["field"] else f"{path}: "
    line = problems[0]
    assert line.startswith(head), (head, line)
    assert err["says"] in line, line
    assert all(len(p) < 1000 for p in problems), "an error line must stay readable"


LITERAL = [c for c in CASES if "literal" in c["expect"]]


def _docx_text(path: Path) -> str:
    """Every paragraph's text, including table cells, headers and fill-in content controls."""
    import docx
    from docx.oxml.ns import qn
    d = docx.Document(str(path))
    roots = [d.element.body] + [s.header._element for s in d.sections]
    return "\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for r in roots for p in r.iter(qn("w:p")))


def _squash(text: str) -> str:
    # pdftotext wraps right-to-left runs in U+202B ... U+202C, which the name itself never holds
    return re.sub(r"[\s\u202a-\u202e]+", "", text)


@pytest.mark.slow
@pytest.mark.parametrize("case", LITERAL, ids=[c["name"] for c in LITERAL])
def test_harmless_text_is_rendered_literally(case, tmp_path, secret):
    """Markup, template and formula text in every free-text field comes out as written, in every output."""
    from generator.build.check import check_toolkit
    out = tmp_path / "out"
    root = make_project(tmp_path / case["name"], case, secret)
    before = {p for p in root.rglob("*") if "content" not in p.parts and "templates" not in p.parts}
    result = run_recorded(["build", where(case), str(root), str(root / "profiles" / "case.yaml"), "-j", "1",
                           "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert_nothing_forbidden_read(secret)
    after = {p for p in root.rglob("*") if "content" not in p.parts and "templates" not in p.parts}
    assert after == before, "the build wrote outside OUT"
    toolkit = out / "case"
    assert check_toolkit(toolkit) == []
    docx_text = _docx_text(toolkit / "action-plan.docx")
    pdf_text = {name: subprocess.run(["pdftotext", str(toolkit / name), "-"], capture_output=True, text=True,
                                     check=True).stdout for name in ("checklists.pdf", "care-pathway.pdf")}
    shown_in_pdfs = [case.get("profile", {}).get("client", {}).get("name"),
                     (case.get("provider") or {}).get("name")]
    for text in case["expect"]["literal"]:
        assert text in docx_text, text
        if text in shown_in_pdfs:
            for name, got in pdf_text.items():
                assert _squash(text) in _squash(got), (name, text)

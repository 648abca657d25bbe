"""Reading filled toolkits back: the returned-file corpus (tests/corpus/returned.yaml), PDFs filled by different
fillers, several versions of one document, and the whole cycle with a real LibreOffice round trip."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from lxml import etree
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, TextStringObject

from generator.cli import main
from generator.returns.read.pdf import read_checklists
from tests.conftest import LIBREOFFICE, ROOT

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"
W15 = "{http://schemas.microsoft.com/office/word/2012/wordml}"
SAMPLE = "hoivakoti-aurinko"
CASES = yaml.safe_load((Path(__file__).parent / "corpus" / "returned.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def built(built_samples) -> dict[str, bytes]:
    folder = built_samples / SAMPLE
    return {"plan": (folder / "action-plan.docx").read_bytes(), "checklists": (folder / "checklists.pdf").read_bytes()}


# ---- filling, as people and their programs do it ------------------------------------------------------------

def rewrite_part(data: bytes, name: str, change) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == name:
                body = change(body)
            dst.writestr(info, body)
    return out.getvalue()


def fill_plan(data: bytes, values: dict[str, str]) -> bytes:
    """Type values into controls by tag, as Word does: text replaces the placeholder; dates get their date."""
    def change(xml: bytes) -> bytes:
        root = etree.fromstring(xml)
        for sdt in root.iter(f"{W}sdt"):
            tag = sdt.find(f"{W}sdtPr/{W}tag")
            if tag is None or tag.get(f"{W}val") not in values:
                continue
            value = values[tag.get(f"{W}val")]
            pr, content = sdt.find(f"{W}sdtPr"), sdt.find(f"{W}sdtContent")
            box = pr.find(f"{W14}checkbox/{W14}checked")
            if box is not None:
                box.set(f"{W14}val", value)
                content.find(f".//{W}t").text = "\u2612" if value == "1" else "\u2610"
                continue
            for flag in pr.findall(f"{W}showingPlcHdr"):
                pr.remove(flag)
            date = pr.find(f"{W}date")
            shown = value
            if date is not None:
                date.set(f"{W}fullDate", f"{value}T00:00:00Z")
                y, m, d = value.split("-")
                shown = f"{int(d)}.{int(m)}.{y}"
            items = {i.get(f"{W}value"): i.get(f"{W}displayText") for i in pr.iter(f"{W}listItem")}
            shown = items.get(value, shown)
            runs = content.findall(f"{W}r")
            for r in runs[1:]:
                content.remove(r)
            for rpr in runs[0].findall(f"{W}rPr"):
                runs[0].remove(rpr)
            runs[0].find(f"{W}t").text = shown
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return rewrite_part(data, "word/document.xml", change)


def add_row_like_word(data: bytes, table_tag: str, values: dict[str, str]) -> bytes:
    """Word's repeating-section "+": a copy of the last item, same tags, no bookmarks, then typed into."""
    def change(xml: bytes) -> bytes:
        root = etree.fromstring(xml)
        section = next(s for s in root.iter(f"{W}sdt") if (s.find(f"{W}sdtPr/{W}tag") is not None and
                                                           s.find(f"{W}sdtPr/{W}tag").get(f"{W}val") == table_tag))
        items = section.findall(f"{W}sdtContent/{W}sdt")
        copy = etree.fromstring(etree.tostring(items[-1]))
        for mark in list(copy.iter(f"{W}bookmarkStart")) + list(copy.iter(f"{W}bookmarkEnd")):
            mark.getparent().remove(mark)
        for sdt in copy.iter(f"{W}sdt"):
            tag = sdt.find(f"{W}sdtPr/{W}tag")
            field = tag.get(f"{W}val").rsplit(".", 1)[-1] if tag is not None else None
            if field in values:
                pr = sdt.find(f"{W}sdtPr")
                for flag in pr.findall(f"{W}showingPlcHdr"):
                    pr.remove(flag)
                run = sdt.find(f"{W}sdtContent/{W}r")
                for rpr in run.findall(f"{W}rPr"):
                    run.remove(rpr)
                run.find(f"{W}t").text = values[field]
        section.find(f"{W}sdtContent").append(copy)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return rewrite_part(data, "word/document.xml", change)


def add_row_like_libreoffice(data: bytes, header_text: str, cells: list[str]) -> bytes:
    """LibreOffice's Table > Insert > Rows: a plain row with the table's cell layout, typed into."""
    def change(xml: bytes) -> bytes:
        root = etree.fromstring(xml)
        for tbl in root.iter(f"{W}tbl"):
            first = tbl.find(f".//{W}tr")
            if "".join(t.text or "" for t in first.iter(f"{W}t")).startswith(header_text):
                template = tbl.findall(f".//{W}tr")[-1]
                row = etree.SubElement(tbl, f"{W}tr")
                for tc_old, text in zip(template.findall(f"{W}tc"), cells):
                    tc = etree.SubElement(row, f"{W}tc")
                    tc.append(etree.fromstring(etree.tostring(tc_old.find(f"{W}tcPr"))))
                    p = etree.SubElement(tc, f"{W}p")
                    etree.SubElement(etree.SubElement(p, f"{W}r"), f"{W}t").text = text
                break
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return rewrite_part(data, "word/document.xml", change)


def libreoffice_save(soffice, tmp_path: Path, data: bytes, name: str = "plan.docx") -> bytes:
    """Open and save the plan in LibreOffice Writer (headless), as a user saving it as Word does."""
    src = tmp_path / "lo-in" / name
    src.parent.mkdir(exist_ok=True)
    src.write_bytes(data)
    out = tmp_path / "lo-out"
    soffice("docx:MS Word 2007 XML", out, src)
    saved = out / name
    assert saved.exists(), "LibreOffice could not save the plan"
    return saved.read_bytes()


def fill_pdf_pypdf(data: bytes, ticks: set[str], texts: dict[str, str], regenerate: bool) -> bytes:
    reader = PdfReader(io.BytesIO(data))
    writer = PdfWriter(clone_from=reader)
    values = {name: "/on" for name in ticks} | texts
    for page in writer.pages:
        writer.update_page_form_field_values(page, values, auto_regenerate=regenerate)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def fill_pdf_pdftk(tmp_path: Path, data: bytes, ticks: set[str], texts: dict[str, str], appearances: bool) -> bytes:
    """pdftk-java fill_form from an XFDF file (an independent filler); with or without need_appearances."""
    src, xfdf, out = tmp_path / "in.pdf", tmp_path / "values.xfdf", tmp_path / "out.pdf"
    src.write_bytes(data)
    fields = "".join(f'<field name="{n}"><value>on</value></field>' for n in sorted(ticks))
    fields += "".join(f'<field name="{n}"><value>{v}</value></field>' for n, v in sorted(texts.items()))
    xfdf.write_text(f'<?xml version="1.0" encoding="UTF-8"?><xfdf xmlns="http://ns.adobe.com/xfdf/"><fields>'
                    f'{fields}</fields></xfdf>', encoding="utf-8")
    args = ["pdftk", str(src), "fill_form", str(xfdf), "output", str(out)] + (["need_appearances"] if appearances else [])
    res = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    return out.read_bytes()


def fill_pdf_incremental(data: bytes, ticks: set[str], texts: dict[str, str]) -> bytes:
    """An incremental update as viewers write it: the changed field objects appended with a new xref section
    and a trailer pointing back (/Prev); values set (/V, and a check box's state /AS), appearances not
    regenerated, so a text field's old appearance (empty) is stale."""
    reader = PdfReader(io.BytesIO(data))
    fields = {}
    for ref in reader.trailer["/Root"]["/AcroForm"]["/Fields"]:
        obj = ref.get_object()
        fields[str(obj["/T"])] = (ref.idnum, obj)
    start = len(data)
    chunks, offsets = [], {}
    for name in sorted(ticks | set(texts)):
        num, obj = fields[name]
        changed = dict(obj)
        if name in ticks:
            changed[NameObject("/V")] = NameObject("/on")
            changed[NameObject("/AS")] = NameObject("/on")
        else:
            changed[NameObject("/V")] = TextStringObject(texts[name])
        body = io.BytesIO()
        from pypdf.generic import DictionaryObject
        DictionaryObject(changed).write_to_stream(body)
        offsets[num] = start + sum(len(c) for c in chunks)
        chunks.append(f"{num} 0 obj\n".encode() + body.getvalue() + b"\nendobj\n")
    xref_at = start + sum(len(c) for c in chunks)
    xref = ["xref"]
    for num in sorted(offsets):
        xref.append(f"{num} 1")
        xref.append(f"{offsets[num]:010d} 00000 n ")
    prev = re.findall(rb"startxref\s+(\d+)", data)[-1].decode()
    size = reader.trailer["/Size"]
    root = reader.trailer.raw_get("/Root")
    info = reader.trailer.raw_get("/Info")
    trailer = (f"trailer\n<< /Size {size} /Root {root.idnum} 0 R /Info {info.idnum} 0 R /Prev {prev} >>\n"
               f"startxref\n{xref_at}\n%%EOF\n")
    return data + b"".join(chunks) + ("\n".join(xref) + "\n" + trailer).encode()


# ---- PDFs filled by different programs -------------------------------------------------------------------

def _fields(data: bytes) -> tuple[list[str], list[str]]:
    fields = PdfReader(io.BytesIO(data)).get_fields()
    boxes = sorted(n for n, f in fields.items() if f.get("/FT") == "/Btn")
    texts = sorted(n for n, f in fields.items() if f.get("/FT") == "/Tx")
    return boxes, texts


@pytest.mark.parametrize("filler", ["pypdf", "pypdf-appearances", "pdftk", "pdftk-need-appearances", "incremental"])
def test_checklists_filled_by_different_programs_read_back(built, tmp_path, filler):
    boxes, texts = _fields(built["checklists"])
    ticks = set(boxes[::3])
    typed = {texts[0]: "Pidetään kuukausittain; muistio Teamsissa", texts[-1]: "Ääkköset ja rivi\nvaihto"}
    if filler.startswith("pdftk") and shutil.which("pdftk") is None:
        pytest.fail("pdftk (Debian pdftk-java) is not installed; make test installs it")
    if filler == "pypdf":
        data = fill_pdf_pypdf(built["checklists"], ticks, typed, regenerate=False)
    elif filler == "pypdf-appearances":
        data = fill_pdf_pypdf(built["checklists"], ticks, typed, regenerate=True)
    elif filler == "pdftk":
        data = fill_pdf_pdftk(tmp_path, built["checklists"], ticks, typed, appearances=False)
    elif filler == "pdftk-need-appearances":
        data = fill_pdf_pdftk(tmp_path, built["checklists"], ticks, typed, appearances=True)
    else:
        data = fill_pdf_incremental(built["checklists"], ticks, typed)
    got = read_checklists(data)
    assert got.identity.client == SAMPLE and got.identity.document == "checklists"
    assert {n for n, on in got.checked.items() if on} == ticks
    for name, value in typed.items():
        assert got.fields[name] == value.replace("\r", "")
    assert set(got.checked) == set(boxes)


# ---- the corpus of returned files ----------------------------------------------------------------------

def _maker(name: str, built: dict[str, bytes], tmp_path: Path) -> bytes:
    import docx

    if name == "filled_plan":
        return fill_plan(built["plan"], {"approval.prepared_by": "Anna Virtanen"})
    if name == "filled_checklists":
        boxes, _ = _fields(built["checklists"])
        return fill_pdf_pypdf(built["checklists"], {boxes[0]}, {}, regenerate=False)
    if name == "checklists_with_javascript":
        from pypdf.generic import DictionaryObject
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(built["checklists"])))
        writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('hi');")})
        buf = io.BytesIO()
        writer.write(buf)
        return buf.getvalue()
    if name == "foreign_docx":
        buf = io.BytesIO()
        d = docx.Document()
        d.add_paragraph("Muistio")
        d.save(buf)
        return buf.getvalue()
    if name == "foreign_pdf":
        writer = PdfWriter()
        writer.add_blank_page(200, 200)
        buf = io.BytesIO()
        writer.write(buf)
        return buf.getvalue()
    if name == "plan_of_other_client":
        return rewrite_part(built["plan"], "docProps/custom.xml", lambda b: b.replace(SAMPLE.encode(), b"ei-profiilia"))
    if name == "plan_without_tag_scheme":
        return rewrite_part(built["plan"], "docProps/custom.xml",
                            lambda b: re.sub(rb'<property [^>]*name="toolkit.tags">.*?</property>', b"", b))
    if name == "truncated_docx":
        return built["plan"][: len(built["plan"]) // 2]
    if name == "damaged_pdf":
        return b"%PDF-1.7\n" + b"\x00garbage" * 1000
    if name == "ole_container":
        return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4000
    if name == "encrypted_checklists":
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(built["checklists"])))
        writer.encrypt("salasana")
        buf = io.BytesIO()
        writer.write(buf)
        return buf.getvalue()
    if name == "zip_bomb":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("word/document.xml", b"\0" * (70 * 1024 * 1024))
        return buf.getvalue()
    if name == "many_parts":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            for i in range(2500):
                zf.writestr(f"x/{i}.xml", b"<a/>")
        return buf.getvalue()
    if name == "xxe_docx":
        return rewrite_part(built["plan"], "word/document.xml", lambda b: b.replace(
            b"?>", b'?><!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', 1).replace(
            b"<w:t>", b"<w:t>&xxe;", 1))
    if name == "laughs_docx":
        laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">'
                  b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><Properties>&lol3;</Properties>')
        return rewrite_part(built["plan"], "docProps/custom.xml", lambda b: laughs)
    if name == "huge_file":
        return b"%PDF-1.7\n" + b"0" * (51 * 1024 * 1024)
    if name == "text_file":
        return b"not a toolkit file"
    raise KeyError(name)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_returned_file_corpus(case, built, tmp_path):
    folder = tmp_path / "returned"
    folder.mkdir()
    (folder / case["file"]).write_bytes(_maker(case["make"], built, tmp_path))
    records = tmp_path / "records"
    before = {p: p.read_bytes() for p in folder.iterdir()}
    result = CliRunner().invoke(main, ["collect", str(folder), "-o", str(records), "--root", str(ROOT)])
    expect = case["expect"]
    assert {p: p.read_bytes() for p in folder.iterdir()} == before, "a returned file was changed"
    if "problem" in expect:
        assert result.exit_code == 1, result.output
        lines = [line for line in result.stderr.splitlines() if case["file"] in line and "not used" not in line]
        assert len(lines) == 1 and expect["problem"] in lines[0], result.stderr
        assert "Traceback" not in result.output
    elif "ok" in expect:
        assert result.exit_code == 0, result.stderr
        assert (records / f"{SAMPLE}.json").is_file()
    else:
        assert result.exit_code == 0, result.stderr
        assert "from 0 file(s)" in result.stderr
        assert not (records / f"{SAMPLE}.json").exists()


def test_a_bad_file_does_not_stop_the_good_ones(built, tmp_path):
    folder = tmp_path / "returned"
    folder.mkdir()
    (folder / "hyvä.docx").write_bytes(built["plan"])
    (folder / "huono.docx").write_bytes(b"PK\x03\x04 broken")
    result = CliRunner().invoke(main, ["collect", str(folder), "-o", str(tmp_path / "rec"), "--root", str(ROOT)])
    assert result.exit_code == 1
    assert (tmp_path / "rec" / f"{SAMPLE}.json").is_file()
    assert "huono.docx" in result.stderr


def test_newest_version_wins_and_the_others_are_reported(built, tmp_path):
    folder = tmp_path / "returned"
    folder.mkdir()
    older = fill_plan(built["plan"], {"approval.prepared_by": "Vanha"})
    newer = rewrite_part(fill_plan(built["plan"], {"approval.prepared_by": "Uusi"}), "docProps/core.xml",
                         lambda b: re.sub(rb"<dcterms:modified([^>]*)>[^<]*<", rb"<dcterms:modified\1>2028-03-01T10:00:00Z<", b))
    (folder / "a-uusi.docx").write_bytes(newer)
    (folder / "b-vanha.docx").write_bytes(older)
    result = CliRunner().invoke(main, ["collect", str(folder), "-o", str(tmp_path / "rec"), "--root", str(ROOT)])
    assert result.exit_code == 0, result.stderr
    record = json.loads((tmp_path / "rec" / f"{SAMPLE}.json").read_text())
    assert record["fields"]["approval.prepared_by"] == "Uusi"
    assert "b-vanha.docx: not used: an older version" in result.stderr
    assert [s["file"].endswith("b-vanha.docx") for s in record["superseded"]] == [True]


def test_a_reader_that_fails_unexpectedly_fails_only_its_file(built, tmp_path, monkeypatch):
    """The one boundary: whatever a reader raises (here a bug, injected), that file gets one line and the rest
    are read, with no traceback."""
    import generator.returns.collect as collect

    def broken(data, placeholders=()):
        raise RuntimeError("an unforeseen \x1b[2J bug")

    monkeypatch.setattr(collect, "read_plan", broken)
    folder = tmp_path / "returned"
    folder.mkdir()
    (folder / "plan.docx").write_bytes(built["plan"])
    (folder / "lists.pdf").write_bytes(built["checklists"])
    result = CliRunner().invoke(main, ["collect", str(folder), "-o", str(tmp_path / "rec"), "--root", str(ROOT)])
    assert result.exit_code == 1 and not isinstance(result.exception, RuntimeError), result.stderr
    line = next(line for line in result.stderr.splitlines() if "plan.docx" in line)
    assert "could not be read (RuntimeError: an unforeseen \\x1b[2J bug)" in line and "\x1b" not in line
    assert (tmp_path / "rec" / f"{SAMPLE}.json").is_file()  # from the checklists, read all the same


def test_a_file_that_takes_too_long_is_given_up(built, tmp_path, monkeypatch):
    import time

    import generator.returns.collect as collect

    monkeypatch.setattr(collect, "READ_SECONDS", 0.2)
    monkeypatch.setattr(collect, "read_plan", lambda data, placeholders=(): time.sleep(5))
    folder = tmp_path / "returned"
    folder.mkdir()
    (folder / "slow.docx").write_bytes(built["plan"])
    started = time.monotonic()
    result = CliRunner().invoke(main, ["collect", str(folder), "-o", str(tmp_path / "rec"), "--root", str(ROOT)])
    assert time.monotonic() - started < 4
    assert result.exit_code == 1 and "slow.docx: reading it took over 0.2 s" in result.stderr


def test_versions_that_tie_are_both_named(built, tmp_path):
    """Two copies saved at the same time, as many times: the one whose name sorts first is used, and the note
    names both and says why."""
    folder = tmp_path / "returned"
    folder.mkdir()
    (folder / "a.pdf").write_bytes(built["checklists"])
    (folder / "b.pdf").write_bytes(built["checklists"])
    result = CliRunner().invoke(main, ["collect", str(folder), "-o", str(tmp_path / "rec"), "--root", str(ROOT)])
    assert result.exit_code == 0, result.stderr
    note = next(line for line in result.stderr.splitlines() if line.startswith("note: ") and "b.pdf" in line)
    assert "saved at the same time and as many times as" in note and "a.pdf" in note and "sorts first" in note


# ---- the whole cycle -----------------------------------------------------------------------------------------

@LIBREOFFICE
@pytest.mark.libreoffice
def test_the_cycle_fill_save_in_libreoffice_collect_and_start_next_year(built, tmp_path, soffice):
    """Build, fill the plan (fields typed, a row added in Word's way and one in LibreOffice's), save it once
    through LibreOffice, fill the checklists, collect: every value is in the record; then next year's plan
    starts from it."""
    from generator.returns.read.docx import read_plan
    from tests.conftest import docx_text

    tags = set(read_plan(built["plan"]).fields)
    example = sorted(t[: -len(".status")] for t in tags if t.startswith("action.prevention.") and t.endswith(".status")
                     and ".new" not in t)[0]
    question = sorted(t for t in tags if t.startswith("cycle.") and t.endswith(".answer"))[0]
    collab_item = sorted(t[: -len(".done")] for t in tags if t.startswith("collab.structures.") and t.endswith(".done"))[0]
    values = {
        "approval.prepared_by": "Anna Virtanen, työterveyshoitaja; Pekka Mäkelä, henkilöstöpäällikkö",
        "approval.approved_on": "2027-02-15",
        "need.1.need": "Työpaikkaselvityksessä kiire ja keskeytykset kuormittavat hoitajia",
        "need.1.evidence": "Työpaikkaselvitys 11/2026; henkilöstökysely",
        "goal.1.need": "N1",
        "goal.1.goal": "Keskeytyksiä vähemmän yövuoroissa",
        "goal.1.metric": "Henkilöstökyselyn kysymys 12",
        "goal.1.baseline": "3,8 / 5",
        "goal.1.target": "3,0 / 5",
        "goal.1.latest": "3,4 / 5",
        f"{example}.what": "Työkuormakartoitus ja riskinarvioinnin päivitys",
        f"{example}.owner_workplace": "osastonhoitaja",
        f"{example}.owner_ohs": "työterveyspsykologi",
        f"{example}.when": "maaliskuu 2027",
        f"{example}.status": "in_progress",
        f"{collab_item}.done": "0",
        question: "Osa toimista myöhästyi henkilöstövajeen vuoksi.",
    }
    plan = fill_plan(built["plan"], values)
    plan = add_row_like_word(plan, "rows.goal", {"goal": "Varhaisen tuen malli kirjataan", "metric": "Kirjattu",
                                                 "target": "kesäkuu 2027"})
    plan = add_row_like_libreoffice(plan, "Tarve", ["Lisätty tarve", "T1", "Esihenkilöiden vertaisryhmä",
                                                    "esihenkilöt", "syksy 2027", "osallistujamäärä", ""])
    saved = libreoffice_save(soffice, tmp_path, plan, "Toimintasuunnitelma 2027 (1).docx")
    boxes, texts = _fields(built["checklists"])
    ticks = {b for b in boxes if b.startswith("collab.ways.")}
    checklists = fill_pdf_pypdf(built["checklists"], ticks, {question.removesuffix(".answer"): "Palaverit toimivat."},
                                regenerate=True)
    returned = tmp_path / "returned"
    (returned / "sähköposti").mkdir(parents=True)
    (returned / "sähköposti" / "Toimintasuunnitelma 2027 (1).docx").write_bytes(saved)
    (returned / "scan-final.pdf").write_bytes(checklists)
    records = tmp_path / "records"
    result = CliRunner().invoke(main, ["collect", str(returned), "-o", str(records), "--root", str(ROOT)])
    assert result.exit_code == 0, result.stderr
    record = json.loads((records / f"{SAMPLE}.json").read_text(encoding="utf-8"))
    for tag, value in values.items():
        assert record["fields"][tag] == value, tag
    goals = {g["id"]: g for g in record["goals"]}
    assert goals["goal.1"]["latest"] == "3,4 / 5"
    added = [g for g in record["goals"] if g["id"].startswith("goal.user")]
    assert [(g["goal"], g["target"]) for g in added] == [("Varhaisen tuen malli kirjataan", "kesäkuu 2027")]
    user_actions = [a for a in record["actions"] if a["origin"] == "user-row"]
    assert [(a["block"], a["what"], a["need"]) for a in user_actions] == [
        ("community", "Esihenkilöiden vertaisryhmä", "Lisätty tarve")]
    action = next(a for a in record["actions"] if a["id"] == example)
    assert (action["status"], action["owner_ohs"]) == ("in_progress", "työterveyspsykologi")
    assert all(record["checklist_items"][t] for t in ticks)
    assert record["checklist_items"][collab_item] is False
    assert record["checklist_texts"][question.removesuffix(".answer")] == "Palaverit toimivat."
    assert {f["kind"] for f in record["files"]} == {"action-plan", "checklists"}
    report = records / f"{SAMPLE}-follow-up.pdf"
    assert report.is_file() and 1 <= len(PdfReader(report).pages) <= 3
    assert "3,4 / 5" in "".join(page.extract_text() for page in PdfReader(report).pages)  # the latest measurement
    summary = (records / "summary.csv").read_text(encoding="utf-8-sig")
    assert SAMPLE in summary and (records / "summary.xlsx").is_file()

    # next year: the plan starts from the record
    out = tmp_path / "next"
    result = CliRunner().invoke(main, ["build", str(ROOT / "profiles" / f"{SAMPLE}.yaml"), "-o", str(out), "-j", "1",
                                       "--previous", str(records), "--root", str(ROOT)])
    assert result.exit_code == 0, result.stderr
    nxt = read_plan((out / SAMPLE / "action-plan.docx").read_bytes())
    assert nxt.fields["need.1.need"] == values["need.1.need"]
    assert nxt.fields["goal.1.goal"] == values["goal.1.goal"]
    assert nxt.fields["goal.1.baseline"] == "3,4 / 5", "last round's latest measurement is the new baseline"
    assert nxt.fields[f"{example}.status"] == "in_progress" and nxt.fields[f"{example}.what"] == values[f"{example}.what"]
    carried = [r for r in nxt.rows["actions.community"] if r["id"].startswith("action.community.carried")]
    assert carried == [] or all(r["status"] for r in carried)
    text = docx_text(out / SAMPLE / "action-plan.docx")
    collab = text[text.index("3. "):]
    assert collab.index("Viime kierroksella puuttuneet edellytykset") < collab.index("Tapaamiset")
    explain = CliRunner().invoke(main, ["explain", str(ROOT / "profiles" / f"{SAMPLE}.yaml"), "--previous",
                                        str(records), "--root", str(ROOT)])
    assert example in explain.output and "Viime kierroksen tiedoista mukana" in explain.output

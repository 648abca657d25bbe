"""A plan filled in the way people fill it (long Finnish words, dates, every status), saved by LibreOffice and
laid out by LibreOffice: no value may break inside a word. Needs LibreOffice and the Liberation fonts, which
`make test` installs (fonts-liberation is metric-compatible with Arial, the plan's font)."""

from __future__ import annotations

import collections
import io
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"

from tests.conftest import LIBREOFFICE

pytestmark = [LIBREOFFICE, pytest.mark.libreoffice]

# What people type, by the kind of field (the last part of a tag); every value is realistic for its field.
ROLE = "työhyvinvointikoordinaattori"  # a role word of 28 letters (the issue asks for 25)
VALUES = {
    "owner_workplace": f"{ROLE} ja esihenkilöt",
    "owner_ohs": "työterveyspsykologi, työterveyshoitaja",
    "when": "kerran vuodessa, syyskuussa",
    "metric": "Henkilöstökyselyn kuormittuneisuusindeksi",
    "baseline": "3,4 päivää henkilöä kohden",
    "target": "alle 2,5 päivää henkilöä kohden",
    "latest": "2,9 päivää henkilöä kohden",
    "name": "Anna-Kaisa Väisänen-Lindqvist",
    "contact": "anna.vaisanen@esimerkki.fi",
    "participants": "työsuojeluvaltuutettu, esihenkilöt",
    "responsible": "henkilöstöpäällikkö",
    "schedule": "neljännesvuosittain",
    "record": "Teams-kansio, palaverimuistio",
    "channel": "sähköposti, Teams, intranet",
    "audience": "koko henkilöstö, esihenkilöt",
}
# Fields whose values are short by nature get realistic short values above; every other text field gets a
# sentence with a 25-letter compound, the longest word people realistically type into a plan.
LONG_TEXT = "Mielenterveysperusteisten sairauspoissaolojen vähentäminen työhyvinvointikyselyn perusteella"
DATE_VALUE = ("2027-12-31", "31.12.2027")


def _fill(data: bytes, blank: bool = False) -> tuple[bytes, collections.Counter]:
    """Fill every control as a person would in Word; return the document and how often each word was typed.
    With blank, every control is emptied instead (the baseline of words the plan prints by itself)."""
    z = zipfile.ZipFile(io.BytesIO(data))
    root = etree.fromstring(z.read("word/document.xml"))
    typed: collections.Counter = collections.Counter()
    statuses = None
    for sdt in root.iter(f"{W}sdt"):
        pr = sdt.find(f"{W}sdtPr")
        tag_el = pr.find(f"{W}tag")
        content = sdt.find(f"{W}sdtContent")
        if tag_el is None or content is None or tag_el.get(f"{W}val").startswith("rows."):
            continue
        tag = tag_el.get(f"{W}val")
        field = tag.rsplit(".", 1)[-1]
        if pr.find(f"{W14}checkbox") is not None:
            continue
        date = pr.find(f"{W}date")
        items = pr.findall(f"{W}dropDownList/{W}listItem")
        if date is not None:
            date.set(f"{W}fullDate", f"{DATE_VALUE[0]}T00:00:00Z")
            value = DATE_VALUE[1]
        elif items:
            # every status in turn, so each one is laid out somewhere
            statuses = statuses or [i.get(f"{W}displayText") for i in items]
            value = statuses[typed["__status"] % len(statuses)]
            typed["__status"] += 1
        else:
            value = VALUES.get(field, LONG_TEXT)
        if blank:
            value = ""
        for flag in pr.findall(f"{W}showingPlcHdr"):
            pr.remove(flag)
        runs = content.findall(f"{W}r")
        for r in runs[1:]:
            content.remove(r)
        r = runs[0]
        for rpr in r.findall(f"{W}rPr"):
            r.remove(rpr)
        r.find(f"{W}t").text = value
        if not blank:
            typed.update(w.replace("-", "") for w in value.split())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in z.infolist():
            body = z.read(info.filename)
            if info.filename == "word/document.xml":
                body = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            dst.writestr(info, body)
    del typed["__status"]
    return out.getvalue(), typed


def _soffice(soffice, target: str, src: Path, outdir: Path) -> Path:
    soffice(target, outdir, src)
    out = outdir / (src.stem + "." + target.split(":")[0])
    assert out.exists(), f"LibreOffice could not convert {src.name} to {target}"  # exit code is 0 even then
    return out


def _words(pdf: Path) -> collections.Counter:
    """Words as laid out. pdftotext joins a word broken at a hyphen at the end of a line ("Väisänen-" +
    "Lindqvist"): that break is allowed, so hyphens are taken out of both sides before comparing."""
    text = subprocess.run(["pdftotext", "-q", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return collections.Counter(w.replace("-", "") for w in text.split())


@pytest.mark.parametrize("sample", ["hoivakoti-aurinko"])
def test_filled_values_never_break_inside_a_word(built_samples, tmp_path, sample, soffice):
    if not list(Path("/usr/share/fonts").rglob("LiberationSans-Regular.ttf")):
        pytest.fail("fonts-liberation is not installed: LibreOffice would lay Arial out with another font's widths")
    plan = (built_samples / sample / "action-plan.docx").read_bytes()
    filled, typed = _fill(plan)
    src = tmp_path / "filled.docx"
    src.write_bytes(filled)
    saved = _soffice(soffice, "docx:MS Word 2007 XML", src, tmp_path / "saved")  # as a user saves it in Writer
    # The same document with every field emptied counts the words the plan itself prints (guidance, labels).
    empty, _ = _fill(plan, blank=True)
    before = _words(_soffice(soffice, "pdf", _write(tmp_path / "empty.docx", empty), tmp_path / "pdf-empty"))
    after = _words(_soffice(soffice, "pdf", saved, tmp_path / "pdf-filled"))
    broken = []
    for word, times in typed.items():
        if after[word] - before[word] < times:
            broken.append(f"{word!r}: typed {times}×, laid out whole {after[word] - before[word]}×")
    assert not broken, "values broken inside a word in LibreOffice:\n" + "\n".join(broken)
    assert typed[ROLE] > 10 and typed[DATE_VALUE[1]] > 5


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_large_base_type_leaves_no_nearly_empty_page(tmp_path, plan_for, soffice):
    """A letterhead with 14 pt body text: the cover and the contents reflow without a page left nearly empty."""
    from dataclasses import replace

    import docx
    from docx.shared import Pt

    from generator.plan import ProviderInfo
    from generator.render.docx import render_docx

    base = docx.Document()
    base.styles["Normal"].font.size = Pt(14)
    base.styles["Heading 1"].font.size = Pt(22)
    base.sections[0].header.paragraphs[0].text = "Iso Työterveys Oy"
    path = tmp_path / "big.docx"
    base.save(path)
    plan = replace(plan_for(employees=60), provider=ProviderInfo(id="p", name="Iso Työterveys Oy", base_docx=str(path)))
    pdf = _soffice(soffice, "pdf", _write(tmp_path / "plan.docx", render_docx(plan)), tmp_path / "pdf")
    from pypdf import PdfReader

    pages = [p.extract_text() or "" for p in PdfReader(pdf).pages]
    for number, page in enumerate(pages[:-1], start=1):
        lines = [line for line in page.splitlines() if line.strip()]
        assert len(lines) > 6, f"page {number} is nearly empty: {lines}"

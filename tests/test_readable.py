"""Issue 19, points 1-3: every character readable (WCAG 2.2 AA) against what it is drawn on, no text drawn over
other text, long addresses inside their cells, logos of any shape inside the header: for the samples and
for extreme profiles and brand colours (tests/extremes.py), in fi, sv and en.

The extreme toolkits are built once per session (built_extremes); the checks read the PDFs with pdfium and
the .docx XML (tests/layout.py). Marked `readability` so CI can show them on their own (`-m readability`);
they run in the normal `make test`.
"""

from __future__ import annotations

import colorsys
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT, SAMPLE_EPOCH, once_per_run
from extremes import EXTREMES, MID_COLOURS, WEB, extreme_workspace
from layout import JUDGED, docx_contrast, inspect_pdf

from generator.cli import main
from generator.palette import AA, INK, PAPER, contrast, palette

pytestmark = [pytest.mark.readability, pytest.mark.slow]  # builds the extreme profiles

EXTREME_IDS = tuple(f"extreme-{lang}" for lang, *_ in EXTREMES)
MID_IDS = tuple(f"mid-{lang}-{colour[1:].lower()}" for lang, colour in MID_COLOURS)
SAMPLE_IDS = tuple(sorted(p.stem for p in (ROOT / "profiles").glob("*.yaml")))
PDFS = ("care-pathway.pdf", "checklists.pdf")


@pytest.fixture(scope="session")
def extreme_ws(tmp_path_factory) -> Path:
    return once_per_run(tmp_path_factory, "extremes", lambda ws: extreme_workspace(ws, ROOT / "profiles"))


@pytest.fixture(scope="session")
def built_extremes(extreme_ws, tmp_path_factory) -> Path:
    """The extreme and mid-colour clients built once per run: OUT/<id>/..., plus OUT/<id>/follow-up.pdf."""
    return once_per_run(tmp_path_factory, "extremes-out", lambda out: _build_extremes(extreme_ws, out))


def _build_extremes(extreme_ws: Path, out: Path) -> None:
    from test_follow_up import full_record

    from generator.build import build_all
    from generator.inputs.load import choose_project, load_all
    from generator.returns.follow_up import render_follow_up
    from generator.select import select

    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", SAMPLE_EPOCH)
    try:
        project = choose_project([extreme_ws / "profiles"])
        library, loaded = load_all([extreme_ws / "profiles"], project)
        summary = build_all(loaded, project, library, out, jobs=2)
        failed = [r for r in summary.results if r.status != "built"]
        assert not failed, failed
        for lp in loaded:  # the follow-up report, as `toolkit collect` writes it, for the extreme clients
            if lp.profile.id.startswith("extreme-"):
                plan = select(lp.profile, library, lp.provider)
                (out / lp.profile.id / "follow-up.pdf").write_bytes(
                    render_follow_up(plan, full_record(plan), project.templates_dir, project.workspace))
    finally:
        mp.undo()


def _judge(path: Path) -> None:
    found = inspect_pdf(path)
    assert found.chars > 500, f"{path.name}: only {found.chars} characters read; is the PDF readable at all?"
    assert not found.low_contrast, f"{path}: text under WCAG 2.2 AA:\n" + "\n".join(found.low_contrast[:20])
    assert not found.overprints, f"{path}: glyphs of different lines overlap:\n" + "\n".join(found.overprints[:20])


def test_the_checker_sees_unreadable_and_overprinted_text(tmp_path):
    """The checks below can fail: white on the old level-3 green (2.8:1), and two lines drawn over each other."""
    from weasyprint import HTML

    html = ('<html style="font: 9pt sans-serif"><p style="margin:0;background:#5fa98f;color:#fff">' + "Taso kolme " * 60
            + '</p><p style="margin:-2.2em 0 0 0">' + "Tekstiä päällekkäin " * 40 + "</p></html>")
    path = tmp_path / "bad.pdf"
    HTML(string=html).write_pdf(path)
    found = inspect_pdf(path)
    JUDGED.pop(f"{path.parent.name}/{path.name}")  # the run's summary counts the toolkits' PDFs only
    assert found.low_contrast and "#FFFFFF on #5FA98F is 2.78:1" in found.low_contrast[0], found.low_contrast
    assert found.overprints, "overlapping lines were not seen"


@pytest.mark.parametrize("client", SAMPLE_IDS)
def test_samples_read_and_nothing_overprints(built_samples, client):
    """The samples: the default palette and the example provider's colour."""
    for name in PDFS:
        _judge(built_samples / client / name)


@pytest.mark.parametrize("client", EXTREME_IDS + MID_IDS)
def test_extreme_profiles_read_and_nothing_overprints(built_extremes, client):
    """White, pale yellow and black brand colours with the longest names (fi, sv, en); mid grey and orange."""
    names = PDFS + (("follow-up.pdf",) if client.startswith("extreme-") else ())
    for name in names:
        _judge(built_extremes / client / name)


def test_the_word_checker_sees_unreadable_text(tmp_path):
    import docx
    from docx.shared import RGBColor
    document = docx.Document()
    document.add_paragraph().add_run("Vaalea teksti").font.color.rgb = RGBColor(0xAA, 0xAA, 0xAA)
    document.save(tmp_path / "bad.docx")
    problems, lowest = docx_contrast(tmp_path / "bad.docx")
    assert problems and round(lowest, 2) == 2.32, problems


@pytest.mark.parametrize("client", SAMPLE_IDS)
def test_sample_word_plans_read(built_samples, client):
    problems, lowest = docx_contrast(built_samples / client / "action-plan.docx")
    assert not problems, "\n".join(problems[:20])


@pytest.mark.parametrize("client", EXTREME_IDS + MID_IDS)
def test_word_plan_reads(built_extremes, client):
    problems, lowest = docx_contrast(built_extremes / client / "action-plan.docx")
    assert not problems, "\n".join(problems[:20])
    assert lowest >= AA


def test_care_pathway_stays_one_page_and_the_web_address_stays_in_its_cell(built_extremes):
    import pypdfium2 as pdfium
    from layout import _chars
    for client, (lang, _, _, county) in zip(EXTREME_IDS, EXTREMES):
        doc = pdfium.PdfDocument(str(built_extremes / client / "care-pathway.pdf"))
        assert len(doc) == 1, f"{client}: the care pathway takes {len(doc)} pages"
        page = doc[0]
        chars = _chars(page.get_textpage(), page.get_height())
        text = "".join(c["text"] for c in chars)
        start = text.index(WEB)  # drawn whole (no ellipsis), in reading order, wrapped
        url = chars[start:start + len(WEB)]
        assert len({round(c["base"]) for c in url}) >= 2, "the long address did not wrap"
        right = max(c["x1"] for c in url)
        # Breaks come after / . - unless the part is wider than the cell: then its line is full
        for i in range(1, len(url)):
            if url[i]["base"] != url[i - 1]["base"] and url[i - 1]["text"] not in "/.-":
                assert url[i - 1]["x1"] > right - 2 * url[i]["size"], \
                    f"{client}: the address breaks after {''.join(c['text'] for c in url[:i])!r}, not after / . -"
        assert any(url[i]["base"] != url[i - 1]["base"] and url[i - 1]["text"] in "/." for i in range(1, len(url)))
        county_x = chars[text.index(county.replace(" ", ""), start)]["x0"]
        assert right < county_x - 2, f"{client}: the address runs to x={right:.0f}, the county cell starts at {county_x:.0f}"
        doc.close()


@pytest.mark.parametrize("client, size", [(f"extreme-{lang}", px) for lang, _, px, _ in EXTREMES])
def test_logos_of_any_shape_fit_the_header(built_extremes, client, size):
    """4000 x 90 and 80 x 1200 px logos: within the text width and a header height, proportions kept."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as R

    limits = {"care-pathway.pdf": (40, 12), "checklists.pdf": (45, 14), "follow-up.pdf": (45, 14)}  # mm
    for name, (max_w, max_h) in limits.items():
        doc = pdfium.PdfDocument(str(built_extremes / client / name))
        images = [o for o in doc[0].get_objects(filter=[R.FPDF_PAGEOBJ_IMAGE])]
        assert len(images) == 1, f"{name}: {len(images)} images on the first page"
        left, bottom, right, top = images[0].get_bounds()
        w, h = (right - left) * 25.4 / 72, (top - bottom) * 25.4 / 72
        assert w <= max_w + 0.1 and h <= max_h + 0.1, f"{name}: logo {w:.1f} x {h:.1f} mm"
        assert max(w / max_w, h / max_h) > 0.98, f"{name}: logo {w:.1f} x {h:.1f} mm does not fill its box"
        assert abs((w / h) / (size[0] / size[1]) - 1) < 0.03, f"{name}: logo {w:.1f} x {h:.1f} mm is distorted"
        doc.close()
    with zipfile.ZipFile(built_extremes / client / "action-plan.docx") as z:
        headers = [z.read(n).decode() for n in z.namelist() if n.startswith("word/header")]
    extents = {tuple(int(v) for v in m) for x in headers for m in re.findall(r'<wp:extent cx="(\d+)" cy="(\d+)"', x)}
    assert extents, "no logo in the plan's header"
    for cx, cy in extents:
        assert cx <= 16.6 / 3 * 360000 * 1.005 and cy <= 1.2 * 360000 + 1, f"Word logo {cx / 360000:.2f} x {cy / 360000:.2f} cm"
        assert abs((cx / cy) / (size[0] / size[1]) - 1) < 0.03


def test_validate_says_which_brand_colours_were_adjusted(extreme_ws, monkeypatch):
    monkeypatch.chdir(extreme_ws)
    result = CliRunner().invoke(main, ["validate", "profiles"])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    said = "\n".join(warnings)
    for colour in ("#FFFFFF", "#FFFF99", "#808080", "#E07000"):
        assert f"brand_colour: {colour} gives" in said, said
    assert "#000000" not in said, "black reads on paper as it is"
    assert all("providers/" in w and "4.5:1" in w for w in warnings), said
    assert len(warnings) == 4 and "OK:" in result.stdout


COLOURS = ("#FFFFFF", "#FFFF99", "#000000", "#3CB371", "#FF8800", "#7F7F7F", "#1F5F8B", "#00FF00", "#0000FF",
           "#FF0000", "#808080", "#E07000", "#777777", "#F0F0F0")


@pytest.mark.parametrize("brand", COLOURS + tuple(
    "#" + "".join(f"{round(c * 255):02X}" for c in colorsys.hls_to_rgb(h / 12, l / 6, s / 2))
    for h in range(12) for l in range(1, 6) for s in (1, 2)))
def test_every_derived_colour_pair_reads(brand):
    """Each text colour the palette gives reaches 4.5:1 on what it is drawn on, whatever the brand colour."""
    p = palette(brand)
    pairs = {"accent on paper": (p.accent, PAPER), "accent on wash": (p.accent, p.wash),
             "on_fill on fill": (p.on_fill, p.fill)}
    for n, lv in enumerate(p.levels, start=1):
        pairs[f"level {n} head"] = (lv.ink, lv.tone)
        pairs[f"level {n} body"] = (INK, lv.tint)
    low = {k: round(contrast(*v), 2) for k, v in pairs.items() if contrast(*v) < AA}
    assert not low, f"{brand}: {low}"
    assert (p.adjustments() is None) == (p.accent == p.brand and p.fill == p.brand)


def test_readable_brand_colours_are_used_as_given():
    p = palette("#1F5F8B")
    assert p.accent == p.fill == "#1F5F8B" and p.adjustments() is None
    assert palette("#000000").accent == "#000000"


def test_labels_beside_long_values_stay_whole(built_extremes):
    """A 200-character name beside it must not squeeze a label of the header into broken words."""
    from conftest import pdf_text
    labels = {"extreme-fi": ("Työterveyshuolto", "Hyvinvointialue"), "extreme-sv": ("Företagshälsovård", "Välfärdsområde")}
    for client, words in labels.items():
        for name in ("checklists.pdf", "follow-up.pdf"):
            text = pdf_text(built_extremes / client / name)
            for word in words if name == "checklists.pdf" else words[:1]:  # the report names no county
                assert word in text, f"{client}/{name}: the label {word!r} is broken"

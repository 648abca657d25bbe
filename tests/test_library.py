"""The content library: loading errors, and the whole library's languages, sources and coverage."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from generator.content import load_library
from generator.errors import InputError
from tests.conftest import ROOT

ITEM = "- id: x.one\n  kind: fact\n  text: {fi: Yksi, sv: Ett, en: One}\n  cite: [ttl-mieli-2022]\n"


def load_with(tmp_path, extra: str):
    root = tmp_path / "content"
    shutil.copytree(ROOT / "content" / "reference", root / "reference")
    (root / "items").mkdir()
    (root / "items" / "x.yaml").write_text(extra, encoding="utf-8")
    return load_library(root)


@pytest.mark.parametrize("text, expected", [
    (ITEM + ITEM, "content/items/x.yaml: x.one: duplicate id (first in content/items/x.yaml)"),
    ("- id: x.one\n  kind: fact\n  text: {fi: Yksi, en: One}\n  cite: [ttl-mieli-2022]\n", "x.one.text.sv: Field required"),
    ("- id: x.one\n  kind: fact\n  text: {fi: Yksi, sv: Ett, en: One}\n  cite: [ttl-mieli-2022]\n  when: {size: big}\n",
     "x.one.when.size: unknown field (allowed: id, kind"),
    ("- id: x.one\n  kind: fact\n  group: x.none\n  text: {fi: Yksi, sv: Ett, en: One}\n  cite: [ttl-mieli-2022]\n",
     "x.one.group: refers to unknown item 'x.none'"),
    ("- id: x.one\n  kind: factoid\n  text: {fi: Yksi, sv: Ett, en: One}\n  cite: [ttl-mieli-2022]\n", "x.one.kind: Input should be"),
    ("- id: x.one\n  kind: fact\n  text: {fi: Yksi, sv: Ett, en: One}\n", "x.one.cite: Field required"),
    ("- id: x.one\n  kind: fact\n  text: {fi: Yksi, sv: Ett, en: One}\n  cite: [ttl-mieli-2022]\n  when: {industry_groups: [sote]}\n",
     "unknown industry group 'sote' (allowed: social_health,"),
    ("- id: x.one\n  kind: fact\n  text: {fi: Yksi, sv: Ett, en: One}\n  cite: [ttl-mieli-2022]\n  when: {work_features: [shift]}\n",
     "x.one.when.work_features[0]: Input should be"),
    ("- id: x.one\n  kind: fact\n  text: {fi: Yksi, sv: Ett, en: One}\n  cite: [ttl-mieli-2021]\n",
     "content/items/x.yaml: x.one.cite: unknown source 'ttl-mieli-2021' (not in content/reference/sources.yaml). "
     "Did you mean 'ttl-mieli-2022'?"),
    ("- id: x.one\n  kind: fact\n  text: {fi: Yksi, sv: Ett, en: One}\n  cite: []\n",
     "x.one.cite: Tuple should have at least 1 item"),
])
def test_content_problems_are_reported_one_per_line(tmp_path, text, expected):
    with pytest.raises(InputError) as err:
        load_with(tmp_path, text)
    assert any(expected in str(p) for p in err.value.problems), str(err.value)


def test_library_loads(library):
    assert len(library.items) > 100


def test_every_item_has_three_languages_and_a_source(library):
    for item in library.items:
        for f in ("text", "body", "consequence", "why", "aim", "how", "who"):
            value = getattr(item, f)
            if value is not None:
                assert value.fi and value.sv and value.en, f"{item.id}.{f}"
        assert item.cite and all(c in library.sources for c in item.cite), item.id


def test_every_bibliography_entry_has_a_title_and_a_way_to_find_it(library):
    for src in library.sources.values():
        assert src.title.fi, src.id
        assert src.url or src.year, f"{src.id}: a source needs a web address or a publication year"


def test_labels_have_three_languages(library):
    for key, label in library.labels.items():
        assert label.fi and label.sv and label.en, key


def test_no_passage_copied_from_the_seeds():
    tool = ROOT.parent / "shared" / "tools" / "seed_overlap.py"
    if not tool.exists():
        pytest.skip("../shared/tools/seed_overlap.py is not beside this checkout")
    res = subprocess.run([sys.executable, str(tool), "content", "templates", "generator"], cwd=ROOT,
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stdout[-3000:]
    assert "0 passage(s)" in res.stdout

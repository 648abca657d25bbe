"""Workspaces: the tool's library and templates with a provider's own profiles, providers, assets and overlay."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from PIL import Image

import generator.render
from generator import __version__
from generator.build import build_all
from generator.cli import main
from generator.errors import AssetError, InputError, ToolkitError
from generator.inputs.load import Project, choose_project, find_workspace, load_all
from generator.plan import ProviderInfo
from generator.select import select
from generator.workspace.init import SKELETON
from tests.conftest import BASE_PROFILE, ROOT, make_profile, write_yaml

TEMPLATES = ROOT / "templates"
EXPECTED_FILES = {
    "toolkit.toml", "README.md", "Makefile", "requirements.txt", ".gitignore", ".gitlab-ci.yml",
    ".github/workflows/toolkits.yml", "ci/kubernetes-job.yaml", "profiles/esimerkki-oy.yaml",
    "profiles/providers/our-ohs.yaml", "profiles/providers/assets/README.md", "content/README.md",
}


def readme_examples() -> list[str]:
    """The YAML examples of the workspace's content/README.md: an own action, then the source it cites."""
    return re.findall(r"```yaml\n(.*?)```", (SKELETON / "content" / "README.md").read_text(encoding="utf-8"), re.S)


def init(folder: Path):
    return CliRunner().invoke(main, ["init", str(folder)])


@pytest.fixture
def ws(tmp_path) -> Path:
    """A workspace made by `toolkit init`, outside the checkout."""
    result = init(tmp_path / "ws")
    assert result.exit_code == 0, result.output
    return tmp_path / "ws"


def add_overlay_example(ws: Path) -> None:
    action, source = readme_examples()
    (ws / "content" / "items").mkdir(parents=True, exist_ok=True)
    (ws / "content" / "reference").mkdir(parents=True, exist_ok=True)
    (ws / "content" / "items" / "our-services.yaml").write_text(action, encoding="utf-8")
    (ws / "content" / "reference" / "sources.yaml").write_text(source, encoding="utf-8")


# --- toolkit init -------------------------------------------------------------------------------------------

def test_init_writes_a_complete_workspace(ws, monkeypatch):
    files = {p.relative_to(ws).as_posix() for p in ws.rglob("*") if p.is_file()}
    assert files == EXPECTED_FILES
    assert f"mielenterveys-toolkit=={__version__}" in (ws / "requirements.txt").read_text()
    assert "/out/" in (ws / ".gitignore").read_text().splitlines()
    # the Makefile parses, and each target runs the tool on this workspace
    dry = subprocess.run(["make", "-n", "-C", str(ws), "toolkits", "validate", "check", "clean"],
                         capture_output=True, text=True, check=True).stdout
    for command in ("toolkit build profiles -o out", "toolkit validate profiles", "toolkit check out", "rm -rf"):
        assert command in dry
    # run from anywhere inside it, `toolkit` finds the workspace
    monkeypatch.chdir(ws / "profiles" / "providers")
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 0, result.output
    assert "OK: 1 profile(s)" in result.output


def test_init_ci_examples_build_in_shards(ws):
    gitlab = yaml.safe_load((ws / ".gitlab-ci.yml").read_text())["toolkits"]
    assert gitlab["parallel"] >= 2
    assert any("--shard auto" in line for line in gitlab["script"])
    github = yaml.safe_load((ws / ".github" / "workflows" / "toolkits.yml").read_text())["jobs"]["build"]
    shards = github["strategy"]["matrix"]["shard"]
    assert any(f"--shard ${{{{ matrix.shard }}}}/{len(shards)}" in step.get("run", "") for step in github["steps"])
    job = yaml.safe_load((ws / "ci" / "kubernetes-job.yaml").read_text())
    assert job["kind"] == "Job" and job["spec"]["completionMode"] == "Indexed"
    args = " ".join(job["spec"]["template"]["spec"]["containers"][0]["args"])
    assert "--shard auto" in args and f"--shard-total {job['spec']['completions']}" in args


def test_init_never_overwrites(tmp_path):
    target = tmp_path / "ws"
    target.mkdir()
    (target / "README.md").write_text("ours", encoding="utf-8")
    result = init(target)
    assert result.exit_code == 1
    assert "README.md" in result.stderr and "nothing was written" in result.stderr
    assert [p.name for p in target.iterdir()] == ["README.md"]
    assert (target / "README.md").read_text() == "ours"
    (tmp_path / "file").write_text("x")
    assert init(tmp_path / "file").exit_code == 1


# --- which workspace ------------------------------------------------------------------------------------------

def test_nearest_workspace_at_or_above_the_profile(tmp_path, monkeypatch):
    marked = tmp_path / "a"
    (marked / "clients" / "2027").mkdir(parents=True)
    (marked / "toolkit.toml").write_text("")
    plain = tmp_path / "b"
    (plain / "profiles" / "providers").mkdir(parents=True)
    assert find_workspace(marked / "clients" / "2027" / "x.yaml") == marked
    assert find_workspace(plain / "profiles" / "x.yaml") == plain
    assert find_workspace(plain / "profiles") == plain
    monkeypatch.chdir(tmp_path)
    assert choose_project([Path("a/clients/2027/x.yaml")]).workspace == marked
    assert choose_project([]).workspace == tmp_path  # nothing above: the current folder
    with pytest.raises(ToolkitError, match="different workspaces"):
        choose_project([marked / "clients" / "x.yaml", plain / "profiles" / "x.yaml"])
    assert choose_project([plain / "profiles"], workspace=marked).workspace == marked
    with pytest.raises(ToolkitError, match="use --project"):
        choose_project([], root=plain)


def test_project_and_root_exclude_each_other(tmp_path):
    result = CliRunner().invoke(main, ["validate", "--project", str(tmp_path), "--root", str(ROOT)])
    assert result.exit_code == 2 and "exclude each other" in result.stderr


@pytest.mark.slow
def test_root_paths_stay_relative_to_the_current_folder(tmp_path, monkeypatch):
    """`toolkit build --root PROJECT incoming -o out` from a folder outside the project."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "incoming").mkdir()
    shutil.copy(ROOT / "profiles" / "hoivakoti-aurinko.yaml", tmp_path / "incoming")
    write_yaml(tmp_path / "incoming" / "bad.yaml", {"id": "bad", "employees": 0})
    result = CliRunner().invoke(main, ["validate", "--root", str(ROOT), "incoming/hoivakoti-aurinko.yaml"])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(main, ["build", "--root", str(ROOT), "incoming", "-o", "out", "-j", "1", "--json"])
    assert result.exit_code == 1, result.output  # bad.yaml fails on its own, shown by its full path
    assert f"{tmp_path / 'incoming' / 'bad.yaml'}: employees:" in result.stderr
    summary = json.loads(result.stdout)
    assert summary["built"] == 1 and summary["failed"] == 1
    manifest = json.loads((tmp_path / "out" / "hoivakoti-aurinko" / "manifest.json").read_text())
    assert manifest["inputs"]["provider"]  # example-ohs, from the checkout's profiles/providers/


@pytest.mark.slow
def test_workspace_built_from_another_folder(ws, tmp_path, monkeypatch):
    """Provider file, logo and own content come from the profile's workspace; the library from the tool."""
    import docx
    from docx.oxml.ns import qn
    add_overlay_example(ws)
    Image.new("RGB", (90, 30), (20, 90, 60)).save(ws / "profiles" / "providers" / "assets" / "logo.png")
    provider = ws / "profiles" / "providers" / "our-ohs.yaml"
    provider.write_text(provider.read_text().replace("# logo:", "logo:"), encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    profile = "../ws/profiles/esimerkki-oy.yaml"
    result = CliRunner().invoke(main, ["build", profile, "-o", "out", "-j", "1", "--depfile"])
    assert result.exit_code == 0, result.output
    out = elsewhere / "out" / "esimerkki-oy"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["inputs"]["provider"] and manifest["inputs"]["assets"]["logo"]
    assert "our.action.supervisor-consultation" in manifest["selected_items"]
    assert manifest["workspace_content_version"]
    document = docx.Document(str(out / "action-plan.docx"))
    text = "\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in document.element.body.iter(qn("w:p")))
    for expected in ("Oma Työterveys Oy", "Esihenkilöt voivat konsultoida työterveyspsykologia puhelimitse.",
                     "Palvelukuvaus 2027"):
        assert expected in text
    assert document.sections[0].header.tables[0].cell(0, 1).paragraphs[0].runs[0]._r.xpath(".//pic:pic")
    deps = (out / "toolkit.d").read_text()
    for dep in ("profiles/esimerkki-oy.yaml", "profiles/providers/our-ohs.yaml", "content/items/our-services.yaml",
                "content/reference/sources.yaml", str(TEMPLATES / "checklists.html.j2")):
        assert f" {dep}" in deps
    explained = CliRunner().invoke(main, ["explain", profile])
    assert explained.exit_code == 0, explained.output
    line = next(x for x in explained.output.splitlines() if "our.action.supervisor-consultation" in x)
    assert "content/items/our-services.yaml" in line


# --- the workspace's own content -------------------------------------------------------------------------------

def workspace_with(tmp_path: Path, files: dict[str, str]) -> Path:
    ws = tmp_path / "ws"
    (ws / "profiles" / "providers").mkdir(parents=True)
    for rel, text in files.items():
        (ws / rel).parent.mkdir(parents=True, exist_ok=True)
        (ws / rel).write_text(text, encoding="utf-8")
    return ws


def library_item(item_id: str, **changes) -> dict:
    lib = Project.checkout(ROOT).load_library()
    return {**lib.by_id()[item_id].model_dump(exclude_none=True, exclude_defaults=True), **changes}


def test_overlay_adds_and_replaces_items(tmp_path):
    contact = library_item("contact.ohs", value="+358 10 000 0000")
    contact["text"] = {**contact["text"], "en": "Oma Työterveys: call us on weekdays 8-16."}
    action, source = readme_examples()
    ws = workspace_with(tmp_path, {"content/items/own.yaml": yaml.safe_dump([contact], allow_unicode=True) + action,
                                   "content/reference/sources.yaml": source})
    library = Project(ws).load_library()
    assert library.workspace_items == {"contact.ohs": "replaced", "our.action.supervisor-consultation": "added"}
    base = Project.checkout(ROOT).load_library()
    assert [i.id for i in library.items][:len(base.items)] == [i.id for i in base.items]  # replaced in place
    plan = select(make_profile(language="en"), library)
    assert plan.item("contact.ohs").text == "Oma Työterveys: call us on weekdays 8-16."
    assert plan.item("our.action.supervisor-consultation") in plan.items("action", "block.supervisor-ohs")
    explained = str(plan)
    assert "contact.ohs: Oma Työterveys: call us on weekdays 8-16. (replaced by the workspace: content/items/own.yaml)" \
        in explained
    assert "(added by the workspace: content/items/own.yaml)" in explained
    summary = plan.summary()  # explain's default view lists the workspace's items, tailored or not
    assert "From the workspace's own content (2):" in summary
    assert "  + our.action.supervisor-consultation [action]: added by the workspace: content/items/own.yaml" in summary
    assert "replaced by the workspace" not in str(select(make_profile(language="en"), base))


def test_overlay_labels_replace_the_tools(tmp_path):
    ws = workspace_with(tmp_path, {"templates/labels/own.yaml": (
        'explain.workplace: {fi: "Asiakastyöpaikka", sv: "Kundens arbetsplats", en: "Client workplace"}\n')})
    plan = select(make_profile(language="sv"), Project(ws).load_library())
    assert plan.label("explain.workplace") == "Kundens arbetsplats"
    assert "  Kundens arbetsplats: 25 (20-49)" in str(plan)


ITEM = "- id: x.one\n  kind: fact\n  text: {fi: Yksi, sv: Ett, en: One}\n  cite: [ttl-mieli-2022]\n"


@pytest.mark.parametrize("rel, text, expected", [
    ("content/items/x.yaml", ITEM.replace("kind: fact", "kind: factoid"), "content/items/x.yaml: x.one.kind: Input should be"),
    ("content/items/x.yaml", ITEM + "  when: {size: big}\n", "content/items/x.yaml: x.one.when.size: unknown field"),
    ("content/items/x.yaml", ITEM + "  group: x.none\n", "content/items/x.yaml: x.one.group: refers to unknown item 'x.none'"),
    ("content/items/x.yaml", ITEM.replace("One", "One\u202e"),
     "content/items/x.yaml: x.one.text.en: contains the text-direction character U+202E"),
    ("content/items/x.yaml", ITEM.replace("ttl-mieli-2022", "ttl-mieli-2021"),
     "content/items/x.yaml: x.one.cite: unknown source 'ttl-mieli-2021'"),
    ("content/items/x.yaml", ITEM + ITEM, "content/items/x.yaml: x.one: duplicate id (first in content/items/x.yaml)"),
    ("content/items/x.yaml", ITEM.replace("x.one", "contact.ohs"),
     "content/items/x.yaml: contact.ohs.kind: 'fact' replaces an item of kind 'contact'"),
    ("content/items/x.yaml", "a: 1\na: 2\n", "content/items/x.yaml: line 2, column 1: duplicate key 'a'"),
    ("content/items/x.yaml", ITEM + "# " + "x" * 2_100_000 + "\n", "content/items/x.yaml: file is larger than"),
    ("content/reference/counties.yaml", "[]\n", "content/reference/counties.yaml: not read: a workspace's content/"),
    ("content/reference/industries.yaml", "[]\n",
     "content/reference/industries.yaml: the workspace's content/ is a whole content library; keep only"),
    ("content/extra.yaml", ITEM, "content/extra.yaml: not read"),
    ("content/reference/sources.yaml", "- {id: own-src, kind: web, title: Own}\n",
     "content/reference/sources.yaml: own-src: no item cites this source"),
    ("content/reference/sources.yaml", "- {id: ttl-mieli-2022, kind: web, title: Own}\n",
     "content/reference/sources.yaml: ttl-mieli-2022: the tool's bibliography already has this id"),
    ("templates/labels/x.yaml", "explain.workplac: {fi: a, sv: b, en: c}\n",
     "templates/labels/x.yaml: explain.workplac: unknown label. Did you mean 'explain.workplace'?"),
    ("templates/labels/x.yaml", "common.page_of: {fi: '{page.__class__}', sv: '{page}', en: '{pages}'}\n",
     "templates/labels/x.yaml: common.page_of.fi: unknown placeholder {page.__class__} (allowed: {page}, {pages})"),
    ("templates/labels/x.yaml", "explain.workplace: {fi: 'a {', sv: b, en: c}\n",
     "templates/labels/x.yaml: explain.workplace.fi: unbalanced { or }"),
])
def test_overlay_problems_name_file_item_and_field(tmp_path, rel, text, expected):
    ws = workspace_with(tmp_path, {rel: text})
    write_yaml(ws / "profiles" / "a.yaml", BASE_PROFILE)
    result = CliRunner().invoke(main, ["validate", "--project", str(ws)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith(expected), result.stderr
    assert lines[-1] == "Aborted: 1 error in 1 file.", result.stderr


def test_overlay_problems_are_capped_per_file(tmp_path):
    broken = "".join(ITEM.replace("x.one", f"x.n{i}").replace("kind: fact", "kind: factoid") for i in range(30))
    ws = workspace_with(tmp_path, {"content/items/x.yaml": broken})
    with pytest.raises(InputError) as err:
        Project(ws).load_library()
    assert len(err.value.problems) == 21
    assert str(err.value.problems[-1]) == "content/items/x.yaml: ... and 10 more problems in this file"


@pytest.mark.slow
def test_overlay_edits_rebuild_exactly_the_toolkits_that_use_them(tmp_path, monkeypatch):
    # Rendering is replaced by the plan's text: this is about which toolkits are rebuilt, not how they look.
    monkeypatch.setattr(generator.render, "render",
                        lambda out, plan, *_: repr(plan).encode() + out.filename.encode())
    ws = tmp_path / "ws"
    shutil.copytree(ROOT / "profiles", ws / "profiles")
    own = ws / "content" / "items" / "own.yaml"
    own.parent.mkdir(parents=True)
    project = Project(ws)

    def rebuilt(jobs: int = 1) -> list[str]:
        library, loaded = load_all([ws / "profiles"], project)
        return sorted(r.id for r in build_all(loaded, project, library, tmp_path / "out", jobs).results
                      if r.status == "built")

    assert len(rebuilt()) == 8 and rebuilt() == []
    swedish = {"id": "own.sv-only", "kind": "example", "text": {"fi": "Yksi", "sv": "Ett", "en": "One"},
               "cite": ["ttl-mieli-2022"], "when": {"languages": ["sv"]}}
    write_yaml(own, [swedish])
    assert rebuilt(jobs=2) == ["butiken-vasa", "skolan-i-strandby"]  # the only documents in Swedish
    # built by worker processes, which must see the same workspace: otherwise their keys would differ
    assert "own.sv-only" in (tmp_path / "out" / "butiken-vasa" / "action-plan.docx").read_text()
    assert rebuilt() == []
    write_yaml(own, [{**swedish, "text": {"fi": "Yksi", "sv": "Ett", "en": "One, changed"}}])
    assert rebuilt() == []  # no Swedish document shows the English text
    # rule.coop-full applies from 50 employees; of the two such samples only nordic-code-labs is in English
    coop = library_item("rule.coop-full")
    write_yaml(own, [swedish, {**coop, "text": {**coop["text"], "en": "Changed."}}])
    assert rebuilt() == ["nordic-code-labs"]
    (ws / "templates" / "labels").mkdir(parents=True)
    write_yaml(ws / "templates" / "labels" / "own.yaml", {"explain.workplace": {"fi": "A", "sv": "B", "en": "C"}})
    assert len(rebuilt()) == 8  # a label is in every document


def test_workspace_assets_are_allowed_and_others_refused(tmp_path, plan_for):
    from generator.render.docx import render_docx
    from generator.render.pathway import render_pathway
    ws = tmp_path / "ws"
    assets = ws / "profiles" / "providers" / "assets"
    assets.mkdir(parents=True)
    (assets / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="10">'
                                     '<rect width="40" height="10" fill="#123"/></svg>')
    plan = replace(plan_for(), provider=ProviderInfo(id="p", name="P", logo=str(assets / "logo.svg")))
    assert render_pathway(plan, TEMPLATES, asset_root=ws).startswith(b"%PDF")
    with pytest.raises(AssetError, match="outside the allowed folders"):
        render_pathway(plan, TEMPLATES)  # against the checkout's asset folders, the workspace's file is outside
    with pytest.raises(AssetError, match="outside the allowed folders"):
        render_docx(plan, TEMPLATES)


def test_version_names_tool_and_content():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith(f"toolkit {__version__} (")
    assert lines[1] == f"content library {Project.checkout(ROOT).load_library().version}"


def test_workspace_without_own_content_is_the_library(tmp_path):
    ws = workspace_with(tmp_path, {"content/README.md": "# nothing yet\n"})
    library = Project(ws).load_library()
    assert not library.workspace_items and not library.workspace_hashes
    assert library.items == Project.checkout(ROOT).load_library().items

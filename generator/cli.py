"""Command line: toolkit init | validate | schema | explain | build | import | collect | check. Turns our
exceptions into messages and exit codes."""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Callable

import click

from . import __version__
from .errors import InputError, Problem, ToolkitError, escape

CONTEXT = {"help_option_names": ["-h", "--help"]}


def _fail(err: ToolkitError, note: str = "") -> None:
    """Print every problem on its own line, then a closing count (and note), and exit 1."""
    if isinstance(err, InputError):
        for p in err.problems:
            click.echo(str(p), err=True)
        files = len({p.path for p in err.problems if p.path})
        n = len(err.problems)
        where = f" in {files} file{'s' * (files != 1)}" if files else ""
        click.echo(f"Aborted: {n} error{'s' * (n != 1)}{where}" + (f"; {note}" if note else "") + ".", err=True)
    else:
        click.echo(f"Error: {escape(str(err))}", err=True)
    sys.exit(1)


def _json(data) -> str:
    """Indented UTF-8 JSON, with the characters a terminal acts on or does not show written as \\u escapes.

    json.dumps escapes only U+0000-U+001F; a C1 control or a direction mark in a file name would reach the
    terminal raw. Outside strings JSON has no such characters, so this changes no value.
    """
    text = json.dumps(data, indent=2, ensure_ascii=False)
    if text.replace("\n", "").isprintable():
        return text
    return "".join(c if c.isprintable() or c == "\n" else json.dumps(c)[1:-1] for c in text)


def _project(paths: tuple[Path, ...], workspace: Path | None, root: Path | None):
    """The Project for these paths and options; exits with a one-line message when there is none."""
    from .inputs.load import choose_project
    if workspace is not None and root is not None:
        raise click.UsageError("--project and --root exclude each other: --project names a workspace that uses "
                               "the installed tool, --root a checkout of the tool itself")
    try:
        return choose_project(paths, workspace, root)
    except ToolkitError as err:
        _fail(err)


def project_options(command):
    """--project and --root: where provider files, assets and content come from (help texts say how)."""
    command = click.option(
        "--root", type=click.Path(file_okay=False, exists=True, path_type=Path), default=None, metavar="DIR",
        help="A checkout of the tool: take content/, templates/ and profiles/providers/ from DIR instead of the "
             "installed library and a workspace. Paths on the command line stay relative to the current folder."
    )(command)
    return click.option(
        "--project", "workspace", type=click.Path(file_okay=False, exists=True, path_type=Path), default=None,
        metavar="DIR",
        help="The workspace: provider files and assets from DIR/profiles/providers/, own content from DIR/content/ "
             "and DIR/templates/labels/. Default: the nearest folder at or above the profiles that has "
             "profiles/providers/ or toolkit.toml, else the current folder. Paths on the command line stay "
             "relative to the current folder."
    )(command)


def data_option(command):
    """--data FILE: the clients' needs data, checked whole before anything is built."""
    return click.option(
        "--data", "data_file", type=click.Path(path_type=Path, exists=True, dir_okay=False), default=None,
        metavar="FILE", help="Needs data (.csv or .xlsx; columns client_id, indicator, period, value, n): each "
                             "client's own figures, compared with the median of the other clients of the same "
                             "industry group. A file with any other column, or with personal data, is refused.",
    )(command)


def _with_data(data_file: Path | None, loaded: list, project, library, quiet: bool = False) -> list:
    """The clients with their needs data (peers from all of them, before any --shard); exits on a bad file."""
    if data_file is None:
        return loaded
    from .inputs.needs import load_data, with_data
    shown = project.shown(data_file)
    try:
        rows = load_data(data_file, shown, library)
    except ToolkitError as err:
        _fail(err)
    loaded, unknown = with_data(loaded, rows, library, shown)
    if unknown and not quiet:  # ids only: figures never go to logs
        listed = ", ".join(unknown[:10]) + (f" and {len(unknown) - 10} more" if len(unknown) > 10 else "")
        click.echo(f"note: {escape(shown)}: no client here has the id {escape(listed)}; those rows are not used",
                   err=True)
    return loaded


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """toolkit --version: the tool's version and where it runs from, and the content library's version."""
    if not value or ctx.resilient_parsing:
        return
    from .content import fingerprint, library_hashes
    from .inputs.load import tool_home
    try:
        home = tool_home()
    except ToolkitError as err:
        _fail(err)
    click.echo(f"toolkit {__version__} ({Path(__file__).resolve().parent})")
    click.echo(f"content library {fingerprint(library_hashes(home / 'content', home / 'templates' / 'labels'))}")
    ctx.exit()


@click.group(context_settings=CONTEXT)
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="Show the tool's version and the content library's version, and exit.")
def main() -> None:
    """Build mental-health support toolkits for the client workplaces of an occupational health provider.

    Start a workspace for your own clients with `toolkit init DIR`.
    """


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
def init(folder: Path) -> None:
    """Create a workspace for your own clients: an example client and provider, a content overlay, a Makefile
    and CI examples. Existing files are never overwritten.

    Example: toolkit init ohs-toolkits && cd ohs-toolkits && toolkit build profiles -o out
    """
    from .workspace.init import create_workspace
    try:
        written = create_workspace(folder)
    except ToolkitError as err:
        _fail(err)
    except OSError as exc:
        click.echo(f"Error: cannot write {escape(str(exc.filename or folder))}: {exc.strerror or exc}", err=True)
        sys.exit(1)
    for rel in written:
        click.echo(f"created {escape((folder / rel).as_posix())}")
    click.echo(f"\nNext: cd {escape(str(folder))} && make validate && make   (builds the example client into out/; "
               "README.md there says how to pin the tool's version)")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@data_option
@project_options
def validate(paths: tuple[Path, ...], data_file: Path | None, workspace: Path | None, root: Path | None) -> None:
    """Check profiles and registers, provider files, the content library, the workspace's own content and
    (with --data) a needs data file; report every problem.

    Example: toolkit validate profiles/ asiakkaat.xlsx --data tarvetiedot.csv
    """
    from .inputs.load import load_profiles, skipped_summary
    project = _project(paths, workspace, root)
    try:
        library = project.load_library()
    except ToolkitError as err:
        _fail(err)
    found = load_profiles(paths or (project.workspace / "profiles",), project, library)
    skipped = skipped_summary(found.skipped)
    for w in found.warnings:
        click.echo(f"warning: {w}", err=True)
    if found.problems:
        _fail(InputError(found.problems, "profiles"), skipped)
    loaded = _with_data(data_file, found.profiles, project, library)
    own = len(library.workspace_items)
    figures = sum(len(lp.data.figures) for lp in loaded if lp.data)
    click.echo(f"OK: {len(loaded)} profile(s) and {len(library.items)} content items"
               + (f" ({own} from the workspace)" if own else "")
               + (f", and {figures} figure(s) of {sum(1 for lp in loaded if lp.data)} client(s)" if data_file else "")
               + " are valid" + (f"; {skipped}" if skipped else "") + ".")


@main.command()
@click.option("--kind", type=click.Choice(["profile", "provider", "record", "data", "all"]), default="all",
              show_default=True, help="Which schema to print: profile and provider files, the records that "
                                      "toolkit collect writes, or a row of a needs data file (--data) with "
                                      "every indicator and its unit.")
@project_options
def schema(kind: str, workspace: Path | None, root: Path | None) -> None:
    """Print the JSON Schema of profiles and provider files, for YAML editors, and of needs data rows.

    Example: toolkit schema --kind profile > profile.schema.json
    """
    from .inputs.schema import data_schema, schemas
    from .record import record_schema
    project = _project((), workspace, root)
    try:
        library = project.load_library()  # once: the county names and the survey factors both come from it
        out = schemas(library)
        out["data"] = data_schema(library)
    except ToolkitError as err:
        _fail(err)
    out["record"] = record_schema()
    click.echo(_json(out if kind == "all" else out[kind]))


@main.command()
@click.argument("profile", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--client", "client_id", default=None, metavar="ID",
              help="With a register (.csv, .xlsx) of several clients: the id of the client to explain.")
@click.option("--all", "show_all", is_flag=True,
              help="List every item, also those every workplace gets, with its reason.")
@click.option("--json", "as_json", is_flag=True, help="Print the plan and every decision as JSON.")
@click.option("--previous", type=click.Path(path_type=Path, file_okay=False, exists=True), default=None,
              help="RECORDS folder of last round (from toolkit collect): show what the plan takes over from it.")
@data_option
@click.option("--peers", "peer_paths", multiple=True, type=click.Path(path_type=Path, exists=True),
              help="With --data: the profiles and registers whose clients are the peer group, as the build's "
                   "PATHs (default: PROFILE's own file or register).")
@project_options
def explain(profile: Path, client_id: str | None, show_all: bool, as_json: bool, previous: Path | None,
            data_file: Path | None, peer_paths: tuple[Path, ...], workspace: Path | None, root: Path | None) -> None:
    """Show what was tailored for one client: each item the profile brought in or left out, and why, and
    with --data what the client's figures suggest.

    Items from the workspace's content/ are marked "added by the workspace" or "replaced by the workspace".

    Example: toolkit explain asiakkaat.xlsx --client hoivakoti-aurinko --data tarvetiedot.csv
    """
    from .select import select
    project = _project((profile,), workspace, root)
    try:
        library = project.load_library()
    except ToolkitError as err:
        _fail(err)
    lp, clients = _one_client(profile, client_id, project, library)
    if data_file is not None:
        from .inputs.load import load_profiles
        peers = load_profiles(peer_paths, project, library).profiles if peer_paths else clients
        everyone = [lp] + [p for p in peers if p.profile.id != lp.profile.id]
        lp = _with_data(data_file, everyone, project, library, quiet=True)[0]
    record = None
    if previous is not None and (previous / f"{lp.profile.id}.json").is_file():
        from .record import load_record
        try:
            record = load_record(previous / f"{lp.profile.id}.json")
        except InputError as err:
            _fail(err)
    plan = select(lp.profile, library, lp.provider, lp.profile.provider, project.workspace, previous=record,
                  data=lp.data)
    if as_json:
        data = asdict(plan)
        for d in data["decisions"]:  # the JSON stays as it was: reasons, not how explain groups them
            del d["drivers"]
            if not d["origin"]:  # only a workspace's own items say where they came from
                del d["origin"]
        click.echo(_json(data))
    else:
        click.echo(str(plan) if show_all else plan.summary())


def _one_client(path: Path, client_id: str | None, project, library):
    """The client to explain (the profile in a file, or the row of a register that --client names), and every
    valid client of the file (the default peers for --data)."""
    from .inputs.load import load_profiles
    loaded, problems = load_profiles([path], project, library)
    if client_id is not None:
        lp = next((c for c in loaded if c.profile.id == client_id), None)
        if lp is None and problems:  # the client's own row may be among the invalid ones
            _fail(InputError(problems, "profiles"))
        if lp is None:
            ids = ", ".join(c.profile.id for c in loaded[:10]) + (" ..." if len(loaded) > 10 else "")
            raise click.UsageError(f"no client {escape(repr(client_id))} in {escape(str(path))} (clients: {ids})")
        return lp, loaded
    if len(loaded) + len({p.where for p in problems}) > 1:
        ids = ", ".join(c.profile.id for c in loaded[:5])
        raise click.UsageError(f"{escape(str(path))} holds {len(loaded)} clients; name one with --client ID "
                               f"(e.g. {ids})")
    if problems or not loaded:
        _fail(InputError(problems or [Problem(str(path), "", "holds no client")], "profiles"))
    return loaded[0], loaded


def _parse_shard(value: str | None, total_opt: int | None) -> tuple[int, int] | None:
    if value is None:
        return None
    if value == "auto":
        if "CI_NODE_INDEX" in os.environ and "CI_NODE_TOTAL" in os.environ:
            return int(os.environ["CI_NODE_INDEX"]), int(os.environ["CI_NODE_TOTAL"])
        if "JOB_COMPLETION_INDEX" in os.environ and total_opt:
            return int(os.environ["JOB_COMPLETION_INDEX"]) + 1, total_opt
        raise click.UsageError("--shard auto needs CI_NODE_INDEX and CI_NODE_TOTAL (GitLab parallel:) or "
                               "JOB_COMPLETION_INDEX with --shard-total N (Kubernetes Indexed Job)")
    try:
        k, n = (int(x) for x in value.split("/"))
    except ValueError:
        raise click.UsageError(f"--shard must be K/N (e.g. 2/4) or auto, not {value!r}") from None
    if not 1 <= k <= n:
        raise click.UsageError(f"--shard {value}: K must be between 1 and N")
    return k, n


def terminal_width() -> int:
    """Columns of the terminal stderr is on (it may differ from stdout's), else $COLUMNS, else 80."""
    try:
        return os.get_terminal_size(sys.stderr.fileno()).columns or 80
    except (OSError, ValueError):
        return shutil.get_terminal_size().columns


class Progress:
    """Build progress on stderr: a bar redrawn in place on a terminal, one plain line per toolkit in logs."""

    WIDTH = 28  # the bar at most; it shrinks, then the words do, so the line never wraps
    MIN_BAR = 8

    def __init__(self, bar: bool, width: Callable[[], int] = terminal_width) -> None:
        self.bar = bar
        self.width = width
        self.start = time.monotonic()
        self.counts = {"built": 0, "up-to-date": 0, "failed": 0}
        self.drawn = False

    def __call__(self, res, done: int, total: int) -> None:
        self.counts[res.status] += 1
        mark = {"built": "built", "up-to-date": "up to date", "failed": "FAILED"}[res.status]
        if not self.bar:
            click.echo(f"[{done}/{total}] {escape(res.id)}: {mark}", err=True)
            return
        if res.status == "failed":  # keep failures on screen above the bar
            click.echo(f"\r\033[K{escape(res.id)}: FAILED", err=True, color=True)
        click.echo("\r\033[K" + self.line(done, total), err=True, nl=False, color=True)
        self.drawn = True

    def line(self, done: int, total: int) -> str:
        """The bar and counts in at most the terminal's width less one column (writing the last column makes
        some terminals wrap, and every redraw would then leave a line behind)."""
        room = max(self.width() - 1, 10)
        elapsed = time.monotonic() - self.start
        left = elapsed / done * (total - done) if done and self.counts["built"] else 0
        c = self.counts
        eta = f" · {left:.0f} s left" if left >= 1 else ""
        texts = (f"{done}/{total} · built {c['built']} · up to date {c['up-to-date']} · failed {c['failed']}{eta}",
                 f"{done}/{total} · built {c['built']} · up to date {c['up-to-date']} · failed {c['failed']}",
                 f"{done}/{total} built {c['built']} failed {c['failed']}",
                 f"{done}/{total}")
        for text in texts:
            bar = min(self.WIDTH, room - len(text) - 3)
            if bar >= self.MIN_BAR:
                filled = bar * done // max(total, 1)
                return f"[{'#' * filled}{'.' * (bar - filled)}] {text}"
        return texts[-1][:room]

    def notice(self, message: str) -> None:
        click.echo(("\r\033[K" if self.bar else "") + f"note: {escape(message)}", err=True, color=self.bar or None)

    def close(self) -> None:
        if self.bar and self.drawn:
            click.echo("\r\033[K", err=True, nl=False, color=True)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--out", "out", type=click.Path(path_type=Path, file_okay=False), default=Path("out"),
              show_default=True, help="Output folder; each client gets OUT/<id>/.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None, help="Worker processes (default: CPUs).")
@click.option("--force", is_flag=True, help="Rebuild every toolkit, even those up to date.")
@click.option("--fail-fast", is_flag=True, help="Stop at the first failed toolkit.")
@click.option("--shard", default=None, help="Build only shard K of N (K/N), or 'auto' from CI variables.")
@click.option("--shard-total", type=int, default=None, help="N for --shard auto with JOB_COMPLETION_INDEX.")
@click.option("--depfile", is_flag=True, help="Also write OUT/<id>/toolkit.d, a Make rule of each toolkit's inputs.")
@click.option("--zip", "zip_", is_flag=True, help="Also write OUT/<id>.zip, one archive per client for delivery.")
@click.option("--wait", type=click.FloatRange(0), default=0, show_default=True, metavar="SECONDS",
              help="If another build is writing OUT, wait this long for it before giving up.")
@click.option("--previous", type=click.Path(path_type=Path, file_okay=False, exists=True), default=None,
              metavar="RECORDS", help="Start each client's plan from last round's record RECORDS/<id>.json "
                                      "(written by toolkit collect), where there is one.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary on stdout.")
@data_option
@project_options
def build(paths: tuple[Path, ...], out: Path, jobs: int | None, force: bool, fail_fast: bool, shard: str | None,
          shard_total: int | None, depfile: bool, zip_: bool, wait: float, previous: Path | None, quiet: bool,
          as_json: bool, data_file: Path | None, workspace: Path | None, root: Path | None) -> None:
    """Build the toolkits of the given profiles and registers (files or folders) into OUT/<id>/.

    Example: toolkit build profiles/ asiakkaat.xlsx --data tarvetiedot.csv -o out/ -j 4
    """
    from .build import Options, Result, build_all
    from .build.shard import in_shard
    from .inputs.load import load_profiles, skipped_summary
    project = _project(paths, workspace, root)
    sh = _parse_shard(shard, shard_total)
    try:
        library = project.load_library()
    except ToolkitError as err:
        _fail(err)
    found = load_profiles(paths or (project.workspace / "profiles",), project, library)
    loaded, problems = found
    skipped = skipped_summary(found.skipped)
    if any(not p.path for p in problems):  # a PATH argument that names no profile: nothing sensible to build
        _fail(InputError([p for p in problems if not p.path], "profiles"), skipped)
    # Before the shard is taken: peer medians come from every client of the build, so every shard agrees.
    loaded = _with_data(data_file, loaded, project, library, quiet)
    # An invalid profile (or a register's invalid row) fails on its own; the other clients are still built
    # (unless --fail-fast).
    invalid = tuple(Result(path, "failed", "\n".join(lines)) for path, lines in found.failures().items()
                    if not sh or in_shard(path, *sh))
    if sh:
        loaded = [lp for lp in loaded if in_shard(lp.profile.id, *sh)]
    show = None if quiet else Progress(sys.stderr.isatty() and not os.environ.get("CI"))
    opts = Options(force=force, depfile=depfile, zip=zip_, previous=previous.resolve() if previous else None)
    try:
        summary = build_all(loaded, project, library, out, jobs or os.cpu_count() or 1, opts, fail_fast,
                            show, wait=wait, failed_inputs=invalid, notice=show.notice if show else lambda m: None)
    except KeyboardInterrupt:  # before any toolkit was started
        click.echo("\nInterrupted: nothing was built; run the same command to build.", err=True)
        sys.exit(130)
    except ToolkitError as err:
        _fail(err)
    except OSError as exc:
        click.echo(f"Error: cannot write to {escape(str(out))}: {exc.strerror or exc}; nothing was changed", err=True)
        sys.exit(1)
    if show:
        show.close()
    if summary.interrupted:  # one line, even with --quiet: the build did not do what was asked
        if as_json:
            click.echo(_json(summary.as_json()))
        n = summary.count("built")
        lead = "" if show and show.bar else "\n"  # a terminal's ^C stands on the line, unless the bar cleared it
        click.echo(f"{lead}Interrupted: built {n} toolkit{'s' * (n != 1)} before Ctrl-C; run the same command "
                   "to build the rest.", err=True)
        sys.exit(130)
    failed = [r for r in summary.results if r.status == "failed"]
    for r in failed:
        first, *rest = r.error.split("\n") if r.error else [r.id]  # one line per problem, each escaped
        click.echo(f"failed: {escape(first)}", err=True)
        for line in rest:
            click.echo(f"        {escape(line)}", err=True)
    if as_json:
        click.echo(_json(summary.as_json() | {"skipped": [{"path": str(f.path), "why": f.why}
                                                          for f in found.skipped]}))
    if not quiet:
        click.echo(summary.line() + (f"; {skipped}" if skipped else ""), err=True)
    sys.exit(1 if failed else 0)


@main.command("import")
@click.argument("register", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("-o", "--out", "out", type=click.Path(path_type=Path, file_okay=False), default=Path("profiles"),
              show_default=True, help="Folder for the profiles: OUT/<id>.yaml per client.")
@project_options
def import_(register: Path, out: Path, workspace: Path | None, root: Path | None) -> None:
    """Write one YAML profile per row of a client register (.csv or .xlsx); a new import rewrites only the
    files whose client changed, and says which fields changed.

    Example: toolkit import asiakkaat.xlsx -o profiles/
    """
    from .inputs.importer import import_register
    from .inputs.load import load_profiles
    from .inputs.table import TABLE_SUFFIXES
    if register.suffix.lower() not in TABLE_SUFFIXES:
        raise click.UsageError(f"{escape(str(register))}: a register is a .csv or .xlsx file")
    project = _project((register,), workspace, root)
    try:
        library = project.load_library()
    except ToolkitError as err:
        _fail(err)
    loaded, problems = load_profiles([register], project, library)
    try:
        result = import_register(loaded, project.shown(register), out)
    except OSError as exc:
        click.echo(f"Error: cannot write to {escape(str(out))}: {exc.strerror or exc}", err=True)
        sys.exit(1)
    for f in result.created:
        click.echo(f"created {escape(f)}")
    for f, fields in result.updated:
        click.echo(f"updated {escape(f)}: {', '.join(fields)}")
    for f, why in result.refused:
        click.echo(f"{escape(f)}: not written: {escape(why)}", err=True)
    for p in problems:
        click.echo(escape(str(p)), err=True)
    if result.others:
        click.echo(f"note: {len(result.others)} other profile(s) in {escape(str(out))} are not in the register; "
                   "left as they are", err=True)
    invalid = len({p.where for p in problems})
    click.echo(f"Imported {len(loaded)} client(s) from {escape(project.shown(register))}: {len(result.created)} "
               f"created, {len(result.updated)} updated, {len(result.unchanged)} unchanged"
               + (f"; {invalid} invalid row(s) not imported" if invalid else "")
               + (f"; {len(result.refused)} not written" if result.refused else "") + ".", err=True)
    sys.exit(1 if problems or result.refused else 0)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--out", "out", type=click.Path(path_type=Path, file_okay=False), default=Path("records"),
              show_default=True, help="Records folder: RECORDS/<id>.json per client, follow-up reports, summary.")
@click.option("--profiles", "profile_paths", multiple=True, type=click.Path(path_type=Path),
              help="Profiles of the clients to collect (files or folders; default: profiles/). A returned file "
                   "of a client not among them is reported, not read.")
@click.option("--summary-language", type=click.Choice(["fi", "sv", "en"]), default="fi", show_default=True,
              help="Language of the provider summary (summary.csv, summary.xlsx); follow-up reports are in "
                   "each client's own language.")
@project_options
def collect(paths: tuple[Path, ...], out: Path, profile_paths: tuple[Path, ...], summary_language: str,
            workspace: Path | None, root: Path | None) -> None:
    """Read filled plans and checklists back into one record per client, with follow-up reports.

    PATH: returned files or folders (searched for .docx and .pdf). Which client a file belongs to is read
    from the file itself, so renamed files are fine; the newest version of each document is used.

    Example: toolkit collect returned/ -o records/
    """
    from .files import write_atomic
    from .inputs.load import load_profiles
    from .returns.collect import collect as collect_files
    from .returns.collect import placeholder_texts, write_record
    from .returns.follow_up import render_follow_up
    from .returns.summary import ClientSummary, write_summary
    from .select import select
    project = _project(profile_paths, workspace, root)
    try:
        library = project.load_library()
    except ToolkitError as err:
        _fail(err)
    loaded, problems = load_profiles(profile_paths or (project.workspace / "profiles",), project, library)
    for p in problems:
        click.echo(f"note: profile skipped: {p}", err=True)
    clients = {lp.profile.id: lp for lp in loaded}
    found = collect_files(paths, set(clients), library, placeholder_texts(library), shown=_shown_path)
    rows = []
    for client, record in sorted(found.records.items()):
        lp = clients[client]
        plan = select(lp.profile, library, lp.provider, lp.profile.provider, project.workspace)
        try:
            write_record(out, record)
            report = render_follow_up(plan, record, project.templates_dir, project.workspace)
            write_atomic(out / f"{client}-follow-up.pdf", report)
        except OSError as exc:
            click.echo(f"Error: cannot write to {escape(str(out))}: {exc.strerror or exc}", err=True)
            sys.exit(1)
        except Exception as exc:  # one client's report fails alone, named by the files it was made from
            why = str(exc) if isinstance(exc, ToolkitError) else f"{type(exc).__name__}: {exc}"
            found.problems.append(Problem(", ".join(f.file for f in record.files), "", f"{client}'s follow-up "
                                          f"report could not be made ({why}); its record is written"))
        rows.append(ClientSummary.of(plan, record))
    if rows:
        try:
            write_summary(rows, out, library, language=summary_language)
        except OSError as exc:
            click.echo(f"Error: cannot write the summary to {escape(str(out))}: {exc.strerror or exc}", err=True)
            sys.exit(1)
    for path, why in found.superseded + found.skipped:
        click.echo(f"note: {Problem(path, '', f'not used: {why}')}", err=True)
    for path, text in found.notes:
        click.echo(f"note: {Problem(path, '', text)}", err=True)
    for p in found.problems:
        click.echo(str(p), err=True)
    n = len(found.problems)
    click.echo(f"Collected {len(found.records)} client(s) from {found.files} file(s) into {escape(str(out))}"
               + (f"; {n} file(s) could not be used" if n else ""), err=True)
    sys.exit(1 if n else 0)


def _shown_path(path: Path) -> str:
    """A path as the user gave it, with every character that could steer a terminal or hide what it says
    escaped (errors.escape: controls, C1, direction marks, bytes of a name that is not UTF-8)."""
    return escape(str(path))


@main.command()
@click.argument("out", type=click.Path(path_type=Path, file_okay=False, exists=True), default=Path("out"))
def check(out: Path) -> None:
    """Verify built toolkits: manifest hashes, .docx schema, PDF structure, fonts, pages and form fields.

    Example: toolkit check out/
    """
    from .build import MANIFEST
    from .build.check import check_out
    count, problems = check_out(out)
    for p in problems:
        click.echo(escape(p), err=True)
    if not count:
        click.echo(f"Error: no built toolkits (with {MANIFEST}) under {escape(str(out))}", err=True)
        sys.exit(1)
    if problems:
        click.echo(f"Aborted: {len(problems)} problem(s) in {count} toolkit(s).", err=True)
        sys.exit(1)
    click.echo(f"OK: {count} toolkit(s) pass the checks.")


if __name__ == "__main__":
    main()

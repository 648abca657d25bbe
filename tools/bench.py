"""Benchmark batch builds (`make bench`): speed, naive comparison, scaling, rebuild and memory, vs targets."""

from __future__ import annotations

import argparse
import io
import os
import platform
import resource
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from generator.inputs.load import default_project
from generator.vocab import CONTRACT_SCOPES, LANGUAGES, WORK_FEATURES

INDUSTRIES = ["87.10", "88.10", "86.10", "88.91", "85.20", "85.31", "47.19", "56.10", "62.01", "69.20", "41.20",
              "25.11", "49.41", "96.02"]
SIZES = [3, 8, 12, 17, 25, 40, 55, 120, 400]
COUNTIES = ["Pirkanmaa", "Birkaland", "Lappi", "Helsinki", "Österbotten", "Keski-Suomi", None]


def synthetic_profiles(folder: Path, n: int) -> None:
    """Write n varied, valid profiles (industries, sizes, scopes, languages, features) into folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        feats = [WORK_FEATURES[(i * 7 + k) % len(WORK_FEATURES)] for k in range(i % 4)]
        lines = [f"id: bench-{i:05d}", f"client: {{name: Bench Client {i} Oy}}",
                 f'industry: "{INDUSTRIES[i % len(INDUSTRIES)]}"', f"employees: {SIZES[i % len(SIZES)]}",
                 f"contract_scope: {CONTRACT_SCOPES[i % 2]}", f"language: {LANGUAGES[(i // 2) % 3]}",
                 f"work_features: [{', '.join(dict.fromkeys(feats))}]"]
        county = COUNTIES[i % len(COUNTIES)]
        if county:
            lines.append(f"wellbeing_county: {county}")
        if i % 3:
            lines.append("provider: example-ohs")
        (folder / f"bench-{i:05d}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


RELEASE = "e5a14b4"  # the release the speed target compares with (issue: twice the throughput per core)


def _run(args: list[str], cwd: Path, env: Optional[dict] = None) -> tuple[float, float]:
    """Run a command; return (wall seconds, CPU seconds of it and every process it started and waited for)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(args, cwd=cwd, check=True, stdout=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _peak_rss(args: list[str], cwd: Path) -> int:
    """Peak RSS (KiB) of the build and all its workers, in a fresh process so earlier runs do not count."""
    code = ("import resource,subprocess,sys;subprocess.run(sys.argv[1:],check=True,stdout=subprocess.DEVNULL);"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, check=True, capture_output=True, text=True)
    return int(out.stdout.strip())


NAIVE = """
import sys
from pathlib import Path
from generator.inputs.load import Project, load_all
from generator.render import OUTPUTS, render
from generator.select import select
project = Project(Path(sys.argv[1]))
library, loaded = load_all([Path(sys.argv[2])], project)
lp = loaded[0]
plan = select(lp.profile, library, lp.provider, lp.profile.provider, project.root)
out = [o for o in OUTPUTS if o.filename == sys.argv[3]][0]
Path(sys.argv[4]).write_bytes(render(out, plan, project.templates_dir))
"""

# Runs `python -m generator ARGS` with every document's render timed: each call of generator.render.render
# appends "<file name> TAB <CPU seconds>" to the file named by TOOLKIT_BENCH_STAGES (one short append per
# document, so the processes of a build can share the file). Both versions build through that one function,
# and workers are forked after it is wrapped, so the same code measures the release and this version, over
# every toolkit of the full build rather than a sample.
TIMED = """
import os, runpy, sys, time
import generator.render as r
log, inner = os.environ["TOOLKIT_BENCH_STAGES"], r.render
def render(out, *args, **kwargs):
    start = time.process_time()
    try:
        return inner(out, *args, **kwargs)
    finally:
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"{out.filename}\\t{time.process_time() - start}\\n")
r.render = render
sys.argv = ["toolkit", *sys.argv[1:]]
runpy.run_module("generator", run_name="__main__", alter_sys=True)
"""
# Runs `python -m generator ARGS` with some of the speed-ups that reach into WeasyPrint switched off: the names in
# TOOLKIT_BENCH_OFF, comma-separated (see SPEEDUPS). Measures what each one still saves for its coupling.
WITHOUT = """
import os, runpy, sys
import generator.render.weasy.draw_memo as draw_memo, generator.render.weasy.fast as fast
import generator.render.weasy.line_memo as line_memo
switches = {"xml": (fast, "PARSE_XML"), "ua": (fast, "TRIM_UA"), "sheets": (fast, "KEEP_SHEETS"),
            "lines": (line_memo, "ENABLED"), "drawing": (draw_memo, "ENABLED")}
for name in filter(None, os.environ.get("TOOLKIT_BENCH_OFF", "").split(",")):
    setattr(*switches[name], False)
sys.argv = ["toolkit", *sys.argv[1:]]
runpy.run_module("generator", run_name="__main__", alter_sys=True)
"""
SPEEDUPS = (("xml", "templates parsed as XML (fast.parsed)"), ("ua", "trimmed user-agent stylesheet (fast)"),
            ("sheets", "linked stylesheets parsed once (fast.stylesheets)"), ("lines", "line breaks remembered (line_memo)"),
            ("drawing", "drawn lines remembered (draw_memo)"))
STAGE_NAMES = (("action-plan.docx", "Word plan"), ("checklists.pdf", "checklists"), ("care-pathway.pdf", "care pathway"))


@dataclass
class Version:
    """One version of the tool to measure: where its code is and how to run it."""

    name: str
    root: Path  # the checkout: content/, templates/, profiles/providers/
    env: Optional[dict] = None  # PYTHONPATH for a release unpacked from git

    def tool(self) -> list[str]:
        return [sys.executable, "-m", "generator", "build", "--root", str(self.root), "-q"]


def release_checkout(project_root: Path, work: Path, commit: str = RELEASE) -> Optional[Version]:
    """The release unpacked from this repository's git history, run by this interpreter and its libraries
    (the same WeasyPrint, python-docx, Python), so that only the tool's own code differs. None without git
    history (a source archive, a shallow clone)."""
    target = work / f"release-{commit}"
    try:
        archive = subprocess.run(["git", "-C", str(project_root), "archive", "--format=tar", commit],
                                 capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    target.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    env = {**os.environ, "PYTHONPATH": str(target)}
    return Version(f"release {commit}", target, env)


def measure(version: Version, profiles: Path, out: Path, data: Optional[Path] = None) -> dict:
    """Full -j 2 build (wall and CPU) and the CPU each renderer took per toolkit in it, of one version."""
    log = out.with_name(out.name + "-stages.tsv")
    env = {**(version.env or os.environ), "TOOLKIT_BENCH_STAGES": str(log)}
    args = [sys.executable, "-c", TIMED, "build", "--root", str(version.root), "-q", "-o", str(out), "-j", "2"]
    wall, cpu = _run(args + (["--data", str(data)] if data else []) + [str(profiles)], version.root, env)
    built = sum(1 for d in out.iterdir() if d.is_dir() and not d.name.startswith("."))
    stages: dict[str, float] = {}
    for line in log.read_text(encoding="utf-8").splitlines():
        name, took = line.split("\t")
        stages[name] = stages.get(name, 0.0) + float(took)
    return {"wall": wall, "cpu": cpu, "built": built, "stages": stages}


def speedup_savings(project_root: Path, profiles: Path, work: Path) -> list[str]:
    """CPU seconds of one -j 1 build of profiles with every WeasyPrint speed-up on, with each one off in turn,
    and with all of them off (TOOLKIT_WEASYPRINT_INTERNALS=off), as a Markdown table."""
    def cpu(name: str, off: str = "", env_extra: Optional[dict] = None) -> float:
        env = {**os.environ, "TOOLKIT_BENCH_OFF": off, **(env_extra or {})}
        args = [sys.executable, "-c", WITHOUT, "build", "--root", str(project_root), "-q", "-j", "1",
                "-o", str(work / f"speedups-{name}"), str(profiles)]
        return _run(args, project_root, env)[1]

    base = cpu("all")
    lines = ["| WeasyPrint speed-up (all others on) | CPU s without it | it saves |", "|---|---|---|",
             f"| none switched off | {base:.1f} | |"]
    for name, label in SPEEDUPS:
        took = cpu(name, name)
        lines.append(f"| {label} | {took:.1f} | {(took - base) / took * 100:.0f} % |")
    took = cpu("none", env_extra={"TOOLKIT_WEASYPRINT_INTERNALS": "off"})
    lines.append(f"| all of them (and the shared fonts, kept sheets, kept steps) | {took:.1f} | "
                 f"{(took - base) / took * 100:.0f} % |")
    return lines


def needs_data(path: Path, n: int) -> None:
    """A needs-data file for the synthetic profiles: absences, Kela notifications and survey figures, spread so
    that some clients stand out from their peers (needs suggested, figures shown) and a few fall under the
    anonymity floor."""
    from generator.inputs.figures import indicators
    from generator.inputs.load import default_project

    survey = [i for i in indicators(default_project().load_library()) if i.startswith("survey.")][:4]
    rows = ["client_id,indicator,period,value,n"]
    for i in range(n):
        cid = f"bench-{i:05d}"
        rows.append(f"{cid},absence_days_per_person_year,2026,{8 + (i * 37) % 15}.5,{10 + i % 40}")
        rows.append(f"{cid},mental_health_absence_share,2026,{20 + (i * 13) % 30},{3 + i % 12}")
        rows.append(f"{cid},kela_90_day_notifications,2026,{i % 3},{10 + i % 40}")
        for k, ind in enumerate(survey):
            rows.append(f"{cid},{ind},2026,{15 + (i * 7 + k * 11) % 60},{4 + (i + k) % 20}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("-n", type=int, default=200, help="synthetic profiles for the speed figures (default 200)")
    ap.add_argument("--naive-sample", type=int, default=8, help="profiles built the naive way, extrapolated")
    ap.add_argument("--rss-small", type=int, default=50, help="profiles for the small memory figure (default 50)")
    ap.add_argument("--rss-large", type=int, default=1000, help="profiles for the large memory figure (default 1000)")
    ap.add_argument("--no-release", action="store_true", help=f"do not measure release {RELEASE} side by side")
    ap.add_argument("--speed-only", action="store_true",
                    help="measure only the full build and the per-stage costs (side by side with the release); "
                         "skip 2 workers vs 1, naive, rebuild and memory, for a slow machine")
    ap.add_argument("--speedups", type=int, default=40, help="profiles built to measure what each WeasyPrint "
                    "speed-up saves (default 40; 0 skips it)")
    ap.add_argument("--speedups-only", action="store_true", help="measure only what each WeasyPrint speed-up saves")
    ap.add_argument("--write", type=Path, help="write the figures as Markdown to this file")
    args = ap.parse_args(argv)
    project = default_project()
    work = Path(tempfile.mkdtemp(prefix="toolkit-bench-"))
    rows: list[tuple[str, str, str, str]] = []
    side: list[str] = []
    try:
        if args.speedups:
            few = work / "speedup-profiles"
            synthetic_profiles(few, args.speedups)
            saving = speedup_savings(project.root, few, work)
            if args.speedups_only:
                return _report(args, rows, saving)
        profiles = work / "profiles"
        synthetic_profiles(profiles, args.n)
        files = sorted(profiles.glob("*.yaml"))
        data = work / "needs-data.csv"
        needs_data(data, args.n)
        this = Version("this version", project.root)
        old = None if args.no_release else release_checkout(project.root, work)
        now = measure(this, profiles, work / "out2", data)  # with needs data: its figures and charts count
        t_full = now["wall"]
        before = measure(old, profiles, work / "out-release") if old else None  # it has no needs data
        for m in filter(None, (now, before)):
            if m["built"] != args.n:
                raise SystemExit(f"bench: a build made {m['built']} toolkits of {args.n}")
        side = _side_by_side(args.n, before, now, old.name if old else None)
        if args.speedups:
            side += ["", f"What each speed-up that reaches into WeasyPrint saves ({args.speedups} profiles, one "
                         "process, -j 1):", ""] + saving
        rate = args.n / t_full
        rows.append(("full build, 2 workers", f"{t_full:.1f} s, {rate:.2f} toolkits/s", "", ""))
        if before:
            gain = before["wall"] / t_full
            rows.append((f"toolkits/s vs {old.name}", f"{args.n / before['wall']:.2f} vs {rate:.2f} = {gain:.2f}x",
                         "≥ 1.8x", "met" if gain >= 1.8 else f"missed by {1.8 - gain:.2f}x"))
        if args.speed_only:
            rows.append(("2 workers vs 1, naive, rebuild, memory", "not measured in this run (--speed-only)", "", ""))
            return _report(args, rows, side)
        t_one, _ = _run(this.tool() + ["-o", str(work / "out1"), "-j", "1", "--data", str(data), str(profiles)],
                        project.root)  # the same work as the -j 2 build
        speedup = t_one / t_full
        rows.append(("2 workers vs 1", f"{t_one:.1f} s vs {t_full:.1f} s = {speedup:.2f}x", "≥ 1.8x",
                     "met" if speedup >= 1.8 else f"missed by {1.8 - speedup:.2f}x"))
        # Naive: a fresh process per document, measured on a sample and scaled to n.
        naive = files[:: max(1, len(files) // args.naive_sample)][: args.naive_sample]
        start = time.perf_counter()
        for p in naive:
            for name in ("action-plan.docx", "checklists.pdf", "care-pathway.pdf"):
                subprocess.run([sys.executable, "-c", NAIVE, str(project.root), str(p), name,
                                str(work / f"naive-{p.stem}-{name}")], cwd=project.root, check=True)
        t_naive = (time.perf_counter() - start) * args.n / len(naive)
        ratio = t_naive / t_full
        rows.append(("naive (a process per document)", f"{t_naive:.1f} s (from {len(naive)} profiles) = "
                     f"{ratio:.1f}x slower", "≥ 12x", "met" if ratio >= 12 else f"missed by {12 - ratio:.1f}x"))
        one = files[0]
        one.write_text(one.read_text(encoding="utf-8").replace("Bench Client", "Bench Client Changed"), encoding="utf-8")
        t_re, _ = _run(this.tool() + ["-o", str(work / "out2"), "-j", "2", "--data", str(data), str(profiles)],
                       project.root)
        share = t_re / t_full * 100
        rows.append(("rebuild after one profile changed", f"{t_re:.2f} s = {share:.1f} % of full", "≤ 3 %",
                     "met" if share <= 3 else f"missed by {share - 3:.1f} points"))
        small = work / f"p{args.rss_small}"
        synthetic_profiles(small, args.rss_small)
        large = work / f"p{args.rss_large}"
        synthetic_profiles(large, args.rss_large)
        rss50 = _peak_rss(this.tool() + ["-o", str(work / "o50"), "-j", "2", str(small)], project.root)
        rss_l = _peak_rss(this.tool() + ["-o", str(work / "ol"), "-j", "2", str(large)], project.root)
        mem = rss_l / rss50
        rows.append((f"peak RSS, {args.rss_small} vs {args.rss_large} profiles", f"{rss50 / 1024:.0f} MiB vs {rss_l / 1024:.0f} MiB"
                     f" = {mem:.2f}x", "≤ 1.2x", "met" if mem <= 1.2 else f"missed by {mem - 1.2:.2f}x"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return _report(args, rows, side)


def _report(args, rows: list[tuple[str, str, str, str]], side: list[str]) -> int:
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.platform()}"
    table = ["| measure | result | target | verdict |", "|---|---|---|---|"]
    table += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    text = "\n".join(table + [""] + side)
    print(f"Machine: {machine}\nProfiles: {args.n}\n{text}")
    if args.write:
        block = (f"{START}\n- Machine: {machine}\n- Date: {time.strftime('%Y-%m-%d')}\n- Synthetic profiles: {args.n} "
                 "(spread over industries, sizes, scopes, languages, features)\n\n" + text + f"\n{END}")
        write_figures(args.write, block)
    return 0


def _side_by_side(n: int, before: Optional[dict], now: dict, release: Optional[str]) -> list[str]:
    """The per-toolkit CPU costs by stage, for the release and this version, as a Markdown table."""
    def cells(m: dict) -> list[float]:
        st = m["stages"]
        parts = [st.get(k, 0.0) / n for k, _ in STAGE_NAMES]  # summed over the whole build
        rest = m["cpu"] / n - sum(parts)  # start-up, loading, selection, manifests, writing files
        return parts + [rest, m["cpu"] / n]
    names = [label for _, label in STAGE_NAMES] + ["the rest (start-up, select, write)", "all, per toolkit"]
    if before is None:
        head = ["| CPU s per toolkit | this version |", "|---|---|"]
        return head + [f"| {a} | {b:.3f} |" for a, b in zip(names, cells(now))]
    head = [f"| CPU s per toolkit | {release} | this version | ratio |", "|---|---|---|---|"]
    return head + [f"| {a} | {b:.3f} | {c:.3f} | {b / c:.2f}x |" if c > 0 else f"| {a} | {b:.3f} | {c:.3f} | |"
                   for a, b, c in zip(names, cells(before), cells(now))]


START, END = "<!-- bench:start (written by make bench) -->", "<!-- bench:end -->"


def write_figures(path: Path, block: str) -> None:
    """Put the figures between the markers in path, keeping the hand-written analysis around them."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if START in old and END in old:
        text = old[:old.index(START)] + block + old[old.index(END) + len(END):]
    else:
        text = "# Performance\n\nMeasured by `make bench` (tools/bench.py) in one run.\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())

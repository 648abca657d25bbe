"""Follow-up report: (Plan, Record) -> RECORDS/<id>-follow-up.pdf, what came back of one client's toolkit.

One to three A4 pages in the client's language, rendered and finished like the checklists (tagged, vendored
fonts, the safe URL fetcher, WeasyPrint warnings fail the render). In the order the follow-up meeting needs
it: the collaboration prerequisites not yet in place with what each would bring, the actions by status, the
goals with their latest measurement, the answers to the evaluation questions, and what to carry into the next
round. Where a document or a part did not come back, the report says so instead of guessing. It reads only the
Plan, the Record and templates/; nothing here opens a returned file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Optional

from ..errors import RenderError
from ..plan import Entry, Plan
from ..record import Action, Need, Record
from ..render import build_time
from ..render.html import common_context, identity, template
from ..render.weasy.engine import layout, write
from ..text import printable_code_points
from ..vocab import EVALUATION_STEPS

COLLABORATION = ("checklist.collab-structures", "checklist.collab-ways")
# Statuses in the order a follow-up meeting goes through them; "" is a row people wrote without a status.
STATUS_ORDER = ("done", "in_progress", "planned", "not_done", "", "suggested")
OPEN = ("planned", "in_progress")
# Type sizes tried in order until the report fits on three pages (see follow-up.css).
DENSITIES = ("normal", "compact", "dense")
MAX_PAGES = 3
# Characters of one typed value the report shows: a long answer in a plan field is a few hundred; the record
# keeps every character, the report says where a value was cut.
MAX_SHOWN = 2000
REPLACEMENT = "\ufffd"  # shown for a character the report's fonts cannot draw (emoji, CJK) or a control
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")


@dataclass(frozen=True)
class Prerequisites:
    """The collaboration checklists as returned: unmet items come first in the report."""

    total: int
    met: int
    unmet: tuple[Entry, ...]
    unanswered: tuple[Entry, ...]

    @property
    def known(self) -> bool:
        return len(self.unanswered) < self.total


@dataclass(frozen=True)
class ActionRow:
    what: str
    name: str  # short: the example's title, or what people wrote
    goal: str  # the goal it serves, numbered as the plan shows it (T1, sv M1), when it names one
    owners: tuple[tuple[str, str], ...]  # (whose, who)
    when: str
    metric: str


@dataclass(frozen=True)
class StatusGroup:
    status: str
    title: str
    rows: tuple[ActionRow, ...]


@dataclass(frozen=True)
class GoalRow:
    number: str
    goal: str
    need: str
    metric: str
    baseline: str
    target: str
    latest: str


@dataclass(frozen=True)
class Question:
    text: str
    answers: tuple[tuple[str, str], ...]  # (where it was answered, answer)


def render_follow_up(plan: Plan, record: Record, templates_dir: Path, asset_root: Optional[Path] = None) -> bytes:
    """The follow-up report of one client as PDF bytes, in the largest type that fits on three pages."""
    if record.client != plan.client.id:
        raise RenderError(f"follow-up report: the record is of client '{record.client}', the plan of "
                          f"'{plan.client.id}'")
    record, cut, replaced = _shown(record, printable_code_points(templates_dir / "fonts"))
    ctx = _context(plan, record, templates_dir, asset_root)
    ctx.update(cut=cut, replaced=replaced)
    page = template(templates_dir, "follow-up.html.j2")
    doc = None
    for density in DENSITIES:
        doc = layout(page.render(density=density, **ctx), templates_dir, "follow-up.pdf", asset_root=asset_root)
        if len(doc.pages) <= MAX_PAGES:
            break
    # A record with very much text may still need a fourth page: better than dropping what people wrote.
    return write(doc, "follow-up.pdf", identity=identity(plan, "follow-up"))


def _shown(record: Record, printable: Optional[frozenset[int]]) -> tuple[Record, bool, bool]:
    """The record as the report shows it, and whether a value was cut (over MAX_SHOWN characters) or had a
    character replaced (one the fonts cannot draw, or a control character): whatever people typed, the report
    is made, and says what it left out. Field names and ids are kept as they are."""
    cut = replaced = False

    def text(value: str) -> str:
        nonlocal cut, replaced
        if len(value) > MAX_SHOWN:
            value, cut = value[:MAX_SHOWN].rstrip() + "\u2026", True
        if value.isprintable() and (printable is None or all(ord(c) in printable for c in value)):
            return value
        shown = "".join(c if c in "\n\t" or (c.isprintable() and (printable is None or ord(c) in printable))
                        else REPLACEMENT for c in value)
        replaced = replaced or shown != value
        return shown

    def walk(value):
        if isinstance(value, str):
            return text(value)
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [walk(v) for v in value]
        return value

    data = record.model_dump(by_alias=True)
    data.update({k: walk(data[k]) for k in ("fields", "needs", "goals", "actions", "checklist_texts")})
    return Record.model_validate(data), cut, replaced


def _context(plan: Plan, record: Record, templates_dir: Path, asset_root: Optional[Path] = None) -> dict:
    ctx = common_context(plan, templates_dir, "report", asset_root)
    goals = _goals(plan, record)
    groups, examples = _actions(plan, record)
    prerequisites = _prerequisites(plan, record)
    evaluation = _evaluation(plan, record)
    ctx.update(
        record=record,
        today=_date_text(build_time().astimezone(_helsinki()).date(), plan.language),
        files=_files(plan, record),
        has_plan=record.has("action-plan"),
        prerequisites=prerequisites,
        status_groups=groups, examples=examples, done=sum(1 for a in record.actions if a.status == "done"),
        agreed=sum(1 for a in record.actions if a.status != "suggested"),
        goals=goals, needs=_needs(plan, record),
        evaluation=evaluation, answered=any(q.answers for _, qs in evaluation for q in qs),
        notes=_notes(plan, record),
        use=tuple(e for e in (plan.item("cycle.use.planning"), plan.item("cycle.use")) if e),
        carry=tuple(r for g in groups if g.status in OPEN for r in g.rows),
        unmeasured=tuple(g for g in goals if not g.latest),
        glance=_glance(plan, record),
        credit_entry=plan.item("model.credit"),
    )
    return ctx


def _prerequisites(plan: Plan, record: Record) -> Prerequisites:
    items = tuple(e for cl in COLLABORATION for e in plan.items("checklist_item", cl))
    answers = record.checklist_items
    return Prerequisites(
        total=len(items),
        met=sum(1 for e in items if answers.get(e.id) is True),
        unmet=tuple(e for e in items if answers.get(e.id) is False),
        unanswered=tuple(e for e in items if e.id not in answers),
    )


def _actions(plan: Plan, record: Record) -> tuple[tuple[StatusGroup, ...], tuple[str, ...]]:
    """Actions grouped by status; prefilled examples nobody took up are only named, not listed in full."""
    goal_numbers = {g.number for g in record.goals if g.number}
    untouched = [a for a in record.actions if a.origin == "example" and a.status == "suggested"]
    examples = tuple(_action_name(plan, a) for a in untouched)
    listed = [a for a in record.actions if not (a.origin == "example" and a.status == "suggested")]
    groups = []
    for status in STATUS_ORDER:
        rows = tuple(_action_row(plan, a, goal_numbers) for a in listed if a.status == status)
        if rows:
            title = plan.label(f"common.status.{status}") if status else plan.label("report.status.none")
            groups.append(StatusGroup(status, title, rows))
    return tuple(groups), examples


def _action_name(plan: Plan, action: Action) -> str:
    entry = plan.item(action.id)
    return (entry.text if entry else _first_sentence(action.what)).rstrip(".")


def _action_row(plan: Plan, a: Action, goal_numbers: set[str]) -> ActionRow:
    owners = tuple((plan.label(key), who) for key, who in (("common.owner.workplace", a.owner_workplace),
                                                           ("common.owner.ohs", a.owner_ohs)) if who)
    entry = plan.item(a.id) if a.origin == "example" else None
    what = a.what
    if entry and _same(what, " ".join(x for x in (entry.text, entry.how) if x)):
        what = entry.text  # the example as we prefilled it: its title says it; the how is ours, not theirs
    n = _ref_number(plan, a.goal, "T", "common.goal_number")
    goal = plan.label("common.goal_number", n=n) if n else a.goal.strip() if a.goal.strip() in goal_numbers else ""
    return ActionRow(what=what or _action_name(plan, a), name=entry.text if entry else a.what,
                     goal=goal, owners=owners, when=a.when, metric=a.metric)


def _ref_number(plan: Plan, ref: str, value_prefix: str, label_key: str) -> Optional[int]:
    """The row number a reference names: the list value (N1, T1) or the number as shown (sv B1, M1), else None.

    Picked from the plan's list, a reference reads back as its value; typed into a cell, as it was shown.
    """
    shown = re.escape(plan.label(label_key, n=0)).replace("0", r"(\d{1,3})", 1)
    m = re.fullmatch(rf"{value_prefix}(\d{{1,3}})", ref.strip(), re.I) or re.fullmatch(shown, ref.strip(), re.I)
    return int(m.group(1)) if m else None


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def _first_sentence(text: str) -> str:
    m = re.match(r"(.+?[.!?])(\s|$)", text.strip(), re.S)
    return m.group(1) if m else text.strip()


def _row_number(row_id: str, prefix: str) -> Optional[int]:
    """need.3 -> 3; rows users added (need.user1) have no number."""
    m = re.fullmatch(rf"{prefix}\.(\d+)", row_id)
    return int(m.group(1)) if m else None


def _goals(plan: Plan, record: Record) -> tuple[GoalRow, ...]:
    needs = {_row_number(n.id, "need"): n for n in record.needs}
    rows = []
    for g in record.goals:
        n = _ref_number(plan, g.need, "N", "common.need_number")
        need = needs.get(n) if n else None
        shown = f"{plan.label('common.need_number', n=n)} {need.need}" if need else g.need.strip()
        number = g.number or (plan.label("common.goal_number", n=k) if (k := _row_number(g.id, "goal")) else "")
        rows.append(GoalRow(number, g.goal, shown, g.metric, g.baseline, g.target, g.latest))
    return tuple(rows)


def _needs(plan: Plan, record: Record) -> tuple[tuple[str, Need, bool], ...]:
    """(number as shown, need, whether a goal refers to it) for every identified need."""
    refs = {_ref_number(plan, g.need, "N", "common.need_number") for g in record.goals}
    texts = {g.need.strip().casefold() for g in record.goals}
    out = []
    for need in record.needs:
        n = _row_number(need.id, "need")
        served = (n is not None and n in refs) or need.need.strip().casefold() in texts
        out.append((plan.label("common.need_number", n=n) if n else "", need, served))
    return tuple(out)


def _evaluation(plan: Plan, record: Record) -> tuple[tuple[str, tuple[Question, ...]], ...]:
    """(step title, questions with their answers from the plan and from the checklists) per evaluation step."""
    where_plan, where_lists = plan.label("report.answer.plan"), plan.label("report.answer.checklists")
    steps = []
    for step_id in EVALUATION_STEPS:
        questions = plan.items("evaluation_question", step_id)
        if not questions:
            continue
        step = plan.item(step_id)
        out = []
        for q in questions:
            in_plan = record.fields.get(f"{q.id}.answer", "").strip()
            in_lists = record.checklist_texts.get(q.id, "").strip()
            answers = [(where_plan, in_plan)] if in_plan else []
            if in_lists and in_lists != in_plan:
                answers.append((where_lists, in_lists))
            out.append(Question(q.text, tuple(answers)))
        steps.append((step.text if step else plan.label("common.evaluation_questions"), tuple(out)))
    return tuple(steps)


def _notes(plan: Plan, record: Record) -> tuple[tuple[str, str], ...]:
    """(checklist title, note) for every checklist whose notes field came back filled in."""
    return tuple((cl.text, record.checklist_texts[f"{cl.id}.notes"].strip()) for cl, _ in plan.checklists()
                 if record.checklist_texts.get(f"{cl.id}.notes", "").strip())


def _glance(plan: Plan, record: Record) -> tuple[tuple[str, int, int], ...]:
    """(checklist title, met, items) for each checklist of the plan that has answers in the record."""
    out = []
    for cl, items in plan.checklists():
        answered = [e for e in items if e.id in record.checklist_items]
        if answered:
            out.append((cl.text, sum(1 for e in answered if record.checklist_items[e.id]), len(items)))
    return tuple(out)


def _files(plan: Plan, record: Record) -> tuple[str, ...]:
    """One line per returned file: which document, its name and when it was last saved."""
    names = {"action-plan": plan.label("common.action_plan"), "checklists": plan.label("common.checklists")}
    out = []
    for f in record.files:
        saved = local_date(f.modified)
        name = Path(f.file.replace("\\", "/")).name
        detail = name + (", " + plan.label("report.saved", date=_date_text(saved, plan.language)) if saved else "")
        out.append(f"{names.get(f.kind, f.kind)} ({detail})")
    return tuple(out)


def local_date(value: str) -> Optional[date]:
    """An ISO 8601 time from a document's properties -> the date in Finland; None when absent or unreadable."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)  # Office writes UTC without saying so
        return when.astimezone(_helsinki()).date()
    except (ValueError, OverflowError):  # not a time, or one at the edge of the calendar (year 1 or 9999)
        return None


def _helsinki():
    try:
        from zoneinfo import ZoneInfo
        return ZoneInfo("Europe/Helsinki")
    except Exception:  # no time zone data on this machine: UTC is at most a day off around midnight
        return timezone.utc




def _date_text(d: date, language: str) -> str:
    """1.3.2027 in Finnish and Swedish, 1 March 2027 in English."""
    if language == "en":
        return f"{d.day} {MONTHS_EN[d.month - 1]} {d.year}"
    return f"{d.day}.{d.month}.{d.year}"

"""The Plan: everything the renderers need for one client, in the client's language, plus the reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional


@dataclass(frozen=True)
class Entry:
    """A selected content item, resolved to the plan's language."""

    id: str
    kind: str
    group: Optional[str]
    text: str
    cites: tuple[str, ...]  # ids of Plan.references this item rests on
    reason: str
    body: Optional[str] = None
    consequence: Optional[str] = None
    why: Optional[str] = None
    aim: Optional[str] = None
    how: Optional[str] = None
    who: Optional[str] = None
    who_ohs: Optional[str] = None
    when_text: Optional[str] = None
    metric: Optional[str] = None
    value: Optional[str] = None
    url: Optional[str] = None
    refs: tuple[str, ...] = ()
    other_languages: tuple[tuple[str, str], ...] = ()  # glossary terms: (language, term) in the other languages


@dataclass(frozen=True)
class Reference:
    """A bibliography entry in the plan's language, as the reference list prints it."""

    id: str
    kind: str  # law | publication | web
    title: str
    author: Optional[str] = None
    year: Optional[str] = None
    url: Optional[str] = None
    title_lang: Optional[str] = None  # the title's language when it is not the plan's (a Finnish-only title)

    def citation(self) -> str:
        """'Author. Title. Year.' without the URL, which renderers print as a link."""
        parts = [p for p in (self.author, self.title, self.year) if p]
        return " ".join(p if p.endswith((".", "?", "!")) else p + "." for p in parts)


class Citations:
    """Numbers references in the order a document first cites them (Vancouver style).

    A renderer calls mark() where an item's sources are shown inline; listing() then numbers everything the
    plan's items cite, the marked ones first in marking order, so each source appears once.
    """

    def __init__(self, plan: "Plan") -> None:
        self.plan = plan
        self.numbers: dict[str, int] = {}

    def number(self, ref_id: str) -> int:
        return self.numbers.setdefault(ref_id, len(self.numbers) + 1)

    def mark(self, entry: "Entry") -> str:
        """'[2]' or '[2, 5]' for an entry's sources; '' when it cites nothing the plan knows."""
        nums = sorted({self.number(c) for c in entry.cites if c in self.plan.references})
        return f"[{', '.join(map(str, nums))}]" if nums else ""

    def listing(self) -> tuple[tuple[int, "Reference"], ...]:
        for e in self.plan.entries:
            for c in e.cites:
                if c in self.plan.references:
                    self.number(c)
        return tuple((n, self.plan.references[r]) for r, n in sorted(self.numbers.items(), key=lambda x: x[1]))


# What a decision can depend on, in the order `toolkit explain` groups them.
DRIVERS = ("size", "scope", "industry", "features", "language", "county")
DRIVER_LABELS = {"industry": "common.industry", "county": "common.county"}  # the same concepts as in the documents


@dataclass(frozen=True)
class Decision:
    """Why an item was included in or left out of the plan."""

    item_id: str
    kind: str
    included: bool
    reasons: tuple[str, ...]
    drivers: tuple[str, ...] = ()  # what in the profile decided it (DRIVERS); () for items every workplace gets
    origin: str = ""  # a workspace item: "added by the workspace: <file>" or "replaced by ..."; "" otherwise


@dataclass(frozen=True)
class TeamMember:
    role: str
    name: Optional[str] = None
    contact: Optional[str] = None
    actor: Optional[str] = None  # the model's actor id this member's role names (e.g. actor.oh-nurse), if any


@dataclass(frozen=True)
class ProviderInfo:
    """The provider as the renderers need it; logo and base_docx are absolute paths already checked."""

    id: str
    name: str
    phone: Optional[str] = None
    email: Optional[str] = None
    web: Optional[str] = None
    team: tuple[TeamMember, ...] = ()
    brand_colour: Optional[str] = None  # None: the renderer's default, or a base document's own colours
    logo: Optional[str] = None
    base_docx: Optional[str] = None
    protect: bool = False  # Word plan: only the fill-in fields are editable


@dataclass(frozen=True)
class ClientInfo:
    """The client workplace as the renderers need it."""

    id: str
    name: str
    business_id: Optional[str]
    employees: int
    size_band: str
    industry_code: str
    industry_group: str
    industry_group_name: str
    contract_scope: str
    contract_scope_name: str
    county: Optional[str]
    work_features: tuple[tuple[str, str], ...]  # (id, name in the plan's language)
    plan_start: Optional[str]
    plan_end: Optional[str]


@dataclass(frozen=True)
class PathwayLevel:
    """One level of the care pathway under this client's contract."""

    level: Entry
    care: tuple[Entry, ...]
    stepped_care: tuple[Entry, ...]
    screening: tuple[Entry, ...]


@dataclass(frozen=True)
class Carried:
    """A row of last round's record carried into this plan: a need, a goal or an action, as people wrote it."""

    id: str
    values: tuple[tuple[str, str], ...]  # (field, value), e.g. ("what", "..."), ("status", "in_progress")
    block: Optional[str] = None          # actions: the planning block (community, prevention, ...)

    def get(self, name: str) -> str:
        return next((v for k, v in self.values if k == name), "")


@dataclass(frozen=True)
class PreviousRound:
    """Last round's record, as this plan starts from it (`toolkit build --previous RECORDS`)."""

    returned: str                        # YYYY-MM-DD: the newest modified date of the returned documents
    needs: tuple[Carried, ...] = ()
    goals: tuple[Carried, ...] = ()
    open_actions: tuple[Carried, ...] = ()   # planned or in progress: carried forward, still editable
    done_actions: tuple[Carried, ...] = ()   # done last round: listed as such
    dropped_actions: tuple[Carried, ...] = ()  # agreed not to be done: listed, not carried
    unmet: tuple[str, ...] = ()          # collaboration checklist items not in place last round

    def carried_action(self, action_id: str) -> Optional[Carried]:
        return next((a for a in self.open_actions if a.id == action_id), None)


@dataclass(frozen=True)
class DataFigure:
    """One of the client's figures as the plan shows it, in the plan's language (`toolkit build --data`)."""

    indicator: str               # absence_days_per_person_year, survey.load.social.leadership, ...
    name: str                    # what it measures: "Sickness absence", or the survey's load factor
    source: str                  # where such figures come from: "sickness absence records"
    period: str                  # as the data file writes it: 2026, 2026-H1
    value: Optional[float]       # None: not shown (fewer than 5 respondents or people)
    value_text: str              # "14.2 days per person-year (n = 40)", or "fewer than 5 respondents, not shown"
    short: str                   # the number alone, for the chart: "14.2", "38 %"
    peer_median: Optional[float]  # None: no comparison (fewer than 5 peers)
    peer_short: str              # the median alone, for the chart
    peer_text: str               # "median of 7 workplaces in the same industry: 9.8", or why there is none
    percent: bool                # a percentage (the chart's scale is then 0-100)
    suggested: str = ""          # id of the suggested need this figure led to, or ""
    reason: str = ""             # why it did or did not lead to one (explain)
    factor: Optional[str] = None  # survey figures: the load or resource factor


@dataclass(frozen=True)
class SuggestedNeed:
    """A need the client's figures suggest, prefilled after last round's needs; editable like any row."""

    id: str                       # data.<indicator>
    need: str
    evidence: str                 # the figure, its period and source, the peer median, and what addresses it
    reason: str                   # the rule that suggested it (explain)
    factors: tuple[str, ...] = ()  # the load or resource factors it concerns
    actions: tuple[str, ...] = ()  # the plan's example actions that address it


@dataclass(frozen=True)
class NeedsData:
    """What the client's needs data says, in the plan's language: its figures and the needs they suggest."""

    figures: tuple[DataFigure, ...]
    suggested: tuple[SuggestedNeed, ...]
    # the data file, as shown to the user: explain only, no client document names it, nor the build key
    source: str = field(default="", repr=False, compare=False)

    def figure(self, indicator: str) -> Optional[DataFigure]:
        return next((f for f in self.figures if f.indicator == indicator), None)

    def as_rows(self) -> tuple["Carried", ...]:
        """The suggested needs as rows of the identified-needs table (need.<n>.need / .evidence)."""
        return tuple(Carried(s.id, (("need", s.need), ("evidence", s.evidence))) for s in self.suggested)


@dataclass(frozen=True)
class Plan:
    """The tailored toolkit content for one client. Renderers read nothing else."""

    language: str
    client: ClientInfo
    provider: Optional[ProviderInfo]
    entries: tuple[Entry, ...]
    decisions: tuple[Decision, ...]
    labels: dict[str, str] = field(hash=False, compare=True)
    references: dict[str, Reference] = field(default_factory=dict, hash=False, compare=True)
    warnings: tuple[str, ...] = ()
    content_version: str = ""
    generator_version: str = ""
    previous: Optional[PreviousRound] = None
    data: Optional[NeedsData] = None  # the client's own figures (toolkit build --data FILE)

    def items(self, kind: str, group: Optional[str] = None) -> tuple[Entry, ...]:
        """Selected entries of a kind (and group), in library order."""
        return tuple(e for e in self.entries if e.kind == kind and (group is None or e.group == group))

    def item(self, item_id: str) -> Optional[Entry]:
        return next((e for e in self.entries if e.id == item_id), None)

    def label(self, key: str, **values: object) -> str:
        """A user-interface string in the plan's language; KeyError names a missing label."""
        try:
            text = self.labels[key]
        except KeyError:
            raise KeyError(f"missing label '{key}' in templates/labels/") from None
        return text.format(**values) if values else text

    def checklists(self) -> tuple[tuple[Entry, tuple[Entry, ...]], ...]:
        """Each selected checklist with its selected items; checklists with no items are left out."""
        out = []
        for cl in self.items("checklist"):
            members = self.items("checklist_item", cl.id)
            if members:
                out.append((cl, members))
        return tuple(out)

    def pathway(self) -> tuple[PathwayLevel, ...]:
        """The four levels with where care takes place under this client's contract scope."""
        return tuple(
            PathwayLevel(lv, self.items("pathway_care", lv.id), self.items("stepped_care", lv.id),
                         self.items("screening_example", lv.id))
            for lv in self.items("pathway_level"))

    def selected_ids(self) -> tuple[str, ...]:
        return tuple(e.id for e in self.entries)

    def _head(self) -> list[str]:
        """Who the plan is for, the provider and the warnings."""
        c = self.client
        lines = [
            f"{self.label('explain.plan_for')} {c.id} — {c.name} [{self.language}]",
            f"  {self.label('explain.workplace')}: {c.employees} ({c.size_band}), TOL {c.industry_code} → "
            f"{c.industry_group_name}, {c.contract_scope_name}"
            + (f", {c.county}" if c.county else "")
            + (f"; {', '.join(name for _, name in c.work_features)}" if c.work_features else ""),
        ]
        if self.provider:
            lines.append(f"  {self.label('common.provider')}: {self.provider.name}")
        return lines + [f"  ! {w}" for w in self.warnings]

    def summary(self) -> str:
        """What was tailored: the decisions that depend on the profile, grouped by what decided them (size,
        scope, industry, features, language, county), and a count of the items every workplace gets."""
        by_id = {e.id: e for e in self.entries}
        groups: dict[tuple[str, ...], list[Decision]] = {}
        for d in self.decisions:
            if d.drivers:
                groups.setdefault(d.drivers, []).append(d)
        tailored = sum(len(g) for g in groups.values())
        lines = self._head() + [f"{self.label('explain.tailored')} ({tailored}):"]
        for drivers in sorted(groups, key=lambda ds: [DRIVERS.index(d) for d in ds]):
            names = " + ".join(self.label(DRIVER_LABELS.get(d, f"explain.driver.{d}")) for d in drivers)
            lines.append(f"  {names}: {'; '.join(self._fact(d) for d in drivers)}")
            by_reason: dict[tuple[bool, str], list[Decision]] = {}  # included first, then in library order
            for d in sorted(groups[drivers], key=lambda d: not d.included):
                by_reason.setdefault((d.included, "; ".join(d.reasons)), []).append(d)
            for (included, reason), decisions in by_reason.items():
                lines.append(f"    {reason}:")
                if included:
                    lines += [f"      + {d.item_id}: {_short(by_id[d.item_id].text)}" for d in decisions]
                elif decisions[0].kind == "county":  # 21 counties left out for the same reason: one line
                    lines.append(f"      - {self.label('explain.counties', count=len(decisions))} [county]")
                else:
                    lines += [f"      - {d.item_id} [{d.kind}]" for d in decisions]
        own = [d for d in self.decisions if d.origin]  # the workspace's own items, whatever decided them
        if own:
            lines.append(f"{self.label('explain.workspace')} ({len(own)}):")
            lines += [f"  {'+' if d.included else '-'} {d.item_id} [{d.kind}]: {d.origin}" for d in own]
        always = sum(1 for d in self.decisions if d.included and not d.drivers)
        lines.append(self.label("explain.always_count", count=always))
        lines += self.carried_lines() + self.data_lines()
        return "\n".join(lines)

    def _fact(self, driver: str) -> str:
        """The client's own value of what drove a group of decisions: '6 employees', 'remote work'..."""
        c = self.client
        if driver == "size":
            return self.label("explain.employees", count=c.employees)
        if driver == "scope":
            return c.contract_scope_name
        if driver == "industry":
            return f"TOL {c.industry_code} → {c.industry_group_name}"
        if driver == "features":
            return ", ".join(name for _, name in c.work_features) or self.label("explain.no_features")
        if driver == "language":
            return self.label(f"reason.in_language.{self.language}")
        return c.county or self.label("explain.no_county")

    def __str__(self) -> str:
        """The plan as an indented text tree with the reason for every decision (`toolkit explain --all`)."""
        lines = self._head()
        by_id = {e.id: e for e in self.entries}
        included = [d for d in self.decisions if d.included]
        excluded = [d for d in self.decisions if not d.included]
        lines.append(f"{self.label('explain.included')} ({len(included)}):")
        kind = None
        for d in included:
            if d.kind != kind:
                kind = d.kind
                lines.append(f"  {kind}:")
            origin = f" ({d.origin})" if d.origin else ""
            lines.append(f"    + {d.item_id}: {_short(by_id[d.item_id].text)}{origin}")
            lines.append(f"        {'; '.join(d.reasons)}")
        lines.append(f"{self.label('explain.excluded')} ({len(excluded)}):")
        for d in excluded:
            origin = f" ({d.origin})" if d.origin else ""
            lines.append(f"    - {d.item_id} [{d.kind}]: {'; '.join(d.reasons)}{origin}")
        lines += self.carried_lines() + self.data_lines()
        return "\n".join(lines)

    def carried_lines(self) -> list[str]:
        """What this plan takes over from last round's record, and why (for explain)."""
        p = self.previous
        if p is None:
            return []
        lines = [f"{self.label('explain.carried')} ({p.returned or '–'}):"]
        for what, rows in (("explain.carried.needs", p.needs), ("explain.carried.goals", p.goals),
                           ("explain.carried.open", p.open_actions), ("explain.carried.done", p.done_actions),
                           ("explain.carried.dropped", p.dropped_actions)):
            if rows:
                lines.append(f"  {self.label(what)} ({len(rows)}):")
                for r in rows:
                    text = r.get("what") or r.get("goal") or r.get("need")
                    lines.append(f"    > {r.id}: {_short(text)}" + (f" [{r.get('status')}]" if r.get("status") else ""))
        if p.unmet:
            lines.append(f"  {self.label('explain.carried.unmet')} ({len(p.unmet)}):")
            lines += [f"    > {i}" for i in p.unmet]
        return lines


    def data_lines(self) -> list[str]:
        """What the client's needs data suggested, and why (for explain): each figure with the rule that
        turned it into a suggested need or not, then the suggested needs with what they are linked to."""
        d = self.data
        if d is None:
            return []
        carried = len(self.previous.needs) if self.previous else 0
        number = {s.id: self.label("common.need_number", n=carried + i) for i, s in enumerate(d.suggested, 1)}
        lines = [f"{self.label('explain.data', file=d.source)} ({len(d.figures)}):"]
        for f in d.figures:
            lines.append(f"  {f.indicator} {f.period}: {f.value_text}; {f.peer_text}")
            lines.append(f"    {'→ ' + number[f.suggested] if f.suggested else '·'} {f.reason}")
        if d.suggested:
            lines.append(f"{self.label('explain.data.suggested')} ({len(d.suggested)}):")
        for s in d.suggested:
            lines.append(f"  {number[s.id]} {s.id}: {s.need}")
            for key, ids in (("explain.data.factors", s.factors), ("explain.data.actions", s.actions)):
                if ids:
                    lines.append(f"    {self.label(key)}: {', '.join(ids)}")
        return lines


def _short(text: str, n: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"

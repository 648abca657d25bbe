"""Select content for a profile: (Profile, Library, Provider) -> Plan. Pure: no I/O, deterministic order."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Optional

from .. import __version__
from ..content import Conditions, Item, Library
from ..inputs.figures import ClientData
from ..inputs.profile import Profile, Provider
from ..plan import Carried, ClientInfo, Decision, Entry, Plan, PreviousRound, ProviderInfo, Reference, TeamMember
from ..record import Record
from ..vocab import LANGUAGES, size_band
from .suggest import needs_data

_TEXT_FIELDS = ("body", "consequence", "why", "aim", "how", "who", "who_ohs", "when_text", "metric")


class _Facts:
    """What the conditions are checked against, with the label lookup for reason texts."""

    def __init__(self, profile: Profile, library: Library) -> None:
        self.profile = profile
        self.lang = profile.language
        self.labels = {k: v.get(self.lang) for k, v in library.labels.items()}
        self.band = size_band(profile.employees)
        self.group = library.industry_group_for(profile.tol_digits)
        self.group_names = {g.id: g.name.get(self.lang) for g in library.industry_groups}

    def say(self, key: str, **values: object) -> str:
        return self.labels[key].format(**values)

    def feature(self, f: str) -> str:
        return self.labels.get(f"feature.{f}", f)

    def scope(self, s: str) -> str:
        return self.labels.get(f"scope.{s}", s)


def _size(when: Conditions, facts: _Facts) -> Optional[tuple[bool, str]]:
    """The headcount conditions as one clause: 'your workplace has fewer than 10 employees'."""
    n, low, high = facts.profile.employees, when.min_employees, when.max_employees
    if low is None and high is None:
        if when.size_bands is None:
            return None
        ok = facts.band in when.size_bands
        return ok, facts.say(f"reason.size.band.{'ok' if ok else 'no'}", employees=n, band=_band(facts.band),
                             allowed=facts.say("reason.or").join(_band(b) for b in when.size_bands))
    ok = (low is None or n >= low) and (high is None or n <= high)
    if low is not None and high is not None:
        key, values = "between", dict(low=low, high=high)
    elif low is not None:
        key, values = "from", dict(limit=low)
    else:  # "under 10" reads better than "at most 9"
        key, values = "under", dict(limit=high + 1)
    ok = ok and (when.size_bands is None or facts.band in when.size_bands)
    return ok, facts.say(f"reason.size.{key}.{'ok' if ok else 'no'}", employees=n, **values)


def _band(band: str) -> str:
    return band.replace("-", "–")


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _check(when: Conditions, facts: _Facts) -> tuple[bool, list[str], tuple[str, ...]]:
    """Check every condition; return whether all hold, one clause per condition that explains the outcome, and
    what drove it (size, scope, industry, features, language). No condition: included, driven by nothing."""
    p = facts.profile
    results: list[tuple[bool, str, str]] = []
    size = _size(when, facts)
    if size is not None:
        results.append((*size, "size"))
    if when.contract_scope is not None:
        ok = p.contract_scope in when.contract_scope
        results.append((ok, facts.say(f"reason.scope.{'ok' if ok else 'no'}.{p.contract_scope}"), "scope"))
    if when.industry_groups is not None:
        ok = facts.group.id in when.industry_groups
        allowed = facts.say("reason.or").join(_lower_first(facts.group_names.get(g, g)) for g in when.industry_groups)
        results.append((ok, facts.say(f"reason.industry.{'ok' if ok else 'no'}", code=p.industry, allowed=allowed,
                                      actual=_lower_first(facts.group_names[facts.group.id])), "industry"))
    if when.work_features is not None:
        hit = [f for f in when.work_features if f in p.work_features]
        results.append((bool(hit), facts.say(f"reason.features.{'ok' if hit else 'no'}",
                                             actual=facts.say("reason.and").join(facts.feature(f) for f in hit),
                                             allowed=facts.say("reason.or").join(facts.feature(f)
                                                                                 for f in when.work_features)),
                        "features"))
    if when.languages is not None:
        ok = p.language in when.languages
        results.append((ok, facts.say(f"reason.language.{'ok' if ok else 'no'}",
                                      actual=facts.say(f"reason.in_language.{p.language}"),
                                      allowed=facts.say("reason.or").join(facts.say(f"reason.in_language.{lang}")
                                                                          for lang in when.languages)), "language"))
    if not results:
        return True, [], ()
    ok = all(r for r, _, _ in results)
    # A left-out item is explained by the conditions that failed; an included one by all that held.
    return ok, [msg for r, msg, _ in results if r == ok], tuple(d for r, _, d in results if r == ok)


def _sentence(facts: _Facts, ok: bool, clauses: list[str]) -> str:
    """'Valittu, koska työpaikallanne on alle 10 työntekijää' / 'Left out because ...'; 'always' without clauses."""
    if not clauses:
        return facts.say("reason.always")
    return facts.say("reason.included" if ok else "reason.left_out", why=facts.say("reason.and").join(clauses))


def _entry(item: Item, lang: str, reason: str) -> Entry:
    extra = {f: getattr(item, f).get(lang) for f in _TEXT_FIELDS if getattr(item, f) is not None}
    if item.kind == "glossary_term":
        extra["other_languages"] = tuple((other, item.text.get(other)) for other in LANGUAGES if other != lang)
    return Entry(id=item.id, kind=item.kind, group=item.group, text=item.text.get(lang), cites=item.cite,
                 reason=reason, value=item.value, url=item.url.get(lang) if item.url else None, refs=item.refs, **extra)


def _county_item(library: Library, name: Optional[str]) -> Optional[Item]:
    if not name:
        return None
    folded = name.casefold()
    return next((c for c in library.counties() if folded in (c.text.fi.casefold(), c.text.sv.casefold())), None)


def select(profile: Profile, library: Library, provider: Optional[Provider] = None,
           provider_id: Optional[str] = None, root: Optional[Path] = None,
           previous: Optional["Record"] = None, data: Optional[ClientData] = None) -> Plan:
    """Decide for every library item whether it belongs in this client's toolkit, and why.

    previous: last round's record of this client; the plan then starts from it (see carry_forward).
    data: the client's own figures with the peer medians; the plan then shows them and the needs they suggest.
    """
    facts = _Facts(profile, library)
    county = _county_item(library, profile.wellbeing_county)
    own: dict[str, tuple[bool, str, tuple[str, ...]]] = {}  # item id -> (included, reason, drivers)
    for item in library.items:
        if item.kind == "county":
            hit = county is not None and item.id == county.id
            where = facts.say("reason.county.is", county=county.text.get(facts.lang)) if county else \
                facts.say("reason.county.none")
            own[item.id] = (hit, _sentence(facts, hit, [where]), ("county",))
        else:
            ok, clauses, drivers = _check(item.when, facts)
            own[item.id] = (ok, _sentence(facts, ok, clauses), drivers)
    by_id = library.by_id()
    decisions, entries = [], []
    for item in library.items:
        ok, reason, drivers = own[item.id]
        parent = item.group
        seen = {item.id}
        while ok and parent is not None and parent not in seen:
            seen.add(parent)
            if not own[parent][0]:  # left out with its group, for the group's reason
                ok, drivers = False, own[parent][2]
                reason = _sentence(facts, False, [facts.say("reason.parent", parent=parent)])
            parent = by_id[parent].group
        origin = library.workspace_items.get(item.id)
        decisions.append(Decision(item.id, item.kind, ok, (reason,), drivers,
                                  facts.say(f"origin.{origin}", file=library.item_files[item.id]) if origin else ""))
        if ok:
            entries.append(_entry(item, facts.lang, reason))
    references = _references(entries, library, facts.lang)
    warnings = []
    if county is None:
        warnings.append(facts.say("warn.no_county"))
    if provider is None:
        warnings.append(facts.say("warn.no_provider"))
    return Plan(
        language=facts.lang,
        client=_client(profile, facts, county),
        provider=_provider(provider, provider_id, root, library) if provider else None,
        entries=tuple(entries),
        decisions=tuple(decisions),
        labels=dict(facts.labels),
        references=references,
        warnings=tuple(warnings),
        content_version=_content_version(entries, facts.labels, references),
        generator_version=__version__,
        previous=carry_forward(previous, library) if previous is not None else None,
        data=needs_data(data, library, facts.labels, facts.lang, entries) if data is not None else None,
    )


def _references(entries: list[Entry], library: Library, lang: str) -> dict[str, Reference]:
    """The bibliography entries the selected items cite, resolved to the plan's language."""
    cited = {c for e in entries for c in e.cites}
    out = {}
    for sid, src in library.sources.items():
        if sid in cited:
            title = src.title.get(lang)
            # a title given only in Finnish (possibly followed by a translation in brackets) is marked as Finnish
            title_lang = "fi" if lang != "fi" and title.startswith(src.title.fi.split(" [")[0]) else None
            out[sid] = Reference(sid, src.kind, title, src.author.get(lang) if src.author else None,
                                 src.year, src.url.get(lang) if src.url else None, title_lang)
    return out


def _content_version(entries: list[Entry], labels: dict[str, str], references: dict[str, Reference]) -> str:
    """A version of exactly the content this plan uses, so an edit elsewhere leaves this toolkit unchanged."""
    data = repr((entries, sorted(labels.items()), sorted(references.items()))).encode()
    return hashlib.sha256(data).hexdigest()[:12]


def _client(p: Profile, facts: _Facts, county: Optional[Item]) -> ClientInfo:
    return ClientInfo(
        id=p.id, name=p.client.name, business_id=p.client.business_id, employees=p.employees,
        size_band=facts.band, industry_code=p.industry, industry_group=facts.group.id,
        industry_group_name=facts.group_names[facts.group.id], contract_scope=p.contract_scope,
        contract_scope_name=facts.scope(p.contract_scope),
        county=county.text.get(facts.lang) if county else None,
        work_features=tuple((f, facts.feature(f)) for f in p.work_features),
        plan_start=p.plan_period.start.isoformat() if p.plan_period else None,
        plan_end=p.plan_period.end.isoformat() if p.plan_period else None,
    )


def _team_actor(role: str, library: Library) -> Optional[str]:
    """The OHS actor of the model whose name (in any language) the member's role contains, longest name first.

    Providers write roles freely ("Työterveyshoitaja / OH nurse"); matching them to the model's roles lets the
    plan put the member's name into that role's row instead of listing the team apart from the model.
    """
    best, best_len = None, 0
    for item in library.items:
        if item.kind != "actor" or item.group != "party.ohs":
            continue
        for name in (item.text.fi, item.text.sv, item.text.en):
            folded = name.casefold()
            if folded in role.casefold() and len(folded) > best_len:
                best, best_len = item.id, len(folded)
    return best


def _provider(pr: Provider, pid: Optional[str], root: Optional[Path], library: Library) -> ProviderInfo:
    def asset(rel: Optional[str]) -> Optional[str]:
        return str(Path(root, rel)) if rel and root else rel
    return ProviderInfo(
        id=pid or "", name=pr.name, phone=pr.contact.phone, email=pr.contact.email, web=pr.contact.web,
        team=tuple(TeamMember(m.role, m.name, m.contact, _team_actor(m.role, library)) for m in pr.team),
        brand_colour=pr.brand_colour,
        logo=asset(pr.logo), base_docx=asset(pr.base_docx), protect=pr.plan_editing == "fill_in_only",
    )


ACTION_FIELDS = ("need", "goal", "what", "owner_workplace", "owner_ohs", "when", "metric", "status")
COLLAB_CHECKLISTS = ("checklist.collab-structures", "checklist.collab-ways")


def carry_forward(record: Record, library: Library) -> PreviousRound:
    """What the next round starts from: last round's needs and goals (the latest measurement becomes the new
    baseline), open actions carried forward with their status, done and dropped ones listed, and the
    collaboration prerequisites that were not in place. Untouched suggestions are not carried: this round's
    examples are suggested afresh."""
    by_id = library.by_id()
    needs = tuple(Carried(n.id, (("need", n.need), ("evidence", n.evidence))) for n in record.needs)
    goals = tuple(Carried(g.id, (("need", g.need), ("goal", g.goal), ("metric", g.metric),
                                 ("baseline", g.latest or g.baseline), ("target", g.target)))
                  for g in record.goals)
    open_, done, dropped = [], [], []
    for a in record.actions:
        row = Carried(a.id, tuple((f, getattr(a, f)) for f in ACTION_FIELDS), a.block)
        {"planned": open_, "in_progress": open_, "done": done, "not_done": dropped}.get(a.status, []).append(row)
    unmet = tuple(item_id for item_id, met in record.checklist_items.items()
                  if not met and item_id in by_id and by_id[item_id].group in COLLAB_CHECKLISTS)
    returned = max((f.modified[:10] for f in record.files if f.modified), default="")
    return PreviousRound(returned, needs, goals, tuple(open_), tuple(done), tuple(dropped), unmet)

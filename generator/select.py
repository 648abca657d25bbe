"""Select content for a profile: (Profile, Library, Provider) -> Plan. Pure: no I/O, deterministic order."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Optional

from . import __version__
from .library import Conditions, Item, Library
from .plan import ClientInfo, Decision, Entry, Plan, ProviderInfo, Reference, TeamMember
from .profile import Profile, Provider
from .vocab import LANGUAGES, size_band

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


def _check(when: Conditions, facts: _Facts) -> tuple[bool, list[str]]:
    """Check every condition; return whether all hold and one reason per condition (or 'always')."""
    p = facts.profile
    n = p.employees
    results: list[tuple[bool, str]] = []
    if when.size_bands is not None:
        ok = facts.band in when.size_bands
        results.append((ok, facts.say(f"reason.size_bands.{'ok' if ok else 'no'}", employees=n, band=facts.band,
                                      allowed=", ".join(when.size_bands))))
    if when.min_employees is not None:
        ok = n >= when.min_employees
        results.append((ok, facts.say(f"reason.min_employees.{'ok' if ok else 'no'}", employees=n,
                                      limit=when.min_employees)))
    if when.max_employees is not None:
        ok = n <= when.max_employees
        results.append((ok, facts.say(f"reason.max_employees.{'ok' if ok else 'no'}", employees=n,
                                      limit=when.max_employees)))
    if when.contract_scope is not None:
        ok = p.contract_scope in when.contract_scope
        results.append((ok, facts.say(f"reason.contract_scope.{'ok' if ok else 'no'}", actual=facts.scope(p.contract_scope),
                                      allowed=" / ".join(facts.scope(s) for s in when.contract_scope))))
    if when.industry_groups is not None:
        ok = facts.group.id in when.industry_groups
        results.append((ok, facts.say(f"reason.industry_groups.{'ok' if ok else 'no'}",
                                      actual=facts.group_names[facts.group.id], code=p.industry,
                                      allowed=", ".join(facts.group_names.get(g, g) for g in when.industry_groups))))
    if when.work_features is not None:
        hit = [f for f in when.work_features if f in p.work_features]
        results.append((bool(hit), facts.say(f"reason.work_features.{'ok' if hit else 'no'}",
                                             actual=", ".join(facts.feature(f) for f in hit),
                                             allowed=", ".join(facts.feature(f) for f in when.work_features))))
    if when.languages is not None:
        ok = p.language in when.languages
        results.append((ok, facts.say(f"reason.languages.{'ok' if ok else 'no'}", actual=p.language,
                                      allowed=", ".join(when.languages))))
    if not results:
        return True, [facts.say("reason.always")]
    ok = all(r for r, _ in results)
    # A left-out item is explained by the conditions that failed; an included one by all that held.
    return ok, [msg for r, msg in results if r == ok]


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
           provider_id: Optional[str] = None, root: Optional[Path] = None) -> Plan:
    """Decide for every library item whether it belongs in this client's toolkit, and why."""
    facts = _Facts(profile, library)
    county = _county_item(library, profile.wellbeing_county)
    own: dict[str, tuple[bool, list[str]]] = {}
    for item in library.items:
        if item.kind == "county":
            hit = county is not None and item.id == county.id
            own[item.id] = (hit, [facts.say(f"reason.county.{'ok' if hit else 'no'}")])
        else:
            own[item.id] = _check(item.when, facts)
    by_id = library.by_id()
    decisions, entries = [], []
    for item in library.items:
        ok, reasons = own[item.id]
        parent = item.group
        seen = {item.id}
        while ok and parent is not None and parent not in seen:
            seen.add(parent)
            if not own[parent][0]:
                ok, reasons = False, [facts.say("reason.parent.no", parent=parent)]
            parent = by_id[parent].group
        origin = library.workspace_items.get(item.id)
        decisions.append(Decision(item.id, item.kind, ok, tuple(reasons),
                                  facts.say(f"origin.{origin}", file=library.item_files[item.id]) if origin else ""))
        if ok:
            entries.append(_entry(item, facts.lang, "; ".join(reasons)))
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

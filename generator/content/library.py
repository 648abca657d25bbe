"""Load and check the content library: content/**/*.yaml (+ a workspace overlay) -> Library (items, groups, labels)."""

from __future__ import annotations

import difflib
import hashlib
import re
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import InputError, Problem
from ..text import clean_text
from ..vocab import DATA_INDICATORS, LANGUAGES, ContractScope, Language, SizeBand, WorkFeature
from ..yamlio import YamlProblem, read_yaml

ID_PATTERN = r"^[a-z0-9]+(?:[._-][a-z0-9]+)*$"

# Every kind of content item. Renderers ask the Plan for items by kind (and group).
Kind = Literal[
    "about",               # the model itself: purpose, use, credit
    "theme",               # a theme of the model; do_well/avoid items point at one
    "planning_block",      # one of the five blocks of the mental-health part of the action plan
    "planning_point",      # planning guidance
    "example",             # an example practice from the model
    "do_well",             # "do it well" point (group: a theme)
    "avoid",               # "avoid wisely" point (group: a theme)
    "party",               # a side of the collaboration: workplace, OHS, other partners
    "actor",               # a role in the collaboration (group: a party)
    "partner",             # another partner of the collaboration (group: a party)
    "checklist",           # a checklist (title, intro)
    "checklist_item",      # one point of a checklist (group: a checklist)
    "prompt",              # a question put to the users, e.g. the self-assessment tally
    "pathway_level",       # one of the four levels of care (text: title, body: what happens, who: who acts)
    "pathway_care",        # where care takes place at a level under a contract scope (group: a level)
    "stepped_care",        # example of what treatment can mean at a level (group: a level)
    "screening_example",   # a screening instrument, always presented as an example
    "milestone",           # work-ability follow-up milestone (value: days)
    "work_ability",        # work-ability support practice (early support, negotiation, partial allowance...)
    "cycle_phase",         # a phase of the planning cycle
    "cycle_step",          # a step within a phase (group: a phase)
    "evaluation_question", # follow-up question (group: a cycle_step)
    "rule",                # a legal or organisational rule (usually with size or scope conditions)
    "fact",                # a figure or fact with its source
    "load_group",          # official group of psychosocial load factors
    "load_factor",         # a load factor (group: a load_group)
    "resource_group",      # group of resource factors
    "resource_factor",     # a resource factor (group: a resource_group)
    "measure_priority",    # the employer's order of measures (value: rank)
    "industry_note",       # what is known about an industry group, with figures and source
    "contact",             # a contact or number for the care pathway sheet
    "action",              # an example action (group: a planning_block; why, aim, how, who)
    "glossary_term",       # fi/sv/en term (text) with a definition (body)
    "county",              # a wellbeing services county (text: name in each language)
]
KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]


class LangText(BaseModel):
    """A text in Finnish, Swedish and English; all three are required and non-empty."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    fi: str = Field(min_length=1, description="Finnish text (primary language).")
    sv: str = Field(min_length=1, description="Finland-Swedish text.")
    en: str = Field(min_length=1, description="English text.")

    @field_validator("fi", "sv", "en")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        v = " ".join(v.split()) if "\n" not in v.strip() else v.strip()
        if not v.strip():
            raise ValueError("must not be empty")
        return v

    def get(self, lang: str) -> str:
        return getattr(self, lang)


class LangOpt(BaseModel):
    """A text with a Finnish version and optional Swedish and English ones, which fall back to the Finnish."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    fi: str = Field(min_length=1, description="Finnish (or language-neutral) text.")
    sv: Optional[str] = Field(None, min_length=1, description="Swedish text, where it differs.")
    en: Optional[str] = Field(None, min_length=1, description="English text, where it differs.")

    @model_validator(mode="before")
    @classmethod
    def _plain_string(cls, v: Any) -> Any:
        return {"fi": v} if isinstance(v, str) else v

    def get(self, lang: str) -> str:
        return getattr(self, lang, None) or self.fi


def _web_addresses(v: Optional[LangOpt]) -> Optional[LangOpt]:
    for u in (v.fi, v.sv, v.en) if v else ():
        if u is not None and not re.fullmatch(r"https://[^\s<>\"]+", u):
            raise ValueError(f"'{u}' is not a secure web address (https://...)")
    return v


class Source(BaseModel):
    """A bibliography entry (content/reference/sources.yaml) that items cite by id."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=ID_PATTERN, max_length=80, description="Stable id that items cite, e.g. 'law-tthl'.")
    kind: Literal["law", "publication", "web"] = Field(description="What the source is.")
    author: Optional[LangOpt] = Field(None, description="Author or publisher; laws have none.")
    title: LangOpt = Field(description="Title in each language (a translated title in brackets where needed).")
    year: Optional[str] = Field(None, pattern=r"^\d{4}$", description="Year of publication.")
    url: Optional[LangOpt] = Field(None, description="Web address, per language where the source has versions.")
    note: Optional[str] = Field(None, description="For editors: how the source was checked. Never rendered.")

    @field_validator("url")
    @classmethod
    def _url(cls, v: Optional[LangOpt]) -> Optional[LangOpt]:
        return _web_addresses(v)


class Conditions(BaseModel):
    """When an item applies. All given keys must hold; within a list, any value matches. Empty: always."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    size_bands: Optional[tuple[SizeBand, ...]] = Field(None, description="Headcount bands the item applies to.")
    min_employees: Optional[int] = Field(None, ge=1, description="Applies from this headcount up.")
    max_employees: Optional[int] = Field(None, ge=1, description="Applies up to this headcount.")
    contract_scope: Optional[tuple[ContractScope, ...]] = Field(None, description="Contract scopes.")
    industry_groups: Optional[tuple[str, ...]] = Field(None, description="Industry group ids (industries.yaml).")
    work_features: Optional[tuple[WorkFeature, ...]] = Field(None, description="Any of these work features.")
    languages: Optional[tuple[Language, ...]] = Field(None, description="Only in documents in these languages.")

    def is_empty(self) -> bool:
        return all(getattr(self, k) is None for k in type(self).model_fields)


class Item(BaseModel):
    """One content item: a stable id, a kind, text in fi/sv/en, a source and applicability conditions."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=ID_PATTERN, max_length=80, description="Stable id, e.g. 'collab.check.roles-named'.")
    kind: Kind = Field(description="What the item is; decides where it appears.")
    group: Optional[str] = Field(None, pattern=ID_PATTERN, description="Id of the item this one belongs to.")
    text: LangText = Field(description="The main text (a title for kinds that have a body).")
    body: Optional[LangText] = Field(None, description="Longer explanation.")
    consequence: Optional[LangText] = Field(None, description="Checklist items: what follows when it holds.")
    why: Optional[LangText] = Field(None, description="Actions: the need behind the action.")
    aim: Optional[LangText] = Field(None, description="Actions: what the action aims at.")
    how: Optional[LangText] = Field(None, description="Actions: how it is done.")
    who: Optional[LangText] = Field(None, description="Actions: who is responsible at the workplace; levels: who acts.")
    who_ohs: Optional[LangText] = Field(None, description="Actions: who is responsible in occupational health care.")
    when_text: Optional[LangText] = Field(None, description="Actions: a suggested schedule or recurrence.")
    metric: Optional[LangText] = Field(None, description="Actions: how progress or effect is measured.")
    value: Optional[str] = Field(None, description="A value that is not translated: number, phone, URL, figure.")
    url: Optional[LangOpt] = Field(None, description="A web address, per language where the page has versions "
                                                     "(sv and en fall back to fi), e.g. a county's service page.")
    refs: tuple[str, ...] = Field((), description="Ids of related items.")
    addresses: tuple[str, ...] = Field((), description="Actions: what the action answers in a client's needs "
                                       "data: indicators (absence_days_per_person_year, mental_health_absence_share, "
                                       "kela_90_day_notifications) and load or resource factors or groups. A need "
                                       "the data suggests names the plan's actions that address it.")
    cite: tuple[str, ...] = Field(min_length=1, description="Ids of the sources (sources.yaml) the item rests on.")
    note: Optional[str] = Field(None, description="For editors: research trail, what was checked. Never rendered.")
    when: Conditions = Field(default_factory=Conditions, description="Applicability conditions.")

    @field_validator("url")
    @classmethod
    def _url(cls, v: Optional[LangOpt]) -> Optional[LangOpt]:
        return _web_addresses(v)

    @field_validator("refs", "addresses")
    @classmethod
    def _ref_ids(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for r in v:
            if not re.match(ID_PATTERN, r):
                raise ValueError(f"'{r}' is not a valid item id")
        return v


class IndustryGroup(BaseModel):
    """A named group of TOL 2008 codes; the longest matching prefix decides a profile's group."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=ID_PATTERN)
    name: LangText
    tol_prefixes: tuple[str, ...] = Field(description="TOL code prefixes, digits only, e.g. '86', '8891'.")
    cite: tuple[str, ...] = Field(min_length=1, description="Ids of the sources of the grouping.")
    note: Optional[str] = Field(None, description="For editors. Never rendered.")

    @field_validator("tol_prefixes")
    @classmethod
    def _digits(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for p in v:
            if not re.fullmatch(r"\d{0,5}", p):
                raise ValueError(f"'{p}' is not a TOL prefix (0-5 digits, no dots)")
        return v


class Label(BaseModel):
    """A user-interface string of the templates in fi/sv/en."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    fi: str = Field(min_length=1)
    sv: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return getattr(self, lang)


@dataclass(frozen=True)
class Library:
    """The loaded content library: items in file order, industry groups, labels and per-file hashes."""

    items: tuple[Item, ...]
    industry_groups: tuple[IndustryGroup, ...]
    labels: dict[str, Label]
    sources: dict[str, Source] = field(default_factory=dict)  # bibliography, by id, in file order
    item_files: dict[str, str] = field(default_factory=dict)   # item id -> file it came from (as shown)
    file_hashes: dict[str, str] = field(default_factory=dict)  # library file (content/..., templates/...) -> sha256
    version: str = ""  # fingerprint of the library's own files: equal versions, identical content
    workspace_items: dict[str, str] = field(default_factory=dict)   # item id -> "added" | "replaced"
    workspace_hashes: dict[str, str] = field(default_factory=dict)  # overlay file (as shown) -> sha256

    def by_id(self) -> dict[str, Item]:
        return {i.id: i for i in self.items}

    def counties(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.kind == "county")

    def industry_group_for(self, tol_digits: str) -> IndustryGroup:
        """Return the group whose longest prefix matches the code; the '' prefix is the general group."""
        best, best_len = None, -1
        for g in self.industry_groups:
            for p in g.tol_prefixes:
                if tol_digits.startswith(p) and len(p) > best_len:
                    best, best_len = g, len(p)
        if best is None:
            raise LookupError(f"no industry group matches TOL {tol_digits}; content needs a group with prefix ''")
        return best


def _fmt_loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _item_id_words(value: str) -> str:
    return f"must be lowercase letters and digits, in parts joined by '.', '_' or '-' (got {value!r})"


def pydantic_problems(path: str, exc: ValidationError, prefix: str = "",
                      patterns: Optional[dict[str, Callable[[str], str]]] = None) -> list[Problem]:
    """Turn a pydantic ValidationError into one Problem per error, with allowed values where known.

    patterns: regular expression -> what a value that does not match it is told, in words (default: item ids).
    """
    patterns = patterns if patterns is not None else {ID_PATTERN: _item_id_words}
    problems = []
    for err in exc.errors():
        loc = _fmt_loc(err["loc"])
        fieldname = f"{prefix}{'.' if prefix and loc else ''}{loc}"
        msg = err["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown field"
        elif err["type"] == "string_pattern_mismatch" and err.get("ctx", {}).get("pattern") in patterns:
            msg = patterns[err["ctx"]["pattern"]](err["input"])
        elif err["type"] == "literal_error":
            msg = f"{msg}" + (f" (got {err['input']!r})" if not isinstance(err.get("input"), (dict, list)) else "")
        problems.append(Problem(path, fieldname, msg))
    return problems


def nearest(value: str, allowed: list[str] | tuple[str, ...]) -> str:
    """Return ' Did you mean X?' for a near match, else ''."""
    m = difflib.get_close_matches(str(value), list(allowed), n=1, cutoff=0.6)
    return f" Did you mean '{m[0]}'?" if m else ""


def load_library(root: Path, labels_dir: Path | None = None, overlay: Path | None = None,
                 overlay_labels: Path | None = None, shown: Callable[[Path], str] | None = None,
                 printable: Optional[frozenset[int]] = None) -> Library:
    """Load every content file under root, then a workspace's overlay; check the whole; raise InputError.

    overlay is a workspace's content/ folder: its items/*.yaml add items, or replace the library's item
    with the same id, and its reference/sources.yaml adds bibliography entries. overlay_labels is its
    templates/labels/ folder: labels that replace the library's. shown turns a path into the form users
    see (default: relative to root's parent); printable, the code points the fonts cover, limits the overlay's
    texts as it limits profiles'.
    """
    root = Path(root)
    show = shown or (lambda p: p.relative_to(root.parent).as_posix())
    problems: list[Problem] = []
    items: list[Item] = []
    groups: list[IndustryGroup] = []
    sources: dict[str, Source] = {}
    item_files: dict[str, str] = {}
    files = _yaml_files(root)
    if not files:
        raise InputError([Problem(str(root), "", "no content files (*.yaml) found")], "content")
    hashes = library_hashes(root, labels_dir)
    for path in files:
        rel = show(path)
        try:
            data = read_yaml(path, rel, trusted=True)  # the library's own files
        except YamlProblem as exc:
            problems.append(exc.problem)
            continue
        if path.name == "industries.yaml":
            groups.extend(_load_list(data, rel, IndustryGroup, problems, "industry_groups"))
            continue
        if path.name == "sources.yaml":
            for src in _load_list(data, rel, Source, problems, "sources"):
                if src.id in sources:
                    problems.append(Problem(rel, src.id, "duplicate source id"))
                sources[src.id] = src
            continue
        for item in _load_list(data, rel, Item, problems, "items"):
            if item.id in item_files:
                problems.append(Problem(rel, f"{item.id}", f"duplicate id (first in {item_files[item.id]})"))
                continue
            item_files[item.id] = rel
            items.append(item)
    labels: dict[str, Label] = {}
    label_files: dict[str, str] = {}
    if labels_dir is not None:
        for lpath in sorted(Path(labels_dir).glob("*.yaml")):
            _load_labels(lpath, show(lpath), problems, labels, label_files, trusted=True)
    _check_whole(items, groups, item_files, problems)
    _check_citations(items, groups, sources, item_files, problems)
    origins: dict[str, str] = {}
    overlay_hashes: dict[str, str] = {}
    own: list[Problem] = []
    if overlay is not None and overlay.is_dir():
        origins = _merge_overlay(overlay, show, items, groups, sources, item_files, own, overlay_hashes, printable)
    if overlay_labels is not None and overlay_labels.is_dir():
        _override_labels(overlay_labels, show, labels, own, overlay_hashes, printable)
    problems += _capped_per_file(own)
    if problems:
        raise InputError(problems, "content")
    return Library(tuple(items), tuple(groups), labels, sources, item_files, hashes, fingerprint(hashes), origins,
                   overlay_hashes)


MAX_PROBLEMS = 20  # per workspace file, as for profiles: a broken or hostile file cannot flood the output


def _capped_per_file(problems: list[Problem]) -> list[Problem]:
    kept: list[Problem] = []
    count: dict[str, int] = {}
    for p in problems:
        count[p.path] = count.get(p.path, 0) + 1
        if count[p.path] <= MAX_PROBLEMS:
            kept.append(p)
    return kept + [Problem(path, "", f"... and {n - MAX_PROBLEMS} more problems in this file")
                   for path, n in count.items() if n > MAX_PROBLEMS]


def _yaml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def library_hashes(root: Path, labels_dir: Path | None = None) -> dict[str, str]:
    """sha256 of every library file, keyed by its path from the folder above content/ (the same wherever the
    tool is installed, so equal content has an equal version)."""
    root = Path(root)
    names = {p: p.relative_to(root.parent).as_posix() for p in _yaml_files(root)}
    if labels_dir is not None:
        names.update({p: "/".join(p.parts[-3:]) for p in sorted(Path(labels_dir).glob("*.yaml"))})
    return {name: hashlib.sha256(p.read_bytes()).hexdigest() for p, name in names.items()}


def fingerprint(hashes: dict[str, str]) -> str:
    """The content version: 12 hex digits of one hash over every file's name and hash."""
    return hashlib.sha256("".join(f"{k}{v}" for k, v in sorted(hashes.items())).encode()).hexdigest()[:12]


def _merge_overlay(folder: Path, show: Callable[[Path], str], items: list[Item], groups: list[IndustryGroup],
                   sources: dict[str, Source], item_files: dict[str, str], problems: list[Problem],
                   hashes: dict[str, str], printable: Optional[frozenset[int]]) -> dict[str, str]:
    """Merge a workspace's content/ into the library; return item id -> 'added' | 'replaced'.

    A known id replaces the library's item where it stands, so the documents keep their order; a new id is
    added after the library's items. A replacement keeps the item's kind: renderers rely on the kinds of
    fixed ids. New bibliography entries come from content/reference/sources.yaml. The workspace's files get
    the checks profiles get (no links out of their folder, no control characters).
    """
    if (folder / "reference" / "industries.yaml").is_file():
        problems.append(Problem(show(folder / "reference" / "industries.yaml"), "", "the workspace's content/ is a "
                                "whole content library; keep only your own items in content/items/, or build with "
                                "that library as a checkout of the tool: --root DIR"))
        return {}
    position = {item.id: n for n, item in enumerate(items)}
    origins: dict[str, str] = {}
    own_sources: dict[str, str] = {}  # source id -> file
    for path in _yaml_files(folder):
        rel = show(path)
        where = path.parent.relative_to(folder).as_posix()
        if (where, path.name) == ("reference", "sources.yaml"):
            data = _read_workspace_file(path, path.parent, rel, problems, hashes)
            for src in _load_list(data, rel, Source, problems, "sources") if data is not None else ():
                _add_source(src, rel, sources, own_sources, problems, printable)
            continue
        if where != "items":
            problems.append(Problem(rel, "", "not read: a workspace's content/ holds items/*.yaml and "
                                             "reference/sources.yaml; industry groups and counties come with the tool"))
            continue
        data = _read_workspace_file(path, path.parent, rel, problems, hashes)
        for item in _load_list(data, rel, Item, problems, "items") if data is not None else ():
            origin = _merge_item(item, rel, items, position, origins, item_files, problems, printable)
            if origin:
                origins[item.id], item_files[item.id] = origin, rel
    merged = [i for i in items if i.id in origins]
    _check_whole(merged, groups, item_files, problems, universe=items)
    _check_own_citations(merged, sources, own_sources, item_files, items, problems)
    return origins


def _merge_item(item: Item, rel: str, items: list[Item], position: dict[str, int], origins: dict[str, str],
                item_files: dict[str, str], problems: list[Problem], printable: Optional[frozenset[int]]) -> str:
    """Put a workspace item into items; return 'added', 'replaced', or '' after recording a problem."""
    unsafe = _unsafe_text(item.model_dump(), item.id, printable)
    if unsafe:
        problems.append(Problem(rel, unsafe.field, unsafe.message))
    elif item.id in origins:
        problems.append(Problem(rel, item.id, f"duplicate id (first in {item_files[item.id]})"))
    elif item.id not in position:
        items.append(item)
        return "added"
    elif items[position[item.id]].kind != item.kind:
        problems.append(Problem(rel, f"{item.id}.kind", f"'{item.kind}' replaces an item of kind "
                                f"'{items[position[item.id]].kind}'; a replacement keeps the kind"))
    else:
        items[position[item.id]] = item
        return "replaced"
    return ""


def _add_source(src: Source, rel: str, sources: dict[str, Source], own: dict[str, str],
                problems: list[Problem], printable: Optional[frozenset[int]]) -> None:
    unsafe = _unsafe_text(src.model_dump(), src.id, printable)
    if unsafe:
        problems.append(Problem(rel, unsafe.field, unsafe.message))
    elif src.id in own:
        problems.append(Problem(rel, src.id, "duplicate source id"))
    elif src.id in sources:
        problems.append(Problem(rel, src.id, "the tool's bibliography already has this id; cite it as it is, "
                                             "or give your entry an id of its own"))
    else:
        sources[src.id], own[src.id] = src, rel


def _check_own_citations(merged: list[Item], sources: dict[str, Source], own: dict[str, str],
                         files: dict[str, str], items: list[Item], problems: list[Problem]) -> None:
    """The workspace's items cite known entries, and each of its own entries is cited by some item."""
    known = sorted(sources)
    for item in merged:
        for c in item.cite:
            if c not in sources:
                problems.append(Problem(files[item.id], f"{item.id}.cite", f"unknown source '{c}' (not in the "
                                        f"tool's bibliography or content/reference/sources.yaml).{nearest(c, known)}"))
    cited = {c for item in items for c in item.cite}
    for sid, rel in own.items():
        if sid not in cited:
            problems.append(Problem(rel, sid, "no item cites this source; cite it or remove it"))


def _read_workspace_file(path: Path, folder: Path, rel: str, problems: list[Problem],
                         hashes: dict[str, str]) -> Any:
    """A workspace file's YAML, or None after recording why not (a link out of its folder, bad YAML)."""
    if path.is_symlink() and not path.resolve().is_relative_to(folder.resolve()):
        problems.append(Problem(rel, "", f"is a symbolic link to a file outside {folder.name}/; refused"))
        return None
    try:
        data = read_yaml(path, rel)
    except YamlProblem as exc:
        problems.append(exc.problem)
        return None
    hashes[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return data


def _unsafe_text(value: Any, where: str, printable: Optional[frozenset[int]]) -> Optional[Problem]:
    """A Problem (without its file) for the first text in value that profiles may not hold either: control,
    direction or hiding characters, or characters the vendored fonts cannot print."""
    if isinstance(value, str):
        try:
            if value.strip():  # required texts are checked for emptiness by the models
                clean_text(value, printable)
        except ValueError as exc:
            return Problem("", where, str(exc))
        return None
    parts = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, (list, tuple)) else ()
    for key, sub in parts:
        found = _unsafe_text(sub, f"{where}[{key}]" if isinstance(key, int) else f"{where}.{key}", printable)
        if found:
            return found
    return None


def _override_labels(folder: Path, show: Callable[[Path], str], labels: dict[str, Label], problems: list[Problem],
                     hashes: dict[str, str], printable: Optional[frozenset[int]]) -> None:
    """Replace library labels with a workspace's templates/labels/*.yaml.

    Only known keys, and only with the placeholders the library's label has: a label is formatted with
    str.format, so any other field ({x.__class__}) would be a template built from the workspace's text.
    """
    own: dict[str, Label] = {}
    where: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")):
        rel = show(path)
        if _read_workspace_file(path, folder, rel, problems, hashes) is not None:
            _load_labels(path, rel, problems, own, where)
    for key, label in own.items():
        rel = where[key]
        if key not in labels:
            problems.append(Problem(rel, key, f"unknown label.{nearest(key, sorted(labels))} A workspace can "
                                              "only replace the labels of the tool (templates/labels/)"))
            continue
        unsafe = _unsafe_text(label.model_dump(), key, printable)
        if unsafe:
            problems.append(Problem(rel, unsafe.field, unsafe.message))
            continue
        allowed = set().union(*(_placeholders(labels[key].get(lang)) for lang in LANGUAGES))
        ok = True
        for lang in LANGUAGES:
            try:
                extra = _placeholders(label.get(lang)) - allowed
            except ValueError:
                extra, ok = set(), False
                problems.append(Problem(rel, f"{key}.{lang}", "unbalanced { or }; write {{ and }} for braces"))
            if extra:
                ok = False
                shown = ", ".join("{" + a + "}" for a in sorted(allowed)) or "none"
                problems.append(Problem(rel, f"{key}.{lang}", f"unknown placeholder "
                                        f"{', '.join('{' + e + '}' for e in sorted(extra))} (allowed: {shown})"))
        if ok:
            labels[key] = label


def _placeholders(text: str) -> set[str]:
    """The replacement fields of a label, each with its conversion and format spec (ValueError if malformed)."""
    return {name + (f"!{conv}" if conv else "") + (f":{spec}" if spec else "")
            for _, name, spec, conv in string.Formatter().parse(text) if name is not None}


def _load_list(data: Any, rel: str, model: type[BaseModel], problems: list[Problem], key: str) -> list[Any]:
    if isinstance(data, dict) and set(data) == {key}:
        data = data[key]
    if not isinstance(data, list):
        problems.append(Problem(rel, "", f"expected a list of {key} (or a mapping '{key}: [...]')"))
        return []
    out = []
    for i, raw in enumerate(data):
        ident = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else f"[{i}]"
        try:
            out.append(model.model_validate(raw))
        except ValidationError as exc:
            for p in pydantic_problems(rel, exc, prefix=ident):
                if p.message == "unknown field":
                    allowed = ", ".join(model.model_fields)
                    p = Problem(p.path, p.field, f"unknown field (allowed: {allowed})")
                problems.append(p)
    return out


def _load_labels(path: Path, rel: str, problems: list[Problem], labels: dict[str, Label],
                 where: dict[str, str], trusted: bool = False) -> None:
    try:
        data = read_yaml(path, rel, trusted=trusted)
    except YamlProblem as exc:
        problems.append(exc.problem)
        return
    if not isinstance(data, dict):
        problems.append(Problem(rel, "", "expected a mapping of label keys to {fi, sv, en}"))
        return
    for key, raw in data.items():
        if str(key) in labels:
            problems.append(Problem(rel, str(key), "label defined twice"
                                    + (f" (first in {where[str(key)]})" if str(key) in where else "")))
            continue
        try:
            labels[str(key)] = Label.model_validate(raw)
            where[str(key)] = rel
        except ValidationError as exc:
            problems.extend(pydantic_problems(rel, exc, prefix=str(key)))


def _check_whole(items: list[Item], groups: list[IndustryGroup], files: dict[str, str],
                 problems: list[Problem], universe: Optional[list[Item]] = None) -> None:
    """Cross-file checks: dangling references, unknown industry groups, and what actions say they address."""
    ids = set(files)
    group_ids = [g.id for g in groups]
    factor_kinds = ("load_group", "load_factor", "resource_group", "resource_factor")
    addressable = set(DATA_INDICATORS[:3]) | {i.id for i in universe or items if i.kind in factor_kinds}
    if not groups:
        problems.append(Problem("content", "", "no industry groups: add content/reference/industries.yaml"))
    for item in items:
        where = files[item.id]
        for ref_field, ref in [("group", item.group)] + [("refs", r) for r in item.refs]:
            if ref is not None and ref not in ids:
                problems.append(Problem(where, f"{item.id}.{ref_field}",
                                        f"refers to unknown item '{ref}'.{nearest(ref, sorted(ids))}"))
        for target in item.addresses:
            if target not in addressable:
                problems.append(Problem(where, f"{item.id}.addresses", f"'{target}' is neither a needs-data indicator "
                                        f"({', '.join(DATA_INDICATORS[:3])}) nor a load or resource factor or group."
                                        f"{nearest(target, sorted(addressable))}"))
        if item.addresses and item.kind != "action":
            problems.append(Problem(where, f"{item.id}.addresses", "only actions address needs data"))
        for g in item.when.industry_groups or ():
            if g not in group_ids:
                problems.append(Problem(where, f"{item.id}.when.industry_groups",
                                        f"unknown industry group '{g}' (allowed: {', '.join(group_ids)})"))


def _check_citations(items: list[Item], groups: list[IndustryGroup], sources: dict[str, Source],
                     files: dict[str, str], problems: list[Problem]) -> None:
    """Every cite names a bibliography entry; an entry nothing cites is flagged so the list stays clean."""
    if not sources:
        problems.append(Problem("content", "", "no bibliography: add content/reference/sources.yaml"))
        return
    known = sorted(sources)
    used: set[str] = set()
    for where, ident, cites in ([(files[i.id], i.id, i.cite) for i in items]
                                + [("content/reference/industries.yaml", g.id, g.cite) for g in groups]):
        for c in cites:
            used.add(c)
            if c not in sources:
                problems.append(Problem(where, f"{ident}.cite", f"unknown source '{c}' (not in "
                                        f"content/reference/sources.yaml).{nearest(c, known)}"))
    for sid in known:
        if sid not in used:
            problems.append(Problem("content/reference/sources.yaml", sid, "no item cites this source; "
                                    "cite it or remove it"))


if __name__ == "__main__":  # quick check for content authors: python -m generator.library [content] [labels]
    import sys

    try:
        lib = load_library(Path(sys.argv[1] if len(sys.argv) > 1 else "content"),
                           Path(sys.argv[2] if len(sys.argv) > 2 else "templates/labels"))
    except InputError as err:
        print(err)
        sys.exit(1)
    print(f"content OK: {len(lib.items)} items, {len(lib.labels)} labels, version {lib.version}")

"""The content library's data model: items, industry groups, labels and sources as validated, frozen models."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..vocab import ContractScope, Language, SizeBand, WorkFeature

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


def _item_id_words(value: str) -> str:
    return f"must be lowercase letters and digits, in parts joined by '.', '_' or '-' (got {value!r})"


# What a value that is not an item id is told (errors.pydantic_problems)
ID_WORDS = {ID_PATTERN: _item_id_words}

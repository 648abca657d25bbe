"""Workplace profiles and provider files: YAML -> validated Profile / Provider, with every problem reported."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from ..errors import Problem, capped, nearest, pydantic_problems
from ..text import clean_text
from ..vocab import CONTRACT_SCOPES, LANGUAGES, WORK_FEATURES, ContractScope, Language, WorkFeature
from ..yamlio import Scalar
from .assets import ASSET_DIRS, check_asset
from .figures import ClientData
from .hints import yaml_hints

PROFILE_ID = r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$"
PHONE = r"^\+?[0-9 ()-]{5,25}$"
EMAIL = r"^[^@\s<>\"]+@[^@\s<>\"]+\.[a-z]{2,}$"
WEB = r"^https://[^\s<>\"]+$"
COLOUR = r"^#[0-9A-Fa-f]{6}$"
MAX_TEXT = 200
# TOL 2008 divisions (the first two digits of a code).
TOL_DIVISIONS = frozenset(
    [f"{d:02d}" for d in (1, 2, 3, 5, 6, 7, 8, 9)] + [str(d) for d in range(10, 34)]
    + ["35", "36", "37", "38", "39", "41", "42", "43", "45", "46", "47", "49", "50", "51", "52", "53", "55", "56",
       "58", "59", "60", "61", "62", "63", "64", "65", "66", "68", "69", "70", "71", "72", "73", "74", "75", "77",
       "78", "79", "80", "81", "82", "84", "85", "86", "87", "88", "90", "91", "92", "93", "94", "95", "96", "97",
       "98", "99"])


def _id_words(value: str) -> str:
    lower = value.lower()
    hint = f"; did you mean '{lower}'?" if lower != value and re.match(PROFILE_ID, lower) else ""
    return ("must be lowercase letters, digits and hyphens, 1-64 characters, not starting or ending with a "
            f"hyphen (got {value!r}){hint}")


# What a value that does not match a pattern is told, in words rather than as the regular expression.
PATTERN_WORDS = {
    PROFILE_ID: _id_words,
    PHONE: lambda v: f"must be a phone number: digits, spaces, brackets and hyphens, 5-25 characters, optionally "
                     f"starting with + (got {v!r})",
    EMAIL: lambda v: f"must be an e-mail address such as name@example.fi (got {v!r})",
    WEB: lambda v: f"must be a web address starting with https://, without spaces (got {v!r})",
    COLOUR: lambda v: f"must be a colour written #RRGGBB, e.g. #1F6F5C (got {v!r})",
}


def _text(v: Optional[str], info: ValidationInfo) -> Optional[str]:
    """clean_text with the code points the vendored fonts cover, when the caller passed them as context."""
    return None if v is None else clean_text(v, (info.context or {}).get("printable"))


def business_id_ok(bid: str) -> bool:
    """Check a Finnish business ID (Y-tunnus) 1234567-8 with its modulo-11 check digit."""
    if not re.fullmatch(r"\d{7}-\d", bid):
        return False
    total = sum(int(d) * w for d, w in zip(bid[:7], (7, 9, 10, 5, 8, 4, 2)))
    rem = total % 11
    if rem == 1:
        return False
    return int(bid[8]) == (0 if rem == 0 else 11 - rem)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Client(_Strict):
    """The client workplace."""

    name: str = Field(max_length=MAX_TEXT, description="Name of the client workplace as shown in the documents.")
    business_id: Optional[str] = Field(None, description="Finnish business ID (Y-tunnus), e.g. 1234567-1.")

    _name = field_validator("name")(lambda cls, v, info: _text(v, info))

    @field_validator("business_id")
    @classmethod
    def _bid(cls, v: Optional[str]) -> Optional[str]:
        if v is not None and not business_id_ok(v):
            raise ValueError(f"'{v}' is not a valid Finnish business ID (format 1234567-8, with a valid check digit)")
        return v


class PlanPeriod(_Strict):
    """The period the action plan covers."""

    start: dt.date = Field(description="First day, YYYY-MM-DD.")
    end: dt.date = Field(description="Last day, YYYY-MM-DD; after start.")

    @model_validator(mode="after")
    def _order(self) -> "PlanPeriod":
        if self.end <= self.start:
            raise ValueError(f"end {self.end} must be after start {self.start}")
        return self


class Profile(_Strict):
    """One client workplace: what selection needs to tailor the toolkit."""

    id: str = Field(pattern=PROFILE_ID, description="[a-z0-9-], 1-64 chars, unique; names the folder out/<id>/.")
    client: Client = Field(description="The client workplace.")
    industry: str = Field(description='TOL 2008 code: division "87" or finer ("87.1", "87.10", "87100"). Quote it.')
    employees: int = Field(ge=1, le=1_000_000, description="Headcount, integer >= 1.")
    contract_scope: ContractScope = Field(description="preventive_only | with_medical_care (Kela class I / I+II).")
    language: Language = Field("fi", description="Language of the toolkit: fi | sv | en.")
    wellbeing_county: Optional[str] = Field(
        None, description="Wellbeing services county (or Helsinki), Finnish or Swedish name.")
    work_features: tuple[WorkFeature, ...] = Field((), description="Features of the work: " + ", ".join(WORK_FEATURES))
    plan_period: Optional[PlanPeriod] = Field(None, description="Period of the action plan.")
    provider: Optional[str] = Field(None, pattern=PROFILE_ID, description="Provider file profiles/providers/<id>.yaml.")

    @field_validator("industry", mode="before")
    @classmethod
    def _industry(cls, v: Any) -> Any:
        if isinstance(v, bool):
            raise ValueError("must be a TOL 2008 code in quotes, e.g. \"87.10\"")
        if isinstance(v, float):  # the text as written (87.10, not 87.1) is in the message yaml_hints makes
            raise ValueError('write the TOL code in quotes (e.g. "87.10") so YAML keeps it as text')
        if isinstance(v, int):
            v = f"{v:02d}"
        if not isinstance(v, str):
            raise ValueError('must be a TOL 2008 code, e.g. "87.10"')
        m = re.fullmatch(r"(\d{2})(?:\.?(\d{1,3}))?", v.strip())
        if not m:
            raise ValueError(f'\'{v}\' is not a TOL 2008 code (allowed forms: "87", "87.1", "87.10", "87100")')
        if m.group(1) not in TOL_DIVISIONS:
            near = sorted(TOL_DIVISIONS, key=lambda d: abs(int(d) - int(m.group(1))))[:3]
            raise ValueError(f"'{m.group(1)}' is not a TOL 2008 division (nearest: {', '.join(sorted(near))})")
        return v.strip()

    @field_validator("employees", mode="before")
    @classmethod
    def _headcount(cls, v: Any) -> Any:
        if isinstance(v, bool):  # YAML yes/true would otherwise count as 1 employee
            raise ValueError(f"must be a whole number of employees, not {v!r}")
        return v

    @field_validator("work_features", mode="before")
    @classmethod
    def _count(cls, v: Any) -> Any:
        if isinstance(v, str):
            raise ValueError(f"must be a list, e.g. [{v}] or [shift_work, lone_work]")
        if isinstance(v, (list, tuple)) and len(v) > len(WORK_FEATURES):
            raise ValueError(f"lists {len(v)} entries, but there are only {len(WORK_FEATURES)} work features: "
                             + ", ".join(WORK_FEATURES))
        return v

    @field_validator("work_features")
    @classmethod
    def _unique(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        dup = sorted({f for f in v if v.count(f) > 1})
        if dup:
            raise ValueError(f"listed twice: {', '.join(dup)}")
        return v

    @field_validator("wellbeing_county")
    @classmethod
    def _county(cls, v: Optional[str], info: ValidationInfo) -> Optional[str]:
        if v is None:
            return v
        v = clean_text(v)
        names: dict[str, str] = (info.context or {}).get("counties", {})
        if names and v.casefold() not in names:
            canon = sorted({n for n in names.values()})
            hint = nearest(v, canon)
            raise ValueError(f"unknown wellbeing services county '{v}'.{hint} "
                             f"Allowed: the 21 counties and Helsinki, Finnish or Swedish name (see `toolkit schema`)")
        return v

    @property
    def tol_digits(self) -> str:
        return self.industry.replace(".", "")


class TeamMember(_Strict):
    """A member of the provider's OHS team for this client."""

    role: str = Field(max_length=MAX_TEXT, description="E.g. Työterveyshoitaja / OH nurse.")
    name: Optional[str] = Field(None, max_length=MAX_TEXT, description="Person's name.")
    contact: Optional[str] = Field(None, max_length=MAX_TEXT, description="Phone or e-mail.")

    _clean = field_validator("role", "name", "contact")(lambda cls, v, info: _text(v, info))


class ProviderContact(_Strict):
    """How clients reach the provider."""

    phone: Optional[str] = Field(None, pattern=PHONE, description="Phone number.")
    email: Optional[str] = Field(None, pattern=EMAIL, description="E-mail.")
    web: Optional[str] = Field(None, pattern=WEB, description="Web address (https://...).")

    _clean = field_validator("email", "web")(lambda cls, v, info: _text(v, info))


class Provider(_Strict):
    """An occupational health service provider: contact, team, branding."""

    name: str = Field(max_length=MAX_TEXT, description="Provider's name as shown in the documents.")
    contact: ProviderContact = Field(default_factory=ProviderContact, description="Phone, e-mail, web.")
    team: tuple[TeamMember, ...] = Field((), max_length=30, description="OHS team members (optional).")
    brand_colour: Optional[str] = Field(None, pattern=COLOUR,
                                        description="Brand colour, #RRGGBB, for headings and table headers. "
                                                    "Unset: the toolkit's default, or a base document's own "
                                                    "colours when base_docx is given.")
    logo: Optional[str] = Field(None, description=f"Logo (PNG, JPEG or SVG) under {' or '.join(ASSET_DIRS)}.")
    base_docx: Optional[str] = Field(None, description=f"Base .docx whose styles the Word output uses, under "
                                                       f"{' or '.join(ASSET_DIRS)}.")
    plan_editing: Literal["open", "fill_in_only"] = Field(
        "open", description="Word plan: 'open' (default) lets people edit everything; 'fill_in_only' turns on "
                            "Word's filling-in-forms restriction, so only the fill-in fields can be changed.")

    _name = field_validator("name")(lambda cls, v, info: _text(v, info))

    @field_validator("logo", "base_docx")
    @classmethod
    def _asset(cls, v: Optional[str], info: ValidationInfo) -> Optional[str]:
        if v is None:
            return v
        root: Optional[Path] = (info.context or {}).get("root")
        suffixes = (".png", ".jpg", ".jpeg", ".svg") if info.field_name == "logo" else (".docx",)
        return check_asset(v, root, suffixes)


@dataclass(frozen=True)
class LoadedProfile:
    """A valid profile with its provider (if any), where it came from, and the client's needs data (if any)."""

    path: str  # as users see it: profiles/acme.yaml, or `asiakkaat.xlsx: row 9` for a row of a register
    profile: Profile
    provider: Optional[Provider]
    provider_path: Optional[str]
    file: Optional[str] = None    # the register a row came from; None when path is the profile's own file
    digest: Optional[str] = None  # sha256 of a register row's values, its build key; None: the file's bytes
    data: Optional[ClientData] = None  # the client's figures and peer medians (--data FILE)

    @property
    def source(self) -> str:
        """The file this client was read from (a whole register for a row): what its depfile names."""
        return self.file or self.path


def _literal_hints(problems: list[Problem], raw: Any) -> list[Problem]:
    """Add the nearest allowed value to errors on scope, language and features."""
    out = []
    for p in problems:
        msg = p.message
        if p.field == "contract_scope" and isinstance(raw, dict):
            msg += nearest(str(raw.get("contract_scope")), CONTRACT_SCOPES)
        elif p.field == "language" and isinstance(raw, dict):
            msg += nearest(str(raw.get("language")), LANGUAGES)
        elif p.field.startswith("work_features[") and isinstance(raw, dict):
            idx = int(p.field[len("work_features["):-1])
            try:
                got = raw["work_features"][idx]
                msg = f"unknown work feature {got!r}.{nearest(str(got), WORK_FEATURES)} Allowed: {', '.join(WORK_FEATURES)}"
            except (IndexError, KeyError, TypeError):
                pass
        elif p.message == "unknown field":
            model_fields = _fields_for(p.field)
            msg = f"unknown field.{nearest(p.field.rsplit('.', 1)[-1], model_fields)} Allowed: {', '.join(model_fields)}"
        out.append(Problem(p.path, p.field, msg))
    return out


def _fields_for(loc: str) -> list[str]:
    parts = loc.split(".")
    model: type[BaseModel] = Profile
    for part in parts[:-1]:
        part = part.split("[")[0]
        sub = {"client": Client, "plan_period": PlanPeriod, "contact": ProviderContact, "team": TeamMember}.get(part)
        if sub is None:
            break
        model = sub
    if model is Profile and parts[0] in Provider.model_fields and parts[0] not in Profile.model_fields:
        model = Provider
    return list(model.model_fields)


def validate_profile(raw: Any, shown: str, counties: dict[str, str], printable: Optional[frozenset[int]] = None,
                     scalars: Optional[dict[str, Scalar]] = None) -> tuple[Optional[Profile], list[Problem]]:
    """Validate parsed YAML as a Profile; return it or the problems. printable: code points the fonts cover;
    scalars: the unquoted values YAML read as non-text (yamlio.read_yaml_scalars)."""
    if not isinstance(raw, dict):
        kind = "empty" if raw is None else type(raw).__name__
        return None, [Problem(shown, "", f"expected a mapping of profile fields, got {kind}")]
    try:
        profile, problems = Profile.model_validate(raw, context={"counties": counties, "printable": printable}), []
    except ValidationError as exc:
        profile, problems = None, _literal_hints(capped(pydantic_problems(shown, exc, patterns=PATTERN_WORDS)), raw)
    problems = yaml_hints(problems, scalars or {}, Profile, shown, {"industry": "the TOL code"})
    return (None if problems else profile), problems


def validate_provider(raw: Any, shown: str, root: Optional[Path], printable: Optional[frozenset[int]] = None,
                      scalars: Optional[dict[str, Scalar]] = None) -> tuple[Optional[Provider], list[Problem]]:
    """Validate parsed YAML as a Provider; return it or the problems. printable: code points the fonts cover;
    scalars: the unquoted values YAML read as non-text (yamlio.read_yaml_scalars)."""
    if not isinstance(raw, dict):
        kind = "empty" if raw is None else type(raw).__name__
        return None, [Problem(shown, "", f"expected a mapping of provider fields, got {kind}")]
    try:
        provider, problems = Provider.model_validate(raw, context={"root": root, "printable": printable}), []
    except ValidationError as exc:
        provider, problems = None, [
            Problem(p.path, p.field, p.message if p.message != "unknown field" else
                    f"unknown field. Allowed: {', '.join(_provider_fields(p.field))}")
            for p in capped(pydantic_problems(shown, exc, patterns=PATTERN_WORDS))]
    problems = yaml_hints(problems, scalars or {}, Provider, shown)
    return (None if problems else provider), problems


def _provider_fields(loc: str) -> list[str]:
    head = loc.split(".")[0].split("[")[0]
    sub = {"contact": ProviderContact, "team": TeamMember}.get(head) if "." in loc else None
    return list((sub or Provider).model_fields)

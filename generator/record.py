"""A client's record: what came back in the filled toolkit (plan and checklists), validated like a profile.

Written by `toolkit collect` as RECORDS/<client id>.json and read by the follow-up report, the provider summary
and `toolkit build --previous`. Its JSON Schema is `toolkit schema --kind record`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import InputError, Problem, capped
from .vocab import ActionStatus

RECORD_SCHEMA = "mielenterveys-toolkit/record/1"
Status = Literal[ActionStatus, ""]  # "": not chosen, or not a status the plan offers


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceFile(_Strict):
    """One returned file the record was read from."""

    kind: Literal["action-plan", "checklists"] = Field(description="Which document of the toolkit.")
    file: str = Field(description="The file as it was found (shown relative to where collect was run).")
    sha256: str = Field(description="Hash of the file's bytes.")
    modified: str = Field("", description="The document's own last-modified time (ISO 8601), if it records one.")
    revision: int = Field(0, description="The document's save count (Word, LibreOffice) or number of PDF updates.")
    generator: str = Field("", description="The generator version that built the document.")
    content: str = Field("", description="The content version the document was built from.")


class Need(_Strict):
    id: str = Field(description="need.<n>, or need.user<k> for a row a user added.")
    need: str = ""
    evidence: str = ""


class Goal(_Strict):
    id: str = Field(description="goal.<n>, or goal.user<k> for a row a user added.")
    number: str = Field("", description="The number shown in the plan (T1, M1, G1), which actions refer to.")
    need: str = Field("", description="The need it serves: N1… or free text.")
    goal: str = ""
    metric: str = ""
    baseline: str = ""
    target: str = ""
    latest: str = Field("", description="The latest measurement, filled in at follow-up.")


class Action(_Strict):
    id: str = Field(description="The action's content id (prefilled), action.<block>.new<k> (an empty row of "
                                "the plan) or actions.<block>.user<k> (a row a user added).")
    block: str = Field(description="The planning block: community, prevention, resources, supervisors, "
                                   "supervisor-ohs.")
    origin: Literal["example", "empty-row", "user-row"] = Field(description="Where the row came from.")
    need: str = ""
    goal: str = ""
    what: str = ""
    owner_workplace: str = ""
    owner_ohs: str = ""
    when: str = ""
    metric: str = ""
    status: Status = Field("", description="suggested: a prefilled example nobody agreed on; '': no status.")


class Record(_Strict):
    """Everything read back for one client; values are what people typed ('' where nothing was filled in)."""

    schema_: str = Field(RECORD_SCHEMA, alias="schema", description="The record format and its version.")
    client: str = Field(description="The client's profile id, read from the documents (never the file name).")
    language: str = Field("", description="The documents' language.")
    files: tuple[SourceFile, ...] = Field(description="The returned files this record was read from.")
    superseded: tuple[SourceFile, ...] = Field((), description="Older returned versions that were not used.")
    fields: dict[str, str] = Field(default_factory=dict, description="Every fill-in field of the plan by tag "
                                   "(docs/docx-tags.md): text as typed, dates as YYYY-MM-DD, check boxes as "
                                   "'1'/'0', lists by value.")
    needs: tuple[Need, ...] = ()
    goals: tuple[Goal, ...] = ()
    actions: tuple[Action, ...] = ()
    checklist_items: dict[str, bool] = Field(default_factory=dict, description="Checklist item id -> met, from "
                                             "the checklists PDF where it came back, else from the plan.")
    checklist_texts: dict[str, str] = Field(default_factory=dict, description="Text fields of the checklists PDF "
                                            "by name: evaluation answers (question id), notes (<checklist>.notes).")
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def has(self, kind: str) -> bool:
        return any(f.kind == kind for f in self.files)

    def to_json(self) -> str:
        return json.dumps(self.model_dump(by_alias=True, mode="json"), indent=2, ensure_ascii=False,
                          sort_keys=False) + "\n"


def load_record(path: Path) -> Record:
    """Read RECORDS/<id>.json; InputError naming the file and the field when it is not a valid record."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError([Problem(str(path), "", f"cannot read the record: {exc}")], "records") from None
    try:
        return Record.model_validate(data)
    except ValidationError as exc:
        problems = [Problem(str(path), ".".join(str(x) for x in e["loc"]), e["msg"]) for e in exc.errors()]
        raise InputError(capped(problems), "records") from None


def record_schema() -> dict:
    schema = Record.model_json_schema(by_alias=True)
    schema["$id"] = RECORD_SCHEMA
    return schema

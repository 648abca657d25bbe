"""JSON Schema of profile and provider files, with the county names from the content library."""

from __future__ import annotations

from ..content import Library
from .profile import Profile, Provider


def schemas(library: Library) -> dict:
    """Return {'profile': ..., 'provider': ...} JSON Schemas for YAML editors (county names from library)."""
    profile = Profile.model_json_schema()
    names = sorted({c.text.fi for c in library.counties()} | {c.text.sv for c in library.counties()})
    county = profile["properties"]["wellbeing_county"]
    county["anyOf"] = [{"type": "string", "enum": names}, {"type": "null"}]
    profile["title"] = "Workplace profile"
    profile["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    provider = Provider.model_json_schema()
    provider["title"] = "OHS provider file"
    provider["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return {"profile": profile, "provider": provider}


def data_schema(library: Library) -> dict:
    """The JSON Schema of one row of a needs data file, with every indicator, its unit and its rule."""
    from .figures import MIN_N, MIN_PEERS, indicators
    from .needs import PERIOD
    from .profile import PROFILE_ID

    known = indicators(library)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Needs data row (toolkit build --data FILE)",
        "description": "One row of a needs data file (.csv or .xlsx, long format). The file has exactly these "
                       "columns; any other column, or a value that looks like a personal identity code, refuses "
                       f"the whole file. A figure with an anonymity floor and n < {MIN_N} is never shown; a peer "
                       f"median is shown only over at least {MIN_PEERS} other clients of the same industry group.",
        "type": "object",
        "additionalProperties": False,
        "required": ["client_id", "indicator", "period", "value"],
        "properties": {
            "client_id": {"type": "string", "pattern": PROFILE_ID, "description": "The client's profile id."},
            "indicator": {"enum": list(known), "description": "What the figure measures (x-indicators)."},
            "period": {"type": "string", "pattern": f"^{PERIOD.pattern}$",
                       "description": "The period, starting with the year: 2026, 2026-H1, 2025-07/2026-06. The "
                                      "latest period of each indicator is used; peers are compared within it."},
            "value": {"type": "number", "minimum": 0, "description": "The figure, in the indicator's unit "
                                                                     "(a decimal comma is fine)."},
            "n": {"type": "integer", "minimum": 0, "description": "How many the figure rests on (x-indicators)."},
        },
        "x-indicators": [{"id": i.id, "unit": i.unit, "n": i.n, "n_required": i.floor,
                          "anonymity_floor": MIN_N if i.floor else None, "suggests_a_need": _rule(i),
                          "description": i.description} for i in known.values()],
    }


def _rule(i) -> str:
    """When a figure of the indicator suggests a need, in words."""
    if i.id == "survey.response_rate":
        return "never on its own; under 50 % it is noted in the evidence of the survey's needs"
    beyond = "at or above" if i.worse == "higher" else "below"
    parts = [f"{beyond} {i.limit:g}{' %' if i.unit == 'percent' else ''}"] if i.limit is not None else []
    if i.margin is not None:
        side = "above" if i.worse == "higher" else "below"
        size = f"{i.margin * 100:g} %" if i.relative else f"{i.margin:g} percentage points"
        parts.append(f"{size} or more {side} the peer median")
    return ", or ".join(parts)

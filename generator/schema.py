"""JSON Schema of profile and provider files, with the county names from the content library."""

from __future__ import annotations

from .load import Project
from .profile import Profile, Provider


def schemas(project: Project) -> dict:
    """Return {'profile': ..., 'provider': ...} JSON Schemas for YAML editors."""
    library = project.load_library()
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

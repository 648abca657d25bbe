"""Fixed vocabularies shared by profiles, content conditions and the selection engine."""

from __future__ import annotations

from typing import Literal

Language = Literal["fi", "sv", "en"]
LANGUAGES: tuple[str, ...] = ("fi", "sv", "en")
# The language tag each document declares (BCP 47): Finnish and Swedish as written in Finland.
LANG_TAGS: dict[str, str] = {"fi": "fi-FI", "sv": "sv-FI", "en": "en-GB"}

ContractScope = Literal["preventive_only", "with_medical_care"]
CONTRACT_SCOPES: tuple[str, ...] = ("preventive_only", "with_medical_care")

# Work features a profile may list. Each one brings its own checklist items and example actions.
WorkFeature = Literal[
    "shift_work",
    "night_work",
    "lone_work",
    "remote_work",
    "customer_work",
    "customer_violence_risk",
    "emotionally_demanding_work",
    "organisational_change",
    "travel_work",
]
WORK_FEATURES: tuple[str, ...] = WorkFeature.__args__  # type: ignore[attr-defined]

WORK_FEATURE_HELP = {
    "shift_work": "Shift work (periods, evenings, weekends).",
    "night_work": "Regular night work.",
    "lone_work": "Working alone, without colleagues within reach.",
    "remote_work": "Remote or hybrid work for a significant share of the time.",
    "customer_work": "Customer or client service as a core part of the work.",
    "customer_violence_risk": "A threat of violence or aggression from customers or patients.",
    "emotionally_demanding_work": "Work with people in distress, grief or crisis.",
    "organisational_change": "Reorganisation, change negotiations or lay-offs under way or planned.",
    "travel_work": "Frequent travel or work at changing sites.",
}

# Size bands follow the thresholds of Finnish law: OSH representative from 10, OSH committee and the
# Co-operation Act (lighter duties) from 20, the full Co-operation Act from 50.
SizeBand = Literal["1-9", "10-19", "20-49", "50+"]
SIZE_BANDS: tuple[str, ...] = ("1-9", "10-19", "20-49", "50+")


def size_band(employees: int) -> str:
    """Return the size band of a headcount."""
    if employees < 10:
        return "1-9"
    if employees < 20:
        return "10-19"
    if employees < 50:
        return "20-49"
    return "50+"


# Needs data (toolkit build --data FILE): the indicators a data file may hold besides survey.<factor id>, each
# with its unit. Content items name them in `addresses` (an action that answers what the figure shows).
DATA_INDICATORS: tuple[str, ...] = (
    "absence_days_per_person_year",  # sickness-absence days per person-year; n = average headcount
    "mental_health_absence_share",   # % of sickness-absence days with a mental-health diagnosis
    "kela_90_day_notifications",     # Kela's notifications at 90 days of sickness allowance (a count)
    "survey.response_rate",          # % of staff who answered the survey; n = respondents
)
SURVEY_PREFIX = "survey."  # survey.<load or resource factor id>: % of respondents; n = respondents

# The statuses of an action row of the plan, in the order its drop-down offers them (docs/docx-tags.md);
# "suggested" is a prefilled example nobody has agreed on yet (shown as the placeholder).
ActionStatus = Literal["suggested", "planned", "in_progress", "done", "not_done"]
ACTION_STATUSES: tuple[str, ...] = ActionStatus.__args__  # type: ignore[attr-defined]

# The model's evaluation steps, in order: each holds evaluation questions (content items of kind
# evaluation_question grouped under it) that the checklists ask and the follow-up report answers.
EVALUATION_STEPS: tuple[str, ...] = ("cycle.evaluate.implementation", "cycle.evaluate.goals",
                                     "cycle.evaluate.collaboration")

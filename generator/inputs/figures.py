"""Needs-data indicators and a client's figures: what each indicator measures, and when a figure suggests a need.

Plain facts for selection (select/suggest.py): the loading stage (needs.py) turns a data file into each
client's ClientData; nothing here reads files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

from ..vocab import DATA_INDICATORS, SURVEY_PREFIX

if TYPE_CHECKING:
    from ..content import Library

MIN_N = 5       # anonymity floor: a figure from fewer respondents (or people) is never shown or used
MIN_PEERS = 5   # a peer median is shown only over at least this many other workplaces


@dataclass(frozen=True)
class Indicator:
    """What an indicator measures, and when a figure of it suggests a need (published by `toolkit schema
    --kind data` and in docs/needs-data.md)."""

    id: str
    unit: str            # days | percent | count
    source: str          # absence | kela | survey: where such figures come from
    n: str               # what n counts: headcount | people | respondents
    floor: bool          # n is required, and a figure with n < MIN_N is never shown or used
    worse: str           # higher | lower: which way a figure calls for action
    limit: Optional[float] = None   # a need is suggested at this value or beyond it, whatever the peers
    margin: Optional[float] = None  # ... or this far beyond the peer median (percentage points; or relative)
    relative: bool = False          # margin is a fraction of the peer median (0.10: 10 % above it)
    factor: Optional[str] = None    # survey.<factor id>: the load or resource factor
    description: str = ""


FIXED = (
    Indicator("absence_days_per_person_year", "days", "absence", "headcount", False, "higher", margin=0.10,
              relative=True, description="Sickness-absence days per person-year; n = average headcount (optional)."),
    Indicator("mental_health_absence_share", "percent", "absence", "people", True, "higher", margin=5,
              description="Share (%) of sickness-absence days with a mental-health diagnosis; n = the people "
                          "with sickness absence in the period (required: fewer than 5 are not shown)."),
    Indicator("kela_90_day_notifications", "count", "kela", "headcount", False, "higher", limit=1,
              description="Kela's notifications at 90 days of sickness allowance in the period (a count); "
                          "n = average headcount (optional)."),
    Indicator("survey.response_rate", "percent", "survey", "respondents", True, "lower",
              description="Survey response rate (%); n = respondents (required). Shown with the survey "
                          "figures, never a need of its own; under 50 % it is noted in their evidence."),
)
# vocab.DATA_INDICATORS names the same ids for content validation (content/checks.py), which comes before inputs
assert tuple(i.id for i in FIXED) == DATA_INDICATORS
LOAD_LIMIT, RESOURCE_LIMIT, SURVEY_MARGIN = 30.0, 50.0, 10.0
LOW_RESPONSE = 50.0
RANGES = {"percent": (0, 100), "days": (0, 366), "count": (0, 1_000_000)}


def indicators(library: Library) -> dict[str, Indicator]:
    """Every indicator a data file may hold: the fixed ones, then survey.<id> of every load and resource factor
    of the library (the workspace's own included), in library order."""
    out = {i.id: i for i in FIXED}
    for item in library.items:
        if item.kind == "load_factor":
            out[SURVEY_PREFIX + item.id] = Indicator(
                SURVEY_PREFIX + item.id, "percent", "survey", "respondents", True, "higher", limit=LOAD_LIMIT,
                margin=SURVEY_MARGIN, factor=item.id,
                description=f"% of respondents who report '{item.text.en}' as a strain; n = respondents.")
        elif item.kind == "resource_factor":
            out[SURVEY_PREFIX + item.id] = Indicator(
                SURVEY_PREFIX + item.id, "percent", "survey", "respondents", True, "lower", limit=RESOURCE_LIMIT,
                margin=SURVEY_MARGIN, factor=item.id,
                description=f"% of respondents who report '{item.text.en}' as present; n = respondents.")
    return out


@dataclass(frozen=True)
class Figure:
    """A client's latest figure of one indicator, as selection gets it (plain facts, no texts)."""

    indicator: str
    period: str
    value: Optional[float]        # None: under the anonymity floor; the number is not passed on
    n: Optional[int]              # None when hidden, or not given
    hidden: bool
    peer_median: Optional[float]  # None: fewer than MIN_PEERS peers have the indicator for this period
    peers: int                    # how many peers have it (the median is computed only from MIN_PEERS)


@dataclass(frozen=True)
class ClientData:
    """One client's needs data: its figures in indicator order, and the data file they came from."""

    figures: tuple[Figure, ...]
    # The data file as shown; explain names it, client documents never do. Not part of repr (the build key):
    # the figures are, so moving the file rebuilds nothing.
    source: str = field(default="", repr=False, compare=False)


# ---- what a figure suggests ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Assessment:
    """Whether a figure calls for a suggested need, and the rule that decided: a reason key and its value."""

    suggest: bool
    reason: str  # hidden | context | over_limit | under_limit | over_peers | under_peers | within | limit_only
    #              | no_basis (the explain.data.reason.* labels say each in words)
    amount: Optional[float] = None  # the limit, or the margin (a fraction when relative)


def assess(ind: Indicator, fig: Figure) -> Assessment:
    """The toolkit's rule of thumb: a figure suggests a need at or beyond the indicator's attention limit, or
    when it is worse than the peer median by the indicator's margin. Without either it is only shown."""
    if fig.hidden or fig.value is None:
        return Assessment(False, "hidden")
    if ind.id == "survey.response_rate":
        return Assessment(False, "context")
    higher = ind.worse == "higher"
    if ind.limit is not None and (fig.value >= ind.limit if higher else fig.value < ind.limit):
        return Assessment(True, "over_limit" if higher else "under_limit", ind.limit)
    if ind.margin is not None and fig.peer_median is not None:
        gap = fig.value - fig.peer_median if higher else fig.peer_median - fig.value
        needed = fig.peer_median * ind.margin if ind.relative else ind.margin
        if gap > 0 and gap >= needed:
            return Assessment(True, "over_peers" if higher else "under_peers", ind.margin)
        return Assessment(False, "within")
    if ind.limit is not None:
        return Assessment(False, "limit_only", ind.limit)
    return Assessment(False, "no_basis")

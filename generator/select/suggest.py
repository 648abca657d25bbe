"""What a client's needs data suggests: (ClientData, Library, language) -> NeedsData for the Plan. Pure, like select.

Each figure is put into words in the plan's language, with its period, source and the peer median; a figure
that needs.assess finds beyond its limit or its peers becomes a suggested need. A suggested need is linked to
what addresses it: the load or resource factor a survey figure measures, the example actions of this plan
whose `addresses` name the indicator or the factor (or its group), and, for absence figures, the load
factors the client's survey brought up. The evidence text names them, so the link survives in the document
whatever people later edit.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable, Sequence

from ..content import Item, Library
from ..inputs.figures import LOW_RESPONSE, MIN_N, MIN_PEERS, ClientData, Figure, Indicator, assess, indicators
from ..plan import DataFigure, Entry, NeedsData, SuggestedNeed

MAX_ACTIONS_NAMED = 3  # in the evidence text; explain lists them all


def number(value: float, lang: str, decimals: int) -> str:
    """A number as the language writes it: 14,2 in Finnish and Swedish, 14.2 in English."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u00a0").replace(".", ",") if lang in ("fi", "sv") else text


def percent(value: float, lang: str) -> str:
    """38 % in Finnish and Swedish, 38% in English; one decimal only where there is one."""
    num = number(value, lang, 0 if float(value).is_integer() else 1)
    return num + ("%" if lang == "en" else "\u00a0%")


def needs_data(data: ClientData, library: Library, labels: dict[str, str], lang: str,
               entries: Sequence[Entry]) -> NeedsData:
    """The client's figures in words, and the needs they suggest (in indicator order)."""
    say: Callable[..., str] = lambda key, **kw: labels[key].format(**kw)
    known = indicators(library)
    items = library.by_id()
    actions = [e for e in entries if e.kind == "action"]
    by_indicator = {f.indicator: f for f in data.figures}
    rate = by_indicator.get("survey.response_rate")
    verdicts = {f.indicator: assess(known[f.indicator], f) for f in data.figures}
    flagged = tuple(known[i].factor for i, v in verdicts.items() if v.suggest and _is_load(known[i], items))
    figures, suggested = [], []
    for f in data.figures:
        ind, verdict = known[f.indicator], verdicts[f.indicator]
        shown = _figure(f, ind, items, say, lang)
        reason = _reason(verdict, ind, say, lang)
        need_id = ""
        if verdict.suggest:
            need_id = f"data.{f.indicator}"
            factors = (ind.factor,) if ind.factor else flagged if ind.source == "absence" else ()
            targets = {ind.factor, items[ind.factor].group} if ind.factor else {ind.id}
            addressing = tuple(e for e in actions if set(items[e.id].addresses) & targets)
            evidence = _evidence(shown, rate if ind.source == "survey" else None, factors if not ind.factor else (),
                                 addressing, items, say, lang)
            need = (say(f"common.data.need.{'load' if _is_load(ind, items) else 'resource'}", factor=shown.name)
                    if ind.factor else say(f"common.data.need.{ind.id}"))
            suggested.append(SuggestedNeed(need_id, need, evidence, reason, factors, tuple(e.id for e in addressing)))
        figures.append(replace(shown, suggested=need_id, reason=reason))
    return NeedsData(tuple(figures), tuple(suggested), source=data.source)


def _is_load(ind: Indicator, items: dict[str, Item]) -> bool:
    return ind.factor is not None and items[ind.factor].kind == "load_factor"


def _figure(f: Figure, ind: Indicator, items: dict[str, Item], say, lang: str) -> DataFigure:
    """The figure's texts: what it is, where from, its value with n, and the peer median or why there is none."""
    name = items[ind.factor].text.get(lang) if ind.factor else say(f"common.data.name.{ind.id}")
    short = _short(f.value, ind, lang) if f.value is not None else ""
    if f.hidden:
        value_text = say(f"common.data.hidden.{ind.n}", min=MIN_N)
    else:
        key = None  # a count or the response rate: the number alone
        if ind.factor:
            key = f"common.data.value.{'load' if _is_load(ind, items) else 'resource'}"
        elif ind.id == "mental_health_absence_share":
            key = "common.data.value.share"
        elif ind.unit == "days":
            key = "common.data.value.days"
        value_text = say(key, value=short) if key else short
        if f.n is not None:
            value_text += f" ({say(f'common.data.n.{ind.n}', n=number(f.n, lang, 0))})"
    peer_short = _short(f.peer_median, ind, lang) if f.peer_median is not None else ""
    peer_text = (say("common.data.peers", median=peer_short, count=f.peers) if f.peer_median is not None
                 else say("common.data.no_peers", min=MIN_PEERS))
    return DataFigure(f.indicator, name, say(f"common.data.source.{ind.source}"), f.period, f.value, value_text,
                      short, f.peer_median, peer_short, peer_text, ind.unit == "percent", factor=ind.factor)


def _short(value: float, ind: Indicator, lang: str) -> str:
    if ind.unit == "percent":
        return percent(value, lang)
    return number(value, lang, 1 if ind.unit == "days" else 0)


def _reason(verdict, ind: Indicator, say, lang: str) -> str:
    """The rule that decided, in words (explain shows it under the figure)."""
    amount = ""
    if verdict.amount is not None and verdict.reason.endswith("_peers"):
        amount = (percent(verdict.amount * 100, lang) if ind.relative
                  else say("explain.data.points", n=number(verdict.amount, lang, 0)))
    elif verdict.amount is not None:
        amount = percent(verdict.amount, lang) if ind.unit == "percent" else number(verdict.amount, lang, 0)
    return say(f"explain.data.reason.{verdict.reason}", amount=amount, min=MIN_N)


def _evidence(fig: DataFigure, rate, factors: tuple[str, ...], addressing: Sequence[Entry], items: dict[str, Item],
              say, lang: str) -> str:
    """What a suggested need rests on: the figure with its source, period and peers; a low response rate;
    the load factors behind an absence figure; and the example actions that address it."""
    parts = [f"{fig.source}, {fig.period}: {fig.value_text}; {fig.peer_text}."]
    if rate is not None and rate.value is not None and rate.value < LOW_RESPONSE:
        parts.append(say("common.data.low_response", rate=percent(rate.value, lang)) + ".")
    if factors:
        parts.append(say("common.data.evidence.factors",
                         factors="; ".join(items[f].text.get(lang) for f in factors)) + ".")
    if addressing:
        named = "; ".join(e.text.rstrip(".") for e in addressing[:MAX_ACTIONS_NAMED])
        parts.append(say("common.data.evidence.actions", actions=named) + ".")
    return " ".join(parts)

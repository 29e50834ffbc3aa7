"""The scoring engine (SPEC S3, S7–S11): lead facts + events + rules + now → score.

Pure: frozen dataclasses in, dataclasses out, no ORM, no clock of its own.
`scoring.services` translates between models and this module.

Semantics worth knowing:
- Fit: each attribute earns the points of the band (or keyword group) it falls
  in; an unknown value earns 0. Capped at 50.
- Engagement (S9): a rule is *active* while the lead has at least `min_count`
  qualifying events that occurred after `now - decay_days`; it then awards its
  points once. It expires when its `min_count`-th most recent qualifying event
  leaves the window. Capped at 50.
- `valid_until` is the earliest expiry among active engagement rules: the next
  moment the explanation (and usually the score) changes with no new event.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

FIT_CAP = 50
ENGAGEMENT_CAP = 50
FIT = "fit"
ENGAGEMENT = "engagement"

# Fit attributes in the order the explanation lists them.
NUMERIC_ATTRIBUTES: tuple[tuple[str, str], ...] = (
    ("employees", "Company size"),
    ("revenue_cr", "Revenue"),
    ("shipments_per_day", "Shipments"),
)


# --- rules (input) -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Band:
    """A numeric range; a None bound is open. See `contains`."""

    label: str
    points: int
    low: Decimal | None = None
    high: Decimal | None = None
    low_inclusive: bool = True
    high_inclusive: bool = True

    def contains(self, value: float) -> bool:
        if self.low is not None:
            low = float(self.low)
            if value < low or (value == low and not self.low_inclusive):
                return False
        if self.high is not None:
            high = float(self.high)
            if value > high or (value == high and not self.high_inclusive):
                return False
        return True


@dataclass(frozen=True, slots=True)
class IndustryCategory:
    name: str
    points: int
    is_manufacturing: bool
    industries: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TitleLevel:
    """Title keywords → points. No keywords: any other (non-empty) title."""

    name: str
    points: int
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FunctionRule:
    function: str
    keywords: tuple[str, ...]
    in_icp: bool = True


@dataclass(frozen=True, slots=True)
class EngagementRule:
    name: str
    event_types: tuple[str, ...]
    points: int
    decay_days: int
    min_count: int = 1
    # An event does not qualify if the lead has an event of this type for the same asset.
    unless_same_asset: str = ""
    is_intent: bool = False


@dataclass(frozen=True, slots=True)
class GradeBand:
    grade: str
    min_score: int
    classification: str = ""
    action: str = ""


@dataclass(frozen=True)
class Rules:
    """One rule set, as data. Order matters where noted."""

    version: int | None
    fit_bands: Mapping[str, tuple[Band, ...]]
    # Tried by points, highest first; ties keep this order.
    industry_categories: tuple[IndustryCategory, ...]
    title_levels: tuple[TitleLevel, ...]
    # Tried in this order.
    function_rules: tuple[FunctionRule, ...]
    engagement_rules: tuple[EngagementRule, ...]
    grade_bands: tuple[GradeBand, ...]
    mql_threshold: int = 60
    icp_min_employees: int = 200
    icp_max_employees: int = 5000

    @property
    def longest_window(self) -> dt.timedelta:
        """Events older than this cannot affect a score under these rules."""
        return dt.timedelta(days=max((r.decay_days for r in self.engagement_rules), default=0))


# --- facts (input) -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LeadFacts:
    industry: str = ""
    function: str = ""
    title: str = ""
    employees: int | None = None
    revenue_cr: Decimal | float | None = None
    shipments_per_day: int | None = None


class EventFact(NamedTuple):
    """One engagement event. Plain `(type, occurred_at, asset)` tuples work too, and
    `occurred_at` may be given as integer microseconds since the Unix epoch (what
    the bulk paths load, to skip building datetime objects)."""

    type: str
    occurred_at: dt.datetime
    asset: str = ""


# --- results (output) --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RuleHit:
    rule: str
    kind: str
    points: int
    expires_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class IcpCheck:
    industry: str
    industry_ok: bool
    function: str
    function_ok: bool
    employees: int | None
    employees_ok: bool

    @property
    def met(self) -> bool:
        return self.industry_ok and self.function_ok and self.employees_ok

    def describe(self) -> str:
        parts = [
            self.industry or "industry unknown",
            self.function or "function unknown",
            f"{self.employees} employees" if self.employees is not None else "employees unknown",
        ]
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class Score:
    fit: int
    engagement: int
    total: int
    grade: str
    hits: tuple[RuleHit, ...]
    valid_until: dt.datetime | None
    icp: IcpCheck
    intent: tuple[str, ...]
    mql_threshold: int

    @property
    def qualifies_mql(self) -> bool:
        """S3: total ≥ threshold, ICP met, and an active intent signal."""
        return self.total >= self.mql_threshold and self.icp.met and bool(self.intent)

    def mql_reason(self) -> str:
        return (
            f"Score {self.total} (fit {self.fit} + engagement {self.engagement}) ≥ {self.mql_threshold}; "
            f"ICP met ({self.icp.describe()}); intent: {', '.join(i.lower() for i in self.intent)}"
        )

    def breakdown_json(self) -> str:
        """`breakdown()` as JSON text in PostgreSQL's canonical jsonb form (key order, spacing),
        so the bulk paths can tell an unchanged breakdown by its hash."""
        parts = []
        for h in self.hits:
            expires = "null" if h.expires_at is None else f'"{h.expires_at.isoformat()}"'
            parts.append(
                f'{{"kind": "{h.kind}", "rule": {_json_str(h.rule)}, "points": {h.points}, "expires_at": {expires}}}'
            )
        return "[" + ", ".join(parts) + "]"

    def breakdown(self) -> list[dict[str, object]]:
        """The JSON stored on the lead (`score_breakdown`)."""
        return [
            {
                "rule": h.rule,
                "kind": h.kind,
                "points": h.points,
                "expires_at": h.expires_at.isoformat() if h.expires_at is not None else None,
            }
            for h in self.hits
        ]


# --- compilation -------------------------------------------------------------


@functools.lru_cache(maxsize=8192)
def _json_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _keyword_regex(words: Iterable[str]) -> re.Pattern[str] | None:
    """One case-insensitive regex matching any of `words` as whole words."""
    alts = sorted({w.strip() for w in words if w.strip()}, key=len, reverse=True)
    if not alts:
        return None
    body = "|".join(r"\s+".join(re.escape(part) for part in w.split()) for w in alts)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)
_US_PER_DAY = 86_400_000_000


def to_epoch_us(at: dt.datetime) -> int:
    """Exact integer microseconds since the Unix epoch of an aware datetime."""
    return (at - _EPOCH) // _MICROSECOND


def from_epoch_us(us: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(microseconds=us)


# A compiled band: (low, low_inclusive, high, high_inclusive, hit or None for 0 points).
_BandRow = tuple[float | None, bool, float | None, bool, "RuleHit | None"]


class _Engagement:
    __slots__ = ("decay", "types", "single", "unless", "label", "need", "points", "is_intent")

    def __init__(self, rule: EngagementRule) -> None:
        self.decay = rule.decay_days * _US_PER_DAY
        self.types = tuple(dict.fromkeys(rule.event_types))
        self.single = self.types[0] if len(self.types) == 1 else ""
        self.unless = rule.unless_same_asset
        self.label = rule.name
        self.need = max(1, rule.min_count)
        self.points = rule.points
        self.is_intent = rule.is_intent


def _asset_key(asset: str) -> str:
    return " ".join(asset.split()).casefold()


class CompiledRules:
    """`Rules` prepared for fast scoring: regexes built once, lookups memoised.

    Memoisation is by input string, so results are the same as without it.
    """

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self.version = rules.version
        self.longest_window = rules.longest_window
        # Per attribute: bands as (low, low_inclusive, high, high_inclusive, hit) with the
        # hit built once (hits are immutable, so leads share them), and a memo by value.
        self.bands: tuple[tuple[str, tuple[_BandRow, ...], dict[object, RuleHit | None]], ...] = tuple(
            (
                attr,
                tuple(
                    (
                        float(b.low) if b.low is not None else None,
                        b.low_inclusive,
                        float(b.high) if b.high is not None else None,
                        b.high_inclusive,
                        RuleHit(f"{label}: {b.label}", FIT, b.points) if b.points else None,
                    )
                    for b in sorted(rules.fit_bands.get(attr, ()), key=_band_order)
                ),
                {},
            )
            for attr, label in NUMERIC_ATTRIBUTES
        )
        cats = sorted(enumerate(rules.industry_categories), key=lambda ic: (-ic[1].points, ic[0]))
        self.industries = tuple((c, _keyword_regex(c.industries)) for _, c in cats)
        levels = sorted(enumerate(rules.title_levels), key=lambda il: (-il[1].points, il[0]))
        self.titles = tuple((lvl, _keyword_regex(lvl.keywords)) for _, lvl in levels if lvl.keywords)
        self.title_other = next((lvl for _, lvl in levels if not lvl.keywords), None)
        self.functions = tuple((f, _keyword_regex((f.function, *f.keywords))) for f in rules.function_rules)
        self.function_names = {f.function.casefold(): f for f in rules.function_rules}
        self.engagement = tuple(_Engagement(r) for r in rules.engagement_rules)
        self.asset_types = frozenset(
            t for e in self.engagement if e.unless for t in (*e.types, e.unless)
        )
        self.grades = tuple(sorted(rules.grade_bands, key=lambda g: -g.min_score))
        self.title_hits = {
            lvl: RuleHit(f"Title: {lvl.name}", FIT, lvl.points) for lvl in rules.title_levels if lvl.points
        }
        self._industry_memo: dict[str, tuple[IndustryCategory | None, str, RuleHit | None]] = {}
        self._title_memo: dict[str, RuleHit | None] = {}
        self._function_memo: dict[tuple[str, str], tuple[str, bool]] = {}

    # Keyword lookups --------------------------------------------------------

    def industry(self, text: str) -> tuple[IndustryCategory | None, str, RuleHit | None]:
        """The industry's category (None if unknown or missing), the name to show, and its fit hit."""
        found = self._industry_memo.get(text)
        if found is None:
            name = " ".join(text.split())
            found = (None, name, None)
            if name:
                for cat, rx in self.industries:
                    if rx is not None and rx.search(name):
                        hit = RuleHit(f"Industry: {cat.name} ({name})", FIT, cat.points) if cat.points else None
                        found = (cat, name, hit)
                        break
            _remember(self._industry_memo, text, found)
        return found

    def title_level(self, title: str) -> TitleLevel | None:
        """The title's level: the first (by points) whose keyword it contains, else 'any other title'."""
        if not title.strip():
            return None
        for lvl, rx in self.titles:
            if rx is not None and rx.search(title):
                return lvl
        return self.title_other

    def title_hit(self, title: str) -> RuleHit | None:
        try:
            return self._title_memo[title]
        except KeyError:
            pass
        level = self.title_level(title)
        hit = self.title_hits.get(level) if level is not None else None
        _remember(self._title_memo, title, hit)
        return hit

    def function(self, submitted: str, title: str) -> tuple[str, bool]:
        """The lead's function (S3: submitted, else inferred from the title) and whether it meets the ICP."""
        key = (submitted, title)
        hit = self._function_memo.get(key)
        if hit is None:
            hit = self._function(submitted.strip(), title)
            _remember(self._function_memo, key, hit)
        return hit

    def _function(self, submitted: str, title: str) -> tuple[str, bool]:
        if submitted:
            exact = self.function_names.get(" ".join(submitted.split()).casefold())
            if exact is not None:
                return exact.function, exact.in_icp
            for rule, rx in self.functions:
                if rx is not None and rx.search(submitted):
                    return rule.function, rule.in_icp
            return submitted, False
        if title.strip():
            for rule, rx in self.functions:
                if rx is not None and rx.search(title):
                    return rule.function, rule.in_icp
        return "", False


# Memos are bounded: a long-lived worker sees many distinct titles and values.
MEMO_LIMIT = 50_000


def _remember(memo: dict, key: object, value: object) -> None:  # type: ignore[type-arg]
    if len(memo) >= MEMO_LIMIT:
        memo.clear()
    memo[key] = value


def _band_order(band: Band) -> tuple[int, float]:
    # Where two bands touch, the band that starts at the shared value wins (S8).
    return (0 if band.low is not None else 1, -float(band.low) if band.low is not None else 0.0)


def compile_rules(rules: Rules) -> CompiledRules:
    return CompiledRules(rules)


# --- scoring -----------------------------------------------------------------


def fit_hits(lead: LeadFacts, rules: CompiledRules) -> tuple[list[RuleHit], IndustryCategory | None, str]:
    """Fit rule hits (points > 0 only), the industry category, and the industry name."""
    hits: list[RuleHit] = []
    category, industry_name, industry_hit = rules.industry(lead.industry)
    if industry_hit is not None:
        hits.append(industry_hit)
    for attr, bands, memo in rules.bands:
        raw = getattr(lead, attr)
        if raw is None:
            continue
        try:
            hit = memo[raw]
        except KeyError:
            hit = _band_hit(float(raw), bands)
            _remember(memo, raw, hit)
        if hit is not None:
            hits.append(hit)
    title_hit = rules.title_hit(lead.title)
    if title_hit is not None:
        hits.append(title_hit)
    return hits, category, industry_name


def _band_hit(value: float, bands: tuple[_BandRow, ...]) -> RuleHit | None:
    for low, low_incl, high, high_incl, hit in bands:
        if low is not None and (value < low or (value == low and not low_incl)):
            continue
        if high is not None and (value > high or (value == high and not high_incl)):
            continue
        return hit
    return None


def engagement_hits(
    events: Iterable[tuple[str, dt.datetime | int, str]], rules: CompiledRules, now: dt.datetime
) -> tuple[list[RuleHit], list[str]]:
    """Active engagement rules as hits (with expiry), and the names of active intent rules.

    A rule with `min_count` k is active iff its k-th most recent qualifying
    event is inside the window, and expires when that event leaves it.
    """
    # Times are compared as integer microseconds: exact, and cheap in bulk.
    # Assets are kept only for the types a same-asset exclusion looks at.
    asset_types = rules.asset_types
    by_type: dict[str, list[int]] = {}
    with_assets: dict[str, list[tuple[int, str]]] = {}
    for etype, when, asset in events:
        at = when if type(when) is int else to_epoch_us(when)  # type: ignore[arg-type]
        bucket = by_type.get(etype)
        if bucket is None:
            by_type[etype] = [at]
        else:
            bucket.append(at)
        if etype in asset_types:
            with_assets.setdefault(etype, []).append((at, asset))
    hits: list[RuleHit] = []
    intent: list[str] = []
    if not by_type:
        return hits, intent
    now_us = to_epoch_us(now)
    for eng in rules.engagement:
        times: list[int] | None
        if eng.unless:
            if not any(etype in with_assets for etype in eng.types):
                continue
            excluded = {_asset_key(a) for _, a in with_assets.get(eng.unless, ())}
            times = [
                at
                for etype in eng.types
                for at, asset in with_assets.get(etype, ())
                if not (excluded and _asset_key(asset) in excluded)
            ]
        elif eng.single:
            times = by_type.get(eng.single)
            if times is None:
                continue
        else:
            times = [at for etype in eng.types for at in by_type.get(etype, ())]
        need = eng.need
        if len(times) < need:
            continue
        kth = max(times) if need == 1 else sorted(times, reverse=True)[need - 1]
        if kth <= now_us - eng.decay:
            continue
        if eng.points:
            hits.append(RuleHit(eng.label, ENGAGEMENT, eng.points, from_epoch_us(kth + eng.decay)))
        if eng.is_intent:
            intent.append(eng.label)
    return hits, intent


def grade_for(total: int, rules: CompiledRules) -> str:
    for band in rules.grades:
        if total >= band.min_score:
            return band.grade
    return "D"


def score_lead(
    lead: LeadFacts, events: Iterable[tuple[str, dt.datetime | int, str]], rules: CompiledRules, now: dt.datetime
) -> Score:
    """Score one lead at `now` (see the module docstring for the rules)."""
    fits, category, industry_name = fit_hits(lead, rules)
    engs, intent = engagement_hits(events, rules, now)
    fit = min(FIT_CAP, sum(h.points for h in fits))
    engagement = min(ENGAGEMENT_CAP, sum(h.points for h in engs))
    total = fit + engagement
    valid_until = min((h.expires_at for h in engs if h.expires_at is not None), default=None)
    function, function_ok = rules.function(lead.function, lead.title)
    src = rules.rules
    icp = IcpCheck(
        industry=industry_name,
        industry_ok=category is not None and category.is_manufacturing,
        function=function,
        function_ok=function_ok,
        employees=lead.employees,
        employees_ok=lead.employees is not None and src.icp_min_employees <= lead.employees <= src.icp_max_employees,
    )
    return Score(
        fit=fit,
        engagement=engagement,
        total=total,
        grade=grade_for(total, rules),
        hits=tuple(fits + engs),
        valid_until=valid_until,
        icp=icp,
        intent=tuple(intent),
        mql_threshold=src.mql_threshold,
    )


def score_many(
    leads: Sequence[tuple[LeadFacts, Sequence[tuple[str, dt.datetime | int, str]]]],
    rules: CompiledRules,
    now: dt.datetime,
) -> list[Score]:
    """Score several leads at one `now` (what bulk rescoring and the preview use)."""
    return [score_lead(facts, events, rules, now) for facts, events in leads]


__all__ = [
    "Band",
    "CompiledRules",
    "EngagementRule",
    "EventFact",
    "FunctionRule",
    "GradeBand",
    "IcpCheck",
    "IndustryCategory",
    "LeadFacts",
    "RuleHit",
    "Rules",
    "Score",
    "TitleLevel",
    "compile_rules",
    "from_epoch_us",
    "to_epoch_us",
    "engagement_hits",
    "fit_hits",
    "grade_for",
    "score_lead",
    "score_many",
]

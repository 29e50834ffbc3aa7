"""The pure scoring engine against the framework's defaults (SPEC S3, S7–S11).

Tables: every default band edge of S8, every engagement rule of S9 (inside
and just outside its window), the grade bands of S10, and the S3 criteria.
Properties (hypothesis): fit and engagement stay in 0–50, the grade matches
the bands, scoring is deterministic, and valid_until is the next change.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.defaults import default_rules
from scoring.engine import EventFact, LeadFacts, compile_rules, grade_for, score_lead, to_epoch_us

NOW = dt.datetime(2026, 6, 1, 10, 0, tzinfo=dt.UTC)
RULES = compile_rules(default_rules())


def ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def fit_of(**facts: object) -> int:
    return score_lead(LeadFacts(**facts), [], RULES, NOW).fit  # type: ignore[arg-type]


def engagement_of(*events: tuple[str, float] | tuple[str, float, str]) -> int:
    evs = [EventFact(e[0], ago(e[1]), e[2] if len(e) > 2 else "") for e in events]  # type: ignore[misc]
    return score_lead(LeadFacts(), evs, RULES, NOW).engagement


# --- S8: fit bands, every edge -------------------------------------------------


@pytest.mark.parametrize(
    ("employees", "points"),
    [(None, 0), (0, 3), (150, 3), (200, 3), (201, 7), (350, 7), (500, 7), (501, 10), (1000, 10), (5000, 10),
     (5001, 3), (80000, 3)],
)
def test_company_size_bands_score_as_the_framework_says(employees, points):
    assert fit_of(employees=employees) == points


@pytest.mark.parametrize(
    ("revenue", "points"),
    [(None, 0), ("0", 3), ("99.99", 3), ("100", 7), ("150", 7), ("199.99", 7), ("200", 10), ("500", 10),
     ("1000", 10), ("1000.01", 3), ("25000", 3)],
)
def test_revenue_bands_in_crore_score_as_the_framework_says(revenue, points):
    assert fit_of(revenue_cr=Decimal(revenue) if revenue is not None else None) == points


@pytest.mark.parametrize(
    ("shipments", "points"),
    [(None, 0), (0, 0), (49, 0), (50, 3), (99, 3), (100, 5), (250, 5), (500, 5), (501, 0), (5000, 0)],
)
def test_shipment_bands_score_as_the_framework_says(shipments, points):
    assert fit_of(shipments_per_day=shipments) == points


@pytest.mark.parametrize(
    ("industry", "points"),
    [("Steel", 15), ("Cement", 15), ("FMCG", 15), ("steel manufacturing", 15), ("Chemicals", 10),
     ("Automotive", 10), ("Pharma", 10), ("Textiles", 10), ("Paper", 10), ("Food processing", 10), ("Metals", 10),
     ("Aerospace manufacturing", 10), ("IT services", 0), ("Banking", 0), ("Retail", 0), ("Aerospace", 0), ("", 0)],
)
def test_industry_scores_by_category(industry, points):
    assert fit_of(industry=industry) == points


@pytest.mark.parametrize(
    ("title", "points"),
    [("VP Logistics", 10), ("Vice President Supply Chain", 10), ("Director Operations", 10),
     ("Head of Logistics", 10), ("Chief Financial Officer", 10), ("CXO", 10), ("CEO", 10), ("CFO", 10),
     ("COO", 10), ("CIO", 10), ("President", 10), ("Managing Director", 10), ("Logistics Manager", 7),
     ("Dispatch Lead", 7), ("Transport Executive", 3), ("Logistics Coordinator", 3), ("Leader of men", 3),
     ("", 0), ("   ", 0)],
)
def test_title_level_by_keyword(title, points):
    assert fit_of(title=title) == points


def test_a_perfect_fit_is_capped_at_fifty():
    facts = LeadFacts("Steel", "", "VP Logistics", 1000, Decimal(500), 200)
    assert score_lead(facts, [], RULES, NOW).fit == 50


def test_fit_is_capped_even_when_rules_add_up_to_more():
    rules = default_rules()
    generous = compile_rules(
        type(rules)(**{**rules.__dict__, "industry_categories": tuple(
            type(c)(c.name, 50 if c.points else 0, c.is_manufacturing, c.industries)
            for c in rules.industry_categories
        )})
    )
    facts = LeadFacts("Steel", "", "VP Logistics", 1000, Decimal(500), 200)
    assert score_lead(facts, [], generous, NOW).fit == 50


# --- S9: engagement rules, inside and just outside each window ---------------------


@pytest.mark.parametrize(
    ("events", "points"),
    [
        ([("demo_request", 89)], 20),
        ([("demo_request", 91)], 0),
        ([("demo_request", 90)], 0),  # the window is [now - 90 d, now): it has just expired
        ([("demo_request", 2), ("demo_request", 40)], 20),  # once, however many
        ([("pricing_page_visit", 29)], 10),
        ([("pricing_page_visit", 31)], 0),
        ([("case_study_download", 59)], 8),
        ([("case_study_download", 61)], 0),
        ([("webinar_attendance", 59, "W1")], 8),
        ([("webinar_attendance", 61, "W1")], 0),
        ([("webinar_registration", 29, "W1")], 3),
        ([("webinar_registration", 31, "W1")], 0),
        ([("webinar_registration", 10, "W1"), ("webinar_attendance", 9, "W1")], 8),
        ([("webinar_registration", 10, "W1"), ("webinar_attendance", 9, " w1 ")], 8),
        ([("webinar_registration", 10, "W2"), ("webinar_attendance", 9, "W1")], 11),
        ([("roi_calculator_usage", 59)], 8),
        ([("roi_calculator_usage", 61)], 0),
        ([("content_download", 1), ("content_download", 2)], 0),
        ([("content_download", 1), ("content_download", 2), ("content_download", 59)], 5),
        ([("content_download", 1), ("content_download", 2), ("content_download", 61)], 0),
        ([("content_download", 1), ("content_download", 2), ("case_study_download", 3)], 13),
        ([("email_open", 1), ("email_open", 2)], 0),
        ([("email_open", 1), ("email_open", 2), ("email_open", 29)], 3),
        ([("email_open", 1), ("email_open", 2), ("email_open", 31)], 0),
        ([("website_visit", 1), ("website_visit", 2)], 0),
        ([("website_visit", 1), ("website_visit", 2), ("website_visit", 29)], 3),
        ([("website_visit", 1), ("website_visit", 2), ("website_visit", 31)], 0),
        ([("linkedin_engagement", 29)], 2),
        ([("linkedin_engagement", 31)], 0),
        ([("not_a_known_type", 1)], 0),
    ],
)
def test_engagement_rule_awards_its_points_only_inside_its_window(events, points):
    assert engagement_of(*events) == points


def test_engagement_is_capped_at_fifty():
    every_type = [
        ("demo_request", 1), ("pricing_page_visit", 1), ("case_study_download", 1), ("webinar_attendance", 1, "W"),
        ("webinar_registration", 2, "X"), ("roi_calculator_usage", 1), ("content_download", 1),
        ("content_download", 2), ("email_open", 1), ("email_open", 2), ("email_open", 3), ("website_visit", 1),
        ("website_visit", 2), ("website_visit", 3), ("linkedin_engagement", 1),
    ]
    score = score_lead(LeadFacts(), [EventFact(e[0], ago(e[1]), e[2] if len(e) > 2 else "") for e in every_type],
                       RULES, NOW)
    assert sum(h.points for h in score.hits) == 70
    assert score.engagement == 50


def test_a_rule_expires_when_its_min_count_th_most_recent_event_leaves_the_window():
    opens = [EventFact("email_open", ago(d)) for d in (1, 5, 10, 20)]
    score = score_lead(LeadFacts(), opens, RULES, NOW)
    (hit,) = score.hits
    assert hit.rule == "Email opens (3+)"
    assert hit.expires_at == ago(10) + dt.timedelta(days=30)
    assert score.valid_until == hit.expires_at


def test_valid_until_is_the_earliest_expiry_among_active_rules_and_null_without_any():
    score = score_lead(LeadFacts(), [EventFact("demo_request", ago(80)), EventFact("pricing_page_visit", ago(5))],
                       RULES, NOW)
    assert score.valid_until == ago(80) + dt.timedelta(days=90)
    assert score_lead(LeadFacts(industry="Steel"), [], RULES, NOW).valid_until is None


def test_fit_rules_never_expire_and_engagement_rules_say_when_they_do():
    score = score_lead(LeadFacts(industry="Cement"), [EventFact("demo_request", ago(1))], RULES, NOW)
    assert [(r["rule"], r["kind"], r["points"], r["expires_at"]) for r in score.breakdown()] == [
        ("Industry: Steel/Cement/FMCG (Cement)", "fit", 15, None),
        ("Demo request", "engagement", 20, (ago(1) + dt.timedelta(days=90)).isoformat()),
    ]


# --- S10: grades -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "grade"), [(0, "D"), (39, "D"), (40, "C"), (59, "C"), (60, "B"), (79, "B"), (80, "A"), (100, "A")]
)
def test_grade_bands(total, grade):
    assert grade_for(total, RULES) == grade


# --- S3: MQL criteria -----------------------------------------------------------------

STEEL_VP = LeadFacts("Steel", "", "VP Logistics", 1000, Decimal(500), 200)  # fit 50


@pytest.mark.parametrize(
    ("facts", "events", "qualifies"),
    [
        (STEEL_VP, [("demo_request", 1)], True),
        (STEEL_VP, [("demo_request", 91)], False),  # demo no longer active: no intent, score 50
        (STEEL_VP, [("pricing_page_visit", 1)], True),
        (STEEL_VP, [("content_download", 1), ("content_download", 2), ("case_study_download", 3)], True),
        (STEEL_VP, [("webinar_attendance", 1), ("roi_calculator_usage", 1)], False),  # 66 but no intent
        (LeadFacts("Steel", "", "Transport Executive", 1000, Decimal(50), 20), [("demo_request", 1)], False),  # 51
        (LeadFacts("IT services", "Logistics", "VP Logistics", 1000, Decimal(500), 200),
         [("demo_request", 1), ("pricing_page_visit", 1)], False),  # not manufacturing
        (LeadFacts("Steel", "Marketing", "VP Marketing", 1000, Decimal(500), 200), [("demo_request", 1)], False),
        (LeadFacts("Steel", "Finance", "VP Marketing", 1000, Decimal(500), 200), [("demo_request", 1)], True),
        (LeadFacts("Cement", "", "Chief Financial Officer", 1000, Decimal(500), 200), [("demo_request", 1)], True),
        (LeadFacts("Cement", "", "Head of Supply Chain", 1000, Decimal(500), 200), [("demo_request", 1)], True),
        (LeadFacts("Cement", "", "Plant Operations Manager", 1000, Decimal(500), 200),
         [("demo_request", 1)], True),
        (LeadFacts("Cement", "", "VP", 1000, Decimal(500), 200), [("demo_request", 1)], False),  # function unknown
        (LeadFacts("Steel", "", "VP Logistics", 199, Decimal(500), 200), [("demo_request", 1)], False),
        (LeadFacts("Steel", "", "VP Logistics", 200, Decimal(500), 200), [("demo_request", 1)], True),
        (LeadFacts("Steel", "", "VP Logistics", 5000, Decimal(500), 200), [("demo_request", 1)], True),
        (LeadFacts("Steel", "", "VP Logistics", 5001, Decimal(500), 200), [("demo_request", 1)], False),
        (LeadFacts("Steel", "", "VP Logistics", None, Decimal(500), 200), [("demo_request", 1)], False),
    ],
)
def test_mql_needs_score_icp_and_intent(facts, events, qualifies):
    score = score_lead(facts, [EventFact(t, ago(d)) for t, d in events], RULES, NOW)
    assert score.qualifies_mql is qualifies


def test_the_steel_vp_with_a_demo_request_scores_seventy_grade_b_and_says_why():
    score = score_lead(STEEL_VP, [EventFact("demo_request", NOW, "Demo form")], RULES, NOW)
    assert (score.fit, score.engagement, score.total, score.grade) == (50, 20, 70, "B")
    assert score.mql_reason() == (
        "Score 70 (fit 50 + engagement 20) ≥ 60; ICP met (Steel, Logistics, 1000 employees); intent: demo request"
    )


# --- properties --------------------------------------------------------------------------

EVENT_TYPES = [
    "demo_request", "pricing_page_visit", "case_study_download", "webinar_attendance", "webinar_registration",
    "roi_calculator_usage", "content_download", "email_open", "website_visit", "linkedin_engagement",
]
facts_st = st.builds(
    LeadFacts,
    industry=st.sampled_from(["", "Steel", "Cement", "FMCG", "Chemicals", "Banking", "Aerospace", "Paper"])
    | st.text(max_size=20),
    function=st.sampled_from(["", "Logistics", "Finance", "Marketing"]) | st.text(max_size=15),
    title=st.sampled_from(["", "VP Logistics", "Logistics Manager", "Analyst", "CFO", "Dispatch Lead"])
    | st.text(max_size=25),
    employees=st.none() | st.integers(0, 100_000),
    revenue_cr=st.none() | st.decimals(0, 100_000, places=2),
    shipments_per_day=st.none() | st.integers(0, 10_000),
)
events_st = st.lists(
    st.builds(
        EventFact,
        type=st.sampled_from(EVENT_TYPES),
        occurred_at=st.integers(0, 200 * 86_400).map(lambda s: NOW - dt.timedelta(seconds=s)),
        asset=st.sampled_from(["", "W1", "W2", "Demo form"]),
    ),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(facts=facts_st, events=events_st)
def test_fit_and_engagement_stay_within_zero_and_fifty_and_grade_matches_the_bands(facts, events):
    score = score_lead(facts, events, RULES, NOW)
    assert 0 <= score.fit <= 50
    assert 0 <= score.engagement <= 50
    assert score.total == score.fit + score.engagement
    expected = "A" if score.total >= 80 else "B" if score.total >= 60 else "C" if score.total >= 40 else "D"
    assert score.grade == expected


@settings(max_examples=200, deadline=None)
@given(facts=facts_st, events=events_st, seed=st.integers())
def test_scoring_twice_in_any_event_order_or_time_form_gives_the_same_answer(facts, events, seed):
    first = score_lead(facts, events, RULES, NOW)
    shuffled = list(events)
    random.Random(seed).shuffle(shuffled)
    as_microseconds = [(e.type, to_epoch_us(e.occurred_at), e.asset) for e in shuffled]
    assert score_lead(facts, events, RULES, NOW) == first
    assert score_lead(facts, as_microseconds, RULES, NOW) == first
    assert score_lead(facts, events, compile_rules(default_rules()), NOW) == first


@settings(max_examples=200, deadline=None)
@given(facts=facts_st, events=events_st)
def test_nothing_changes_before_valid_until_and_a_rule_drops_at_it(facts, events):
    score = score_lead(facts, events, RULES, NOW)
    if score.valid_until is None:
        later = score_lead(facts, events, RULES, NOW + dt.timedelta(days=365))
        assert later.hits == score.hits
        return
    assert score.valid_until > NOW
    just_before = score_lead(facts, events, RULES, score.valid_until - dt.timedelta(microseconds=1))
    assert just_before.hits == score.hits
    at = score_lead(facts, events, RULES, score.valid_until)
    assert len([h for h in at.hits if h.kind == "engagement"]) < len([h for h in score.hits if h.kind == "engagement"])

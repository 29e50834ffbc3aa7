"""The framework's default scoring rules (SPEC S8–S10), as the engine sees them.

The data migration `0002_default_rules` writes a frozen copy of these rows as
rule set v1; a test checks the two agree, so a fresh install scores exactly so.
"""

from __future__ import annotations

from decimal import Decimal

from .engine import Band, EngagementRule, FunctionRule, GradeBand, IndustryCategory, Rules, TitleLevel

D = Decimal

FIT_BANDS: dict[str, tuple[Band, ...]] = {
    "employees": (
        Band("501–5000 employees", 10, D(501), D(5000)),
        Band("201–500 employees", 7, D(201), D(500)),
        Band("200 employees or fewer", 3, None, D(200)),
        Band("over 5000 employees", 3, D(5000), None, low_inclusive=False),
    ),
    "revenue_cr": (
        Band("₹200–1000 Cr", 10, D(200), D(1000)),
        Band("₹100–200 Cr", 7, D(100), D(200), high_inclusive=False),
        Band("under ₹100 Cr", 3, None, D(100), high_inclusive=False),
        Band("over ₹1000 Cr", 3, D(1000), None, low_inclusive=False),
    ),
    "shipments_per_day": (
        Band("100–500/day", 5, D(100), D(500)),
        Band("50–100/day", 3, D(50), D(100), high_inclusive=False),
    ),
}

INDUSTRY_CATEGORIES = (
    IndustryCategory("Steel/Cement/FMCG", 15, True, ("Steel", "Cement", "FMCG")),
    IndustryCategory(
        "Other manufacturing",
        10,
        True,
        (
            "Chemicals", "Chemical", "Automotive", "Auto components", "Pharma", "Pharmaceuticals", "Textiles",
            "Textile", "Paper", "Food processing", "Metals", "Metal", "Aluminium", "Plastics", "Packaging", "Glass",
            "Tyres", "Paints", "Ceramics", "Fertilisers", "Fertilizers", "Consumer durables", "Electrical equipment",
            "Machinery", "Manufacturing",
        ),
    ),
    IndustryCategory(
        "Non-manufacturing",
        0,
        False,
        (
            "IT services", "Software", "Retail", "Banking", "Financial services", "Insurance", "Education",
            "Consulting", "Real estate", "Telecom", "Media", "Hospitality", "Government",
        ),
    ),
)

TITLE_LEVELS = (
    TitleLevel(
        "VP/Director level",
        10,
        ("VP", "Vice President", "Director", "Head", "Chief", "CXO", "CEO", "CFO", "COO", "CIO", "President"),
    ),
    TitleLevel("Manager level", 7, ("Manager", "Lead")),
    TitleLevel("Individual contributor", 3, ()),
)

FUNCTION_RULES = (
    FunctionRule(
        "Logistics",
        ("Logistics", "Transport", "Transportation", "Dispatch", "Fleet", "Freight", "Shipping", "Distribution",
         "Warehouse", "Warehousing", "Traffic", "EXIM"),
    ),
    FunctionRule("Supply Chain", ("Supply Chain", "SCM", "Demand Planning", "Materials")),
    FunctionRule("Operations", ("Operations", "Ops", "COO", "Plant", "Production", "Manufacturing", "Works")),
    FunctionRule("Finance", ("Finance", "Financial", "CFO", "Accounts", "Accounting", "Treasury", "Controller")),
    FunctionRule("Marketing", ("Marketing", "Brand"), in_icp=False),
    FunctionRule("Sales", ("Sales", "Business Development"), in_icp=False),
    FunctionRule("Human Resources", ("HR", "Human Resources", "Talent"), in_icp=False),
    FunctionRule("IT", ("Information Technology", "Software", "CIO", "CTO"), in_icp=False),
)

ENGAGEMENT_RULES = (
    EngagementRule("Demo request", ("demo_request",), 20, 90, is_intent=True),
    EngagementRule("Pricing page visit", ("pricing_page_visit",), 10, 30, is_intent=True),
    EngagementRule("Case study download", ("case_study_download",), 8, 60),
    EngagementRule("Webinar attendance", ("webinar_attendance",), 8, 60),
    EngagementRule(
        "Webinar registration (no show)", ("webinar_registration",), 3, 30, unless_same_asset="webinar_attendance"
    ),
    EngagementRule("ROI calculator usage", ("roi_calculator_usage",), 8, 60),
    EngagementRule(
        "Content downloads (3+)", ("content_download", "case_study_download"), 5, 60, min_count=3, is_intent=True
    ),
    EngagementRule("Email opens (3+)", ("email_open",), 3, 30, min_count=3),
    EngagementRule("Website visits (3+)", ("website_visit",), 3, 30, min_count=3),
    EngagementRule("LinkedIn engagement", ("linkedin_engagement",), 2, 30),
)

GRADE_BANDS = (
    GradeBand("A", 80, "Hot MQL", "SDR contact within 5 minutes"),
    GradeBand("B", 60, "Warm MQL", "SDR contact within 1 hour"),
    GradeBand("C", 40, "Cool Lead", "Nurture + periodic SDR check"),
    GradeBand("D", 0, "Cold Lead", "Nurture only"),
)


def default_rules(version: int | None = 1) -> Rules:
    return Rules(
        version=version,
        fit_bands=FIT_BANDS,
        industry_categories=INDUSTRY_CATEGORIES,
        title_levels=TITLE_LEVELS,
        function_rules=FUNCTION_RULES,
        engagement_rules=ENGAGEMENT_RULES,
        grade_bands=GRADE_BANDS,
        mql_threshold=60,
        icp_min_employees=200,
        icp_max_employees=5000,
    )

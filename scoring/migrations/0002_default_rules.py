"""Rule set v1: the framework's defaults exactly (SPEC S8, S9, S10), published.

A frozen copy: later changes to `scoring.defaults` never rewrite history.
Also lets the marketing_ops role edit scoring rules in admin (SPEC S1).
"""

from decimal import Decimal

from django.db import migrations

D = Decimal

FIT_BANDS = [
    # attribute, label, min, min_inclusive, max, max_inclusive, points
    ("employees", "501–5000 employees", D(501), True, D(5000), True, 10),
    ("employees", "201–500 employees", D(201), True, D(500), True, 7),
    ("employees", "200 employees or fewer", None, True, D(200), True, 3),
    ("employees", "over 5000 employees", D(5000), False, None, True, 3),
    ("revenue_cr", "₹200–1000 Cr", D(200), True, D(1000), True, 10),
    ("revenue_cr", "₹100–200 Cr", D(100), True, D(200), False, 7),
    ("revenue_cr", "under ₹100 Cr", None, True, D(100), False, 3),
    ("revenue_cr", "over ₹1000 Cr", D(1000), False, None, True, 3),
    ("shipments_per_day", "100–500/day", D(100), True, D(500), True, 5),
    ("shipments_per_day", "50–100/day", D(50), True, D(100), False, 3),
]

INDUSTRY_CATEGORIES = [
    ("Steel/Cement/FMCG", 15, True, "Steel, Cement, FMCG"),
    (
        "Other manufacturing",
        10,
        True,
        "Chemicals, Chemical, Automotive, Auto components, Pharma, Pharmaceuticals, Textiles, Textile, Paper, "
        "Food processing, Metals, Metal, Aluminium, Plastics, Packaging, Glass, Tyres, Paints, Ceramics, "
        "Fertilisers, Fertilizers, Consumer durables, Electrical equipment, Machinery, Manufacturing",
    ),
    (
        "Non-manufacturing",
        0,
        False,
        "IT services, Software, Retail, Banking, Financial services, Insurance, Education, Consulting, "
        "Real estate, Telecom, Media, Hospitality, Government",
    ),
]

TITLE_LEVELS = [
    ("VP/Director level", "VP, Vice President, Director, Head, Chief, CXO, CEO, CFO, COO, CIO, President", 10),
    ("Manager level", "Manager, Lead", 7),
    ("Individual contributor", "", 3),
]

FUNCTION_RULES = [
    # function, keywords, in_icp, priority
    (
        "Logistics",
        "Logistics, Transport, Transportation, Dispatch, Fleet, Freight, Shipping, Distribution, Warehouse, "
        "Warehousing, Traffic, EXIM",
        True,
        10,
    ),
    ("Supply Chain", "Supply Chain, SCM, Demand Planning, Materials", True, 20),
    ("Operations", "Operations, Ops, COO, Plant, Production, Manufacturing, Works", True, 30),
    ("Finance", "Finance, Financial, CFO, Accounts, Accounting, Treasury, Controller", True, 40),
    ("Marketing", "Marketing, Brand", False, 50),
    ("Sales", "Sales, Business Development", False, 60),
    ("Human Resources", "HR, Human Resources, Talent", False, 70),
    ("IT", "Information Technology, Software, CIO, CTO", False, 80),
]

ENGAGEMENT_RULES = [
    # name, event types, points, decay days, min count, unless same asset, intent
    ("Demo request", ["demo_request"], 20, 90, 1, "", True),
    ("Pricing page visit", ["pricing_page_visit"], 10, 30, 1, "", True),
    ("Case study download", ["case_study_download"], 8, 60, 1, "", False),
    ("Webinar attendance", ["webinar_attendance"], 8, 60, 1, "", False),
    ("Webinar registration (no show)", ["webinar_registration"], 3, 30, 1, "webinar_attendance", False),
    ("ROI calculator usage", ["roi_calculator_usage"], 8, 60, 1, "", False),
    ("Content downloads (3+)", ["content_download", "case_study_download"], 5, 60, 3, "", True),
    ("Email opens (3+)", ["email_open"], 3, 30, 3, "", False),
    ("Website visits (3+)", ["website_visit"], 3, 30, 3, "", False),
    ("LinkedIn engagement", ["linkedin_engagement"], 2, 30, 1, "", False),
]

GRADE_BANDS = [
    ("A", 80, "Hot MQL", "SDR contact within 5 minutes"),
    ("B", 60, "Warm MQL", "SDR contact within 1 hour"),
    ("C", 40, "Cool Lead", "Nurture + periodic SDR check"),
    ("D", 0, "Cold Lead", "Nurture only"),
]


def create_defaults(apps, schema_editor):
    RuleSet = apps.get_model("scoring", "RuleSet")
    if RuleSet.objects.exists():
        return
    rs = RuleSet.objects.create(
        version=1,
        name="Framework defaults",
        notes="The Sales-Marketing SLA Framework's scoring model as shipped.",
        status="published",
        mql_threshold=60,
        icp_min_employees=200,
        icp_max_employees=5000,
    )
    rs.published_at = rs.created_at
    rs.save(update_fields=["published_at"])
    apps.get_model("scoring", "FitBand").objects.bulk_create(
        apps.get_model("scoring", "FitBand")(
            rule_set=rs, attribute=a, label=lbl, min_value=lo, min_inclusive=lo_in, max_value=hi,
            max_inclusive=hi_in, points=p,
        )
        for a, lbl, lo, lo_in, hi, hi_in, p in FIT_BANDS
    )
    IndustryCategory = apps.get_model("scoring", "IndustryCategory")
    IndustryCategory.objects.bulk_create(
        IndustryCategory(rule_set=rs, name=n, points=p, is_manufacturing=m, industries=i)
        for n, p, m, i in INDUSTRY_CATEGORIES
    )
    TitleLevel = apps.get_model("scoring", "TitleLevel")
    TitleLevel.objects.bulk_create(TitleLevel(rule_set=rs, name=n, keywords=k, points=p) for n, k, p in TITLE_LEVELS)
    FunctionRule = apps.get_model("scoring", "FunctionRule")
    FunctionRule.objects.bulk_create(
        FunctionRule(rule_set=rs, function=f, keywords=k, in_icp=icp, priority=pr) for f, k, icp, pr in FUNCTION_RULES
    )
    EngagementRule = apps.get_model("scoring", "EngagementRule")
    EngagementRule.objects.bulk_create(
        EngagementRule(
            rule_set=rs, name=n, event_types=t, points=p, decay_days=d, min_count=c, unless_same_asset=u,
            is_intent=i, position=pos,
        )
        for pos, (n, t, p, d, c, u, i) in enumerate(ENGAGEMENT_RULES, start=1)
    )
    GradeBand = apps.get_model("scoring", "GradeBand")
    GradeBand.objects.bulk_create(
        GradeBand(rule_set=rs, grade=g, min_score=m, classification=c, action=a) for g, m, c, a in GRADE_BANDS
    )


def grant_marketing_ops(apps, schema_editor):
    """Marketing ops edit the scoring rules in admin (SPEC S1)."""
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("scoring")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="marketing_ops")
    group.permissions.add(*Permission.objects.filter(content_type__app_label="scoring"))


def remove_defaults(apps, schema_editor):
    apps.get_model("scoring", "RuleSet").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0001_rules"),
        ("accounts", "0002_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [
        migrations.RunPython(create_defaults, remove_defaults),
        migrations.RunPython(grant_marketing_ops, migrations.RunPython.noop),
    ]

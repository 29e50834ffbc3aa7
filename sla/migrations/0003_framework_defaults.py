"""The framework's defaults a fresh install ships (SPEC S14, S15, S17, S18)."""

import datetime as dt

from django.db import migrations

M = dt.timedelta(minutes=1)
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)

POLICIES = [
    # grade, first attempt, warn before, total attempts, window
    ("A", 5 * M, 1 * M, 8, 7 * D),
    ("B", 1 * H, 10 * M, 6, 10 * D),
    ("C", 24 * H, 0 * M, 4, 14 * D),
]
CADENCE = {
    "A": [  # the framework's 8-step schedule
        # Each step is due at the end of its window: attempt 1 is "0–5 min", so due at 5 min.
        (5 * M, "phone", "Call within 5 minutes"),
        (30 * M, "email", "Follow-up email"),
        (2 * H, "phone", "Second call"),
        (6 * H, "linkedin", "LinkedIn connection (same day)"),
        (1 * D, "phone", "Day 2 call"),
        (2 * D, "email", "Day 3 email"),
        (4 * D, "phone", "Day 5 call"),
        (6 * D, "email", "Day 7 breakup email"),
    ],
    "B": [
        (1 * H, "phone", "Call within 1 hour"),
        (1 * D, "email", "Day 2 email"),
        (2 * D, "phone", "Day 3 call"),
        (4 * D, "linkedin", "Day 5 LinkedIn"),
        (6 * D, "phone", "Day 7 call"),
        (9 * D, "email", "Day 10 breakup email"),
    ],
    "C": [
        (24 * H, "phone", "Periodic check call within 24 hours"),
        (3 * D, "email", "Day 4 email"),
        (7 * D, "phone", "Day 8 call"),
        (13 * D, "email", "Day 14 breakup email"),
    ],
}
TARGETS = [
    ("ae_review", 4 * H),
    ("ae_decision", 24 * H),
    ("demo_scheduling", 48 * H),
    ("feedback_call", 48 * H),
    ("data_complete", 5 * M),
    ("quality_response", 48 * H),
]


def forwards(apps, schema_editor):
    Calendar = apps.get_model("sla", "BusinessCalendar")
    Policy = apps.get_model("sla", "SlaPolicy")
    Step = apps.get_model("sla", "CadenceStep")
    Target = apps.get_model("sla", "SlaTarget")
    Cursor = apps.get_model("sla", "RoundRobinCursor")
    Calendar.objects.get_or_create(
        name="24×7 Asia/Kolkata", defaults={"timezone": "Asia/Kolkata", "always_open": True, "is_default": True}
    )
    for grade, first, warn, total, window in POLICIES:
        Policy.objects.get_or_create(
            grade=grade,
            defaults={"first_attempt": first, "warn_before": warn, "total_attempts": total, "window": window,
                      "disposition": 7 * D},
        )
    for grade, steps in CADENCE.items():
        for number, (offset, channel, label) in enumerate(steps, start=1):
            Step.objects.get_or_create(grade=grade, number=number,
                                       defaults={"offset": offset, "channel": channel, "label": label})
    for kind, target in TARGETS:
        Target.objects.get_or_create(kind=kind, defaults={"target": target})
    for role in ("sdr", "ae"):
        Cursor.objects.get_or_create(role=role)


class Migration(migrations.Migration):
    dependencies = [("sla", "0002_assignmentrule_businesscalendar_cadencestep_and_more")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

"""A fresh install ships one active SLA Agreement with the framework's commitments;
marketing ops fill in the parties, volumes and sign-offs in admin."""

import datetime as dt
from decimal import Decimal

from django.db import migrations


def create(apps, schema_editor):
    SlaAgreement = apps.get_model("reports", "SlaAgreement")
    if SlaAgreement.objects.exists():
        return
    today = dt.date.today()  # noqa: DTZ011
    SlaAgreement.objects.create(
        is_active=True,
        effective_on=today,
        review_on=today + dt.timedelta(days=91),
        marketing_party="Marketing Director",
        sales_party="VP Sales",
        pipeline_goal_quarter_lakh=Decimal("500.00"),
        mqls_per_month=120,
    )


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]

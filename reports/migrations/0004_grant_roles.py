"""Marketing ops edit the SLA Agreement's targets in admin (SPEC §1); managers and marketing ops
write the quarterly recalibration proposals; both may view stored results and escalations."""

from django.db import migrations


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("reports")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = {
        "marketing_ops": ["add_slaagreement", "change_slaagreement", "view_slaagreement",
                          "add_recalibrationreview", "change_recalibrationreview", "view_recalibrationreview",
                          "view_weeklyresult", "view_escalation"],
        "manager": ["view_slaagreement", "add_recalibrationreview", "change_recalibrationreview",
                    "view_recalibrationreview", "view_weeklyresult", "view_escalation", "change_escalation"],
    }
    for name, codes in codenames.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="reports", codename__in=codes))


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_recalibration_draft_rule_set"),
        ("accounts", "0002_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]

"""Upgrade from a catalogue without versions or roles (0006 and earlier): change notes become
text; every entry and inline row that has no version yet gets a baseline one, so history,
diffs and restore see the rows as they were; every staff account with a 工作人员归属 but no
role is put in the role its profile implies."""

from django.db import migrations, models
from django.utils import timezone

BASELINE_NOTE = "升级时记录的基础版本（升级前已有的内容）"
TRACKED = ["Policy", "Material", "Step", "EligibilityRule", "AmountBand"]
TAGS = ["audiences", "sectors", "enterprise_types"]
ROLE_GROUPS = {"city": "市财政局", "county": "县区财政", "department": "部门"}


def record_baselines(apps, schema_editor):
    now = timezone.now()
    for name in TRACKED:
        model = apps.get_model("catalog", name)
        history = apps.get_model("catalog", f"Historical{name}")
        copied = [
            field.attname
            for field in model._meta.concrete_fields
            if field.attname in {f.attname for f in history._meta.concrete_fields}
        ]
        versioned = set(history.objects.values_list("id", flat=True))
        rows = []
        for obj in model.objects.exclude(pk__in=versioned).iterator():
            row = history(
                **{attname: getattr(obj, attname) for attname in copied},
                history_date=now,
                history_type="+",
                history_change_reason=BASELINE_NOTE,
            )
            if name == "Policy":
                row.tags = {
                    tag: sorted(getattr(obj, tag).values_list("pk", flat=True)) for tag in TAGS
                }
            rows.append(row)
        history.objects.bulk_create(rows, batch_size=500)


def assign_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    StaffProfile = apps.get_model("catalog", "StaffProfile")
    groups = {key: Group.objects.filter(name=name).first() for key, name in ROLE_GROUPS.items()}
    role_names = list(ROLE_GROUPS.values()) + ["审计"]
    for profile in StaffProfile.objects.select_related("region", "user"):
        if profile.user.groups.filter(name__in=role_names).exists():
            continue
        if profile.department_id:
            key = "department"
        elif profile.region.parent_id is None:
            key = "city"
        else:
            key = "county"
        if groups[key] is not None:
            profile.user.groups.add(groups[key])


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0011_login_log'),
    ]

    operations = [
        migrations.AlterField(
            model_name='historicalamountband',
            name='history_change_reason',
            field=models.TextField(null=True),
        ),
        migrations.AlterField(
            model_name='historicaleligibilityrule',
            name='history_change_reason',
            field=models.TextField(null=True),
        ),
        migrations.AlterField(
            model_name='historicalmaterial',
            name='history_change_reason',
            field=models.TextField(null=True),
        ),
        migrations.AlterField(
            model_name='historicalpolicy',
            name='history_change_reason',
            field=models.TextField(null=True),
        ),
        migrations.AlterField(
            model_name='historicalstep',
            name='history_change_reason',
            field=models.TextField(null=True),
        ),
        migrations.RunPython(record_baselines, migrations.RunPython.noop),
        migrations.RunPython(assign_roles, migrations.RunPython.noop),
    ]

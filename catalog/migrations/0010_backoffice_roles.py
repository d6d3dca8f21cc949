"""The four back-office roles as groups with their model permissions (see catalog.access)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

REFERENCE = ["region", "domain", "department", "audience", "sector", "enterprisetype"]
INLINES = ["material", "step", "eligibilityrule", "amountband"]
ALL = [
    "policy",
    *INLINES,
    *REFERENCE,
    "synonymgroup",
    "message",
    "staffprofile",
    "workcalendarday",
    "proposedchange",
    "villageitemstatus",
    "booklet",
]
EDITOR = [
    "add_policy",
    "change_policy",
    "view_policy",
    *(f"{action}_{model}" for model in INLINES for action in ("add", "change", "delete", "view")),
    *(f"view_{model}" for model in REFERENCE),
    "view_message",
    "change_message",
]
# County staff keep their own villages' 落实情况 (the admin narrows it to their region).
COUNTY_EDITOR = [
    *EDITOR,
    *(f"{action}_villageitemstatus" for action in ("add", "change", "delete", "view")),
]
ROLES = {
    "市财政局": [f"{action}_{model}" for model in ALL for action in ("add", "change", "delete", "view")],
    "县区财政": COUNTY_EDITOR,
    "部门": [*EDITOR, "view_villageitemstatus"],
    "审计": [f"view_{model}" for model in ALL],
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations ran; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="catalog", codename__in=codenames)
        )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0009_backoffice_history"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]

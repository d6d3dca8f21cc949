"""What the migrations that ship synonym groups (0003, 0017, 0018) share. The leading
underscore keeps Django's migration loader from reading this module as a migration."""

from django.db import migrations


def synonym_groups(groups):
    """The operation that adds `groups` ((words, note) pairs) unless staff already have them,
    and removes them when unapplied."""

    def add(apps, schema_editor):
        SynonymGroup = apps.get_model("catalog", "SynonymGroup")
        for words, note in groups:
            SynonymGroup.objects.get_or_create(words=words, defaults={"note": note})

    def remove(apps, schema_editor):
        apps.get_model("catalog", "SynonymGroup").objects.filter(
            words__in=[words for words, _ in groups]
        ).delete()

    return migrations.RunPython(add, remove)

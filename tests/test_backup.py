"""The backup drill: pg_dump, restore into a scratch database, identical catalogue tables."""

import pytest
from django.core.management import call_command
from django.db import connection

from catalog.management.commands.backup_drill import differences

from .builders import make_message, make_policy


@pytest.mark.django_db(transaction=True)
def test_backup_drill_restores_every_catalogue_table_identically(capsys, tmp_path):
    make_message(make_policy(name="高龄津贴"))
    call_command("backup_drill", output=str(tmp_path / "portal.dump"))
    out = capsys.readouterr().out
    assert "catalog_policy " in out and "catalog_message " in out
    assert "DIFFERENT" not in out
    assert "Backup drill passed" in out
    assert (tmp_path / "portal.dump").stat().st_size > 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s",
            [f"{connection.settings_dict['NAME']}_drill"],
        )
        assert cursor.fetchone() is None  # the scratch database is gone


def test_a_changed_or_missing_table_is_a_difference():
    source = {"catalog_policy": (3, "abc"), "catalog_step": (5, "def"), "catalog_region": (8, "x")}
    restored = {"catalog_policy": (3, "abc"), "catalog_step": (5, "xyz")}
    assert differences(source, restored) == ["catalog_region", "catalog_step"]

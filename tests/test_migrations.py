"""The upgrade from a catalogue without versions or roles: what migration 0012 records."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from .builders import ensure_roles

BEFORE, AFTER = ("catalog", "0011_login_log"), ("catalog", "0012_history_notes_upgrade")


@pytest.fixture
def old_state(transactional_db):
    """The database at 0011 (with the role groups 0010 made); migrated forward again
    afterwards."""
    ensure_roles()  # an earlier transactional test may have flushed them
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    yield executor.loader.project_state([BEFORE]).apps
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_upgrade_records_baseline_versions_and_gives_profiled_staff_their_role(old_state):
    apps = old_state
    city = apps.get_model("catalog", "Region").objects.create(
        name="惠州市", code="441300", slug="huizhou", level="city"
    )
    region = apps.get_model("catalog", "Region").objects.create(
        name="博罗县", code="441322", slug="boluo", level="county", parent=city, area="rural"
    )
    domain = apps.get_model("catalog", "Domain").objects.create(
        name="生活保障", kind="resident", slug="life", order=1
    )
    audience = apps.get_model("catalog", "Audience").objects.create(name="老年人", slug="old")
    policy = apps.get_model("catalog", "Policy").objects.create(
        code="BL-1",
        name="升级前的补贴",
        region=region,
        domain=domain,
        eligibility="条件",
        benefit="标准",
    )
    policy.audiences.add(audience)
    apps.get_model("catalog", "Material").objects.create(policy=policy, order=1, name="身份证")
    user = apps.get_model("auth", "User").objects.create(username="boluo-staff", is_staff=True)
    apps.get_model("catalog", "StaffProfile").objects.create(user=user, region=region)

    executor = MigrationExecutor(connection)
    executor.migrate([AFTER])
    apps = executor.loader.project_state([AFTER]).apps

    version = apps.get_model("catalog", "HistoricalPolicy").objects.get(id=policy.pk)
    assert version.history_change_reason.startswith("升级时记录的基础版本")
    assert version.name == "升级前的补贴" and version.tags["audiences"] == [audience.pk]
    material = apps.get_model("catalog", "HistoricalMaterial").objects.get()
    assert material.name == "身份证" and material.policy_id == policy.pk
    groups = apps.get_model("auth", "User").objects.get(pk=user.pk).groups
    assert list(groups.values_list("name", flat=True)) == ["县区财政"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the gram vector is PostgreSQL's")
def test_upgrade_gives_stored_entries_their_grams(transactional_db):
    from catalog import search
    from catalog.filters import PolicyFilter
    from catalog.models import Policy

    from .builders import make_policy

    make_policy(code="STORED", eligibility="城乡居民基本养老保险补贴按月发放。")
    executor = MigrationExecutor(connection)
    executor.migrate([("catalog", "0015_search_number_units")])  # drops the grams
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    terms = search.parse("养老保险补贴")
    assert search.gram_query(terms)
    found = PolicyFilter({"q": "养老保险补贴"}, queryset=Policy.objects.published()).qs
    assert list(found.values_list("code", flat=True)) == ["STORED"]

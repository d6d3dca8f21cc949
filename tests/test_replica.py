"""The read-replica router. The last two tests need the replica alias, which settings add when
DATABASE_REPLICA_URL is set; run them with the replica mirroring the test database:
DATABASE_REPLICA_URL=$DATABASE_URL pytest tests/test_replica.py"""

import pytest
from django.conf import settings
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext

from catalog.models import Policy
from portal import routers

from .builders import make_policy

router = routers.PrimaryReplicaRouter()


@pytest.fixture
def public_request():
    token = routers._public_reads.set(True)
    yield
    routers._public_reads.reset(token)


def test_reads_outside_a_public_request_go_to_the_primary():
    assert router.db_for_read(Policy) == "default"


def test_reads_of_a_public_request_go_to_the_replica(public_request):
    assert router.db_for_read(Policy) == routers.REPLICA


@pytest.mark.django_db
def test_reads_inside_a_transaction_go_to_the_primary(public_request):
    with transaction.atomic():
        assert router.db_for_read(Policy) == "default"


def test_after_a_write_the_request_and_everyone_else_read_the_primary(public_request):
    assert router.db_for_write(Policy) == "default"
    assert router.db_for_read(Policy) == "default"
    assert routers.written_recently()


def test_only_the_primary_is_migrated():
    assert router.allow_migrate("default", "catalog")
    assert not router.allow_migrate(routers.REPLICA, "catalog")


needs_replica = pytest.mark.skipif(
    routers.REPLICA not in settings.DATABASES, reason="DATABASE_REPLICA_URL not set"
)


def queries_on(alias, call):
    with CaptureQueriesContext(connections[alias]) as queries:
        call()
    return len(queries)


@needs_replica
@pytest.mark.django_db(transaction=True, databases=["default", routers.REPLICA])
def test_an_anonymous_page_view_reads_the_replica(client, settings):
    settings.DATABASE_REPLICA_GRACE = 1
    make_policy(name="护理补贴")
    routers.caches[settings.CATALOG_CACHE].delete(routers.WRITTEN_KEY)  # as if the grace passed
    assert queries_on(routers.REPLICA, lambda: client.get("/policies/?q=护理")) > 0
    assert queries_on("default", lambda: client.get("/policies/?q=养老")) == 0


@needs_replica
@pytest.mark.django_db(transaction=True, databases=["default", routers.REPLICA])
def test_right_after_a_write_page_views_read_the_primary(client):
    make_policy(name="护理补贴")
    assert queries_on(routers.REPLICA, lambda: client.get("/policies/?q=护理")) == 0
    assert "<mark>护理</mark>" in client.get("/policies/?q=护理").content.decode()

import pytest
from django.core.management import call_command

from catalog.models import (
    Audience,
    Department,
    Domain,
    EnterpriseType,
    Message,
    Policy,
    Region,
    Sector,
)


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Tests render pages without running collectstatic, so no hashed-name manifest exists.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Accounts are built in many tests; production hashing costs ~0.6 s each on this machine.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    # Each test starts with nothing cached, whatever the test before it read.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Loaded once for this module (through the project's loaddata, which indexes search)
    and removed afterwards, so other tests start from an empty catalogue."""
    with django_db_blocker.unblock():
        call_command(
            "loaddata", "reference", "demo_policies", "demo_rules", "demo_services", verbosity=0
        )
        yield
        Message.objects.all().delete()
        Policy.objects.filter(parent__isnull=False).delete()
        for model in (
            Policy,
            Department,
            Domain,
            Audience,
            Sector,
            EnterpriseType,
        ):
            model.objects.all().delete()
        Region.objects.filter(parent__isnull=False).delete()
        Region.objects.all().delete()

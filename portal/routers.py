"""Optional read replica (DATABASE_REPLICA_URL): anonymous public page views read from it;
everything else reads and writes the primary."""

import contextvars

from django.conf import settings
from django.core.cache import caches
from django.db import connections

REPLICA = "replica"
WRITTEN_KEY = "db:written-recently"
_public_reads = contextvars.ContextVar("public_reads", default=False)


def note_write():
    """A write happened: for DATABASE_REPLICA_GRACE seconds every request reads the primary,
    so nobody reads, or caches a page from, a replica that has not caught up yet."""
    caches[settings.CATALOG_CACHE].set(WRITTEN_KEY, 1, timeout=settings.DATABASE_REPLICA_GRACE)


def written_recently():
    return caches[settings.CATALOG_CACHE].get(WRITTEN_KEY) is not None


class PrimaryReplicaRouter:
    """Reads go to the replica only inside an anonymous GET request (see PublicReadsMiddleware)
    and outside a transaction on the primary; writes, and the rest of a request after its
    first write, go to the primary. Only the primary is migrated."""

    def db_for_read(self, model, **hints):
        if _public_reads.get() and not connections["default"].in_atomic_block:
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints):
        _public_reads.set(False)
        note_write()
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


class PublicReadsMiddleware:
    """Marks the requests whose reads may go to the replica: GET or HEAD, no staff session,
    no write anywhere within the last DATABASE_REPLICA_GRACE seconds."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        public = (
            request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and not written_recently()
        )
        token = _public_reads.set(public)
        try:
            return self.get_response(request)
        finally:
            _public_reads.reset(token)

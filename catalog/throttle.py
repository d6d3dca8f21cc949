"""Flood protection for the public forms: a per-address counter in the shared cache, so every
app process behind the load balancer counts against the same limit."""

import hashlib
import time

from django.conf import settings
from django.core.cache import caches


def client_address(request):
    """The client's address: REMOTE_ADDR, or the header a trusted proxy sets when
    SUPERVISION_CLIENT_IP_HEADER names one."""
    header = settings.SUPERVISION_CLIENT_IP_HEADER
    address = request.META.get(header, "") if header else ""
    return (address or request.META.get("REMOTE_ADDR", "")).split(",")[0].strip()


def allow(request, scope="consult", now=None):
    """Count this request against its address; False once the address has sent more than
    SUPERVISION_RATE_LIMIT requests in the current SUPERVISION_RATE_WINDOW seconds.

    The counter is created with `add` and raised with the cache's atomic `incr`, so two
    processes hitting it at once never lose a count."""
    window = settings.SUPERVISION_RATE_WINDOW
    bucket = int((now or time.time()) // window)
    # The address is hashed: cache keys show up in monitoring and must not carry it.
    digest = hashlib.sha256(client_address(request).encode()).hexdigest()[:24]
    key = f"throttle:{scope}:{digest}:{bucket}"
    cache = caches[settings.SUPERVISION_RATE_CACHE]
    cache.add(key, 0, timeout=window + 60)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window + 60)
        count = 1
    return count <= settings.SUPERVISION_RATE_LIMIT

"""The shared cache of what is expensive and the same for every visitor: whole public pages,
and below them counts of the home page, facet counts and capped match counts of the list and the
entry ids of a list page (so a cold page still skips the costly reads).

Every key carries the catalogue's generation, a number in the cache that every write path raises
(`services.index_policies`, which the admin, fixtures and management commands all call, and the
admin's deletes). A write therefore makes every earlier value unreachable at once: the public sees
the change on its next request, whichever app server answers. Keys also carry today's date,
because what is published and open depends on it, and the release, so new code never serves a
page an older one rendered (with its templates and its static files' names) nor reads a value of
an older shape. Values hold nothing a visitor sent."""

import hashlib
import os
import time
from functools import cache, wraps
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone

from .middleware import DISPLAY_COOKIES

GENERATION_KEY = "catalog:generation"
# A visitor with one of these sees a page of their own (staff session, a one-time notice).
# ("messages" is the cookie of django.contrib.messages' CookieStorage.)
PERSONAL_COOKIES = {settings.SESSION_COOKIE_NAME, "messages"}


def _cache():
    return caches[settings.CATALOG_CACHE]


def generation():
    """The current catalogue generation. If the cache lost it, a new one is drawn from the
    clock in microseconds, past every number the lost one reached unless writes outran the
    clock."""
    cache = _cache()
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, time.time_ns() // 1000, timeout=None)
        value = cache.get(GENERATION_KEY)
    return value


def bump():
    """Make every cached catalogue value stale: called by each write path after it wrote.

    Raised now and again when the transaction commits: a request between the two could
    otherwise cache what it read before the commit under the new generation."""
    _incr()
    transaction.on_commit(_incr)


def _incr():
    cache = _cache()
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # never set, or evicted
        cache.add(GENERATION_KEY, time.time_ns() // 1000, timeout=None)


RELEASE_FILES = {".py", ".html", ".txt", ".xml", ".css", ".js", ".svg", ".png", ".ico", ".json"}


@cache
def release():
    """This release: `PORTAL_RELEASE` if set, else a digest of the code, templates and static
    files (sources only: no bytecode, hidden or temporary files), the same on every server that
    runs the same files. Computed when the app loads (`CatalogConfig.ready`)."""
    if os.environ.get("PORTAL_RELEASE"):
        return os.environ["PORTAL_RELEASE"]
    base = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    for folder in ["catalog", "portal", "templates", "static"]:
        for path in sorted((base / folder).rglob("*")):
            relative = path.relative_to(base)
            if path.suffix not in RELEASE_FILES or any(
                part.startswith((".", "__pycache__")) for part in relative.parts
            ):
                continue
            try:
                digest.update(str(relative).encode() + b"\0" + path.read_bytes())
            except OSError:  # gone since listed, or a folder named like a file
                continue
    return digest.hexdigest()[:12]


def key(name, *parts):
    """The cache key of `name` for `parts` (e.g. a query string) in this release, generation
    and day."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32] if parts else "-"
    day = timezone.localdate()
    return f"catalog:{release()}:{generation()}:{day:%Y%m%d}:{name}:{digest}"


def cached(name, compute, *parts, timeout=None):
    """The cached value of `compute()` for `name` and `parts`, computed on a miss.

    Stampede guard: on a miss, one caller takes a short lock and computes; the others wait up to
    CATALOG_CACHE_WAIT seconds for its value, and compute themselves only if it has not come.
    Values are wrapped, so a computed None is cached like any other value."""
    cache = _cache()
    timeout = settings.CATALOG_CACHE_SECONDS if timeout is None else timeout
    full_key = key(name, *parts)
    hit = cache.get(full_key)
    if hit is not None:
        return hit[0]
    lock = f"{full_key}:lock"
    if not cache.add(lock, 1, timeout=max(1, round(settings.CATALOG_CACHE_WAIT * 2))):
        deadline = time.monotonic() + settings.CATALOG_CACHE_WAIT
        while time.monotonic() < deadline:
            time.sleep(0.02)
            hit = cache.get(full_key)
            if hit is not None:
                return hit[0]
    try:
        value = compute()
        cache.set(full_key, (value,), timeout=timeout)
    finally:
        cache.delete(lock)
    return value


_kept = {}


def kept(name, compute):
    """`cached(name, compute)`, also kept in this process while its key stays the same: for
    the reference data every page reads (menus, places, synonyms), which would otherwise be
    unpickled from the cache several times a page. A write changes the key, so a kept value is
    never older than the shared one. Every request of the process gets the same objects:
    callers must not change them."""
    full_key = key(name)
    held = _kept.get(name)
    if held is None or held[0] != full_key:
        held = _kept[name] = (full_key, cached(name, compute))
    return held[1]


class _Uncacheable(Exception):
    def __init__(self, response):
        self.response = response


def public_page(view):
    """Serve a public page whole from the cache: same generation, day, address and display
    mode, same bytes. Only for visitors without a session or a pending notice, only GET, only
    a 200 that sets no cookie and used no CSRF token; anything else is rendered as usual."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "GET" or set(request.COOKIES) & PERSONAL_COOKIES:
            return view(request, *args, **kwargs)

        def render():
            response = view(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()
            if (
                response.status_code != 200
                or response.streaming
                or response.cookies
                or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
                or request.META.get("CSRF_COOKIE_USED")
            ):
                raise _Uncacheable(response)
            return response.content, list(response.items())

        display = tuple(request.COOKIES.get(cookie) == "on" for cookie in DISPLAY_COOKIES.values())
        try:
            content, headers = cached("page", render, request.get_full_path(), display)
        except _Uncacheable as skipped:
            return skipped.response
        response = HttpResponse(content)
        for name, value in headers:
            response[name] = value
        return response

    return wrapper

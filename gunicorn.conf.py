"""gunicorn settings for every app server (`gunicorn portal.wsgi`); knobs from the environment.

App processes keep nothing a second server needs: sessions and the cache live in PostgreSQL and
Redis (REDIS_URL), static files are built into each release (collectstatic) and served by
WhiteNoise."""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: pages are short and database-bound; one or two per core.
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 2))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# Restart workers now and then so a slow leak never grows without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
# Behind a load balancer on another host: trust its X-Forwarded-* headers only from there.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None

# No server banner: gunicorn names itself in a Server header no setting removes; a dash says
# nothing about the software behind it.
import gunicorn.http.wsgi  # noqa: E402 -- placed with the setting it serves

gunicorn.http.wsgi.SERVER = "-"


# The app, and the query segmenter's dictionary with it (about 0.6 s and 90 MB), are loaded once
# in the master before the workers start; they share that memory and start at once, also when
# max_requests replaces one. A new release needs a restart: HUP reuses the loaded app.
preload_app = True


def when_ready(server):
    """Before the first fork: load the segmenter, then move everything loaded so far out of the
    garbage collector's reach (`gc.freeze`). Its passes in the workers then neither walk those
    objects nor write to their pages, which would copy the shared memory into each worker."""
    import gc

    from catalog.search import segmenter

    segmenter()
    gc.freeze()

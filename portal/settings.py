"""One settings module; production differs from development by environment variables only."""

import datetime
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")
# Production is served over HTTPS: secure cookies, HSTS and a redirect from plain HTTP.
HTTPS = env_bool("DJANGO_HTTPS")
# The fallback key is for a local demo only; `check --deploy` rejects it in production.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or "django-insecure-local-demo-key"
if HTTPS and SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured("DJANGO_HTTPS is on: set DJANGO_SECRET_KEY to a long random value.")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# HTTPS. Behind a TLS-terminating proxy, DJANGO_PROXY_SSL_HEADER names the header that proxy
# sets (e.g. HTTP_X_FORWARDED_PROTO); trust it only when the proxy overwrites it on every request.
SECURE_SSL_REDIRECT = HTTPS
# Load balancers probe the health endpoints over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
if os.environ.get("DJANGO_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = (os.environ["DJANGO_PROXY_SSL_HEADER"], "https")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000" if HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", HTTPS)
# Django's defaults, stated because the header scan (tests/test_security.py) relies on them.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"

# No inline script or style anywhere, the admin included (it ships none in Django 5.2).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

INSTALLED_APPS = [
    "catalog",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_filters",
    "csp",
    "simple_history",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost with SecurityMiddleware, so error responses of the layers below carry them too.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "catalog.middleware.DatabaseUnavailableMiddleware",
    "catalog.middleware.NoStoreAdminMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Versions written without an explicit author (rows deleted with their entry) take the user.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "catalog.middleware.DisplayPreferenceMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "catalog.context_processors.site",
            ],
        },
    },
]

# SQLite file for the zero-setup demo; PostgreSQL (DATABASE_URL) in production and tests.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that is down or stuck costs a request seconds, never a hung worker.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "connect_timeout": int(os.environ.get("DJANGO_DB_CONNECT_TIMEOUT", "3")),
            "options": "-c statement_timeout={}".format(
                int(os.environ.get("DJANGO_DB_STATEMENT_TIMEOUT_MS", "10000"))
            ),
        }
    )
# Seconds a client is asked to wait (Retry-After) while the database cannot be reached.
PORTAL_RETRY_AFTER = int(os.environ.get("PORTAL_RETRY_AFTER", "30"))

# An optional streaming replica of the primary for anonymous page views (portal/routers.py).
# Reads go back to the primary for DATABASE_REPLICA_GRACE seconds after any write, which must
# exceed the replica's usual lag. In tests the replica mirrors the test database.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
DATABASE_REPLICA_GRACE = int(os.environ.get("DATABASE_REPLICA_GRACE", "10"))
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **dj_database_url.parse(
            DATABASE_REPLICA_URL,
            conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
            conn_health_checks=True,
        ),
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["portal.routers.PrimaryReplicaRouter"]
    MIDDLEWARE.append("portal.routers.PublicReadsMiddleware")

# Change notes of versions are text: composed notes (an approval quotes the proposal's note)
# run past the default 100 characters.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# django-axes first: it counts failed logins and refuses a locked-out username+address before
# the password is even checked. It needs the request, which the admin login form passes.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling: after AXES_FAILURE_LIMIT failed logins for one username from one address,
# that pair is refused for LOGIN_COOLOFF_MINUTES (the lockout page says so, in Chinese).
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "catalog.admin_login.locked_out"
# The same client address as the flood limit of the public forms (SUPERVISION_CLIENT_IP_HEADER).
AXES_CLIENT_IP_CALLABLE = "catalog.throttle.client_address"
# The login audit log: successes and logouts (AccessLog) and failures (AccessFailureLog), shown
# read-only in the admin by catalog/admin_login.py instead of axes' own English admin.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False

# Staff sessions end after this many minutes without a request: each request moves the expiry
# on (the session row's expiry is checked by the server, not only the cookie's). Public pages
# keep no session, so this touches staff only.
SESSION_COOKIE_AGE = int(os.environ.get("STAFF_IDLE_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One-time notices ("已开启长者模式") travel in a cookie: public pages keep no session.
MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"

# What the site says about itself on every page.
PORTAL_CITY = os.environ.get("PORTAL_CITY", "惠州市")
PORTAL_OWNER = os.environ.get("PORTAL_OWNER", "惠州市财政局")
# Demo content is labelled as such on every page until real content replaces it.
PORTAL_DEMO_CONTENT = env_bool("PORTAL_DEMO_CONTENT", True)
PORTAL_PAGE_SIZE = 20
# The public address printed links and QR codes point at, e.g. https://zhengce.example.gov.cn;
# empty: the address of the request.
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "").rstrip("/")
# A printed booklet holds at most this many entries; a larger volume is printed in parts (one
# per domain, a domain past the limit in several).
PORTAL_BOOKLET_MAX = int(os.environ.get("PORTAL_BOOKLET_MAX", "400"))
# The Chromium that `manage.py build_booklets` prints PDF booklets with.
PORTAL_CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")

# The cache. Redis (REDIS_URL) whenever more than one app process runs: the flood limit of the
# public message forms counts in it, and a per-process memory would let each process count apart.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        # Room for cached pages: past MAX_ENTRIES a third of the keys would go at once.
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    )
}
# Counts and list pages of the public catalogue (catalog/caching.py). Every write raises the
# catalogue generation, so the timeout only bounds memory use, never staleness.
CATALOG_CACHE = "default"
CATALOG_CACHE_SECONDS = int(os.environ.get("CATALOG_CACHE_SECONDS", "3600"))
# How long a request waits for another process computing the same cold value (stampede guard).
CATALOG_CACHE_WAIT = float(os.environ.get("CATALOG_CACHE_WAIT", "2"))

# Public supervision (SPEC §8): questions and error reports about an entry.
SUPERVISION_REPLY_WORKING_DAYS = int(os.environ.get("SUPERVISION_REPLY_WORKING_DAYS", "5"))
SUPERVISION_CONTACT_RETENTION_DAYS = int(
    os.environ.get("SUPERVISION_CONTACT_RETENTION_DAYS", "180")
)
# At most this many messages from one address per window (seconds), counted in the cache.
SUPERVISION_RATE_LIMIT = int(os.environ.get("SUPERVISION_RATE_LIMIT", "5"))
SUPERVISION_RATE_WINDOW = int(os.environ.get("SUPERVISION_RATE_WINDOW", "3600"))
SUPERVISION_RATE_CACHE = "default"
# Behind a reverse proxy, the request header that carries the client's address, e.g.
# HTTP_X_REAL_IP; empty means REMOTE_ADDR. Only set it when the proxy overwrites that header.
SUPERVISION_CLIENT_IP_HEADER = os.environ.get("SUPERVISION_CLIENT_IP_HEADER", "")

# Excel import in the admin (catalog/spreadsheet.py): the largest file, the most data rows in
# one import, and how large the workbook may grow when unpacked (a zip bomb is refused).
PORTAL_IMPORT_MAX_BYTES = int(os.environ.get("PORTAL_IMPORT_MAX_BYTES", str(2 * 1024 * 1024)))
PORTAL_IMPORT_MAX_ROWS = int(os.environ.get("PORTAL_IMPORT_MAX_ROWS", "1000"))
PORTAL_IMPORT_MAX_UNPACKED_BYTES = 50 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# Demo and reference data live in the top-level fixtures/ folder.
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

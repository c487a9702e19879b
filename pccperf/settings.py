"""Settings for pccperf.

Every value that differs between a laptop and a server comes from the
environment (SPEC §4): DATABASE_URL, SECRET_KEY, DEBUG, ALLOWED_HOSTS,
REDIS_URL.
Defaults are safe: DEBUG is off unless set, and with DEBUG off the site
refuses to start without a SECRET_KEY.

One source for every entry point: manage.py, gunicorn, the tests and the
job worker all read the environment, then the checkout's `.env` for what
the environment leaves unset (ENV_FILE names another file; ENV_FILE= none).
`make demo` writes `.env` with this checkout's own SECRET_KEY and never
DEBUG: DEBUG=1 is given on the command line of the development server
only, so `collectstatic` and gunicorn can never disagree about it
(docs/decisions.md, One source of settings).
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent

ENV_FILE = os.environ.get("ENV_FILE", str(BASE_DIR / ".env")).strip()
if ENV_FILE:
    # The environment wins over the file (override=False), as systemd's
    # EnvironmentFile and `export` in a shell expect.
    load_dotenv(ENV_FILE, override=False)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use 1/0, true/false, yes/no or on/off")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. For local development run `make demo` once "
            "(it writes .env with a SECRET_KEY for this checkout, which every command reads); "
            "in production set SECRET_KEY (see .env.example)."
        )
    # Development only: never used when DEBUG is off (checked above).
    SECRET_KEY = "django-insecure-development-only-key"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "axes",
    "health_check",
    "indicators",
    "reports",
    "django_tasks",
    "django_tasks_db",
    # installed whatever the backend, so that one database schema (its migrations) serves both
    "django_rq",
    "jobs",
    "corsheaders",
]

MIDDLEWARE = [
    # First: its request line times every other middleware, and a probe of
    # /healthz is logged too, a 503 included (pccperf/requestlog.py).
    "pccperf.requestlog.RequestLogMiddleware",
    # /healthz before the rest: a load balancer probes by address and over HTTP (pccperf/health.py).
    "pccperf.health.HealthzFirst",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The API from other sites (issue 30): before CommonMiddleware, as django-cors-headers asks, and before
    # the rate limit, so that a preflight is not counted and a 429 carries its CORS headers.
    "corsheaders.middleware.CorsMiddleware",
    # HEAD on /api/ as its GET without the body (the views take GET only).
    "reports.api_http.ApiHead",
    "pccperf.ratelimit.ApiRateLimit",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The URL's language, /cy/… Welsh (issue 31): not LocaleMiddleware, which would let Accept-Language
    # switch every page (pccperf/language.py)
    "pccperf.language.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: locks out repeated failed logins.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five failed logins for a username from one address lock it out for an hour.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Behind reverse proxies every request comes from the last proxy's address, so
# "username and address" would lock a username out for everyone. With
# TRUSTED_PROXY_COUNT=N (the proxies in front of gunicorn, each appending to
# X-Forwarded-For) the address is the N-th X-Forwarded-For entry from the
# right; entries left of it are the client's own and may be forged. 0 (the
# default): the peer's address, for a server reached directly.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT={TRUSTED_PROXY_COUNT} must be 0 or more")
AXES_CLIENT_IP_CALLABLE = "pccperf.proxies.client_ip"
# The locked-out page says how to get back in (templates/lockout.html); the
# message is the same words where no page is shown.
AXES_LOCKOUT_TEMPLATE = "lockout.html"
AXES_COOLOFF_MESSAGE = ("Too many failed sign-ins for this username: signing in is locked for an hour after "
                        "the last attempt. Wait an hour, or ask an administrator to unlock it (Admin > Axes > "
                        "Access attempts, or `python manage.py axes_reset_username USERNAME`).")

ROOT_URLCONF = "pccperf.urls"

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
                "pccperf.language.context",
            ],
        },
    },
]

WSGI_APPLICATION = "pccperf.wsgi.application"

# SQLite is the embedded default; DATABASE_URL selects PostgreSQL, through
# psycopg 3. gunicorn's sync workers serve one request at a time, so each
# keeps one persistent connection (CONN_MAX_AGE, checked before reuse).
# DATABASE_POOL=1 switches to psycopg's connection pool instead, for threaded
# workers (gunicorn --threads); Django refuses a pool with persistent
# connections, so the pool sets CONN_MAX_AGE to 0 (docs/decisions.md).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if env_bool("DATABASE_POOL", False):
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_POOL=1 needs PostgreSQL (a postgres:// DATABASE_URL); "
                                   "SQLite has no connection pool")
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env_int("DATABASE_POOL_MIN", 1),
        "max_size": env_int("DATABASE_POOL_MAX", 4),
        "timeout": env_int("DATABASE_POOL_TIMEOUT", 10),
    }

# Caches. Unset REDIS_URL (one server): each process keeps its own, in
# memory. REDIS_URL (several servers behind one load balancer, SPEC §4):
# every process of every server shares one Redis, through Django's own
# backend, so a page cached or invalidated by one is so for all; sessions
# stay in the database with Redis in front (cached_db), so flushing or
# losing Redis signs nobody out. Give pccperf a Redis database of its own:
# clearing a cache (a restore does) empties that whole database.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
PAGE_CACHE_ENTRIES = env_int("PAGE_CACHE_ENTRIES", 2000)
if REDIS_URL:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(f"REDIS_URL={REDIS_URL!r} is not a Redis URL; "
                                   "write redis://host:6379/0 (or rediss:// for TLS)")
    # A Redis that does not answer costs at most a few seconds, not a hung worker.
    _REDIS_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                    "KEY_PREFIX": "pccperf", "OPTIONS": _REDIS_OPTIONS},
        # Rendered public pages, keyed by the data version (reports/cache.py);
        # Redis evicts by its own maxmemory policy, not by a number of entries.
        "pages": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                  "KEY_PREFIX": "pccperf-pages", "OPTIONS": _REDIS_OPTIONS},
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"},
        # Rendered public pages, per process; keyed by the data version (reports/cache.py).
        "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages",
                  "OPTIONS": {"MAX_ENTRIES": PAGE_CACHE_ENTRIES}},
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Long work off the request (issue 27; jobs/runner.py, docs/decisions.md, Job
# queue): the django-tasks API on the database backend by default (no extra
# service; `manage.py run_worker` beside runserver or gunicorn), or on RQ
# when REDIS_URL is set (any number of workers on any number of machines).
# JOBS_BACKEND=database keeps the database queue beside a Redis cache.
JOBS_BACKEND = os.environ.get("JOBS_BACKEND", "rq" if REDIS_URL else "database").strip()
if JOBS_BACKEND == "rq":
    if not REDIS_URL:
        raise ImproperlyConfigured("JOBS_BACKEND=rq needs REDIS_URL")
    INSTALLED_APPS += ["django_tasks_rq"]
    # "urgent": work someone is waiting for (jobs/runner.py); workers empty it before "default"
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["urgent", "default"]}}
    RQ_QUEUES = {name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 1800} for name in ("urgent", "default")}
elif JOBS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
else:
    raise ImproperlyConfigured(f"JOBS_BACKEND={JOBS_BACKEND!r}: write database or rq")
# A running job whose worker has not been heard from for this long is sent again.
JOBS_STALE_AFTER = env_int("JOBS_STALE_AFTER", 120)
# A return file larger than this is checked and imported by a job, not in
# the upload request (indicators/returns/jobs.py; docs/decisions.md, Big
# imports as jobs): 2 MB of CSV (about 55,000 rows) is about 1 s of read,
# check and preview on the bench machine. An XLSX file counts six times its
# size (returns/jobs.py XLSX_COST): its bytes cost that much more to read.
IMPORT_IN_REQUEST_MAX_BYTES = env_int("IMPORT_IN_REQUEST_MAX_BYTES", 2_000_000)

# Uploaded files stay in memory, never in a server's temporary folder: a
# return file waiting for confirmation is kept in the database
# (indicators/returns/pending.py). The limit is the return file's own
# (returns/file.py MAX_BYTES, 20 MB) plus room for the form around it; a
# larger request keeps no file and the import page says it is too large.
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]
FILE_UPLOAD_MAX_MEMORY_SIZE = 21 * 1024 * 1024
# The admin's data.police.uk import takes a whole monthly archive (a month of
# every force's street files is some tens of MB zipped), so that one page
# keeps uploads up to this size in memory (indicators/admin/opendata.py);
# the 21 MB above stays the limit everywhere else. Its members are bounded
# in number and in unpacked size, so a zip bomb is refused, not unpacked.
POLICEUK_UPLOAD_MAX_BYTES = env_int("POLICEUK_UPLOAD_MAX_BYTES", 200 * 1024 * 1024)
POLICEUK_ARCHIVE_MAX_MEMBERS = env_int("POLICEUK_ARCHIVE_MAX_MEMBERS", 2000)
POLICEUK_MAX_UNPACKED_BYTES = env_int("POLICEUK_MAX_UNPACKED_BYTES", 2 * 1024 * 1024 * 1024)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
# Issue 31: English (the default, at unprefixed addresses) and Welsh (/cy/…), for the forces in Wales
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False  # numbers are formatted explicitly, per unit

STATIC_URL = "static/"
# collectstatic writes here; STATIC_ROOT moves it (e.g. to a folder the deployment owns).
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "pccperf.staticfinders.PlotlyFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "admin:login"


# --- Security ------------------------------------------------------------
# Content-Security-Policy: no script runs unless it is a file from this site
# or carries the request's nonce; plotly injects <style> elements, hence
# 'unsafe-inline' for styles only.
from csp.constants import NONCE, NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    # Production: HTTPS only. Behind a proxy that terminates TLS, set
    # BEHIND_PROXY=1 so Django trusts its X-Forwarded-Proto header (only do
    # this if the proxy always sets or strips that header).
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Logs go to stderr, for systemd's journal or the container runtime. Plain
# text by default; LOG_FORMAT=json writes one JSON object per line, with one
# line per request (request id, user, method, path, status, duration), from
# pccperf/requestlog.py (docs/decisions.md, "Logs (LOG_FORMAT=json)").
from pccperf.requestlog import LOG_FORMATS, LOG_LEVELS, logging_config  # noqa: E402

LOG_FORMAT = (os.environ.get("LOG_FORMAT") or "plain").strip().lower()
if LOG_FORMAT not in LOG_FORMATS:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r} is not a log format; use plain or json")
LOG_LEVEL = (os.environ.get("LOG_LEVEL") or "WARNING").strip().upper()
if LOG_LEVEL not in LOG_LEVELS:
    raise ImproperlyConfigured(f"LOG_LEVEL={LOG_LEVEL!r} is not a level; use {', '.join(LOG_LEVELS)}")
LOGGING = logging_config(LOG_FORMAT, LOG_LEVEL)
if LOG_FORMAT == "json":
    LOGGING_CONFIG = "pccperf.requestlog.configure_json_logging"   # Python's warnings as JSON lines too

# --- The API (issue 30; docs/decisions.md, API) -------------------------------
# How long a client or proxy may keep a public API response (Cache-Control max-age, seconds).
API_MAX_AGE = env_int("API_MAX_AGE", 300)
# Requests to /api/ one client address may make: API_RATE_LIMIT=N/s, N/m or N/h (default 120/m); 0 or off:
# none. Counted in the default cache: in Redis, shared by every server, when REDIS_URL is set
# (pccperf/ratelimit.py).
_RATE = os.environ.get("API_RATE_LIMIT", "120/m").strip().lower()
if _RATE in ("", "0", "off", "none"):
    API_RATE_LIMIT = None
else:
    _count, _, _unit = _RATE.partition("/")
    if not _count.isdigit() or int(_count) < 1 or _unit not in ("s", "m", "h"):
        raise ImproperlyConfigured(f"API_RATE_LIMIT={_RATE!r}: write N/s, N/m or N/h (e.g. 120/m), or off")
    API_RATE_LIMIT = (int(_count), {"s": 1, "m": 60, "h": 3600}[_unit])
# CORS (django-cors-headers): any site may read the API's public data with GET, never with credentials
# (so a browser never sends an analyst's session cookie to it from another site); only /api/ paths.
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_ALLOW_HEADERS = ("accept", "if-none-match", "if-modified-since")
CORS_EXPOSE_HEADERS = ("ETag", "Last-Modified", "Retry-After", "Content-Disposition", "X-RateLimit-Limit",
                       "X-RateLimit-Remaining")
CORS_PREFLIGHT_MAX_AGE = 86400

"""Settings for Seminar, read from the environment.

Every value a deployment changes comes from an environment variable, so the same module
serves `make run` (SQLite, DEBUG, console email) and production (PostgreSQL, SMTP, gunicorn).
"""

import os
from datetime import timedelta
from pathlib import Path

import bootstrap_wrapper
import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)
# Without SECRET_KEY, a development key anyone can read here. Tests, scripts and management
# commands may use it (`make run` migrates and loads the demo before `DEBUG=1 runserver`; CI
# and the benchmarks run with no key); a server may not: wsgi.py and asgi.py, which runserver
# loads too, refuse to start on it unless DEBUG is on (seminar.security).
DEVELOPMENT_KEY = "insecure-dev-key-set-SECRET_KEY-in-production"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY") or DEVELOPMENT_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "ninja",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "seminar",
    "annotations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "seminar.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before sessions: LTI-launched sessions get cross-site cookies and LMS framing.
    "seminar.lti.frames.LtiFrameMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "seminar.errors.DomainErrorMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page (429).
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses logins while locked out, counts failures
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "annotations.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Concurrent writers wait for each other instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
elif "postgresql" in DATABASES["default"]["ENGINE"]:
    # No JIT: PostgreSQL compiles a query it guesses is expensive (a search's or an
    # export's visibility rules), which costs 100-800 ms of a request that runs in tens.
    # A DATABASE_URL with `?options=...` sets its own instead.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

AUTH_USER_MODEL = "seminar.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Bootstrap comes from the bootstrap-wrapper package: nothing vendored, nothing from a CDN.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("bootstrap", bootstrap_wrapper.get_bootstrap_dir()),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "seminar.staticfiles.StaticStorage"
        if not DEBUG and not env_bool("SEMINAR_PLAIN_STATIC")
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: the console by default; SMTP when EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Seminar <seminar@localhost>")
# The site's address for links in emails, which the worker writes with no request to ask:
# SITE_URL, else the first trusted origin (production sets them), else `make run`'s.
SITE_URL = (
    os.environ.get("SITE_URL") or next(iter(CSRF_TRUSTED_ORIGINS), "") or "http://127.0.0.1:8000"
).rstrip("/")

# Uploaded readings are read in memory and checked against this limit before decoding.
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024

# A site is declared HTTPS when DEBUG is off and every trusted origin is https:// (the
# documented production settings); HTTPS=0 opts a plain-HTTP intranet out. Declared HTTPS:
# secure cookies, a redirect of plain HTTP, and HSTS for a year (docs/security.md).
HTTPS = env_bool(
    "HTTPS",
    default=not DEBUG
    and bool(CSRF_TRUSTED_ORIGINS)
    and all(origin.startswith("https://") for origin in CSRF_TRUSTED_ORIGINS),
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=HTTPS)
SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS") or (365 * 24 * 3600 if HTTPS else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", default=HTTPS)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_HTTPS_PROXY") else None
)

# The cache is shared by every worker (the throttles and django-axes count in it): the
# database by default (its table is made by a migration), Redis where REDIS_URL is set.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "seminar_cache",
            # Django's default of 300 would evict all the time: a class of 200 keeps a
            # list document per audience, a discussion and counts per person.
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    }

# Guessing is slow: failed logins lock an account, and separately a client address, for
# AXES_COOLOFF_MINUTES after AXES_FAILURE_LIMIT failures (an admin unlocks in Django's admin,
# "Access attempts", or with `manage.py axes_reset`). Other limits: seminar.throttling,
# overridden per name by SEMINAR_THROTTLES.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT") or 10)
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES") or 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_CLIENT_IP_CALLABLE = "seminar.throttling.client_address"  # one rule for the address
SEMINAR_THROTTLES = {}
# Whether people may erase their own account (annotations.privacy); off: the admin does it
# on request with `manage.py erase_account`.
SEMINAR_SELF_ERASURE = env_bool("SEMINAR_SELF_ERASURE")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Background seminar archives (annotations.export.jobs): where they are written and how many
# days a finished one is kept before `prune_exports` (or the next export) deletes it.
# Background tasks (exports, email): Django's Tasks framework, its database backend by
# default, run by `manage.py worker`. TASKS_BACKEND names another backend (docs/deployment.md:
# django_tasks_rq.RQBackend for Redis/RQ); the tests run tasks at once (tests/conftest.py).
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND") or "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "email"],
    }
}

EXPORT_ROOT = Path(os.environ.get("EXPORT_ROOT") or BASE_DIR / "var" / "exports")
EXPORT_RETENTION_DAYS = int(os.environ.get("EXPORT_RETENTION_DAYS") or 7)

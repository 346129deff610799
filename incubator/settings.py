"""One settings module, read from the environment.

With no environment at all the incubator runs embedded: SQLite in ``data/``, the in-memory
channel layer, console e-mail. ``DATABASE_URL`` and ``REDIS_URL`` switch it to PostgreSQL and
Redis; with ``DATABASE_URL`` set the production rules apply (real ``SECRET_KEY``,
``ALLOWED_HOSTS``, secure cookies) unless ``DEBUG`` is on.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "").strip()
    return [item.strip() for item in value.split(",") if item.strip()] if value else default


DEBUG = env_bool("DEBUG")
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
EMBEDDED = not DATABASE_URL
PRODUCTION = not EMBEDDED and not DEBUG
DATA_DIR = Path(os.environ.get("DATA_DIR", BASE_DIR / "data"))

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when DATABASE_URL is set and DEBUG is off"
        )
    SECRET_KEY = "django-insecure-embedded-profile-only-never-in-production"
elif PRODUCTION and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure")):
    raise ImproperlyConfigured("SECRET_KEY must be a random string of at least 50 characters")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required in production")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    # Before the admin: its registration/ templates (password change, sign-out) are the
    # site's own, not the admin's.
    "frontend",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "guardian",
    "channels",
    "csp",
    "accounts",
    "django_tasks",
    "django_tasks_db",
    # Low-level apps: they import no other app of the incubator.
    "outbox",
    "clock",
    "projects",
    "notifications",
    "webhooks",
    "workflows",
    "commons",
    "discussion",
    "live",
    "interop",
    "evidence",
    "portfolio",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "incubator.middleware.QueryStringLimit",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "incubator.middleware.PermissionsPolicy",
]

# No inline script or style: every page loads its code from /static/; the few inline blocks
# that must stay (htmx's indicator style, the API docs' start-up) carry the request's nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],  # same-origin ws:// and wss:// included (CSP level 3)
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Powerful browser features no page of the incubator uses.
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), "
    "display-capture=(), browsing-topics=()"
)

ROOT_URLCONF = "incubator.urls"
# Every form field renders with the design system's markup (frontend/forms/).
FORM_RENDERER = "frontend.forms.DsfrRenderer"
ASGI_APPLICATION = "incubator.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "frontend.context_processors.identity",
            ],
        },
    },
]

if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's pool instead of persistent connections: CONN_MAX_AGE > 0 leaks
        # connections under ASGI (Django ticket #33497).
        DATABASES["default"]["OPTIONS"] = {
            "pool": {"min_size": 1, "max_size": env_int("DATABASE_POOL_SIZE", 20), "timeout": 10}
        }
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "incubator.sqlite3",
            # IMMEDIATE takes the write lock at BEGIN: writes are serialised, which gives the
            # workflow the guarantees that row locks give on PostgreSQL.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            "TEST": {"NAME": DATA_DIR / "test.sqlite3"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes (INCLUDE) speed up the portfolio on PostgreSQL; SQLite builds them as
# plain indexes, which is all the embedded profile needs.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# The cache (portfolio figures) is shared by every process through Redis when there is one.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# Background work (DEP 14 tasks API through the django-tasks backport): the task rows live
# in the main database, SQLite embedded, PostgreSQL in production, where any number of
# `manage.py db_worker` processes share one queue. Enqueuing writes the task row in the
# caller's transaction: workers see it exactly when the change commits, and a crash between
# the commit and an on-commit hook cannot lose it.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A task still "running" after this long lost its worker (killed, machine gone): the clock
# puts it back in the queue. Longer than the longest task (an SMTP conversation is bounded by
# EMAIL_TIMEOUT); tasks are idempotent, so a rare second run is harmless.
TASKS_STALE_SECONDS = env_int("TASKS_STALE_SECONDS", 600)
TASKS_RETENTION_DAYS = env_int("TASKS_RETENTION_DAYS", 14)
# E-mail: tries before a message is marked failed, and the first wait (doubled each time).
MAIL_MAX_ATTEMPTS = env_int("MAIL_MAX_ATTEMPTS", 6)
MAIL_RETRY_SECONDS = env_int("MAIL_RETRY_SECONDS", 60)
# Reminders and nudges run by the clock (days).
CHANGES_REMINDER_DAYS = env_int("CHANGES_REMINDER_DAYS", 7)
DORMANT_DAYS = env_int("DORMANT_DAYS", 90)
# The owner of an open condition is reminded this many days before its due date.
CONDITION_REMINDER_DAYS = env_int("CONDITION_REMINDER_DAYS", 7)
# A verified reuse lapses this long after its verification or last yearly confirmation.
REUSE_CONFIRM_DAYS = env_int("REUSE_CONFIRM_DAYS", 365)
# Its declarer is asked to confirm it this many days before.
REUSE_REMIND_DAYS = env_int("REUSE_REMIND_DAYS", 30)
# A commons is renewed this many months after graduation or its last renewal; the clock
# opens its renewal review this many days before that date.
COMMONS_RENEWAL_MONTHS = env_int("COMMONS_RENEWAL_MONTHS", 12)
RENEWAL_NOTICE_DAYS = env_int("RENEWAL_NOTICE_DAYS", 30)
# No commit for this long opens a renewal review early.
RENEWAL_QUIET_DAYS = env_int("RENEWAL_QUIET_DAYS", 183)

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: anonymous visitors get no object permissions
GUARDIAN_RAISE_403 = False
GUARDIAN_MONKEY_PATCH_USER = False

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "frontend:space"
LOGOUT_REDIRECT_URL = "frontend:home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Static files with hashed names, precompressed (gzip and Brotli) by collectstatic, in every
# profile: WhiteNoise serves them from Daphne with a one-year immutable Cache-Control (the
# name changes with the content), and nginx serves the same files in production
# (deploy/nginx.conf). `make setup` collects them; the tests name the plain files.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "incubator.static_storage.HashedStaticFiles"},
}
# Files without a hash in their name (the originals collectstatic keeps beside the hashed
# copies) are cached for a minute.
WHITENOISE_MAX_AGE = 60
# Source maps (a third of the bytes, for developers' tools only) are not compressed: that
# halves the time collectstatic takes.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "")
if not EMAIL_BACKEND:
    EMAIL_BACKEND = (
        "django.core.mail.backends.smtp.EmailBackend"
        if os.environ.get("EMAIL_HOST")
        else "django.core.mail.backends.console.EmailBackend"
    )
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
# A hanging SMTP server must not hold a worker (and its row lock) for ever; below the
# SQLite lock timeout, since the embedded profile serialises writes.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "incubateur@localhost")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# Who runs the site, shown in the header, the footer and the legal pages. The design system's
# State identity (the Marianne block, "République française") is reserved for the State's
# services: an operator outside the State leaves SITE_STATE_IDENTITY off and gets the neutral
# header and footer, its own name in place of the Marianne block.
SITE_STATE_IDENTITY = env_bool("SITE_STATE_IDENTITY")
SITE_IDENTITY = {
    "state": SITE_STATE_IDENTITY,
    # The lines of the Marianne block (State identity only), "|" between lines.
    "marianne": os.environ.get("SITE_MARIANNE", "République|française").split("|"),
    "operator": os.environ.get("SITE_OPERATOR", "Numérique en Commun[s]"),
    "operator_url": os.environ.get("SITE_OPERATOR_URL", ""),
    "publisher": os.environ.get("SITE_PUBLISHER", ""),
    "host": os.environ.get("SITE_HOST", ""),
    "contact": os.environ.get("SITE_CONTACT_EMAIL", DEFAULT_FROM_EMAIL),
}

REST_FRAMEWORK = {
    # Token first: DRF answers "not signed in" with the first class's WWW-Authenticate
    # header, so a missing or bad token is a 401 rather than a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PARSER_CLASSES": ["projects.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PAGINATION_CLASS": "projects.api_support.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "projects.api_support.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Incubateur NEC — API",
    "DESCRIPTION": (
        "API de l'incubateur Numérique en Commun[s] : projets, équipes, étapes, "
        "grilles de critères, revues de passage, fil de discussion et portefeuille.\n\n"
        "Authentication: session (browser) or `Authorization: Token <token>` "
        "(obtain it with `POST /api/auth/token/`)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "StageEnum": "projects.models.Stage",
        "GateStageEnum": "workflows.models.GateStage",
        "VisibilityEnum": "projects.models.Visibility",
        "NotificationKindEnum": "projects.models.Notification.Kind",
        "FrequencyEnum": "outbox.models.Frequency",
    },
}

# Guessing limits (accounts.limits): (attempts, seconds) per subject. Failed sign-ins count
# per account and per client address; reset mails per e-mail address and client address.
AUTH_LIMITS = {
    "sign_in_account": (env_int("SIGN_IN_FAILURES", 10), env_int("SIGN_IN_WINDOW", 900)),
    "sign_in_address": (env_int("SIGN_IN_ADDRESS_FAILURES", 50), env_int("SIGN_IN_WINDOW", 900)),
    "reset_email": (env_int("RESET_MAILS", 3), 3600),
    "reset_address": (env_int("RESET_ADDRESS_MAILS", 20), 3600),
}
# Proxies in front of Daphne that append to X-Forwarded-For (0: use the peer's address).
TRUSTED_PROXY_HOPS = env_int("TRUSTED_PROXY_HOPS", 0)

# Comment limits (DESIGN.md: limits on length and on posting rate per user).
COMMENT_MAX_LENGTH = env_int("COMMENT_MAX_LENGTH", 10_000)
COMMENT_RATE = (env_int("COMMENT_RATE_COUNT", 10), env_int("COMMENT_RATE_SECONDS", 60))

# Repository scans (docs/evidence.md). EVIDENCE_ALLOW_LOCAL admits file:// and
# http://127.0.0.1 repositories: for tests only, never in production.
EVIDENCE_ALLOW_LOCAL = env_bool("EVIDENCE_ALLOW_LOCAL") and not PRODUCTION
EVIDENCE_TIMEOUT = env_int("EVIDENCE_TIMEOUT", 120)
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 300_000_000)
EVIDENCE_MAX_FILES = env_int("EVIDENCE_MAX_FILES", 20_000)
EVIDENCE_MAX_MEMORY = env_int("EVIDENCE_MAX_MEMORY", 2_000_000_000)
EVIDENCE_REUSE_TIMEOUT = env_int("EVIDENCE_REUSE_TIMEOUT", 120)
EVIDENCE_REUSE_COMMAND = os.environ.get("EVIDENCE_REUSE_COMMAND", "")
EVIDENCE_WORK_DIR = os.environ.get("EVIDENCE_WORK_DIR") or None
# Scans a project, and a person, may ask for in a window of seconds.
EVIDENCE_RATE_PROJECT = (env_int("EVIDENCE_RATE_PROJECT_COUNT", 6), 3600)
EVIDENCE_RATE_PERSON = (env_int("EVIDENCE_RATE_PERSON_COUNT", 20), 3600)
# A queued scan no worker took after this many seconds is closed as expired; projects at
# pilot and commons are scanned again when their latest scan is this many days old.
EVIDENCE_QUEUE_TIMEOUT = env_int("EVIDENCE_QUEUE_TIMEOUT", 3600)
EVIDENCE_RESCAN_DAYS = env_int("EVIDENCE_RESCAN_DAYS", 7)
# Reading a repository's publiccode.yml for the project form happens while a page waits.
EVIDENCE_FETCH_TIMEOUT = env_int("EVIDENCE_FETCH_TIMEOUT", 20)

# Signed webhooks (docs/interop.md). WEBHOOKS_ALLOW_LOCAL admits http://127.0.0.1 receivers:
# for tests only, never in production. A receiver has WEBHOOKS_TIMEOUT seconds for the whole
# exchange and at most WEBHOOKS_MAX_RESPONSE_BYTES of its answer are read. A failed delivery
# is tried again after WEBHOOKS_RETRY_SECONDS, doubled each time up to WEBHOOKS_RETRY_MAX_WAIT,
# for WEBHOOKS_RETRY_WINDOW seconds (three days), then the endpoint is disabled.
WEBHOOKS_ALLOW_LOCAL = env_bool("WEBHOOKS_ALLOW_LOCAL") and not PRODUCTION
WEBHOOKS_TIMEOUT = env_int("WEBHOOKS_TIMEOUT", 10)
WEBHOOKS_MAX_RESPONSE_BYTES = env_int("WEBHOOKS_MAX_RESPONSE_BYTES", 65_536)
WEBHOOKS_RETRY_SECONDS = env_int("WEBHOOKS_RETRY_SECONDS", 30)
WEBHOOKS_RETRY_MAX_WAIT = env_int("WEBHOOKS_RETRY_MAX_WAIT", 12 * 3600)
WEBHOOKS_RETRY_WINDOW = env_int("WEBHOOKS_RETRY_WINDOW", 3 * 86_400)
# After a rotation the previous secret signs too for this long.
WEBHOOKS_ROTATION_HOURS = env_int("WEBHOOKS_ROTATION_HOURS", 24)
# The delivery log keeps finished deliveries and attempts this long (pruned by the clock).
WEBHOOKS_LOG_DAYS = env_int("WEBHOOKS_LOG_DAYS", 30)
WEBHOOKS_MAX_ENDPOINTS = env_int("WEBHOOKS_MAX_ENDPOINTS", 20)
# Called by projects.events.record_events with (project, events) inside the event's
# transaction: the apps above projects that keep rows per event (see the import contract).
EVENT_SUBSCRIBERS = ["webhooks.services.fan_out"]

# The pages are the top layer (``frontend``): the apps below never name its URLs. The site
# says here where a model's page is (Django's own hook: it sets ``get_absolute_url``) and
# which page each lower app links to (``PAGE_URLS``, URL names reversed by those apps).
ABSOLUTE_URL_OVERRIDES = {
    "projects.project": lambda project: reverse("frontend:project_detail", args=[project.pk]),
    "webhooks.endpoint": lambda endpoint: reverse("frontend:webhook", args=[endpoint.pk]),
}
PAGE_URLS = {
    # The feeds' link (interop), the mails' links to the person's settings (outbox).
    "portfolio": "frontend:portfolio",
    "account": "frontend:account",
    "unsubscribe": "frontend:unsubscribe",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

# The clock's jobs (`manage.py clock`): each runs once per period, in the site's time zone;
# "at" shifts the start of a day or week. Every task receives the period's label.
CLOCK_JOBS = {
    "prune_tasks": {"task": "clock.tasks.prune_tasks", "every": "day", "at": "03:00"},
    "daily_digest": {
        "task": "outbox.services.send_digests",
        "every": "day",
        "at": "07:00",
        "kwargs": {"frequency": "daily"},
    },
    "weekly_digest": {
        "task": "outbox.services.send_digests",
        "every": "week",
        "at": "07:00",
        "kwargs": {"frequency": "weekly"},
    },
    "review_reminders": {
        "task": "workflows.reminders.remind_reviewers",
        "every": "day",
        "at": "08:00",
    },
    "changes_reminders": {
        "task": "workflows.reminders.remind_teams",
        "every": "day",
        "at": "08:00",
    },
    "dormant_nudges": {
        "task": "workflows.reminders.nudge_dormant",
        "every": "day",
        "at": "08:00",
    },
    "condition_reminders": {
        "task": "workflows.reminders.remind_conditions",
        "every": "day",
        "at": "08:00",
    },
    "missed_conditions": {
        "task": "workflows.reminders.miss_conditions",
        "every": "day",
        "at": "00:30",
    },
    "hold_revisits": {
        "task": "workflows.reminders.remind_holds",
        "every": "day",
        "at": "08:00",
    },
    "reuse_lapses": {"task": "commons.tasks.lapse_reuses", "every": "day", "at": "06:00"},
    "renewals": {"task": "commons.tasks.open_due_renewals", "every": "day", "at": "06:30"},
    # Lanes whose wake-up was lost (a worker killed mid-lane) are woken again.
    "webhook_sweep": {"task": "webhooks.tasks.sweep_lanes", "every": "minute"},
    "webhook_log_prune": {"task": "webhooks.tasks.prune_log", "every": "day", "at": "03:30"},
    # Daily: each project is scanned again once its latest scan is EVIDENCE_RESCAN_DAYS old.
    "repository_rescans": {
        "task": "evidence.tasks.rescan_repositories",
        "every": "day",
        "at": "02:00",
    },
    "stale_scans": {"task": "evidence.tasks.close_stale_scans", "every": "hour"},
}

"""Settings, all from the environment, with safe defaults for the demo.

COMPTOIR_HOME     data folder (database, index, uploads, keys); default ./var
DATABASE_URL      default sqlite:///$COMPTOIR_HOME/comptoir.sqlite3 (WAL)
SECRET_KEY        default: generated once and kept in $COMPTOIR_HOME/secret_key
COMPTOIR_DEBUG    1 to debug (never in production)
COMPTOIR_HTTPS    1 behind TLS: secure cookies, HSTS, redirect to https
ALLOWED_HOSTS     comma-separated; default 127.0.0.1,localhost
EMAIL_URL         smtp://host:port (default: console output)
COMPTOIR_TILE_URL map tile template, empty for no third-party tiles
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent


def _env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


def _secret_key(home: Path) -> str:
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    home.mkdir(parents=True, exist_ok=True)
    key_file = home / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


COMPTOIR_HOME = Path(os.environ.get("COMPTOIR_HOME", Path.cwd() / "var")).resolve()
SECRET_KEY = _secret_key(COMPTOIR_HOME)
DEBUG = _env_bool("COMPTOIR_DEBUG")
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
COMPTOIR_NODE_NAME = os.environ.get("COMPTOIR_NODE_NAME", "Comptoir de Val-sur-Loue")
COMPTOIR_CURRENCY = "EUR"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "comptoir.core",
    "comptoir.members",
    "comptoir.catalog",
    "comptoir.search",
    "comptoir.web",
    "comptoir.orders",
    "comptoir.demo",
    "comptoir.delivery",
    "comptoir.protocol",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "comptoir.web.language.ChosenLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "comptoir.web.middleware.SecurityHeadersMiddleware",
    "comptoir.web.middleware.RefusalMiddleware",
]

ROOT_URLCONF = "comptoir.urls"
WSGI_APPLICATION = "comptoir.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "comptoir.web.context.node",
            ],
        },
    },
]

_default_db = f"sqlite:///{COMPTOIR_HOME / 'comptoir.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers work while the worker writes; IMMEDIATE takes the write
        # lock at the start of a transaction so concurrent checkouts queue instead
        # of failing with "database is locked" half-way.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "members.Person"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = COMPTOIR_HOME / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise serves from here after collectstatic
MEDIA_URL = "/media/"
MEDIA_ROOT = COMPTOIR_HOME / "media"
WHITENOISE_USE_FINDERS = True  # the node serves its own files; collectstatic is optional
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

SESSION_ENGINE = "django.contrib.sessions.backends.db"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if _env_bool("COMPTOIR_HTTPS"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

_email_url = os.environ.get("EMAIL_URL", "")
if _email_url.startswith("smtp://"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    _host, _, _port = _email_url.removeprefix("smtp://").partition(":")
    EMAIL_HOST, EMAIL_PORT = _host, int(_port or 25)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "comptoir@localhost")

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# What `comptoir worker` runs beside the task queue: (start a follower thread, do one pass).
COMPTOIR_WORKER_FOLLOWERS = [
    ("comptoir.search.tasks.start_following", "comptoir.search.tasks.apply_index_changes"),
    ("comptoir.delivery.tasks.start_closing_due_slots", "comptoir.delivery.tasks.close_due_slots_task"),
]

COMPTOIR_TILE_URL = os.environ.get("COMPTOIR_TILE_URL", "")
# Orders book delivery through this adapter of their DeliveryBooking port: the cooperative's rounds,
# priced at cost ("comptoir.orders.fixed_slots.FixedSlots" is the flat-fee stand-in without a delivery app).
COMPTOIR_DELIVERY_BOOKING = os.environ.get(
    "COMPTOIR_DELIVERY_BOOKING", "comptoir.delivery.booking.CoopDelivery"
)
COMPTOIR_PLANNING_SECONDS = float(os.environ.get("COMPTOIR_PLANNING_SECONDS", "10"))
COMPTOIR_SEARCH_DIR = COMPTOIR_HOME / "search"
# Salt of the search's tie-break key (decision 0010): equal scores are ordered by a hash of the
# offer id with it. Changing it reorders ties: run `comptoir search-rebuild` after.
COMPTOIR_SEARCH_TIE_SALT = os.environ.get("COMPTOIR_SEARCH_TIE_SALT", COMPTOIR_NODE_NAME)
# "Near me" when a resident gives no place: the node's centre (COMPTOIR_CENTRE=lat,lon).
COMPTOIR_NODE_CENTRE = tuple(float(v) for v in os.environ.get("COMPTOIR_CENTRE", "47.0560,6.0040").split(","))
COMPTOIR_GOVERNED: dict[str, object] = {}

# Open protocol (docs/protocol.md): who we are on the network, what we serve, whom we ask.
COMPTOIR_PROTOCOL_ID = os.environ.get("COMPTOIR_PROTOCOL_ID", "comptoir.localhost")
COMPTOIR_PROTOCOL_URL = os.environ.get("COMPTOIR_PROTOCOL_URL", "http://127.0.0.1:8000/beckn").rstrip("/")
COMPTOIR_PROTOCOL_DOMAINS = os.environ.get("COMPTOIR_PROTOCOL_DOMAINS", "ONDC:RET10,nic2004:60232").split(",")
COMPTOIR_PROTOCOL_CITY = os.environ.get("COMPTOIR_PROTOCOL_CITY", "std:0381")
COMPTOIR_REGISTRY_URL = os.environ.get("COMPTOIR_REGISTRY_URL", "").rstrip("/")  # empty: known peers only
COMPTOIR_PROTOCOL_REGISTRY = os.environ.get("COMPTOIR_PROTOCOL_REGISTRY", "0") in {"1", "true", "yes", "on"}
COMPTOIR_PROTOCOL_LOOKUP_SECONDS = int(os.environ.get("COMPTOIR_PROTOCOL_LOOKUP_SECONDS", "600"))
COMPTOIR_PROTOCOL_TIMEOUT = float(os.environ.get("COMPTOIR_PROTOCOL_TIMEOUT", "5"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"comptoir": {"level": os.environ.get("LOG_LEVEL", "INFO")}},
}

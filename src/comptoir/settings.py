"""Settings, all from the environment, with safe defaults for the demo.

COMPTOIR_HOME     data folder (database, index, uploads, keys); default ./var
DATABASE_URL      default sqlite:///$COMPTOIR_HOME/comptoir.sqlite3 (WAL)
SECRET_KEY        default: generated once and kept in $COMPTOIR_HOME/secret_key
COMPTOIR_DEBUG    1 to debug (never in production)
COMPTOIR_HTTPS    1 behind TLS: secure cookies, HSTS, redirect to https
COMPTOIR_HSTS_PRELOAD 1 to ask browsers' HSTS preload lists for the domain (hard to undo)
COMPTOIR_BEHIND_PROXY 1 when a reverse proxy sets X-Forwarded-Proto/-For (trusted only then)
ALLOWED_HOSTS     comma-separated; default 127.0.0.1,localhost
EMAIL_URL         smtp://[user:pass@]host:port[?tls=1] or smtps://... (default: console output)
COMPTOIR_TILE_URL map tile template, empty for no third-party tiles
COMPTOIR_BANK_IBAN / COMPTOIR_BANK_BIC  the cooperative's account; bank transfer is offered only with both valid
COMPTOIR_BANK_CA_INSTITUTION / _TRANSIT / _ACCOUNT  a Canadian node's account, for its CAD payout files
COMPTOIR_PUBLIC_URL the node's address for links in emails (default http://localhost:8000)
COMPTOIR_REGION   the region profile: france (default) or quebec — currency, locale, time zone,
                  postal codes, taxes (core/regions.py); chosen at install, never changed after
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url

from comptoir.core.regions import region_named

BASE_DIR = Path(__file__).resolve().parent


def _env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


def _private_home(home: Path) -> Path:
    """The data folder holds the database, keys, uploads and index: nobody else reads it.

    The umask makes everything the node creates later (SQLite file and its WAL, index
    segments, uploads) owner-only too, instead of chmod-ing each file after the fact.
    """
    os.umask(0o077)
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    status = home.stat()
    # Only when needed: a folder made by an older version, world-readable. A read-only home (its disk
    # remounted read-only) must still start, to answer that it cannot write.
    if status.st_uid == os.getuid() and status.st_mode & 0o777 != 0o700:
        home.chmod(0o700)
    return home


def _secret_key(home: Path) -> str:
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = home / "secret_key"
    try:
        # Created 0600 in one step (no window where it is readable); O_EXCL: two processes
        # starting at once never overwrite each other's key.
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if key_file.stat().st_uid == os.getuid():
            key_file.chmod(0o600)  # written by an older version that chmod-ed after the fact
        return key_file.read_text().strip()
    with os.fdopen(descriptor, "w") as out:
        out.write(secrets.token_urlsafe(64))
    return key_file.read_text().strip()


def _hosts(value: str) -> list[str]:
    return [host.strip() for host in value.split(",") if host.strip()]


COMPTOIR_HOME = _private_home(Path(os.environ.get("COMPTOIR_HOME", Path.cwd() / "var")).resolve())
SECRET_KEY = _secret_key(COMPTOIR_HOME)
DEBUG = _env_bool("COMPTOIR_DEBUG")
ALLOWED_HOSTS = _hosts(os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost"))
COMPTOIR_NODE_NAME = os.environ.get("COMPTOIR_NODE_NAME", "Comptoir de Val-sur-Loue")
# The region profile (core/regions.py): an unknown name stops the node here, with the known ones.
COMPTOIR_REGION = region_named(os.environ.get("COMPTOIR_REGION", "france")).code
COMPTOIR_CURRENCY = region_named(COMPTOIR_REGION).currency

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "ninja",  # serves swagger-ui's files from the node (no CDN), so the docs keep the CSP
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
    "comptoir.governance",
    "comptoir.ledger",
    "comptoir.privacy",
]

MIDDLEWARE = [
    # Outermost, so every response is compressed (pages ~5×, statics served by WhiteNoise too).
    # BREACH: Django pads each compressed response with random bytes ("Heal the BREACH") and
    # masks the CSRF token per response; see docs/frugal.md.
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "comptoir.core.uploads.UploadLimitMiddleware",
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
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out sign-in into a 429
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
    {"NAME": "comptoir.members.services.RevokeApiTokensOnPasswordChange"},
]
AUTHENTICATION_BACKENDS = [
    "comptoir.members.throttling.SignInThrottle",  # first: refuses a locked-out sign-in
    "django.contrib.auth.backends.ModelBackend",
]
# Sign-in throttling (django-axes), see docs/decisions/0007: failures counted per
# (account, address) pair, so an attacker elsewhere can never lock a member out;
# the lock lifts by itself after the cool-off.
AXES_FAILURE_LIMIT = int(os.environ.get("COMPTOIR_LOGIN_FAILURES", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("COMPTOIR_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Keep no log of successful sign-ins (addresses, browsers): personal data nobody needs. Failed
# attempts are kept only for the cool-off (deleted at the next failure after it).
AXES_DISABLE_ACCESS_LOG = True
AXES_USERNAME_FORM_FIELD = "username"  # the key authenticate() gets (our USERNAME_FIELD is "email")
AXES_USERNAME_CALLABLE = "comptoir.members.throttling.username_of"
AXES_LOCKOUT_CALLABLE = "comptoir.members.throttling.locked_out_response"
AXES_VERBOSE = False
# Tokens of password-reset links are valid this long (Django signs them; no table).
PASSWORD_RESET_TIMEOUT = 2 * 3600
# Sign-up and reset mails: at most one of each kind per address in this many minutes.
COMPTOIR_ACCOUNT_MAIL_MINUTES = int(os.environ.get("COMPTOIR_ACCOUNT_MAIL_MINUTES", "10"))
COMPTOIR_API_TOKEN_DAYS = int(os.environ.get("COMPTOIR_API_TOKEN_DAYS", "90"))
COMPTOIR_API_TOKENS_PER_PERSON = int(os.environ.get("COMPTOIR_API_TOKENS_PER_PERSON", "10"))
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["comptoir.core.date_formats"]  # English: 13/11/2026, 17:00 (not 11/13/2026, 5 p.m.)
TIME_ZONE = os.environ.get("TIME_ZONE", region_named(COMPTOIR_REGION).time_zone)
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = COMPTOIR_HOME / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise serves from here after collectstatic
MEDIA_URL = "/media/"
MEDIA_ROOT = COMPTOIR_HOME / "media"
WHITENOISE_USE_FINDERS = True  # the node serves its own files; collectstatic is optional
# Uploads: form fields beyond DATA_UPLOAD_MAX_MEMORY_SIZE are refused by Django; files are refused by
# BoundedUploadHandler past COMPTOIR_UPLOAD_MAX_BYTES while they stream in (Django has no file limit).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
COMPTOIR_IMPORT_MAX_BYTES = int(os.environ.get("COMPTOIR_IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
COMPTOIR_UPLOAD_MAX_BYTES = COMPTOIR_IMPORT_MAX_BYTES + 1024 * 1024  # the file and its form around it
# How long an export prepared by the worker (an archive, a catalog, a bundle) can be downloaded.
COMPTOIR_EXPORT_HOURS = int(os.environ.get("COMPTOIR_EXPORT_HOURS", "24"))
FILE_UPLOAD_HANDLERS = [
    "comptoir.core.uploads.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

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
    # Preload lists are hard to leave: the operator opts in knowingly.
    SECURE_HSTS_PRELOAD = _env_bool("COMPTOIR_HSTS_PRELOAD")
    if not SECURE_HSTS_PRELOAD:
        # `check --deploy` would warn that the site cannot be preloaded: that is the choice made.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
if _env_bool("COMPTOIR_BEHIND_PROXY"):
    # Only a proxy in front can be trusted to say the scheme and the client's address;
    # without one, anybody could send these headers.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    AXES_IPWARE_PROXY_COUNT = 1
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")


class _Email(NamedTuple):
    backend: str
    host: str = "localhost"
    port: int = 25
    user: str = ""
    password: str = ""
    use_ssl: bool = False
    use_tls: bool = False


def _email_settings(url: str) -> _Email:
    """EMAIL_URL: smtp://user:pass@host:587?tls=1 (STARTTLS), smtps://host:465 (TLS from the start)."""
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtps"}:
        return _Email("django.core.mail.backends.console.EmailBackend")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    ssl = parts.scheme == "smtps" or query.get("ssl") in {"1", "true"}
    return _Email(
        "django.core.mail.backends.smtp.EmailBackend",
        host=parts.hostname or "localhost",
        port=parts.port or (465 if ssl else 25),
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        use_ssl=ssl,
        use_tls=not ssl and query.get("tls") in {"1", "true"},
    )


_EMAIL = _email_settings(os.environ.get("EMAIL_URL", ""))
EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT = _EMAIL.backend, _EMAIL.host, _EMAIL.port
EMAIL_HOST_USER, EMAIL_HOST_PASSWORD = _EMAIL.user, _EMAIL.password
EMAIL_USE_SSL, EMAIL_USE_TLS, EMAIL_TIMEOUT = _EMAIL.use_ssl, _EMAIL.use_tls, 20
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "comptoir@localhost")

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A worker beats this often; a task it left running after missing 4 beats is queued again
# (core/worker.py), at most this many times in all, then failed.
COMPTOIR_WORKER_BEAT_SECONDS = float(os.environ.get("COMPTOIR_WORKER_BEAT_SECONDS", "10"))
COMPTOIR_TASK_MAX_ATTEMPTS = int(os.environ.get("COMPTOIR_TASK_MAX_ATTEMPTS", "3"))
# What ends the work of a task given up that way: task path -> callable(*its args).
COMPTOIR_TASK_ABANDONED = {"comptoir.delivery.tasks.plan_slot_task": "comptoir.delivery.tasks.plan_abandoned"}
# What `comptoir worker` runs beside the task queue: (start a follower thread, do one pass).
COMPTOIR_WORKER_FOLLOWERS = [
    ("comptoir.search.tasks.start_following", "comptoir.search.tasks.apply_index_changes"),
    ("comptoir.delivery.tasks.start_closing_due_slots", "comptoir.delivery.tasks.close_due_slots_task"),
    ("comptoir.governance.tasks.start_ticking", "comptoir.governance.tasks.tick_task"),
    ("comptoir.protocol.tasks.start_protocol", "comptoir.protocol.tasks.protocol_pass"),
    ("comptoir.privacy.tasks.start_purging", "comptoir.privacy.tasks.purge_task"),
]

COMPTOIR_TILE_URL = os.environ.get("COMPTOIR_TILE_URL", "")
COMPTOIR_BANK_IBAN = os.environ.get("COMPTOIR_BANK_IBAN", "")
COMPTOIR_BANK_BIC = os.environ.get("COMPTOIR_BANK_BIC", "")
# A Canadian-dollar node's own account, for its payout files (no IBAN in Canada): 3, 5 and 7–12 digits.
COMPTOIR_BANK_CA_INSTITUTION = os.environ.get("COMPTOIR_BANK_CA_INSTITUTION", "")
COMPTOIR_BANK_CA_TRANSIT = os.environ.get("COMPTOIR_BANK_CA_TRANSIT", "")
COMPTOIR_BANK_CA_ACCOUNT = os.environ.get("COMPTOIR_BANK_CA_ACCOUNT", "")
# What the protocol's settlement tells buyer apps about that account (empty: the bank's name from the BIC).
COMPTOIR_BANK_NAME = os.environ.get("COMPTOIR_BANK_NAME", "")
COMPTOIR_BANK_BRANCH = os.environ.get("COMPTOIR_BANK_BRANCH", "")
COMPTOIR_TAX_NUMBER = os.environ.get("COMPTOIR_TAX_NUMBER", "")
# How residents may pay (PaymentMethod adapters, orders/payments.py).
COMPTOIR_PAYMENT_METHODS = ["comptoir.orders.payments.PayOnHandover", "comptoir.orders.payments.BankTransfer"]
# Where residents reach this node, for links in emails (the tracking page).
COMPTOIR_PUBLIC_URL = os.environ.get("COMPTOIR_PUBLIC_URL", "http://localhost:8000").rstrip("/")
# Orders book delivery through this adapter of their DeliveryBooking port: the cooperative's rounds,
# priced at cost ("comptoir.orders.fixed_slots.FixedSlots": fixed windows at a flat fee, nothing planned).
COMPTOIR_DELIVERY_BOOKING = os.environ.get(
    "COMPTOIR_DELIVERY_BOOKING", "comptoir.delivery.booking.CoopDelivery"
)
COMPTOIR_PLANNING_SECONDS = float(os.environ.get("COMPTOIR_PLANNING_SECONDS", "10"))
COMPTOIR_SEARCH_DIR = COMPTOIR_HOME / "search"
# Salt of the search's tie-break key (decision 0010): equal scores are ordered by a hash of the
# offer id with it. Changing it reorders ties: run `comptoir search-rebuild` after.
COMPTOIR_SEARCH_TIE_SALT = os.environ.get("COMPTOIR_SEARCH_TIE_SALT", COMPTOIR_NODE_NAME)
# "Near me" when a resident gives no place: the node's centre (COMPTOIR_CENTRE=lat,lon).
_REGION_CENTRE = ",".join(str(v) for v in region_named(COMPTOIR_REGION).centre)  # default: the region's
COMPTOIR_NODE_CENTRE = tuple(float(v) for v in os.environ.get("COMPTOIR_CENTRE", _REGION_CENTRE).split(","))
# Founding values of governed parameters, read once when the node is founded (first migrate);
# afterwards only adopted proposals change them (comptoir.governance), and this is ignored.
COMPTOIR_GOVERNED: dict[str, object] = {}

# Open protocol (docs/protocol.md): who we are on the network, what we serve, whom we ask.
COMPTOIR_PROTOCOL_ID = os.environ.get("COMPTOIR_PROTOCOL_ID", "comptoir.localhost")
COMPTOIR_PROTOCOL_URL = os.environ.get("COMPTOIR_PROTOCOL_URL", "http://127.0.0.1:8000/beckn").rstrip("/")
COMPTOIR_PROTOCOL_DOMAINS = os.environ.get("COMPTOIR_PROTOCOL_DOMAINS", "ONDC:RET10,nic2004:60232").split(",")
COMPTOIR_PROTOCOL_CITY = os.environ.get("COMPTOIR_PROTOCOL_CITY", "std:0381")
COMPTOIR_REGISTRY_URL = os.environ.get("COMPTOIR_REGISTRY_URL", "").rstrip("/")  # empty: known peers only
COMPTOIR_PROTOCOL_REGISTRY = os.environ.get("COMPTOIR_PROTOCOL_REGISTRY", "0") in {"1", "true", "yes", "on"}
COMPTOIR_PROTOCOL_GATEWAY = os.environ.get("COMPTOIR_PROTOCOL_GATEWAY", "0") in {"1", "true", "yes", "on"}
COMPTOIR_GATEWAY_URL = os.environ.get("COMPTOIR_GATEWAY_URL", "").rstrip("/")  # where our searches go
COMPTOIR_PROTOCOL_LOOKUP_SECONDS = int(os.environ.get("COMPTOIR_PROTOCOL_LOOKUP_SECONDS", "600"))
COMPTOIR_PROTOCOL_POLL = float(
    os.environ.get("COMPTOIR_PROTOCOL_POLL", "0.1")
)  # seconds between worker passes
COMPTOIR_PROTOCOL_TIMEOUT = float(os.environ.get("COMPTOIR_PROTOCOL_TIMEOUT", "5"))
# a resident's checkout from another node waits at most this long for each callback (then says so)
COMPTOIR_PROTOCOL_CALLBACK_WAIT = float(os.environ.get("COMPTOIR_PROTOCOL_CALLBACK_WAIT", "8"))
# the search page waits at most this long for other nodes' offers (a silent node is named as missing)
COMPTOIR_PEER_SEARCH_WAIT = float(os.environ.get("COMPTOIR_PEER_SEARCH_WAIT", "1.5"))

# Orders (docs/orders.md). A placed shop order holds its stock for the governed order_accept_minutes
# if its shop does not answer; a guest's, only this long until they type the code mailed to them.
COMPTOIR_UNCONFIRMED_HOLD_MINUTES = int(os.environ.get("COMPTOIR_UNCONFIRMED_HOLD_MINUTES", "10"))
# Checkout attempts per session and per address: (attempts, window in seconds).
COMPTOIR_CHECKOUT_ATTEMPTS = (int(os.environ.get("COMPTOIR_CHECKOUT_ATTEMPTS_PER_HOUR", "30")), 3600)
# Open unpaid orders a guest (by session, email or address) may hold at once.
COMPTOIR_GUEST_OPEN_ORDERS_MAX = int(os.environ.get("COMPTOIR_GUEST_OPEN_ORDERS_MAX", "3"))
# Geocoding without a commercial service: the operator's address file (BAN CSV) and postcode centres.
COMPTOIR_ADDRESS_FILE = os.environ.get("COMPTOIR_ADDRESS_FILE", "")
COMPTOIR_POSTCODE_CENTROIDS: dict[str, tuple[float, float]] = {}
# FixedSlots (when chosen as COMPTOIR_DELIVERY_BOOKING): its windows, orders per slot, days ahead, lead time.
COMPTOIR_FIXED_SLOTS = [("10:00", "12:00"), ("14:00", "16:00"), ("17:00", "19:00")]
COMPTOIR_FIXED_SLOT_CAPACITY = int(os.environ.get("COMPTOIR_FIXED_SLOT_CAPACITY", "20"))
COMPTOIR_FIXED_SLOT_DAYS = 3
COMPTOIR_FIXED_SLOT_LEAD_MINUTES = 60

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"comptoir": {"level": os.environ.get("LOG_LEVEL", "INFO")}},
}

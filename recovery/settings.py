"""Settings for the whole project, read from the environment (see .env.example).

With no DATABASE_URL / REDIS_URL the platform runs embedded: a SQLite file, a local-memory
cache and Celery's filesystem broker under DATA_DIR, so `make run` needs no server.
"""

from __future__ import annotations

from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from recovery.checks import GENERATE_HINT, derived_key, secret_key_problem

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(env.str("ENV_FILE", default=str(BASE_DIR / ".env")), overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# A throwaway key is only acceptable while developing; production must set SECRET_KEY, and
# refuses to start with a placeholder or short one (recovery.checks, also run by check --deploy).
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key" if DEBUG else environ.Env.NOTSET)
if not DEBUG and (_secret_problem := secret_key_problem(SECRET_KEY)):
    raise ImproperlyConfigured(f"{_secret_problem} {GENERATE_HINT}")
# Encryption at rest of patient texts (recovery.crypto): Fernet keys, comma separated, newest
# first (the first encrypts, all decrypt; docs/security.md, key rotation). Development and tests
# derive one from SECRET_KEY so `make run` needs nothing; production refuses to run without
# (recovery.checks, recovery.E002).
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
if not FIELD_ENCRYPTION_KEYS and DEBUG:
    FIELD_ENCRYPTION_KEYS = [derived_key(SECRET_KEY)]
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_NAME = env.str("SITE_NAME", default="Mind-Body Recovery")
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

DATA_DIR = Path(env.str("DATA_DIR", default=str(BASE_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "recovery",
    "programs",
    "journaling",
    "outcomes",
    "clinicians",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "recovery.middleware.RequestIDMiddleware",
    "csp.middleware.CSPMiddleware",
    "recovery.middleware.DatabaseUnavailableMiddleware",  # 503 "try again" while the DB is away
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "recovery.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "recovery.middleware.RequireStaffMFAMiddleware",
    "recovery.middleware.SecurityHeadersMiddleware",
    "recovery.middleware.SessionTimeoutMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
]

ROOT_URLCONF = "recovery.urls"
WSGI_APPLICATION = "recovery.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",  # LANGUAGE_CODE for <html lang>
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "recovery.context_processors.site",
                "recovery.context_processors.account_deletion",
            ],
            # {{ exercise|localized:"title" }} everywhere: curriculum text in the reader's language.
            # {{ version|language_note }}: a questionnaire shown in another language says so.
            "builtins": ["programs.templatetags.curricula", "outcomes.templatetags.instruments"],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'db.sqlite3'}"),
}
# Connection reuse (issue 12): a worker keeps its connection for this many seconds instead of
# connecting per request; health checks drop a connection the server closed. 0 under DEBUG
# (runserver's threads would each hold one open). DB_CONN_MAX_AGE overrides.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=0 if DEBUG else 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file (not in-memory) test database lets a real Celery worker thread share it.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env.bool(
    "DB_JIT", default=False
):
    # PostgreSQL compiles a query to machine code once its estimated cost passes
    # jit_above_cost: the caseload's query (a subquery per figure and patient, 1,000 patients)
    # spent 195 ms of 220 compiling and 25 running. The app's queries are short; DB_JIT=1
    # leaves the server's own setting.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, broker ------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # RedisCache that falls back to local memory while Redis is unreachable, so
            # sign-in (rate limits live here) keeps working; /healthz and the log say so.
            "BACKEND": "recovery.cache.FailoverRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="recovery"),
            "OPTIONS": {"RETRY_SECONDS": env.int("CACHE_RETRY_SECONDS", default=30)},
        }
    }
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
    # A task unacknowledged this long (its worker died) is delivered again.
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    BROKER_DIR = DATA_DIR / "broker"
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }

CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True  # a task lost with its worker is redelivered: tasks are idempotent
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
HEARTBEAT_INTERVAL_SECONDS = env.int("HEARTBEAT_INTERVAL_SECONDS", default=60)
# /healthz calls the worker stale after this many seconds without a heartbeat.
HEARTBEAT_MAX_AGE_SECONDS = env.int("HEARTBEAT_MAX_AGE_SECONDS", default=300)

# --- Reminders (recovery.notifications) ---------------------------------------------------
# A reminder found or picked up more than this many minutes after its time is skipped and
# recorded as such, never sent at the wrong hour.
REMINDER_LATE_WINDOW_MINUTES = env.int("REMINDER_LATE_WINDOW_MINUTES", default=30)
# A row claimed by a worker that then went silent this long is handed out again.
REMINDER_SEND_LEASE_SECONDS = env.int("REMINDER_SEND_LEASE_SECONDS", default=120)
# After an outage the dispatcher records what it missed (as skipped) this far back.
REMINDER_CATCH_UP_HOURS = env.int("REMINDER_CATCH_UP_HOURS", default=24)
# The gentle nudge after this many days without activity (at most one a week).
REMINDER_INACTIVITY_DAYS = env.int("REMINDER_INACTIVITY_DAYS", default=3)
# The local hour of the clinician's weekly digest, and of a nudge for a patient with no
# reminder time of their own.
REMINDER_DIGEST_HOUR = env.int("REMINDER_DIGEST_HOUR", default=8)
REMINDER_NUDGE_HOUR = env.int("REMINDER_NUDGE_HOUR", default=10)
UNSUBSCRIBE_TOKEN_MAX_AGE_DAYS = env.int("UNSUBSCRIBE_TOKEN_MAX_AGE_DAYS", default=90)

# --- Auth: allauth with MFA ---------------------------------------------------------------
AUTH_USER_MODEL = "recovery.User"
AUTHENTICATION_BACKENDS = [
    # Django's ModelBackend, loading the user's clinic and profile with them (one query).
    "recovery.backends.UserBackend",
    # allauth's, loading them the same way (sessions remember which backend signed them in).
    "recovery.backends.AccountBackend",
    # Clinic admins' model permissions, granted per model by each app (recovery/permissions.py).
    "recovery.permissions.ClinicAdminBackend",
]
# NIST SP 800-63B-4 (recovery/passwords.py, docs/security.md): length and a blocklist, no
# composition rules: 15 characters single-factor, 8 with a second factor.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "recovery.passwords.PassphraseLengthValidator"},
    {"NAME": "recovery.passwords.BreachedPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
# Sliding windows that slow an attacker down rather than lock the real person out: a window
# empties on its own, and the sign-in page says "too many attempts, try again later".
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key,20/h/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}
ACCOUNT_ALLOW_REGISTRATION = env.bool("ACCOUNT_ALLOW_REGISTRATION", default=True)
ACCOUNT_ADAPTER = "recovery.adapters.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "recovery.forms.SignupForm"  # name and time zone too
# How long an emailed invitation link works (clinicians.invitations).
INVITATION_TTL_DAYS = env.int("INVITATION_TTL_DAYS", default=7)
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
# The client IP for rate limits: X-Forwarded-For is trusted only from this many proxies of ours
# (0: the socket's address; a spoofed header then changes nothing).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
# TOTP secrets and recovery-code seeds encrypted with FIELD_ENCRYPTION_KEYS.
MFA_ADAPTER = "recovery.adapters.MFAAdapter"

# --- Email ----------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# Any Django email backend by its dotted path (e.g. a provider's API backend); wins over EMAIL_URL.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="") or EMAIL_CONFIG["EMAIL_BACKEND"]
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Recovery <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Clinic: the caseload's flags (clinicians.flags) ------------------------------------------
# No check-in, exercise or shared entry for this many days.
CLINIC_FLAG_INACTIVE_DAYS = env.int("CLINIC_FLAG_INACTIVE_DAYS", default=3)
# The last 7 days' mean pain this many percent above the programme's first check-in.
CLINIC_FLAG_PAIN_RISE_PERCENT = env.int("CLINIC_FLAG_PAIN_RISE_PERCENT", default=30)
# A follow-up visit within this many days.
CLINIC_FLAG_FOLLOW_UP_DAYS = env.int("CLINIC_FLAG_FOLLOW_UP_DAYS", default=7)
# A questionnaire due this many days ago and not answered.
CLINIC_FLAG_QUESTIONNAIRE_OVERDUE_DAYS = env.int("CLINIC_FLAG_QUESTIONNAIRE_OVERDUE_DAYS", default=3)

# --- Exports built by the worker (recovery.export_jobs) --------------------------------------
# How long a prepared file may be downloaded; then the link answers 410 and the file is deleted.
EXPORT_TTL_HOURS = env.int("EXPORT_TTL_HOURS", default=24)
# Rendered pages served again while their data is unchanged (recovery.page_cache); 0: off.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=0 if DEBUG else 120)
# Private files: under DATA_DIR, never under MEDIA_ROOT (served only by the download view).
EXPORT_DIR = Path(env.str("EXPORT_DIR", default=str(DATA_DIR / "private" / "exports")))
# A progress report over more days than this is built by the worker (measured: see
# clinicians/views/report.py); shorter ones stay in the request.
REPORT_ASYNC_DAYS = env.int("REPORT_ASYNC_DAYS", default=90)

# --- I18N, time -----------------------------------------------------------------------------
LANGUAGE_CODE = "en"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True
# The interface is translated (locale/<lang>/LC_MESSAGES/django.po, compiled .mo committed so
# running needs no gettext tools); tests/recovery/test_i18n.py keeps the catalogue complete.
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
# The container image collects static files at build time outside DATA_DIR (a volume, which
# would otherwise keep serving the previous release's files): STATIC_ROOT=/app/staticfiles.
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(DATA_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(DATA_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Security (production values come from the environment) -------------------------------
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 24 * 14)
# Idle timeouts (recovery.middleware.SessionTimeoutMiddleware): staff 15 minutes, patients an
# hour (a journal entry takes a while; the journal keeps its draft on the device regardless);
# and an absolute lifetime after which everyone signs in again. The warning banner
# (static/js/session-warning.js) appears SESSION_WARNING_SECONDS before the idle limit.
SESSION_IDLE_TIMEOUT_STAFF = env.int("SESSION_IDLE_TIMEOUT_STAFF", default=15 * 60)
SESSION_IDLE_TIMEOUT_PATIENT = env.int("SESSION_IDLE_TIMEOUT_PATIENT", default=60 * 60)
SESSION_ABSOLUTE_LIFETIME = env.int("SESSION_ABSOLUTE_LIFETIME", default=12 * 60 * 60)
SESSION_WARNING_SECONDS = env.int("SESSION_WARNING_SECONDS", default=2 * 60)
# allauth.usersessions: people see and end their own sessions (/accounts/sessions/). Sessions
# are recorded at sign-in; tracking last activity costs two queries a request, so it is opt-in.
USERSESSIONS_TRACK_ACTIVITY = env.bool("USERSESSIONS_TRACK_ACTIVITY", default=False)

# __Host- cookies (secure, path /, no Domain) cannot be set or shadowed by a sibling subdomain.
# Only over HTTPS: a browser refuses a __Host- cookie without Secure.
if SESSION_COOKIE_SECURE:
    SESSION_COOKIE_NAME = env.str("SESSION_COOKIE_NAME", default="__Host-sessionid")
if CSRF_COOKIE_SECURE:
    CSRF_COOKIE_NAME = env.str("CSRF_COOKIE_NAME", default="__Host-csrftoken")

# Content-Security-Policy (django-csp 4). No inline script anywhere; no inline style except
# <style> elements carrying the request's nonce (the pygal charts' own stylesheet, via
# recovery.templatetags.security.csp_svg; the standalone 500 page). frame-ancestors 'none'
# replaces X-Frame-Options for current browsers. Tested page by page in test_headers.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "media-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        # The installable app (recovery/pwa.py): its worker and manifest come from this site.
        "worker-src": [SELF],
        "manifest-src": [SELF],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# --- Language per user, localised dates (issue 14, item 3) ---------------------------------
# A signed-in user's own choice (User.language) wins over the browser's Accept-Language
# (recovery.middleware.UserLanguageMiddleware); before sign-in, LocaleMiddleware and the
# footer's switcher (django's set_language, at /i18n/setlang/) decide.
# The site's named date formats per language ("1 de diciembre de 2026"): recovery/l10n.py.
FORMAT_MODULE_PATH = ["recovery.formats"]

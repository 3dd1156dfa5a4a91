"""Production settings for the benchmark, plus its one extra URL (the bare view).

Everything comes from recovery.settings as production reads it, with DEBUG forced off; only
what plain HTTP on 127.0.0.1 needs is relaxed (no HTTPS redirect, cookies not Secure), since
wrk and the Python load generator speak HTTP to gunicorn directly, with no proxy in front.
"""

from __future__ import annotations

import os

# recovery.settings reads these at import time: the bench measures production's code paths.
os.environ["DEBUG"] = "0"
# Fixed (the setup process and gunicorn must sign sessions alike), 50+ characters as production
# requires; it signs nothing but the bench's own throwaway database on loopback.
os.environ.setdefault("SECRET_KEY", "bench-harness-key-for-loopback-measurements-only-0001-not-secret")
os.environ.setdefault("CACHE_KEY_PREFIX", "recovery-bench")
# Production refuses to run without field keys (recovery.E002); this one, like the key above,
# protects nothing but the bench's throwaway database.
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "EK_VEjVtflRbz9AZ2F8ToMdrw0OarAhaUO_RVsV3rq8=")

from recovery.settings import *  # noqa: E402,F403

DEBUG = False
ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Pages resolve {% static %} through the same manifest as production; only the gzip/brotli
# copies whitenoise serves static files from are skipped (the bench requests no static file,
# and compressing the admin's files took longer than the whole smoke run).
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}

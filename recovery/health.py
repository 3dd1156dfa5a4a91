"""The checks behind /healthz: each returns (ok, detail)."""

from __future__ import annotations

import os
import uuid
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from kombu import Connection

from .models import WorkerHeartbeat


def check_database() -> tuple[bool, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True, connection.vendor
    except Exception as exc:  # any failure is reported, not raised
        return False, f"{type(exc).__name__}: {exc}"


def check_cache() -> tuple[bool, Any]:
    key = f"healthz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "ok", 10)
        ok = cache.get(key) == "ok"
        cache.delete(key)
    except Exception as exc:
        return False, f"{type(exc).__name__}: {exc}"
    if not ok:
        return False, "value not read back"
    # recovery.cache.FailoverRedisCache: still serving (sign-in works), but from local memory.
    state = getattr(cache, "fallback_state", None)
    return True, state() if state else "ok"


def degraded(report: dict[str, Any]) -> list[str]:
    """Checks that pass only thanks to a fallback: the site works, an operator should look."""
    return [
        name
        for name, result in report.items()
        if isinstance(result["detail"], dict) and result["detail"].get("fallback")
    ]


def check_broker() -> tuple[bool, Any]:
    url = settings.CELERY_BROKER_URL
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {}
    if url.startswith("filesystem"):
        folder = options.get("data_folder_in", "")
        ok = bool(folder) and os.path.isdir(folder) and os.access(folder, os.W_OK)
        return ok, "filesystem" if ok else f"broker folder {folder!r} is not writable"
    try:
        with Connection(url, connect_timeout=2, transport_options=options) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True, conn.transport_cls if isinstance(conn.transport_cls, str) else "ok"
    except Exception as exc:
        return False, f"{type(exc).__name__}: {exc}"


def check_worker() -> tuple[bool, Any]:
    try:
        beat = WorkerHeartbeat.objects.filter(name="worker").first()
    except Exception as exc:
        return False, f"{type(exc).__name__}: {exc}"
    if beat is None:
        return False, "no heartbeat received yet"
    age = (timezone.now() - beat.last_seen).total_seconds()
    ok = age <= settings.HEARTBEAT_MAX_AGE_SECONDS
    return ok, {"last_heartbeat": beat.last_seen.isoformat(), "age_seconds": round(age, 1)}


CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "worker": check_worker,
}


def run_checks() -> tuple[bool, dict[str, Any]]:
    report: dict[str, Any] = {}
    failing = []
    for name, check in CHECKS.items():
        ok, detail = check()
        report[name] = {"ok": ok, "detail": detail}
        if not ok:
            failing.append(name)
    fallbacks = degraded(report)
    status = "failing" if failing else "degraded" if fallbacks else "ok"
    return not failing, {"status": status, "failing": failing, "degraded": fallbacks,
                         "checks": report}

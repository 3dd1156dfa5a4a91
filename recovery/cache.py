"""A Redis cache that keeps the site working when Redis is unreachable (issue 11, item 3).

The cache holds rate-limit counters (allauth) and "TOTP code already used" marks. With plain
RedisCache an unreachable Redis turns every sign-in into a 500. This backend catches Redis'
connection and timeout errors and serves from a process-local memory cache instead, so people
can still sign in; rate limits then count per process (weaker across several workers, never
absent). It retries Redis at most once per RETRY_SECONDS, logs a warning once per
WARN_SECONDS while failed over, and exposes its state to /healthz (`fallback_state`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("recovery.cache")

# OSError covers a refused or reset socket that redis-py has not wrapped.
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
T = TypeVar("T")


class FailoverRedisCache(RedisCache):
    """RedisCache with a local-memory stand-in while Redis cannot be reached."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        self.retry_seconds = float(options.pop("RETRY_SECONDS", 30))
        self.warn_seconds = float(options.pop("WARN_SECONDS", 300))
        # A dead host must not hold a sign-in for the OS default of minutes.
        options.setdefault("socket_connect_timeout", 1)
        options.setdefault("socket_timeout", 1)
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._fallback = LocMemCache(f"failover-{server}", {"TIMEOUT": params.get("TIMEOUT", 300)})
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._retry_at = 0.0
        self._warned_at = 0.0
        self._last_error = ""

    # --- state -------------------------------------------------------------------------
    @property
    def failed_over(self) -> bool:
        return self._down_since is not None

    def fallback_state(self) -> dict[str, Any]:
        """What /healthz shows: whether we serve from local memory, since when and why."""
        if self._down_since is None:
            return {"backend": "redis", "fallback": False}
        return {
            "backend": "local-memory",
            "fallback": True,
            "redis_down_for_seconds": round(time.time() - self._down_since, 1),
            "error": self._last_error,
        }

    def _mark_down(self, exc: BaseException) -> None:
        now = time.time()
        with self._lock:
            first = self._down_since is None
            if first:
                self._down_since = now
            self._retry_at = now + self.retry_seconds
            self._last_error = f"{type(exc).__name__}: {exc}"
            if first or now - self._warned_at >= self.warn_seconds:
                self._warned_at = now
                logger.warning(
                    "Redis cache unreachable (%s); rate limits and one-time marks use this "
                    "process's local memory until it is back.",
                    self._last_error,
                )

    def _mark_up(self) -> None:
        if self._down_since is not None:
            with self._lock:
                if self._down_since is not None:
                    logger.warning(
                        "Redis cache reachable again after %.0f s; local-memory fallback off.",
                        time.time() - self._down_since,
                    )
                    self._down_since = None

    def _call(self, redis_call: Callable[[], T], local_call: Callable[[], T]) -> T:
        if self._down_since is not None and time.time() < self._retry_at:
            return local_call()
        try:
            result = redis_call()
        except UNREACHABLE as exc:
            self._mark_down(exc)
            return local_call()
        self._mark_up()
        return result

    # --- the cache API: each method tries Redis, then the stand-in -------------------
    # (BaseCache's composite methods, get_or_set and friends, call these.)
    def _both(self, name: str, *args: Any, **kwargs: Any) -> Any:
        return self._call(
            lambda: getattr(RedisCache, name)(self, *args, **kwargs),
            lambda: getattr(self._fallback, name)(*args, **kwargs),
        )

    def add(self, *args: Any, **kwargs: Any) -> bool:
        return bool(self._both("add", *args, **kwargs))

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return self._both("get", *args, **kwargs)

    def set(self, *args: Any, **kwargs: Any) -> None:
        self._both("set", *args, **kwargs)

    def touch(self, *args: Any, **kwargs: Any) -> bool:
        return bool(self._both("touch", *args, **kwargs))

    def delete(self, *args: Any, **kwargs: Any) -> bool:
        return bool(self._both("delete", *args, **kwargs))

    def get_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._both("get_many", *args, **kwargs)

    def has_key(self, *args: Any, **kwargs: Any) -> bool:
        return bool(self._both("has_key", *args, **kwargs))

    def incr(self, *args: Any, **kwargs: Any) -> int:
        return int(self._both("incr", *args, **kwargs))

    def set_many(self, *args: Any, **kwargs: Any) -> list[Any]:
        return list(self._both("set_many", *args, **kwargs) or [])

    def delete_many(self, *args: Any, **kwargs: Any) -> None:
        self._both("delete_many", *args, **kwargs)

    def clear(self) -> None:
        self._fallback.clear()
        self._both("clear")

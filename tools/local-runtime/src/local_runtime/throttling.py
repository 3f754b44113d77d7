"""The stage's throttling: a token bucket per route, as HTTP API applies
`defaultRouteSettings` (and `routeSettings` per route key)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from local_runtime.model import LocalApi, Throttle


class TokenBucket:
    def __init__(self, throttle: Throttle, clock: Callable[[], float] = time.monotonic) -> None:
        self._rate = throttle.rate
        self._burst = float(throttle.burst)
        self._tokens = float(throttle.burst)
        self._clock = clock
        self._last = clock()
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            now = self._clock()
            self._tokens = min(self._burst, self._tokens + (now - self._last) * self._rate)
            self._last = now
            if self._tokens >= 1:
                self._tokens -= 1
                return True
            return False


class Throttler:
    """Whether a request to a route may pass (False → 429 Too Many Requests)."""

    def __init__(self, api: LocalApi, clock: Callable[[], float] = time.monotonic) -> None:
        self._buckets: dict[str, TokenBucket] = {}
        for route in api.routes:
            throttle = api.route_throttles.get(route.route_key, api.throttle)
            if throttle is not None:
                self._buckets[route.route_key] = TokenBucket(throttle, clock)

    def allow(self, route_key: str) -> bool:
        bucket = self._buckets.get(route_key)
        return bucket is None or bucket.take()

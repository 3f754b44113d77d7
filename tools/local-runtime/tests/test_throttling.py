from __future__ import annotations

from local_runtime.model import LocalApi, LocalRoute, Throttle
from local_runtime.throttling import Throttler


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_passes_then_the_rate_refills_it() -> None:
    clock = Clock()
    api = LocalApi(
        "api", "id", "$default", (LocalRoute("GET /a", "f"),), throttle=Throttle(rate=2, burst=3)
    )
    throttler = Throttler(api, clock)
    assert [throttler.allow("GET /a") for _ in range(4)] == [True, True, True, False]
    clock.now = 0.5  # one token back at 2 per second
    assert [throttler.allow("GET /a") for _ in range(2)] == [True, False]


def test_route_settings_override_the_default_and_buckets_are_per_route() -> None:
    clock = Clock()
    routes = (LocalRoute("GET /a", "f"), LocalRoute("GET /b", "f"))
    api = LocalApi(
        "api",
        "id",
        "$default",
        routes,
        throttle=Throttle(rate=1, burst=1),
        route_throttles={"GET /b": Throttle(rate=0, burst=0)},
    )
    throttler = Throttler(api, clock)
    assert throttler.allow("GET /a")
    assert not throttler.allow("GET /a")
    assert not throttler.allow("GET /b")


def test_no_declared_throttling_lets_everything_through() -> None:
    api = LocalApi("api", "id", "$default", (LocalRoute("GET /a", "f"),))
    assert all(Throttler(api).allow("GET /a") for _ in range(1000))

"""Metric hooks, and the Prometheus export (needs the ``metrics`` extra)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from sentinel.events import LOGGER_NAME, security_event
from sentinel.observability import EventHooks, SecurityEvent, add_hook, install_hooks, remove_hook
from sentinel.shedding import LoadShedder, Overloaded, SheddingPolicy


@pytest.fixture
def registry() -> Iterator[EventHooks]:
    hooks = EventHooks()
    logger = logging.getLogger(LOGGER_NAME)
    old_level = logger.level
    install_hooks(hooks)
    yield hooks
    logger.removeHandler(hooks)
    logger.setLevel(old_level)


def test_hooks_receive_each_event_redacted(registry: EventHooks) -> None:
    seen: list[SecurityEvent] = []
    registry.add(seen.append)
    security_event("session.login", outcome="rotated", level=logging.INFO, user_id="alice", password="pw1")
    (event,) = seen
    assert (event.event, event.outcome, event.level_name) == ("session.login", "rotated", "INFO")
    assert event.fields["user_id"] == "alice" and event.fields["password"] == "[redacted]"


def test_a_failing_hook_does_not_stop_the_others(
    registry: EventHooks, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[str] = []

    def broken(event: SecurityEvent) -> None:
        raise RuntimeError("hook bug")

    registry.add(broken)
    registry.add(lambda event: seen.append(event.event))
    security_event("csrf.refused", outcome="refused")
    assert seen == ["csrf.refused"]
    assert any("hook" in r.getMessage() and r.name == "sentinel.observability" for r in caplog.records)
    registry.remove(broken)
    assert len(registry) == 1


def test_module_level_add_and_remove() -> None:
    seen: list[str] = []
    hook = seen.append

    def record(event: SecurityEvent) -> None:
        hook(event.event)

    add_hook(record)
    try:
        security_event("health.refused", outcome="not served")
    finally:
        remove_hook(record)
    security_event("health.refused", outcome="not served")
    assert seen == ["health.refused"]


async def test_prometheus_counters_and_shedding_collector() -> None:
    prometheus = pytest.importorskip(
        "prometheus_client", reason="the metrics extra is not installed: pip install 'sentinel-asgi[metrics]'"
    )
    from sentinel.observability import default_hooks
    from sentinel.observability.metrics import instrument

    registry = prometheus.CollectorRegistry()
    shedder = LoadShedder(SheddingPolicy(max_in_flight=1))
    instruments = instrument(shedder, registry=registry)
    try:
        security_event("csrf.refused", outcome="refused")
        security_event("csrf.refused", outcome="refused")
        security_event("session.login", outcome="rotated", level=logging.INFO)
        assert shedder.try_admit()
        with pytest.raises(Overloaded):
            await shedder.wait_for_slot()
        value = registry.get_sample_value
        labels = {"event": "csrf.refused", "outcome": "refused", "level": "warning"}
        assert value("sentinel_security_events_total", labels) == 2
        login = {"event": "session.login", "outcome": "rotated", "level": "info"}
        assert value("sentinel_security_events_total", login) == 1
        assert value("sentinel_requests_in_flight") == 1
        assert value("sentinel_accepting_work") == 0
        assert value("sentinel_requests_shed_total", {"reason": "full"}) == 1
        shedder.park()  # the admitted request now waits for its body: it holds no slot
        assert value("sentinel_requests_waiting_for_body") == 1
        assert value("sentinel_requests_in_flight") == 0
        shedder.release(queue_wait=0.001, processing=0.2, holding=False)
        assert value("sentinel_request_residence_seconds_count") == 1
        assert value("sentinel_request_residence_seconds_bucket", {"le": "0.25"}) == 1
        assert value("sentinel_request_residence_seconds_bucket", {"le": "0.1"}) == 0
        text = prometheus.generate_latest(registry).decode()
        assert "sentinel_request_queue_wait_seconds_bucket" in text
    finally:
        default_hooks.remove(instruments.events)

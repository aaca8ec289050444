"""Prometheus metrics (optional: ``pip install '.[metrics]'`` in a checkout).

Two pieces, each usable alone:

- :class:`PrometheusEventCounter`, a hook counting security events by ``event``, ``outcome`` and
  ``level``. Event names and outcomes come from Sentinel's code, never from requests, so the label
  set stays small;
- :class:`SheddingCollector`, which reads a :class:`~sentinel.shedding.LoadShedder` at scrape time:
  in-flight and queued gauges, admitted and shed counters, and the queue-wait, processing and
  residence histograms. Reading at scrape time costs the request path nothing.

:func:`instrument` registers both. Serve the registry as usual, e.g. ``prometheus_client.make_asgi_app``
mounted behind the same operator access as the health endpoint.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sentinel.errors import ConfigurationError
from sentinel.extras import install_hint
from sentinel.observability.hooks import SecurityEvent, add_hook
from sentinel.shedding import HistogramSnapshot, LoadShedder

try:
    from prometheus_client import REGISTRY, CollectorRegistry, Counter
    from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
    from prometheus_client.registry import Collector
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ConfigurationError(
        [f"sentinel.observability.metrics needs the metrics extra: {install_hint('metrics')}"]
    ) from exc


class PrometheusEventCounter:
    """A hook: ``<namespace>_security_events_total{event, outcome, level}``."""

    def __init__(self, *, registry: CollectorRegistry = REGISTRY, namespace: str = "sentinel") -> None:
        self.counter = Counter(
            "security_events",
            "Sentinel security events, by event name, outcome and log level.",
            ["event", "outcome", "level"],
            namespace=namespace,
            registry=registry,
        )

    def __call__(self, event: SecurityEvent) -> None:
        self.counter.labels(event.event, event.outcome, event.level_name.lower()).inc()


def _histogram(name: str, doc: str, snap: HistogramSnapshot) -> HistogramMetricFamily:
    # Prometheus' own ``le`` spelling: repr of the float, and +Inf.
    labels = ["+Inf" if b == float("inf") else repr(float(b)) for b in snap.bounds]
    buckets = [(le, float(n)) for le, n in zip(labels, snap.cumulative, strict=True)]
    return HistogramMetricFamily(name, doc, buckets=buckets, sum_value=snap.sum)


class SheddingCollector(Collector):
    """Exposes one shedder's state at scrape time."""

    def __init__(self, shedder: LoadShedder, *, namespace: str = "sentinel") -> None:
        self.shedder = shedder
        self.prefix = f"{namespace}_" if namespace else ""

    def collect(self) -> Iterator[Metric]:
        s = self.shedder.stats()
        p = self.prefix
        yield GaugeMetricFamily(f"{p}requests_in_flight", "Requests being processed now.", value=s.in_flight)
        yield GaugeMetricFamily(f"{p}requests_queued", "Requests waiting for a slot now.", value=s.queued)
        yield GaugeMetricFamily(
            f"{p}requests_waiting_for_body", "Requests waiting for their body (no slot).", value=s.parked
        )
        yield GaugeMetricFamily(
            f"{p}requests_max_in_flight", "The configured bound on requests in flight.", value=s.max_in_flight
        )
        yield GaugeMetricFamily(
            f"{p}accepting_work", "1 if a request arriving now would be admitted.", value=int(s.accepting)
        )
        yield CounterMetricFamily(
            f"{p}requests_admitted", "Requests admitted past the load shedder.", value=s.admitted_total
        )
        shed = CounterMetricFamily(
            f"{p}requests_shed", "Requests answered 503 by the load shedder.", labels=["reason"]
        )
        shed.add_metric(["full"], s.shed_full_total)
        shed.add_metric(["queue_timeout"], s.shed_queue_timeout_total)
        yield shed
        yield _histogram(f"{p}request_queue_wait_seconds", "Time admitted requests waited.", s.queue_wait)
        yield _histogram(f"{p}request_processing_seconds", "Time from admission to done.", s.processing)
        yield _histogram(f"{p}request_residence_seconds", "Queue wait plus processing time.", s.residence)


@dataclass(frozen=True, kw_only=True)
class Instruments:
    """What :func:`instrument` registered, so a caller can unregister it."""

    events: PrometheusEventCounter
    shedding: SheddingCollector | None


def instrument(
    shedder: LoadShedder | None = None,
    *,
    registry: CollectorRegistry = REGISTRY,
    namespace: str = "sentinel",
) -> Instruments:
    """Count security events (a hook) and, given a shedder, export its state."""
    events = PrometheusEventCounter(registry=registry, namespace=namespace)
    add_hook(events)
    collector = None
    if shedder is not None:
        collector = SheddingCollector(shedder, namespace=namespace)
        registry.register(collector)
    return Instruments(events=events, shedding=collector)


__all__ = ["Instruments", "PrometheusEventCounter", "SheddingCollector", "instrument"]

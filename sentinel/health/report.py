"""The health document: more than "running", as the seed asks.

It says where the instance runs (host name, the address this request reached, runtime), what it runs
(Sentinel's version, the app's version and commit), whether it accepts work (the load shedder), and
the state of every store and circuit breaker it depends on. Each check runs concurrently under its
own deadline: a stalled Redis shows as ``"ok": false, "error": "timeout"``; it never stalls the
health answer. Every value passes :func:`~sentinel.observability.redact_fields`, so a store that
reported a URL with a password still shows none.

Status: ``ok``; ``degraded`` when a check failed or a breaker is not closed (still HTTP 200: the
instance works, a dependency does not); ``overloaded`` when a request arriving now would be shed
(HTTP 503, so a load balancer can route around it).
"""

from __future__ import annotations

import asyncio
import os
import platform
import socket
import time
from collections.abc import Iterable, Mapping
from typing import Any, Protocol, runtime_checkable

from sentinel._version import __version__
from sentinel.breaker import CircuitBreaker
from sentinel.health.settings import HealthSettings
from sentinel.observability.formatter import utc_timestamp
from sentinel.observability.redact import redact_fields
from sentinel.shedding import LoadShedder
from sentinel.types import Scope


@runtime_checkable
class HasHealth(Protocol):
    """Anything that can describe itself: every Sentinel store, and :class:`LoadShedder`."""

    async def health(self) -> dict[str, Any]: ...


Check = HasHealth | CircuitBreaker


def _name_of(check: Check, taken: set[str]) -> str:
    base = getattr(check, "name", None)
    name = base if isinstance(base, str) and base else type(check).__name__
    unique, n = name, 2
    while unique in taken:
        unique, n = f"{name}#{n}", n + 1
    taken.add(unique)
    return unique


def name_checks(checks: Mapping[str, Check] | Iterable[Check]) -> dict[str, Check]:
    """Checks by display name: a mapping as given, or names from each check's ``name`` or class."""
    if isinstance(checks, Mapping):
        return dict(checks)
    taken: set[str] = set()
    return {_name_of(check, taken): check for check in checks}


def _healthy(doc: Mapping[str, Any]) -> bool:
    return bool(doc.get("breaker", "closed") == "closed" and doc.get("state", "ok") == "ok")


class HealthReporter:
    """Builds the health document; :class:`~sentinel.health.HealthMiddleware` serves it."""

    def __init__(
        self,
        settings: HealthSettings,
        *,
        checks: Mapping[str, Check] | Iterable[Check] = (),
        shedder: LoadShedder | None = None,
    ) -> None:
        self.settings = settings
        self.checks = name_checks(checks)
        self.shedder = shedder
        self._static = {
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "runtime": {
                "implementation": platform.python_implementation(),
                "version": platform.python_version(),
            },
            "sentinel": {"version": __version__},
            "app": {"version": settings.app_version, "commit": settings.commit},
        }
        self._started = time.monotonic()

    async def _run(self, check: Check) -> dict[str, Any]:
        if isinstance(check, CircuitBreaker):
            doc: dict[str, Any] = {"breaker": check.state}
        else:
            try:
                async with asyncio.timeout(self.settings.check_timeout):
                    doc = dict(await check.health())
            except TimeoutError:
                return {"ok": False, "error": "timeout"}
            except Exception as exc:
                return {"ok": False, "error": type(exc).__name__}
        doc = redact_fields(doc)
        doc["ok"] = _healthy(doc)
        return doc

    async def report(self, scope: Scope | None = None) -> tuple[int, dict[str, Any]]:
        """``(http_status, document)``."""
        names = list(self.checks)
        results = await asyncio.gather(*(self._run(self.checks[n]) for n in names))
        checks = dict(zip(names, results, strict=True))
        load = None if self.shedder is None else self.shedder.stats()
        accepting = load is None or load.accepting
        degraded = not all(doc["ok"] for doc in checks.values())
        status = "overloaded" if not accepting else "degraded" if degraded else "ok"
        server = (scope or {}).get("server")
        doc: dict[str, Any] = {
            "status": status,
            "accepting_work": accepting,
            "checked_at": utc_timestamp(time.time()),
            "uptime_s": round(time.monotonic() - self._started, 1),
            **self._static,
            "address": None if not server else str(server[0]),
            "load": None if load is None else load.as_dict(),
            "checks": checks,
        }
        return (200 if accepting else 503), doc


__all__ = ["Check", "HasHealth", "HealthReporter", "name_checks"]

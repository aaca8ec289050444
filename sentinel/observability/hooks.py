"""Metric hooks: callables that receive each security event, for counters and alerts.

Security events are log records (:func:`sentinel.events.security_event`), so hooks ride on logging:
:class:`EventHooks` is a ``logging.Handler`` on the ``sentinel.security`` logger that turns each
record into a :class:`SecurityEvent` (fields already redacted) and calls every registered hook.
A hook runs on the event loop inside the request that raised the event, so it must be quick and
never block; one that raises is logged (to ``sentinel.observability``) and the others still run.
Hooks see the events the logger lets through: :func:`add_hook` lowers the logger to INFO if needed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sentinel.events import LOGGER_NAME
from sentinel.observability.redact import redact_fields

logger = logging.getLogger("sentinel.observability")


@dataclass(frozen=True, kw_only=True)
class SecurityEvent:
    """One security event as hooks see it: its name, outcome and level, and redacted fields."""

    event: str
    outcome: str
    level: int
    fields: Mapping[str, Any] = field(default_factory=dict)

    @property
    def level_name(self) -> str:
        return logging.getLevelName(self.level)


Hook = Callable[[SecurityEvent], None]


class EventHooks(logging.Handler):
    """A logging handler that dispatches security events to hooks."""

    def __init__(self) -> None:
        super().__init__(level=logging.NOTSET)
        self._hooks: tuple[Hook, ...] = ()

    def add(self, hook: Hook) -> None:
        if hook not in self._hooks:
            self._hooks = (*self._hooks, hook)

    def remove(self, hook: Hook) -> None:
        self._hooks = tuple(h for h in self._hooks if h is not hook and h != hook)

    def __len__(self) -> int:
        return len(self._hooks)

    def emit(self, record: logging.LogRecord) -> None:
        payload = getattr(record, "sentinel", None)
        hooks = self._hooks
        if not hooks or not isinstance(payload, Mapping):
            return
        fields = redact_fields(payload)
        event = SecurityEvent(
            event=str(fields.pop("event", "")),
            outcome=str(fields.pop("outcome", "")),
            level=record.levelno,
            fields=fields,
        )
        for hook in hooks:
            try:
                hook(event)
            except Exception:
                logger.exception("security event hook %r failed; the other hooks still ran", hook)


#: The process-wide registry :func:`add_hook` uses.
default_hooks = EventHooks()


def install_hooks(registry: EventHooks = default_hooks, *, level: int = logging.INFO) -> EventHooks:
    """Attach ``registry`` to the ``sentinel.security`` logger (once) and let ``level`` through."""
    security = logging.getLogger(LOGGER_NAME)
    if registry not in security.handlers:
        security.addHandler(registry)
    if security.getEffectiveLevel() > level:
        security.setLevel(level)
    return registry


def add_hook(hook: Hook, *, level: int = logging.INFO) -> None:
    """Call ``hook(event)`` for every security event at ``level`` or above."""
    install_hooks(level=level).add(hook)


def remove_hook(hook: Hook) -> None:
    default_hooks.remove(hook)


__all__ = [
    "EventHooks",
    "Hook",
    "SecurityEvent",
    "add_hook",
    "default_hooks",
    "install_hooks",
    "remove_hook",
]

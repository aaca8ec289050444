"""Start-up checks run in the ASGI lifespan: find a broken Redis before the first user does.

A closed port or a database the server does not have used to start silently; every session request
was then a 503 and no log line said why. :class:`Protected` now pings each Redis-backed store when the
server sends ``lifespan.startup`` (before the app's own start-up runs, so it opens nothing it must
then close), with a bounded timeout, and logs one line naming Redis and ``SENTINEL_REDIS_URL``.

Then, per ``SENTINEL_REDIS_STARTUP``:

- ``require`` (default): answer ``lifespan.startup.failed`` with that line. uvicorn, hypercorn and
  Starlette's ``TestClient`` all refuse to serve, so a deployment with a wrong URL fails its rollout
  instead of answering 503 to everyone. This is the default because a misconfiguration found at
  deploy time costs minutes and one found by users costs an incident.
- ``degraded``: start anyway (for a fleet that must come up before its Redis); the breaker then
  answers 503 with Retry-After to the requests that need Redis until it answers.

A server that does not run the lifespan protocol skips the ping; the URL itself is still validated
when the settings are built.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sentinel.errors import SentinelError
from sentinel.redis_client import REDIS_URL_SETTING, RedisBacked
from sentinel.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("sentinel")


class StartupError(SentinelError):
    """The lifespan start-up was refused (Redis did not answer); the message says why and the fix.

    Raised inside the app's ``receive`` to abandon the app's start-up, answered to the server as
    ``lifespan.startup.failed``, then re-raised, as Starlette's router does, so that servers and
    ``TestClient`` (which ignores a bare ``startup.failed``) both stop.
    """


async def redis_problem(backends: Sequence[Any]) -> str | None:
    """One line naming every Redis-backed store that does not answer, or ``None``."""
    stores = [b for b in backends if isinstance(b, RedisBacked)]
    if not stores:
        return None
    answers = await asyncio.gather(*(store.ping() for store in stores))
    faults = sorted({answer for answer in answers if answer is not None})
    if not faults:
        return None
    return f"{'; '.join(faults)}. Check that Redis runs and that {REDIS_URL_SETTING} points at it"


async def run_lifespan(
    app: ASGIApp,
    scope: Scope,
    receive: Receive,
    send: Send,
    *,
    backends: Sequence[Any],
    mode: str,
    close: Callable[[], Awaitable[None]],
) -> None:
    """Run ``app``'s lifespan, checking Redis when the server asks the app to start.

    ``close`` releases the stores' connections after the app's own shutdown (and after a refused
    start-up), so an app need not remember to call :meth:`Protected.aclose` itself.
    """
    failed_sent = False

    async def checked_receive() -> Message:
        message = await receive()
        if message["type"] == "lifespan.startup":
            problem = await redis_problem(backends)
            if problem is not None and mode == "degraded":
                logger.error(
                    "%s. Starting degraded (SENTINEL_REDIS_STARTUP=degraded): requests that need "
                    "Redis answer 503 until it answers",
                    problem,
                )
            elif problem is not None:
                raise StartupError(
                    f"{problem}. Refusing to start (set SENTINEL_REDIS_STARTUP=degraded to start "
                    "without Redis; requests that need it then answer 503)"
                )
        return message

    async def tracking_send(message: Message) -> None:
        nonlocal failed_sent
        failed_sent = failed_sent or message["type"] == "lifespan.startup.failed"
        if message["type"] in ("lifespan.shutdown.complete", "lifespan.shutdown.failed"):
            await close()
        await send(message)

    try:
        await app(scope, checked_receive, tracking_send)
    except StartupError as exc:
        logger.error("%s", exc)
        await close()
        if not failed_sent:
            await send({"type": "lifespan.startup.failed", "message": str(exc)})
        raise


__all__ = ["StartupError", "redis_problem", "run_lifespan"]

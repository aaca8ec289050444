"""Raw-socket slow clients for the hostile tests and ``bench/bench_slow_clients.py``.

Each :class:`Attacker` opens one connection, sends a request's headers (and perhaps part of its
body), then stalls or trickles. Kinds: ``idle-get`` (``GET /`` announcing ``Content-Length: 10``,
then nothing), ``half-form`` (half an urlencoded ``POST /login``), ``trickle-form`` (a login form,
one byte a second) and ``trickle-xml`` (``GET /`` with ``Content-Type: application/xml``, one byte a
second). Loopback only: the host and port come from a server the caller started on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import resource
import time
from collections.abc import Iterator

KINDS = ("idle-get", "half-form", "trickle-form", "trickle-xml")


@contextlib.contextmanager
def enough_file_descriptors(needed: int) -> Iterator[None]:
    """Raise the soft descriptor limit (the server subprocess inherits it) and restore it after."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


class Attacker:
    """One raw connection that sends its headers (and maybe part of a body), then stalls."""

    def __init__(self, kind: str, host: str, port: int) -> None:
        self.kind = kind
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    def _opening(self) -> bytes:
        head = f"Host: {self.host}:{self.port}\r\nUser-Agent: slow-client\r\n"
        if self.kind == "idle-get":
            return f"GET / HTTP/1.1\r\n{head}Content-Length: 10\r\n\r\n".encode()
        if self.kind in ("half-form", "trickle-form"):
            form = b"csrf_token=x&username=alice&password=corr" if self.kind == "half-form" else b""
            return (
                f"POST /login HTTP/1.1\r\n{head}Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: 1000\r\n\r\n"
            ).encode() + form
        xml = "Content-Type: application/xml\r\nContent-Length: 1000"
        return f"GET / HTTP/1.1\r\n{head}{xml}\r\n\r\n".encode()

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(self._opening())
        await self.writer.drain()

    async def trickle(self, until: float) -> None:
        """One byte a second (only the tricklers), until the server answers or ``until``."""
        assert self.writer is not None and self.reader is not None
        document = (b"<order><item>" if self.kind == "trickle-xml" else b"username=") + b"a" * 2000
        sent = 0
        while self.kind.startswith("trickle") and time.monotonic() < until and not self.reader.at_eof():
            await asyncio.sleep(1.0)
            with contextlib.suppress(ConnectionError):
                self.writer.write(document[sent : sent + 1])
                await self.writer.drain()
            sent += 1

    async def answer(self, timeout: float) -> tuple[int, dict[str, str], bytes, bool]:
        """Status, headers, body of the server's answer, and whether it then closed the connection."""
        assert self.reader is not None
        head = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), timeout)
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines if x)}
        body = await asyncio.wait_for(self.reader.readexactly(int(headers["content-length"])), timeout)
        closed = await asyncio.wait_for(self.reader.read(1), timeout) == b""
        return int(status_line.split()[1]), headers, body, closed

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


__all__ = ["KINDS", "Attacker", "enough_file_descriptors"]

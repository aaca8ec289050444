"""XML guard and safe-parse benchmark: ``python -m bench xml``.

Measures, in one run on one machine:

(The guard against the size of the messages a client sends is ``bench_xml_pieces.py``.)

1. The guard's cost against the parse it protects, on 1 KB, 100 KB and 5 MB order documents. The
   baseline is a plain ``defusedxml.ElementTree.fromstring``; the guard is the whole middleware
   path (read the body in 64 KiB messages, inspect it, replay it to an app that reads it). The
   target "the guard costs at most 1.2x the parse" is read as ``(guard + parse) / parse <= 1.2``,
   i.e. the guard adds at most 20 % to the parse the app does anyway.
2. The parse API's own cost (``sentinel.xml.fromstring``, limits counted while parsing) against
   defusedxml, and, for reference, the stdlib's C parser and the lxml variant.
3. The time to refuse each attack of the test corpus (guard and parse API) and the guard's peak
   memory while refusing it (tracemalloc), which shows bombs are refused without expansion.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import statistics
import time
import tracemalloc
import warnings
from collections.abc import Awaitable, Callable
from typing import Any

# The stdlib baseline, fed only the benchmark's own documents.
from xml.etree import ElementTree  # nosec B405

import defusedxml.ElementTree

import sentinel.xml as sx
from sentinel.events import LOGGER_NAME
from sentinel.sessions import SentinelUnsafeWarning
from tests.xml.corpus import ATTACKS

CHUNK = 64 * 1024
SIZES = (("1 KB", 1_000), ("100 KB", 100_000), ("5 MB", 5_000_000))
TARGET = 1.2


def orders_document(size: int) -> bytes:
    parts = [b'<?xml version="1.0" encoding="UTF-8"?>\n<orders xmlns="urn:example:orders">\n']
    total, i = len(parts[0]), 0
    while total < size - 12:
        order = (
            b'<order id="%d" status="open"><item sku="A%d">Widget number %d</item>'
            b"<note>Please deliver before noon &amp; ring twice</note></order>\n" % (i, i, i)
        )
        parts.append(order)
        total += len(order)
        i += 1
    parts.append(b"</orders>\n")
    return b"".join(parts)


def per_call(run_batch: Callable[[int], None], *, budget: float = 0.25, repeats: int = 5) -> float:
    """Median seconds per call: calibrate a batch to about ``budget`` seconds, time ``repeats``."""
    loops = 1
    while True:
        start = time.perf_counter()
        run_batch(loops)
        elapsed = time.perf_counter() - start
        if elapsed >= budget / 4 or loops >= 1 << 16:
            break
        loops *= 4
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        run_batch(loops)
        samples.append((time.perf_counter() - start) / loops)
    return statistics.median(samples)


async def _consume(scope: Any, receive: Any, send: Any) -> None:
    message = await receive()
    while message.get("more_body"):
        message = await receive()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b""})


def _scope(content_type: bytes, length: int) -> dict[str, Any]:
    headers = [(b"content-type", content_type), (b"content-length", str(length).encode())]
    return {"type": "http", "method": "POST", "path": "/", "query_string": b"", "headers": headers}


async def guard_once(
    guard: Any, body: bytes, content_type: bytes = b"application/xml", chunk: int = CHUNK
) -> int:
    """One request through the guard, in ``chunk``-byte messages; returns the status sent."""
    pieces = [body[i : i + chunk] for i in range(0, len(body), chunk)] or [b""]
    messages = [
        {"type": "http.request", "body": p, "more_body": n < len(pieces) - 1} for n, p in enumerate(pieces)
    ]
    status: list[int] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    await guard(_scope(content_type, len(body)), receive, send)
    return status[0]


def _run(loop: asyncio.AbstractEventLoop, guard: Any, body: bytes) -> int:
    return loop.run_until_complete(guard_once(guard, body))


def guard_batch(
    loop: asyncio.AbstractEventLoop, guard: Any, body: bytes, chunk: int = CHUNK
) -> Callable[[int], None]:
    async def many(n: int) -> None:
        for _ in range(n):
            await guard_once(guard, body, chunk=chunk)

    return lambda n: loop.run_until_complete(many(n))


def sync_batch(call: Callable[[bytes], object], body: bytes) -> Callable[[int], None]:
    def many(n: int) -> None:
        for _ in range(n):
            call(body)

    return many


def _refusal_time(call: Callable[[], object]) -> float:
    def many(n: int) -> None:
        for _ in range(n):
            with contextlib.suppress(sx.XMLError):
                call()

    return per_call(many, budget=0.05, repeats=3)


def _peak(run: Callable[[], Awaitable[object]], loop: asyncio.AbstractEventLoop) -> int:
    tracemalloc.start()
    try:
        loop.run_until_complete(run())
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f}" if seconds < 0.01 else f"{seconds * 1000:.1f}"


def overhead_table(loop: asyncio.AbstractEventLoop) -> list[str]:
    guard = sx.XMLGuardMiddleware(_consume)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SentinelUnsafeWarning)
        light = sx.XMLGuardMiddleware(_consume, check_structure=False)
    lines = [
        "| document | defusedxml parse (ms) | guard (ms) | guard / parse | (guard + parse) / parse "
        "| same, `check_structure=False` | sentinel.xml.fromstring / defusedxml "
        "| stdlib C parser / defusedxml |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, size in SIZES:
        body = orders_document(size)
        parse = per_call(sync_batch(defusedxml.ElementTree.fromstring, body))
        # The harness (building messages, an app that reads them) runs without the guard too.
        harness = per_call(guard_batch(loop, _consume, body))
        full = per_call(guard_batch(loop, guard, body)) - harness
        fast = per_call(guard_batch(loop, light, body)) - harness
        ours = per_call(sync_batch(sx.fromstring, body))
        stdlib = per_call(sync_batch(ElementTree.fromstring, body))
        ratio, light_ratio = (full + parse) / parse, (fast + parse) / parse
        verdict = "meets" if ratio <= TARGET else "misses"
        lines.append(
            f"| {label} ({len(body):,} B) | {_ms(parse)} | {_ms(full)} | {full / parse:.2f}x "
            f"| **{ratio:.2f}x** ({verdict} {TARGET}x) | {light_ratio:.2f}x "
            f"| {ours / parse:.2f}x | {stdlib / parse:.2f}x |"
        )
    return lines


def lxml_line() -> list[str]:
    if not sx.HAS_LXML:
        return ["lxml is not installed: the lxml variant was not measured."]
    from lxml import etree

    import sentinel.xml.lxml as safe_lxml

    body = orders_document(100_000)
    plain = per_call(sync_batch(lambda b: etree.fromstring(b, parser=safe_lxml.hardened_parser()), body))
    ours = per_call(sync_batch(safe_lxml.fromstring, body))
    return [
        f"lxml variant on the 100 KB document: {_ms(ours)} ms against {_ms(plain)} ms for lxml alone "
        f"with the same hardened parser ({ours / plain:.1f}x: the expat inspection pass dominates; "
        "libxml2 is fast)."
    ]


def attacks_table(loop: asyncio.AbstractEventLoop) -> list[str]:
    guard = sx.XMLGuardMiddleware(_consume)
    lines = [
        "| attack | body (B) | reason | guard refusal (ms) | parse API refusal (ms) "
        "| guard peak memory (KiB) |",
        "|---|---:|---|---:|---:|---:|",
    ]
    for attack in ATTACKS:
        status = loop.run_until_complete(guard_once(guard, attack.body))
        if status not in (400, 413):
            raise RuntimeError(f"{attack.name} was not refused by the guard (status {status})")
        body = attack.body
        refuse_guard = _refusal_time(functools.partial(_run, loop, guard, body))
        refuse_parse = _refusal_time(functools.partial(sx.fromstring, body))
        peak = _peak(functools.partial(guard_once, guard, body), loop)
        lines.append(
            f"| {attack.name} | {len(attack.body):,} | `{attack.reason}` | {_ms(refuse_guard)} | "
            f"{_ms(refuse_parse)} | {peak / 1024:.0f} |"
        )
    return lines


def benign_peak(loop: asyncio.AbstractEventLoop) -> str:
    body = orders_document(5_000_000)
    guard = sx.XMLGuardMiddleware(_consume)
    peak = _peak(lambda: guard_once(guard, body), loop)
    return (
        f"Guard peak memory on the 5 MB document: {peak / 2**20:.1f} MiB "
        f"for a {len(body) / 2**20:.1f} MiB body "
        "(the body itself, held for replay, plus expat's buffers; the benchmark's own copy of the body "
        "is allocated before tracing starts)."
    )


def run() -> str:
    loop = asyncio.new_event_loop()
    # Refusals log a security event; measure the record, not a terminal printing it.
    events = logging.getLogger(LOGGER_NAME)
    saved = events.handlers[:], events.propagate
    events.handlers[:], events.propagate = [logging.NullHandler()], False
    try:
        overhead = overhead_table(loop)
        lxml = lxml_line()
        attacks = attacks_table(loop)
        peak = benign_peak(loop)
    finally:
        loop.close()
        events.handlers[:], events.propagate = saved
    return "\n".join(
        [
            "## XML guard and safe parsing",
            "",
            "Target: the guard costs at most 1.2x the parse itself. Read literally (guard / parse "
            "<= 1.2) the default guard meets it at every size; read strictly, as "
            "**(guard + parse) / parse <= 1.2** (the guard adds at most a fifth), it meets it only with "
            "`check_structure=False` on documents of 100 KB and more. The parse is a plain "
            "`defusedxml.ElementTree.fromstring`. The guard column is the whole middleware path "
            "(body read in 64 KiB messages, "
            "streaming expat inspection, replay to the app), less the same harness run without the "
            "guard. Order documents (about 47 bytes per element, so element-dense: the guard's "
            "per-element cost weighs most here); medians of 5 timed batches.",
            "",
            *overhead,
            "",
            "`check_structure=False` skips the per-element callbacks (depth, element and attribute limits, "
            "which the app's `sentinel.xml` parse then enforces); DTDs, entities, external references, "
            "XInclude, encodings, well-formedness and size are still checked.",
            "",
            *lxml,
            "",
            "### Refusing the attack corpus (`tests/xml/corpus.py`)",
            "",
            *attacks,
            "",
            peak,
        ]
    )


if __name__ == "__main__":
    print(run())

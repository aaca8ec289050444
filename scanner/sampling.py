"""Collect fresh session IDs for the predictability and entropy checks (once per scan, shared).

The scanner first looks for a request that mints a session for an anonymous visitor (the home page,
the login page, a discovered page, or a harmless-looking POST form such as "add to cart"), because
those are cheap and do not touch accounts. Each sample request is sent without cookies, so every
answer must mint a new ID. Only when nothing mints anonymously does it fall back to logging in
repeatedly (fewer samples, since each login costs the target a password hash).
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

from scanner.auth.profile import SESSION_NAME_HINT
from scanner.context import NO_LOGIN, ScanContext
from scanner.discovery.filters import is_dangerous
from scanner.errors import CheckSkipped, LoginFailed
from scanner.http.exchange import Exchange, RequestSpec

MEMO_KEY = "session-samples"
LOGIN_SAMPLE_CAP = 16
_MAX_MINT_CANDIDATES = 8
_COMMON_NAMES = re.compile(
    r"^(__host-|__secure-)?(sid|sessionid|session_id|session|jsessionid|phpsessid|connect\.sid)$", re.I
)


@dataclass(frozen=True, kw_only=True)
class SampleSet:
    cookie_name: str
    values: tuple[str, ...]
    source: str
    example: Exchange


async def session_cookie_name(ctx: ScanContext) -> str:
    """The session cookie's name: from the login profile, else a session-like cookie seen in the scan
    (also when the login could not be verified: cookies issued anonymously still have flags)."""
    why = NO_LOGIN
    if ctx.flow is not None and ctx.flow.config.has_credentials:
        try:
            return (await ctx.profile()).cookie_name
        except (CheckSkipped, LoginFailed) as exc:
            why = str(getattr(exc, "reason", exc))
            ctx.engine.note(f"the session cookie was chosen among cookies seen while crawling ({why})")
    seen = sorted(
        {c.name for ex in ctx.engine.log for c in ex.set_cookies() if SESSION_NAME_HINT.search(c.name)}
    )
    common = [n for n in seen if _COMMON_NAMES.match(n)]
    if common or seen:
        ctx.memo["session-cookie"] = (common or seen)[0]
        return (common or seen)[0]
    raise CheckSkipped(f"{why}, and no session-like cookie was seen while crawling")


def mint_candidates(ctx: ScanContext) -> list[RequestSpec]:
    specs = [RequestSpec(url=ctx.base_url)]
    if ctx.flow is not None:
        specs.append(RequestSpec(url=ctx.flow.login_url))
    endpoints = ctx.discovery.sorted_endpoints()
    specs += [e.request() for e in endpoints if e.method == "GET" and not e.parameters][:3]
    specs += [
        e.request()
        for e in endpoints
        if e.method == "POST"
        and e.source == "crawl"
        and not is_dangerous(e.url)
        and (ctx.flow is None or e.url != ctx.flow.login_url)
        and not any("pass" in p.name.lower() for p in e.parameters)
    ][:3]
    unique = {(s.method, s.full_url()): s for s in specs}
    return list(unique.values())[:_MAX_MINT_CANDIDATES]


def _minted(exchange: Exchange, name: str) -> str | None:
    for cookie in exchange.set_cookies():
        if cookie.name == name and cookie.value and not cookie.is_deletion(0):
            return cookie.value
    return None


async def _by_request(ctx: ScanContext, name: str, wanted: int) -> SampleSet | None:
    async with ctx.engine.probe("session-sampler") as probe:
        for spec in mint_candidates(ctx):
            first = await probe.send(spec, use_cookies=False)
            value = _minted(first, name)
            if value is None:
                continue
            rest = await asyncio.gather(*(probe.send(spec, use_cookies=False) for _ in range(wanted - 1)))
            values = [value, *(v for ex in rest if (v := _minted(ex, name)) is not None)]
            return SampleSet(
                cookie_name=name,
                values=tuple(values),
                source=f"{spec.method} {spec.full_url()}",
                example=first,
            )
    return None


async def _by_login(ctx: ScanContext, name: str, wanted: int) -> SampleSet:
    profile = await ctx.profile()
    values: list[str] = []
    example: Exchange | None = None
    async with ctx.engine.probe("session-sampler-login") as probe:
        for _ in range(min(wanted, LOGIN_SAMPLE_CAP)):
            probe.jar.clear()
            try:
                submission = await profile.flow.login(probe)
            except LoginFailed:
                break
            value = probe.jar.get(name)
            if value:
                values.append(value)
                example = example or submission.answer
    if example is None or len(values) < 2:
        raise CheckSkipped("no request issues fresh session IDs (not even a login)")
    return SampleSet(
        cookie_name=name, values=tuple(values), source=f"login at {profile.flow.login_url}", example=example
    )


async def session_samples(ctx: ScanContext) -> SampleSet:
    """The shared sample (collected on first use)."""
    cached = ctx.memo.get(MEMO_KEY)
    if isinstance(cached, SampleSet):
        return cached
    name = await session_cookie_name(ctx)
    wanted = ctx.config.session.samples
    sample = await _by_request(ctx, name, wanted)
    if sample is None:
        if ctx.flow is None or not ctx.flow.config.has_credentials:
            raise CheckSkipped(f"{NO_LOGIN}, and no anonymous request issues a {name} cookie")
        sample = await _by_login(ctx, name, wanted)
    ctx.memo[MEMO_KEY] = sample
    return sample


__all__ = [
    "LOGIN_SAMPLE_CAP",
    "MEMO_KEY",
    "SampleSet",
    "mint_candidates",
    "session_cookie_name",
    "session_samples",
]

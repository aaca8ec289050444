"""The scanner's HTTP layer: scope-checked, rate-capped, budgeted, per-probe clients over httpx."""

from scanner.http.cookies import CookieJar, SetCookie, parse_set_cookie
from scanner.http.engine import USER_AGENT, EngineStats, HttpEngine
from scanner.http.exchange import Exchange, FilePart, RequestSpec
from scanner.http.probe import SECURE_ON_HTTP_NOTE, ProbeClient

__all__ = [
    "SECURE_ON_HTTP_NOTE",
    "USER_AGENT",
    "CookieJar",
    "EngineStats",
    "Exchange",
    "FilePart",
    "HttpEngine",
    "ProbeClient",
    "RequestSpec",
    "SetCookie",
    "parse_set_cookie",
]

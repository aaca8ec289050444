"""``SecurityHeadersMiddleware``: add a header policy's headers to every HTTP response.

Headers are computed once at construction; a response costs one pass over its own headers (to see
which the app set) plus appends. The app's own value wins unless the policy's ``override`` names
that header, so an endpoint that needs a looser CSP (an embeddable widget, say) can set its own.
HSTS goes on ``https`` responses only unless ``hsts_https_only=False``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sentinel.headers.nonce import NONCE_SCOPE_KEY, CSPNonce
from sentinel.headers.policy import BASIC, HeaderPolicy, parse_csp
from sentinel.types import ASGIApp, Message, Receive, Scope, Send

_MARK = "\x00"  # where the nonce source goes; parse_csp refuses control characters in policies


def csp_template(policy: str, nonce_directives: tuple[str, ...]) -> str:
    """``policy`` with a nonce mark in each nonce directive (inherited from default-src if absent)."""
    directives = parse_csp(policy)
    present = dict(directives)
    fallback = present.get("default-src")
    out = []
    for name, sources in directives:
        if name in nonce_directives:
            sources = _MARK if sources in ("", "'none'") else f"{sources} {_MARK}"
        out.append((name, sources))
    for name in nonce_directives:
        if name not in present and fallback is not None:
            out.append((name, _MARK if fallback == "'none'" else f"{fallback} {_MARK}"))
    return "; ".join(f"{name} {sources}".strip() for name, sources in out)


def static_headers(policy: HeaderPolicy) -> list[tuple[bytes, bytes]]:
    """Every header except HSTS and CSP, which depend on the request."""
    pairs: list[tuple[str, str | None]] = [
        ("x-content-type-options", "nosniff" if policy.nosniff else None),
        ("x-frame-options", policy.frame_options),
        ("referrer-policy", policy.referrer_policy),
        ("cross-origin-opener-policy", policy.cross_origin_opener_policy),
        ("cross-origin-resource-policy", policy.cross_origin_resource_policy),
        ("permissions-policy", policy.permissions_policy),
    ]
    return [(name.encode(), value.encode("latin-1")) for name, value in pairs if value is not None]


def without_nonce(template: str) -> str:
    """The policy as sent when no nonce was issued: marks dropped, ``'none'`` where one was alone."""
    directives = []
    for chunk in template.split("; "):
        name, _, sources = chunk.partition(" ")
        listed = sources.split(" ")
        if _MARK in listed:
            sources = " ".join(s for s in listed if s != _MARK) or "'none'"
        directives.append(f"{name} {sources}".strip())
    return "; ".join(directives)


class SecurityHeadersMiddleware:
    """``SecurityHeadersMiddleware(app, policy=STRICT)``; keywords change single fields of the
    policy (``SecurityHeadersMiddleware(app, policy=STRICT, csp_report_only=True)``)."""

    def __init__(self, app: ASGIApp, *, policy: HeaderPolicy = BASIC, **changes: Any) -> None:
        self.app = app
        self.policy = dataclasses.replace(policy, **changes) if changes else policy
        p = self.policy
        self._static = static_headers(p)
        self._hsts = None if p.hsts is None else (b"strict-transport-security", p.hsts.value().encode())
        self._hsts_https_only = p.hsts_https_only
        self._override = frozenset(name.encode() for name in p.override)
        self._csp_name = (
            b"content-security-policy-report-only" if p.csp_report_only else b"content-security-policy"
        )
        self._csp_plain: bytes | None = None
        self._csp_parts: list[str] = []
        if p.csp is not None:
            template = csp_template(p.csp, p.nonce_directives)
            self._csp_parts = template.split(_MARK)
            self._csp_plain = without_nonce(template).encode()

    def _headers(self, scope: Scope, nonce: CSPNonce | None) -> list[tuple[bytes, bytes]]:
        extra = list(self._static)
        if self._hsts is not None and (scope.get("scheme") == "https" or not self._hsts_https_only):
            extra.append(self._hsts)
        if self._csp_plain is not None:
            if nonce is not None and nonce.issued and len(self._csp_parts) > 1:
                value = f"'nonce-{nonce.value}'".join(self._csp_parts).encode()
            else:
                value = self._csp_plain
            extra.append((self._csp_name, value))
        return extra

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = None
        if self._csp_plain is not None:
            nonce = CSPNonce()
            scope[NONCE_SCOPE_KEY] = nonce
        override = self._override

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                for name, value in self._headers(scope, nonce):
                    if name in override:
                        headers = [(n, v) for n, v in headers if n.lower() != name]
                    elif name in present:
                        continue
                    headers.append((name, value))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_wrapper)


__all__ = ["SecurityHeadersMiddleware", "csp_template", "static_headers", "without_nonce"]

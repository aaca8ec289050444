"""Helpers shared by the session checks: replaying an ID, forging a look-alike ID, finding IDs in URLs."""

from __future__ import annotations

import secrets
import string
from urllib.parse import parse_qsl, unquote, urlsplit

from scanner.auth.profile import SessionProfile
from scanner.context import ScanContext
from scanner.http.exchange import Exchange


async def replay(
    ctx: ScanContext, profile: SessionProfile, session_id: str, *, probe_name: str
) -> tuple[bool, Exchange]:
    """Does ``session_id`` alone (as the session cookie, nothing else) authenticate?"""
    async with ctx.engine.probe(probe_name) as probe:
        probe.jar.set(profile.cookie_name, session_id)
        return await profile.oracle.check(probe)


def look_alike(session_id: str) -> str:
    """A random ID of the same shape: digits for digits, letters for letters, separators kept."""
    out = []
    for char in session_id:
        if char.isdigit():
            out.append(secrets.choice(string.digits))
        elif char in string.ascii_lowercase:
            out.append(secrets.choice(string.ascii_lowercase))
        elif char in string.ascii_uppercase:
            out.append(secrets.choice(string.ascii_uppercase))
        else:
            out.append(char)
    forged = "".join(out)
    return forged if forged != session_id else "x" + forged  # only when the ID has no letter or digit


def id_carriers(url: str, ids: set[str]) -> list[str]:
    """Where in ``url`` a known session ID appears: query parameter names, or ``path``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return []
    found = [
        name for name, value in parse_qsl(parts.query, keep_blank_values=True) if any(i in value for i in ids)
    ]
    path = unquote(parts.path)
    if any(i in path for i in ids):
        found.append("path")
    return found


__all__ = ["id_carriers", "look_alike", "replay"]

"""SNT901 cookie-session-middleware: Starlette's cookie ``SessionMiddleware`` (CWE-613).

**What it detects.** A call that uses ``starlette.middleware.sessions.SessionMiddleware``: wrapping
an app with it, ``Middleware(SessionMiddleware, ...)`` or ``app.add_middleware(SessionMiddleware,
...)``, whatever the import alias.

**Why it matters.** That middleware keeps the whole session in a signed cookie. The server holds no
state, so it cannot end a session: "logout" only asks the browser to forget the cookie, and a copy
(stolen, or kept by the user) stays valid until it expires. The data is signed, not encrypted, so the
client can read it. OWASP's session guidance asks for server-side invalidation at logout.

**Example evidence.** ``app.add_middleware(SessionMiddleware, secret_key=KEY)``.

**How to fix.** Use server-side sessions: ``sentinel.SessionMiddleware`` with a ``MemoryStore`` or
``RedisStore``; its ``logout()`` destroys the session in the store.

Severity medium, confidence high.
"""

from __future__ import annotations

import ast
from typing import Any

from sentinel_bandit._ast import qualname
from sentinel_bandit._plugin import Context, issue, plugin
from sentinel_bandit.rules import COOKIE_SESSIONS

COOKIE_MIDDLEWARE = "starlette.middleware.sessions.SessionMiddleware"


@plugin(COOKIE_SESSIONS, "Call")
def sentinel_cookie_session_middleware(context: Context) -> Any:
    call = context.node
    if not isinstance(call, ast.Call):
        return None
    aliases = context.import_aliases
    used = [call.func, *call.args, *(k.value for k in call.keywords)]
    if not any(qualname(node, aliases) == COOKIE_MIDDLEWARE for node in used):
        return None
    return issue(
        COOKIE_SESSIONS,
        call,
        "Starlette's cookie SessionMiddleware keeps the session client-side: logout cannot revoke it. "
        "Use server-side sessions (sentinel.SessionMiddleware with a store).",
        confidence="HIGH",
    )

"""Ground truth for ``bench/bench_realapps.py``: each real app's flaws as read from its source.

Nothing of the apps is copied here: a flaw is named by the app's own ``file:line`` and described by
where a scanner can see it (path, parameters) and the classes of finding that count as finding it.
Tools' findings are mapped to the same classes (by CWE for Sentinel, by category for wapiti).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Flaw:
    id: str
    title: str
    where: str
    classes: frozenset[str]
    #: URL paths the finding may name (empty: any path, for app-wide flaws such as cookie flags).
    paths: tuple[str, ...] = ()
    #: Parameters the finding may name (empty: any).
    params: tuple[str, ...] = ()

    def matches(self, kind: str, path: str, param: str | None) -> bool:
        if kind not in self.classes:
            return False
        if self.paths and _norm(path) not in {_norm(p) for p in self.paths}:
            return False
        return not self.params or param is None or param in self.params


def _norm(path: str) -> str:
    return path.rstrip("/") or "/"


def _f(fid: str, title: str, where: str, classes: str, paths: str = "", params: str = "") -> Flaw:
    return Flaw(
        id=fid,
        title=title,
        where=where,
        classes=frozenset(classes.split()),
        paths=tuple(paths.split()),
        params=tuple(params.split()),
    )


DSVW = (
    _f("D1", "SQL injection (boolean, UNION, time)", "dsvw.py:30", "sqli", "/", "id"),
    _f("D2", "SQL injection, login bypass", "dsvw.py:72", "sqli", "/login", "password"),
    _f("D3", "reflected XSS / frame injection", "dsvw.py:33", "xss", "/", "v"),
    _f("D4", "stored XSS in comments", "dsvw.py:56-59", "xss", "/", "comment"),
    _f("D5", "SQL injection in the comment INSERT", "dsvw.py:56", "sqli", "/", "comment"),
    _f("D6", "XSS through the JSONP callback", "dsvw.py:69", "xss", "/users.json", "callback"),
    _f("D7", "XML external entities", "dsvw.py:44", "xxe", "/", "xml"),
    _f("D8", "XPath injection", "dsvw.py:46", "xpath", "/", "name"),
    _f("D9", "path traversal / source disclosure", "dsvw.py:38", "path-traversal", "/", "path"),
    _f("D10", "server-side request forgery", "dsvw.py:38", "ssrf", "/", "path"),
    _f("D11", "OS command injection", "dsvw.py:40", "cmdi", "/", "domain"),
    _f("D12", "pickle deserialisation", "dsvw.py:36", "deserialization code-exec", "/", "object"),
    _f("D13", "file inclusion / code execution", "dsvw.py:62-66", "code-exec path-traversal", "/", "include"),
    _f("D14", "open redirect (meta refresh)", "dsvw.py:68", "redirect", "/", "redir"),
    _f("D20", "XSS through the redirect target (meta refresh)", "dsvw.py:68", "xss", "/", "redir"),
    _f("D15", "HTTP header injection (CRLF)", "dsvw.py:79", "crlf", "/", "charset"),
    _f("D16", "denial of service (size)", "dsvw.py:51", "dos", "/", "size"),
    _f("D17", "missing anti-framing and other headers", "dsvw.py:77-80", "clickjacking headers"),
    _f("D18", "CSRF: comments posted by GET", "dsvw.py:56", "csrf"),
    _f("D19", "error pages disclose paths and tracebacks", "dsvw.py:75-76", "info-disclosure"),
)

VULPY_BAD = (
    _f("B1", "SQL injection at login", "bad/libuser.py:12", "sqli", "/user/login", "username password"),
    _f("B2", "SQL injection at sign-up", "bad/libuser.py:24", "sqli", "/user/create", "username password"),
    _f("B3", "SQL injection at password change", "bad/libuser.py:50", "sqli", "/user/chpasswd", "password"),
    _f("B4", "stored XSS in posts", "bad/templates/posts.view.html:23", "xss", "/posts/ /posts /", "text"),
    _f("B5", "session cookie without HttpOnly", "bad/libsession.py:7", "cookie-httponly"),
    _f("B6", "session cookie without SameSite", "bad/libsession.py:7", "cookie-samesite"),
    _f("B7", "forgeable session (unsigned base64 JSON)", "bad/libsession.py:5-8", "session-predictable"),
    _f("B8", "'logout' does not end the session", "bad/mod_user.py:12", "session-logout"),
    _f("B9", "no CSRF protection on any form", "bad/templates/posts.view.html:13", "csrf"),
    _f("B10", "no brute-force protection at login", "bad/libuser.py:7-17", "brute-force"),
    _f("B11", "missing anti-framing and other headers", "bad/vulpy.py:47-51", "clickjacking headers"),
)

#: vulpy good/ still has real flaws: reporting these is right; anything else counts as false.
VULPY_GOOD = (
    _f("G1", "SQL injection at sign-up (username)", "good/libuser.py:61", "sqli", "/user/create", "username"),
    _f("G2", "stored XSS in posts", "good/templates/posts.view.html:23", "xss", "/posts/ /posts /", "text"),
    _f(
        "G3",
        "session cookie without HttpOnly/SameSite",
        "good/libsession.py:31",
        "cookie-httponly cookie-samesite",
    ),
    _f("G4", "no CSRF protection on forms", "good/templates/posts.view.html", "csrf"),
    _f("G5", "missing anti-framing and other headers", "good/vulpy.py", "clickjacking headers"),
    _f("G6", "no brute-force protection at login", "good/libuser.py:15-44", "brute-force"),
    _f(
        "G7",
        "'logout' link leaves the session token valid (TTL 2 h)",
        "good/libsession.py:11",
        "session-logout",
    ),
)

#: Sentinel rule CWE -> class.
SENTINEL_CLASSES = {
    89: "sqli",
    79: "xss",
    611: "xxe",
    643: "xpath",
    91: "xpath",
    78: "cmdi",
    22: "path-traversal",
    918: "ssrf",
    601: "redirect",
    113: "crlf",
    93: "crlf",
    352: "csrf",
    1021: "clickjacking",
    16: "headers",
    693: "headers",
    502: "deserialization",
    23: "path-traversal",
    1004: "cookie-httponly",
    614: "cookie-secure",
    1275: "cookie-samesite",
    330: "session-predictable",
    340: "session-predictable",
    613: "session-logout",
    384: "session-fixation",
    307: "brute-force",
    95: "code-exec",
    94: "code-exec",
    1336: "code-exec",
    134: "format-string",
    598: "session-in-url",
}
#: Classes that are hardening advice, not flaws: never counted as found or false.
ADVICE = frozenset({"hardening", "cookie-secure"})
#: Sentinel rule IDs that are advice (the __Host- prefix note).
SENTINEL_ADVICE = frozenset({"SNT111"})

#: wapiti category -> class.
WAPITI_CLASSES = {
    "SQL Injection": "sqli",
    "Blind SQL Injection": "sqli",
    "Reflected Cross Site Scripting": "xss",
    "Stored Cross Site Scripting": "xss",
    "HTML Injection": "xss",
    "Stored HTML Injection": "xss",
    "XML External Entity": "xxe",
    "XPATH Injection": "xpath",
    "Command execution": "cmdi",
    "Path Traversal": "path-traversal",
    "Server Side Request Forgery": "ssrf",
    "Open Redirect": "redirect",
    "CRLF Injection": "crlf",
    "Cross Site Request Forgery": "csrf",
    "Clickjacking Protection": "clickjacking",
    "MIME Type Confusion": "headers",
    "HTTP Strict Transport Security (HSTS)": "hardening",
    "Content Security Policy Configuration": "headers",
    "HttpOnly Flag cookie": "cookie-httponly",
    "Secure Flag cookie": "cookie-secure",
    "Weak credentials": "weak-credentials",
    "Resource consumption": "dos",
    "Unencrypted Channels": "hardening",
}

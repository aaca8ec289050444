"""Fill a form the way a person would, so the app runs past its "please complete every field" check.

An app that answers "username and password required" before it runs its query is never reached by a
scanner that replays a form half-empty. Each field gets a plausible value by its type, then by its name
(``email``, ``age``, ``zip``...), and a value the page already gives (a hidden field, a default) is
kept. Checkboxes are ticked (an "I agree" box often gates the submit), a radio group gets its checked
or else its first choice, a select its first real option.

Username-like fields get a random name that cannot exist (``sentinel-<hex>``), made once per process:
a login form is then fuzzed against an account nobody owns, so no real account is locked out, and a
sign-up form creates one throwaway account, as a person trying the app would.
"""

from __future__ import annotations

import re
import secrets

from scanner.discovery.html import Form, FormField

#: One throwaway identity per process: the same user on every form, so a sign-up then a login match.
PROBE_USER = f"sentinel-{secrets.token_hex(5)}"
#: Strong enough for any password policy (length, cases, digit, symbol); not anybody's password.
PROBE_PASSWORD = f"Sx9!{secrets.token_urlsafe(9)}-q"

_BY_TYPE = {
    "email": "sentinel@example.com",
    "number": "1",
    "range": "1",
    "date": "2024-01-15",
    "datetime-local": "2024-01-15T10:30",
    "time": "10:30",
    "month": "2024-01",
    "week": "2024-W03",
    "tel": "5555550100",
    "url": "https://example.com/",
    "color": "#3366cc",
    "search": "test",
    "password": PROBE_PASSWORD,
}
#: (name pattern, value), first match wins; checked only for free-text fields.
_BY_NAME: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.I), value)
    for pattern, value in (
        (r"e-?mail", "sentinel@example.com"),
        (r"user|login|nick|handle|account", PROBE_USER),
        (r"first.?name|given", "Alice"),
        (r"last.?name|surname|family", "Example"),
        (r"^(full.?)?name$|display.?name", "Alice Example"),
        (r"phone|mobile|tel", "5555550100"),
        (r"zip|postal|postcode", "12345"),
        (r"age|year|qty|quantity|amount|count|num|number|price|page|size|limit|^id$|_id$", "1"),
        (r"date|dob|birth", "2024-01-15"),
        (r"url|website|homepage|link", "https://example.com/"),
        (r"city|town", "Springfield"),
        (r"country", "US"),
        (r"address|street", "1 Main Street"),
        (r"comment|message|body|text|content|desc|note|bio|post", "Hello from a friendly test"),
        (r"title|subject|topic", "Hello"),
        (r"^q$|query|search|keyword|term|filter", "test"),
    )
)
_DEFAULT_TEXT = "test"


def plausible_value(field: FormField) -> str:
    """The value a person would type into ``field`` (its own value when the page gives one)."""
    kind = field.type
    if field.value and kind not in ("password", "file"):
        return field.value
    if kind in _BY_TYPE and kind not in ("search",):
        return _numeric(field) if kind in ("number", "range") else _BY_TYPE[kind]
    if kind in ("hidden", "submit", "button", "image", "reset", "file"):
        return field.value
    for pattern, value in _BY_NAME:
        if pattern.search(field.name):
            return value
    return _DEFAULT_TEXT


def _numeric(field: FormField) -> str:
    low = field.attr("min")
    return low if low and re.fullmatch(r"-?\d+(\.\d+)?", low) else "1"


def filled_fields(form: Form) -> list[FormField]:
    """The fields a person submits, each with a plausible value: ticked checkboxes, one radio per
    group, no reset/button controls, file fields kept (their value is a file name, if any)."""
    checked_radios = {f.name for f in form.fields if f.type == "radio" and f.checked}
    chosen: list[FormField] = []
    radios_done: set[str] = set()
    submitted = False
    for field in form.fields:
        if field.type in ("reset", "button", "image"):
            continue
        if field.type == "submit":  # a browser sends only the button that was clicked: the first
            if submitted:
                continue
            submitted = True
        if field.type == "radio":
            if field.name in radios_done or (field.name in checked_radios and not field.checked):
                continue
            radios_done.add(field.name)
        chosen.append(field)
    return [
        FormField(
            name=f.name,
            value=plausible_value(f),
            type=f.type,
            placeholder=f.placeholder,
            checked=True,
            attrs=f.attrs,
        )
        for f in chosen
    ]


__all__ = ["PROBE_PASSWORD", "PROBE_USER", "filled_fields", "plausible_value"]

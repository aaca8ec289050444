"""SNT201 sql-injection: user input changes the syntax of an SQL query.

**What it detects.** A parameter whose value is pasted into SQL: the classic way to read, change or
delete any row of any table behind the app. Three techniques, tried in order at every insertion
point (query, form field, JSON field, OpenAPI path segment, configured header); the first that is
confirmed ends the point.

- *Error-based.* A lone quote (or, for a numeric value, a dangling ``*``) makes the database print an
  error the baseline does not show: ``sqlite3``, ``psycopg``/``psycopg2``, ``asyncpg``, PyMySQL,
  ``MySQLdb``, SQLAlchemy and Django wrappers, and the PostgreSQL, MySQL/MariaDB, SQLite, SQL Server,
  Oracle and JDBC messages themselves. Confirmed when the same input *without* the quote shows no
  error (the control), the *balanced* quote shows no error (``x''k`` in a string, ``x*k/k`` in a
  number), and the unbalanced quote shows it again with a fresh canary.
- *Boolean-based.* True/false twins in string and numeric contexts, ``x' AND 'k' LIKE 'k`` against
  ``x' AND 'k' LIKE 'q`` and ``1 AND 531=531`` against ``1 AND 531=874``, with fresh random operands
  each round: the true twin must answer like the baseline and the false twin clearly not, in every
  round (two at level 1, three at level 3), compared as normalised bodies with reflections masked
  (see ``docs/injection.md``). ``LIKE`` is SQL-only, so an XPath injection cannot pose as SQL.
- *Syntax differential* (blind: a page that answers the same whatever the rows, an ``INSERT``,
  and turns every error into a bare 500): ``x'AND'k'LIKE'k`` (valid SQL, no spaces) against
  ``x'AND'k'LIKE(k'`` (a parenthesis left open, an SQL error). Keywords glued to string literals
  are SQL-only, so an XPath or eval context fails the kept twin, and so does a page that errors on
  any quote.
- *Time-based*, only where the other techniques saw nothing (at level 1 in the value's first
  context only: numeric for a number, else a single-quoted string). Per DBMS: ``SLEEP`` inside a
  derived table (MySQL/MariaDB), ``PG_SLEEP`` in a scalar subquery (PostgreSQL), and a heavy
  query for SQLite (a recursive CTE that counts to N, calibrated to the delay). Delays of 0, d and
  2d, each measured two or three times in an interleaved order; believed only when elapsed time fits
  a straight line of the expected slope, with R² >= 0.9 and no overlap between the groups. Every
  delay is bounded by the request timeout.

**Payloads.** ``x'``, ``x"``, ``1*``, ``x''k``, ``1*7/7``, the ``AND ... LIKE``/``AND n=m`` twins
(with double-quote, parenthesis and comment variants at level 2), and the delay payloads above.
Never ``OR`` (an OR-true payload on a route that updates or deletes touches every row), never a
stacked query, never a data-changing keyword: the safety guard refuses them before sending.

**False-positive guards.** A signature counts only if the baseline's page shows none of its family
(an error text printed as static content convicts nothing). The balancing payload must make it
disappear (an app that errors on any odd input is not injectable). Twins differ in one random operand
only, so an answer that depends on the input's length or characters cannot separate them; a page
that is unstable against itself is not judged. An endpoint that is always slow fails the fit.

**CWE:** CWE-89 (Improper Neutralization of Special Elements used in an SQL Command).

**Example evidence.** ``GET /products?q=apple'`` answered ``500 sqlite3.OperationalError:
unrecognized token: "'"``; ``q=applekqzd`` and ``q=apple''kqzd`` answered 200 without an error;
``q=apple'kqzd`` brought a SQLite error back (``near "kqzd": syntax error``).

**How to fix.** Use bound parameters (``cursor.execute("... WHERE name LIKE ?", (f"%{q}%",))``, or
SQLAlchemy ``text()`` with ``:name`` binds); never build SQL with ``+``, f-strings or ``%``. Show
generic error pages in production.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from scanner.active import confirm
from scanner.active.boolean import Twin, TwinFactory
from scanner.active.canary import distinct_numbers, number, token, tokens
from scanner.active.confirm import ErrorPayloads, ErrorWords
from scanner.active.points import is_numeric
from scanner.active.probe import Attempt, PointProbe
from scanner.active.signatures import SQL_SIGNATURES
from scanner.active.timing import HEAVY_FIT, SLEEP_FIT, SLEEP_SIGNAL, believable_fit, usable_delay
from scanner.checks._registry import CheckKind, check
from scanner.context import ScanContext
from scanner.discovery.endpoints import InsertionPoint
from scanner.findings import Confidence, Finding, Rule, Severity

NAME = "sql-injection"
RULE = Rule(
    id="SNT201",
    name=NAME,
    cwe=89,
    severity=Severity.HIGH,
    summary="Input changes an SQL query: a database error, a true/false difference or a delay follows it.",
)
Build = Callable[[str, str], str]


@dataclass(frozen=True, kw_only=True)
class ErrorContext:
    """How to break, control and balance the syntax of one context (``v`` value, ``c`` canary)."""

    name: str
    prescreen: Callable[[str], str]
    attack: Build
    control: Build
    balance: Build
    numeric: bool = False


ERROR_CONTEXTS = (
    ErrorContext(
        name="numeric",
        prescreen=lambda v: f"{v}*",
        attack=lambda v, k: f"{v}*{k}/",
        control=lambda v, k: f"{v}-0",
        balance=lambda v, k: f"{v}*{k}/{k}",
        numeric=True,
    ),
    ErrorContext(
        name="single-quoted string",
        prescreen=lambda v: f"{v}'",
        attack=lambda v, c: f"{v}'{c}",
        control=lambda v, c: f"{v}{c}",
        balance=lambda v, c: f"{v}''{c}",
    ),
    ErrorContext(
        name="double-quoted string",
        prescreen=lambda v: f'{v}"',
        attack=lambda v, c: f'{v}"{c}',
        control=lambda v, c: f"{v}{c}",
        balance=lambda v, c: f'{v}""{c}',
    ),
)


def boolean_contexts(v: str, extra: bool) -> list[tuple[str, TwinFactory]]:
    """True/false twin factories per context; each call draws fresh operands."""

    def quoted(q: str, close: str = "", open_: str = "") -> TwinFactory:
        def make() -> Twin:
            a, b = tokens(2)
            return Twin(
                true=f"{v}{q}{close} AND {open_}{q}{a}{q} LIKE {q}{a}",
                false=f"{v}{q}{close} AND {open_}{q}{a}{q} LIKE {q}{b}",
            )

        return make

    def numeric(suffix: str = "") -> TwinFactory:
        def make() -> Twin:
            n, m = distinct_numbers(100, 999)
            return Twin(true=f"{v} AND {n}={n}{suffix}", false=f"{v} AND {n}={m}{suffix}")

        return make

    def commented() -> Twin:
        n, m = distinct_numbers(100, 999)
        rest = f"-- {token()}"  # the comment needs a space after "--" (MySQL) and must not end in one
        return Twin(true=f"{v}' AND {n}={n}{rest}", false=f"{v}' AND {n}={m}{rest}")

    def syntax() -> Twin:
        # Blind: valid SQL against the same text with a parenthesis left open (an error); for a page
        # whose answer does not depend on the rows (an INSERT), only the error shows. No spaces: a
        # space sent as "+" turns AND and LIKE into XPath name tests, valid between "+" operators.
        a = token()
        return Twin(true=f"{v}'AND'{a}'LIKE'{a}", false=f"{v}'AND'{a}'LIKE({a}'")

    found: list[tuple[str, TwinFactory]] = []
    if is_numeric(v):
        found.append(("numeric", numeric()))
    found.append(("single-quoted string", quoted("'")))
    found.append(("single-quoted string, syntax differential", syntax))
    if extra:
        found += [
            ("double-quoted string", quoted('"')),
            ("single-quoted string in parentheses", quoted("'", close=")", open_="(")),
            ("single-quoted string, rest commented out", commented),
        ]
        if is_numeric(v):
            found.append(("numeric, rest commented out", numeric(suffix=f"-- {token()}")))
    return found


@check(name=NAME, kind=CheckKind.ACTIVE, rules=[RULE], order=60)
async def run(ctx: ScanContext, point: InsertionPoint) -> list[Finding]:
    if point.parameter.location == "xml":
        return []
    async with PointProbe.open(ctx, point, check=NAME) as probe:
        base = await probe.baseline()
        if base is None:
            return []
        found = await error_based(probe, base) or await boolean_based(probe)
        if found is None and probe.profile.time_based:
            found = await time_based(probe)
        return [found] if found is not None else []


_SQL_WORDS = ErrorWords(
    language="SQL",
    unbalanced="unbalanced input",
    balanced="balanced input: no database error",
    disappears="appears with the unbalanced input and disappears when it is balanced",
)


def _payloads(c: ErrorContext, v: str) -> ErrorPayloads:
    return ErrorPayloads(
        name=c.name,
        unbalanced=c.prescreen(v),
        shared=not c.numeric,
        canary=(lambda: str(number(2, 9))) if c.numeric else token,
        control=lambda k: c.control(v, k),
        balance=lambda k: c.balance(v, k),
        attack=lambda k: c.attack(v, k),
    )


def error_payloads(v: str) -> list[ErrorPayloads]:
    """The error contexts that fit value ``v`` (numeric ones only for numeric values)."""
    return [_payloads(c, v) for c in ERROR_CONTEXTS if not c.numeric or is_numeric(v)]


async def error_based(probe: PointProbe, base: Attempt) -> Finding | None:
    return await confirm.error_based(
        probe, base, RULE, error_payloads(probe.value), SQL_SIGNATURES, _SQL_WORDS
    )


async def boolean_based(probe: PointProbe) -> Finding | None:
    contexts = boolean_contexts(probe.value, probe.profile.extra_contexts)
    return await confirm.boolean_based(probe, RULE, contexts, language="SQL")


# --- time-based (level 2 and 3) -------------------------------------------------------------------

#: ``(head, alias, seconds) -> payload``: ``head`` is the value plus the quote that closes its string.
Sleeper = Callable[[str, str, float], str]
# The payloads below are text sent to the target, never executed here (hence the S608/B608 waivers).
SLEEPERS: tuple[tuple[str, Sleeper], ...] = (
    ("MySQL/MariaDB", lambda head, alias, d: f"{head} AND (SELECT 1 FROM (SELECT SLEEP({d:g})){alias})"),  # noqa: S608  # nosec B608
    ("PostgreSQL", lambda head, alias, d: f"{head} AND 1=(SELECT 1 FROM PG_SLEEP({d:g}))"),  # noqa: S608  # nosec B608
)
#: The heavy query counts to ``rows`` in a recursive CTE (SQLite; PostgreSQL too): bounded memory,
#: time linear in ``rows``. Calibration starts here and grows fourfold up to the maximum.
HEAVY_START, HEAVY_MAX = 1_000_000, 16_000_000
#: A heavy query this much slower than the slowest baseline is a signal worth calibrating on.
HEAVY_SIGNAL_S = 0.25


def _heavy(head: str, alias: str, rows: int) -> str:
    cte = f"WITH RECURSIVE {alias}(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM {alias} WHERE x<{rows})"  # noqa: S608  # nosec B608
    return f"{head} AND {rows}=({cte} SELECT COUNT(*) FROM {alias})"  # noqa: S608  # nosec B608


class _Timer:
    """Sends delay payloads in one context: ``head`` opens it, a fresh tail closes the string."""

    def __init__(self, probe: PointProbe, head: str, quote: str) -> None:
        self.probe = probe
        self.head = head
        self.quote = quote

    async def send(self, build: Callable[[str], str]) -> Attempt | None:
        tail = ""
        if self.quote:
            a = token()
            tail = f" AND {self.quote}{a}{self.quote} LIKE {self.quote}{a}"
        return await self.probe.send(build(self.head) + tail)

    async def sleep(self, sleeper: Sleeper, seconds: float) -> Attempt | None:
        return await self.send(lambda head: sleeper(head, token(), seconds))

    async def heavy(self, rows: int) -> Attempt | None:
        return await self.send(lambda head: _heavy(head, token(), rows))


def _elapsed(attempt: Attempt | None) -> float | None:
    return attempt.exchange.elapsed if attempt is not None else None


async def time_based(probe: PointProbe) -> Finding | None:
    delay = usable_delay(probe.profile.time_delay, probe.ctx.engine.limits.timeout)
    if delay is None:
        probe.ctx.engine.note("time-based SQL injection probes skipped: --timeout leaves no room for a delay")
        return None
    baselines = await probe.baselines(3)
    if not baselines:
        return None
    slowest = max(b.exchange.elapsed for b in baselines)
    v = probe.value
    contexts = [("numeric", _Timer(probe, v, ""))] if is_numeric(v) else []
    contexts.append(("single-quoted string", _Timer(probe, f"{v}'", "'")))
    for context, timer in contexts[: probe.profile.time_contexts]:
        for dbms, sleeper in SLEEPERS:
            found = await _sleep_based(timer, dbms, sleeper, context, delay, slowest)
            if found is not None:
                return found
        found = await _heavy_based(timer, context, delay, slowest)
        if found is not None:
            return found
    return None


async def _sleep_based(
    timer: _Timer, dbms: str, sleeper: Sleeper, context: str, delay: float, slowest: float
) -> Finding | None:
    first = await timer.sleep(sleeper, delay)
    if first is None or first.exchange.elapsed < slowest + SLEEP_SIGNAL * delay:
        return None

    async def send(seconds: float) -> float | None:
        return _elapsed(await timer.sleep(sleeper, seconds))

    fit = await believable_fit(send, delay, timer.probe.profile.time_repeats, SLEEP_FIT)
    if fit is not None:
        return _time_finding(timer.probe, dbms, context, fit.describe(), first)
    timer.probe.near_miss(f"a {dbms} delay ({context}) did not fit a straight line")
    return None


async def _heavy_based(timer: _Timer, context: str, delay: float, slowest: float) -> Finding | None:
    rows, extra, first = HEAVY_START, 0.0, None
    while rows <= HEAVY_MAX:
        first = await timer.heavy(rows)
        if first is None:
            return None
        extra = first.exchange.elapsed - slowest
        if extra >= HEAVY_SIGNAL_S or extra < 0.02:
            break
        rows *= 4
    if first is None or extra < HEAVY_SIGNAL_S:
        return None
    unit = max(1, min(HEAVY_MAX, int(rows / extra * delay)))

    async def send(seconds: float) -> float | None:
        return _elapsed(await timer.heavy(round(unit * seconds / delay)))

    fit = await believable_fit(send, delay, timer.probe.profile.time_repeats, HEAVY_FIT)
    if fit is not None:
        dbms = "SQLite (or PostgreSQL) heavy-query"
        return _time_finding(timer.probe, dbms, context, fit.describe(), first)
    timer.probe.near_miss(f"a heavy-query delay ({context}) did not fit a straight line")
    return None


def _time_finding(probe: PointProbe, dbms: str, context: str, fit: str, first: Attempt) -> Finding:
    return probe.finding(
        RULE,
        confidence=Confidence.CONFIRMED,
        message=(
            f"time-based SQL injection in {probe.where} ({context}): a {dbms} delay of 0, d and 2d "
            f"seconds shows up linearly in the response time ({fit})"
        ),
        evidence=(probe.evidence(f"{dbms} delay payload; {fit}", first),),
    )


__all__ = ["ERROR_CONTEXTS", "RULE", "SLEEPERS", "boolean_contexts", "run"]

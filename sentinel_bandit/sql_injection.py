"""SNT911 sql-injection: request data, or a parameter formatted into the text, reaches SQL (CWE-89).

**What it detects.** The SQL text of

- DB-API cursors and connections: ``execute``, ``executemany``, ``executescript`` (sqlite3,
  psycopg, PyMySQL, aiosqlite, aiopg, SQLAlchemy ``Connection.execute``/``exec_driver_sql``);
- asyncpg: ``fetch``, ``fetchrow``, ``fetchval``;
- SQLAlchemy ``text()``; Django ``Manager.raw()``, ``QuerySet.extra(select=, where=, tables=,
  order_by=)``, ``RawSQL()``, ``cursor.execute``;

when (a) request data reaches it (see :mod:`sentinel_bandit._sources`; through variables,
formatting, concatenation, f-strings, ``join``, containers and same-module helpers), confidence
high; or (b) the text is *built by string formatting* with a parameter of the enclosing function in
a value position (``"... = '%s'" % username`` in ``def login(username, password)``: after a quote,
a comparison, ``LIKE``, ``IN (``, ``VALUES (``, ``LIMIT``), confidence medium: whoever calls it,
possibly from another module, decides what arrives, and the formatting is the flaw. Identifiers
(``CREATE SCHEMA {schema}``: cannot be bound), numeric placeholders (``%d``), attributes of objects
(``conn.dialect.name``) and values quoted with ``.replace("'", "''")`` are not reported under (b). A
constant query, or one whose values are bound separately (``execute("... = ?", (name,))``) is never
reported; ``int()``/``float()``/``uuid.UUID()`` clean a value.

**Why it matters.** SQL injection: the client rewrites the query, reads every table, bypasses the
login (``' OR '1'='1``), changes data, and on some databases runs commands. bandit's B608 reports
SQL-looking string building at medium severity, so it never fails a gate at ``--fail-on high``.

**Example evidence.** ``cursor.execute("SELECT * FROM users WHERE id=" + params["id"])``.

**How to fix.** Bind values as parameters: ``cursor.execute("... WHERE id = ?", (user_id,))``,
``text("... = :id").bindparams(id=user_id)``, Django ``raw("... = %s", [value])``. Identifiers (table
or column names) cannot be bound: pick them from a fixed allow-list.

Severity high.
"""

from __future__ import annotations

from typing import Any

from sentinel_bandit._plugin import Context, plugin
from sentinel_bandit._sinks import Sink, arg, keywords, names, taint_issue
from sentinel_bandit._taint import Kind
from sentinel_bandit.rules import SQL_INJECTION

SINKS = (
    Sink(
        label="execute",
        select=arg(0, "sql"),
        methods=frozenset(
            {
                "execute",
                "executemany",
                "executescript",
                "exec_driver_sql",
                "fetch",
                "fetchrow",
                "fetchval",
                "raw",
            }
        ),
    ),
    Sink(label="text()", select=arg(0, "text"), names=names("sqlalchemy.text", "sqlalchemy.sql.text")),
    Sink(
        label="RawSQL()",
        select=arg(0, "sql"),
        names=names("django.db.models.expressions.RawSQL", "django.db.models.RawSQL"),
    ),
    Sink(
        label="extra()",
        select=keywords("select", "where", "tables", "order_by"),
        methods=frozenset({"extra"}),
    ),
)


@plugin(SQL_INJECTION, "Call")
def sentinel_sql_injection(context: Context) -> Any:
    return taint_issue(
        SQL_INJECTION,
        context,
        SINKS,
        Kind.SQL,
        lambda sink, evidence: f"SQL text passed to {sink.label} from {evidence}: bind values as parameters",
        formatted_parameters=True,
    )

"""Error signatures: the text a database, an XPath engine or an XML parser prints when it fails.

A signature counts only when it is *new*: present in the attack's response and absent from the
baseline's (a page that always shows "You have an error in your SQL syntax", a documentation page
say, proves nothing). Each check then demands more: that the signature disappears with a balancing
payload and comes back with a fresh canary. Texts are searched after HTML entities and JSON string
escapes are undone (an error page that escapes ``"`` must still match).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Signature:
    """One recognisable error text; ``family`` names the engine (``SQLite``, ``lxml``, ...)."""

    family: str
    pattern: re.Pattern[str]

    def search(self, text: str) -> str | None:
        match = self.pattern.search(text)
        return match[0] if match else None


def _sigs(family: str, *patterns: str) -> tuple[Signature, ...]:
    return tuple(Signature(family=family, pattern=re.compile(p)) for p in patterns)


SQL_SIGNATURES: tuple[Signature, ...] = (
    *_sigs(
        "SQLite",
        r"sqlite3\.(?:Operational|Programming|Database|Integrity|Interface)Error",
        r"SQLite3?::(?:SQL|Busy)?Exception",
        r"System\.Data\.SQLite\.SQLiteException|Microsoft\.Data\.Sqlite\.SqliteException",
        r"\bSQLITE_ERROR\b",
        r"unrecognized token: \"[^\"\n]{0,80}\"",
        r"near \"[^\"\n]{0,80}\": syntax error",
    ),
    *_sigs(
        "PostgreSQL",
        r"psycopg2?\.errors\.\w+",
        r"psycopg2?\.(?:Programming|Operational|Data|Internal|Database)Error",
        r"asyncpg\.exceptions\.\w+",
        r"syntax error at or near \"",
        r"unterminated quoted (?:string|identifier) at or near",
        r"invalid input syntax for (?:type )?\w+",
        r"PG::\w+Error|org\.postgresql\.util\.PSQLException|Npgsql\.PostgresException",
        r"\bpg_(?:query|exec)\(\)",
    ),
    *_sigs(
        "MySQL",
        r"You have an error in your SQL syntax",
        r"check the manual that (?:corresponds to|fits) your (?:MySQL|MariaDB)",
        r"pymysql\.err\.\w+",
        r"MySQLdb\._?exceptions\.\w+",
        r"mysql\.connector\.errors\.\w+",
        r"aiomysql\.\w+Error|asyncmy\.errors\.\w+",
        r"com\.mysql\.(?:cj\.)?jdbc\.\w+|MySql\.Data\.MySqlClient\.MySqlException",
        r"Warning: mysqli?_\w+\(\)",
        r"SQLSTATE\[42000\]",
    ),
    *_sigs(
        "SQLAlchemy",
        r"sqlalchemy\.exc\.\w+Error",
        r"sqlalche\.me/e/\d",
    ),
    *_sigs(
        "Django ORM",
        r"django\.db\.utils\.(?:Operational|Programming|Database)Error",
    ),
    *_sigs(
        "Microsoft SQL Server",
        r"Unclosed quotation mark after the character string",
        r"Incorrect syntax near '",
        r"System\.Data\.SqlClient\.SqlException|Microsoft\.Data\.SqlClient\.SqlException",
        r"\[Microsoft\]\[ODBC [^\]]*SQL Server[^\]]*\]",
        r"pyodbc\.(?:Programming|Operational|Data)Error|pymssql\.\w+Error",
    ),
    *_sigs(
        "Oracle",
        r"\bORA-\d{5}\b",
        r"quoted string not properly terminated",
        r"cx_Oracle\.\w+Error|oracledb\.exceptions\.\w+",
    ),
    *_sigs(
        "JDBC",
        r"java\.sql\.SQL\w*Exception",
    ),
)

XPATH_SIGNATURES: tuple[Signature, ...] = (
    *_sigs(
        "lxml/libxml2",
        r"lxml\.etree\.XPath\w*Error",
        r"\bXPath(?:Eval|Syntax)Error\b",
        r"\bInvalid predicate\b",
        r"\bInvalid expression\b",
        r"\bUnfinished literal\b",
        r"xmlXPath(?:Eval|CompOpEval|CompiledEval)\b",
        r"XPath error\s*:",
    ),
    *_sigs("elementpath", r"elementpath\.exceptions\.\w+"),
    *_sigs(
        "Java",
        r"javax\.xml\.xpath\.XPathExpressionException",
        r"(?:com\.sun\.org\.apache|org\.apache)\.xpath\.[\w.]*XPathException",
        r"net\.sf\.saxon\.trans\.XPathException",
        r"\bXPST0003\b",
    ),
    *_sigs(
        ".NET",
        r"System\.Xml\.XPath\.XPathException",
        r"has an invalid token\.",
        r"This is an unclosed string\.",
        r"Expression must evaluate to a node-set",
    ),
    *_sigs("PHP", r"DOMXPath::(?:query|evaluate)\(\)", r"SimpleXMLElement::xpath\(\)"),
)

XXE_ERROR_SIGNATURES: tuple[Signature, ...] = _sigs(
    "XML parser",
    r"failed to load (?:external entity|\"file:)",
    r"I/O error : failed to load",
    r"Failure to process entity",
    r"java\.io\.FileNotFoundException",
    r"No such file or directory",
    r"Could not find (?:a part of the path|file)",
    r"The system cannot find the (?:file|path) specified",
)


def matches(text: str, signatures: Iterable[Signature]) -> dict[str, str]:
    """``{family: matched text}`` for every family with a signature in ``text`` (first match wins)."""
    found: dict[str, str] = {}
    for sig in signatures:
        if sig.family not in found and (hit := sig.search(text)) is not None:
            found[sig.family] = hit
    return found


def new_matches(attack: str, baseline: str, signatures: Iterable[Signature]) -> dict[str, str]:
    """Signatures in ``attack`` from families the ``baseline`` does not show at all.

    Conservative by design: a page that already shows any SQLite error text cannot convict SQLite."""
    sigs = tuple(signatures)
    before = set(matches(baseline, sigs))
    return {family: hit for family, hit in matches(attack, sigs).items() if family not in before}


__all__ = [
    "SQL_SIGNATURES",
    "XPATH_SIGNATURES",
    "XXE_ERROR_SIGNATURES",
    "Signature",
    "matches",
    "new_matches",
]

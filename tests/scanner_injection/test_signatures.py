"""Error signatures against the real thing: each driver's own exception, as a debug page shows it.

SQLite and SQLAlchemy run in-process; PostgreSQL (psycopg) and MariaDB (PyMySQL) are the real
servers on this machine (skipped, or failed under CI, when unreachable); asyncpg only if installed."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
from lxml import etree

from scanner.active.signatures import (
    SQL_SIGNATURES,
    XPATH_SIGNATURES,
    XXE_ERROR_SIGNATURES,
    matches,
    new_matches,
)
from tests.support.services import port_open, unavailable

BROKEN_SQL = "SELECT name FROM t WHERE name = 'apple''"


def debug_page(exc: BaseException) -> str:
    """How a staging debug page shows an exception: module-qualified class and message."""
    return f"<pre>{type(exc).__module__}.{type(exc).__name__}: {exc}</pre>"


def _sqlite_error() -> BaseException:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t(name TEXT)")
    try:
        db.execute(BROKEN_SQL)
    except sqlite3.Error as exc:
        return exc
    raise AssertionError("no error")


def test_sqlite3() -> None:
    exc = _sqlite_error()
    assert "SQLite" in matches(debug_page(exc), SQL_SIGNATURES)
    assert "SQLite" in matches(str(exc), SQL_SIGNATURES)  # the message alone, without the class name


def test_sqlalchemy_wrapping_sqlite() -> None:
    sqlalchemy = pytest.importorskip("sqlalchemy")
    engine = sqlalchemy.create_engine("sqlite://")
    with engine.connect() as connection, pytest.raises(sqlalchemy.exc.DBAPIError) as caught:
        connection.execute(sqlalchemy.text(BROKEN_SQL.replace("FROM t ", "FROM (SELECT 1 AS name) ")))
    found = matches(debug_page(caught.value), SQL_SIGNATURES)
    assert {"SQLAlchemy", "SQLite"} <= set(found)


def test_psycopg_on_postgresql() -> None:
    psycopg = pytest.importorskip("psycopg")
    if not port_open("127.0.0.1", 5432):
        unavailable("PostgreSQL at 127.0.0.1:5432 is unreachable")
    url = "postgresql://postgres@127.0.0.1:5432/test"
    with psycopg.connect(url, connect_timeout=3) as connection, pytest.raises(psycopg.Error) as caught:
        connection.execute("SELECT 'apple''")
    assert "PostgreSQL" in matches(debug_page(caught.value), SQL_SIGNATURES)
    assert "PostgreSQL" in matches(str(caught.value), SQL_SIGNATURES)


def test_pymysql_on_mariadb() -> None:
    pymysql = pytest.importorskip("pymysql")
    if not port_open("127.0.0.1", 3306):
        unavailable("MariaDB at 127.0.0.1:3306 is unreachable")
    connection = pymysql.connect(host="127.0.0.1", port=3306, user="root", database="test", connect_timeout=3)
    try:
        with connection.cursor() as cursor, pytest.raises(pymysql.Error) as caught:
            cursor.execute("SELECT 'apple''")
    finally:
        connection.close()
    assert "MySQL" in matches(debug_page(caught.value), SQL_SIGNATURES)
    assert "MySQL" in matches(str(caught.value), SQL_SIGNATURES)


def test_asyncpg_on_postgresql() -> None:
    asyncpg = pytest.importorskip("asyncpg")
    if not port_open("127.0.0.1", 5432):
        unavailable("PostgreSQL at 127.0.0.1:5432 is unreachable")

    async def broken() -> BaseException:
        connection = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/test", timeout=3)
        try:
            await connection.execute("SELECT 'apple''")
        except asyncpg.PostgresError as exc:
            error: BaseException = exc
            return error
        finally:
            await connection.close()
        raise AssertionError("no error")

    assert "PostgreSQL" in matches(debug_page(asyncio.run(broken())), SQL_SIGNATURES)


def _xpath_errors() -> list[BaseException]:
    doc = etree.fromstring(b"<users><user><name>alice</name></user></users>")
    found: list[BaseException] = []
    for query in ("//user[name/text()='alice'']", "//user[name/text()='alice]", '//user[name/text()="x"'):
        try:
            doc.xpath(query)
        except etree.XPathError as exc:
            found.append(exc)
    return found


def test_lxml_xpath_errors() -> None:
    errors = _xpath_errors()
    assert len(errors) == 3
    for exc in errors:
        assert "lxml/libxml2" in matches(debug_page(exc), XPATH_SIGNATURES)
        assert "lxml/libxml2" in matches(str(exc), XPATH_SIGNATURES)


def test_sql_and_xpath_signatures_do_not_cross() -> None:
    # The two checks must not claim each other's flaws.
    for exc in _xpath_errors():
        assert matches(debug_page(exc), SQL_SIGNATURES) == {}
    assert matches(debug_page(_sqlite_error()), XPATH_SIGNATURES) == {}


def test_a_signature_already_in_the_baseline_convicts_nothing() -> None:
    page = debug_page(_sqlite_error())
    assert new_matches(page, "static help: sqlite3.OperationalError: near 'x'", SQL_SIGNATURES) == {}
    assert set(new_matches(page, "<p>fine</p>", SQL_SIGNATURES)) == {"SQLite"}


def test_xxe_error_signature_from_a_java_style_message() -> None:
    text = "java.io.FileNotFoundException: /sentinel-nonexistent-x (No such file or directory)"
    assert matches(text, XXE_ERROR_SIGNATURES)

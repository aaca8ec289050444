"""The taint engine and the rules built on it, through bandit's own manager: every framework's
sources, propagation, sanitizers, same-module summaries, and each sink family with the safe form
beside the unsafe one (the safe form must stay silent)."""

from __future__ import annotations

import pytest

from tests.gate.conftest import Scan

# (rule, source, lines expected). Each snippet holds the flaw and, where one exists, its safe twin.
CASES: list[tuple[str, str, list[int]]] = [
    # -- sources, one framework at a time (SQL as the sink) -------------------------------------
    (
        "SNT911",
        """
        from fastapi import FastAPI, Depends, Form, Query
        app = FastAPI()
        @app.get("/items/{item_id}")
        async def read(item_id: str, q: str = Query(""), n: int = 0, db=Depends(get_db)):
            db.execute("SELECT * FROM items WHERE id = '%s'" % item_id)
            db.execute(f"SELECT * FROM items WHERE n = {n}")
            db.execute("SELECT * FROM items WHERE db = '%s'" % db.name)
            return db.execute("SELECT * FROM items WHERE q = '" + q + "'")
        @app.post("/items")
        async def create(item: Item, note: str = Form(...)):
            return conn.execute(f"INSERT INTO items VALUES ('{item.name}', '{note}')")
        """,
        [6, 9, 12],
    ),
    (
        "SNT911",
        """
        from flask import Flask, request
        app = Flask(__name__)
        @app.route("/u/<name>/<int:uid>")
        def user(name, uid):
            cur.execute("SELECT 1 WHERE uid = %d" % uid)
            cur.execute("SELECT 1 WHERE name = '%s'" % name)
            data = request.get_json()
            cur.execute("SELECT 1 WHERE a = '{}'".format(data["a"]))
            cur.execute("SELECT 1 WHERE c = '" + request.cookies.get("c") + "'")
            cur.execute("SELECT 1 WHERE b = ?", (request.values["b"],))
        """,
        [7, 9, 10],
    ),
    (
        "SNT911",
        """
        from django.db import connection
        from django.db.models.expressions import RawSQL
        def view(request, slug):
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 WHERE s = '%s'" % slug)
            q = request.GET.get("q")
            people = Person.objects.raw("SELECT * FROM p WHERE n = '%s'" % q)
            extra = Person.objects.extra(where=["name = '%s'" % request.POST["n"]])
            annotated = Person.objects.annotate(v=RawSQL("SELECT %s" % request.META["HTTP_X"], ()))
            safe = Person.objects.raw("SELECT * FROM p WHERE n = %s", [q])
            return people, extra, annotated, safe
        """,
        [6, 8, 9, 10],
    ),
    (
        "SNT911",
        """
        from aiohttp import web
        async def handler(request: web.Request):
            name = request.match_info["name"]
            form = await request.post()
            data = await request.json()
            pool = request.app["pool"]
            await pool.fetch("SELECT 1 WHERE n = '%s'" % name)
            await pool.fetchrow(f"SELECT 1 WHERE f = '{form['f']}'")
            await pool.execute("SELECT 1 WHERE q = '" + request.query["q"] + "'" + data["x"])
            await pool.execute("SELECT 1 WHERE n = $1", name)
        """,
        [8, 9, 10],
    ),
    (
        "SNT911",
        """
        import http.server, urllib.parse
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
                path, _, rest = self.path.partition("?")
                code, params = 200, dict(p.split("=") for p in rest.split("&"))
                self.cursor.execute("SELECT 1 WHERE id = " + query["id"][0])
                self.cursor.execute("SELECT 1 WHERE id = " + params["id"])
                self.cursor.execute("SELECT 1 WHERE code = %d" % code)
        class NotAHandler:
            def run(self):
                self.cursor.execute("SELECT 1 WHERE p = '%s'" % self.path)
        """,
        [8, 9],
    ),
    (
        "SNT911",
        """
        def application(environ, start_response):
            qs = environ["QUERY_STRING"]
            body = environ["wsgi.input"].read()
            cursor.execute("SELECT 1 WHERE q = '%s'" % qs)
            cursor.execute("SELECT 1 WHERE b = '%s'" % body.decode())
        def not_wsgi(environ):
            return environ.get("x")
        """,
        [5, 6],
    ),
    (
        "SNT911",
        """
        import sys, sqlalchemy
        from sqlalchemy import text
        def main():
            cursor.execute("SELECT 1 WHERE a = '%s'" % sys.argv[1])
        def view(request):
            a = text("SELECT * FROM t WHERE a = '%s'" % request.GET["a"])
            b = sqlalchemy.text("SELECT * FROM t WHERE b = :b").bindparams(b=request.GET["b"])
            return a, b
        """,
        [7],
    ),
    (
        "SNT911",
        """
        from django.views import View
        from flask import request
        class Detail(View):
            def get(self, request, *args, **kwargs):
                return cursor.execute("SELECT 1 WHERE pk = '%s'" % self.kwargs["pk"])
        def page(n: int | None = None):
            count = request.args.get("count", type=int)
            return cursor.execute("SELECT 1 LIMIT %d OFFSET %d" % (count, n))
        """,
        [6],
    ),
    # -- propagation and sanitizers -----------------------------------------------------------
    (
        "SNT911",
        """
        def view(request):
            ids = request.GET.getlist("id")
            joined = ",".join(ids)
            cursor.execute("SELECT 1 WHERE id IN (%s)" % joined)
            clean = ",".join(str(int(i)) for i in ids)
            cursor.execute("SELECT 1 WHERE id IN (%s)" % clean)
            for value in ids:
                cursor.execute("SELECT 1 WHERE v = '" + value + "'")
            order = request.GET["order"]
            if order not in ("name", "date"):
                return None
            cursor.execute("SELECT 1 ORDER BY " + order)
            x = request.GET["x"]
            x = int(x)
            cursor.execute("SELECT 1 WHERE x = %d" % x)
            parts = {"a": request.GET["a"]}
            return cursor.execute(f"SELECT 1 WHERE a = '{parts['a']}'")
        """,
        [5, 9, 18],
    ),
    (
        "SNT911",
        """
        def where(column, value):
            return "%s = '%s'" % (column, value)
        def quoted(value):
            return len(value)
        def view(request):
            cursor.execute("SELECT 1 WHERE " + where("name", request.GET["n"]))
            cursor.execute("SELECT 1 WHERE n = %d" % quoted(request.GET["n"]))
        """,
        [7],
    ),
    # -- a parameter formatted into SQL: reported at medium confidence; a constant never ----------
    (
        "SNT911",
        """
        import sqlite3
        USERS = [("admin", "x")]
        def login(username, password):
            c = sqlite3.connect("db").cursor()
            return c.execute("SELECT 1 WHERE u = '{}' AND p = '{}'".format(username, password))
        def seed():
            c = sqlite3.connect("db").cursor()
            for u, p in USERS:
                c.execute("INSERT INTO users VALUES ('%s', '%s')" % (u, p))
            c.execute("CREATE TABLE users (u text)")
        def run(sql):
            return sqlite3.connect("db").execute(sql)
        """,
        [6],
    ),
    (
        "SNT911",
        """
        import js
        def provision(conn, schema, level, table, row, value):
            conn.execute(f"CREATE SCHEMA {schema}")
            conn.execute("SET TRANSACTION ISOLATION LEVEL %s" % level)
            conn.execute("SELECT * FROM %s WHERE id = %d" % (table, row))
            conn.execute("SELECT 1 WHERE db = '%s'" % conn.dialect.name)
            conn.execute("SELECT 1 WHERE v = '%s'" % value.replace("'", "''"))
            js.fetch(f"SELECT '{value}'")
            return conn.execute("SELECT 1 WHERE a = %s AND b = '%s'" % (table, value))
        """,
        [10],
    ),
    (
        "SNT913",
        """
        from pip._vendor.requests.adapters import BaseAdapter
        class LocalFSAdapter(BaseAdapter):
            def send(self, request, stream=None):
                return open(request.url)
        """,
        [],
    ),
    # -- the other sink families ----------------------------------------------------------------
    (
        "SNT912",
        """
        import os, shlex, subprocess
        from flask import request
        def ping():
            host = request.args["host"]
            os.system("ping -c1 " + host)
            subprocess.run("nslookup " + host, shell=True)
            subprocess.run(["nslookup", host])
            subprocess.run([host, "-v"])
            subprocess.check_output(request.args.getlist("argv"))
            subprocess.run("nslookup " + shlex.quote(host), shell=True)
            os.popen(f"dig {host}")
            subprocess.run("ls", shell=True)
        """,
        [6, 7, 9, 10, 12],
    ),
    (
        "SNT913",
        """
        import os
        from pathlib import Path
        from flask import request, send_file, send_from_directory
        from werkzeug.utils import secure_filename
        from starlette.responses import FileResponse
        def download():
            name = request.args["name"]
            a = open(os.path.join("/srv/files", name)).read()
            b = send_file("uploads/" + name)
            c = send_from_directory("uploads", name)
            d = open(os.path.join("/srv/files", secure_filename(name))).read()
            e = Path("/srv", name).read_text()
            f = open(os.path.join("/srv/files", os.path.basename(name)))
            return FileResponse(name), a, b, c, d, e, f
        """,
        [9, 10, 13, 15],
    ),
    (
        "SNT914",
        """
        import httpx, requests, urllib.request
        def fetch(request):
            url = request.GET["url"]
            a = requests.get(url, timeout=5)
            b = httpx.post(url)
            c = urllib.request.urlopen(url)
            d = requests.get("https://api.example.com/users/" + url, timeout=5)
            e = requests.get(f"https://api.example.com/{url}", timeout=5)
            f = requests.get("%s/x" % url, timeout=5)
            return a, b, c, d, e, f
        """,
        [5, 6, 7, 10],
    ),
    (
        "SNT915",
        """
        from flask import redirect, request, url_for
        from starlette.responses import RedirectResponse
        from django.http import HttpResponseRedirect
        def go():
            a = redirect(request.args["next"])
            b = redirect("/profile/" + request.args["user"])
            c = redirect(url_for("page", name=request.args["n"]))
            return a, b, c
        async def star(request):
            return RedirectResponse(request.query_params["to"])
        def dj(request):
            return HttpResponseRedirect(request.GET.get("next", "/"))
        """,
        [6, 11, 13],
    ),
    (
        "SNT916",
        """
        import html
        from lxml import etree
        def find(request):
            name = request.GET["name"]
            tree = etree.parse("users.xml")
            a = tree.xpath("//user[name/text()='%s']" % name)
            b = tree.xpath("//user[name/text()=$name]", name=name)
            c = etree.XPath("//user[@id='" + name + "']")
            d = tree.xpath("//user[name/text()='%s']" % html.escape(name))
            return a, b, c, d
        """,
        [7, 9],
    ),
    (
        "SNT917",
        """
        import pickle, yaml, marshal, base64
        def load(request):
            blob = base64.b64decode(request.COOKIES["state"])
            a = pickle.loads(blob)
            b = yaml.load(request.body, Loader=yaml.Loader)
            c = yaml.load(request.body, Loader=yaml.SafeLoader)
            d = yaml.safe_load(request.body)
            e = marshal.loads(request.body)
            f = pickle.loads(open("cache.pkl", "rb").read())
            return a, b, c, d, e, f
        """,
        [5, 6, 9],
    ),
    (
        "SNT908",
        """
        from flask import request, render_template_string
        from markupsafe import escape
        def hello():
            name = request.args["name"]
            a = render_template_string("<p>Hello " + name + "</p>")
            b = render_template_string("<p>Hello {{ name }}</p>", name=name)
            c = render_template_string("<p>Hello %s</p>" % escape(name))
            return a, b, c
        """,
        [6, 8],
    ),
    (
        "SNT918",
        """
        from flask import Flask, request, make_response
        from markupsafe import Markup, escape
        app = Flask(__name__)
        @app.get("/hello")
        def hello():
            name = request.args.get("name", "")
            if name == "json":
                return {"name": name}
            if name == "safe":
                return "<h1>Hello %s</h1>" % escape(name)
            if name == "markup":
                return make_response(Markup("<b>" + name + "</b>"))
            return "<h1>Hello %s</h1>" % name
        def helper(name):
            return "<h1>Hello %s</h1>" % name
        """,
        [13, 14],
    ),
    (
        "SNT918",
        """
        from starlette.responses import HTMLResponse
        from fastapi import FastAPI
        app = FastAPI()
        @app.get("/search")
        async def search(q: str):
            return f"<p>{q}</p>"
        async def page(request):
            return HTMLResponse(f"<p>Results for {request.query_params['q']}</p>")
        """,
        [9],
    ),
    (
        "SNT909",
        """
        import urllib.request
        def include(request):
            program = urllib.request.urlopen(request.GET["include"]).read()
            exec(program)
            exec(open("plugin.py").read())
        """,
        [5],
    ),
]


@pytest.mark.parametrize(("rule_id", "source", "lines"), CASES)
def test_reports_the_flaw_and_not_its_safe_twin(
    scan: Scan, rule_id: str, source: str, lines: list[int]
) -> None:
    hits = scan(rule_id, source)
    assert [h.line for h in hits] == lines, hits
    assert {h.test_id for h in hits} <= {rule_id}


def test_request_data_in_sql_fails_the_gate_by_default(scan: Scan) -> None:
    """High severity and high confidence: fails at ``--fail-on high`` whatever the confidence floor."""
    hits = scan(
        "SNT911",
        """
        def view(request):
            return cursor.execute("SELECT 1 WHERE id=" + request.GET["id"])
        """,
    )
    assert [(h.severity, h.confidence, h.cwe) for h in hits] == [("HIGH", "HIGH", 89)]


def test_a_sink_in_a_helper_is_certain_when_a_caller_passes_request_data(scan: Scan) -> None:
    hits = scan(
        "SNT912",
        """
        import os
        def run(command):
            os.system(command)
        def relay(value):
            run("echo " + value)
        def view(request):
            relay(request.GET["v"])
        def admin():
            run("uptime")
        """,
    )
    assert [(h.line, h.confidence) for h in hits] == [(4, "HIGH")]
    assert "view() line 8" in hits[0].text


def test_xml_the_source_holds_itself_is_not_reported(scan: Scan) -> None:
    source = """
    import io
    import xml.etree.ElementTree as ET
    from lxml import etree
    USERS = "<users><user>admin</user></users>"
    users = ET.fromstring(USERS)
    more = etree.parse(io.BytesIO(USERS.encode()))
    inline = ET.fromstring("<a/>")
    def load(path, text):
        return ET.parse(path), ET.fromstring(text)
    """
    assert [h.line for h in scan("SNT906", source)] == [10, 10]


def test_a_name_that_merely_shadows_a_sink_is_not_one(scan: Scan) -> None:
    source = """
    from mylib import open, system
    def view(request):
        return open(request.GET["f"]), system(request.GET["c"])
    """
    assert scan("SNT913", source) == [] and scan("SNT912", source) == []

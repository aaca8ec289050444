"""Every Sentinel bandit plugin on positive and negative examples, run through bandit's own manager
(so the entry-point registration, the node types and ``# nosec`` handling are the real ones)."""

from __future__ import annotations

import pytest

from sentinel_bandit.rules import RULES_BY_ID
from tests.gate.conftest import Scan

# (rule, source, lines expected to be reported). Line 1 is the first line of the dedented source.
POSITIVE: list[tuple[str, str, list[int]]] = [
    # SNT901 cookie SessionMiddleware, however it is wired.
    (
        "SNT901",
        """
        from starlette.middleware import Middleware
        from starlette.middleware.sessions import SessionMiddleware
        middleware = [Middleware(SessionMiddleware, secret_key=KEY)]
        """,
        [4],
    ),
    (
        "SNT901",
        """
        import starlette.middleware.sessions as s
        app.add_middleware(s.SessionMiddleware, secret_key=KEY)
        wrapped = s.SessionMiddleware(app, secret_key=KEY)
        """,
        [3, 4],
    ),
    # SNT902 login without rotation: reported once, at the first session write.
    (
        "SNT902",
        """
        async def login(request):
            form = await request.form()
            user = await check(form)
            request.session["user"] = user.id
            request.session["role"] = user.role
            return redirect("/")
        """,
        [5],
    ),
    (
        "SNT902",
        """
        def handle_sign_in(request):
            session = request.session
            session.update({"user": 1})
        """,
        [4],
    ),
    (
        "SNT902",
        """
        from flask import session

        @app.post("/auth/login")
        def authenticate_user():
            session["user_id"] = current()
        """,
        [6],
    ),
    # aiohttp-session, a handler registered on the router under a login path
    (
        "SNT902",
        """
        from aiohttp import web
        from aiohttp_session import get_session
        async def authenticate(request):
            form = await request.post()
            session = await get_session(request)
            session["user"] = form["user"]
        app = web.Application()
        app.router.add_route("POST", "/login", authenticate)
        """,
        [7],
    ),
    # a credential check named login() is not rotation, wherever it comes from
    (
        "SNT902",
        """
        from myapp.auth import login
        def check(user, password):
            return user == password
        async def sign_in(request):
            if await login(request.user, request.password):
                request.session["user"] = 1
        def do_login(request):
            if check(request.user, request.password):
                request.session["user"] = 1
        """,
        [7, 10],
    ),
    # Starlette and Django request.session; Django's login imported under another module
    (
        "SNT902",
        """
        from django.urls import path
        def authenticate(request):
            request.session["uid"] = request.user.id
        urlpatterns = [path("accounts/login/", authenticate)]
        """,
        [4],
    ),
    # SNT903 session IDs from the query string.
    (
        "SNT903",
        """
        async def home(request):
            sid = request.query_params["sid"]
            other = request.query_params.get("JSESSIONID")
            return sid, other
        """,
        [3, 4],
    ),
    (
        "SNT903",
        """
        def home(request):
            return request.query_params.get("ref") or request.cookies.get("SESSIONID")
        """,
        [3],
    ),
    (
        "SNT903",
        """
        from flask import request
        def view():
            return request.args.get("session_id")
        """,
        [4],
    ),
    # SNT904 fast hashes of passwords.
    (
        "SNT904",
        """
        import hashlib
        def store(password, salt):
            return hashlib.sha256(salt + password.encode()).hexdigest()
        """,
        [4],
    ),
    (
        "SNT904",
        """
        from hashlib import md5, new
        def store(form):
            a = md5(form["password"].encode(), usedforsecurity=False)
            b = new("sha1", str(form.get("new_pwd")).encode())
            return a, b
        """,
        [4, 5],
    ),
    (
        "SNT904",
        """
        import hashlib
        def store(user):
            h = hashlib.sha1()
            h.update(user.passwd)
            return h.hexdigest()
        """,
        [5],
    ),
    # SNT905 weak argon2.
    (
        "SNT905",
        """
        from argon2 import PasswordHasher
        weak = PasswordHasher(time_cost=1, memory_cost=8192)
        positional = PasswordHasher(2, 16384)
        """,
        [3, 4],
    ),
    (
        "SNT905",
        """
        import argon2
        from argon2 import low_level, profiles
        raw = low_level.hash_secret_raw(b"s", b"saltsaltsaltsalt", time_cost=1, memory_cost=1024,
                                        parallelism=1, hash_len=32, type=low_level.Type.ID)
        cheap = argon2.PasswordHasher.from_parameters(profiles.CHEAPEST)
        """,
        [4, 6],
    ),
    (
        "SNT905",
        """
        from sentinel.passwords import Argon2Profile, PasswordHasher, INSECURE_TEST_ONLY
        FAST = Argon2Profile(name="fast", time_cost=1, memory_cost=4096, parallelism=1)
        hasher = PasswordHasher(profile=INSECURE_TEST_ONLY, allow_weak=True)
        lenient = PasswordHasher(profile=FAST, allow_weak=True)
        """,
        [3, 4, 5],
    ),
    # SNT906 XML.
    (
        "SNT906",
        """
        import xml.etree.ElementTree as ET
        from xml.dom import minidom
        async def upload(request):
            tree = ET.fromstring(await request.body())
            doc = minidom.parseString(open("x.xml").read())
            return tree, doc
        """,
        [5, 6],
    ),
    (
        "SNT906",
        """
        from lxml import etree
        import xml.sax
        parser = etree.XMLParser(resolve_entities=True)
        root = etree.fromstring(data)
        sax = xml.sax.make_parser()
        sax.setFeature(xml.sax.handler.feature_external_ges, True)
        """,
        [4, 5, 6, 7],
    ),
    # SNT907 format strings from the request.
    (
        "SNT907",
        """
        async def greet(request, user):
            template = request.query_params["greeting"]
            direct = request.query_params["t"].format(user=user)
            return template.format(user=user), direct, str.format(template, user)
        """,
        [4, 5, 5],
    ),
    # SNT908 templates from the request.
    (
        "SNT908",
        """
        import jinja2
        from jinja2 import Environment
        async def preview(request: Request):
            form = await request.form()
            source = form["body"]
            a = Environment().from_string(source).render()
            b = jinja2.Template(request.query_params["t"]).render()
            return a, b
        """,
        [7, 8],
    ),
    # SNT909 eval of request data.
    (
        "SNT909",
        """
        async def calc(request):
            data = await request.json()
            expr = data["expr"]
            exec(compile(request.query_params["code"], "<q>", "exec"))
            return eval(expr)
        """,
        [5, 5, 6],
    ),
    # SNT910 hard-coded keys.
    (
        "SNT910",
        """
        import os
        SECRET_KEY = "s3cr3t"
        app.config["SECRET_KEY"] = b"raw"
        app.add_middleware(SessionMiddleware, secret_key="change-me")
        keys = dict(secret_keys=["k1", "k2"])
        fallback = os.environ.get("SESSION_SECRET", "dev-only")
        def make(secret_key="dev"):
            return {"JWT_SECRET": Secret("abc")}
        """,
        [3, 4, 5, 6, 7, 8, 9],
    ),
    # SNT910 by sink: whatever the variable is called
    (
        "SNT910",
        """
        import hmac, jwt
        from cryptography.fernet import Fernet
        from itsdangerous import URLSafeTimedSerializer
        key = "JHtM1wEt1I1J9N_Evjwqr3yYauXIqSxYzFnRhcf0ZG0="
        fernet = Fernet(key)
        secret = "MYSUPERSECRETKEY"
        raw = secret.encode()
        def token(payload):
            return jwt.encode(payload, raw, algorithm="HS256")
        signer = URLSafeTimedSerializer("literal")
        mac = hmac.new(b"k3y", b"msg", "sha256")
        app.secret_key = "flask-key"
        app.config.update(SECRET_KEY="flask-key-2")
        """,
        [5, 7, 11, 12, 13, 14],
    ),
]

NEGATIVE: list[tuple[str, str]] = [
    ("SNT901", "from sentinel import SessionMiddleware\nMiddleware(SessionMiddleware, store=s)\n"),
    ("SNT901", "import starlette.middleware.sessions\n"),  # imported, never used
    # rotation present; not a login handler; a login *form* handler; the write outside a function
    (
        "SNT902",
        """
        import sentinel
        async def login(request):
            await sentinel.login(request, user_id)
            request.session["user"] = user_id
        async def cart(request):
            request.session["cart"] = 1
        async def login_form(request):
            request.session["csrf"] = token()
        def signin(request):
            request.session.cycle_key()
            request.session["user"] = 1
        request.session["x"] = 1
        """,
    ),
    ("SNT902", "def logout(request):\n    request.session['user'] = None\n"),
    (
        "SNT902",
        """
        from aiohttp_session import new_session
        from django.contrib import auth
        from flask import session
        import sentinel
        async def authenticate(request):
            session = await new_session(request)
            session["user"] = 1
        def django_login(request):
            auth.login(request, request.user)
            request.session["x"] = 1
        def flask_login():
            session.clear()
            session["user"] = 1
        async def start(request, uid):
            await sentinel.rotate_session(request)
        async def login(request):
            await start(request, 1)
            request.session["user"] = 1
        def signin(request):
            request.session.flush()
            request.session["user"] = 1
        """,
    ),
    (
        "SNT903",
        """
        def view(request, params):
            page = request.query_params.get("page")
            sid = request.cookies.get("sid")
            other = params.get("sid")
            either = request.query_params.get("q") or "default"
            return page, sid, other, either
        """,
    ),
    (
        "SNT904",
        """
        import hashlib, bcrypt
        def f(password, data, password_hash):
            a = hashlib.sha256(data).hexdigest()
            b = hashlib.sha256(password_hash.encode()).hexdigest()
            c = hashlib.sha256(bcrypt.hashpw(password, salt)).hexdigest()
            d = bcrypt.hashpw(hashlib.sha256(password).digest(), salt)
            e = hashlib.pbkdf2_hmac("sha256", password, salt, 600_000)
            return a, b, c, d, e
        def prehash(password):
            return hashlib.sha256(password).digest()
        def legacy(password):
            return hashlib.md5(password).digest()  # nosec SNT904 - verifies imported legacy hashes
        """,
    ),
    (
        "SNT905",
        """
        from argon2 import PasswordHasher
        from sentinel.passwords import Argon2Profile
        import sentinel
        a = PasswordHasher()
        b = PasswordHasher(time_cost=2, memory_cost=19456)
        c = PasswordHasher(time_cost=cost, memory_cost=1)
        d = Argon2Profile(name="insecure-test-only", time_cost=1, memory_cost=8, parallelism=1)
        e = Argon2Profile(name="owasp", time_cost=2, memory_cost=19456, parallelism=1)
        f = sentinel.PasswordHasher(allow_weak=False)
        """,
    ),
    (
        "SNT906",
        """
        import defusedxml.ElementTree as DET
        import sentinel.xml
        from lxml import etree
        import xml.etree.ElementTree as ET
        a = DET.fromstring(data)
        b = sentinel.xml.fromstring(data)
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        c = etree.fromstring(data, parser=parser)
        element = ET.Element("root")
        text = ET.tostring(element)
        """,
    ),
    (
        "SNT907",
        """
        async def greet(request, template):
            name = request.query_params["name"]
            count = int(request.query_params["n"])
            return "Hello {}".format(name), f"{name}", template.format(n=count), "{n}".format(n=count)
        def other(value):
            return value.format(1)
        """,
    ),
    (
        "SNT908",
        """
        from jinja2 import Environment
        env = Environment()
        async def page(request):
            name = request.query_params["name"]
            return env.get_template("page.html").render(name=name), env.from_string(FIXED).render(n=name)
        """,
    ),
    (
        "SNT909",
        """
        import ast
        async def calc(request, config):
            value = ast.literal_eval(request.query_params["v"])
            return eval(config.expression), value
        def eval_(text):
            return eval(text)
        """,
    ),
    (
        "SNT910",
        """
        import os
        SECRET_KEY = os.environ["SECRET_KEY"]
        secret_key = ""
        keys = keys_from_env("SENTINEL_SECRET_KEYS")
        app.add_middleware(SessionMiddleware, secret_key=load_key())
        password_field = "password"
        fallback = os.environ.get("SECRET_KEY")
        def make(secret_key=None):
            return {"SECRET_KEY": os.environ["KEY"]}
        """,
    ),
    (
        "SNT910",
        """
        import hmac, jwt, os
        from cryptography.fernet import Fernet
        key = os.environ["FERNET_KEY"]
        fernet = Fernet(key)
        label = "not a key"
        digest = hmac.new(os.urandom(32), label.encode(), "sha256")
        def check(token, public_key):
            return jwt.decode(token, public_key, algorithms=["RS256"])
        """,
    ),
]


@pytest.mark.parametrize(("rule_id", "source", "lines"), POSITIVE)
def test_positive(scan: Scan, rule_id: str, source: str, lines: list[int]) -> None:
    hits = scan(rule_id, source)
    assert [h.line for h in hits] == lines, hits
    rule = RULES_BY_ID[rule_id]
    assert {h.test_id for h in hits} == {rule_id}
    assert {h.cwe for h in hits} == {rule.cwe}
    assert all(h.text for h in hits)


@pytest.mark.parametrize(("rule_id", "source"), NEGATIVE)
def test_negative(scan: Scan, rule_id: str, source: str) -> None:
    assert scan(rule_id, source) == []


def test_severity_and_confidence_follow_the_evidence(scan: Scan) -> None:
    xml_hits = scan(
        "SNT906",
        """
        import xml.etree.ElementTree as ET
        async def upload(request):
            return ET.fromstring(await request.body()), ET.parse("fixed.xml")
        """,
    )
    assert [(h.severity, h.confidence) for h in xml_hits] == [("HIGH", "HIGH"), ("MEDIUM", "HIGH")]
    sql_hits = scan(
        "SNT911",
        """
        async def search(request, db):
            term = request.query_params["q"]
            return await db.execute(f"SELECT * FROM t WHERE name = '{term}'")
        def by_name(cursor, name):
            return cursor.execute("SELECT * FROM t WHERE name = '%s'" % name)
        """,
    )
    # request data in the query: certain; a parameter formatted in: the callers decide, still high
    assert [(h.line, h.severity, h.confidence) for h in sql_hits] == [
        (4, "HIGH", "HIGH"),
        (6, "HIGH", "MEDIUM"),
    ]
    weak = scan("SNT905", "import sentinel\nh = sentinel.PasswordHasher(allow_weak=True)\n")
    assert [(h.severity, h.confidence) for h in weak] == [("MEDIUM", "HIGH")]


def test_nosec_with_the_rule_id_silences_only_that_rule(scan: Scan) -> None:
    source = """
    import hashlib
    def legacy(password):
        a = hashlib.md5(password).digest()  # nosec SNT904
        b = hashlib.md5(password).digest()  # nosec B324
        return a, b
    """
    assert [h.line for h in scan("SNT904", source)] == [5]

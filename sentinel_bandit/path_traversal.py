"""SNT913 path-traversal: request data chooses a file that is opened, sent or removed (CWE-22).

**What it detects.** Request data (see :mod:`sentinel_bandit._sources`) in the path given to
``open`` (the built-in, ``io.open``, ``codecs.open``), ``os.open``, ``os.remove``/``unlink``,
``shutil`` copies and removals, ``pathlib`` reads and writes on a tainted path
(``Path(name).read_text()``), Flask/Quart ``send_file``, Starlette/FastAPI and aiohttp
``FileResponse``, Django ``FileResponse(open(...))`` (through ``open``). Prefixing a directory does not
help (``"uploads/" + name`` with ``../../etc/passwd``); ``os.path.basename``, werkzeug's
``secure_filename`` and ``safe_join`` do. ``send_from_directory`` is safe (it joins safely) and not
reported.

**Why it matters.** Path traversal: ``../../etc/passwd`` or an absolute path reads (or overwrites,
or deletes) any file the server can: keys, configuration, source code.

**Example evidence.** ``open(os.path.abspath(params["path"]), "rb")``.

**How to fix.** Never build paths from the request; map an identifier to a file you chose, or keep
only the base name (``secure_filename``) inside a fixed directory and use ``send_from_directory``/
``safe_join``.

Severity high.
"""

from __future__ import annotations

from typing import Any

from sentinel_bandit._plugin import Context, plugin
from sentinel_bandit._sinks import Sink, arg, names, receiver, taint_issue
from sentinel_bandit._taint import Kind
from sentinel_bandit.rules import PATH_TRAVERSAL

SINKS = (
    Sink(label="open()", select=arg(0, "file"), names=names("open", "io.open", "codecs.open", "os.open")),
    Sink(
        label="a file operation",
        select=arg(0, "path"),
        names=names(
            "os.remove",
            "os.unlink",
            "os.rmdir",
            "shutil.rmtree",
            "shutil.copy",
            "shutil.copyfile",
            "shutil.move",
            "os.rename",
            "os.replace",
        ),
    ),
    Sink(
        label="a file response",
        select=arg(0, "path"),
        names=names(
            "flask.send_file",
            "quart.send_file",
            "starlette.responses.FileResponse",
            "fastapi.responses.FileResponse",
            "aiohttp.web.FileResponse",
            "bottle.static_file",
        ),
    ),
    Sink(
        label="a pathlib read or write",
        select=receiver,
        methods=frozenset({"read_text", "read_bytes", "write_text", "write_bytes", "unlink"}),
    ),
)


@plugin(PATH_TRAVERSAL, "Call")
def sentinel_path_traversal(context: Context) -> Any:
    return taint_issue(
        PATH_TRAVERSAL,
        context,
        SINKS,
        Kind.PATH,
        lambda sink, evidence: (
            f"{evidence} chooses the path of {sink.label} (../ reaches any file): map "
            "an identifier to a file you chose, or use secure_filename + send_from_directory"
        ),
    )

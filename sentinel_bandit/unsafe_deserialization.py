"""SNT917 deserialization-of-request-data: pickle, marshal or unsafe YAML on request data (CWE-502).

**What it detects.** Request data (see :mod:`sentinel_bandit._sources`) given to
``pickle``/``cPickle``/``_pickle``/``dill``/``cloudpickle`` ``loads``/``load``/``Unpickler``,
``marshal.loads``/``load``, ``jsonpickle.decode``, ``shelve.open``, ``pandas.read_pickle``,
``torch.load``, ``yaml.unsafe_load``/``full_load`` and ``yaml.load`` without a safe loader
(``Loader=yaml.SafeLoader``/``CSafeLoader``).

bandit's B301/B506 report every such call at medium severity; this rule reports the ones that
deserialize what the client sent, at high severity.

**Why it matters.** Unpickling runs code chosen by whoever wrote the bytes
(``cos\\nsystem\\n(S'id'\\ntR.``); YAML's full loaders build arbitrary Python objects.

**Example evidence.** ``pickle.loads(params["object"].encode())``.

**How to fix.** Exchange data as JSON (``json.loads``) or ``yaml.safe_load``; if you must restore
objects, sign them (HMAC) with a server key and verify before loading.

Severity high.
"""

from __future__ import annotations

import ast
from typing import Any

from sentinel_bandit._ast import argument, qualname
from sentinel_bandit._plugin import Context, plugin
from sentinel_bandit._sinks import Sink, arg, names, taint_issue
from sentinel_bandit._taint import Kind
from sentinel_bandit.rules import UNSAFE_DESERIALIZATION

_PICKLES = ("pickle", "cPickle", "_pickle", "dill", "cloudpickle")
SAFE_YAML_LOADERS = frozenset({"SafeLoader", "CSafeLoader", "BaseLoader"})


def _unsafe_yaml(call: ast.Call) -> bool:
    loader = argument(call, 1, "Loader")
    if loader is None:
        return True  # PyYAML < 6 defaults to FullLoader; 6 raises, so this is old or broken code
    return (qualname(loader, {}) or "").split(".")[-1] not in SAFE_YAML_LOADERS


SINKS = (
    Sink(
        label="deserialization",
        select=arg(0, "data"),
        names=names(
            *(f"{m}.{f}" for m in _PICKLES for f in ("loads", "load", "Unpickler")),
            "marshal.loads",
            "marshal.load",
            "jsonpickle.decode",
            "shelve.open",
            "pandas.read_pickle",
            "torch.load",
            "yaml.unsafe_load",
            "yaml.full_load",
            "yaml.unsafe_load_all",
            "yaml.full_load_all",
        ),
    ),
    Sink(
        label="yaml.load",
        select=arg(0, "stream"),
        names=names("yaml.load", "yaml.load_all"),
        when=_unsafe_yaml,
    ),
)


@plugin(UNSAFE_DESERIALIZATION, "Call")
def sentinel_deserialization_of_request_data(context: Context) -> Any:
    return taint_issue(
        UNSAFE_DESERIALIZATION,
        context,
        SINKS,
        Kind.CODE,
        lambda sink, evidence: (
            f"{evidence} reaches {sink.label}: unpickling runs the sender's code; use json or yaml.safe_load"
        ),
    )

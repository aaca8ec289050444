"""Read an OpenAPI 3 document into endpoints (paths, methods, parameters and example values).

Only what the scan needs: local ``$ref`` resolution (bounded depth), parameters in query and path,
and ``application/json`` or form request bodies with their top-level properties (an XML-only request
body becomes one ``xml`` parameter holding the whole example document). Example values come
from ``example``, ``default`` or ``enum[0]``, else a benign placeholder of the schema's type. A path's
``servers`` entry is used only when it stays within the scan's scope (the engine enforces that too).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urljoin

from scanner.discovery.endpoints import XML_BODY, Endpoint, Parameter
from scanner.errors import ScanConfigError

_METHODS = ("get", "post", "put", "patch", "delete")
_PLACEHOLDER = {"integer": "1", "number": "1", "boolean": "true", "string": "test"}
_MAX_REF_DEPTH = 8
_XML_MEDIA = ("application/xml", "text/xml")


def parse_openapi(text: str, base_url: str) -> list[Endpoint]:
    """Endpoints from an OpenAPI 3 document; raises ScanConfigError for anything else."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScanConfigError([f"the OpenAPI document is not JSON ({exc.msg})"]) from exc
    if not isinstance(doc, dict) or not str(doc.get("openapi", "")).startswith("3."):
        raise ScanConfigError(["the OpenAPI document is not OpenAPI 3 (no 'openapi: 3.x' field)"])
    root = _server_root(doc, base_url)
    endpoints = []
    paths = doc.get("paths")
    for path, item in paths.items() if isinstance(paths, dict) else []:
        if not isinstance(item, dict):
            continue
        shared = item.get("parameters", [])
        for method in _METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                params = _parameters(doc, [*shared, *operation.get("parameters", [])])
                params += _body(doc, operation.get("requestBody"))
                url = urljoin(root, str(path).lstrip("/"))
                endpoints.append(
                    Endpoint(method=method.upper(), url=url, parameters=tuple(params), source="openapi")
                )
    return endpoints


def _server_root(doc: dict[str, Any], base_url: str) -> str:
    servers = doc.get("servers")
    url = (
        servers[0].get("url", "/")
        if isinstance(servers, list) and servers and isinstance(servers[0], dict)
        else "/"
    )
    root = urljoin(base_url, str(url))
    return root if root.endswith("/") else root + "/"


def _resolve(doc: dict[str, Any], node: Any, depth: int = 0) -> Any:
    while isinstance(node, dict) and "$ref" in node and depth < _MAX_REF_DEPTH:
        ref = str(node["$ref"])
        if not ref.startswith("#/"):
            return {}
        target: Any = doc
        for part in ref[2:].split("/"):
            target = (
                target.get(part.replace("~1", "/").replace("~0", "~"), {}) if isinstance(target, dict) else {}
            )
        node, depth = target, depth + 1
    return node


def example_value(doc: dict[str, Any], schema: Any, explicit: Any = None) -> str:
    schema = _resolve(doc, schema)
    for candidate in (explicit, *(schema.get(k) for k in ("example", "default") if isinstance(schema, dict))):
        if candidate is not None:
            return json.dumps(candidate) if isinstance(candidate, dict | list) else str(candidate)
    if isinstance(schema, dict):
        enum = schema.get("enum")
        if isinstance(enum, list) and enum:
            return str(enum[0])
        return _PLACEHOLDER.get(str(schema.get("type", "string")), "test")
    return "test"


def _parameters(doc: dict[str, Any], raw: list[Any]) -> list[Parameter]:
    params = []
    for node in raw:
        p = _resolve(doc, node)
        if isinstance(p, dict) and p.get("in") in ("query", "path") and p.get("name"):
            value = example_value(doc, p.get("schema", {}), p.get("example"))
            params.append(Parameter(name=str(p["name"]), location=p["in"], value=value, kind="openapi"))
    return params


def _body(doc: dict[str, Any], node: Any) -> list[Parameter]:
    body = _resolve(doc, node)
    content = body.get("content", {}) if isinstance(body, dict) else {}
    for media, location in (("application/json", "json"), ("application/x-www-form-urlencoded", "form")):
        if isinstance(content, dict) and media in content:
            schema = _resolve(doc, (content[media] or {}).get("schema", {}))
            props = schema.get("properties", {}) if isinstance(schema, dict) else {}
            return [
                Parameter(name=str(name), location=location, value=example_value(doc, sub), kind="openapi")  # type: ignore[arg-type]
                for name, sub in (props.items() if isinstance(props, dict) else [])
            ]
    for media in _XML_MEDIA:
        if isinstance(content, dict) and media in content:
            media_node = content[media] if isinstance(content[media], dict) else {}
            schema = _resolve(doc, media_node.get("schema", {}))
            example = media_node.get("example") or (
                schema.get("example") if isinstance(schema, dict) else None
            )
            value = str(example) if example else "<root>test</root>"
            return [Parameter(name=XML_BODY, location="xml", value=value, kind="openapi")]
    return []


__all__ = ["example_value", "parse_openapi"]

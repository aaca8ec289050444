"""Discovery: crawl HTML links and forms, read OpenAPI 3, or load an endpoints file."""

from scanner.discovery.crawler import Crawler, Discovery, Reauth
from scanner.discovery.endpoints import (
    Endpoint,
    InsertionPoint,
    Parameter,
    endpoint_from_form,
    endpoint_from_url,
    load_endpoints_file,
)
from scanner.discovery.fill import PROBE_USER, filled_fields, plausible_value
from scanner.discovery.filters import is_dangerous, is_logout, is_static
from scanner.discovery.html import Form, FormField, parse_html
from scanner.discovery.openapi import parse_openapi

__all__ = [
    "PROBE_USER",
    "Crawler",
    "Discovery",
    "Endpoint",
    "Form",
    "FormField",
    "InsertionPoint",
    "Parameter",
    "Reauth",
    "endpoint_from_form",
    "endpoint_from_url",
    "filled_fields",
    "is_dangerous",
    "is_logout",
    "is_static",
    "load_endpoints_file",
    "parse_html",
    "parse_openapi",
    "plausible_value",
]

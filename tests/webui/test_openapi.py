"""The OpenAPI document describes exactly the app's /api routes, with their methods."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

pytestmark = pytest.mark.model

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def api_routes(app: Flask) -> dict[str, set[str]]:
    """``{"/api/studies/{key}": {"get"}, ...}`` from the app's URL map."""
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            methods = {m.lower() for m in (rule.methods or set()) - IGNORED_METHODS}
            routes.setdefault(path, set()).update(methods)
    return routes


def test_every_api_route_is_documented_with_its_methods(app: Flask, client: FlaskClient) -> None:
    document = client.get("/api/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    documented = {path: set(ops) for path, ops in document["paths"].items()}
    assert documented == api_routes(app)


def test_every_operation_documents_its_responses(client: FlaskClient) -> None:
    document = client.get("/api/openapi.json").get_json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert "200" in operation["responses"], f"{method} {path}"
            for code, response in operation["responses"].items():
                if code != "200":
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}, f"{method} {path}"
    params = {p["name"] for p in document["paths"]["/api/search"]["get"]["parameters"]}
    assert {"q", "k", "offset", "year_from", "year_to", "design", "population"} <= params

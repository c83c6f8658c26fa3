"""Property-based test of the JSON API against its own OpenAPI document (schemathesis):
generated requests to every operation of `/api/openapi.json` (a bounded number each) get
no 5xx and no response that breaks the document (status, media type, body schema)."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from evidence import Library
from tests.webui.conftest import DATA, TINY, make_app
from webui.openapi import document

pytestmark = pytest.mark.model

EXAMPLES = 30  # per operation and mode; bounded so the suite stays quick (1,000 found nothing)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def schema_app(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> Flask:
    """An app over a private library that generated imports may change."""
    index_dir = tmp_path_factory.mktemp("schema-index")
    library = Library.build([TINY, DATA / "webui.bib"], index_dir=index_dir, embedder=embedder)
    return make_app(library)


# Every operation the document describes (test_openapi.py checks it matches the routes),
# with valid requests, and with invalid ones where its inputs have constraints to break.
OPERATIONS = [
    (method.upper(), path) for path, methods in document()["paths"].items() for method in methods
]
UNCONSTRAINED = {
    ("GET", "/api/studies/{key}"),
    ("GET", "/api/health"),
    ("GET", "/api/openapi.json"),
    ("GET", "/api/projects"),
    ("GET", "/api/projects/{project_id}"),
}
CASES = [(m, p, GenerationMode.POSITIVE) for m, p in OPERATIONS] + [
    (m, p, GenerationMode.NEGATIVE) for m, p in OPERATIONS if (m, p) not in UNCONSTRAINED
]


@pytest.fixture(scope="module")
def api_schema(schema_app: Flask) -> Any:
    return schemathesis.openapi.from_wsgi("/api/openapi.json", schema_app)


# schemathesis' own pytest loader (`from_fixture`) reads a node attribute pytest 9 removed,
# so each operation's strategy is driven by hypothesis directly.
@pytest.mark.parametrize(
    ("method", "path", "mode"),
    CASES,
    ids=[f"{m} {p} {'valid' if g == GenerationMode.POSITIVE else 'invalid'}" for m, p, g in CASES],
)
def test_the_api_keeps_to_its_document(
    api_schema: Any, method: str, path: str, mode: GenerationMode
) -> None:
    operation = api_schema[path][method]

    @settings(
        max_examples=EXAMPLES,
        deadline=None,  # speed belongs to benchmarks/
        suppress_health_check=list(HealthCheck),
        database=None,
        derandomize=True,
    )
    @given(operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        case.call_and_validate(checks=CHECKS)

    run()

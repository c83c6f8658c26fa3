"""About the service: `GET /api/health` and the OpenAPI document `GET /api/openapi.json`."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from evidence import __version__

from .errors import envelope
from .openapi import document
from .search import BATCHER
from .state import get_library

bp = Blueprint("meta", __name__)


@bp.get("/api/health")
def health() -> ResponseReturnValue:
    """Ready once the library is open: its size and model, for monitors and tests."""
    library = get_library()
    model = library.manifest.get("model", {})
    batcher = current_app.extensions[BATCHER]
    return jsonify(
        envelope(
            status="ready",
            version=__version__,
            studies=len(library.studies),
            passages=len(library.passages),
            model=model.get("name", library.embedder.model_name),
            storage="postgresql" if library.shared else "embedded",
            searches=batcher.searches,
            search_batches=batcher.batches,
        )
    )


@bp.get("/api/openapi.json")
def openapi() -> ResponseReturnValue:
    """The OpenAPI 3 description of every `/api` route (a test checks it against the app)."""
    return jsonify(document())

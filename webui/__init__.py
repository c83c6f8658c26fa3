"""The web UI and JSON API: a thin Flask layer over `evidence.Library`.

    from webui import create_app
    app = create_app()                      # opens (or builds) the library on first request
    app = create_app(library=my_library)    # or hand it an open Library (tests do)

Views call `Library` methods only; search, citation and export logic live in `evidence`.
Serve it with `evidence serve` (waitress), never Flask's development server.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from flask import Flask, abort, current_app, request

from evidence import Library, Settings

from . import (
    audit,
    basket,
    errors,
    exporting,
    hardening,
    imports,
    meta,
    projects,
    proposal,
    search,
    studies,
)
from .present import author_line, citation_of, segments, source_parts
from .security import token_required
from .state import EXTENSION

# Uploads above this are refused with 413 before they are read (the import page says so).
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def create_app(
    test_config: Mapping[str, Any] | None = None, library: Library | None = None
) -> Flask:
    """Return the configured Flask app.

    `test_config` overrides the configuration (keys as in `app.config`: ``INDEX_DIR``,
    ``CORPUS``, ``SECRET_KEY``, ``MAX_CONTENT_LENGTH``, ``TOKEN`` (imports then need it;
    see `webui.security`), ...). With `library`, that open Library is used; otherwise one
    is opened (or built) on first use, once per process.
    """
    app = Flask(__name__)
    app.config.from_mapping(
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
        INDEX_DIR=None,  # None: evidence.Settings decides (EVIDENCE_INDEX, then index/)
        CORPUS=None,  # None: evidence.Settings decides (EVIDENCE_CORPUS, then corpus/)
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        JSON_MAX_ITEMS=200,  # most ids one basket, talking-point or export request may name
        TOKEN=None,  # None: imports need no token (`evidence serve` sets EVIDENCE_TOKEN's)
    )
    if test_config is not None:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key()
    hardening.install(app)
    if library is not None:
        app.extensions[EXTENSION] = library
    for module in (search, studies, basket, exporting, proposal, projects, imports, audit, meta):
        app.register_blueprint(module.bp)
    errors.register(app)
    app.jinja_env.globals.update(
        segments=segments,
        author_line=author_line,
        token_required=token_required,
        source_parts=source_parts,
        citation_of=citation_of,
    )
    app.context_processor(_page_globals)
    app.before_request(_same_origin)
    return app


# The navigation, in order; a page whose blueprint is absent is left out.
NAV = (
    ("search.page", "Search"),
    ("basket.page", "Basket"),
    ("proposal.page", "Proposal"),
    ("projects.page", "Projects"),
    ("imports.page", "Import"),
    ("audit.page", "Citation audit"),
)


def _page_globals() -> dict[str, Any]:
    return {
        "basket_items": basket.items(),
        "nav_links": [(e, label) for e, label in NAV if e in current_app.view_functions],
    }


def _same_origin() -> None:
    """Refuse a state-changing request sent by another site's page (a CSRF guard).

    Browsers send Origin with every cross-site POST; requests without it (curl, scripts)
    are not from a browser page and pass.
    """
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    origin = request.headers.get("Origin")
    if origin and origin.rstrip("/") != request.host_url.rstrip("/"):
        abort(403, description=f"this form was sent from {origin}, not from this site.")


def _secret_key() -> str:
    """The key that signs the basket cookie: EVIDENCE_SECRET_KEY, else a random one.

    A random key lasts as long as the process: the basket survives reloads, and a
    server restart empties it. Set EVIDENCE_SECRET_KEY to keep baskets across restarts
    (a key kept in a file would sit in the working tree, where it could be committed).
    """
    return Settings.resolve().secret_key or secrets.token_hex(32)


__all__ = ["MAX_UPLOAD_BYTES", "create_app"]

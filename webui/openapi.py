"""The OpenAPI 3.1 document of the JSON API. `tests/webui/test_openapi.py` checks that every
`/api` route of the app is described here with the same methods, and nothing else is."""

from __future__ import annotations

from typing import Any

from evidence import DESIGNS, POPULATIONS, PROPOSAL_POPULATIONS, __version__

from .citing import export_formats, styles
from .security import HEADER


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _ok(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    body = {"allOf": [_ref("Ok"), schema]} if schema else _ref("Ok")
    return {"description": description, "content": {"application/json": {"schema": body}}}


def _errors(*codes: int) -> dict[str, Any]:
    reasons = {
        400: "Bad parameter",
        401: "The server's access token is needed (imports, new projects, when it has one)",
        403: "The project's link or token is needed (with edit rights, to change it)",
        404: "Unknown key or id",
        409: "Someone else changed that part of the project since the given version",
        413: "Too large",
        415: "Wrong media type",
        503: "Library not ready",
    }
    return {
        str(code): {
            "description": reasons[code],
            "content": {"application/json": {"schema": _ref("Error")}},
        }
        for code in codes
    }


def _param(
    name: str,
    schema: dict[str, Any],
    description: str,
    where: str = "query",
    required: bool = False,
) -> dict[str, Any]:
    return {
        "name": name,
        "in": where,
        "required": required,
        "schema": schema,
        "description": description,
    }


def _json_body(properties: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "required": True,
        "description": description,
        "content": {"application/json": {"schema": {"type": "object", "properties": properties}}},
    }


def _obj(**properties: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties}


STRINGS = {"type": "array", "items": {"type": "string"}}
TOKEN_HELP = "The server's access token, if it has one (or Authorization: Bearer TOKEN)."
ANY_OBJECT: dict[str, Any] = {"type": "object"}


def _search_params() -> list[dict[str, Any]]:
    return [
        _param("q", {"type": "string"}, "A claim or question.", required=True),
        _param("k", {"type": "integer", "minimum": 1, "maximum": 50, "default": 10}, "Page size."),
        _param("offset", {"type": "integer", "minimum": 0, "default": 0}, "Results to skip."),
        _param("page", {"type": "integer", "minimum": 1}, "Page number (instead of offset)."),
        _param("year_from", {"type": "integer"}, "Only studies from this year on."),
        _param("year_to", {"type": "integer"}, "Only studies up to this year."),
        _param("design", {"type": "array", "items": {"enum": list(DESIGNS)}}, "Study design(s)."),
        _param(
            "population", {"type": "array", "items": {"enum": list(POPULATIONS)}}, "Population(s)."
        ),
        _param("entry_type", STRINGS, "Entry type(s): article, book, chapter, report, ..."),
        _param("has_doi", {"type": "boolean"}, "Only studies with (true) or without a DOI."),
    ]


EVIDENCE = _obj(
    query={"type": "string"},
    studies={"type": "integer", "description": "Studies with a finding that answers the claim."},
    answered={"type": "boolean"},
    summary={"type": "string"},
    lines={"type": "array", "items": _obj(text={"type": "string"}, passage_ids=STRINGS)},
    supporting={"type": "string", "description": "Passage id of the strongest finding for."},
    contrary={"type": "string", "description": "Passage id of the strongest finding against."},
    nearest={**STRINGS, "description": "Closest study keys when none answers."},
    answers={"type": "array", "items": STRINGS},
    scores={
        "type": "array",
        "items": {"type": "number"},
        "description": "Each answer's similarity to the claim.",
    },  # fmt: skip
)


def _evidence() -> dict[str, Any]:
    return {
        "get": {
            "summary": "The evidence on a claim: studies that answer it, by design and finding",
            "parameters": _search_params(),
            "responses": {
                "200": _ok("The evidence profile", _obj(evidence=EVIDENCE)),
                **_errors(400, 503),
            },
        }
    }


def _search() -> dict[str, Any]:
    params = [
        *_search_params(),
        _param(
            "evidence",
            {"type": "boolean", "default": False},
            "Also return the evidence on the claim (`evidence`); costs a second, deeper search.",
        ),
    ]
    result = _obj(
        query={"type": "string"},
        total={"type": "integer"},
        offset={"type": "integer"},
        k={"type": "integer"},
        next_offset={"type": ["integer", "null"]},
        notes=STRINGS,
        hits={"type": "array", "items": _ref("Hit")},
        evidence=EVIDENCE,
    )
    return {
        "get": {
            "summary": "Search the library",
            "parameters": params,
            "responses": {"200": _ok("A page of hits", result), **_errors(400, 503)},
        }
    }


def _paths() -> dict[str, Any]:
    from .openapi_projects import projects_paths

    style = {"enum": list(styles())}
    fmt = {"enum": list(export_formats())}
    key = _param("key", {"type": "string"}, "A study's BibTeX key.", where="path", required=True)
    items = {"passage_ids": STRINGS, "keys": STRINGS}
    return {
        "/api/search": _search(),
        "/api/evidence": _evidence(),
        "/api/studies/{key}": {
            "get": {
                "summary": "One study: metadata, passages, references, BibTeX, related studies",
                "parameters": [key],
                "responses": {
                    "200": _ok(
                        "The study",
                        _obj(
                            study=_ref("Study"),
                            passages=ANY_OBJECT,
                            references=ANY_OBJECT,
                            bibtex={"type": "string"},
                            related=ANY_OBJECT,
                        ),
                    ),
                    **_errors(404),
                },
            }
        },
        "/api/basket": {
            "get": {
                "summary": "The session's basket with its talking points and references",
                "parameters": [_param("style", style, "Citation style.")],
                "responses": {"200": _ok("The basket"), **_errors(400)},
            },
            "post": {
                "summary": "Change the session's basket",
                "requestBody": _json_body(
                    {"add": STRINGS, "remove": STRINGS, "clear": {"type": "boolean"}},
                    "Passage ids (KEY#pN) or study keys.",
                ),
                "responses": {"200": _ok("The basket's items"), **_errors(400, 404, 413, 415)},
            },
        },
        "/api/talking-points": {
            "post": {
                "summary": "Talking points from passage ids or from a query",
                "requestBody": _json_body(
                    {
                        "passage_ids": STRINGS,
                        "query": {"type": "string"},
                        "k": {"type": "integer"},
                        "filters": ANY_OBJECT,
                        "style": style,
                    },
                    "passage_ids or query.",
                ),
                "responses": {
                    "200": _ok("Talking points and references"),
                    **_errors(400, 404, 413, 415),
                },
            }
        },
        "/api/export": {
            "post": {
                "summary": "Export talking points (passage ids) and studies (keys) as a file",
                "requestBody": _json_body(
                    {
                        **items,
                        "template": {"type": "string"},
                        "format": fmt,
                        "style": style,
                        "title": {"type": "string"},
                    },
                    "passage_ids and/or keys, or template (a proposal draft).",
                ),
                "responses": {
                    "200": {
                        "description": "The file, as an attachment",
                        "content": {"application/octet-stream": {}},
                    },
                    **_errors(400, 404, 413, 415),
                },
            }
        },
        "/api/import": {
            "post": {
                "summary": "Import a BibTeX, RIS or CSL-JSON file into the library (incremental)",
                "parameters": [
                    _param(HEADER, {"type": "string"}, TOKEN_HELP, where="header"),
                    _param(
                        "filename", {"type": "string"}, "The name shown in problems (raw body)."
                    ),
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": _obj(file={"type": "string", "format": "binary"})
                        },
                        "application/x-bibtex": {"schema": {"type": "string"}},
                        "application/x-research-info-systems": {"schema": {"type": "string"}},
                        "application/vnd.citationstyles.csl+json": {"schema": {"type": "string"}},
                    },
                },
                "responses": {
                    "200": _ok(
                        "What was imported and every problem, by line", _ref("ImportReport")
                    ),
                    **_errors(400, 401, 413, 415, 503),
                },
            }
        },
        "/api/audit": {
            "post": {
                "summary": "Audit a draft's citations against its reference list and the library",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": _obj(text={"type": "string"})},
                        "multipart/form-data": {
                            "schema": _obj(file={"type": "string", "format": "binary"})
                        },
                        "text/plain": {"schema": {"type": "string"}},
                    },
                },
                "responses": {
                    "200": _ok(
                        "Every finding with offsets and a 1-based line", _obj(report=ANY_OBJECT)
                    ),
                    **_errors(400, 413, 415),
                },
            }
        },
        "/api/proposal": {
            "get": {
                "summary": "Bundled proposal templates; with template=NAME, the draft",
                "parameters": [
                    _param("template", {"type": "string"}, "A name from `templates`."),
                    _param(
                        "population",
                        {"enum": ["", *PROPOSAL_POPULATIONS]},
                        "Write it for one group: fire, police, ems, dispatch, corrections, all.",
                    ),
                    _param("title", {"type": "string"}, "Title (default: the template's)."),
                    _param("organisation", {"type": "string"}, "Organisation."),
                    _param("style", style, "Citation style."),
                ],
                "responses": {
                    "200": _ok(
                        "Templates and the draft",
                        _obj(
                            templates={
                                "type": "array",
                                "items": _obj(
                                    name={"type": "string"},
                                    title={"type": "string"},
                                    sections=STRINGS,
                                ),
                            },
                            populations=STRINGS,
                        ),
                    ),
                    **_errors(400),
                },
            }
        },
        **projects_paths(style),
        "/api/health": {
            "get": {
                "summary": "Liveness and library size",
                "responses": {"200": _ok("Ready"), **_errors(503)},
            }
        },
        "/api/openapi.json": {
            "get": {
                "summary": "This document",
                "responses": {"200": {"description": "OpenAPI 3.1"}},
            }
        },
    }


def _schemas() -> dict[str, Any]:
    return {
        "Ok": {"type": "object", "required": ["ok"], "properties": {"ok": {"const": True}}},
        "Error": {
            "type": "object",
            "required": ["ok", "error", "status"],
            "properties": {
                "ok": {"const": False},
                "error": {"type": "string"},
                "status": {"type": "integer"},
            },
        },
        "Study": {
            "type": "object",
            "description": "Every field of evidence.Study",
            "properties": {
                "key": {"type": "string"},
                "title": {"type": "string"},
                "year": {"type": ["integer", "null"]},
                "doi": {"type": "string"},
                "design": {"type": "string"},
                "population": {"type": "string"},
            },
        },
        "Hit": _obj(
            rank={"type": "integer"},
            score={"type": "number"},
            ranks=ANY_OBJECT,
            study=_ref("Study"),
            passages={"type": "array", "items": ANY_OBJECT},
        ),
        "ImportReport": _obj(
            summary={"type": "string"},
            checked={"type": "boolean"},
            files=STRINGS,
            studies={"type": "integer"},
            new=STRINGS,
            updated=STRINGS,
            unchanged=STRINGS,
            imported={"type": "array", "items": ANY_OBJECT},
            problems={
                "type": "array",
                "items": _obj(
                    file={"type": "string"},
                    line={"type": ["integer", "null"]},
                    kind={"type": "string"},
                    key={"type": "string"},
                    severity={"enum": ["info", "warning", "error"]},
                    message={"type": "string"},
                    hint={"type": "string"},
                ),
            },
        ),
    }


def document(extra_paths: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return the OpenAPI document (with `extra_paths` from optional pages merged in)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "evidence JSON API",
            "version": __version__,
            "description": 'Every response is {"ok": true, ...} or {"ok": false, '
            '"error": "...", "status": N}, except file downloads.',
        },
        "paths": {**_paths(), **(extra_paths or {})},
        "components": {"schemas": _schemas()},
    }

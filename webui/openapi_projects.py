"""The OpenAPI description of `/api/projects` (merged into `webui.openapi.document`)."""

from __future__ import annotations

from typing import Any

from .openapi import ANY_OBJECT, STRINGS, TOKEN_HELP, _errors, _json_body, _obj, _ok, _param
from .security import HEADER

PROJECT_TOKEN = _param(
    "X-Project-Token", {"type": "string"}, "The project's token (or a browser's session).",
    where="header",
)  # fmt: skip
PROJECT_ID = _param("project_id", {"type": "string"}, "A project's id.", where="path",
                    required=True)  # fmt: skip
PROJECT = _obj(
    project=_obj(
        id={"type": "string"}, name={"type": "string"}, style={"type": "string"},
        notes={"type": "string"}, proposal=ANY_OBJECT, version={"type": "integer"},
        items={"type": "array", "items": _obj(item={"type": "string"}, note={"type": "string"},
                                              added_by={"type": "string"})},
    ),
    rights={"enum": ["read", "edit"]},
    talking_points={"type": "array", "items": ANY_OBJECT},
    references={"type": "array", "items": ANY_OBJECT},
    history={"type": "array", "items": ANY_OBJECT},
)  # fmt: skip


def projects_paths(style: dict[str, Any]) -> dict[str, Any]:
    by = {"type": "string", "description": "Who makes the change (recorded with it)."}
    return {
        "/api/projects": {
            "get": {
                "summary": "The projects this browser session opened",
                "responses": {
                    "200": _ok("Projects", _obj(projects={"type": "array", "items": ANY_OBJECT})),
                    **_errors(503),
                },
            },
            "post": {
                "summary": "Create a project (the server's token, if it has one); returns an "
                "edit token and link, shown once",
                "parameters": [_param(HEADER, {"type": "string"}, TOKEN_HELP, where="header")],
                "requestBody": _json_body(
                    {"name": {"type": "string"}, "by": by, "items": STRINGS, "style": style,
                     "from_basket": {"type": "boolean"}},
                    "name and by; items are passage ids (KEY#pN) or study keys.",
                ),
                "responses": {
                    "200": _ok("The project, its edit token and link",
                               _obj(token={"type": "string"}, link={"type": "string"})),
                    **_errors(400, 401, 404, 413, 415, 503),
                },
            },
        },
        "/api/projects/{project_id}": {
            "get": {
                "summary": "A project: items as talking points and references, notes, history",
                "parameters": [PROJECT_ID, PROJECT_TOKEN],
                "responses": {"200": _ok("The project", PROJECT), **_errors(400, 403, 503)},
            },
            "post": {
                "summary": "Change a project (edit rights): items one by one (last writer "
                "wins), or name, notes, style, proposal (with version: 409 on a conflict)",
                "parameters": [PROJECT_ID, PROJECT_TOKEN],
                "requestBody": _json_body(
                    {"by": by, "add": STRINGS, "remove": STRINGS, "item_notes": ANY_OBJECT,
                     "name": {"type": "string"}, "notes": {"type": "string"}, "style": style,
                     "proposal": ANY_OBJECT, "version": {"type": "integer"}},
                    "by, and what to change.",
                ),
                "responses": {
                    "200": _ok("The changed project", PROJECT),
                    **_errors(400, 403, 404, 409, 413, 415, 503),
                },
            },
        },
        "/api/projects/{project_id}/share": {
            "post": {
                "summary": "A new share token and link with read or edit rights",
                "parameters": [PROJECT_ID, PROJECT_TOKEN],
                "requestBody": _json_body({"by": by, "rights": {"enum": ["read", "edit"]}},
                                          "by and rights."),  # fmt: skip
                "responses": {
                    "200": _ok("The token and link (shown once)",
                               _obj(token={"type": "string"}, link={"type": "string"})),
                    **_errors(400, 403, 415, 503),
                },
            }
        },
    }  # fmt: skip

"""Projects: a named collection on the server that a committee works on together: chosen
findings and studies (with a note each), notes, a proposal draft's choices and a citation
style. Shared by link (``/p/TOKEN``) or token (header ``X-Project-Token``) with read or
edit rights; every change records when and by whom (the name the user gives).

A browser keeps the tokens of the projects it opened in its session, so the links work
without JavaScript. Creating a project needs the server's access token when it has one
(as imports do); working in one needs the project's link. The cookie basket stays "My
basket", and can be saved as a project or added to one.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from evidence import Library, Project, ProjectAccess, ProjectAccessError, QueryError, to_json

from . import basket
from .citing import FORMAT_LABELS, chosen_style, export_formats, styles
from .errors import envelope
from .params import json_object, string_list
from .proposal import POPULATION_LABELS, ProposalRequest, chosen_template, from_json
from .security import check_token
from .state import get_library

bp = Blueprint("projects", __name__)

HEADER = "X-Project-Token"
SESSION_KEY = "projects"  # {project id: token} of the projects this browser opened
BY_KEY = "by"  # the name this browser signs its changes with
MAX_REMEMBERED = 20
MAX_LIST = 200


def remembered() -> dict[str, str]:
    value = session.get(SESSION_KEY)
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items() if isinstance(v, str)}


def remember(project_id: str, token: str) -> None:
    """Keep `token` in this browser's session (the newest first, at most 20)."""
    kept = {project_id: token, **{k: v for k, v in remembered().items() if k != project_id}}
    session[SESSION_KEY] = dict(list(kept.items())[:MAX_REMEMBERED])


def opened(library: Library, project_id: str, edit: bool = False) -> tuple[Project, ProjectAccess]:
    """The project, through the request's token (header) or this browser's. Raises
    ProjectAccessError (403) without one that opens it (with edit rights, for `edit`)."""
    token = request.headers.get(HEADER, "") or remembered().get(project_id, "")
    if not token:
        raise ProjectAccessError(
            f"this project needs its link or token (send it in the {HEADER} header); ask "
            "whoever shared the project for it."
        )
    project, access = library.projects.open(token, edit=edit)
    if project.id != project_id:
        raise ProjectAccessError("that token opens another project; check the address.")
    return project, access


def who(value: Any) -> str:
    """The name a change is recorded under (remembered for this browser's next change)."""
    name = value if isinstance(value, str) and value.strip() else session.get(BY_KEY, "")
    if isinstance(name, str) and name.strip():
        session[BY_KEY] = name.strip()[:100]
    return str(name or "")


def project_json(library: Library, project: Project, access: ProjectAccess) -> dict[str, Any]:
    data = basket.contents(library, project.item_ids, project.style)
    return {
        "project": to_json_project(project),
        "rights": access.rights,
        "talking_points": [basket.point_json(p) for p in data["points"]],
        "references": [to_json(r) for r in data["refs"].values()],
        "notes": data["notes"],
        "history": [
            {"version": c.version, "field": c.field, "summary": c.summary,
             "by": c.changed_by, "at": c.changed_at}
            for c in library.projects.history(project.id, 50)
        ],
    }  # fmt: skip


def to_json_project(project: Project) -> dict[str, Any]:
    return {
        "id": project.id, "name": project.name, "style": project.style, "notes": project.notes,
        "proposal": project.proposal, "version": project.version,
        "created_by": project.created_by, "created_at": project.created_at,
        "updated_by": project.updated_by, "updated_at": project.updated_at,
        "items": [{"item": i.item, "note": i.note, "added_by": i.added_by,
                   "added_at": i.added_at} for i in project.items],
    }  # fmt: skip


def share_link(token: str) -> str:
    return url_for("projects.open_link", token=token, _external=True)


def create(library: Library, fields: Any, items: list[str]) -> tuple[Project, str]:
    check_token()  # creating changes what the server holds, as an import does
    project, token = library.projects.create(
        _text(fields.get("name")), by=who(fields.get("by")), items=items,
        style=chosen_style(library, fields.get("style") or None),
    )  # fmt: skip
    remember(project.id, token)
    return project, token


def _text(value: Any) -> str:
    if value is not None and not isinstance(value, str):
        raise QueryError("names and notes must be text.")
    return value or ""


# ---- pages ---------------------------------------------------------------------------------


@bp.get("/projects")
def page() -> ResponseReturnValue:
    library = get_library()
    mine = []
    for token in remembered().values():
        try:
            mine.append(library.projects.open(token))
        except ProjectAccessError:
            continue  # deleted meanwhile
    return render_template("projects.html", mine=mine, by=session.get(BY_KEY, ""))


@bp.post("/projects")
def create_page() -> ResponseReturnValue:
    library = get_library()
    items = basket.items() if request.form.get("from_basket") else []
    project, _ = create(library, request.form, items)
    flash(f"Project “{project.name}” created. Share it from its page.")
    return redirect(url_for("projects.project_page", project_id=project.id), code=303)


@bp.post("/projects/open")
def open_page() -> ResponseReturnValue:
    """The "open a shared link" form: a pasted link or token."""
    value = _text(request.form.get("link")).strip().rstrip("/")
    return _open(value.rsplit("/", 1)[-1])


@bp.get("/p/<token>")
def open_link(token: str) -> ResponseReturnValue:
    """A share link: remember its token in this browser, then show the project."""
    return _open(token)


def _open(token: str) -> ResponseReturnValue:
    access = get_library().projects.access(token)
    remember(access.project_id, token)
    return redirect(url_for("projects.project_page", project_id=access.project_id), code=303)


@bp.get("/projects/<project_id>")
def project_page(project_id: str) -> ResponseReturnValue:
    library = get_library()
    project, access = opened(library, project_id)
    data = basket.contents(library, project.item_ids, project.style)
    try:
        req = from_json(project.proposal) if project.proposal else ProposalRequest()
    except QueryError:  # a template since removed: the choices are shown empty
        req = ProposalRequest()
    return render_template(
        "project.html", project=project, access=access, req=req, by=session.get(BY_KEY, ""),
        styles=styles(), populations=POPULATION_LABELS, templates=_templates(),
        history=library.projects.history(project.id, 30), basket_count=len(basket.items()),
        formats=[(f, FORMAT_LABELS.get(f, f)) for f in export_formats()], **data,
    )  # fmt: skip


@bp.post("/projects/<project_id>")
def change_page(project_id: str) -> ResponseReturnValue:
    """The project page's forms: add the basket, remove an item, save, share."""
    library = get_library()
    project, _ = opened(library, project_id, edit=True)
    form, by = request.form, who(request.form.get("by"))
    action = form.get("action", "")
    if action == "add-basket":
        library.projects.change_items(project.id, by, add=basket.items())
    elif action == "remove":
        library.projects.change_items(project.id, by, remove=[_text(form.get("item"))])
    elif action == "save":
        since = _version(form.get("version"))
        proposal = _proposal_choices(form) if form.get("template") is not None else None
        library.projects.update(
            project.id, by, since=since, name=form.get("name"), notes=form.get("notes"),
            style=form.get("style"), proposal=proposal,
        )  # fmt: skip
    elif action in ("share-read", "share-edit"):
        token = library.projects.share(project.id, action.removeprefix("share-"), by)
        flash(f"New {action.removeprefix('share-')} link (shown once): {share_link(token)}")
    else:
        raise QueryError("action must be add-basket, remove, save, share-read or share-edit.")
    return redirect(url_for("projects.project_page", project_id=project.id), code=303)


def _version(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        raise QueryError("version must be a whole number.") from None


def _proposal_choices(form: Any) -> dict[str, Any]:
    template = chosen_template(form.get("template"))
    fields = {k: form.get(k, "") for k in ("population", "title", "organisation")}
    return {"template": template, **{k: v for k, v in fields.items() if v}}


def _templates() -> list[str]:
    from evidence import list_templates

    return list(list_templates())


# ---- JSON API ------------------------------------------------------------------------------


@bp.get("/api/projects")
def api_projects() -> ResponseReturnValue:
    """The projects this browser (session) opened."""
    library = get_library()
    found = []
    for token in remembered().values():
        try:
            project, access = library.projects.open(token)
        except ProjectAccessError:
            continue
        found.append({**to_json_project(project), "rights": access.rights})
    return jsonify(envelope(projects=found))


@bp.post("/api/projects")
def api_create() -> ResponseReturnValue:
    """Create a project: ``{"name", "by", "items": [...], "style", "from_basket": false}``."""
    library = get_library()
    body = json_object()
    items = string_list(body.get("items"), "items", basket.MAX_ITEMS)
    if body.get("from_basket") is True:
        items += [i for i in basket.items() if i not in items]
    project, token = create(library, body, items)
    access = ProjectAccess(project.id, "edit")
    return jsonify(envelope(**project_json(library, project, access), token=token,
                            link=share_link(token)))  # fmt: skip


@bp.get("/api/projects/<project_id>")
def api_project(project_id: str) -> ResponseReturnValue:
    library = get_library()
    project, access = opened(library, project_id)
    return jsonify(envelope(**project_json(library, project, access)))


@bp.post("/api/projects/<project_id>")
def api_change(project_id: str) -> ResponseReturnValue:
    """Change a project: ``{"by", "add": [...], "remove": [...], "item_notes": {id: note},
    "name", "notes", "style", "proposal": {...}, "version": N}``; `version` (the one you
    read) makes a change of name, notes, style or proposal fail with 409 if someone else
    changed that part since."""
    library = get_library()
    project, access = opened(library, project_id, edit=True)
    body = json_object()
    by = who(body.get("by"))
    add = string_list(body.get("add"), "add", basket.MAX_ITEMS)
    remove = string_list(body.get("remove"), "remove", basket.MAX_ITEMS)
    item_notes = body.get("item_notes") or {}
    if not isinstance(item_notes, dict):
        raise QueryError("item_notes must map item ids to notes.")
    if add or remove or item_notes:
        library.projects.change_items(project.id, by, add, remove, item_notes)
    proposal = body.get("proposal")
    if proposal is not None:
        if not isinstance(proposal, dict):
            raise QueryError("proposal must be an object of the draft's choices.")
        from_json(proposal)  # the same checks as the proposal page's
    values = {k: body.get(k) for k in ("name", "notes", "style")}
    if any(v is not None for v in values.values()) or proposal is not None:
        library.projects.update(
            project.id, by, since=_version(body.get("version")), proposal=proposal, **values
        )
    project, access = opened(library, project_id)
    return jsonify(envelope(**project_json(library, project, access)))


@bp.post("/api/projects/<project_id>/share")
def api_share(project_id: str) -> ResponseReturnValue:
    """A new share token: ``{"by", "rights": "read"|"edit"}`` (edit rights needed)."""
    library = get_library()
    project, _ = opened(library, project_id, edit=True)
    body = json_object()
    token = library.projects.share(project.id, str(body.get("rights", "read")), who(body.get("by")))
    return jsonify(envelope(token=token, link=share_link(token), rights=body.get("rights", "read")))

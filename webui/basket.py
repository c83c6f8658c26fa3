"""Basket: the studies and passages a user picked, kept in the signed session cookie.

The cookie makes the basket survive reloads (and restarts, with a persistent SECRET_KEY)
and work without JavaScript: the "add" buttons are plain forms. With JavaScript the same
forms are sent with fetch and answered in JSON, so the page does not reload.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote

from flask import Blueprint, jsonify, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from evidence import Library, NotFoundError, QueryError, is_passage_id, split_passage_id, to_json

from .citing import FORMAT_LABELS, chosen_style, export_formats, references_by_key, styles
from .errors import TooLarge, envelope, wants_json
from .params import json_object, string_list
from .state import get_library

# A path on this site: no scheme, no host, printable ASCII only.
_SAFE_PATH = re.compile(r"/(?!/)[A-Za-z0-9/_.~%?=&+:@!$'()*,;#-]*")
_UNSAFE = re.compile(r"[\x00-\x20\x7f\\\\]")

bp = Blueprint("basket", __name__)

MAX_ITEMS = 100  # also keeps the cookie well under browsers' 4 kB limit


def items() -> list[str]:
    """The basket: passage ids (``key#pN``) and study keys, in the order they were added."""
    value = session.get("basket", [])
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def check_item(library: Library, item: str) -> None:
    """Raise NotFoundError unless `item` is a passage id or study key of the library."""
    if is_passage_id(item):
        library.passage(item)
    else:
        library.study(item)


def change(add: Sequence[str] = (), remove: Sequence[str] = (), clear: bool = False) -> list[str]:
    """Apply a change to the basket and return it. Raises NotFoundError or TooLarge."""
    library = get_library()
    current = [] if clear else items()
    for item in add:
        check_item(library, item)
        if item not in current:
            current.append(item)
    dropped = set(remove)
    current = [i for i in current if i not in dropped]
    if len(current) > MAX_ITEMS:
        raise TooLarge(f"the basket holds at most {MAX_ITEMS} items; export and clear it first.")
    session["basket"] = current
    return current


def split(library: Library, wanted: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Basket items as (passage ids, study keys, items no longer in the library)."""
    passages: list[str] = []
    keys: list[str] = []
    gone: list[str] = []
    for item in wanted:
        try:
            check_item(library, item)
        except NotFoundError:
            gone.append(item)
            continue
        (passages if is_passage_id(item) else keys).append(item)
    return passages, keys, gone


def point_json(point: Any) -> dict[str, Any]:
    """A talking point as JSON (the library's shape)."""
    shape: dict[str, Any] = to_json(point)
    return shape


def contents(library: Library, wanted: list[str], style: str) -> dict[str, Any]:
    """Talking points (from the passages), references (of every study) and notes."""
    passage_ids, keys, gone = split(library, wanted)
    points = library.talking_points(passage_ids=passage_ids, style=style) if passage_ids else []
    cited = [k for p in points for k in p.study_keys] + keys
    cited += [split_passage_id(pid)[0] for pid in passage_ids]
    refs, note = references_by_key(library, list(dict.fromkeys(cited)), style)
    notes = [note] if note else []
    if gone:
        notes.append(f"{len(gone)} item(s) are no longer in the library: {', '.join(gone)}.")
    studies = {key: library.study(key) for key in dict.fromkeys(cited)}
    return {"points": points, "keys": keys, "refs": refs, "notes": notes, "studies": studies}


@bp.get("/basket")
def page() -> ResponseReturnValue:
    library = get_library()
    style = chosen_style(library)
    wanted = items()
    data = contents(library, wanted, style)
    return render_template(
        "basket.html",
        items=wanted,
        style=style,
        styles=styles(),
        formats=[(f, FORMAT_LABELS.get(f, f)) for f in export_formats()],
        **data,
    )


@bp.post("/basket")
def update() -> ResponseReturnValue:
    """Form target of the add/remove/clear buttons; redirects back (or answers JSON to fetch)."""
    action = request.form.get("action", "add")
    item = request.form.get("item", "")
    if action not in ("add", "remove", "clear"):
        raise QueryError("action must be add, remove or clear.")
    if action != "clear" and not item:
        raise QueryError("no item given; the form needs item=KEY or item=KEY#pN.")
    current = change(
        add=[item] if action == "add" else [],
        remove=[item] if action == "remove" else [],
        clear=action == "clear",
    )
    if wants_json():
        return jsonify(envelope(items=current, count=len(current)))
    return redirect(_safe_next(request.form.get("next")), code=303)


@bp.get("/api/basket")
def api_basket() -> ResponseReturnValue:
    """JSON twin of the basket page: items, talking points and references."""
    library = get_library()
    style = chosen_style(library)
    wanted = items()
    data = contents(library, wanted, style)
    return jsonify(
        envelope(
            items=wanted,
            style=style,
            talking_points=[point_json(p) for p in data["points"]],
            references=[to_json(r) for r in data["refs"].values()],
            notes=data["notes"],
        )
    )


@bp.post("/api/basket")
def api_update() -> ResponseReturnValue:
    """Change the session's basket: ``{"add": [...], "remove": [...], "clear": false}``."""
    body = json_object()
    clear = body.get("clear", False)
    if not isinstance(clear, bool):
        raise QueryError("clear must be true or false.")
    current = change(
        add=string_list(body.get("add"), "add", MAX_ITEMS),
        remove=string_list(body.get("remove"), "remove", MAX_ITEMS),
        clear=clear,
    )
    return jsonify(envelope(items=current, count=len(current)))


def _safe_next(target: str | None) -> str:
    """A same-site path to go back to (never another host: no open redirect). Anything but
    a plain path (a scheme, a host, a backslash, control or space characters, also when
    percent-encoded in the path) falls back to the basket."""
    if target and _SAFE_PATH.fullmatch(target):
        decoded = unquote(target.partition("?")[0])  # the path: what a browser may fold
        if not decoded.startswith(("//", "/\\")) and not _UNSAFE.search(decoded):
            return target
    return url_for("basket.page")

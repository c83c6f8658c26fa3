"""`Projects`: create, open, change and share projects, with every value checked.

Access is by token: ``secrets.token_urlsafe(24)`` (192 random bits), shown once, stored
only as its sha256, so a copy of the database opens nothing. A token gives "read" or
"edit" rights; whoever created the project gets an edit token. Items are checked against
the library before they are stored (the `check_item` callable raises NotFoundError).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from ..cite import STYLES
from ..database import Database, migrate
from ..errors import ProjectAccessError, ProjectError
from .model import RIGHTS, Project, ProjectAccess, ProjectChange, Rights
from .store import ProjectStore

MAX_NAME = 200
MAX_BY = 100
MAX_NOTES = 50_000
MAX_ITEM_NOTE = 2_000
MAX_ITEMS = 500
MAX_PROPOSAL_BYTES = 20_000


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Projects:
    """The projects of a library (SQLite on one machine, PostgreSQL when shared)."""

    def __init__(self, db: Database, check_item: Callable[[str], None]) -> None:
        migrate(db)
        self.db = db
        self.store = ProjectStore(db)
        self._check_item = check_item

    def create(
        self, name: str, by: str, items: Sequence[str] = (), style: str = "apa",
        notes: str = "",
    ) -> tuple[Project, str]:  # fmt: skip
        """A new project and its edit token (shown this once). Raises ProjectError for a
        bad value, NotFoundError for an item the library does not hold."""
        by = _person(by)
        items = self._checked_items(items)
        project = Project(
            id=secrets.token_hex(6),
            name=_text(name, "name", MAX_NAME, required=True),
            style=_style(style),
            notes=_text(notes, "notes", MAX_NOTES),
            proposal={},
            version=1,
            created_by=by,
            created_at=now(),
            updated_by=by,
            updated_at=now(),
        )
        token = secrets.token_urlsafe(24)
        self.store.create(project, items, token_hash(token), by, project.created_at)
        return self.get(project.id), token

    def get(self, project_id: str) -> Project:
        """The project with its items. Raises ProjectError when there is none."""
        project = self.store.get(project_id)
        if project is None:
            raise ProjectError(
                f"no project {project_id!r}; it may have been deleted. List them with "
                "`evidence project list`."
            )
        return project

    def all(self) -> list[Project]:
        return self.store.all()

    def access(self, token: str) -> ProjectAccess:
        """What `token` opens. Raises ProjectAccessError for an unknown token."""
        found = self.store.access(token_hash(token)) if token else None
        if found is None:
            raise ProjectAccessError(
                "this project link or token is not known here (mistyped, or the project was "
                "deleted); ask whoever shared it for the link again."
            )
        return found

    def open(self, token: str, edit: bool = False) -> tuple[Project, ProjectAccess]:
        """The project `token` opens (and its rights). With `edit`, raises
        ProjectAccessError unless the token gives edit rights."""
        access = self.access(token)
        if edit and not access.can_edit:
            raise ProjectAccessError(
                "this link lets you read the project, not change it; ask its owner for an "
                "edit link."
            )
        return self.get(access.project_id), access

    def share(self, project_id: str, rights: str, by: str) -> str:
        """A new token giving `rights` ("read" or "edit") to the project."""
        if rights not in RIGHTS:
            raise ProjectError(f"rights must be read or edit, not {rights!r}.")
        self.get(project_id)
        token = secrets.token_urlsafe(24)
        self._write(
            lambda: self.store.add_token(
                project_id, token_hash(token), _rights(rights), _person(by), now()
            )
        )
        return token

    def change_items(
        self, project_id: str, by: str, add: Sequence[str] = (), remove: Sequence[str] = (),
        notes: Mapping[str, str] | None = None,
    ) -> Project:  # fmt: skip
        """Add, remove or annotate items (last writer wins, item by item)."""
        by = _person(by)
        add = self._checked_items(add)
        notes = {
            str(k): _text(v, "an item's note", MAX_ITEM_NOTE) for k, v in (notes or {}).items()
        }
        current = set(self.get(project_id).item_ids)
        if len(current | set(add)) > MAX_ITEMS:
            raise ProjectError(f"a project holds at most {MAX_ITEMS} items; remove some first.")
        unknown = [item for item in notes if item not in current and item not in add]
        if unknown:
            raise ProjectError(f"{unknown[0]!r} is not in the project; add it before its note.")
        self._write(
            lambda: self.store.change_items(project_id, add, list(remove), notes, by, now())
        )
        return self.get(project_id)

    def update(self, project_id: str, by: str, since: int | None = None, **values: Any) -> Project:
        """Set `name`, `notes`, `style` or `proposal` (a mapping of a draft's choices).

        With `since`, raises ConflictError when one of them changed after that version."""
        by = _person(by)
        checks: dict[str, Callable[[Any], Any]] = {
            "name": lambda v: _text(v, "name", MAX_NAME, required=True),
            "notes": lambda v: _text(v, "notes", MAX_NOTES),
            "style": _style,
            "proposal": _proposal,
        }
        unknown = set(values) - set(checks)
        if unknown:
            raise ProjectError(f"a project has no {', '.join(sorted(unknown))}.")
        checked = {k: checks[k](v) for k, v in values.items() if v is not None}
        if checked:
            self._write(lambda: self.store.update(project_id, checked, since, by, now()))
        return self.get(project_id)

    def history(self, project_id: str, limit: int = 100) -> list[ProjectChange]:
        return self.store.history(project_id, limit)

    def delete(self, project_id: str) -> None:
        self.get(project_id)
        self.store.delete(project_id)

    def _checked_items(self, items: Sequence[str]) -> list[str]:
        out = list(dict.fromkeys(str(i) for i in items))
        if len(out) > MAX_ITEMS:
            raise ProjectError(f"a project holds at most {MAX_ITEMS} items.")
        for item in out:
            self._check_item(item)
        return out

    def _write(self, change: Callable[[], int]) -> int:
        try:
            return change()
        except LookupError:
            raise ProjectError("the project was deleted meanwhile; nothing was saved.") from None


def _text(value: Any, what: str, limit: int, required: bool = False) -> str:
    if not isinstance(value, str):
        raise ProjectError(f"the {what} must be text.")
    text = value.strip()
    if required and not text:
        raise ProjectError(f"give the project a {what}.")
    if len(text) > limit:
        raise ProjectError(f"the {what} is longer than {limit:,} characters.")
    return text


def _person(by: Any) -> str:
    """Who makes a change: a name the user gives (recorded with every change)."""
    if not isinstance(by, str) or not by.strip():
        raise ProjectError("say who you are: every change records a name (by).")
    return _text(str(by), "name of who changes it", MAX_BY)


def _style(value: Any) -> str:
    if value not in STYLES:
        raise ProjectError(f"unknown citation style {value!r}; use one of {', '.join(STYLES)}.")
    return str(value)


def _rights(value: str) -> Rights:
    return "edit" if value == "edit" else "read"


def _proposal(value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ProjectError("the proposal must be a mapping of the draft's choices.")
    try:
        size = len(json.dumps(dict(value)))
    except (TypeError, ValueError):
        raise ProjectError("the proposal's choices must be plain JSON values.") from None
    if size > MAX_PROPOSAL_BYTES:
        raise ProjectError(f"the proposal's choices exceed {MAX_PROPOSAL_BYTES:,} bytes.")
    return dict(value)

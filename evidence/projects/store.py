"""Projects in SQL, the same statements on SQLite and PostgreSQL (`database.Database`).

Every change runs in one transaction that first raises the project's version (an UPDATE,
which also makes concurrent writers of one project take turns), then makes the change and
records it in ``project_changes`` with that version, who and when. Items are keyed by
(project, item), so two people adding different items at once both keep theirs, and a
note on an item is last-writer-wins. Edits of a whole field (name, notes, style, proposal)
may name the version they started from: if someone changed that field since, the edit is
refused with `ConflictError`, saying who and when, and nothing is written.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from ..database import Database
from ..errors import ConflictError
from .model import FIELDS, Project, ProjectAccess, ProjectChange, ProjectItem, Rights

_PROJECT_COLUMNS = (
    "id, name, style, notes, proposal, version, created_by, created_at, updated_by, updated_at"
)


class ProjectStore:
    """The projects of one database (call `database.migrate` on it first)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # ---- reading -------------------------------------------------------------------------

    def get(self, project_id: str) -> Project | None:
        with self.db.transaction() as cur:
            cur.execute(f"SELECT {_PROJECT_COLUMNS} FROM projects WHERE id = %s", (project_id,))
            row = cur.fetchone()
            if row is None:
                return None
            cur.execute(
                "SELECT item, note, added_by, added_at FROM project_items "
                "WHERE project_id = %s ORDER BY position, item",
                (project_id,),
            )
            items = tuple(ProjectItem(*r) for r in cur.fetchall())
        return _project(row, items)

    def all(self) -> list[Project]:
        """Every project (without items), most recently changed first."""
        with self.db.transaction() as cur:
            cur.execute(f"SELECT {_PROJECT_COLUMNS} FROM projects ORDER BY updated_at DESC, id")
            return [_project(row, ()) for row in cur.fetchall()]

    def access(self, token_hash: str) -> ProjectAccess | None:
        with self.db.transaction() as cur:
            cur.execute(
                "SELECT project_id, rights FROM project_tokens WHERE token_hash = %s",
                (token_hash,),
            )
            row = cur.fetchone()
        return ProjectAccess(row[0], row[1]) if row else None

    def history(self, project_id: str, limit: int = 100) -> list[ProjectChange]:
        """The latest `limit` changes, newest first."""
        with self.db.transaction() as cur:
            cur.execute(
                "SELECT version, field, summary, changed_by, changed_at FROM project_changes "
                "WHERE project_id = %s ORDER BY version DESC LIMIT %s",
                (project_id, limit),
            )
            return [ProjectChange(*row) for row in cur.fetchall()]

    # ---- writing -------------------------------------------------------------------------

    def create(
        self, project: Project, items: Sequence[str], token_hash: str, by: str, at: str
    ) -> None:
        """Store a new `project` (version 1) with `items` and an edit token."""
        with self.db.transaction() as cur:
            cur.execute(
                f"INSERT INTO projects ({_PROJECT_COLUMNS}) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                (
                    project.id, project.name, project.style, project.notes,
                    json.dumps(project.proposal), 1, by, at, by, at,
                ),
            )  # fmt: skip
            _record(cur, project.id, 1, "created", f"created “{project.name}”", by, at)
            _add_token(cur, project.id, token_hash, "edit", by, at)
            for position, item in enumerate(items):
                _upsert_item(cur, project.id, item, None, -len(items) + position, by, at)

    def add_token(self, project_id: str, token_hash: str, rights: Rights, by: str, at: str) -> int:
        """Store a new access token; return the project's new version."""
        with self.db.transaction() as cur:
            version = _bump(cur, project_id, by, at)
            _add_token(cur, project_id, token_hash, rights, by, at)
            _record(cur, project_id, version, "shared", f"made a {rights} link", by, at)
        return version

    def change_items(
        self,
        project_id: str,
        add: Sequence[str],
        remove: Sequence[str],
        notes: Mapping[str, str],
        by: str,
        at: str,
    ) -> int:
        """Add, remove and annotate items (each last-writer-wins); return the new version."""
        with self.db.transaction() as cur:
            version = _bump(cur, project_id, by, at)
            for item in add:
                _upsert_item(cur, project_id, item, notes.get(item), version, by, at)
            for item, note in notes.items():
                if item not in add:
                    _upsert_item(cur, project_id, item, note, version, by, at)
            for item in remove:
                cur.execute(
                    "DELETE FROM project_items WHERE project_id = %s AND item = %s",
                    (project_id, item),
                )
            _record(cur, project_id, version, "items", _items_summary(add, remove, notes), by, at)
        return version

    def update(
        self, project_id: str, values: Mapping[str, Any], since: int | None, by: str, at: str
    ) -> int:
        """Set whole fields (name, notes, style, proposal); return the new version.

        With `since` (the version the writer started from), raises ConflictError when any of
        these fields was changed by a later version; nothing is written then."""
        unknown = set(values) - set(FIELDS)
        if unknown:
            raise ValueError(f"not a project field: {sorted(unknown)}")  # a caller's bug
        with self.db.transaction() as cur:
            version = _bump(cur, project_id, by, at)
            if since is not None:
                _check_unchanged(cur, project_id, list(values), since)
            for name, value in values.items():
                stored = json.dumps(value) if name == "proposal" else value
                cur.execute(f"UPDATE projects SET {name} = %s WHERE id = %s", (stored, project_id))
                _record_field(cur, project_id, version, name, value, by, at)
        return version

    def delete(self, project_id: str) -> bool:
        with self.db.transaction() as cur:
            for table in ("project_items", "project_changes", "project_tokens"):
                cur.execute(f"DELETE FROM {table} WHERE project_id = %s", (project_id,))
            cur.execute("DELETE FROM projects WHERE id = %s", (project_id,))
            cur.execute("SELECT count(*) FROM projects WHERE id = %s", (project_id,))
            return bool(cur.fetchone()[0] == 0)


def _project(row: Sequence[Any], items: tuple[ProjectItem, ...]) -> Project:
    values = list(row)
    values[4] = json.loads(values[4] or "{}")
    return Project(*values, items=items)  # type: ignore[misc]


def _bump(cur: Any, project_id: str, by: str, at: str) -> int:
    """Raise the project's version (locking its row until commit); return the new one.
    Raises LookupError for an unknown project."""
    cur.execute(
        "UPDATE projects SET version = version + 1, updated_by = %s, updated_at = %s "
        "WHERE id = %s RETURNING version",
        (by, at, project_id),
    )
    row = cur.fetchone()
    if row is None:
        raise LookupError(project_id)
    return int(row[0])


def _check_unchanged(cur: Any, project_id: str, fields: list[str], since: int) -> None:
    marks = ", ".join(["%s"] * len(fields))
    cur.execute(
        "SELECT version, field, changed_by, changed_at FROM project_changes "
        f"WHERE project_id = %s AND version > %s AND field IN ({marks}) "
        "ORDER BY version DESC LIMIT 1",
        (project_id, since, *fields),
    )
    row = cur.fetchone()
    if row is not None:
        version, field, who, when = row
        raise ConflictError(
            f"{who} changed the {field} of this project at {when} (version {version}), after "
            f"the version {since} you started from; nothing was saved. Reload the project, "
            "then make your change again."
        )


def _record(cur: Any, project_id: str, version: int, field: str, summary: str, by: str,
            at: str) -> None:  # fmt: skip
    cur.execute(
        "INSERT INTO project_changes "
        "(project_id, version, field, summary, changed_by, changed_at) "
        "VALUES (%s, %s, %s, %s, %s, %s)",
        (project_id, version, field, summary[:500], by, at),
    )


def _record_field(cur: Any, project_id: str, version: int, name: str, value: Any, by: str,
                  at: str) -> None:  # fmt: skip
    shown = value if isinstance(value, str) and len(value) <= 60 else None
    summary = f"set the {name} to “{shown}”" if shown is not None else f"changed the {name}"
    _record(cur, project_id, version, name, summary, by, at)


def _add_token(cur: Any, project_id: str, token_hash: str, rights: str, by: str, at: str) -> None:
    cur.execute(
        "INSERT INTO project_tokens (token_hash, project_id, rights, created_by, created_at) "
        "VALUES (%s, %s, %s, %s, %s)",
        (token_hash, project_id, rights, by, at),
    )


def _upsert_item(cur: Any, project_id: str, item: str, note: str | None, position: int,
                 by: str, at: str) -> None:  # fmt: skip
    """Insert an item, or (already there) set its note when one is given."""
    cur.execute(
        "INSERT INTO project_items (project_id, item, note, position, added_by, added_at) "
        "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (project_id, item) DO UPDATE SET "
        "note = CASE WHEN %s THEN excluded.note ELSE project_items.note END",
        (project_id, item, note or "", position, by, at, note is not None),
    )


def _items_summary(add: Sequence[str], remove: Sequence[str], notes: Mapping[str, str]) -> str:
    parts = []
    if add:
        parts.append(f"added {', '.join(add[:5])}" + (" …" if len(add) > 5 else ""))
    if remove:
        parts.append(f"removed {', '.join(remove[:5])}" + (" …" if len(remove) > 5 else ""))
    annotated = [i for i in notes if i not in add]
    if annotated:
        parts.append(f"noted {', '.join(annotated[:5])}")
    return "; ".join(parts) or "no change"

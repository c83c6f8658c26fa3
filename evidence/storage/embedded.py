"""The embedded default: one machine, nothing else to run. The index folder is the system
of record (`IndexFolder`), and projects live in ``projects.sqlite3`` beside it."""

from __future__ import annotations

from collections.abc import Callable

from ..database import Database, open_database
from ..index import IndexData
from .base import Storage

PROJECTS_FILE = "projects.sqlite3"


class EmbeddedFolder(Storage):
    """An `IndexFolder` with the storage protocol's extras (see `storage.Storage`)."""

    shared = False
    _projects_db: Database | None = None

    def catch_up(self, live: IndexData) -> IndexData:
        """`live`, or the folder's newer generation (another process wrote it)."""
        return self.read_live() if self.generation() != live.path.name else live

    def follow(self, apply: Callable[[], None]) -> None:
        """Nothing to follow: `Library.refresh` notices a newer generation on disk."""

    def projects_database(self) -> Database:
        if self._projects_db is None:
            self._projects_db = open_database(
                str(self.path / PROJECTS_FILE), self.settings.database_timeout
            )
        return self._projects_db

    def close(self) -> None:
        if self._projects_db is not None:
            self._projects_db.close()

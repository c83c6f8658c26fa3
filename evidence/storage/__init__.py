"""Storage: where the library's system of record lives, behind one small protocol.

In: `Settings` (``database_url`` empty or ``postgresql://…``) and an `Embedder`. Out: a
`Storage`: the embedded default (`EmbeddedFolder`: the index folder, projects in SQLite
beside it) or a shared library (`SharedFolder`: imports, studies, passages, vectors and
projects in PostgreSQL; the index folder a local cache that follows the database).
"""

from __future__ import annotations

from ..config import Settings
from ..index import Embedder
from .base import Storage


def open_storage(settings: Settings, embedder: Embedder) -> Storage:
    """The storage `settings` ask for. Raises DatabaseUnavailableError when PostgreSQL
    cannot be reached, DatabaseError when its schema is newer than this evidence knows."""
    if settings.database_url:
        from .shared import SharedFolder

        return SharedFolder(settings, embedder)
    from .embedded import EmbeddedFolder

    return EmbeddedFolder(settings, embedder)


__all__ = ["Storage", "open_storage"]

"""Several servers over one library in PostgreSQL: each keeps its index folder as a local
cache, rebuilt from the database and kept up to date with it.

What is in the database: every import (its files' names and bytes, who and when), the
studies and passages it added, their vectors, and the library's generation (raised by one
per committed import). The bundled corpus ships with every server as files.

An import through any server runs in one transaction that holds an advisory lock (imports
queue across servers as they do on one machine): bring the local cache up to the database's
generation, import into it (the ordinary `IndexFolder.add`), record the rows, raise the
generation and NOTIFY, commit. If anything fails before the commit (the database is down,
the process is killed), the database has none of it and the local import is undone, at
once or at the next start. Other servers apply committed imports in generation order with
the same `IndexFolder.add`, taking the vectors from the database, so every cache holds the
same studies under the same keys and no text is embedded twice.

``database.json`` in the index folder records what the cache holds: the database's id,
its generation, and the imported files that generation includes. A file in ``imports/``
that it does not list was never committed (or not yet noted): it is set aside and the
cache rebuilt, then caught up from the database.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..config import Settings
from ..database import migrate
from ..database.connect import PostgresDatabase
from ..errors import DatabaseUnavailableError, EvidenceError
from ..index import Embedder, IndexData, IndexFolder, Progress
from ..index.live import ImportFile
from ..index.store import CURRENT, IMPORTS
from ..model import ImportReport
from ..text.files import write_atomic
from .base import Storage
from .follower import Follower
from .records import (
    IMPORT_LOCK,
    imported_hashes,
    keys_since,
    pending,
    record_import,
    sha256,
    store_vectors,
    stored_vector_keys,
)
from .records import (
    state as library_state,
)
from .records import (
    vectors as stored_vectors,
)
from .vectors import StoredVectors

log = logging.getLogger(__name__)
STATE_FILE = "database.json"
SET_ASIDE = "not-in-database"  # inside imports/: local imports the database never got


class SharedFolder(Storage):
    """An index folder that is a cache of the library in PostgreSQL."""

    shared = True

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self.db = PostgresDatabase(settings.database_url, settings.database_timeout)
        try:
            migrate(self.db)
            with self.db.transaction() as cur:
                self.database_id, _ = library_state(cur)
        except BaseException:
            self.db.close()
            raise
        self.model = f"{embedder.model_name}|{embedder.precision}"
        super().__init__(settings, StoredVectors(embedder, self._stored_vectors))
        self._follower: Follower | None = None
        self.by = f"{socket.gethostname()} (pid {os.getpid()})"

    # ---- what the cache holds ------------------------------------------------------------

    def held(self) -> int:
        """The database generation the local cache holds (0: none of its imports)."""
        state = self._state()
        return int(state["generation"]) if state else 0

    def _state(self) -> dict[str, Any] | None:
        try:
            state = json.loads((self.path / STATE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return state if state.get("database") == self.database_id else None

    def _save_state(self, generation: int) -> None:
        state = {"database": self.database_id, "generation": generation,
                 "imports": self._imported_files()}  # fmt: skip
        write_atomic(self.path / STATE_FILE, json.dumps(state).encode(), fsync=True)

    def _imported_files(self) -> list[str]:
        folder = self.path / IMPORTS
        if not folder.is_dir():
            return []
        return sorted(p.name for p in folder.iterdir() if p.is_file() and p.name[0] != ".")

    # ---- opening -------------------------------------------------------------------------

    def recover(self) -> list[str]:
        """Finish or discard killed imports, set aside local imports the database does not
        have (rebuilding without them), then apply what the database has that we lack."""
        done = super().recover()
        state = self._state()
        committed = set(state["imports"]) if state else set()
        stray = [n for n in self._imported_files() if n not in committed]
        if stray:
            done += self._set_aside(stray)
        if state is None:
            self._save_state(0)
        if self.manifest() is not None:
            if stray:
                self.rebuild()
            else:
                self.catch_up(self.read_live())
        return done

    def _set_aside(self, names: Sequence[str]) -> list[str]:
        with self.db.transaction() as cur:
            in_database = imported_hashes(cur)
        folder = self.path / IMPORTS
        done = []
        for name in names:
            path = folder / name
            if sha256(path.read_bytes()) in in_database:
                path.unlink()  # committed: it comes back from the database, in its place
                done.append(f"{name} will be applied from the database")
                continue
            (folder / SET_ASIDE).mkdir(exist_ok=True)
            os.replace(path, folder / SET_ASIDE / name)
            done.append(
                f"{name} was never committed to the database (a server stopped mid-import, or "
                f"the folder was used without EVIDENCE_DATABASE_URL); moved to "
                f"{folder / SET_ASIDE}. Import it again if it is wanted."
            )
        for message in done:
            log.warning("%s: %s", self.path, message)
        return done

    def rebuild(self, progress: Progress | None = None) -> tuple[IndexData, ImportReport]:
        """Rebuild from the corpus and the committed imports (vectors from the database where
        it has them), store the vectors it lacks, then catch up."""
        data, report = super().rebuild(progress)
        with self.db.transaction() as cur:
            known = stored_vector_keys(cur, self.model)
            if not known >= set(data.text_keys.get("passages", [])):
                store_vectors(cur, self.model, data)
        return self.catch_up(data), report

    # ---- following the database ----------------------------------------------------------

    def catch_up(self, live: IndexData) -> IndexData:
        """`live` with every import committed after the cache's generation applied (one new
        local generation for all of them); `live` itself when there is none.

        Raises DatabaseUnavailableError when the database cannot be reached."""
        if self.generation() != live.path.name:  # another process wrote this folder
            live = self.read_live()
        held = self.held()
        with self.db.transaction() as cur:
            _, head = library_state(cur)
            if head <= held:
                return live
            rows = pending(cur, held)
            expected = keys_since(cur, held)
        if rows:
            live, _ = IndexFolder.add(self, [(name, data) for _, name, data in rows], live)
        self._save_state(head)
        missing = expected - {s.key for s in live.studies}
        if missing:  # would mean two servers parsed one file differently: say so loudly
            log.error("after applying generation %d, studies %s are missing", head, sorted(missing))
        return live

    def follow(self, apply: Callable[[], None]) -> None:
        """Call `apply` whenever the database may have a newer generation (a thread)."""
        if self._follower is None:
            self._follower = Follower(self.db.connect, apply, self.settings.database_poll_seconds)
            self._follower.start()

    # ---- importing -----------------------------------------------------------------------

    def add(
        self,
        files: Sequence[ImportFile],
        live: IndexData,
        progress: Progress | None = None,
        check: bool = False,
    ) -> tuple[IndexData, ImportReport]:
        """Import `files` through this server: locally and into the database, in one
        transaction (see the module's docstring). A check, or files that change nothing,
        write nothing anywhere.

        Raises DatabaseUnavailableError (nothing changed anywhere: try again) and what
        `IndexFolder.add` raises."""
        contents = [_content(f) for f in files if isinstance(f, tuple) or f.is_file()]
        before = live
        data: IndexData | None = None
        try:
            with self.db.transaction() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", (IMPORT_LOCK,))
                before = self.catch_up(live)
                data, report = super().add(files, before, progress, check)
                if data is before:  # a check, or nothing new: nothing to record
                    return data, report
                generation = record_import(cur, contents, self.by, self.model, before, data)
        except BaseException as exc:
            if data is not None and data is not before:
                self._undo(before)
            if isinstance(exc, EvidenceError) or not self.db.is_unavailable(exc):
                raise
            raise DatabaseUnavailableError(
                f"the import was not saved: the database at {self.db.where} stopped answering "
                "({exc}); nothing changed. Try again in a few seconds."
            ) from None
        self._save_state(generation)
        return data, report

    def _undo(self, before: IndexData) -> None:
        """Make `before` the live generation again and drop the files of the failed import."""
        committed = set((self._state() or {}).get("imports", ()))
        for name in self._imported_files():
            if name not in committed:
                (self.path / IMPORTS / name).unlink(missing_ok=True)
        if before.path.is_dir():
            write_atomic(self.path / CURRENT, (before.path.name + "\n").encode(), fsync=True)
        else:
            self.rebuild()

    # ---- the rest ------------------------------------------------------------------------

    def _stored_vectors(self, keys: list[str]) -> dict[str, np.ndarray]:
        try:
            with self.db.transaction() as cur:
                return stored_vectors(cur, self.model, keys)
        except DatabaseUnavailableError:
            return {}  # encode them here instead

    def projects_database(self) -> PostgresDatabase:
        return self.db

    def close(self) -> None:
        if self._follower is not None:
            self._follower.stop()
        self.db.close()


def _content(item: ImportFile) -> tuple[str, bytes]:
    if isinstance(item, tuple):
        return item
    return Path(item).name, Path(item).read_bytes()


__all__ = ["SharedFolder"]

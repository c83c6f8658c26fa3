"""One way to talk to either database: ``with db.transaction() as cur: cur.execute(sql, params)``.

SQL is written once with ``%s`` parameters (psycopg's style); the SQLite adapter turns
them into ``?``. A transaction commits when its block ends and rolls back on an exception.
Every driver failure to reach the server becomes `DatabaseUnavailableError`, whose message
says to try again: the pool reconnects by itself (each connection is checked before use),
so the next request after a database restart simply works.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from ..errors import DatabaseUnavailableError, SettingsError

log = logging.getLogger(__name__)
TRY_AGAIN = "try again in a few seconds (searches keep answering meanwhile)"


class Cursor(Protocol):
    """What both engines' cursors offer here."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...


class Database(Protocol):
    """A database shared by the library's parts: ``kind`` is "postgresql" or "sqlite"."""

    kind: str
    where: str  # shown in messages: host:port/dbname or the file, never a password

    def transaction(self) -> Any: ...  # a context manager yielding a Cursor
    def close(self) -> None: ...


def open_database(url: str, timeout: float = 5.0) -> Database:
    """A `Database` for ``postgresql://…`` or ``sqlite:///path`` (or a plain file path).

    Raises SettingsError for another scheme, DatabaseUnavailableError when PostgreSQL does
    not answer within `timeout` seconds."""
    scheme = urlsplit(url).scheme
    if scheme in ("postgresql", "postgres"):
        return PostgresDatabase(url, timeout)
    if scheme == "sqlite":
        return SqliteDatabase(Path(url.split("://", 1)[1] or "projects.sqlite3"), timeout)
    if scheme == "":
        return SqliteDatabase(Path(url), timeout)
    raise SettingsError(
        f"EVIDENCE_DATABASE_URL must start with postgresql:// (got {scheme}://); unset it to "
        "keep everything on this machine."
    )


def describe(url: str) -> str:
    """host:port/dbname of a PostgreSQL URL (no user, no password)."""
    parts = urlsplit(url)
    return f"{parts.hostname or 'localhost'}:{parts.port or 5432}{parts.path or '/'}"


class PostgresDatabase:
    """PostgreSQL through a psycopg connection pool (connections checked before use)."""

    kind = "postgresql"

    def __init__(self, url: str, timeout: float) -> None:
        try:
            import psycopg
            from psycopg_pool import ConnectionPool, PoolTimeout
        except ImportError as exc:  # pragma: no cover - a broken install
            raise SettingsError(
                f"EVIDENCE_DATABASE_URL is set but psycopg is missing ({exc}); run "
                "`pip install -r requirements.txt` (psycopg[binary] and psycopg-pool)."
            ) from None
        self.url = url
        self.where = describe(url)
        self.timeout = timeout
        self._errors = (psycopg.OperationalError, psycopg.InterfaceError, PoolTimeout)
        self.pool = ConnectionPool(
            url,
            min_size=1,
            max_size=8,
            open=False,
            check=ConnectionPool.check_connection,
            timeout=timeout,
            reconnect_timeout=0,  # keep trying for ever; requests fail fast meanwhile
            kwargs={"connect_timeout": max(1, int(timeout)), "application_name": "evidence"},
            name="evidence",
        )
        try:
            self.pool.open(wait=True, timeout=timeout)
        except self._errors as exc:
            self.pool.close()
            raise self.unavailable(exc, starting=True) from None

    def unavailable(self, exc: BaseException, starting: bool = False) -> DatabaseUnavailableError:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if starting:
            return DatabaseUnavailableError(
                f"cannot reach the database at {self.where} ({reason}). Start PostgreSQL there, "
                "or check EVIDENCE_DATABASE_URL (unset it to run on this machine alone)."
            )
        return DatabaseUnavailableError(
            f"the database at {self.where} is not answering ({reason}); {TRY_AGAIN}."
        )

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """A cursor in one transaction. Raises DatabaseUnavailableError when the server
        cannot be reached or the connection broke (nothing was committed then)."""
        try:
            with self.pool.connection(timeout=self.timeout) as conn:
                with conn.transaction(), conn.cursor() as cur:
                    yield cur
        except self._errors as exc:
            raise self.unavailable(exc) from None

    def connect(self) -> Any:
        """A connection of its own, outside the pool (for LISTEN), in autocommit mode.
        Raises DatabaseUnavailableError."""
        import psycopg

        try:
            return psycopg.connect(
                self.url, autocommit=True, connect_timeout=max(1, int(self.timeout))
            )
        except self._errors as exc:
            raise self.unavailable(exc) from None

    def is_unavailable(self, exc: BaseException) -> bool:
        return isinstance(exc, self._errors)

    def close(self) -> None:
        self.pool.close()


class _SqliteCursor:
    """A sqlite3 cursor that takes ``%s`` parameters."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._cursor.execute(sql.replace("%s", "?"), tuple(params))

    def fetchone(self) -> Any:
        return self._cursor.fetchone()

    def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()


class SqliteDatabase:
    """A SQLite file (write-ahead log; writers wait up to `timeout` s for each other)."""

    kind = "sqlite"

    def __init__(self, path: Path, timeout: float) -> None:
        self.path = path
        self.where = str(path)
        self.timeout = timeout
        self._local = threading.local()

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """A cursor in one transaction (BEGIN IMMEDIATE: writers take turns). Raises
        DatabaseUnavailableError when the file stays locked longer than `timeout`."""
        conn = self._connection()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise DatabaseUnavailableError(f"{self.where} is busy ({exc}); {TRY_AGAIN}.") from None
        try:
            yield _SqliteCursor(conn.cursor())
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

"""Schema versions: plain SQL files ``migrations/<engine>/NNNN_name.sql`` and a
``schema_version`` table recording which ran. `migrate` runs the missing ones in order,
each in its own transaction (PostgreSQL: under an advisory lock, so servers starting
together do not race), and refuses a database that has a version this evidence does not
know, saying what to run."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from ..errors import DatabaseError
from ..version import __version__
from .connect import Database

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK = 0x65766964  # "evid": one server migrates at a time
_FILE = re.compile(r"(\d{4})_([a-z0-9_]+)\.sql")
_VERSION_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_version "
    "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
)


def migrations(kind: str) -> list[tuple[int, str, str]]:
    """``(version, name, sql)`` of every migration for engine `kind`, in order."""
    found = []
    for path in sorted((MIGRATIONS / kind).glob("*.sql")):
        match = _FILE.fullmatch(path.name)
        if match:
            found.append((int(match.group(1)), match.group(2), path.read_text(encoding="utf-8")))
    return found


def statements(sql: str) -> list[str]:
    """The statements of a migration file (split at ``;`` ending a line; no comments)."""
    lines = [line for line in sql.splitlines() if not line.strip().startswith("--")]
    return [s.strip() for s in re.split(r";\s*$", "\n".join(lines), flags=re.M) if s.strip()]


def migrate(db: Database) -> int:
    """Bring `db`'s schema up to date; return its version.

    Raises DatabaseError when the database has a newer schema than this evidence knows,
    and DatabaseUnavailableError when it cannot be reached."""
    known = migrations(db.kind)
    latest = known[-1][0] if known else 0
    for version, name, sql in known:
        with db.transaction() as cur:
            if db.kind == "postgresql":
                cur.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            cur.execute(_VERSION_TABLE)
            cur.execute("SELECT coalesce(max(version), 0) FROM schema_version")
            current = int(cur.fetchone()[0])
            refuse_newer(db, current, latest)
            if current >= version:
                continue
            for statement in statements(sql):
                cur.execute(statement)
            cur.execute(
                "INSERT INTO schema_version (version, name, applied_at) VALUES (%s, %s, %s)",
                (version, name, datetime.now(UTC).isoformat(timespec="seconds")),
            )
    return latest


def refuse_newer(db: Database, current: int, latest: int) -> None:
    """Raise DatabaseError when `current` (the database's) is beyond `latest` (ours)."""
    if current > latest:
        raise DatabaseError(
            f"the database at {db.where} has schema version {current}, but this evidence "
            f"({__version__}) knows versions up to {latest}: another server wrote it with a "
            "newer evidence. Upgrade evidence on this machine (git pull && make install), "
            "or point EVIDENCE_DATABASE_URL at another database."
        )


def schema_version(db: Database) -> int:
    """The database's schema version (0 when it has none yet)."""
    with db.transaction() as cur:
        cur.execute(_VERSION_TABLE)
        cur.execute("SELECT coalesce(max(version), 0) FROM schema_version")
        return int(cur.fetchone()[0])

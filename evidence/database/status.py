"""What a database holds, for `evidence database status`, and bringing it up to date."""

from __future__ import annotations

from typing import Any

from .connect import open_database
from .schema import migrate, migrations, refuse_newer, schema_version


def database_status(url: str, timeout: float = 5.0) -> dict[str, Any]:
    """Where the database is, its schema version (and the newest this evidence knows),
    and for a shared library its generation and how many imports, studies and projects it
    holds. Raises DatabaseUnavailableError, DatabaseError (a newer schema)."""
    db = open_database(url, timeout)
    try:
        version = schema_version(db)
        known = migrations(db.kind)
        latest = known[-1][0] if known else 0
        refuse_newer(db, version, latest)
        status: dict[str, Any] = {"database": db.where, "engine": db.kind,
                                  "schema_version": version, "known_version": latest}  # fmt: skip
        if version == latest and db.kind == "postgresql":
            with db.transaction() as cur:
                cur.execute("SELECT generation FROM library_state")
                status["generation"] = int(cur.fetchone()[0])
                for table in ("imports", "studies", "passages", "vectors", "projects"):
                    cur.execute(f"SELECT count(*) FROM {table}")
                    status[table] = int(cur.fetchone()[0])
        return status
    finally:
        db.close()


def migrate_database(url: str, timeout: float = 5.0) -> int:
    """Run the migrations `url`'s database lacks; return its schema version. Raises
    DatabaseUnavailableError, DatabaseError (a newer schema than this evidence knows)."""
    db = open_database(url, timeout)
    try:
        return migrate(db)
    finally:
        db.close()

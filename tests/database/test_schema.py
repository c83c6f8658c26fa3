"""Schema versions (evidence/database/schema.py) on SQLite; PostgreSQL's refusal of a newer
schema is tested with a real server in tests/storage/test_shared.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence.database import migrate, open_database
from evidence.database.schema import migrations, schema_version, statements
from evidence.errors import DatabaseError


def test_statements_split_at_a_semicolon_ending_a_line_and_drop_comment_lines() -> None:
    sql = (
        "-- a comment; not a statement\n"
        "CREATE TABLE a (x TEXT DEFAULT 'a;b');\n\n"
        "CREATE INDEX i\n  ON a (x);\n"
    )
    assert statements(sql) == [
        "CREATE TABLE a (x TEXT DEFAULT 'a;b')",
        "CREATE INDEX i\n  ON a (x)",
    ]


def test_each_engine_has_numbered_migrations_from_one_without_gaps() -> None:
    for kind in ("sqlite", "postgresql"):
        versions = [version for version, _, _ in migrations(kind)]
        assert versions == list(range(1, len(versions) + 1)), kind


def test_migrate_runs_each_migration_once_and_records_it(tmp_path: Path) -> None:
    db = open_database(str(tmp_path / "lib.sqlite3"))
    latest = migrations("sqlite")[-1][0]
    assert schema_version(db) == 0
    assert migrate(db) == latest
    assert migrate(db) == latest  # a second start changes nothing
    with db.transaction() as cur:
        cur.execute("SELECT version FROM schema_version ORDER BY version")
        assert [row[0] for row in cur.fetchall()] == list(range(1, latest + 1))
    db.close()


def test_a_newer_schema_is_refused_with_what_to_run_and_left_untouched(tmp_path: Path) -> None:
    db = open_database(str(tmp_path / "lib.sqlite3"))
    latest = migrate(db)
    with db.transaction() as cur:
        cur.execute("INSERT INTO schema_version VALUES (%s, 'future', 'later')", (latest + 1,))
    with pytest.raises(DatabaseError, match=r"schema version \d+.*git pull && make install"):
        migrate(db)
    assert schema_version(db) == latest + 1
    db.close()

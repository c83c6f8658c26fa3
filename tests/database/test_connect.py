"""The connection (evidence/database/connect.py) on SQLite: transactions and bad URLs.
PostgreSQL (pool, restarts, unreachable servers) is tested with a real server in
tests/storage/test_shared.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence.database import open_database
from evidence.errors import SettingsError


def test_a_transaction_commits_at_the_end_and_rolls_back_on_an_error(tmp_path: Path) -> None:
    db = open_database(f"sqlite://{tmp_path / 'a.sqlite3'}")
    with db.transaction() as cur:
        cur.execute("CREATE TABLE t (x INTEGER)")
        cur.execute("INSERT INTO t VALUES (%s)", (1,))
    with pytest.raises(RuntimeError), db.transaction() as cur:
        cur.execute("INSERT INTO t VALUES (%s)", (2,))
        raise RuntimeError("the import failed half way")
    with db.transaction() as cur:
        cur.execute("SELECT x FROM t")
        assert cur.fetchall() == [(1,)]
    db.close()
    assert db.where == str(tmp_path / "a.sqlite3")


def test_an_unknown_scheme_says_what_to_set() -> None:
    with pytest.raises(SettingsError, match=r"must start with postgresql:// \(got mysql://\)"):
        open_database("mysql://localhost/evidence")

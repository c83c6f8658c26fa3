"""A library shared through a real PostgreSQL: imports reach every server's local index
without re-embedding, one transaction per import, faults leave everything consistent."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from evidence import DatabaseError, DatabaseUnavailableError, Library, NotFoundError
from evidence.database import open_database
from evidence.index import IndexFolder
from tests.conftest import DATA

pytestmark = pytest.mark.model
TINY = DATA / "tiny.bib"


def bib(key: str, title: str) -> bytes:
    return (
        f"@article{{{key}, title={{{title}}}, author={{Doe, Jane}}, year={{2024}}, "
        f"journal={{Journal of Tests}}, abstract={{We surveyed 300 firefighters about {title}. "
        "The association was clear in every station.}}\n"
    ).encode()


@pytest.fixture
def open_server(
    tmp_path: Path, database_url: str, embedder: Any
) -> Iterator[Callable[[str], Library]]:
    """Opens a library as one server would: its own index folder, the shared database."""
    opened: list[Library] = []

    def server(name: str) -> Library:
        settings = {
            "index_dir": tmp_path / name,
            "database_url": database_url,
            "database_timeout": 2,
        }
        library = Library.open_or_build([TINY], settings=settings, embedder=embedder)
        opened.append(library)
        return library

    yield server
    for library in opened:
        library.close()


def rows(url: str, sql: str) -> list[Any]:
    db = open_database(url)
    try:
        with db.transaction() as cur:
            cur.execute(sql)
            return list(cur.fetchall())
    finally:
        db.close()


def test_an_import_through_one_server_reaches_another_without_embedding_again(
    open_server: Callable[[str], Library], database_url: str
) -> None:
    a, b = open_server("a"), open_server("b")
    a.add_data(bib("wild2024", "wildland crews and burnout"), "wild.bib")
    assert a.study("wild2024")
    with pytest.raises(NotFoundError):
        b.study("wild2024")
    encoded_before = b._folder.embedder.reused
    b._catch_up()
    assert b.study("wild2024").title == "wildland crews and burnout"
    assert b._folder.embedder.reused > encoded_before  # its vectors came from the database
    assert b.search("wildland crews burnout", k=1).hits[0].study.key == "wild2024"
    assert rows(database_url, "SELECT generation, name FROM imports") == [(1, "wild.bib")]
    assert rows(database_url, "SELECT key FROM studies") == [("wild2024",)]
    passages = rows(database_url, "SELECT id FROM passages ORDER BY id")
    assert [p[0] for p in passages] == [p.id for p in a.passages_of("wild2024")]


def test_a_server_on_a_new_host_builds_its_cache_from_the_database(
    open_server: Callable[[str], Library],
) -> None:
    a = open_server("a")
    a.add_data(bib("one2024", "night shifts"), "one.bib")
    a.add_data(bib("two2024", "peer mentors"), "two.bib")
    fresh = open_server("new-host")
    assert {"one2024", "two2024"} <= {s.key for s in fresh.studies}
    assert [s.key for s in fresh.studies] == [s.key for s in a.studies]
    assert fresh._folder.held() == 2


def test_two_imports_through_two_servers_at_once_lose_nothing(
    open_server: Callable[[str], Library], database_url: str
) -> None:
    a, b = open_server("a"), open_server("b")
    errors: list[BaseException] = []

    def run(library: Library, key: str) -> None:
        try:
            library.add_data(bib(key, f"topic {key}"), f"{key}.bib")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(lib, key)) for lib, key in ((a, "ka"), (b, "kb"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    a._catch_up()
    b._catch_up()
    for library in (a, b):
        assert {"ka", "kb"} <= {s.key for s in library.studies}
    assert [s.key for s in a.studies] == [s.key for s in b.studies]
    assert rows(database_url, "SELECT generation FROM imports ORDER BY generation") == [(1,), (2,)]


def test_an_import_that_fails_before_its_commit_leaves_no_trace_anywhere(
    open_server: Callable[[str], Library], database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = open_server("a")
    import evidence.storage.shared as shared

    def broken(*args: Any, **kwargs: Any) -> int:
        raise DatabaseUnavailableError("the database at test went away; try again")

    monkeypatch.setattr(shared, "record_import", broken)  # a fault, injected
    with pytest.raises(DatabaseUnavailableError, match="try again"):
        a.add_data(bib("lost2024", "lost"), "lost.bib")
    with pytest.raises(NotFoundError):
        a.study("lost2024")
    assert rows(database_url, "SELECT count(*) FROM imports") == [(0,)]
    monkeypatch.undo()
    reopened = open_server("a")  # the folder is consistent: no stray import comes back
    assert "lost2024" not in {s.key for s in reopened.studies}
    reopened.add_data(bib("lost2024", "lost"), "lost.bib")
    assert reopened.study("lost2024")


def test_a_local_import_the_database_never_got_is_set_aside_at_the_next_start(
    open_server: Callable[[str], Library], tmp_path: Path, database_url: str
) -> None:
    a = open_server("a")
    a.add_data(bib("kept2024", "kept"), "kept.bib")
    folder = a._folder
    live = folder.read_live()
    # What a server killed after its local update and before its commit leaves behind.
    IndexFolder.add(folder, [("ghost.bib", bib("ghost2024", "ghost"))], live)
    a.close()
    reopened = open_server("a")
    keys = {s.key for s in reopened.studies}
    assert "kept2024" in keys and "ghost2024" not in keys
    aside = list((tmp_path / "a" / "imports" / "not-in-database").glob("*ghost.bib"))
    assert len(aside) == 1
    assert rows(database_url, "SELECT name FROM imports") == [("kept.bib",)]


def test_a_database_restart_is_survived(
    open_server: Callable[[str], Library], postgres: Any
) -> None:
    a, b = open_server("a"), open_server("b")
    b.follow()
    postgres.stop()
    try:
        assert a.search("peer support", k=1).hits  # answered from the local cache
        with pytest.raises(DatabaseUnavailableError, match="(?i)try again"):
            a.add_data(bib("down2024", "outage"), "down.bib")
        with pytest.raises(DatabaseUnavailableError, match="try again"):
            a.projects.create("During the outage", by="Ana")
    finally:
        postgres.start()
    a.add_data(bib("back2024", "after the restart"), "back.bib")  # the pool reconnected
    deadline = time.monotonic() + 30
    while "back2024" not in {s.key for s in b.studies} and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "back2024" in {s.key for s in b.studies}  # the follower reconnected by itself
    assert "down2024" not in {s.key for s in a.studies}


def test_a_database_newer_than_this_evidence_is_refused_with_what_to_do(
    open_server: Callable[[str], Library], database_url: str, tmp_path: Path, embedder: Any
) -> None:
    open_server("a").close()
    db = open_database(database_url)
    with db.transaction() as cur:
        cur.execute("INSERT INTO schema_version VALUES (999, 'future', 'later')")
    db.close()
    with pytest.raises(DatabaseError, match=r"schema version 999.*Upgrade evidence"):
        Library.open_or_build(
            [TINY], settings={"index_dir": tmp_path / "c", "database_url": database_url},
            embedder=embedder,
        )  # fmt: skip

"""Two `evidence serve` processes over one PostgreSQL (a throwaway cluster): an import
through one answers searches on the other within seconds; two imports at once, a server
killed mid-import and a database restart lose nothing and leave everything consistent."""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from evidence.database import open_database
from tests.conftest import DATA
from tests.servers import Server, study_bib, wait_for

pytestmark = [pytest.mark.model, pytest.mark.slow, pytest.mark.postgres]
VISIBLE_WITHIN = 10.0  # seconds: the bound


def query(url: str, sql: str) -> list[Any]:
    db = open_database(url, timeout=2)
    try:
        with db.transaction() as cur:
            cur.execute(sql)
            return list(cur.fetchall())
    finally:
        db.close()


@pytest.fixture(scope="module")
def cluster(
    postgres: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Server, Server, str]]:
    url = postgres.create_database()
    folder = tmp_path_factory.mktemp("servers")
    a = Server(folder / "a", url, DATA / "tiny.bib").start()
    b = Server(folder / "b", url, DATA / "tiny.bib").start()
    yield a, b, url
    for server in (a, b):
        server.stop()


def test_a_study_imported_through_one_server_answers_search_on_another_within_10_s(
    cluster: tuple[Server, Server, str],
) -> None:
    a, b, url = cluster
    status, body = a.import_file("dogs.bib", study_bib("canine2024", "therapy dogs in dispatch"))
    assert status == 200 and body["studies"] == 1, body
    seconds = wait_for(lambda: "canine2024" in b.search_keys("therapy dogs dispatch"), 10)
    assert seconds <= VISIBLE_WITHIN
    assert query(url, "SELECT name FROM imports") == [("dogs.bib",)]


def test_two_imports_through_two_servers_at_once_lose_nothing(
    cluster: tuple[Server, Server, str],
) -> None:
    a, b, url = cluster
    results: dict[str, Any] = {}

    def send(server: Server, key: str, topic: str) -> None:
        results[key] = server.import_file(f"{key}.bib", study_bib(key, topic))

    threads = [
        threading.Thread(target=send, args=(a, "yoga2024", "yoga for corrections officers")),
        threading.Thread(target=send, args=(b, "sauna2024", "sauna use after fireground shifts")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(status == 200 for status, _ in results.values()), results
    for server in (a, b):
        wait_for(lambda s=server: "yoga2024" in s.search_keys("yoga corrections officers"), 10)
        wait_for(lambda s=server: "sauna2024" in s.search_keys("sauna fireground shifts"), 10)
    generations = [row[0] for row in query(url, "SELECT generation FROM imports ORDER BY 1")]
    assert generations == list(range(1, len(generations) + 1))  # one each, none lost


def test_a_server_killed_mid_import_leaves_the_database_consistent(
    cluster: tuple[Server, Server, str],
) -> None:
    a, b, url = cluster
    before = query(url, "SELECT count(*), max(generation) FROM imports")[0]
    big = b"".join(study_bib(f"bulk{i:04d}", f"topic {i} of shift work", 12) for i in range(400))

    def send() -> None:
        try:
            a.import_file("bulk.bib", big, timeout=120)
        except (OSError, http.client.HTTPException):
            pass  # the server was killed under it, as intended

    sender = threading.Thread(target=send)
    sender.start()
    # The import holds its advisory lock from its first statement to its commit.
    wait_for(lambda: query(url, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")[0][0]
             > 0, 60, step=0.02)  # fmt: skip
    a.kill()
    sender.join()
    assert query(url, "SELECT count(*), max(generation) FROM imports")[0] == before
    assert query(url, "SELECT count(*) FROM studies WHERE key LIKE 'bulk%'") == [(0,)]
    assert query(url, "SELECT generation FROM library_state") == [(before[1],)]
    a.start()  # the same folder: its half-done import is discarded, the rest caught up
    assert "bulk0001" not in a.search_keys("topic 1 of shift work")
    assert "canine2024" in a.search_keys("therapy dogs dispatch")
    status, _ = a.import_file("after.bib", study_bib("after2024", "peer mentoring after a crash"))
    assert status == 200
    wait_for(lambda: "after2024" in b.search_keys("peer mentoring after a crash"), 10)


def test_a_database_restart_is_survived_by_both_servers(
    cluster: tuple[Server, Server, str], postgres: Any
) -> None:
    a, b, _ = cluster
    postgres.stop()
    try:
        assert "canine2024" in b.search_keys("therapy dogs dispatch")  # the local cache
        status, body = a.import_file("down.bib", study_bib("down2024", "outage"))
        assert status == 503 and "try again" in body["error"].lower()
        status, body = a.post_json("/api/projects", {"name": "P", "by": "Ana"})
        assert status == 503
    finally:
        postgres.start()
    started = time.monotonic()
    status, _ = a.import_file("back.bib", study_bib("back2024", "return to duty programmes"))
    assert status == 200
    wait_for(lambda: "back2024" in b.search_keys("return to duty programmes"), 15)
    assert time.monotonic() - started < 30
    status, body = a.post_json("/api/projects", {"name": "After", "by": "Ana"})
    assert status == 200
    token = body["token"]
    project = body["project"]["id"]
    status, seen = b.get_with_token(f"/api/projects/{project}", token)
    assert status == 200 and seen["project"]["name"] == "After"

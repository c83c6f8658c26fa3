"""Every input has a bound: malformed requests are a 400 (never a 500), no response shows
this machine's folders, heavy work waits in a small pool, and the real server's own
answers and its connections are bounded too."""

from __future__ import annotations

import json
import select
import signal
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from evidence import Library, Settings
from tests.webui.conftest import make_app
from webui import serve as serve_module
from webui.hardening import HeavyPool, loopback_host
from webui.security import token_weakness

HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options")


# ---- Host ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "ok"),
    [
        ("127.0.0.1:5000", True),
        ("127.0.0.2:5001", True),
        ("localhost", True),
        ("LOCALHOST:80", True),
        ("[::1]:5000", True),
        ("evil.example", False),
        ("127.0.0.1.evil.example", False),
        ("", False),
    ],
)
def test_loopback_host_names(host: str, ok: bool) -> None:
    assert loopback_host(host) is ok


@pytest.mark.parametrize("path", ["/", "/studies/nope", "/api/search?q=x", "/no/such/page"])
def test_a_foreign_host_on_a_loopback_server_is_a_plain_400_with_headers(
    web_library: Library, path: str
) -> None:
    client = make_app(web_library, LOOPBACK_ONLY=True).test_client()
    response = client.get(path, headers={"Host": "rebound.evil.example"})
    assert response.status_code == 400 and response.mimetype == "text/plain"
    assert all(name in response.headers for name in HEADERS)
    ok = client.get("/api/openapi.json", headers={"Host": "127.0.0.2:5000"})
    assert ok.status_code == 200


# ---- malformed input -----------------------------------------------------------------------


@pytest.mark.parametrize("route", ["/api/talking-points", "/api/basket", "/api/export"])
def test_json_nested_too_deep_is_a_400(client: Any, route: str) -> None:
    body = "[" * 5000 + "]" * 5000
    response = client.post(route, data=body, content_type="application/json")
    assert response.status_code == 400 and response.get_json()["ok"] is False


def test_lone_surrogates_in_json_are_a_400(client: Any) -> None:
    body = '{"query": "peer support \\ud800", "k": 3}'
    response = client.post("/api/talking-points", data=body, content_type="application/json")
    assert response.status_code == 400


def test_control_characters_in_an_export_title_are_dropped_not_a_500(
    client: Any, web_library: Library
) -> None:
    pid = web_library.passages[1].id
    for fmt in ("docx", "pptx", "md"):
        body = {"passage_ids": [pid], "format": fmt, "title": "Bad\x00 title\x07\x1b"}
        response = client.post("/api/export", json=body)
        assert response.status_code == 200, response.get_data(as_text=True)
    body = {"passage_ids": [pid], "format": "docx", "title": "Not text: \ufffe\uffff"}
    assert client.post("/api/export", json=body).status_code == 400


@pytest.mark.parametrize(
    "target",
    ["/%09/evil.example", "//evil.example", "/\\evil.example", "/a\r\nSet-Cookie: x=1", "http://x"],
)
def test_the_basket_never_redirects_off_site(
    client: Any, web_library: Library, target: str
) -> None:
    key = web_library.studies[0].key
    response = client.post("/basket", data={"action": "add", "item": key, "next": target})
    assert response.status_code == 303 and response.headers["Location"].endswith("/basket")


def test_a_same_site_next_is_kept(client: Any, web_library: Library) -> None:
    key = web_library.studies[0].key
    target = "/?q=peer%20support&page=2"
    response = client.post("/basket", data={"action": "add", "item": key, "next": target})
    assert response.headers["Location"].endswith(target)


def test_an_upload_with_a_very_long_name_is_imported(writable_app: Flask) -> None:
    client = writable_app.test_client()
    bib = b"@article{longname1, author = {Doe, J}, title = {Long names}, year = 2020}\n"
    name = "x" * 300 + ".bib"
    response = client.post(
        "/api/import",
        data={"file": (__import__("io").BytesIO(bib), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["imported"][0]["key"] == "longname1"


# ---- no folders of this machine in any response ------------------------------------------


def test_study_json_has_a_source_label_and_no_paths(client: Any, web_library: Library) -> None:
    key = web_library.studies[0].key
    text = client.get(f"/api/studies/{key}").get_data(as_text=True)
    data = json.loads(text)
    assert data["study"]["source"] == "tiny.bib" and "source_file" not in data["study"]
    assert str(web_library.index_dir) not in text and "/tests/" not in text
    search = client.get("/api/search?q=peer+support").get_data(as_text=True)
    assert "source_file" not in search and "/tests/" not in search


def test_not_found_messages_name_no_folder(client: Any, web_library: Library) -> None:
    for path in ("/api/studies/nope", "/studies/nope"):
        text = client.get(path).get_data(as_text=True)
        assert "nope" in text and str(web_library.index_dir) not in text


# ---- status details ------------------------------------------------------------------------


def test_401_says_how_to_authenticate(writable_app: Flask) -> None:
    writable_app.config["TOKEN"] = "Correct-horse-battery-42"
    response = writable_app.test_client().post("/api/import", data=b"", content_type="text/plain")
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")


def test_heavy_work_beyond_the_pool_is_a_503_with_retry_after(web_library: Library) -> None:
    app = make_app(web_library, HEAVY_WORKERS=1, HEAVY_WAIT_SECONDS=0.0)
    pool: HeavyPool = app.extensions["evidence.heavy"]
    with pool.slot():  # someone else's audit holds the only place
        response = app.test_client().post("/api/audit", json={"text": "A draft."})
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert "busy" in response.get_json()["error"]
    assert app.test_client().post("/api/audit", json={"text": "A draft."}).status_code == 200


def test_heavy_work_queues_for_a_place_and_only_a_full_queue_is_refused_at_once() -> None:
    pool = HeavyPool(workers=1, wait=5.0, waiters=1)
    release, entered = threading.Event(), threading.Event()

    def hold() -> None:
        with pool.slot():
            release.wait(10)

    def queue() -> None:
        with pool.slot():
            entered.set()

    holder, waiter = threading.Thread(target=hold), threading.Thread(target=queue)
    holder.start()
    time.sleep(0.1)
    waiter.start()
    time.sleep(0.1)
    started = time.monotonic()
    with pytest.raises(Exception, match="busy"), pool.slot():  # place and queue both taken
        pass
    assert time.monotonic() - started < 0.5 and not entered.is_set()
    audits = HeavyPool(workers=1, wait=5.0, waiters=10, audit_waiters=0, audit_wait=0.2)
    with audits.slot():
        started = time.monotonic()
        with pytest.raises(Exception, match="busy"), audits.slot(audit=True):
            pass  # an audit does not queue here
        assert time.monotonic() - started < 0.5
    release.set()  # the running one ends: the queued one gets its place
    assert entered.wait(5)
    holder.join(5)
    waiter.join(5)


def test_a_request_over_its_time_limit_is_a_503_that_says_so(web_library: Library) -> None:
    app = make_app(web_library, HEAVY_TIME_LIMIT=0.0)
    draft = "Peer support helps (Smith et al., 2020). " * 5000
    response = app.test_client().post("/api/audit", json={"text": draft})
    assert response.status_code == 503 and "longer than the 0 s" in response.get_json()["error"]


@pytest.mark.parametrize(
    "token", ["short", " " * 16, "a" * 24, "abcdefghijklmnopqrst", "abcd1234" * 3]
)
def test_weak_tokens_are_refused(token: str) -> None:
    assert token_weakness(token)


def test_a_strong_token_is_accepted() -> None:
    assert token_weakness("Correct-horse-battery-42") == ""


# ---- the real server -----------------------------------------------------------------------


@pytest.fixture
def bounded_server(web_library: Library) -> Iterator[tuple[str, int]]:
    """The server `evidence serve` runs (connection limits, hardened error answers), with a
    one-second limit to send a request, on a free loopback port."""
    app = make_app(web_library)
    settings = Settings.resolve(
        {"port": 0, "server_channel_timeout": 2, "server_request_timeout": 1}
    )
    server = serve_module.create_bounded_server(app, settings, threads=2)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield "127.0.0.1", server.effective_port
    server.close()
    server.task_dispatcher.shutdown()
    thread.join(timeout=10)


def raw_request(address: tuple[str, int], data: bytes) -> bytes:
    with socket.create_connection(address, timeout=10) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_waitress_own_error_answers_carry_the_security_headers(
    bounded_server: tuple[str, int],
) -> None:
    malformed = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nno colon in this header\r\n\r\n"
    answer = raw_request(bounded_server, malformed).decode("latin-1")
    assert answer.split("\r\n", 1)[0].endswith("400 Bad Request")
    for name in HEADERS:
        assert f"\r\n{name}:" in answer


def test_a_client_that_sends_its_request_too_slowly_is_cut_off(
    bounded_server: tuple[str, int],
) -> None:
    with socket.create_connection(bounded_server, timeout=15) as sock:
        sock.sendall(b"GET /api/health HTTP/1.1\r\n")
        started = time.monotonic()
        closed = False
        for _ in range(12):  # one header line a second: never idle, never done
            time.sleep(1)
            try:
                sock.sendall(b"X-Slow: 1\r\n")
                readable, _, _ = select.select([sock], [], [], 0)
                closed = bool(readable) and sock.recv(1) == b""
            except OSError:
                closed = True
            if closed:
                break
        assert closed and time.monotonic() - started < 11


def test_serve_stops_on_sigterm_as_on_ctrl_c(monkeypatch: pytest.MonkeyPatch) -> None:
    class Opened:
        studies: list[Any] = []
        passages: list[Any] = []
        shared = False

        def search(self, query: str) -> list[Any]:
            return []

        def follow(self) -> None:
            pass

    class Server:
        def run(self) -> None:
            pass

    monkeypatch.setattr(Library, "open_or_build", staticmethod(lambda **_: Opened()))
    monkeypatch.setattr(serve_module, "create_bounded_server", lambda *a, **k: Server())
    monkeypatch.setattr(serve_module, "use_worker_processes", lambda workers: None)
    previous = signal.getsignal(signal.SIGTERM)
    try:
        serve_module.serve(port=0)
        handler = signal.getsignal(signal.SIGTERM)
        assert callable(handler)
        with pytest.raises(SystemExit):
            handler(signal.SIGTERM, None)
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_IGN  # a second one is ignored
    finally:
        signal.signal(signal.SIGTERM, previous)

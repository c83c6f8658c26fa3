"""Web security: headers on every response, no inline script, everything escaped (also in
a real browser), uploads refused by size and type before they are parsed, the import
token, no path traversal, never debug mode, and no start beyond loopback without a token."""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from evidence import Library
from tests.webui.conftest import TINY, make_app
from webui import serve as serve_module
from webui.security import HEADER, UnsafeServer

pytestmark = pytest.mark.model

TOKEN = "correct-horse-battery-staple-42"
WRONG = "not-the-token-but-long-enough"
PAYLOAD = "<script>alert('xss')</script><img src=x onerror=alert(7)>"
HOSTILE_BIB = f"""
@article{{evil2024,
  author = {{Payload, {PAYLOAD}}},
  title = {{Hostile {PAYLOAD} title}},
  journal = {{J {PAYLOAD}}},
  year = {{2024}},
  url = {{javascript:alert(3)}},
  abstract = {{An abstract about night shifts {PAYLOAD} and sleep.}},
}}
@article{{broken {PAYLOAD},
  title = {{unclosed
"""


def upload(data: bytes, name: str = "refs.bib", **fields: str) -> dict[str, Any]:
    return {"file": (io.BytesIO(data), name), **fields}


@pytest.fixture
def token_app(writable_app: Flask) -> Flask:
    writable_app.config["TOKEN"] = TOKEN
    return writable_app


# ---- headers and inline code -------------------------------------------------------------

ROUTES = [
    ("get", "/", {}),
    ("get", "/?q=stigma", {}),
    ("get", "/studies/xss2022probe", {}),
    ("get", "/studies/nope", {}),
    ("get", "/basket", {}),
    ("get", "/proposal", {}),
    ("get", "/import", {}),
    ("get", "/audit", {}),
    ("get", "/api/search?q=stigma", {}),
    ("get", "/api/studies/nope", {}),
    ("get", "/api/openapi.json", {}),
    ("get", "/static/style.css", {}),
    ("get", "/static/app.js", {}),
    ("get", "/no-such-page", {}),
    ("get", "/api/import", {}),  # 405
    ("post", "/api/export", {"json": {"keys": ["alpha2020peer"], "format": "md"}}),
    ("post", "/api/import", {"data": b"x" * (6 * 1024 * 1024), "content_type": "text/plain"}),
]


@pytest.mark.parametrize(("method", "path", "kwargs"), ROUTES, ids=[r[1][:40] for r in ROUTES])
def test_every_response_carries_the_security_headers(
    client: FlaskClient, method: str, path: str, kwargs: dict[str, Any]
) -> None:
    response = getattr(client, method)(path, **kwargs)
    response.close()  # static files are streamed from an open file
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "default-src 'self'" in policy and "object-src 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


class InlineCode(HTMLParser):
    """Collects what a CSP without 'unsafe-inline' would block: inline scripts, event
    handler and style attributes, javascript: URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self.found.append("inline <script>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.found.append(f"<{tag} {name}=...>")
            if (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value!r}>")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


PAGES = ["/", "/?q=dispatchers+burnout", "/studies/xss2022probe", "/basket", "/proposal",
         "/import", "/audit", "/no-such"]  # fmt: skip


@pytest.mark.parametrize("path", PAGES)
def test_pages_have_no_inline_script_style_or_handlers(client: FlaskClient, path: str) -> None:
    """The CSP forbids them: any would be a broken page (and a hole if it carried data)."""
    html = client.get(path).get_data(as_text=True)
    assert inline_code(html) == []


# ---- escaping ------------------------------------------------------------------------------


def test_the_query_is_escaped_wherever_it_is_echoed(client: FlaskClient) -> None:
    html = client.get("/", query_string={"q": PAYLOAD}).get_data(as_text=True)
    assert PAYLOAD not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in html


def test_an_imported_hostile_entry_is_text_on_every_page(writable_app: Flask) -> None:
    client = writable_app.test_client()
    report = client.post("/import", data=upload(HOSTILE_BIB.encode(), f"{PAYLOAD}.bib"))
    pages = [report, client.get("/studies/evil2024"), client.get("/?q=night+shifts+sleep")]
    client.post("/basket", data={"add": "evil2024", "next": "/basket"})
    pages += [client.get("/basket")]
    for response in pages:
        body = response.get_data(as_text=True)
        assert response.status_code == 200, body[:300]
        assert "<script>alert" not in body and "<img src=x" not in body
        assert inline_code(body) == []  # no handler, no javascript: link from the entry
    assert "Hostile &lt;script&gt;" in pages[1].get_data(as_text=True)
    # JSON carries the text as data, never as a page: nosniff and a JSON type
    api = client.get("/api/studies/evil2024")
    assert api.mimetype == "application/json" and api.headers["X-Content-Type-Options"] == "nosniff"


def test_a_hostile_draft_is_text_in_the_audit_report(client: FlaskClient) -> None:
    draft = f"Peer support works ({PAYLOAD}, 2020).\n\n## References\n\n{PAYLOAD} (2020). T.\n"
    html = client.post("/audit", data={"draft": draft}).get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(7)&gt;" in html


# ---- uploads: size and type before parsing -------------------------------------------------


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the files the library was asked to import (none may be, here)."""
    calls: list[str] = []
    monkeypatch.setattr(
        Library, "add_bibtex", lambda self, paths, progress=None: calls.append(str(paths))
    )
    return calls


@pytest.mark.parametrize("path", ["/import", "/api/import"])
def test_an_upload_over_the_limit_is_413_and_never_parsed(
    writable_app: Flask, parsed: list[str], path: str
) -> None:
    writable_app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    big = b"@article{k, title={" + b"x" * (80 * 1024) + b"}}"
    response = writable_app.test_client().post(path, data=upload(big))
    assert response.status_code == 413
    assert "larger than the 64 KB limit" in response.get_data(as_text=True)
    assert parsed == []


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        pytest.param(lambda: upload(b"@article{k,}", "library.exe"), None, id="extension"),
        pytest.param(lambda: b"@article{k,}", "application/octet-stream", id="raw-type"),
        pytest.param(lambda: b"<svg onload=alert(1)>", "image/svg+xml", id="svg"),
    ],
)
@pytest.mark.parametrize("path", ["/import", "/api/import"])
def test_an_upload_of_the_wrong_type_is_415_and_never_parsed(
    writable_app: Flask, parsed: list[str], path: str, data: Any, content_type: str | None
) -> None:
    response = writable_app.test_client().post(path, data=data(), content_type=content_type)
    assert response.status_code == 415
    assert parsed == []


# ---- the import token ------------------------------------------------------------------------


def test_without_the_token_an_import_is_401_and_changes_nothing(token_app: Flask) -> None:
    client = token_app.test_client()
    before = client.get("/api/health").get_json()["studies"]
    for headers in ({}, {HEADER: WRONG}, {"Authorization": f"Bearer {WRONG}"}):
        response = client.post("/api/import", data=upload(HOSTILE_BIB.encode()), headers=headers)
        data = response.get_json()
        assert response.status_code == 401 and data["ok"] is False and data["status"] == 401
        assert WRONG not in response.get_data(as_text=True)
    assert client.get("/api/health").get_json()["studies"] == before


@pytest.mark.parametrize(
    "headers", [{HEADER: TOKEN}, {"Authorization": f"Bearer {TOKEN}"}], ids=["header", "bearer"]
)
def test_with_the_token_the_api_imports(token_app: Flask, headers: dict[str, str]) -> None:
    response = token_app.test_client().post(
        "/api/import", data=upload(HOSTILE_BIB.encode()), headers=headers
    )
    assert response.status_code == 200 and response.get_json()["studies"] == 1


def test_the_import_form_takes_the_token_and_never_shows_it(token_app: Flask) -> None:
    client = token_app.test_client()
    page = client.get("/import").get_data(as_text=True)
    assert 'type="password" id="token" name="token"' in page and TOKEN not in page
    refused = client.post("/import", data=upload(HOSTILE_BIB.encode(), token=WRONG))
    assert refused.status_code == 401
    body = refused.get_data(as_text=True)
    assert "access token is not this server" in body and WRONG not in body and TOKEN not in body
    accepted = client.post("/import", data=upload(HOSTILE_BIB.encode(), token=TOKEN))
    assert accepted.status_code == 200 and TOKEN not in accepted.get_data(as_text=True)
    assert "Imported 1 study" in accepted.get_data(as_text=True)


def test_routes_that_change_nothing_need_no_token(token_app: Flask) -> None:
    client = token_app.test_client()
    assert client.get("/api/search?q=stigma").status_code == 200
    assert client.post("/api/basket", json={"add": ["alpha2020peer"]}).status_code == 200
    assert client.post("/api/audit", json={"text": "Peer support works."}).status_code == 200


def test_without_a_configured_token_imports_need_none(writable_app: Flask) -> None:
    """The default: a loopback server (one person's machine) needs no token."""
    assert writable_app.config["TOKEN"] is None
    response = writable_app.test_client().post("/api/import", data=upload(HOSTILE_BIB.encode()))
    assert response.status_code == 200
    assert 'name="token"' not in writable_app.test_client().get("/import").get_data(as_text=True)


# ---- path traversal --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["../../../../tmp/evil.bib", "..\\..\\evil.bib", "/etc/evil.bib"])
def test_upload_names_cannot_leave_the_imports_folder(writable_app: Flask, name: str) -> None:
    client = writable_app.test_client()
    library: Library = writable_app.extensions["evidence"]
    response = client.post("/api/import", data=upload(HOSTILE_BIB.encode(), name))
    raw = client.post(
        "/api/import",
        data=HOSTILE_BIB.replace("2024", "2025").encode(),  # another study, not the same again
        content_type="application/x-bibtex",
        query_string={"filename": name},
    )
    assert response.status_code == raw.status_code == 200
    shown = {p["file"] for r in (response, raw) for p in r.get_json()["problems"]}
    assert all("/" not in f and "\\" not in f and ".." not in f for f in shown), shown
    copies = list((library.index_dir / "imports").iterdir())
    assert len(copies) == 2 and all(c.parent == library.index_dir / "imports" for c in copies)
    assert not Path("/tmp/evil.bib").exists() and not Path("/etc/evil.bib").exists()


def test_export_file_names_cannot_carry_a_path(client: FlaskClient) -> None:
    response = client.post(
        "/api/export", json={"keys": ["alpha2020peer"], "format": "md", "title": "../../etc/passwd"}
    )
    disposition = response.headers["Content-Disposition"]
    assert response.status_code == 200 and "/" not in disposition and ".." not in disposition
    assert disposition.endswith("filename=etc-passwd.md")


@pytest.mark.parametrize(
    "path",
    ["/static/../__init__.py", "/static/%2e%2e/__init__.py", "/static/..%2f__init__.py",
     "/studies/..%2f..%2fetc%2fpasswd", "/api/studies/../../etc/passwd"],
)  # fmt: skip
def test_no_route_serves_a_file_outside_its_folder(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    body = response.get_data(as_text=True)
    response.close()
    assert response.status_code == 404
    assert "def create_app" not in body and "root:" not in body


# ---- debug mode and serving beyond loopback ---------------------------------------------------


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """`serve()` with the library and waitress replaced by recorders."""
    calls: list[dict[str, Any]] = []

    class Opened:
        studies: list[Any] = []
        passages: list[Any] = []
        shared = False

        def search(self, query: str) -> list[Any]:
            return []

        def follow(self) -> None:
            pass

    def open_or_build(settings: Any, progress: Any = None) -> Opened:
        calls.append({"opened": settings})
        return Opened()

    monkeypatch.setattr(Library, "open_or_build", staticmethod(open_or_build))

    class Server:
        def run(self) -> None:
            pass

    def create_server(app: Any, settings: Any, threads: int) -> Server:
        calls.append({"app": app, "host": settings.host, "port": settings.port})
        return Server()

    monkeypatch.setattr(serve_module, "create_bounded_server", create_server)
    monkeypatch.setattr(serve_module, "use_worker_processes", lambda workers: None)
    for name in ("EVIDENCE_HOST", "EVIDENCE_PORT", "EVIDENCE_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return calls


def test_the_served_app_is_never_in_debug_mode(
    served: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLASK_DEBUG", "1")
    serve_module.serve()
    app = served[-1]["app"]
    assert app.debug is False and app.config["DEBUG"] is False
    assert app.config["PROPAGATE_EXCEPTIONS"] is not True


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "example.org"])
def test_no_start_beyond_loopback_without_a_token(served: list[dict[str, Any]], host: str) -> None:
    with pytest.raises(
        UnsafeServer, match=rf"refusing to listen on {re.escape(host)}.*EVIDENCE_TOKEN"
    ):
        serve_module.serve(host=host)
    assert served == []  # refused before the library was opened


def test_a_short_token_is_refused_beyond_loopback(
    served: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVIDENCE_TOKEN", "short")
    with pytest.raises(UnsafeServer, match="at least 16"):
        serve_module.serve(host="0.0.0.0")


def test_beyond_loopback_with_a_token_imports_need_it(
    served: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVIDENCE_TOKEN", TOKEN)
    serve_module.serve(host="0.0.0.0")
    assert served[-1]["host"] == "0.0.0.0" and served[-1]["app"].config["TOKEN"] == TOKEN


def test_a_loopback_server_starts_without_a_token(served: list[dict[str, Any]]) -> None:
    serve_module.serve()
    assert served[-1]["host"] == "127.0.0.1" and served[-1]["app"].config["TOKEN"] is None


# ---- in a real browser -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def token_server(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> Iterator[str]:
    """A real waitress server with an import token, over a private writable library."""
    from waitress.server import create_server

    index_dir = tmp_path_factory.mktemp("security-index")
    library = Library.build([TINY], index_dir=index_dir, embedder=embedder)
    app = make_app(library, TESTING=False, TOKEN=TOKEN)
    server: Any = create_server(app, host="127.0.0.1", port=0, threads=2)
    thread = threading.Thread(target=server.run, name="waitress-security", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    server.task_dispatcher.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def watched(page: Page) -> dict[str, list[str]]:
    """Dialogs the page opens and CSP violations it reports (there must be none)."""
    seen: dict[str, list[str]] = {"dialogs": [], "csp": []}

    def dialog(d: Any) -> None:
        seen["dialogs"].append(d.message)
        d.dismiss()

    def console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            seen["csp"].append(message.text)

    page.on("dialog", dialog)
    page.on("console", console)
    return seen


@pytest.mark.browser
def test_no_page_breaks_the_content_security_policy(
    page: Page, watched: dict[str, list[str]]
) -> None:
    for path in ["/", "/?q=dispatchers+burnout+breaks", "/studies/xss2022probe", "/basket",
                 "/proposal", "/import", "/audit", "/no-such-page"]:  # fmt: skip
        page.goto(path)
        page.wait_for_load_state("load")
    page.goto("/")
    page.get_by_label("Claim or question").fill("stigma police")
    page.get_by_role("button", name="Search", exact=True).click()
    card = page.locator("li.card.hit").first
    card.get_by_role("button", name=re.compile("^Add .*to basket$")).first.click()
    page.goto("/basket")
    page.wait_for_timeout(300)
    assert watched == {"dialogs": [], "csp": []}


@pytest.mark.browser
def test_a_hostile_import_and_draft_render_as_text_in_the_browser(
    browser: Browser, token_server: str, tmp_path: Path
) -> None:
    context = browser.new_context(base_url=token_server)
    page = context.new_page()
    opened: list[str] = []
    page.on("dialog", lambda d: (opened.append(d.message), d.dismiss()))
    try:
        bib = tmp_path / "hostile.bib"
        bib.write_text(HOSTILE_BIB, encoding="utf-8")
        page.goto("/import")
        page.get_by_label("Reference file").set_input_files(str(bib))
        page.get_by_label("Access token").fill(WRONG)
        page.get_by_role("button", name="Import").click()
        expect(page.locator(".error")).to_contain_text("access token is not this server")
        assert WRONG not in page.content() and TOKEN not in page.content()
        page.get_by_label("Reference file").set_input_files(str(bib))
        page.get_by_label("Access token").fill(TOKEN)
        page.get_by_role("button", name="Import").click()
        report = page.get_by_role("heading", name=re.compile("^Imported"))
        expect(report).to_contain_text("Imported 1 study")
        expect(page.locator("section.report")).to_contain_text(f"Hostile {PAYLOAD} title")
        assert TOKEN not in page.content()
        page.get_by_role("link", name=re.compile("Hostile")).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(f"Hostile {PAYLOAD} title")
        page.goto("/audit")
        page.get_by_label("Draft text").fill(f"Sleep improves ({PAYLOAD}, 2020).")
        page.get_by_role("button", name=re.compile("Audit|Check")).click()
        expect(page.locator("main")).to_contain_text(PAYLOAD)
        page.wait_for_timeout(300)  # give any injected handler the chance to fire
        assert opened == []
    finally:
        context.close()

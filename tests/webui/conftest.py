"""Fixtures of the web UI tests: app/client/runner (flaskr's trio), a writable app for
imports, and for browser tests a real waitress server on 127.0.0.1 driven by Debian's
chromium through Playwright (never a downloaded browser)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from evidence import Library

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
TINY = HERE.parent / "data" / "tiny.bib"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
XSS_TITLE = "<script>alert(1)</script>"


@pytest.fixture(scope="session")
def web_library(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> Library:
    """tiny.bib plus webui.bib (an XSS probe title, more designs and years), real model.
    Read-only: tests that import build their own (`writable_app`)."""
    index_dir = tmp_path_factory.mktemp("webui-index")
    return Library.build([TINY, DATA / "webui.bib"], index_dir=index_dir, embedder=embedder)


def make_app(library: Library, **config: Any) -> Flask:
    from webui import create_app

    return create_app({"TESTING": True, "SECRET_KEY": "test-secret", **config}, library=library)


@pytest.fixture
def app(web_library: Library) -> Flask:
    return make_app(web_library)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def writable_app(tmp_path: Path, embedder: Any) -> Flask:
    """An app over a private library of tiny.bib that imports may change."""
    library = Library.build([TINY], index_dir=tmp_path / "index", embedder=embedder)
    return make_app(library)


@pytest.fixture(scope="session")
def live_server(web_library: Library) -> Iterator[str]:
    """A real waitress server (the one `evidence serve` runs) on a free 127.0.0.1 port."""
    from waitress.server import create_server

    from webui import create_app

    app = create_app({"SECRET_KEY": "browser-tests"}, library=web_library)
    server: Any = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, name="waitress-test", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    server.task_dispatcher.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    """pytest-playwright resolves `page.goto("/...")` against this."""
    return live_server


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's chromium, headless, no sandbox; Playwright gives each launch a fresh
    temporary profile (user-data-dir)."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: browser tests drive Debian's chromium. Run `make test` "
            "(it installs it) or `apt-get install -y chromium`; never `playwright install`."
        )
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "accept_downloads": True}

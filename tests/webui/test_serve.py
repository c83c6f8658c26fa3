"""`evidence serve` / `webui.serve.serve`: options and EVIDENCE_* variables reach waitress,
the library is opened once, and a loopback server answers only loopback Host names."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from evidence import Library, Settings
from evidence.cli import main
from webui import serve as serve_module
from webui.security import is_loopback


class Recorder:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    """Replace the library and waitress with recorders (no model, no socket)."""
    record = Recorder()

    class FakeLibrary:
        studies: list[Any] = []
        passages: list[Any] = []

        shared = False

        def search(self, query: str) -> list[Any]:
            return []

        def follow(self) -> None:
            pass

    def open_or_build(settings: Any, progress: Any = None) -> FakeLibrary:
        record.calls.append({"open": settings})
        return FakeLibrary()

    class FakeServer:
        def run(self) -> None:
            record.calls[-1]["ran"] = True

    def fake_create_server(app: Any, settings: Any, threads: int) -> FakeServer:
        kwargs = {"host": settings.host, "port": settings.port, "threads": threads}
        record.calls.append({"serve": kwargs, "app": app})
        return FakeServer()

    monkeypatch.setattr(Library, "open_or_build", staticmethod(open_or_build))
    monkeypatch.setattr(serve_module, "create_bounded_server", fake_create_server)
    monkeypatch.setattr(serve_module, "use_worker_processes", lambda workers: None)
    for name in (
        "EVIDENCE_HOST",
        "EVIDENCE_PORT",
        "EVIDENCE_INDEX",
        "EVIDENCE_INDEX_DIR",
        "EVIDENCE_CORPUS",
        "EVIDENCE_SERVER_THREADS",
    ):
        monkeypatch.delenv(name, raising=False)
    return record


def test_defaults_are_loopback_port_5000(recorded: Recorder) -> None:
    serve_module.serve()
    opened, served = recorded.calls
    assert served["serve"]["host"] == "127.0.0.1" and served["serve"]["port"] == 5000
    assert served["serve"]["threads"] == Settings().server_threads and served["ran"]
    assert served["app"].config["LOOPBACK_ONLY"] is True
    assert served["app"].debug is False
    assert opened["open"].index_dir.name == "index"


def test_cli_options_reach_the_server(
    recorded: Recorder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVIDENCE_TOKEN", "A-token-of-24-characters")  # needed beyond loopback
    result = CliRunner().invoke(
        main, ["serve", "--host", "0.0.0.0", "--port", "8123", "--index", str(tmp_path / "ix")]
    )
    assert result.exit_code == 0, result.output
    opened, served = recorded.calls
    assert served["serve"]["host"] == "0.0.0.0" and served["serve"]["port"] == 8123
    assert served["app"].config["LOOPBACK_ONLY"] is False
    assert opened["open"].index_dir == tmp_path / "ix"


def test_environment_variables_are_the_fallback(
    recorded: Recorder, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("EVIDENCE_PORT", "5055")
    monkeypatch.setenv("EVIDENCE_INDEX", str(tmp_path / "env-index"))
    monkeypatch.setenv("EVIDENCE_CORPUS", str(tmp_path / "my.bib"))
    monkeypatch.setenv("EVIDENCE_SERVER_THREADS", "6")
    serve_module.serve()
    opened, served = recorded.calls
    assert served["serve"]["port"] == 5055 and served["serve"]["threads"] == 6
    assert opened["open"].index_dir == tmp_path / "env-index"
    assert opened["open"].corpus == (tmp_path / "my.bib",)


def test_a_loopback_server_refuses_foreign_host_names(recorded: Recorder) -> None:
    serve_module.serve()
    app = recorded.calls[1]["app"]
    client = app.test_client()
    assert client.get("/api/openapi.json", headers={"Host": "127.0.0.1:5000"}).status_code == 200
    assert client.get("/api/openapi.json", headers={"Host": "localhost:5000"}).status_code == 200
    assert client.get("/api/openapi.json", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/api/openapi.json", headers={"Host": "127.0.0.2:80"}).status_code == 200


@pytest.mark.parametrize("host", ["::1", "127.0.0.2"])
def test_a_server_on_any_loopback_address_answers_its_own_host_name(
    recorded: Recorder, host: str
) -> None:
    serve_module.serve(host=host)
    client = recorded.calls[1]["app"].test_client()
    shown = f"[{host}]:5000" if ":" in host else f"{host}:5000"
    assert client.get("/api/openapi.json", headers={"Host": shown}).status_code == 200


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("192.168.1.5", False),
        ("example.org", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_a_busy_port_is_a_one_line_error_with_what_to_do(recorded: Recorder) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--port", str(port)])
    assert result.exit_code == 1 and recorded.calls == []  # the library was never opened
    assert result.output.strip() == (
        f"Error: port {port} on 127.0.0.1 is already in use (another `evidence serve`?). "
        f"Stop it, or pick another port: EVIDENCE_PORT={port + 1} make run, or evidence serve "
        f"--port {port + 1}."
    )

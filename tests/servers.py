"""Real `evidence serve` processes on loopback ports, for the multi-server tests and
`benchmarks/bench_cluster.py`: start, ask, import, kill."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from tests.postgres import free_port

ROOT = Path(__file__).resolve().parent.parent


class Server:
    """One `evidence serve` over `index_dir` and the database at `database_url`."""

    def __init__(self, index_dir: Path, database_url: str, corpus: Path,
                 env: dict[str, str] | None = None) -> None:  # fmt: skip
        self.index_dir = index_dir
        self.database_url = database_url
        self.corpus = corpus
        self.extra_env = env or {}
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.log = index_dir.parent / f"{index_dir.name}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 300) -> Server:
        """Start it and wait until /api/health answers. Raises RuntimeError with its log."""
        self.port = free_port()
        env = dict(
            os.environ,
            EVIDENCE_DATABASE_URL=self.database_url,
            EVIDENCE_CORPUS=str(self.corpus),
            EVIDENCE_DATABASE_POLL_SECONDS="1",
            EVIDENCE_DATABASE_TIMEOUT="2",
            **self.extra_env,
        )
        env.pop("EVIDENCE_TOKEN", None)
        command = [sys.executable, "-m", "evidence", "serve", "--host", "127.0.0.1",
                   "--port", str(self.port), "--index", str(self.index_dir)]  # fmt: skip
        self.index_dir.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited: {self.log.read_text()[-3000:]}")
            try:
                if self.get("/api/health")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the server did not start: {self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def get(self, path: str, timeout: float = 30) -> tuple[int, dict[str, Any]]:
        return self._send(urllib.request.Request(self.url + path), timeout)

    def get_with_token(self, path: str, token: str) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(self.url + path, headers={"X-Project-Token": token})
        return self._send(request, 30)

    def post_json(self, path: str, body: dict[str, Any],
                  headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:  # fmt: skip
        request = urllib.request.Request(
            self.url + path, data=json.dumps(body).encode(), method="POST",
            headers={"Content-Type": "application/json", **(headers or {})},
        )  # fmt: skip
        return self._send(request, 60)

    def import_file(
        self, name: str, data: bytes, timeout: float = 300
    ) -> tuple[int, dict[str, Any]]:
        """POST /api/import as a browser form would (multipart field ``file``)."""
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="{name}"\r\nContent-Type: application/x-bibtex\r\n\r\n'
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        request = urllib.request.Request(
            self.url + "/api/import", data=body, method="POST",
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )  # fmt: skip
        return self._send(request, timeout)

    def search_keys(self, query: str, k: int = 10) -> list[str]:
        status, body = self.get("/api/search?" + urllib.parse.urlencode({"q": query, "k": k}))
        if status != 200:
            return []
        return [hit["study"]["key"] for hit in body.get("hits", [])]

    def _send(self, request: urllib.request.Request, timeout: float) -> tuple[int, dict[str, Any]]:
        request.add_header("Accept", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            try:
                return error.code, json.loads(error.read() or b"{}")
            except ValueError:
                return error.code, {}


def study_bib(key: str, topic: str, sentences: int = 2) -> bytes:
    """One BibTeX entry about `topic` with an abstract of `sentences` sentences."""
    abstract = " ".join(
        f"In survey {n} of {topic}, {100 + n} responders reported the outcome we measured."
        for n in range(sentences)
    )
    return (
        f"@article{{{key},\n  title = {{{topic.capitalize()} among public safety staff}},\n"
        f"  author = {{Tester, Tess}},\n  year = {{2024}},\n  journal = {{Journal of Tests}},\n"
        f"  abstract = {{{abstract}}}\n}}\n\n"
    ).encode()


def wait_for(predicate: Any, timeout: float, step: float = 0.1) -> float:
    """Seconds until `predicate()` was true; raises AssertionError after `timeout`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(step)
    raise AssertionError(f"not true within {timeout} s")

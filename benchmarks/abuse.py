"""Hostile inputs against a live server on loopback, with bounded loops. Prints one table.

    .venv/bin/python benchmarks/abuse.py                # ~3 minutes on 2 cores

Starts `evidence serve` on a free 127.0.0.1 port over a private copy of the bundled
corpus's index (benchmarks/out/abuse-index), then sends each probe of issue 21 once —
quadratic drafts, a .docx zip bomb, a @string bomb, a 103 KB abstract, malformed JSON and
headers, open redirects, idle connections — and measures the health endpoint while 8
clients post 100 KB drafts, and a restart after `kill -9` in the middle of a 5,000-entry
import. For each: status, seconds, the server's RSS before and after. Targets (issue 21)
are printed under the table; the exit status is 1 when one is missed or any answer is 500.
Loopback only; every loop has a count or a deadline.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"
CITED = "Peer support helps (Smith et al., 2020; Jones, 2019). "


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    index: Path

    def rss_mb(self) -> float:
        try:
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 120,
    ) -> tuple[int, bytes, dict[str, str]]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.read(), dict(response.getheaders())
        finally:
            conn.close()


@dataclass
class Row:
    probe: str
    status: str
    seconds: float
    rss_before: float
    rss_after: float
    note: str = ""


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    targets: list[tuple[str, bool]] = field(default_factory=list)

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        print(f"  {row.probe}: {row.status} in {row.seconds:.2f} s {row.note}", flush=True)
        return row


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(index: Path, port: int | None = None) -> tuple[Server, float]:
    """`evidence serve` on loopback over `index`; the server and its seconds to healthy."""
    port = port or free_port()
    env = dict(os.environ, EVIDENCE_CORPUS=str(ROOT / "corpus"))
    env.pop("EVIDENCE_TOKEN", None)
    command = [
        sys.executable,
        "-m",
        "evidence",
        "serve",
        "--port",
        str(port),
        "--index",
        str(index),
    ]
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    server = Server(process, port, index)
    while time.monotonic() - started < 600:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with status {process.returncode}")
        try:
            if server.request("GET", "/api/health", timeout=5)[0] == 200:
                return server, time.monotonic() - started
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not become healthy")


def probe(report: Report, server: Server, name: str, method: str, path: str, **kw: Any) -> Row:
    before = server.rss_mb()
    started = time.monotonic()
    try:
        status, body, headers = server.request(method, path, **kw)
        shown, note = str(status), _note(status, body, headers)
    except OSError as exc:
        shown, note = "no answer", str(exc)
    return report.add(Row(name, shown, time.monotonic() - started, before, server.rss_mb(), note))


def _note(status: int, body: bytes, headers: dict[str, str]) -> str:
    if 300 <= status < 400:
        return f"-> {headers.get('Location', '')}"
    kind = headers.get("Content-Type", "")
    if not kind.startswith(("application/json", "text/")):
        return f"a {len(body):,}-byte {kind.split(';')[0]} file"
    try:
        return str(json.loads(body).get("error", ""))[:70]
    except ValueError:
        return body[:70].decode("utf-8", "replace").replace("\n", " ")


def json_body(value: Any) -> dict[str, Any]:
    return {
        "body": json.dumps(value).encode(),
        "headers": {"Content-Type": "application/json"},
    }


def multipart(field_name: str, filename: str, data: bytes) -> dict[str, Any]:
    boundary = "----abuse-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field_name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return {"body": body, "headers": {"Content-Type": f"multipart/form-data; boundary={boundary}"}}


def zip_bomb(unpacked: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            block = b"<w:t>" + b" " * (1 << 20) + b"</w:t>"
            for _ in range(unpacked // len(block) + 1):
                part.write(block)
    return buffer.getvalue()


def string_bomb(levels: int = 40) -> bytes:
    lines = ['@string{s0 = "aaaaaaaaaaaaaaaa"}']
    lines += [f"@string{{s{n} = s{n - 1} # s{n - 1}}}" for n in range(1, levels + 1)]
    lines.append(f"@article{{bomb, title = s{levels}, author = {{Doe, J}}, year = 2020}}")
    return ("\n".join(lines) + "\n").encode()


def draft(size: int) -> str:
    return (CITED * (size // len(CITED) + 1))[:size]


def audits(report: Report, server: Server) -> None:
    times = {}
    for size in (100_000, 1_000_000):
        row = probe(report, server, f"audit, {size // 1000} KB of cited sentences", "POST",
                    "/api/audit", **json_body({"text": draft(size)}))  # fmt: skip
        times[size] = row.seconds
    ratio = times[1_000_000] / times[100_000]
    report.targets.append((f"audit of 1 MB <= 5 s ({times[1_000_000]:.2f} s)",
                           times[1_000_000] <= 5))  # fmt: skip
    report.targets.append((f"audit 100 KB -> 1 MB ratio <= 12 ({ratio:.1f})", ratio <= 12))


def bombs(report: Report, server: Server) -> None:
    # A first import loads what embedding passages needs; the bomb's cost is what follows.
    server.request("POST", "/api/import", **multipart("file", "warm.bib",
                   b"@article{warmup, title={Warm up}, author={Doe, J}, year=2020}\n"))  # fmt: skip
    docx = probe(report, server, "docx zip bomb (100 MB of XML)", "POST", "/api/audit",
                 **multipart("file", "bomb.docx", zip_bomb(100_000_000)))  # fmt: skip
    grew = docx.rss_after - docx.rss_before
    report.targets.append((f"docx bomb refused <= 1 s, RSS +{grew:.0f} MB <= 50",
                           docx.seconds <= 1 and grew <= 50 and docx.status == "400"))  # fmt: skip
    macro = probe(report, server, "@string bomb (2^40 expansion)", "POST", "/api/import",
                  **multipart("file", "bomb.bib", string_bomb()))  # fmt: skip
    grew = macro.rss_after - macro.rss_before
    report.targets.append((f"@string bomb reported <= 1 s, RSS +{grew:.0f} MB <= 50",
                           macro.seconds <= 1 and grew <= 50))  # fmt: skip
    abstract = " ".join(draft(103_000).split())
    bib = f"@article{{bigabstract, title = {{Big}}, author = {{Doe, J}}, year = 2020, " \
          f"abstract = {{{abstract}}}}}\n".encode()  # fmt: skip
    row = probe(report, server, "import of a 103 KB abstract", "POST", "/api/import",
                **multipart("file", "big.bib", bib))  # fmt: skip
    report.targets.append((f"103 KB abstract imported <= 1 s ({row.seconds:.2f} s)",
                           row.seconds <= 1 and row.status == "200"))  # fmt: skip


def malformed(report: Report, server: Server) -> None:
    probe(report, server, "foreign Host header", "GET", "/", headers={"Host": "evil.example"})
    probe(report, server, "JSON nested 5,000 deep", "POST", "/api/talking-points",
          body=b"[" * 5000 + b"]" * 5000, headers={"Content-Type": "application/json"})  # fmt: skip
    probe(report, server, "lone surrogate in JSON", "POST", "/api/talking-points",
          body=b'{"query": "x \\ud800"}', headers={"Content-Type": "application/json"})  # fmt: skip
    passage = first_passage(server)
    export = {"passage_ids": [passage], "format": "docx", "title": "a\x00b\x07"}
    probe(report, server, "control characters in an export title", "POST", "/api/export",
          **json_body(export))  # fmt: skip
    probe(report, server, "upload named with 300 characters", "POST", "/api/import",
          **multipart("file", "x" * 300 + ".bib",
                      b"@article{longname, title={T}, author={D, J}, year=2020}\n"))  # fmt: skip
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    key = passage.split("#")[0]
    for name, target in (("CR/LF in basket next", "/a%0d%0aSet-Cookie:%20x=1"),
                         ("next=/%09/evil.example", "/%09/evil.example")):  # fmt: skip
        probe(report, server, name, "POST", "/basket",
              body=f"action=add&item={key}&next={target}".encode(), headers=form)  # fmt: skip


def first_passage(server: Server) -> str:
    _, body, _ = server.request("GET", "/api/search?q=peer+support&k=1")
    return str(json.loads(body)["hits"][0]["passages"][0]["id"])


def idle_connections(report: Report, server: Server, count: int = 150) -> None:
    sockets = []
    try:
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            sock.sendall(b"GET /api/health HTTP/1.1\r\n")  # and never finish the request
            sockets.append(sock)
        row = probe(report, server, f"/api/health with {count} slow clients open", "GET",
                    "/api/health", timeout=30)  # fmt: skip
        report.targets.append((f"health answers beside {count} slow clients",
                               row.status == "200"))  # fmt: skip
    finally:
        for sock in sockets:
            sock.close()


def flood(report: Report, server: Server, clients: int = 8, seconds: float = 20) -> None:
    """/api/health latency while `clients` threads post 100 KB drafts for `seconds`."""
    stop = time.monotonic() + seconds
    body = json_body({"text": draft(100_000)})
    statuses: list[int] = []

    def post() -> None:
        while time.monotonic() < stop:
            try:
                statuses.append(server.request("POST", "/api/audit", timeout=60, **body)[0])
            except OSError:
                statuses.append(0)

    threads = [threading.Thread(target=post) for _ in range(clients)]
    for thread in threads:
        thread.start()
    latencies = []
    while time.monotonic() < stop:
        started = time.monotonic()
        server.request("GET", "/api/health", timeout=30)
        latencies.append((time.monotonic() - started) * 1000)
        time.sleep(0.1)
    for thread in threads:
        thread.join()
    p95 = statistics.quantiles(latencies, n=20)[-1] if len(latencies) > 1 else latencies[0]
    busy = sum(1 for s in statuses if s == 503)
    report.add(Row(f"/api/health during {clients} clients posting 100 KB drafts", "200",
                   p95 / 1000, 0, server.rss_mb(),
                   f"p95 {p95:.0f} ms; audits: {len(statuses)} sent, {busy} told 503 busy, "
                   f"{statuses.count(500)} 500s"))  # fmt: skip
    target = f"/api/health p95 <= 100 ms under the flood ({p95:.0f} ms)"
    report.targets.append((target, p95 <= 100))
    if 500 in statuses:
        report.rows.append(Row("audit during the flood", "500", 0, 0, 0))


def killed_import(report: Report, server: Server) -> Server:
    """Kill the server in the middle of a 5,000-entry import, start it again, time it."""
    _, body, _ = server.request("GET", "/api/health")
    before = json.loads(body)["studies"]
    entries = "".join(
        f"@article{{killed{n}, title = {{Study {n} of night shifts}}, author = {{Doe, J}}, "
        f"year = 2020, abstract = {{{CITED * 3}}}}}\n"
        for n in range(5000)
    ).encode()
    upload = threading.Thread(
        target=lambda: _quietly(
            server.request,
            "POST",
            "/api/import",
            timeout=300,
            **multipart("file", "big.bib", entries),
        ),  # fmt: skip
        daemon=True,
    )
    upload.start()
    time.sleep(3)  # parsing and embedding are under way
    server.process.send_signal(signal.SIGKILL)
    server.process.wait()
    restarted, seconds = start(server.index, server.port)
    _, body, _ = restarted.request("GET", "/api/health")
    after = json.loads(body)["studies"]
    report.add(Row("restart after kill -9 mid-import", "200", seconds, 0, restarted.rss_mb(),
                   f"studies before {before}, after {after}"))  # fmt: skip
    report.targets.append((f"restart after kill -9 serves <= 5 s with the old studies "
                           f"({seconds:.1f} s)", seconds <= 5 and after == before))  # fmt: skip
    return restarted


def _quietly(func: Any, *args: Any, **kwargs: Any) -> None:
    try:
        func(*args, **kwargs)
    except (OSError, http.client.HTTPException):
        pass


def main() -> int:
    OUT.mkdir(exist_ok=True)
    source = OUT / "http-index"
    index = OUT / "abuse-index"
    shutil.rmtree(index, ignore_errors=True)
    if source.exists():
        shutil.copytree(source, index)  # the bundled corpus's index, already built
    server, _ = start(index)
    report = Report()
    try:
        print("probes:", flush=True)
        audits(report, server)
        bombs(report, server)
        malformed(report, server)
        idle_connections(report, server)
        flood(report, server)
        server = killed_import(report, server)
    finally:
        server.process.terminate()
        server.process.wait(timeout=30)
    print(f"\n| {'input':52s} | status | seconds | RSS before -> after MB | note |")
    print(f"|{'-' * 54}|--------|---------|------------------------|------|")
    for row in report.rows:
        rss = f"{row.rss_before:.0f} -> {row.rss_after:.0f}" if row.rss_before else ""
        print(f"| {row.probe:52s} | {row.status:6s} | {row.seconds:7.2f} | {rss:22s} | "
              f"{row.note} |")  # fmt: skip
    errors = sum(1 for r in report.rows if r.status == "500")
    report.targets.append((f"0 responses with status 500 ({errors})", errors == 0))
    print("\ntargets (issue 21):")
    for text, met in report.targets:
        print(f"  [{'met' if met else 'MISSED'}] {text}")
    return 0 if all(met for _, met in report.targets) else 1


if __name__ == "__main__":
    sys.exit(main())

"""HTTP latency of `GET /api/search` on the bundled corpus, over loopback. Prints one table.

    .venv/bin/python benchmarks/bench_http.py                 # start a server, measure, stop it
    .venv/bin/python benchmarks/bench_http.py --url http://127.0.0.1:5000   # a running server

It starts `evidence serve` on a free 127.0.0.1 port with the index in
benchmarks/out/http-index (built from corpus/ on first run), warms it up, then sends
--requests requests (default 2,000) with 1 and then 8 concurrent clients, each client on
one keep-alive connection. Queries are distinct word windows taken from the corpus's own
titles, findings and abstracts (seeded), so no answer is served twice from any cache.
Reports p50/p95/p99/max latency, throughput and errors (a non-200 status, a body that is
not ``{"ok": true, ...}``, or a connection failure). Bounded: loopback only, at most
--requests per run and --deadline seconds in all. Targets (issue 6): with 8 clients,
p50 <= 30 ms and p95 <= 80 ms with 0 errors; the exit status is 1 when they are missed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
TARGET_P50_MS, TARGET_P95_MS = 30.0, 80.0
MAX_REQUESTS = 20_000


def corpus_queries(count: int, seed: int = 0) -> list[str]:
    """`count` distinct 2-7 word windows from the corpus's titles, findings and abstracts."""
    sys.path.insert(0, str(ROOT))
    from evidence import load_bibtex

    studies, _ = load_bibtex(sorted((ROOT / "corpus").glob("*.bib")))
    texts = [
        t
        for s in studies
        for t in (s.title, s.abstract, *(f.result for f in s.findings), *s.keywords)
        if t
    ]
    words = [re.findall(r"[A-Za-z][A-Za-z'-]+", text) for text in texts]
    words = [w for w in words if len(w) >= 2]
    rng = random.Random(seed)
    queries: list[str] = []
    seen: set[str] = set()
    while len(queries) < count and len(seen) < count * 20:
        chunk = rng.choice(words)
        size = rng.randint(2, min(7, len(chunk)))
        start = rng.randint(0, len(chunk) - size)
        query = " ".join(chunk[start : start + size])
        if query.lower() not in seen:
            seen.add(query.lower())
            queries.append(query)
    return queries


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(index_dir: Path, threads: int | None) -> tuple[subprocess.Popen[bytes], str]:
    """Start `evidence serve` on a free loopback port; return it and its URL once healthy."""
    port = free_port()
    env = dict(os.environ, EVIDENCE_CORPUS=str(ROOT / "corpus"))
    if threads:
        env["EVIDENCE_SERVER_THREADS"] = str(threads)
    command = [
        sys.executable,
        "-m",
        "evidence",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--index",
        str(index_dir),
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600  # first run builds the index
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with status {server.returncode}")
        try:
            status, _ = get(http.client.HTTPConnection("127.0.0.1", port, timeout=5), "/api/health")
            if status == 200:
                return server, url
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("the server did not become healthy within 600 s")


def health(url: str) -> dict[str, Any]:
    """The server's /api/health (its search and batch counters), or {} when unavailable."""
    parts = urllib.parse.urlsplit(url)
    try:
        _, body = get(
            http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10),
            "/api/health",
        )
        data: dict[str, Any] = json.loads(body)
        return data
    except (OSError, ValueError, http.client.HTTPException):
        return {}


def get(conn: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    conn.request("GET", path, headers={"Accept": "application/json"})
    response = conn.getresponse()
    return response.status, response.read()


def cpu_seconds(pid: int | None) -> float:
    """CPU time (user + system) used so far by process `pid` (Linux), or 0 when unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError, TypeError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(
    url: str, queries: list[str], clients: int, deadline: float, pid: int | None = None
) -> dict[str, float]:
    """Send every query once, spread over `clients` threads; return latency statistics
    (and the server's CPU time per request when its `pid` is known)."""
    parts = urllib.parse.urlsplit(url)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    work = iter(queries)

    def client() -> None:
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
        while time.monotonic() < deadline:
            with lock:
                query = next(work, None)
            if query is None:
                break
            path = "/api/search?" + urllib.parse.urlencode({"q": query, "k": 10})
            started = time.perf_counter()
            try:
                status, body = get(conn, path)
                ok = status == 200 and body.startswith(b'{"ok":true')
                problem = "" if ok else f"{status} {body[:120]!r}"
            except (OSError, http.client.HTTPException) as exc:
                problem = repr(exc)
                conn.close()
                conn = http.client.HTTPConnection(
                    parts.hostname or "127.0.0.1", parts.port, timeout=30
                )
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                if problem:
                    errors.append(problem)
        conn.close()

    before = health(url)
    started, cpu_before, own_before = time.perf_counter(), cpu_seconds(pid), time.process_time()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    server_cpu = cpu_seconds(pid) - cpu_before
    client_cpu = time.process_time() - own_before
    after = health(url)
    batches = after.get("search_batches", 0) - before.get("search_batches", 0)
    for problem in errors[:5]:
        print(f"  error: {problem}", file=sys.stderr)
    cuts = (
        statistics.quantiles(latencies, n=100, method="inclusive")
        if len(latencies) > 1
        else [0.0] * 99
    )
    return {
        "clients": clients,
        "requests": len(latencies),
        "errors": len(errors),
        "p50_ms": cuts[49],
        "p95_ms": cuts[94],
        "p99_ms": cuts[98],
        "max_ms": max(latencies, default=0.0),
        "req_per_s": len(latencies) / wall,
        "server_cpu_ms": 1000 * server_cpu / max(1, len(latencies)),
        "client_cpu_ms": 1000 * client_cpu / max(1, len(latencies)),
        "mean_batch": len(latencies) / batches if batches else 0.0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="measure a running server instead (loopback only)")
    parser.add_argument("--index", type=Path, default=OUT / "http-index")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", default="1,8", help="comma-separated client counts")
    parser.add_argument("--threads", type=int, default=None, help="waitress threads")
    parser.add_argument("--deadline", type=float, default=600.0, help="seconds for all runs")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    if not 1 <= args.requests <= MAX_REQUESTS:
        parser.error(f"--requests must be between 1 and {MAX_REQUESTS}")
    if args.url and urllib.parse.urlsplit(args.url).hostname not in (
        "127.0.0.1",
        "localhost",
        "::1",
    ):
        parser.error("--url must be a loopback address (this benchmark never leaves the machine)")
    counts = [int(c) for c in args.clients.split(",")]
    queries = corpus_queries(args.requests * len(counts) + 50)
    server = None
    if args.url:
        url = args.url.rstrip("/")
    else:
        args.index.parent.mkdir(parents=True, exist_ok=True)
        server, url = start_server(args.index, args.threads)
    deadline = time.monotonic() + args.deadline
    rows = []
    try:
        run(url, queries[:50], 2, deadline)  # warm-up: not counted
        for n, clients in enumerate(counts):
            batch = queries[50 + n * args.requests : 50 + (n + 1) * args.requests]
            rows.append(run(url, batch, clients, deadline, server.pid if server else None))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    report(rows, args.json)
    eight = next((r for r in rows if r["clients"] == 8), None)
    met = eight is None or (
        eight["p50_ms"] <= TARGET_P50_MS
        and eight["p95_ms"] <= TARGET_P95_MS
        and eight["errors"] == 0
        and eight["requests"] == args.requests
    )
    return 0 if met else 1


def report(rows: list[dict[str, float]], as_json: bool) -> None:
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    print(f"GET /api/search on the bundled corpus (k=10, {os.cpu_count()} CPUs)")
    print(
        f"{'clients':>7} {'requests':>8} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'p99 ms':>7} {'max ms':>7} {'req/s':>6} {'CPU ms/req':>10} {'client':>6} {'batch':>5}"
    )
    for r in rows:
        print(
            f"{r['clients']:>7} {r['requests']:>8} {r['errors']:>6} {r['p50_ms']:>7.1f} "
            f"{r['p95_ms']:>7.1f} {r['p99_ms']:>7.1f} {r['max_ms']:>7.1f} {r['req_per_s']:>6.0f} "
            f"{r['server_cpu_ms']:>10.1f} {r['client_cpu_ms']:>6.1f} {r['mean_batch']:>5.1f}"
        )
    print(
        f"targets with 8 clients: p50 <= {TARGET_P50_MS:.0f} ms, "
        f"p95 <= {TARGET_P95_MS:.0f} ms, 0 errors"
    )


if __name__ == "__main__":
    sys.exit(main())

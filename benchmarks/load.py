"""Load test of the served app: N concurrent clients for a bounded time on 127.0.0.1.

    .venv/bin/python benchmarks/load.py                      # 16 clients, 60 s, own server
    .venv/bin/python benchmarks/load.py --clients 4 --duration 20
    .venv/bin/python benchmarks/load.py --url http://127.0.0.1:5000 --pid 12345

It starts `evidence serve` on a free loopback port over the bundled corpus (index in
benchmarks/out/http-index, built on first run) and warms it up: every kind of request,
format and style, then all clients for --warm-up seconds (first-use allocations are not
growth; none of it is counted). Then --clients threads, each on one keep-alive
connection, send a mix of searches (JSON and the HTML page), study pages (HTML and JSON),
talking points and exports (every format, every citation style) until --duration seconds
pass or --max-requests are sent, while the server's resident memory (/proc/PID/status) is
sampled every second. Reports throughput, p50/p99 per kind, errors (a status other than
200, a body that is not the expected envelope or file, a broken connection), 5xx
responses, and memory growth from the first to the last 10 s. Targets (issue 8): 0
errors, 0 5xx and growth under 10%; the exit status is 1 when one is missed. Bounded and
loopback only: at most MAX_CLIENTS clients, MAX_DURATION seconds and MAX_REQUESTS
requests; it stops by itself.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_http import OUT, ROOT, corpus_queries, start_server  # noqa: E402

MAX_CLIENTS, MAX_DURATION, MAX_REQUESTS = 64, 600.0, 1_000_000
WINDOW_S = 10.0  # memory growth compares the mean of the first and the last window
TARGET_GROWTH = 0.10
LOOPBACK = ("127.0.0.1", "localhost", "::1")
FORMATS = ["md", "bib", "ris", "csljson", "html", "docx", "pptx"]
STYLES = ["apa", "vancouver", "chicago", "harvard", "ieee"]
# Kind of request → share of the mix.
MIX = {
    "search": 40,
    "search-page": 10,
    "study-page": 10,
    "study-json": 10,
    "talking-points": 15,
    "export": 15,
}


@dataclass
class Tally:
    """What the clients saw, per kind: latencies (ms), errors, 5xx responses."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    server_errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, ms: float, problem: str, status: int) -> None:
        with self.lock:
            self.latencies.setdefault(kind, []).append(ms)
            if problem:
                self.errors.append(f"{kind}: {problem}")
            if status >= 500:
                self.server_errors += 1

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.latencies.values())


def rss_bytes(pid: int) -> int | None:
    """Resident memory of process `pid` (Linux), or None when it cannot be read."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return None
    return None


class Requests:
    """Builds one request of each kind from the corpus's queries and study keys."""

    def __init__(self, seed: int) -> None:
        from evidence import load_bibtex

        studies, _ = load_bibtex(sorted((ROOT / "corpus").glob("*.bib")))
        self.keys = [s.key for s in studies]
        self.queries = corpus_queries(5000, seed)
        self.rng = random.Random(seed)
        self.lock = threading.Lock()

    def make(self, kind: str) -> tuple[str, str, bytes | None]:
        """(method, path, JSON body) for a request of `kind`."""
        with self.lock:  # random.Random is not safe to share across threads
            query, key = self.rng.choice(self.queries), self.rng.choice(self.keys)
            keys = self.rng.sample(self.keys, 3)
            fmt, style = self.rng.choice(FORMATS), self.rng.choice(STYLES)
        if kind == "search":
            return "GET", "/api/search?" + urllib.parse.urlencode({"q": query, "k": 10}), None
        if kind == "search-page":
            return "GET", "/?" + urllib.parse.urlencode({"q": query}), None
        if kind == "study-page":
            return "GET", f"/studies/{urllib.parse.quote(key)}", None
        if kind == "study-json":
            return "GET", f"/api/studies/{urllib.parse.quote(key)}", None
        if kind == "talking-points":
            body = {"query": query, "k": 3, "style": style}
            return "POST", "/api/talking-points", json.dumps(body).encode()
        body = {"keys": keys, "format": fmt, "style": style, "title": query}
        return "POST", "/api/export", json.dumps(body).encode()


def check(kind: str, status: int, body: bytes) -> str:
    """Why the response is wrong ("" when it is right)."""
    if status != 200:
        return f"{status} {body[:120]!r}"
    if kind in ("search", "study-json", "talking-points") and not body.startswith(b'{"ok":true'):
        return f"not the envelope: {body[:120]!r}"
    if kind in ("search-page", "study-page") and b"</html>" not in body[-200:]:
        return "a truncated page"
    if kind == "export" and not body:
        return "an empty file"
    return ""


def send(conn: http.client.HTTPConnection, method: str, path: str, body: bytes | None) -> Any:
    headers = {"Accept": "application/json" if path.startswith("/api/") else "text/html"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def client(url: str, requests: Requests, tally: Tally, stop: threading.Event, cap: int) -> None:
    """Send requests until `stop` is set or `cap` were sent in all."""
    parts = urllib.parse.urlsplit(url)
    kinds, weights = list(MIX), list(MIX.values())
    rng = random.Random(threading.get_ident())
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)
    while not stop.is_set() and tally.count < cap:
        kind = rng.choices(kinds, weights)[0]
        method, path, body = requests.make(kind)
        started = time.perf_counter()
        status = 0
        try:
            status, data = send(conn, method, path, body)
            problem = check(kind, status, data)
        except (OSError, http.client.HTTPException) as exc:
            problem = repr(exc)
            conn.close()
            conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)
        tally.add(kind, (time.perf_counter() - started) * 1000, problem, status)
    conn.close()


def sample_memory(pid: int | None, stop: threading.Event, samples: list[tuple[float, int]]) -> None:
    started = time.monotonic()
    while pid is not None and not stop.is_set():
        rss = rss_bytes(pid)
        if rss is not None:
            samples.append((time.monotonic() - started, rss))
        stop.wait(1.0)


def warm_up(url: str, requests: Requests) -> None:
    """Every kind, format and style a few times, so lazy imports and first-use caches are
    paid before memory is measured."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=120)
    for _ in range(3):
        for kind in MIX:
            send(conn, *requests.make(kind))
    for fmt in FORMATS:
        for style in STYLES:
            body = {"keys": requests.keys[:3], "format": fmt, "style": style}
            send(conn, "POST", "/api/export", json.dumps(body).encode())
    conn.close()


def run(
    url: str, pid: int | None, clients: int, duration: float, cap: int, seed: int, warm: float
) -> dict[str, Any]:
    requests = Requests(seed)
    warm_up(url, requests)
    if warm > 0:  # all clients at once, not counted: the server's threads allocate their share
        drive(url, requests, Tally(), clients, warm, cap)
    tally, samples = Tally(), []
    stop = threading.Event()
    sampler = threading.Thread(target=sample_memory, args=(pid, stop, samples), daemon=True)
    sampler.start()
    wall = drive(url, requests, tally, clients, duration, cap)
    stop.set()
    sampler.join(timeout=5)
    return summarise(tally, samples, wall, clients)


def drive(
    url: str, requests: Requests, tally: Tally, clients: int, duration: float, cap: int
) -> float:
    """Run `clients` client threads for `duration` seconds (or `cap` requests); return the
    seconds it took."""
    stop = threading.Event()
    threads = [
        threading.Thread(target=client, args=(url, requests, tally, stop, cap), daemon=True)
        for _ in range(clients)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    stop.wait(duration)
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    return time.perf_counter() - started


def summarise(
    tally: Tally, samples: list[tuple[float, int]], wall: float, clients: int
) -> dict[str, Any]:
    def cuts(values: list[float]) -> dict[str, float]:
        if len(values) < 2:
            return {"p50_ms": values[0] if values else 0.0, "p99_ms": values[0] if values else 0.0}
        q = statistics.quantiles(values, n=100, method="inclusive")
        return {"p50_ms": q[49], "p99_ms": q[98]}

    everything = [ms for values in tally.latencies.values() for ms in values]
    end = samples[-1][0] if samples else 0.0
    first = [rss for t, rss in samples if t <= WINDOW_S]
    last = [rss for t, rss in samples if t >= end - WINDOW_S]
    growth = (statistics.mean(last) / statistics.mean(first) - 1) if first and last else None
    return {
        "clients": clients,
        "seconds": wall,
        "requests": tally.count,
        "req_per_s": tally.count / wall if wall else 0.0,
        **cuts(everything),
        "errors": len(tally.errors),
        "server_errors": tally.server_errors,
        "first_errors": tally.errors[:5],
        "kinds": {k: {"requests": len(v), **cuts(v)} for k, v in sorted(tally.latencies.items())},
        "rss_start_mb": samples[0][1] / 2**20 if samples else None,
        "rss_end_mb": samples[-1][1] / 2**20 if samples else None,
        "rss_first_10s_mb": statistics.mean(first) / 2**20 if first else None,
        "rss_last_10s_mb": statistics.mean(last) / 2**20 if last else None,
        "rss_growth": growth,
    }


def report(result: dict[str, Any]) -> None:
    print(
        f"{result['clients']} clients for {result['seconds']:.1f} s on 127.0.0.1, "
        f"{os.cpu_count()} CPUs: {result['requests']} requests, {result['req_per_s']:.1f} req/s, "
        f"p50 {result['p50_ms']:.0f} ms, p99 {result['p99_ms']:.0f} ms, "
        f"{result['errors']} errors, {result['server_errors']} 5xx"
    )
    print(f"  {'kind':<15} {'requests':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for kind, row in result["kinds"].items():
        print(f"  {kind:<15} {row['requests']:>8} {row['p50_ms']:>8.0f} {row['p99_ms']:>8.0f}")
    for problem in result["first_errors"]:
        print(f"  error: {problem}")
    if result["rss_growth"] is None:
        print("  server memory: not measured (give --pid for a server started elsewhere)")
    else:
        print(
            f"  server memory (RSS): {result['rss_start_mb']:.0f} MB at the start, "
            f"{result['rss_end_mb']:.0f} MB at the end; first {WINDOW_S:.0f} s "
            f"{result['rss_first_10s_mb']:.1f} MB, last {WINDOW_S:.0f} s "
            f"{result['rss_last_10s_mb']:.1f} MB: growth {100 * result['rss_growth']:+.1f}%"
        )
    print(f"targets: 0 errors, 0 5xx, memory growth under {100 * TARGET_GROWTH:.0f}%")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="a running server instead (loopback only)")
    parser.add_argument("--pid", type=int, help="that server's process id (for its memory)")
    parser.add_argument("--index", type=Path, default=OUT / "http-index")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds")
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--warm-up", type=float, default=10.0, help="seconds, not measured")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    if not 1 <= args.clients <= MAX_CLIENTS:
        parser.error(f"--clients must be between 1 and {MAX_CLIENTS}")
    if not 1 <= args.duration <= MAX_DURATION:
        parser.error(f"--duration must be between 1 and {MAX_DURATION:.0f} seconds")
    if not 0 <= args.warm_up <= MAX_DURATION:
        parser.error(f"--warm-up must be between 0 and {MAX_DURATION:.0f} seconds")
    if not 1 <= args.max_requests <= MAX_REQUESTS:
        parser.error(f"--max-requests must be between 1 and {MAX_REQUESTS}")
    if args.url and urllib.parse.urlsplit(args.url).hostname not in LOOPBACK:
        parser.error("--url must be a loopback address (this benchmark never leaves the machine)")
    server = None
    if args.url:
        url, pid = args.url.rstrip("/"), args.pid
    else:
        args.index.parent.mkdir(parents=True, exist_ok=True)
        server, url = start_server(args.index, None)
        pid = server.pid
    try:
        result = run(
            url, pid, args.clients, args.duration, args.max_requests, args.seed, args.warm_up
        )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        report(result)
    growth = result["rss_growth"]
    met = result["errors"] == 0 and result["server_errors"] == 0
    return 0 if met and (growth is None or growth < TARGET_GROWTH) else 1


if __name__ == "__main__":
    sys.exit(main())

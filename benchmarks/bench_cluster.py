"""Several servers over one PostgreSQL: how fast an import reaches another server, search
latency against the embedded default, project save and load. Prints one table.

    .venv/bin/python benchmarks/bench_cluster.py              # about 3 minutes on 2 cores
    .venv/bin/python benchmarks/bench_cluster.py --load 60    # also 16 clients, 2 x 60 s

It starts a throwaway PostgreSQL cluster (initdb + pg_ctl in a temporary folder, removed
after; tests/postgres.py), two `evidence serve` processes A and B over it and one embedded
server E (no database), all on the bundled corpus on loopback ports; index folders under
benchmarks/out/cluster-*/ (the first start builds them).

- propagation: 20 imports of one new study each through A; from A's answer (the import is
  committed) to the study's first appearance in B's `/api/search` (polled every 20 ms).
  Targets (issue 18): p50 <= 2 s, max <= 10 s.
- search: the same 300 corpus queries, one client, on B (PostgreSQL-backed) and on E
  (embedded), interleaved. Target: B's p50 <= 1.2x E's.
- projects: saving (notes) and loading a 3-item project, in Python (`Library.projects`)
  and over HTTP (`/api/projects/ID`, which also formats the items as cited points), on
  PostgreSQL and on SQLite.
- --load SECONDS: benchmarks/load.py's read mix (searches, pages, talking points,
  exports) from 16 clients spread over A and B, while a new study is imported every 5 s
  through A and B in turn. Target (issue 18): 0 errors, 0 5xx. Then the same load on E
  alone right after, as a baseline under the same conditions of the machine.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_http import OUT, ROOT, corpus_queries  # noqa: E402
from benchmarks.load import Requests, Tally, client, summarise, warm_up  # noqa: E402
from evidence import Library  # noqa: E402
from tests.postgres import throwaway_cluster, why_unavailable  # noqa: E402
from tests.servers import Server, study_bib  # noqa: E402

CORPUS = ROOT / "corpus"
TARGET_P50_S, TARGET_MAX_S, TARGET_RATIO = 2.0, 10.0, 1.2


def cuts(values: list[float]) -> tuple[float, float, float]:
    """p50, p95, max."""
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95, ordered[-1]


def propagation(a: Server, b: Server, count: int) -> list[float]:
    seconds = []
    for i in range(count):
        word = f"quillwort{i}x{random.randrange(10**6)}"
        status, body = a.import_file(f"probe{i}.bib", study_bib(f"probe{word}", f"{word} drills"))
        if status != 200:
            raise SystemExit(f"import {i} through A failed: {status} {body}")
        committed = time.perf_counter()
        while f"probe{word}" not in b.search_keys(f"{word} drills", k=3):
            if time.perf_counter() - committed > 60:
                raise SystemExit(f"import {i} did not reach B within 60 s")
            time.sleep(0.02)
        seconds.append(time.perf_counter() - committed)
    return seconds


def search_latency(servers: dict[str, Server], queries: list[str]) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in servers}
    for query in queries[:50]:  # warm up, not counted
        for server in servers.values():
            server.search_keys(query)
    for query in queries[50:]:
        for name, server in servers.items():
            started = time.perf_counter()
            server.search_keys(query)
            times[name].append(time.perf_counter() - started)
    return times


def project_times(
    library: Library, server: Server, items: list[str], rounds: int
) -> dict[str, Any]:
    """Save and load timings (seconds) in Python and over HTTP."""
    projects = library.projects
    project, token = projects.create("Benchmark", by="bench", items=items)
    saves, loads, http_saves, http_loads = [], [], [], []
    for n in range(rounds):
        started = time.perf_counter()
        projects.update(project.id, "bench", notes=f"draft {n}")
        saves.append(time.perf_counter() - started)
        started = time.perf_counter()
        projects.get(project.id)
        loads.append(time.perf_counter() - started)
        path = f"/api/projects/{project.id}"
        started = time.perf_counter()
        status, _ = server.post_json(path, {"by": "bench", "notes": f"web {n}"},
                                     {"X-Project-Token": token})  # fmt: skip
        http_saves.append(time.perf_counter() - started)
        assert status == 200
        started = time.perf_counter()
        status, _ = server.get_with_token(path, token)
        http_loads.append(time.perf_counter() - started)
        assert status == 200
    return {"save": saves, "load": loads, "http save": http_saves, "http load": http_loads}


def load_test(servers: list[Server], clients: int, seconds: float) -> dict[str, Any]:
    """load.py's read mix from `clients` threads spread over `servers`, while one more
    thread imports a new study every 5 s through each server in turn, so every server
    switches to a newer generation under load (a read-only load would never do that)."""
    requests = Requests(0)
    for server in servers:
        warm_up(server.url, requests)
    tally, stop = Tally(), threading.Event()
    threads = [
        threading.Thread(
            target=client, args=(servers[i % len(servers)].url, requests, tally, stop, 10**6)
        )
        for i in range(clients)
    ]
    threads.append(threading.Thread(target=importer, args=(servers, tally, stop)))
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    stop.wait(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=300)
    result = summarise(tally, [], time.perf_counter() - started, clients)
    # Which kinds failed and how (the summary keeps only the first five messages).
    result["errors_by_kind"] = Counter(
        f"{kind} {problem.split()[0].split('(')[0]}"
        for kind, problem in (e.split(": ", 1) for e in tally.errors)
    )
    return result


def importer(servers: list[Server], tally: Tally, stop: threading.Event) -> None:
    """Import one new study every 5 s, through each server in turn, into `tally`."""
    n = 0
    while not stop.wait(5.0):
        word = f"loadwort{n}x{random.randrange(10**6)}"
        started = time.perf_counter()
        try:
            status, body = servers[n % len(servers)].import_file(
                f"load{n}.bib", study_bib(f"load{word}", f"{word} shifts")
            )
            problem = "" if status == 200 and body.get("ok") else f"{status} {body}"[:160]
        except OSError as exc:
            status, problem = 0, repr(exc)
        tally.add("import", (time.perf_counter() - started) * 1000, problem, status)
        n += 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--imports", type=int, default=20)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=50, help="project saves and loads")
    parser.add_argument("--load", type=float, default=0, help="seconds of the 16-client load")
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    reason = why_unavailable()
    if reason:
        raise SystemExit(f"cannot run: {reason}")
    out = OUT / "cluster"
    for name in ("a", "b", "e"):  # A and B start as new hosts; E is rebuilt (its imports)
        shutil.rmtree(out / name, ignore_errors=True)
    with throwaway_cluster() as postgres:
        url = postgres.create_database()
        started = time.perf_counter()
        a = Server(out / "a", url, CORPUS).start(900)
        a_start = time.perf_counter() - started
        started = time.perf_counter()
        b = Server(out / "b", url, CORPUS).start(900)
        b_start = time.perf_counter() - started
        e = Server(out / "e", "", CORPUS).start(900)
        try:
            moved = propagation(a, b, args.imports)
            queries = corpus_queries(args.queries + 50, seed=18)
            times = search_latency({"B (PostgreSQL)": b, "E (embedded)": e}, queries)
            shared = Library.open(settings={"index_dir": out / "a", "database_url": url})
            embedded = Library.open(settings={"index_dir": out / "e", "database_url": ""})
            keys = [s.key for s in shared.studies[:3]]
            project = {
                "PostgreSQL": project_times(shared, a, keys, args.rounds),
                "SQLite": project_times(embedded, e, keys, args.rounds),
            }
            loaded = {}
            if args.load:  # the same load on the embedded server alone, as a baseline
                loaded["A+B (PostgreSQL)"] = load_test([a, b], args.clients, args.load)
                loaded["E alone (embedded)"] = load_test([e], args.clients, args.load)
            shared.close()
            embedded.close()
        finally:
            for server in (a, b, e):
                server.stop()
    report(moved, times, project, loaded, a_start, b_start)
    p50, _, worst = cuts(moved)
    ratio = statistics.median(times["B (PostgreSQL)"]) / statistics.median(times["E (embedded)"])
    met = p50 <= TARGET_P50_S and worst <= TARGET_MAX_S and ratio <= TARGET_RATIO
    if loaded:
        cluster = loaded["A+B (PostgreSQL)"]
        met = met and cluster["errors"] == 0 and cluster["server_errors"] == 0
    return 0 if met else 1


def report(moved: list[float], times: dict[str, list[float]], project: dict[str, Any],
           loaded: dict[str, dict[str, Any]], a_start: float, b_start: float) -> None:  # fmt: skip
    p50, p95, worst = cuts(moved)
    print(f"bench_cluster: 2 servers + PostgreSQL on 127.0.0.1, bundled corpus, "
          f"{time.strftime('%Y-%m-%d')}")  # fmt: skip
    print(f"server start: A (first, builds and stores vectors) {a_start:.1f} s; "
          f"B (new host, vectors from the database) {b_start:.1f} s")  # fmt: skip
    print("| measure | p50 | p95 | max | target |")
    print("|---|---|---|---|---|")
    print(f"| import through A -> answers on B ({len(moved)} imports) | {p50:.2f} s | "
          f"{p95:.2f} s | {worst:.2f} s | p50 <= {TARGET_P50_S:.0f} s, max <= "
          f"{TARGET_MAX_S:.0f} s |")  # fmt: skip
    base = statistics.median(times["E (embedded)"])
    for name, values in times.items():
        q50, q95, top = cuts(values)
        ratio = q50 / base
        print(f"| /api/search on {name}, {len(values)} queries | {1000 * q50:.1f} ms | "
              f"{1000 * q95:.1f} ms | {1000 * top:.1f} ms | {ratio:.2f}x of embedded "
              f"(<= {TARGET_RATIO}x) |")  # fmt: skip
    for engine, kinds in project.items():
        for kind, values in kinds.items():
            q50, q95, top = cuts(values)
            print(f"| project {kind} ({engine}, {len(values)}) | {1000 * q50:.1f} ms | "
                  f"{1000 * q95:.1f} ms | {1000 * top:.1f} ms | |")  # fmt: skip
    if loaded:
        report_load(loaded)


def report_load(loaded: dict[str, dict[str, Any]]) -> None:
    first = next(iter(loaded.values()))
    print(f"\nload: {first['clients']} clients for {first['seconds']:.0f} s, one import every "
          "5 s (through each server in turn). Target (A+B): 0 errors, 0 5xx")  # fmt: skip
    print("| servers | requests | per s | p50 | p99 | errors | 5xx |")
    print("|---|---|---|---|---|---|---|")
    for name, row in loaded.items():
        print(f"| {name} | {row['requests']} | {row['req_per_s']:.1f} | {row['p50_ms']:.0f} ms "
              f"| {row['p99_ms']:.0f} ms | {row['errors']} | {row['server_errors']} |")  # fmt: skip
    kinds = sorted({kind for row in loaded.values() for kind in row["kinds"]})
    print("\n| kind | " + " | ".join(f"{name}: n, p50, p99" for name in loaded) + " |")
    print("|---|" + "---|" * len(loaded))
    for kind in kinds:
        cells = []
        for row in loaded.values():
            k = row["kinds"].get(kind, {"requests": 0, "p50_ms": 0.0, "p99_ms": 0.0})
            cells.append(f"{k['requests']}, {k['p50_ms']:.0f} ms, {k['p99_ms']:.0f} ms")
        print(f"| {kind} | " + " | ".join(cells) + " |")
    for name, row in loaded.items():
        failed = ", ".join(f"{n} x {what}" for what, n in sorted(row["errors_by_kind"].items()))
        print(f"errors ({name}): {failed or 'none'}")
        for problem in row["first_errors"]:
            print(f"  error ({name}): {problem}")


if __name__ == "__main__":
    tempfile.tempdir = None
    sys.exit(main())

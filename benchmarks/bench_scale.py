"""Vector search at scale: exact (flat) against approximate (HNSW) FAISS indexes.

    .venv/bin/python benchmarks/bench_scale.py [--sizes 10000 100000 1000000] [--import-50k]

Vectors: the real SciFact passage and study vectors of benchmarks/out/scifact-index
(55,926, from `bench_search.py`); libraries larger than that are filled with synthetic
vectors made by perturbing real ones (Gaussian noise, cosine ≈ 0.85 to their source,
renormalised), so they keep the real data's clustering. Queries: the 809 SciFact dev
claims, encoded by the shipped model. Each size runs in its own process and reports
build time, size on disk, peak RSS, bytes per passage, search p50/p95 (one query at a
time, one thread, k=10) and HNSW recall@10 against exact search. `--import-50k` also
times the end-to-end import of a generated 50,000-study BibTeX library (with abstracts)
to its first searchable result.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.scifact import load_queries, require_scifact  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
NOISE_COSINE = 0.85


def real_vectors() -> np.ndarray:
    from evidence import VectorIndex

    folder = OUT / "scifact-index"
    generation = (folder / "CURRENT").read_text().strip()
    parts = [
        VectorIndex.load(folder / generation / name).reconstruct_all()
        for name in ("vectors.faiss", "documents.faiss")
    ]
    return np.concatenate(parts).astype(np.float32)


def library(real: np.ndarray, size: int, seed: int = 7) -> tuple[np.ndarray, int]:
    """`size` vectors: real ones first, then perturbed copies; returns (vectors, real count)."""
    if size <= len(real):
        return real[:size].copy(), size
    rng = np.random.default_rng(seed)
    extra = size - len(real)
    base = real[rng.integers(0, len(real), extra)]
    # For unit vectors in d dims, noise of norm s gives cosine ≈ 1 / sqrt(1 + s^2).
    sigma = np.sqrt(1 / NOISE_COSINE**2 - 1) / np.sqrt(real.shape[1])
    noisy = base + rng.normal(0, sigma, base.shape).astype(np.float32)
    noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
    return np.concatenate([real, noisy]).astype(np.float32), len(real)


def timed_search(index, queries: np.ndarray, k: int = 10):  # type: ignore[no-untyped-def]
    times, rows = [], []
    for q in queries:
        t0 = time.perf_counter()
        _, found = index.search(q[None, :], k)
        times.append((time.perf_counter() - t0) * 1000)
        rows.append(found[0])
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))], np.stack(rows)


def run_size(size: int, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    import faiss

    from evidence import VectorIndex

    faiss.omp_set_num_threads(1)  # one query at a time, one thread: the server's setting
    queries = np.load(OUT / "scale-queries.npy")
    vectors, real_count = library(real_vectors(), size)
    result = {"size": size, "real": real_count}
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        exact = None
        for kind in ("flat", "hnsw"):
            faiss.omp_set_num_threads(os.cpu_count() or 1)  # building may use every core
            t0 = time.perf_counter()
            index = VectorIndex.build(vectors, kind=kind)
            build_s = time.perf_counter() - t0
            path = Path(tmp) / f"{kind}.faiss"
            index.save(path)
            faiss.omp_set_num_threads(1)
            loaded = VectorIndex.open(path)  # as served: HNSW mapped, exact in memory
            p50, p95, rows = timed_search(loaded, queries)
            if kind == "flat":
                exact = rows
            recall = float(
                np.mean([len(set(a) & set(b)) / 10 for a, b in zip(rows, exact, strict=True)])
            )
            result[kind] = {
                "build_s": build_s,
                "bytes": path.stat().st_size,
                "p50": p50,
                "p95": p95,
                "recall": recall,
            }
            del index, loaded
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put(result)


def import_50k(queue: mp.Queue) -> None:  # type: ignore[type-arg]
    from evidence import Library, terminal_progress

    source = OUT / "generated-50000.bib"
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        t0 = time.perf_counter()
        lib = Library.build([source], index_dir=Path(tmp) / "index", progress=terminal_progress())
        built = time.perf_counter() - t0
        hits = lib.search("peer support and PTSD in firefighters", k=3)
        queue.put(
            {
                "studies": len(lib.studies),
                "passages": len(lib.passages),
                "build_s": built,
                "first_search_s": time.perf_counter() - t0,
                "hits": len(hits),
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )


def add_at_100k(queue: mp.Queue) -> None:  # type: ignore[type-arg]
    """A library of ~100k passages (SciFact + 5,000 generated studies, whose abstracts
    repeat SciFact's so the embedding cache keeps the build short), then one study added
    at a time with the model loaded."""
    import shutil

    from evidence import Library

    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        index_dir = Path(tmp) / "index"
        shutil.copytree(OUT / "scifact-index", index_dir)  # its vectors seed the cache
        shutil.rmtree(index_dir / "imports", ignore_errors=True)
        part = Path(tmp) / "generated-5000.bib"
        entries = (OUT / "generated-50000.bib").read_text().split("\n\n")[:5000]
        part.write_text("\n\n".join(entries) + "\n")
        lib = Library.build([require_scifact() / "corpus.bib", part], index_dir=index_dir)
        lib.search("warm up", k=1)
        times = []
        for n in range(3):
            one = Path(tmp) / f"one-{n}.bib"
            one.write_text(
                f"@article{{scaleadd{n}, title = {{Peer support after critical incidents {n}}}, "
                "author = {Doe, Jane}, year = {2026}, abstract = {We surveyed 300 paramedics. "
                "Peer support was associated with lower distress.}}\n"
            )
            t0 = time.perf_counter()
            lib.add_bibtex(one)
            times.append(time.perf_counter() - t0)
        queue.put(
            {"passages": len(lib.passages), "kind": lib._searcher.data.vectors.kind, "times": times}
        )


def child(target, *args):  # type: ignore[no-untyped-def]
    queue: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    proc = mp.Process(target=target, args=(*args, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--import-50k", action="store_true")
    parser.add_argument("--add-100k", action="store_true", help="time adding one study at 100k")
    args = parser.parse_args()
    require_scifact()
    if not (OUT / "scifact-index" / "CURRENT").exists():
        sys.exit("run benchmarks/bench_search.py first (it builds benchmarks/out/scifact-index)")
    from evidence import Embedder

    embedder = Embedder()
    np.save(OUT / "scale-queries.npy", embedder.encode_queries([t for _, t in load_queries()]))
    t0 = time.perf_counter()
    for _ in range(200):
        embedder.encode_queries(["peer support reduces PTSD symptoms in first responders"])
    encode_ms = (time.perf_counter() - t0) / 200 * 1000
    print(f"query encoding ({embedder.backend}, 1 thread): {encode_ms:.1f} ms\n")
    header = "passages real index build on-disk bytes/passage p50 p95 recall@10 peak-RSS"
    print("| " + " | ".join(header.split()) + " |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for size in args.sizes:
        r = child(run_size, size)
        for kind in ("flat", "hnsw"):
            m = r[kind]
            cells = [
                f"{size:,}",
                f"{r['real']:,}",
                kind,
                f"{m['build_s']:.1f} s",
                f"{m['bytes'] / 1e6:.0f} MB",
                f"{m['bytes'] / size:,.0f}",
                f"{m['p50']:.2f} ms",
                f"{m['p95']:.2f} ms",
                f"{m['recall']:.3f}",
                f"{r['peak_rss_mb']:,.0f} MB",
            ]
            print("| " + " | ".join(cells) + " |")
    if args.add_100k:
        r = child(add_at_100k)
        shown = ", ".join(f"{t:.2f} s" for t in r["times"])
        print(f"\nAdd one study to a {r['passages']:,}-passage index ({r['kind']}): {shown}")
    if args.import_50k:
        if not (OUT / "generated-50000.bib").exists():
            sys.exit(
                "run benchmarks/bench_ingest.py first (it writes the generated 50,000-entry file)"
            )
        r = child(import_50k)
        print(
            f"\nImport of 50,000 generated studies ({r['passages']:,} passages): searchable "
            f"after {r['first_search_s']:.0f} s (build {r['build_s']:.0f} s), "
            f"peak RSS {r['peak_rss_mb']:,.0f} MB"
        )


if __name__ == "__main__":
    mp.set_start_method("spawn")
    main()

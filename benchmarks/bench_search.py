"""Search quality, speed and build cost on SciFact (dev queries). Prints one table.

    .venv/bin/python benchmarks/bench_search.py            # full run (~25 min on 2 cores)
    .venv/bin/python benchmarks/bench_search.py --reuse    # reuse benchmarks/out/scifact-index

Reports nDCG@10 / Recall@100 for BM25 alone, dense alone (study vectors), dense passages
alone (best sentence per study), plain reciprocal rank fusion, and the shipped search;
index build time next to sentence-transformers' own `encode` of the same texts; warm
query latency p50/p95 (idle, and with another process keeping one core busy); peak RSS
of the build; save->load identity; re-embedding on an unchanged rebuild; and the time to
add one study.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.scifact import evaluate, load_qrels, load_queries, require_scifact  # noqa: E402
from evidence import Settings  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"


def snapshot(lib, queries: list[str]) -> list[list[tuple[str, float]]]:  # type: ignore[no-untyped-def]
    """Top-20 keys and scores per query, one query at a time."""
    return [[(h.study.key, h.score) for h in lib.search(q, k=20)] for q in queries]


def build_child(index_dir: str, corpus: str, backend: str, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    from evidence import Library

    t0 = time.perf_counter()
    lib = Library.build([corpus], index_dir=index_dir, settings={"backend": backend})
    total = time.perf_counter() - t0
    texts = lib.indexed_texts()
    queries = [text for _, text in load_queries()[:100]]
    queue.put(
        {
            "build_s": total,
            "texts": texts,
            "snapshot": snapshot(lib, queries),
            "studies": len(lib.studies),
            "passages": len(lib.passages),
        }
    )


def encode_child(texts: list[str], queue: mp.Queue) -> None:  # type: ignore[type-arg]
    """sentence-transformers' own PyTorch encode, as a user would call it (default threads)."""
    from sentence_transformers import SentenceTransformer

    from evidence import Embedder

    model = SentenceTransformer(Embedder().model_path, device="cpu")
    t0 = time.perf_counter()
    model.encode(texts, batch_size=64, convert_to_numpy=True, normalize_embeddings=True)
    queue.put({"encode_s": time.perf_counter() - t0})


def burn(stop: mp.Event) -> None:  # type: ignore[type-arg]
    x = 0
    while not stop.is_set():
        for _ in range(100_000):
            x += 1


def run_child(target, *args):  # type: ignore[no-untyped-def]
    queue: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    proc = mp.Process(target=target, args=(*args, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


# Each mode is the shipped search with other settings: retrievers alone, other fusions.
MODES = {
    "bm25": {"retrievers": "bm25"},
    "dense": {"retrievers": "dense"},
    "dense_passage": {"retrievers": "dense_passage"},
    "rrf": {"fusion": "rrf"},
    "rrf_weighted": {"fusion": "rrf", "rrf_k": 20, "weight_lexical": 1.2, "weight_dense": 0.6},
    "zscore_weighted": {"weight_dense": 0.7, "weight_passage": 1.3},
    "shipped": {},
}


def runs_for(lib, queries, mode: str) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """The top 100 study keys per query of the library opened with `mode`'s settings."""
    from evidence import Library

    settings = {"backend": lib.settings.backend, **MODES[mode]}
    variant = Library.open(lib.index_dir, settings=settings, embedder=lib.embedder)
    results = variant.batch_search([text for _, text in queries], k=100)
    return {qid: [h.study.key for h in r] for (qid, _), r in zip(queries, results, strict=True)}


def latency(lib, queries, busy: bool) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    stop = mp.Event()
    burner = mp.Process(target=burn, args=(stop,)) if busy else None
    if burner:
        burner.start()
        time.sleep(0.5)
    times = []
    for _, text in queries:
        t0 = time.perf_counter()
        lib.search(text, k=10)
        times.append((time.perf_counter() - t0) * 1000)
    if burner:
        stop.set()
        burner.join()
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


class CountingEmbedder:
    """Wraps an Embedder and counts the passages it is asked to encode."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self.inner = inner
        self.encoded = 0

    def __getattr__(self, name):  # type: ignore[no-untyped-def]
        return getattr(self.inner, name)

    def encode_passages(self, texts, progress=False):  # type: ignore[no-untyped-def]
        self.encoded += len(texts)
        return self.inner.encode_passages(texts, progress)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reuse", action="store_true", help="reuse the index from a previous run")
    parser.add_argument("--skip-encode-baseline", action="store_true")
    parser.add_argument(
        "--backend",
        default=Settings().backend,
        help="embedding runtime (default: the shipped one; see Settings.backend)",
    )
    args = parser.parse_args()
    data = require_scifact()
    index_dir = OUT / "scifact-index"
    corpus = str(data / "corpus.bib")
    queries = load_queries()
    qrels = load_qrels()
    queries = [(q, t) for q, t in queries if q in qrels]
    rows: list[tuple[str, str]] = []

    if not args.reuse:
        shutil.rmtree(index_dir, ignore_errors=True)
        built = run_child(build_child, str(index_dir), corpus, args.backend)
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        rows += [
            ("studies / passages", f"{built['studies']} / {built['passages']}"),
            ("index build (import, split, embed, BM25, write)", f"{built['build_s']:.1f} s"),
            ("peak RSS of the build process", f"{peak_mb:.0f} MB"),
        ]
        if not args.skip_encode_baseline:
            encoded = run_child(encode_child, built["texts"])
            n = len(built["texts"])
            rows += [
                ("sentence-transformers encode of the same texts", f"{encoded['encode_s']:.1f} s"),
                ("build / encode", f"{built['build_s'] / encoded['encode_s']:.3f}"),
                (
                    "texts/s: build vs encode",
                    f"{n / built['build_s']:.0f} vs {n / encoded['encode_s']:.0f}",
                ),
            ]
    from evidence import Library

    lib = Library.open(index_dir=index_dir, settings={"backend": args.backend})
    lib.search("warm up", k=1)
    rows.insert(0, ("embedding backend", lib.embedder.backend))
    if not args.reuse:
        again = snapshot(lib, [t for _, t in load_queries()[:100]])
        same = again == [[tuple(x) for x in r] for r in built["snapshot"]]
        rows.append(("results identical after save -> load (100 queries)", str(same)))

    print(f"\nSciFact dev: {len(queries)} queries, {len(lib.studies)} studies\n")
    print(f"| {'retrieval':32s} | nDCG@10 | Recall@100 |")
    print(f"|{'-' * 34}|---------|------------|")
    results = {}
    for mode, label in [
        ("bm25", "BM25 alone"),
        ("dense", "dense alone (study vectors)"),
        ("dense_passage", "dense passages alone (max)"),
        ("rrf", "RRF of the three (baseline)"),
        ("rrf_weighted", "RRF weighted 1.2/.6/1, k=20"),
        ("zscore_weighted", "z-score weighted 1/.7/1.3"),
        ("shipped", "shipped search (z-score)"),
    ]:
        metrics = evaluate(runs_for(lib, queries, mode), qrels)
        results[mode] = metrics
        print(f"| {label:32s} | {metrics['ndcg@10']:.4f}  | {metrics['recall@100']:.4f}     |")

    idle = latency(lib, queries, busy=False)
    busy = latency(lib, queries, busy=True)
    rows += [
        ("warm query p50 / p95 (idle)", f"{idle[0]:.1f} / {idle[1]:.1f} ms"),
        ("warm query p50 / p95 (one core busy)", f"{busy[0]:.1f} / {busy[1]:.1f} ms"),
    ]

    counting = CountingEmbedder(lib.embedder)
    t0 = time.perf_counter()
    Library.build(
        [corpus],
        index_dir=index_dir,
        embedder=counting,  # type: ignore[arg-type]
        settings={"backend": args.backend},
    )
    rows.append(
        (
            "unchanged rebuild: texts embedded / time",
            f"{counting.encoded} / {time.perf_counter() - t0:.1f} s",
        )
    )
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        # On a copy, so the benchmark index (also bench_scale's real vectors) stays SciFact.
        copy = Path(tmp) / "index"
        shutil.copytree(index_dir, copy)
        lib = Library.open(
            index_dir=copy, settings={"backend": args.backend}, embedder=lib.embedder
        )
        lib.search("warm up", k=1)
        one = Path(tmp) / "one.bib"
        one.write_text(
            "@article{benchnew2026, title = {Peer support after critical incidents in "
            "paramedics}, author = {Doe, Jane}, year = {2026}, abstract = {We surveyed "
            "300 paramedics. Peer support was associated with lower distress.}}\n"
        )
        t0 = time.perf_counter()
        lib.add_bibtex(one)
        rows.append(("add one study (model loaded)", f"{time.perf_counter() - t0:.2f} s"))
    print()
    for name, value in rows:
        print(f"| {name:52s} | {value:>22s} |")
    (OUT / "bench_search.json").write_text(json.dumps({"metrics": results, "rows": rows}, indent=2))


if __name__ == "__main__":
    mp.set_start_method("spawn")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    main()

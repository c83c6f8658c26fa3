"""Encoding speed and agreement of the embedding runtimes (issue 19, item 5). Prints one table.

    .venv/bin/python benchmarks/bench_encode.py                       # fp32 and int8 OpenVINO
    .venv/bin/python benchmarks/bench_encode.py --backends openvino,onnx-int8,openvino-int8

For each backend, in this process, in rounds whose order reverses each time (A B, B A, ...:
this VM's speed drifts by tens of percent within minutes): SciFact dev claims encoded one at
a time (as a search does: one thread), p50 / p95; and the first --texts SciFact abstracts
(title and text) and --sentences of their sentences encoded as an index build does (all
cores), in texts per second. Medians of the rounds. (Taking turns query by query instead
lowered int8's gain to 1.21x: each backend then evicts the other's weights from the CPU
caches.) The first backend is the reference: each other backend's mean cosine to it is
reported. Search quality (nDCG@10) for a backend comes from `bench_search.py --backend
NAME`. The int8 model would replace fp32 as the default only if it were at least 1.5x
faster and lost at most 0.003 nDCG@10.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.scifact import load_queries, require_scifact  # noqa: E402


def abstracts(folder: Path, limit: int) -> list[str]:
    texts = []
    with (folder / "corpus.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            texts.append(f"{row['title']} {row['text']}".strip())
            if len(texts) == limit:
                break
    return texts


def sentences(texts: list[str], limit: int) -> list[str]:
    """Sentences of `texts` (a plain split after . ! or ?): most of what an index build
    encodes is sentences, shorter than abstracts and in many more shapes."""
    found = [s for t in texts for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", t) if len(s) >= 25]
    return found[:limit]


def measure(
    backends: list[str], queries: list[str], texts: list[str], rounds: int, short: list[str]
) -> dict[str, dict]:  # type: ignore[type-arg]
    """Rounds of blocks: in each round every backend encodes all queries (one at a time),
    then all texts; the order of backends reverses every round (A B, B A, ...) so that drift
    in the machine's speed hits them alike. Reports the median of the rounds."""
    from evidence import Embedder

    embedders = {b: Embedder(backend=b) for b in backends}
    for embedder in embedders.values():
        embedder.encode_queries(queries[:20])  # load, compile, warm up
    found: dict[str, list[dict]] = {b: [] for b in backends}  # type: ignore[type-arg]
    for round_ in range(rounds):
        order = backends if round_ % 2 == 0 else backends[::-1]
        for name in order:
            found[name].append(_block(embedders[name], queries, texts, short))
    return {
        name: {
            "p50": statistics.median(r["p50"] for r in runs),
            "p95": statistics.median(r["p95"] for r in runs),
            "texts_per_s": statistics.median(r["texts_per_s"] for r in runs),
            "sentences_per_s": statistics.median(r["sentences_per_s"] for r in runs),
            "queries": runs[0]["queries"],
            "documents": runs[0]["documents"],
            "precision": embedders[name].precision,
        }
        for name, runs in found.items()
    }


def _block(embedder, queries: list[str], texts: list[str], short: list[str]) -> dict:  # type: ignore[no-untyped-def,type-arg]
    times, vectors = [], []
    for query in queries:
        start = time.perf_counter()
        vectors.append(embedder.encode_queries([query])[0])
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    start = time.perf_counter()
    documents = embedder.encode_passages(texts)
    texts_per_s = len(texts) / (time.perf_counter() - start)
    start = time.perf_counter()
    embedder.encode_passages(short)
    return {
        "p50": statistics.median(times),
        "p95": times[int(0.95 * (len(times) - 1))],
        "texts_per_s": texts_per_s,
        "sentences_per_s": len(short) / (time.perf_counter() - start),
        "queries": np.stack(vectors),
        "documents": documents,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backends", default="openvino,openvino-int8")
    parser.add_argument("--texts", type=int, default=1000, help="abstracts to encode")
    parser.add_argument("--queries", type=int, default=400, help="claims to encode")
    parser.add_argument("--sentences", type=int, default=3000, help="sentences to encode")
    parser.add_argument("--rounds", type=int, default=4, help="rounds (median reported)")
    args = parser.parse_args()
    folder = require_scifact()
    queries = [text for _, text in load_queries("dev")][: args.queries]
    texts = abstracts(folder, args.texts)
    short = sentences(abstracts(folder, 10 * args.sentences), args.sentences)
    results = measure(args.backends.split(","), queries, texts, args.rounds, short)
    reference = next(iter(results.values()))
    print(
        f"\n{len(queries)} SciFact dev claims one at a time; {len(texts)} abstracts and "
        f"{len(short)} sentences in bulk; median of {args.rounds} rounds\n"
    )
    print(
        "| backend | precision | query p50 / p95 | speed-up | abstracts/s | speed-up "
        "| sentences/s | speed-up | cosine |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, r in results.items():
        cosine = float(
            np.concatenate(
                [
                    np.sum(r["queries"] * reference["queries"], axis=1),  # type: ignore[operator]
                    np.sum(r["documents"] * reference["documents"], axis=1),  # type: ignore[operator]
                ]
            ).mean()
        )
        print(
            f"| {name} | {r['precision']} | {r['p50']:.2f} / {r['p95']:.2f} ms "
            f"| {reference['p50'] / r['p50']:.2f}x "  # type: ignore[operator]
            f"| {r['texts_per_s']:.1f} | {r['texts_per_s'] / reference['texts_per_s']:.2f}x "  # type: ignore[operator]
            f"| {r['sentences_per_s']:.0f} "
            f"| {r['sentences_per_s'] / reference['sentences_per_s']:.2f}x "  # type: ignore[operator]
            f"| {cosine:.4f} |"
        )


if __name__ == "__main__":
    main()

"""Search quality on the bundled corpus with the judged queries of corpus_queries.tsv.

    .venv/bin/python benchmarks/bench_corpus.py            # (re)build benchmarks/out/corpus-index
    .venv/bin/python benchmarks/bench_corpus.py --reuse    # open the index from a previous run
    .venv/bin/python benchmarks/bench_corpus.py --misses   # also list top-5 misses per query

Each query in corpus_queries.tsv lists the keys of the studies that answer it (binary
relevance, judged by reading the findings). The queries of point_judgments.tsv on the
corpus's newer topics (costs, sleep, families, moral injury, resilience, ...) that
corpus_queries.tsv lacks are added with the studies of their judged findings as the
relevant ones. Reports mean nDCG@10 and Recall@5 for each set and for all of them, with the
metric helpers of benchmarks/scifact.py.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.scifact import ndcg_at, recall_at  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
QUERIES = Path(__file__).resolve().parent / "corpus_queries.tsv"
POINTS = Path(__file__).resolve().parent / "point_judgments.tsv"
INDEX = Path(__file__).resolve().parent / "out" / "corpus-index"


def load_judgements(path: Path = QUERIES) -> list[tuple[str, dict[str, int]]]:
    """Return (query, {key: 1}) pairs from a `query<TAB>key key ...` file with a header line."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))
    return [(query, {key: 1 for key in keys.split()}) for query, keys in rows[1:]]


def derived_judgements(
    path: Path = POINTS, skip: set[str] | frozenset[str] = frozenset()
) -> list[tuple[str, dict[str, int]]]:
    """Answerable queries of point_judgments.tsv not in `skip`: the studies of their judged
    findings are relevant."""
    relevant: dict[str, dict[str, int]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row["query"] in skip or row["finding"] == "-":
                continue
            relevant.setdefault(row["query"], {})[row["finding"].split(":")[0]] = 1
    return list(relevant.items())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reuse", action="store_true", help="open the index of a previous run")
    parser.add_argument("--misses", action="store_true", help="list queries with Recall@5 < 1")
    args = parser.parse_args()

    from evidence import Library

    sources = sorted((ROOT / "corpus").glob("*.bib"))
    lib = Library.open(index_dir=INDEX) if args.reuse else Library.build(sources, index_dir=INDEX)
    original = load_judgements()
    added = derived_judgements(skip={q for q, _ in original})
    judged = original + added
    known = {s.key for s in lib.studies}
    unknown = sorted({k for _, rel in judged for k in rel} - known)
    if unknown:
        sys.exit(f"corpus_queries.tsv names keys not in the index: {', '.join(unknown)}")

    results = lib.batch_search([q for q, _ in judged], k=10)
    ndcgs, recalls = [], []
    misses = []
    for (query, rel), hits in zip(judged, results, strict=True):
        ranked = [h.study.key for h in hits]
        ndcgs.append(ndcg_at(ranked, rel, 10))
        recalls.append(recall_at(ranked, rel, 5))
        if recalls[-1] < 1:
            misses.append((query, sorted(set(rel) - set(ranked[:5])), ranked[:5]))

    print(
        f"\nCurated corpus: {len(judged)} judged queries, {len(lib.studies)} studies, "
        f"{len(lib.passages)} passages, model {lib.manifest.get('model', {}).get('name', '?')}\n"
    )
    cut = len(original)
    print("| queries | n | nDCG@10 | Recall@5 |\n|---|---|---|---|")
    for name, lo, hi in (
        ("corpus_queries.tsv", 0, cut),
        ("newer topics (point_judgments)", cut, len(judged)),
        ("all", 0, len(judged)),
    ):
        n = hi - lo
        if n:
            print(f"| {name} | {n} | {sum(ndcgs[lo:hi]) / n:.4f} | {sum(recalls[lo:hi]) / n:.4f} |")
    if args.misses:
        print("\nQueries with a relevant study outside the top 5:")
        for query, missed, top in misses:
            print(f"- {query!r}: missed {', '.join(missed)}; top 5 = {', '.join(top)}")


if __name__ == "__main__":
    main()

"""SciFact (BEIR) benchmark data and the BEIR/trec_eval metrics (nDCG@10, Recall@100)."""

from __future__ import annotations

import math
import os
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("EVIDENCE_SHARED", ROOT.parent / "shared"))
SCIFACT = SHARED / "bench" / "scifact"


def require_scifact() -> Path:
    if not (SCIFACT / "corpus.bib").exists():
        sys.exit(f"SciFact data not found at {SCIFACT} (set EVIDENCE_SHARED to the shared folder).")
    return SCIFACT


def load_queries(split: str = "dev") -> list[tuple[str, str]]:
    rows = []
    for line in (SCIFACT / f"queries-{split}.tsv").read_text(encoding="utf-8").splitlines():
        qid, text = line.split("\t", 1)
        rows.append((qid, text))
    return rows


def load_qrels(split: str = "dev") -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    for line in (SCIFACT / f"qrels-{split}.tsv").read_text(encoding="utf-8").splitlines():
        qid, doc, rel = line.split("\t")
        qrels[qid][doc] = int(rel)
    return dict(qrels)


def ndcg_at(ranked: list[str], rel: dict[str, int], k: int = 10) -> float:
    dcg = sum(rel.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted(rel.values(), reverse=True)[:k]
    idcg = sum(r / math.log2(i + 2) for i, r in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(ranked: list[str], rel: dict[str, int], k: int = 100) -> float:
    return len(set(ranked[:k]) & set(rel)) / len(rel) if rel else 0.0


def mrr_at(ranked: list[str], rel: dict[str, int], k: int = 10) -> float:
    for i, doc in enumerate(ranked[:k]):
        if rel.get(doc, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def evaluate(runs: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> dict[str, float]:
    """Mean metrics over every judged query (a query with no run scores 0)."""
    totals = defaultdict(float)
    for qid, rel in qrels.items():
        ranked = runs.get(qid, [])
        totals["ndcg@10"] += ndcg_at(ranked, rel)
        totals["recall@100"] += recall_at(ranked, rel, 100)
        totals["recall@10"] += recall_at(ranked, rel, 10)
        totals["mrr@10"] += mrr_at(ranked, rel)
    return {name: value / len(qrels) for name, value in totals.items()}

"""Talking points on the bundled corpus: are they usable, and how fast. Prints two tables.

    .venv/bin/python benchmarks/bench_points.py               # quality and speed
    .venv/bin/python benchmarks/bench_points.py --misses      # also list each miss
    .venv/bin/python benchmarks/bench_points.py --style ieee  # speed in another style

Quality, against the finding-level judgments of benchmarks/point_judgments.tsv (for each
query, the findings that answer it and the words a point from each must hold to state its
result; "-" marks a query nothing in the library answers). For each query the library
drafts up to 5 points (`talking_points(q, k=5)`):

- usable precision: points whose study has a finding that answers the query and whose
  text holds one of that finding's result fragments, over all points given;
- top point usable: answerable queries whose first point is usable;
- no-answer abstention: unanswerable queries given no point at all;
- answerable queries left empty.

Targets (issue 14): precision >= 0.85, top point >= 0.9, abstention 100%, at most 1
answerable query left empty. Speed: 10 points + reference list + DOCX per query, warm,
20 queries (issue 5: p50 <= 1 s for a new citation document).
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"
JUDGMENTS = Path(__file__).resolve().parent / "point_judgments.tsv"
SPEED_QUERIES = [
    "does peer support reduce PTSD symptoms in first responders",
    "stigma stops firefighters seeking mental health help",
    "prevalence of PTSD in paramedics",
    "is critical incident stress debriefing effective",
    "suicidal ideation among firefighters",
    "mental health of 911 dispatchers",
    "leadership support and officer wellbeing",
    "shift work and sleep problems in police",
    "mental health first aid training outcomes",
    "organisational stressors versus trauma exposure",
    "barriers to help-seeking in police officers",
    "peer support programs after critical incidents",
    "burnout and intention to leave among paramedics",
    "resilience training for police recruits",
    "psychological interventions for PTSD in public safety personnel",
    "suicide rates among emergency medical technicians",
    "depression and anxiety among correctional officers",
    "workplace mental health interventions that work",
    "trauma risk management TRiM in the police",
    "early intervention after traumatic events at work",
]


@dataclass
class Judged:
    """One query's judgments: answering findings ("key:N") and their result fragments."""

    query: str
    fragments: dict[str, list[str]] = field(default_factory=dict)

    @property
    def answerable(self) -> bool:
        return bool(self.fragments)

    def usable(self, study_keys: list[str], text: str) -> bool:
        """A point is usable when one of its studies has an answering finding whose result
        fragment the point's text holds."""
        lowered = text.lower()
        return any(
            fragment.lower() in lowered
            for finding, fragments in self.fragments.items()
            if finding.split(":")[0] in study_keys
            for fragment in fragments
        )


def load_judgments(path: Path = JUDGMENTS) -> list[Judged]:
    """The judged queries of `path`, in file order."""
    judged: dict[str, Judged] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            item = judged.setdefault(row["query"], Judged(row["query"]))
            if row["finding"].strip() not in ("", "-"):
                item.fragments[row["finding"].strip()] = [
                    f.strip() for f in row["fragments"].split("|") if f.strip()
                ]
    return list(judged.values())


def quality(library, judged: list[Judged], show_misses: bool) -> dict[str, float]:  # type: ignore[no-untyped-def]
    counts: dict[str, int] = defaultdict(int)
    for item in judged:
        points = library.talking_points(item.query, k=5)
        usable = [item.usable(list(p.study_keys), p.text) for p in points]
        if item.answerable:
            counts["answerable"] += 1
            counts["points"] += len(points)
            counts["usable"] += sum(usable)
            counts["top usable"] += bool(usable and usable[0])
            counts["left empty"] += not points
        else:
            counts["unanswerable"] += 1
            counts["abstained"] += not points
            counts["points"] += len(points)
        if show_misses and (not all(usable) or (item.answerable and not points)):
            _show(item, points, usable)
    return {
        "queries (answerable / not)": f"{counts['answerable']} / {counts['unanswerable']}",  # type: ignore[dict-item]
        "usable precision": counts["usable"] / max(1, counts["points"]),
        "top point usable": counts["top usable"] / max(1, counts["answerable"]),
        "no-answer abstention": counts["abstained"] / max(1, counts["unanswerable"]),
        "answerable queries left empty": counts["left empty"],
        "points per answerable query (mean)": (
            (counts["points"] - (counts["unanswerable"] - counts["abstained"]))
            / max(1, counts["answerable"])
        ),
    }


def _show(item: Judged, points: list, usable: list[bool]) -> None:  # type: ignore[type-arg]
    print(f"\n? {item.query}  ({'answerable' if item.answerable else 'no answer'})")
    for point, ok in zip(points, usable, strict=True):
        print(f"   {'ok ' if ok else 'BAD'} {point.passage_id}: {point.text[:150]}")
    if item.answerable and not points:
        print(f"   (no points; judged: {', '.join(item.fragments)})")


def speed(library, style: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    warm = library.talking_points(SPEED_QUERIES[0], k=10, style=style)
    library.export(warm, "docx", style=style)
    first, second, sizes = [], [], []
    for times in (first, second):
        for query in SPEED_QUERIES:
            start = time.perf_counter()
            points = library.talking_points(query, k=10, style=style)
            if points:
                data = library.export(points, "docx", style=style, title=query)
                assert data[:2] == b"PK"
            times.append(time.perf_counter() - start)
            sizes.append(len(points))
    return {
        "p50 (new document)": statistics.median(first),
        "p95 (new document)": statistics.quantiles(first, n=20)[-1],
        "max (new document)": max(first),
        "p50 (cached document)": statistics.median(second),
        "points per query (mean)": statistics.mean(sizes),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--style", default="apa")
    parser.add_argument("--misses", action="store_true", help="list every unusable point")
    args = parser.parse_args()
    from evidence import Library

    library = Library.open_or_build([ROOT / "corpus"], index_dir=OUT / "corpus-index")
    judged = load_judgments()
    print(f"Talking points (k=5) against {JUDGMENTS.name}")
    for name, value in quality(library, judged, args.misses).items():
        shown = f"{value:.3f}" if isinstance(value, float) else str(value)
        print(f"  {name:<36} {shown}")
    print(f"\n10 talking points + reference list + DOCX, {len(SPEED_QUERIES)} queries, "
          f"style {args.style}")  # fmt: skip
    for name, value in speed(library, args.style).items():
        unit = "" if "points" in name else " s"
        print(f"  {name:<36} {value:.3f}{unit}")


if __name__ == "__main__":
    main()

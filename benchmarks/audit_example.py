"""Print the full audit report of the realistic practitioner draft, and what it cost.

    .venv/bin/python benchmarks/audit_example.py              # text report + timings
    .venv/bin/python benchmarks/audit_example.py --format md  # the report in Markdown

The library is the bundled corpus, indexed into benchmarks/out/audit-index (built on the
first run, reused after). Timings: parsing the draft, the audit without and with the
library search for uncited claims, and parsing a draft 100 times as long.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DRAFT = ROOT / "tests" / "data" / "audit-practitioner.md"
INDEX = Path(__file__).resolve().parent / "out" / "audit-index"


def timed(func, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    """Median wall time of `func()` over `repeat` runs, in milliseconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--format", choices=["text", "md"], default="text")
    args = parser.parse_args()

    from evidence import Library
    from evidence.audit.auditor import audit_draft, render
    from evidence.audit.reading import parse_draft

    library = Library.open_or_build([ROOT / "corpus"], index_dir=INDEX)
    report = dataclasses.replace(library.audit(DRAFT), source=str(DRAFT.relative_to(ROOT)))
    print(render(report, args.format))

    text = DRAFT.read_text(encoding="utf-8")
    body = text[: text.index("## References")]
    long_text = body * 100 + text[len(body) :]
    rows = [
        (f"parse the draft ({len(text):,} chars)", timed(lambda: parse_draft(text))),
        ("audit without search", timed(lambda: audit_draft(text, library.studies))),
        ("Library.audit with search", timed(lambda: library.audit(text))),
        (f"parse a draft 100x as long ({len(long_text):,} chars)",
         timed(lambda: parse_draft(long_text), 3)),
        ("audit without search, 100x draft",
         timed(lambda: audit_draft(long_text, library.studies), 1)),
    ]  # fmt: skip
    print("timings (median wall time):")
    for name, ms in rows:
        print(f"  {name:<52} {ms:9.1f} ms")


if __name__ == "__main__":
    main()

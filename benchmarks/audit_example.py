"""Print the full audit report of the realistic practitioner draft, and what it cost.

    .venv/bin/python benchmarks/audit_example.py              # text report + timings
    .venv/bin/python benchmarks/audit_example.py --format md  # the report in Markdown

The library is the bundled corpus, indexed into benchmarks/out/audit-index (built on the
first run, reused after). Timings: parsing the draft, the audit without and with the
library search for uncited claims, on the draft and on a draft 100 times as long.
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

    library = Library.open_or_build([ROOT / "corpus"], index_dir=INDEX)
    report = dataclasses.replace(library.audit(DRAFT), source=str(DRAFT.relative_to(ROOT)))
    print(report.render(args.format))

    text = DRAFT.read_text(encoding="utf-8")
    body = text[: text.index("## References")]
    long_text = body * 100 + text[len(body) :]
    rows = [
        (f"Library.audit of the draft ({len(text):,} chars)", timed(lambda: library.audit(text))),
        (f"Library.audit of a draft 100x as long ({len(long_text):,} chars)",
         timed(lambda: library.audit(long_text), 1)),
    ]  # fmt: skip
    print("timings (median wall time):")
    for name, ms in rows:
        print(f"  {name:<52} {ms:9.1f} ms")


if __name__ == "__main__":
    main()

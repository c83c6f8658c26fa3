"""Fuzz the importers (BibTeX, RIS, CSL-JSON) and the draft-audit parser at scale. Prints
one line per target.

    .venv/bin/python benchmarks/fuzz.py                      # 10,000 examples per target
    .venv/bin/python benchmarks/fuzz.py --examples 500 --targets bibtex-mutated --seed 1
    .venv/bin/python benchmarks/fuzz.py --targets ris-text,ris-mutated,csljson-text,csljson-mutated

The targets and properties are the ones `tests/system/test_fuzz.py` and
`tests/system/test_fuzz_formats.py` (RIS and CSL-JSON) run a few examples of: random
text, random bytes and mutated real files (../shared/fixtures/bib, tests/data/audit-*,
tests/data/imports, exports of tests/data/tiny.bib) must give a result or a documented
error (`BibtexImportError`, `DraftError`), within --time-bound seconds each, and every
entry that survives a mutation intact must still be imported. Failures are counted and do
not stop the run; up to --show distinct ones are printed with the input and the end of
the traceback, and their inputs are saved in benchmarks/out/fuzz-failures/. The exit
status is 1 when any failure (or hang) was found. Bounded: at most MAX_EXAMPLES per target.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MAX_EXAMPLES = 1_000_000
FAILURES = ROOT / "benchmarks" / "out" / "fuzz-failures"  # each distinct failure's input


def save(value: Any, target: str, number: int) -> Path:
    """Write a failing input to FAILURES (bytes as they were fed; a mutant's original too)."""
    FAILURES.mkdir(parents=True, exist_ok=True)
    stem = FAILURES / f"{target}-{number}"
    if hasattr(value, "data"):
        stem.with_suffix(".original.txt").write_text(value.original, encoding="utf-8")
        value = value.data
    data = value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogatepass")
    stem.with_suffix(".input").write_bytes(data)
    return stem.with_suffix(".input")


def run_target(name: str, examples: int, bound: float, seed: int | None) -> dict[str, Any]:
    """Run `examples` inputs through target `name`; return counts and distinct failures."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as with_seed

    from tests.system.test_fuzz import bounded

    make, check = all_targets()[name]
    guarded = bounded(check, bound)
    ran = 0
    failures: Counter[str] = Counter()
    samples: dict[str, str] = {}

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(make())
    def fuzz(value: Any) -> None:
        nonlocal ran
        ran += 1
        try:
            guarded(value)
        except Exception as exc:  # every failure is recorded; the run goes on
            where = traceback.extract_tb(exc.__traceback__)[-1]
            signature = f"{type(exc).__name__} at {Path(where.filename).name}:{where.lineno}"
            failures[signature] += 1
            if signature not in samples:
                shown = value.describe() if hasattr(value, "describe") else repr(value)[:300]
                tail = "".join(traceback.format_exception(exc)[-3:])
                saved = save(value, name, len(samples))
                samples[signature] = f"input: {shown}\nsaved as {saved}\n{tail}"

    if seed is not None:
        fuzz = with_seed(seed)(fuzz)
    started = time.perf_counter()
    fuzz()
    return {
        "target": name,
        "examples": ran,
        "seconds": time.perf_counter() - started,
        "failures": sum(failures.values()),
        "distinct": failures,
        "samples": samples,
    }


def all_targets() -> dict[str, Any]:
    """Every fuzz target: BibTeX and drafts, then RIS and CSL-JSON."""
    from tests.system.test_fuzz import TARGETS
    from tests.system.test_fuzz_formats import TARGETS as FORMAT_TARGETS

    return {**TARGETS, **FORMAT_TARGETS}


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from tests.system.test_fuzz import fixture_texts

    TARGETS = all_targets()  # noqa: N806 - the table's name in both test modules

    # The docstring's first paragraph, unwrapped (its first line alone stops mid-sentence).
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--examples", type=int, default=10_000, help="per target")
    parser.add_argument("--targets", default=",".join(TARGETS), help="comma-separated")
    parser.add_argument("--time-bound", type=float, default=2.0, help="seconds per input")
    parser.add_argument("--seed", type=int, default=None, help="reproduce a run")
    parser.add_argument("--show", type=int, default=5, help="distinct failures to print")
    args = parser.parse_args()
    if not 1 <= args.examples <= MAX_EXAMPLES:
        parser.error(f"--examples must be between 1 and {MAX_EXAMPLES:,}")
    names = [n.strip() for n in args.targets.split(",") if n.strip()]
    unknown = [n for n in names if n not in TARGETS]
    if unknown:
        parser.error(f"unknown target(s) {', '.join(unknown)}; known: {', '.join(TARGETS)}")
    if "bibtex-mutated" in names and not fixture_texts():
        parser.error("../shared/fixtures/bib is missing: bibtex-mutated needs the fixtures")
    print(f"{'target':<16} {'examples':>8} {'failures':>8} {'seconds':>8} {'ms/input':>8}")
    failed = 0
    for name in names:
        result = run_target(name, args.examples, args.time_bound, args.seed)
        failed += result["failures"]
        per_input = 1000 * result["seconds"] / max(1, result["examples"])
        print(
            f"{name:<16} {result['examples']:>8} {result['failures']:>8} "
            f"{result['seconds']:>8.1f} {per_input:>8.2f}",
            flush=True,
        )
        for signature, count in result["distinct"].most_common(args.show):
            print(
                f"  {count} x {signature}\n    "
                + result["samples"][signature].replace("\n", "\n    ")
            )
    print(f"time bound {args.time_bound:g} s per input; only documented errors may escape")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

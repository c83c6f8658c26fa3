"""Import speed and memory: our `load_bibtex` against bibtexparser's own plain parse, and
RIS and CSL-JSON imports against BibTeX on the same entries.

    .venv/bin/python benchmarks/bench_ingest.py [--entries 50000] [--split-50k]
    .venv/bin/python benchmarks/bench_ingest.py --formats-only

The format comparison exports the SciFact studies with our own exporters
(`write_references`) and times `load_references` on each file, so the three hold the
same entries; the target is RIS and CSL-JSON within 2x BibTeX per entry.

Files: ../shared/bench/scifact/corpus.bib (5,183 entries with abstracts) and a generated
file of realistic entries (authors with LaTeX accents in about one entry in five, UTF-8
names in others, journals, DOIs, SciFact abstracts). Each measurement runs in its own
process, best of three, and reports studies/s and that process's peak RSS. Sentence
splitting (done at index time, not import time) is timed on its own line.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.scifact import require_scifact  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
FAMILIES = [
    "Smith",
    "Nguyen",
    "Garc{\\'\\i}a",
    'M{\\"u}ller',
    "Carleton",
    "O'Brien",
    "Kowalski",
    "Dubois",
    "Andersson",
    "Ricciardelli",
    "Ç{\\'e}lik",
    "Šimić",
    "Lefèvre",
    "Okafor",
    "van der Berg",
    "de la Cruz",
    'Schr{\\"o}dinger',
    "Nakamura",
    "Østergaard",
    "Hughes",
]
GIVEN = ["Anna", "R. Nicholas", "Jos{\\'e}", 'Zo{\\"e}', "Li", "Mark", "Sofia", "J.", "Ahmed"]
ACCENTED = [f for f in FAMILIES if "\\" in f or not f.isascii()]
PLAIN = [f for f in FAMILIES if f not in ACCENTED]
JOURNALS = [
    "Journal of Occupational Health Psychology",
    "BMC Psychiatry",
    "Frontiers in Psychology",
    "Occupational and Environmental Medicine",
    "Psychological Trauma: Theory, Research, Practice, and Policy",
    "Canadian Journal of Psychiatry",
]


def generate(path: Path, count: int, abstracts: list[str]) -> None:
    rng = random.Random(42)
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            accented = i % 5 == 0
            names = []
            for n in range(rng.randint(1, 8)):
                # One entry in five has an accented first author (LaTeX or UTF-8).
                family = rng.choice(ACCENTED if accented and n == 0 else PLAIN)
                names.append(
                    f"{family}, {rng.choice(GIVEN if accented else ['Anna', 'Li', 'Mark'])}"
                )
            abstract = abstracts[i % len(abstracts)]
            out.write(
                f"@article{{gen{i},\n  author = {{{' and '.join(names)}}},\n"
                f"  title = {{Workplace Mental Health Study Number {i}: "
                "{PTSD} and Peer Support},\n"
                f"  journal = {{{rng.choice(JOURNALS)}}},\n"
                f"  year = {{{rng.randint(1995, 2025)}}},\n"
                f"  volume = {{{rng.randint(1, 80)}}},\n  number = {{{rng.randint(1, 12)}}},\n"
                f"  pages = {{{rng.randint(1, 500)}--{rng.randint(501, 900)}}},\n"
                f"  doi = {{10.{rng.randint(1000, 9999)}/gen.{i}}},\n"
                "  keywords = {PTSD; stigma; peer support},\n"
                f"  abstract = {{{abstract}}},\n}}\n\n"
            )


def _plain(path: str) -> int:
    import bibtexparser

    return len(bibtexparser.parse_file(path).entries)


def _ours(path: str) -> int:
    from evidence import load_bibtex

    return len(load_bibtex(path)[0])


def _split(path: str) -> int:
    from evidence import load_bibtex, split_sentences

    studies, _ = load_bibtex(path)
    t0 = time.perf_counter()
    n = sum(len(split_sentences(s.abstract)) for s in studies)
    _split.elapsed = time.perf_counter() - t0  # type: ignore[attr-defined]
    return n


def _references(path: str) -> int:
    from evidence import load_references

    return len(load_references(path)[0])


def _child(name: str, path: str, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    func = {"plain": _plain, "ours": _ours, "split": _split, "references": _references}[name]
    # Import outside the timed region: module loading is not parsing.
    import bibtexparser  # noqa: F401

    import evidence  # noqa: F401

    if name == "split":
        count = func(path)
        elapsed = _split.elapsed  # type: ignore[attr-defined]
    else:
        t0 = time.perf_counter()
        count = func(path)
        elapsed = time.perf_counter() - t0
    queue.put((count, elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def measure(name: str, path: Path, repeats: int = 3) -> tuple[int, float, float]:
    best = None
    for _ in range(repeats):
        queue: mp.Queue = mp.Queue()  # type: ignore[type-arg]
        proc = mp.Process(target=_child, args=(name, str(path), queue))
        proc.start()
        result = queue.get()
        proc.join()
        if best is None or result[1] < best[1]:
            best = result
    assert best is not None
    return best


def export_formats(source: Path) -> dict[str, Path]:
    """The studies of `source` written by our exporters as BibTeX, RIS and CSL-JSON."""
    from evidence import load_bibtex, write_references

    studies = load_bibtex(source)[0]
    files = {}
    for label, fmt, ext in [("BibTeX", "bibtex", "bib"), ("RIS", "ris", "ris"),
                            ("CSL-JSON", "csljson", "json")]:  # fmt: skip
        files[label] = OUT / f"{source.stem}-export.{ext}"
        files[label].write_text(write_references(studies, fmt), encoding="utf-8")
    return files


def compare_formats(source: Path) -> None:
    """Print per-entry import time of each format, against BibTeX's."""
    print(f"\nImport by format ({source.name} exported by our exporters, best of three)")
    print("| format | studies | file size | import | per entry | vs BibTeX | peak RSS |")
    print("|---|---|---|---|---|---|---|")
    baseline = None
    for label, path in export_formats(source).items():
        count, elapsed, rss = measure("references", path)
        per_entry = elapsed / count
        baseline = baseline or per_entry  # BibTeX comes first
        print(
            f"| {label} | {count:,} | {path.stat().st_size / 1e6:.1f} MB | {elapsed:.2f} s | "
            f"{per_entry * 1e6:.0f} µs | {per_entry / baseline:.2f}x | {rss:.0f} MB |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument(
        "--split-50k",
        action="store_true",
        help="also time sentence splitting of the generated file",
    )
    parser.add_argument(
        "--formats-only",
        action="store_true",
        help="only compare RIS and CSL-JSON imports with BibTeX on the same entries",
    )
    args = parser.parse_args()
    scifact = require_scifact() / "corpus.bib"
    OUT.mkdir(exist_ok=True)
    if args.formats_only:
        compare_formats(scifact)
        return
    generated = OUT / f"generated-{args.entries}.bib"
    if not generated.exists():
        from evidence import load_bibtex

        abstracts = [s.abstract.replace("%", "\\%") for s in load_bibtex(scifact)[0] if s.abstract]
        generate(generated, args.entries, abstracts)
    print(
        "| file | bibtexparser plain parse | our import (LaTeX, names, DOIs) | ratio "
        "| peak RSS ours | studies/s |"
    )
    print("|---|---|---|---|---|---|")
    for label, path in [
        ("SciFact corpus.bib", scifact),
        (f"generated {args.entries:,}", generated),
    ]:
        n_plain, t_plain, _ = measure("plain", path)
        n_ours, t_ours, rss = measure("ours", path)
        print(
            f"| {label} ({n_ours:,} studies) | {t_plain:.2f} s | {t_ours:.2f} s | "
            f"{t_ours / t_plain:.2f}x | {rss:.0f} MB | {n_ours / t_ours:,.0f} |"
        )
    passages, t_split, _ = measure("split", scifact, repeats=1)
    print(
        f"\nSentence splitting (pysbd, at index time) of SciFact: {passages:,} passages "
        f"in {t_split:.1f} s"
    )
    compare_formats(scifact)
    if args.split_50k:
        passages, t_split, _ = measure("split", generated, repeats=1)
        print(f"Sentence splitting of the generated file: {passages:,} passages in {t_split:.1f} s")


if __name__ == "__main__":
    mp.set_start_method("spawn")
    main()

"""The citation audit on drafts in real-world layouts, scored against their manifest.

    .venv/bin/python benchmarks/audit_fixtures.py            # the table (library audits)
    .venv/bin/python benchmarks/audit_fixtures.py --details  # also each miss and false alarm

Reads ../shared/fixtures/drafts/ (drafts and MANIFEST.tsv: see its README) and audits each
draft with `Library.audit` over the bundled corpus (indexed into benchmarks/out/audit-index
on the first run). Per file and in total:

- references and in-text citations found, against the manifest's counts;
- planted defects reported with the right kind (KINDS maps the manifest's kinds to ours);
- false alarms: an error or warning about a citation or reference that no planted defect
  explains, any finding on a citation the manifest lists as correct, and any decoy taken
  for a citation, a reference (before the list) or a claim;
- uncited claims flagged in body prose, and notices of corrected or retracted works: not
  false alarms (the manifest does not list a draft's uncited claims, and a notice is a fact
  about the cited work), but shown so that they can be read;
- p50 wall time of one `Library.audit` per draft (warm).

Targets (issue 16): references and citations exact on >= 90% of files and within one on
all; 100% of planted defects; 0 false alarms. `tests/audit/test_fixtures.py` asserts the
same per file with `score`, without the model.
"""

from __future__ import annotations

import argparse
import csv
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from evidence import AuditFinding, AuditReport  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DRAFTS = ROOT.parent / "shared" / "fixtures" / "drafts"
INDEX = Path(__file__).resolve().parent / "out" / "audit-index"
# The manifest's defect kinds, and the finding kinds that report each.
KINDS = {
    "year-mismatch": ("citation-year-mismatch",),
    "author-typo": ("citation-author-typo",),
    "missing-from-list": ("citation-not-in-references",),
    "never-cited": ("reference-uncited",),
    "doi-truncated": ("doi-truncated",),
    "doi-malformed": ("doi-malformed",),
    "year-malformed": ("reference-year-malformed", "citation-year-malformed"),
    "ambiguous": ("citation-ambiguous",),
}
# Not false alarms: claims the manifest does not list, and facts about the cited work.
APART = ("uncited-claim", "cites-retracted", "cites-concern", "cites-corrected")
CLAIM_KINDS = ("uncited-claim", "fit-population", "fit-design", "fit-number", "fit-effect",
               "fit-topic")  # fmt: skip
_KEY = re.compile(r"\[([a-z][a-z-]+\d{4}[a-z0-9]+)\]")
_QUOTED = re.compile(r"\"([^\"]{2,200})\"|“([^”]{2,200})”")
_ENTRY = re.compile(r"\b(?:entry|note|marker) \[?\^?(\d{1,3})\]?")


@dataclass(frozen=True)
class Defect:
    """A planted defect: its manifest kind, its words, and what identifies it."""

    kind: str
    detail: str
    key: str  # the library key it names, "" when none
    quotes: tuple[str, ...]  # the texts it quotes
    number: int | None  # the entry or marker number it names


@dataclass(frozen=True)
class Expected:
    """One row of MANIFEST.tsv."""

    file: str
    references: int
    citations: int
    defects: tuple[Defect, ...]
    clean: tuple[str, ...]
    decoys: tuple[str, ...]
    line_endings: str = "lf"


@dataclass
class Score:
    """How an audit of one draft compares with its manifest row."""

    file: str
    references: tuple[int, int]  # (found, expected)
    citations: tuple[int, int]
    found: list[Defect] = field(default_factory=list)
    missed: list[Defect] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)
    claims: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def read_manifest(folder: Path = DRAFTS) -> list[Expected]:
    """The rows of `folder`/MANIFEST.tsv."""
    with (folder / "MANIFEST.tsv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    found = []
    for row in rows:
        clean = tuple(c.replace("\\n", "\n") for c in row["clean_citations"].split("; ") if c)
        defects = tuple(_defect(d) for d in row["defects"].split("; ") if ":" in d)
        found.append(Expected(row["file"], int(row["n_references"]),
                              int(row["n_intext_citations"]), defects, clean,
                              _decoys(row["decoys"], clean), row["line_endings"]))  # fmt: skip
    return found


def _decoys(column: str, clean: tuple[str, ...]) -> tuple[str, ...]:
    """The texts the decoys column quotes, but for those that are (part of) correct
    citations: the column also says what is a citation ("'Arnetz and colleagues (2009)'
    (narrative, no et al.) is a citation")."""
    quoted = [a or b for a, b in _QUOTED.findall(column)]
    flat = [_flat(c) for c in clean]
    return tuple(q for q in quoted if not any(_flat(q) in c or c in _flat(q) for c in flat))


def _defect(text: str) -> Defect:
    kind, _, detail = text.partition(": ")
    key = _KEY.search(detail)
    entry = _ENTRY.search(detail)
    quotes = tuple(a or b for a, b in _QUOTED.findall(detail))
    return Defect(kind.strip(), detail, key.group(1) if key else "", quotes,
                  int(entry.group(1)) if entry else None)  # fmt: skip


def _flat(text: str) -> str:
    """Text compared loosely: straight quotes, one space for any run of spaces."""
    text = text.replace("\u00a0", " ").replace("’", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.split())


def score(report: AuditReport, expected: Expected) -> Score:
    """Compare `report` (of `expected.file`) with its manifest row."""
    result = Score(expected.file, (len(report.references), expected.references),
                   (len(report.citations), expected.citations))  # fmt: skip
    explained: set[int] = set()
    for defect in expected.defects:
        hits = [i for i, f in enumerate(report.findings) if _explains(defect, f, report)]
        (result.found if hits else result.missed).append(defect)
        explained.update(hits)
    marked = {(report.findings[i].kind, _marked(report, report.findings[i])) for i in explained}
    for i, finding in enumerate(report.findings):
        what = f"{finding.kind} at line {finding.line}: {_marked(report, finding)[:80]!r}"
        if finding.kind == "uncited-claim":
            result.claims.append(what)
        elif finding.kind in APART:
            result.notices.append(what)
        elif finding.severity in ("error", "warning") and i not in explained and (
            finding.kind, _marked(report, finding)) not in marked:  # fmt: skip
            result.false_alarms.append(what)
    result.false_alarms += _on_clean(report, expected) + _on_decoys(report, expected)
    return result


def _marked(report: AuditReport, finding: AuditFinding) -> str:
    return _flat(report.text[finding.start : finding.end])


def _explains(defect: Defect, finding: AuditFinding, report: AuditReport) -> bool:
    """True when `finding` reports planted `defect`: the right kind, and its library key, a
    text it quotes, or the entry or marker number it names."""
    if finding.kind not in KINDS.get(defect.kind, ()):
        return False
    if defect.key and finding.study_key == defect.key:
        return True
    marked = _marked(report, finding)
    for quote in defect.quotes:
        quote = _flat(quote)
        if quote.strip("()") in marked or len(marked) >= 2 and marked in quote:
            return True
    if defect.number is None:
        return False
    entries = [r.reference for r in report.references]
    numbered = [r for r in entries if r.start == finding.start]
    if numbered:
        return defect.number in (numbered[0].number, numbered[0].index)
    return re.sub(r"\D", "", marked) == str(defect.number)


def _occurrences(text: str, needle: str) -> list[tuple[int, int]]:
    """Where `needle` occurs in `text`, spaces and quotes compared loosely."""
    pattern = r"\s+".join(re.escape(w) for w in _flat(needle).split())
    loose = text.replace("\u00a0", " ").replace("’", "'").replace("“", '"').replace("”", '"')
    return [m.span() for m in re.finditer(pattern, loose)] if pattern else []


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _on_clean(report: AuditReport, expected: Expected) -> list[str]:
    """Findings on a citation the manifest lists as correct (where it is a citation)."""
    cited = [(c.citation.start, c.citation.end) for c in report.citations]
    alarms = []
    for clean in expected.clean:
        for span in _occurrences(report.text, clean):
            if not any(_overlaps(span, c) for c in cited):
                continue  # the same words outside a citation (a list marker "[1]")
            for f in report.findings:
                if _overlaps(span, (f.start, f.end)) and f.severity != "info":
                    alarms.append(f"{f.kind} on correct citation {clean!r}")
    return alarms


def _on_decoys(report: AuditReport, expected: Expected) -> list[str]:
    """Decoys taken for a citation, a claim, or (before the list) a reference."""
    first = min((r.reference.start for r in report.references), default=len(report.text))
    alarms = []
    for decoy in expected.decoys:
        for span in _occurrences(report.text, decoy):
            if any(_overlaps(span, (c.citation.start, c.citation.end)) for c in report.citations):
                alarms.append(f"decoy {decoy!r} taken for a citation")
            claims = [f for f in report.findings if f.kind in CLAIM_KINDS]
            if any(_overlaps(span, (f.start, f.end)) for f in claims):
                alarms.append(f"decoy {decoy!r} taken for a claim")
            refs = [(r.reference.start, r.reference.end) for r in report.references]
            if span[0] < first and any(_overlaps(span, r) for r in refs):
                alarms.append(f"decoy {decoy!r} taken for a reference")
    return alarms


def table(scores: list[Score], times: dict[str, float]) -> str:
    """The per-file table, its totals and the targets."""
    lines = [
        "| file | refs found/expected | citations found/expected | defects found/planted "
        "| false alarms | uncited claims | notices | ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in scores:
        planted = len(s.found) + len(s.missed)
        lines.append(
            f"| {s.file} | {s.references[0]}/{s.references[1]} | {s.citations[0]}/"
            f"{s.citations[1]} | {len(s.found)}/{planted} | {len(s.false_alarms)} | "
            f"{len(s.claims)} | {len(s.notices)} | {times.get(s.file, 0):.0f} |"
        )
    exact = sum(s.references[0] == s.references[1] and s.citations[0] == s.citations[1]
                for s in scores)  # fmt: skip
    within = sum(abs(s.references[0] - s.references[1]) <= 1
                 and abs(s.citations[0] - s.citations[1]) <= 1 for s in scores)  # fmt: skip
    found = sum(len(s.found) for s in scores)
    planted = found + sum(len(s.missed) for s in scores)
    refs = [sum(s.references[i] for s in scores) for i in (0, 1)]
    cites = [sum(s.citations[i] for s in scores) for i in (0, 1)]
    p50 = statistics.median(times.values()) if times else 0.0
    lines.append(
        f"| **total ({len(scores)} files)** | {refs[0]}/{refs[1]} | {cites[0]}/{cites[1]} | "
        f"{found}/{planted} | {sum(len(s.false_alarms) for s in scores)} | "
        f"{sum(len(s.claims) for s in scores)} | {sum(len(s.notices) for s in scores)} | "
        f"p50 {p50:.0f} |"
    )
    lines.append(
        f"\nreferences and citations exact on {exact}/{len(scores)} files "
        f"({100 * exact / max(len(scores), 1):.0f}%, target >= 90%), within one on "
        f"{within}/{len(scores)} (target all); planted defects {found}/{planted} "
        f"(target all); false alarms {sum(len(s.false_alarms) for s in scores)} (target 0); "
        f"p50 {p50:.0f} ms per draft"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drafts", type=Path, default=DRAFTS)
    parser.add_argument("--details", action="store_true", help="list misses and false alarms")
    args = parser.parse_args()
    if not (args.drafts / "MANIFEST.tsv").exists():
        sys.exit(f"{args.drafts}/MANIFEST.tsv is not here (../shared exists in development "
                 "checkouts and CI only)")  # fmt: skip

    from evidence import Library

    library = Library.open_or_build([ROOT / "corpus"], index_dir=INDEX)
    scores, times = [], {}
    for expected in read_manifest(args.drafts):
        path = args.drafts / expected.file
        report = library.audit(path)  # the first run warms the model and caches
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            library.audit(path)
            runs.append((time.perf_counter() - started) * 1000)
        times[expected.file] = statistics.median(runs)
        scores.append(score(report, expected))
    print(table(scores, times))
    if args.details:
        for s in scores:
            for d in s.missed:
                print(f"{s.file}: missed {d.kind}: {d.detail}")
            for alarm in s.false_alarms:
                print(f"{s.file}: false alarm: {alarm}")
            for claim in s.claims:
                print(f"{s.file}: uncited claim: {claim}")


if __name__ == "__main__":
    main()

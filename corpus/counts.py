"""Count the curated corpus: studies per file, design, population, year band and status,
findings (and their directions), studies with a DOI or PMID. Standard library only; reads
the .bib files next to this script (one field per line, as the corpus is written).

    python corpus/counts.py
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

ENTRY = re.compile(r"^@\w+\{([^,]+),(.*?)^\}", re.M | re.S)
FIELD = re.compile(r"^\s*(\w+)\s*=\s*\{(.*)\},?$", re.M)
FINDING = re.compile(r"finding\d+")
BANDS = ((0, 1999, "before 2000"), (2000, 2009, "2000-09"), (2010, 2014, "2010-14"),
         (2015, 2019, "2015-19"), (2020, 9999, "2020+"))  # fmt: skip


def entries() -> list[tuple[str, dict[str, str]]]:
    out = []
    for path in sorted(Path(__file__).parent.glob("*.bib")):
        for _key, body in ENTRY.findall(path.read_text(encoding="utf-8")):
            out.append((path.name, dict(FIELD.findall(body))))
    return out


def show(title: str, counts: Counter[str]) -> None:
    print(f"\n{title}")
    for name, n in counts.most_common():
        print(f"  {n:4}  {name}")


def main() -> None:
    studies = entries()
    fields = [f for _, f in studies]
    per_study = [sum(bool(FINDING.fullmatch(n)) for n in f) for f in fields]
    doi, pmid = sum("doi" in f for f in fields), sum("pmid" in f for f in fields)
    neither = sum("doi" not in f and "pmid" not in f for f in fields)
    print(f"studies: {len(studies)}; findings: {sum(per_study)}; "
          f"studies with no finding: {per_study.count(0)}")  # fmt: skip
    print(f"with a DOI: {doi}; with a PMID: {pmid}; with neither: {neither}")
    first_mirror = sum(f["source"].split(";")[0].strip().endswith("(mirror)") for f in fields)
    print(f"first source a mirror: {first_mirror}; with an onlinedate: "
          f"{sum('onlinedate' in f for f in fields)}; with includes: "
          f"{sum('includes' in f for f in fields)}")  # fmt: skip
    print("\nper file")
    for name, n in sorted(Counter(name for name, _ in studies).items()):
        print(f"  {n:4}  {name}")
    show("per design", Counter(f["design"] for f in fields))
    show("per population", Counter(f["population"] for f in fields))
    bands = Counter(b for f in fields for lo, hi, b in BANDS if lo <= int(f["year"]) <= hi)
    print("\nper year band (issue year)")
    for _, _, band in BANDS:
        print(f"  {bands[band]:4}  {band}")
    show("per status", Counter(f["status"] for f in fields))
    show(
        "findings per direction",
        Counter(v for f in fields for n, v in f.items() if re.fullmatch(r"finding\d+direction", n)),
    )


if __name__ == "__main__":
    main()

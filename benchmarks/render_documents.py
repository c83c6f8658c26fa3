"""Proposal documents as a reader sees them, and how long they take. Two jobs:

    .venv/bin/python benchmarks/render_documents.py              # screenshots + tables
    .venv/bin/python benchmarks/render_documents.py --no-images  # tables only

1. Renders the peer-support proposal for a fire service to DOCX and PPTX, converts both
   with Debian's LibreOffice, and saves one proposal page and three slides as PNG
   (pdftoppm) to docs/screenshots/ for the README.
2. Times a 6-section proposal (mental-health-training) to DOCX and to PPTX, warm, on the
   bundled corpus (issue 15: p50 <= 1.5 s), and for each bundled template x population
   counts the sections with at least 2 points and the sections that say "no study".
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "docs" / "screenshots"
INDEX = Path(__file__).resolve().parent / "out" / "corpus-index"
RUNS = 5


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--no-images", action="store_true", help="skip the screenshots")
    args = parser.parse_args()

    from evidence import PROPOSAL_POPULATIONS, Library, list_templates

    lib = Library.open_or_build(sorted((ROOT / "corpus").glob("*.bib")), index_dir=INDEX)
    if not args.no_images:
        screenshots(lib)
    timings(lib)
    print("\n| template | population | sections | with >= 2 points | 'no study' |")
    print("|---|---|---|---|---|")
    for name in list_templates():
        for population in PROPOSAL_POPULATIONS:
            draft = lib.proposal(name, population=population)
            full = sum(len(s.points) >= 2 for s in draft.sections)
            empty = sum(bool(s.empty) for s in draft.sections)
            print(f"| {name} | {population} | {len(draft.sections)} | {full} | {empty} |")


def timings(lib: object) -> None:
    """p50 of a 6-section proposal drafted and exported, warm."""
    for fmt in ("docx", "pptx"):
        lib.export(lib.proposal("mental-health-training"), fmt)  # type: ignore[attr-defined]
        seconds = []
        for _ in range(RUNS):
            start = time.perf_counter()
            draft = lib.proposal("mental-health-training", population="fire")  # type: ignore[attr-defined]
            lib.export(draft, fmt)  # type: ignore[attr-defined]
            seconds.append(time.perf_counter() - start)
        print(
            f"6-section proposal to {fmt}: p50 {statistics.median(seconds):.2f} s, "
            f"max {max(seconds):.2f} s ({RUNS} runs, warm)"
        )


def screenshots(lib: object) -> None:
    soffice, pdftoppm = shutil.which("soffice"), shutil.which("pdftoppm")
    if not soffice or not pdftoppm:
        sys.exit(
            "needs LibreOffice (soffice) and poppler-utils (pdftoppm): make test installs them"
        )
    draft = lib.proposal(  # type: ignore[attr-defined]
        "peer-support-program", population="fire", organisation="Springfield Fire Department"
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for name, fmt in (("proposal", "docx"), ("deck", "pptx")):
            lib.export(draft, fmt, out / f"{name}.{fmt}", author="Deputy Chief")  # type: ignore[attr-defined]
            subprocess.run(
                [soffice, f"-env:UserInstallation=file://{out / 'profile'}", "--headless",
                 "--convert-to", "pdf", "--outdir", str(out), str(out / f"{name}.{fmt}")],
                check=True, capture_output=True, timeout=300,
            )  # fmt: skip
        _png(pdftoppm, out / "proposal.pdf", 2, SHOTS / "proposal-page")
        for page in (1, 2, 3):
            _png(pdftoppm, out / "deck.pdf", page, SHOTS / f"slide-{page}")
    print(f"screenshots written to {SHOTS}")


def _png(pdftoppm: str, pdf: Path, page: int, target: Path) -> None:
    subprocess.run(
        [pdftoppm, "-png", "-r", "80", "-f", str(page), "-l", str(page), "-singlefile",
         str(pdf), str(target)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip


if __name__ == "__main__":
    main()

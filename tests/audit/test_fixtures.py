"""The audit on drafts in real-world layouts (../shared/fixtures/drafts, MANIFEST.tsv):
every draft audits; references and citations found are the manifest's; every planted
defect is reported with the right kind; nothing correct or decoy raises an alarm. Scored
by `benchmarks.audit_fixtures.score`, the benchmark's own definition. Without the model:
the library's studies only, no suggestions. Then `evidence audit` on a headingless,
mixed-style, CRLF, hyphenated draft built from one of them."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from benchmarks.audit_fixtures import Expected, read_manifest, score
from evidence.audit.auditor import AuditReport, audit_draft
from evidence.audit.reading import load_draft
from evidence.cli import main
from evidence.ingest.parse import load_bibtex
from evidence.model import Study
from tests.conftest import ROOT, SHARED, shared_path

FOLDER = SHARED / "fixtures" / "drafts"
NAMES = [e.file for e in read_manifest(FOLDER)] if (FOLDER / "MANIFEST.tsv").exists() else []


@pytest.fixture(scope="module")
def studies() -> list[Study]:
    loaded, _ = load_bibtex(sorted((ROOT / "corpus").glob("*.bib")))
    return loaded


@pytest.fixture(scope="module")
def manifest() -> dict[str, Expected]:
    folder = shared_path("fixtures", "drafts")
    return {e.file: e for e in read_manifest(folder)}


def audited(name: str, studies: list[Study]) -> AuditReport:
    text, source = load_draft(shared_path("fixtures", "drafts", name))
    return audit_draft(text, studies, source=source)


# One parameter stands for the folder when ../shared is absent: the tests then skip, saying so.
params = pytest.mark.parametrize("name", NAMES or ["(../shared absent)"])


@params
def test_references_and_citations_found_are_the_manifests(
    name: str, studies: list[Study], manifest: dict[str, Expected]
) -> None:
    result = score(audited(name, studies), manifest[name])
    assert result.references[0] == result.references[1], "references found/expected"
    assert result.citations[0] == result.citations[1], "citations found/expected"


@params
def test_every_planted_defect_is_reported_with_its_kind(
    name: str, studies: list[Study], manifest: dict[str, Expected]
) -> None:
    result = score(audited(name, studies), manifest[name])
    assert [d.detail for d in result.missed] == []
    assert len(result.found) == len(manifest[name].defects)


@params
def test_no_alarm_on_correct_citations_or_decoys(
    name: str, studies: list[Study], manifest: dict[str, Expected]
) -> None:
    assert score(audited(name, studies), manifest[name]).false_alarms == []


def test_the_manifest_is_read_whole(manifest: dict[str, Expected]) -> None:
    """The scorer sees what the manifest plants: a broken reader would pass vacuously."""
    assert len(manifest) >= 15
    kinds = {d.kind for e in manifest.values() for d in e.defects}
    assert kinds == {"year-mismatch", "author-typo", "missing-from-list", "never-cited",
                     "doi-truncated", "doi-malformed", "year-malformed", "ambiguous"}  # fmt: skip
    assert sum(len(e.clean) for e in manifest.values()) > 100
    assert all(e.decoys for e in manifest.values())
    assert all(d.key or d.quotes or d.number for e in manifest.values() for d in e.defects)


# ---- `evidence audit` on a headingless, mixed-style, CRLF, hyphenated draft --------------

# Two APA entries of the stigma article's list, as PubMed gives them.
PUBMED = {
    "Haugen, P. T.": "Haugen PT, McCrillis AM, Smid GE, Nijdam MJ. Mental health stigma and "
    "barriers to mental health care for first responders: A systematic review and "
    "meta-analysis. J Psychiatr Res. 2017 Nov;94:218-229. doi: "
    "10.1016/j.jpsychires.2017.08.001. Epub 2017 Aug 2. PMID: 28800529.",
    "Karaffa, K. M.": "Karaffa KM, Koch JM. Stigma, pluralistic ignorance, and attitudes "
    "toward seeking mental health services among police officers. Crim Justice Behav. "
    "2016;43(6):759-77. doi: 10.1177/0093854815613103.",
}


def as_pdf_copy(text: str) -> str:
    """`text` as a PDF copy gives it: body paragraphs hard-wrapped at 64 columns with long
    words hyphenated across the break, two entries in PubMed style, CRLF line endings."""
    paragraphs = []
    for paragraph in text.split("\n\n"):
        entry = next((PUBMED[k] for k in PUBMED if paragraph.startswith(k)), None)
        if entry is not None:
            paragraphs.append(entry)
        elif len(paragraph) > 200 and "(20" in paragraph and not re.match(r"\w+, \w\.", paragraph):
            paragraphs.append(hyphenated(paragraph))
        else:
            paragraphs.append(paragraph)
    return "\r\n".join("\n\n".join(paragraphs).split("\n"))


def hyphenated(paragraph: str) -> str:
    lines = textwrap.wrap(paragraph, 64, break_on_hyphens=False)
    for i in range(len(lines) - 1):
        word = lines[i + 1].split(" ", 1)[0]
        if len(word) >= 9 and word.isalpha() and word.islower():
            head, tail = word[: len(word) // 2], word[len(word) // 2 :]
            lines[i] += f" {head}-"
            lines[i + 1] = tail + lines[i + 1][len(word) :]
    return "\n".join(lines)


@pytest.mark.model
def test_cli_audit_of_a_headingless_mixed_crlf_hyphenated_draft(
    bundled_library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    source = shared_path("fixtures", "drafts", "02-stigma-magazine.txt").read_text("utf-8")
    copy = as_pdf_copy(source)
    assert "\r\n" in copy and re.search(r"[a-z]-\r\n[a-z]", copy) and "J Psychiatr Res." in copy
    path = tmp_path / "stigma-copy.txt"
    path.write_bytes(copy.encode("utf-8"))
    result = CliRunner().invoke(main, ["audit", str(path), "--format", "json", "--index",
                                       str(bundled_library.index_dir)])  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.output[result.output.index("{") :])
    assert len(data["references"]) == 7 and len(data["citations"]) == 8
    assert {r["reference"]["style"] for r in data["references"]} == {"apa", "pubmed"}
    assert all(r["study_key"] for r in data["references"])  # each entry found in the library
    alarms = [(f["kind"], " ".join(data["text"][f["start"] : f["end"]].split()))
              for f in data["findings"]
              if f["severity"] != "info" and f["kind"] != "uncited-claim"]  # fmt: skip
    assert alarms == [
        ("citation-author-typo", "Karaffa and Kotch (2016)"),
        ("reference-uncited", alarms[1][1]),
    ]
    assert alarms[1][1].startswith("Jones, S., Agud, K., & McSweeney, J. (2020)")
    bio = data["text"].index("About the author")
    assert all(f["start"] < bio for f in data["findings"] if f["kind"] == "uncited-claim")

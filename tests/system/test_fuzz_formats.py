"""Fuzzing the RIS and CSL-JSON readers (hypothesis), as `test_fuzz.py` does BibTeX.

Inputs are random text built from each format's pieces, and real files mutated (the
fixtures of tests/data/imports and exports of tests/data/tiny.bib): characters replaced,
brackets dropped or added, spans cut or repeated, truncated, re-encoded, bytes flipped.
The properties:

- only the documented error escapes (`BibtexImportError`, for a file that cannot be read
  at all); everything else is data in the report, with sane lines;
- nothing hangs (each input runs under the time bound);
- every record (RIS) or item (CSL-JSON) that survives a mutation intact is still imported
  by its key, unless the report says it was merged or renamed.

A few examples per target run here; `benchmarks/fuzz.py` runs them 10,000 times each.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidence.errors import BibtexImportError
from evidence.export.references import to_csl_json, to_ris
from evidence.ingest.load import parse_references
from evidence.model import ImportReport, Study
from tests.conftest import DATA
from tests.system.test_fuzz import SUITE, TEST_TIME_BOUND_S, Mutant, bounded, mutated

RIS_TOKENS = [
    "TY  - JOUR\n", "TY  - ", "ER  - \n", "ER  -", "AU  - Smith, J\n", "A1  - ", "TI  - ",
    "T1  - ", "PY  - 2020///\n", "DA  - ", "DO  - 10.1/x\n", "UR  - ", "N1  - PMID: 123\n",
    "AN  - 42\n", "DB  - PubMed\n", "KW  - ", "SP  - 1\n", "EP  - ", "ID  - k\n", "TY - ",
    "  - ", " - ", "\n", "\r\n", "\t", ";", ",", "\x00", "\ufeff", "é", "中", "😀", "1.\n",
]  # fmt: skip
JSON_TOKENS = [
    "[", "]", "{", "}", ",", ":", '"', '"id": ', '"title": ', '"author": ', '"family": ',
    '"literal": ', '"issued": ', '{"date-parts": [[2020]]}', '"type": "book"', '"DOI": ',
    '"note": "PMID: 12"', '"items": ', "null", "true", "1e999", "-0", '"\\u00e9"', '"\\',
    "\n", "\t", " ", "é", "\x00", "\ufeff", '<span class=\\"nocase\\">',
]  # fmt: skip


def _token_text(tokens: list[str]) -> st.SearchStrategy[str]:
    piece = st.one_of(st.sampled_from(tokens), st.text(max_size=12))
    return st.lists(piece, max_size=100).map("".join)


@cache
def _tiny() -> list[Study]:
    studies, _ = parse_references((DATA / "tiny.bib").read_bytes(), "tiny.bib")
    return studies


@cache
def ris_texts() -> dict[str, str]:
    found = {p.name: p.read_text(encoding="utf-8") for p in (DATA / "imports").glob("*.ris")}
    return {**found, "tiny.ris": to_ris(_tiny())}


@cache
def csl_texts() -> dict[str, str]:
    found = {p.name: p.read_text(encoding="utf-8") for p in (DATA / "imports").glob("*.json")}
    return {**found, "tiny.json": to_csl_json(_tiny())}


def check_report(studies: list[Study], report: ImportReport) -> None:
    """Studies with unique keys; problems with a known severity and a line from 1."""
    assert all(isinstance(s, Study) and s.key for s in studies)
    assert len({s.key for s in studies}) == len(studies), "two studies share a key"
    assert report.studies == len(studies)
    for problem in report.problems:
        assert problem.severity in ("error", "warning", "info"), problem
        assert problem.line is None or problem.line >= 1, problem
        assert "Exception" not in problem.message + problem.hint, problem


def read(data: str | bytes, name: str) -> tuple[list[Study], ImportReport] | None:
    try:
        return parse_references(data, name)
    except BibtexImportError:
        return None


def ingest_text(name: str) -> Callable[[str], None]:
    def check(text: str) -> None:
        found = read(text, name)
        if found is not None:
            check_report(*found)

    return check


_RIS_RECORD = re.compile(r"^TY  - [^\n]*\n(?:(?!TY  - )[^\n]*\n)*?ER  - [^\n]*\n", re.MULTILINE)
_RIS_ID = re.compile(r"^ID  - (\S+)\s*$", re.MULTILINE)
_CSL_ITEM = re.compile(r"^  \{\n(?:    [^\n]*\n)*?  \}", re.MULTILINE)
_CSL_ID = re.compile(r'^    "id": "([^"\\]+)"', re.MULTILINE)


def survivors(mutant: Mutant, chunk: re.Pattern[str], key: re.Pattern[str], name: str) -> set[str]:
    """The keys of the original's records that are still intact, each starting a line of
    the mutated text, and that import on their own under that key."""
    text = mutant.text.replace("\r\n", "\n").replace("\r", "\n")
    found: set[str] = set()
    for match in chunk.finditer(mutant.original):
        block = match.group(0)
        written = key.search(block)
        if not written or not (text.startswith(block) or "\n" + block in text):
            continue
        alone = read(block if name.endswith(".ris") else f"[{block}]", name)
        if alone and [s.key for s in alone[0]] == [written.group(1)]:
            found.add(written.group(1))
    return found


def ingest_mutant(
    name: str, chunk: re.Pattern[str], key: re.Pattern[str]
) -> Callable[[Mutant], None]:
    def check(mutant: Mutant) -> None:
        expected = survivors(mutant, chunk, key, name)
        found = read(mutant.data, name)
        if found is None:
            assert not expected, f"{len(expected)} intact records lost to an error"
            return
        studies, report = found
        check_report(studies, report)
        keys = {s.key for s in studies}
        said = " ".join(p.message for p in report.problems if "duplicate" in p.kind)
        lost = [k for k in expected if k not in keys and f"'{k}'" not in said]
        assert not lost, f"intact records not imported: {lost}"

    return check


# name → (strategy, property); benchmarks/fuzz.py runs the same table.
TARGETS: dict[str, tuple[Callable[[], st.SearchStrategy[Any]], Callable[[Any], None]]] = {
    "ris-text": (lambda: st.one_of(st.text(max_size=2000), _token_text(RIS_TOKENS)),
                 ingest_text("fuzz.ris")),
    "ris-mutated": (lambda: mutated(ris_texts()), ingest_mutant("fuzz.ris", _RIS_RECORD, _RIS_ID)),
    "csljson-text": (lambda: st.one_of(st.text(max_size=2000), _token_text(JSON_TOKENS)),
                     ingest_text("fuzz.json")),
    "csljson-mutated": (lambda: mutated(csl_texts()),
                        ingest_mutant("fuzz.json", _CSL_ITEM, _CSL_ID)),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_fuzz_target(name: str) -> None:
    make, check = TARGETS[name]

    @SUITE
    @given(make())
    def run(value: Any) -> None:
        bounded(check, TEST_TIME_BOUND_S)(value)

    run()


def test_the_survivor_patterns_find_every_record_of_the_sources() -> None:
    """Else the survivor property would check nothing."""
    tiny_keys = {s.key for s in _tiny()}
    assert set(_RIS_ID.findall("".join(_RIS_RECORD.findall(ris_texts()["tiny.ris"])))) == tiny_keys
    items = "".join(m.group(0) for m in _CSL_ITEM.finditer(csl_texts()["tiny.json"]))
    assert set(_CSL_ID.findall(items)) == tiny_keys

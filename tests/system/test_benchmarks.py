"""The benchmark inputs are what they claim to be (a broken generator once skewed a result)."""

from pathlib import Path

from benchmarks.bench_http import corpus_queries
from benchmarks.bench_ingest import generate
from evidence import load_bibtex


def test_generated_library_imports_cleanly_with_accents_and_abstracts(tmp_path: Path) -> None:
    path = tmp_path / "generated.bib"
    generate(path, 50, ["First sentence of an abstract. A second one, with 95\\% CI 1.2--3.4."])
    studies, report = load_bibtex(path, strict=True)
    assert len(studies) == 50 and report.problems == ()
    assert all(s.year and s.doi and s.abstract and s.authors for s in studies)
    assert studies[0].title == "Workplace Mental Health Study Number 0: PTSD and Peer Support"
    accented = [s for s in studies if any(not a.family.isascii() for a in s.authors)]
    assert len(accented) == 50 // 5


def test_corpus_queries_are_distinct_word_windows_of_the_corpus() -> None:
    # They once read structured findings as strings and failed before any request was sent.
    queries = corpus_queries(50, seed=1)
    assert len(queries) == 50 and len({q.lower() for q in queries}) == 50
    assert all(2 <= len(q.split()) <= 7 for q in queries)

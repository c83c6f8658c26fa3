from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from evidence import IndexFormatError, IndexNotFoundError, Library, NotFoundError, QueryError
from evidence.index.store import read_manifest

from .conftest import DATA

pytestmark = pytest.mark.model


@contextmanager
def _counting_encodes(library: Library) -> Iterator[list[int]]:
    """Record the size of every batch of texts `library`'s model encodes."""
    encoded: list[int] = []
    inner = library.embedder.encode_passages

    def counting(texts, progress=False):  # type: ignore[no-untyped-def]
        encoded.append(len(texts))
        return inner(texts, progress)

    library.embedder.encode_passages = counting  # type: ignore[method-assign]
    try:
        yield encoded
    finally:
        del library.embedder.encode_passages


def test_search_finds_the_study_and_the_passage_that_matched(tiny_library: Library) -> None:
    results = tiny_library.search("does peer support reduce PTSD in firefighters", k=2)
    top = results[0]
    assert top.study.key == "alpha2020peer"
    assert top.rank == 1 and set(top.ranks) == {"bm25", "dense", "dense_passage"}
    match = top.passages[0]
    assert match.passage.study_key == "alpha2020peer"
    assert all(
        match.passage.text[a:b].lower().startswith(("peer", "support", "ptsd", "firefight"))
        for a, b in match.highlights
    )


def test_passages_point_into_their_study_text(tiny_library: Library) -> None:
    for passage in tiny_library.passages:
        study = tiny_library.study(passage.study_key)
        assert (
            study.field_text(passage.field)[passage.char_start : passage.char_end] == passage.text
        )


def test_filters_narrow_results(tiny_library: Library) -> None:
    everything = tiny_library.search("PTSD", k=10)
    assert {h.study.key for h in everything} >= {"alpha2020peer", "zeta2018debrief"}
    reviews = tiny_library.search("PTSD", k=10, filters={"design": "narrative review"})
    assert [h.study.key for h in reviews] == ["zeta2018debrief"]
    recent = tiny_library.search("PTSD", k=10, filters={"year_from": 2019})
    assert all(h.study.year and h.study.year >= 2019 for h in recent)
    # A filtered hit keeps its own ranks in each retriever (not those of the row before it).
    ranks = {h.study.key: h.ranks for h in everything}
    filtered = [*reviews, *recent]
    assert [h.ranks for h in filtered] == [ranks[h.study.key] for h in filtered]
    nothing = tiny_library.search("PTSD", k=10, filters={"year_to": 1901})
    assert (len(nothing), nothing.total) == (0, 0)
    assert any("No study matched" in note for note in nothing.notes)


def test_paging_is_consistent(tiny_library: Library) -> None:
    full = [h.study.key for h in tiny_library.search("mental health of workers", k=4)]
    page2 = tiny_library.search("mental health of workers", k=2, offset=2)
    assert [h.study.key for h in page2] == full[2:4]
    assert [h.rank for h in page2] == [3, 4][: len(page2)]


def test_empty_query_and_bad_filters_are_errors(tiny_library: Library) -> None:
    with pytest.raises(QueryError, match="empty"):
        tiny_library.search("   ")
    with pytest.raises(QueryError, match="unknown design"):
        tiny_library.search("x", filters={"design": "anecdote"})


def test_long_query_is_truncated_with_a_note(tiny_library: Library) -> None:
    results = tiny_library.search("peer support " * 200)
    assert any("shortened" in note for note in results.notes)


def test_unrelated_query_gets_an_honest_empty_page(tiny_library: Library) -> None:
    results = tiny_library.search("quantum chromodynamics lattice gauge")
    assert list(results) == [] and results.total == 0


def test_results_identical_after_reopen(tiny_library: Library, embedder) -> None:  # type: ignore[no-untyped-def]
    reopened = Library.open(index_dir=tiny_library.index_dir, embedder=embedder)
    for query in ["stigma and help-seeking", "sleep of shift workers", "debriefing"]:
        before = [(h.study.key, h.score) for h in tiny_library.search(query)]
        after = [(h.study.key, h.score) for h in reopened.search(query)]
        assert before == after


def test_unknown_study_is_not_found(tiny_library: Library) -> None:
    with pytest.raises(NotFoundError, match="nokey"):
        tiny_library.study("nokey")


def test_add_bibtex_embeds_only_new_passages(fresh_library: Library, tmp_path: Path) -> None:
    with _counting_encodes(fresh_library) as encoded:
        extra = tmp_path / "extra.bib"
        extra.write_text(
            "@article{new2024, title = {Resilience training for dispatchers}, "
            "year = 2024, abstract = {Dispatchers took a resilience course. "
            "Their stress fell over three months.}}\n"
        )
        report = fresh_library.add_bibtex(extra)
    assert report.studies == 1 and report.problems == ()
    assert sum(encoded) == 3 + 1  # title + two sentences, and one study vector
    assert fresh_library.search("resilience course for dispatchers", k=1)[0].study.key == "new2024"
    reopened = Library.open(index_dir=fresh_library.index_dir, embedder=fresh_library.embedder)
    assert "new2024" in {s.key for s in reopened.studies}


def test_open_refuses_other_model_and_newer_format(fresh_library: Library) -> None:
    with pytest.raises(IndexFormatError, match="built with model all-MiniLM-L6-v2"):
        Library.open(index_dir=fresh_library.index_dir, settings={"model": "other-model"})
    folder, manifest = read_manifest(fresh_library.index_dir)
    manifest["format_version"] = 99
    (folder / "manifest.json").write_text(__import__("json").dumps(manifest))
    with pytest.raises(IndexFormatError, match="newer evidence"):
        Library.open(index_dir=fresh_library.index_dir, embedder=fresh_library.embedder)


def test_missing_index_says_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError, match="evidence index"):
        Library.open(index_dir=tmp_path / "none")


def test_corrupted_file_is_detected(fresh_library: Library) -> None:
    folder, _ = read_manifest(fresh_library.index_dir)
    with (folder / "passages.jsonl").open("r+b") as handle:
        handle.seek(10)
        handle.write(b"X")
    with pytest.raises(IndexFormatError, match="checksum"):
        Library.open(index_dir=fresh_library.index_dir, embedder=fresh_library.embedder)


def test_reopened_index_keeps_its_own_corpus_on_import(
    fresh_library: Library, tmp_path: Path
) -> None:
    """Importing into an index opened without naming its corpus must not swap in the
    bundled corpus: the index remembers what it was built from."""
    reopened = Library.open(index_dir=fresh_library.index_dir, embedder=fresh_library.embedder)
    extra = tmp_path / "one.bib"
    extra.write_text(
        "@article{solo2025, title = {Sleep and shift work in paramedics}, year = 2025}\n"
    )
    reopened.add_bibtex(extra)
    keys = {s.key for s in reopened.studies}
    assert keys == {
        "alpha2020peer",
        "delta2019stigma",
        "epsilon2021sleep",
        "zeta2018debrief",
        "solo2025",
    }
    again = Library.open_or_build(
        index_dir=fresh_library.index_dir, embedder=fresh_library.embedder
    )
    assert {s.key for s in again.studies} == keys  # not stale, not rebuilt from corpus/


def test_refresh_picks_up_a_generation_written_by_another_library(
    fresh_library: Library, tmp_path: Path
) -> None:
    server = Library.open(index_dir=fresh_library.index_dir, embedder=fresh_library.embedder)
    extra = tmp_path / "late.bib"
    extra.write_text("@article{late2025, title = {Late import}, year = 2025}\n")
    fresh_library.add_bibtex(extra)  # e.g. `evidence import` beside a running server
    assert "late2025" not in {s.key for s in server.studies}
    assert server.refresh(interval=0.0) is True
    assert "late2025" in {s.key for s in server.studies}
    assert server.refresh(interval=0.0) is False  # nothing newer


def test_passages_of_a_study_are_exactly_its_passages(tiny_library: Library) -> None:
    for study in tiny_library.studies:
        expected = [p for p in tiny_library.passages if p.study_key == study.key]
        assert tiny_library.passages_of(study.key) == expected
        assert expected and tiny_library.passage(expected[-1].id) == expected[-1]
    assert tiny_library.passages_of("no-such-key") == []


def test_build_reports_progress_from_zero_to_done_per_label(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    calls: list[tuple[str, int, int]] = []
    Library.build(
        [DATA / "tiny.bib"],
        index_dir=tmp_path / "index",
        embedder=embedder,
        progress=lambda label, done, total: calls.append((label, done, total)),
    )
    for label in ("passages", "studies"):
        mine = [(done, total) for name, done, total in calls if name == label]
        total = mine[0][1]
        assert mine[0] == (0, total) and mine[-1] == (total, total) and total > 0
        assert [done for done, _ in mine] == sorted(done for done, _ in mine)


def test_index_from_another_keyword_analyzer_is_rebuilt_without_embedding(
    fresh_library: Library,
) -> None:
    import json

    folder, manifest = read_manifest(fresh_library.index_dir)
    manifest["lexical"]["analyzer_version"] = 0
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with _counting_encodes(fresh_library) as encoded:
        rebuilt = Library.open_or_build(
            [DATA / "tiny.bib"], fresh_library.index_dir, embedder=fresh_library.embedder
        )
    assert rebuilt.index_dir == fresh_library.index_dir
    assert read_manifest(fresh_library.index_dir)[0] != folder  # a new generation
    assert rebuilt.manifest["lexical"]["analyzer_version"] != 0
    assert sum(encoded) == 0


def test_audit_of_text_with_windows_line_endings_finds_the_reference_list(
    tiny_library: Library,
) -> None:
    text = "Peer support helps (Smith, 2020).\n\nReferences\n\nSmith, J. (2020). Title. J, 1, 2.\n"
    unix = tiny_library.audit(text)
    windows = tiny_library.audit(text.replace("\n", "\r\n"))
    assert "no-reference-list" not in {f.kind for f in windows.findings}
    assert [f.kind for f in windows.findings] == [f.kind for f in unix.findings]

"""The shared analyzer (documents, queries, highlighting) and BM25 over a few documents."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from evidence.index.lexical import LexicalIndex, analyze, term_spans


def test_analyze_lowercases_and_drops_stopwords_in_order() -> None:
    assert analyze("The POLICE and the Nurses of Ohio") == ["polic", "nurs", "ohio"]


def test_analyze_gives_inflections_one_stem() -> None:
    stems = {analyze(word)[0] for word in ("support", "supports", "supported", "supporting")}
    assert stems == {"support"}
    assert analyze("studies study studied") == ["studi"] * 3
    assert analyze("unsupported") != analyze("supported")


def test_analyze_keeps_digits_and_drops_single_letters_and_punctuation() -> None:
    assert analyze("a b 7 x1, (n) -- 95%") == ["7", "x1", "95"]


@pytest.mark.parametrize("text", ["", "   ", "the of and", "!!! ... ---"])
def test_analyze_of_text_without_content_words_is_empty(text: str) -> None:
    assert analyze(text) == []


def test_term_spans_marks_every_inflection_with_exact_offsets_and_nothing_else() -> None:
    text = "Support was high. Supports, supported and SUPPORTING: unsupported; support."
    spans = term_spans(text, set(analyze("support")))
    assert [text[start:end] for start, end in spans] == [
        "Support",
        "Supports",
        "supported",
        "SUPPORTING",
        "support",
    ]
    assert spans[0] == (0, 7)
    assert spans[-1] == (len(text) - len("support."), len(text) - 1)


def test_term_spans_marks_only_the_given_terms_and_never_stopwords() -> None:
    text = "The police and the nurses: police officers."
    spans = term_spans(text, set(analyze("police the")))
    assert spans == [(4, 10), (27, 33)]
    assert all(text[start:end] == "police" for start, end in spans)


def test_term_spans_agree_with_analyze_on_what_matched() -> None:
    text = "Peer-support programmes reduced PTSD symptoms in 3 of 4 first-responder cohorts."
    terms = set(analyze(text))
    highlighted = [text[start:end] for start, end in term_spans(text, terms)]
    assert analyze(" ".join(highlighted)) == analyze(text)


def test_term_spans_of_an_empty_term_set_is_empty() -> None:
    assert term_spans("Support was high.", set()) == []
    assert term_spans("", {"support"}) == []


DOCUMENTS = [
    "Sleep hygiene education for hospital nurses.",
    "Mindfulness training reduced burnout among police officers.",
    "Burnout and turnover in school teachers.",
    "Exercise, mood and wellbeing in older adults.",
]


def test_bm25_ranks_the_document_with_all_query_terms_first() -> None:
    index = LexicalIndex.build(DOCUMENTS)
    assert index.size == len(DOCUMENTS)
    scores = index.scores(analyze("burnout of police officers"))
    assert scores.shape == (len(DOCUMENTS),) and scores.dtype == np.float32
    assert int(np.argmax(scores)) == 1
    # Only "burnout" matches the teachers' document; the others match nothing.
    assert scores[1] > scores[2] > 0
    assert scores[0] == scores[3] == 0


def test_bm25_matches_inflections_through_the_analyzer() -> None:
    index = LexicalIndex.build(DOCUMENTS)
    scores = index.scores(analyze("a nurse's sleeping habits"))
    assert int(np.argmax(scores)) == 0 and scores[0] > 0


@pytest.mark.parametrize("query", ["zebra", "", "the and of"])
def test_bm25_scores_are_zero_when_no_query_term_is_known(query: str) -> None:
    scores = LexicalIndex.build(DOCUMENTS).scores(analyze(query))
    assert scores.shape == (len(DOCUMENTS),)
    assert not scores.any()


def test_a_document_without_content_words_is_still_a_row() -> None:
    index = LexicalIndex.build(["the and of", "police burnout"])
    assert index.size == 2
    assert index.scores(analyze("police")).tolist()[0] == 0


def test_saved_index_loads_with_the_same_scores_and_terms(tmp_path: Path) -> None:
    index = LexicalIndex.build(DOCUMENTS, k1=1.5, b=0.5)
    query = analyze("burnout police")
    expected = index.scores(query)
    index.save(tmp_path / "bm25")
    loaded = LexicalIndex.load(tmp_path / "bm25")
    assert (loaded.k1, loaded.b, loaded.size) == (1.5, 0.5, len(DOCUMENTS))
    assert np.allclose(loaded.scores(query), expected)
    terms = LexicalIndex.load_terms(tmp_path / "bm25")
    assert terms is not None and len(terms.rows) == len(DOCUMENTS)
    # Rebuilding from the saved term ids (no row re-analyzed) gives the same ranking.
    rebuilt = LexicalIndex.build(DOCUMENTS, k1=1.5, b=0.5, known=terms)
    assert np.allclose(rebuilt.scores(query), expected)


def test_a_word_that_matched_is_highlighted_even_when_lowercasing_changes_its_length() -> None:
    # "İ".lower() is two characters; analysis and highlighting must still agree.
    text = "İstanbul police"
    terms = set(analyze(text))
    assert [text[s:e] for s, e in term_spans(text, terms)] == ["İstanbul", "police"]


def test_term_spans_never_mark_a_word_analyze_drops_even_when_its_stem_is_a_term() -> None:
    # Every word is stemmed for speed; stopwords and single letters are then left out.
    text = "The B cells of the 3 groups"
    spans = term_spans(text, {"the", "b", "3", "cell"})
    assert [text[start:end] for start, end in spans] == ["cells", "3"]

"""Plain-text values (RIS, CSL-JSON) pass through the BibTeX path unchanged."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from evidence.ingest.latex import decode_latex
from evidence.ingest.plain import doi_in, keywords_value, pmid_in, to_latex
from evidence.ingest.titles import strip_marks
from evidence.text.decode import clean_text

TRICKY = st.text(alphabet=st.sampled_from(list("\\{}$&%#_~^-`'\" aZ9é\n\t\u00a0")), max_size=40)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.one_of(TRICKY, st.text(max_size=60)))
def test_to_latex_decodes_back_to_the_same_text(text: str) -> None:
    plain = clean_text(text).text  # what any decoded file holds (no control characters)
    expected = " ".join(plain.split())
    assert decode_latex(to_latex(plain)) == expected
    assert strip_marks(decode_latex(to_latex(plain), mark_protected=True)) == expected


def test_keywords_keep_a_lone_keyword_with_a_comma_whole() -> None:
    assert keywords_value(["Stress, Psychological"]) == "Stress, Psychological;"
    assert keywords_value(["a; b", " c "]) == "a; b; c"


def test_identifiers_in_free_text() -> None:
    assert pmid_in("PMID: 31234567 PMCID: PMC1") == "31234567"
    assert pmid_in("see https://pubmed.ncbi.nlm.nih.gov/31234567/") == "31234567"
    assert pmid_in("12345678[pmid]") == "12345678"
    assert pmid_in("page 12345678") == ""
    assert doi_in("https://doi.org/10.1037/ocp0000124.") == "10.1037/ocp0000124"

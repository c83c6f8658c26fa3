"""The view the parsers read: PDF and web marks undone, offsets mapped back to the draft."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from evidence.audit.layout import read_layout
from evidence.audit.reading import parse_draft


def test_words_broken_at_line_ends_are_joined_but_names_and_numbers_keep_their_hyphen() -> None:
    view = read_layout("men-\ntal health, work-\n  place, Milligan-\nSaville, COVID-\n19")
    assert view.text == "mental health, workplace, Milligan-\nSaville, COVID-\n19"


def test_a_doi_wrapped_at_its_own_hyphen_or_slash_is_one_doi_again() -> None:
    view = read_layout("doi:10.1007/s00127-018-1539-\n5. And https://doi.org/10.1186/\ns13643-1")
    assert view.text == "doi:10.1007/s00127-018-1539-5. And https://doi.org/10.1186/s13643-1"


def test_running_headers_with_page_numbers_are_removed_where_they_recur() -> None:
    text = (
        "stress injury symptoms but\n Review of things              2\nno effect.\n"
        " Review of things              3\nReferences\nPage 4 of 9\n1. Entry."
    )
    assert read_layout(text).text == "stress injury symptoms but\nno effect.\nReferences\n1. Entry."
    once = "A line              2\nbody"
    assert read_layout(once).text == once  # a single such line may be anything


def test_spaces_quotes_and_invisible_characters_are_read_plainly() -> None:
    view = read_layout(
        "Syed et\u00a0al. (2020) D\u2019Anci \u201cquoted\u201d soft\u00adhyphen x\u00b9\u00b2"
    )
    assert view.text == 'Syed et al. (2020) D\'Anci "quoted" softhyphen x12'


def test_html_source_is_read_as_its_text() -> None:
    text = (
        "<h2>Why</h2><p>Sleep is poor &amp; short.<sup>1</sup> Naps (p < .05, <5%) help."
        "<sup>2</sup> <em>Rest</em> helps<sup>3</sup>.</p>\n<h3>Endnotes</h3><ol><li>Smith J. "
        "A title. J. 2020;1:2.</li><li>Lee K. Another. J. 2021;2:3.</li><li>Wu L. A third. J. "
        "2022;3:4.</li></ol>"
    )
    view = read_layout(text)
    lines = [line.strip() for line in view.text.split("\n") if line.strip()]
    assert lines == ["Why", "Sleep is poor & short.1 Naps (p < .05, <5%) help.2 Rest helps3.",
                     "Endnotes", "Smith J. A title. J. 2020;1:2.", "Lee K. Another. J. 2021;2:3.",
                     "Wu L. A third. J. 2022;3:4."]  # fmt: skip
    assert text[view.origin(view.text.index("& short")) :].startswith("&amp; short")
    draft = parse_draft(text)
    assert [(c.text, c.number) for c in draft.citations] == [("1", 1), ("2", 2), ("3", 3)]
    assert [r.authors[:1] for r in draft.references] == [("Smith",), ("Lee",), ("Wu",)]


def test_offsets_map_back_to_the_draft() -> None:
    text = "A men-\ntal claim (Smith et\u00a0al., 2020).\n\nReferences\n\nSmith, J. (2020). T. V."
    view = read_layout(text)
    at = view.text.index("(Smith")
    assert text[view.origin(at) :].startswith("(Smith")
    assert view.locate(text.index("(Smith")) == at
    assert view.locate(text.index("-\ntal")) == view.text.index("tal")  # a removed character
    draft = parse_draft(text)
    assert [c.text for c in draft.citations] == ["Smith et\u00a0al., 2020"]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab-\n \u00a0\u00ad\u2019x10./:doi")), max_size=300))
def test_origin_and_locate_agree_on_every_kept_character(text: str) -> None:
    view = read_layout(text)
    for at in range(len(view.text)):
        origin = view.origin(at)
        assert view.locate(origin) == at
        assert text[origin].translate({0xA0: " ", 0x2019: "'"}) == view.text[at]

"""Reference entries in the styles real lists mix: Vancouver dates, notes, Harvard, bare
links, numbered and hard-wrapped lists, and DOIs written wrongly."""

from __future__ import annotations

import pytest

from evidence.audit.references import parse_reference, split_references

Fields = tuple[str, tuple[str, ...], str, str, str, str, str]


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        pytest.param("1. Berger W, Coutinho ESF, et al. Rescuers at risk: a review. Soc "
                     "Psychiatry Psychiatr Epidemiol. 2012;47(6):1001-11. doi:10.1/x",
                     ("pubmed", ("Berger", "Coutinho"), "2012", "Rescuers at risk: a review",
                      "47", "6", "1001-11"), id="vancouver"),
        pytest.param("Hoell A, Dressing H. Work-related PTSD. Front Public Health. "
                     "2023:1151248. doi:10.3389/fpubh.2023.1151248",
                     ("pubmed", ("Hoell", "Dressing"), "2023", "Work-related PTSD", "", "",
                      "1151248"), id="article-number-no-volume"),
        pytest.param("Deady M, Tan L. A framework. Front Public Health. 2024. doi:10.3389/x",
                     ("pubmed", ("Deady", "Tan"), "2024", "A framework", "", "", ""),
                     id="year-only"),
        pytest.param("Leszcz M, Maunder R. Psychological support. CMAJ 2020;192(24):E660.",
                     ("pubmed", ("Leszcz", "Maunder"), "2020", "Psychological support", "192",
                      "24", "E660"), id="no-stop-before-year"),
        pytest.param("LaMontagne AD, Page KM. A cluster RCT. Am J Ind Med. 2021 Apr;64(4):283-95."
                     " Epub 2020 Dec 29.", ("pubmed", ("LaMontagne", "Page"), "2021",
                     "A cluster RCT", "64", "4", "283-95"), id="month-and-epub"),
        pytest.param("Morgan AJ, Ross A. Systematic review. PLoS One. 20188;13(5):e0197102.",
                     ("pubmed", ("Morgan", "Ross"), "20188", "Systematic review", "13", "5",
                      "e0197102"), id="malformed-year"),
        pytest.param("Bellón JÁ, Conejo-Cerón S. Effectiveness. Scand J Work Environ Health. "
                     "2019;45(4):324-32.", ("pubmed", ("Bellón", "Conejo-Cerón"), "2019",
                     "Effectiveness", "45", "4", "324-32"), id="accented-initials"),
        pytest.param("[^4]: E. C. Smith, L. Holmes, and F. M. Burkle, \"Exploring the Health "
                     "Challenges,\" *Prehospital and Disaster Medicine* 34, no. 6 (20199): "
                     "619–624.",
                     ("note", ("Smith", "Holmes", "Burkle"), "20199",
                      "Exploring the Health Challenges", "34", "6", ""), id="chicago-note"),
        pytest.param("S. E. Golding et al., \"Exploring dispatch,\" PeerJ 5 (2017): e3735.",
                     ("note", ("Golding",), "2017", "Exploring dispatch", "5", "", ""),
                     id="note-et-al"),
        pytest.param("Smith, J. and Jones, K. 2020. Peer support. Journal of Things, 3(2), "
                     "pp. 1-5.", ("apa", ("Smith", "Jones"), "2020", "Peer support", "3", "2",
                     "1-5"), id="harvard"),
        pytest.param("Lilly, M.M. and Pierce, H. (2013) 'PTSD in workers' lives: a survey', "
                     "Psychological Trauma, 5(2), pp. 135–141.",
                     ("apa", ("Lilly", "Pierce"), "2013", "PTSD in workers' lives: a survey",
                      "5", "2", "135–141"), id="harvard-quoted-title"),
        pytest.param("[3] https://www.mdpi.com/1660-4601/17/4/1234",
                     ("url", (), "", "", "", "", ""), id="bare-url"),
    ],
)  # fmt: skip
def test_entry_styles(entry: str, expected: Fields) -> None:
    ref = parse_reference(entry, 0, 1)
    found = (ref.style, ref.authors, ref.year_text, ref.title, ref.volume, ref.issue, ref.pages)
    assert found == expected


@pytest.mark.parametrize(
    ("entry", "year"),
    [(". 2020;12(3):45-6.", 2020), (". 2020;12(3, Hozempa, K.", 2020), (".. 2019;1:2. x", 2019)],
)
def test_a_pubmed_date_with_nothing_before_it_has_no_authors(entry: str, year: int) -> None:
    ref = parse_reference(entry, 0, 1)  # a fuzzed entry once raised IndexError here
    assert (ref.style, ref.authors, ref.title, ref.year) == ("pubmed", (), "", year)


def test_a_doubled_resolver_prefix_is_read_and_named() -> None:
    entry = (
        "Gayed, A. (2018). T. V, 1, 2. https://doi.org/https://doi.org/10.1136/oemed-2017-104789"
    )
    ref = parse_reference(entry, 10, 1)
    assert ref.doi == "10.1136/oemed-2017-104789"
    assert ref.doi_problem.startswith("repeats the resolver prefix")
    assert entry[ref.doi_start - 10 : ref.doi_end - 10].startswith("https://doi.org/https://")
    assert parse_reference("A, B. (2018). T. https://doi.org/10.1/x", 0, 1).doi_problem == ""


def test_numbered_hard_wrapped_entries_split_at_the_next_number_only() -> None:
    text = (
        "1. Harvey SB, Modini M, Joyce S, Milligan-Saville JS, Tan L, Mykletun\n"
        "A, et al. Can work make you mentally ill? Occup Environ Med. 2017;74(4):301-10.\n"
        "2. Tan L, Wang MJ. Preventing depression at work. BMC Med.\n"
        "74. doi:10.1186/1741-7015-12-74\n"
        "3. Bellón JÁ. Effectiveness. Scand J Work Environ Health. 2019;45(4):324-32.\n"
        "    Continued on an indented line.\n"
    )
    entries = split_references(text, 0)
    assert [parse_reference(e, s, 1).number for e, s in entries] == [1, 2, 3]
    assert "74. doi:" in entries[1][0] and "Continued" in entries[2][0]


def test_footnote_definitions_are_entries_with_their_numbers() -> None:
    text = '[^1]: S. E. Golding et al., "T," PeerJ 5 (2017): 1.\n[^3]: H. Pierce, "U," J (2012).\n'
    assert [parse_reference(e, s, 1).number for e, s in split_references(text, 0)] == [1, 3]

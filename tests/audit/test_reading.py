"""Parsing a draft: in-text citations, the reference list, and reading files."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.abuse import zip_bomb
from evidence.audit.citations import find_citations
from evidence.audit.draft import name_key
from evidence.audit.reading import load_draft, parse_draft, read_draft
from evidence.audit.references import parse_reference, split_references
from evidence.errors import DraftError
from tests.conftest import DATA

Found = list[tuple[str, tuple[str, ...], bool, str]]


def cites(text: str, known: frozenset[str] = frozenset()) -> Found:
    """(text as written, authors, et al., year as written) of each citation found."""
    return [(c.text, c.authors, c.et_al, c.year_text) for c in find_citations(text, known=known)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("works (Carleton et al., 2020).",
                     [("Carleton et al., 2020", ("Carleton",), True, "2020")], id="et-al"),
        pytest.param("x (Hefner & Eisenberg, 2009; Hartley, 2011).",
                     [("Hefner & Eisenberg, 2009", ("Hefner", "Eisenberg"), False, "2009"),
                      ("Hartley, 2011", ("Hartley",), False, "2011")], id="several-in-one"),
        pytest.param("Joyce et al. (2016) found",
                     [("Joyce et al. (2016)", ("Joyce",), True, "2016")], id="narrative"),
        pytest.param("Hefner and Eisenberg (2009) surveyed",
                     [("Hefner and Eisenberg (2009)", ("Hefner", "Eisenberg"), False, "2009")],
                     id="narrative-and"),
        pytest.param("Carleton et al.'s (2020) survey",
                     [("Carleton et al.'s (2020)", ("Carleton",), True, "2020")], id="possessive"),
        pytest.param("x (Smith, Jones, & Lee, 2020a).",
                     [("Smith, Jones, & Lee, 2020a", ("Smith", "Jones", "Lee"), False, "2020a")],
                     id="three-authors-suffix"),
        pytest.param("x (Stanley et al., 2015, 2016b).",
                     [("Stanley et al., 2015", ("Stanley",), True, "2015"),
                      ("2016b", ("Stanley",), True, "2016b")], id="two-years"),
        pytest.param("x (World Health Organization, n.d.).",
                     [("World Health Organization, n.d.", ("World Health Organization",), False,
                       "n.d.")], id="corporate-nd"),
        pytest.param("x (Jones, in press).", [("Jones, in press", ("Jones",), False, "in press")],
                     id="in-press"),
        pytest.param("x (e.g., Di Nota et al., 2021, p. 4).",
                     [("Di Nota et al., 2021", ("Di Nota",), True, "2021")], id="prefix-locator"),
        pytest.param("x (see Stanley, Hom, & Joiner, 2016, for a review).",
                     [("Stanley, Hom, & Joiner, 2016", ("Stanley", "Hom", "Joiner"), False,
                       "2016")], id="trailing-note"),
        pytest.param("x (Carleton, Afifi, Turner, et al., 2020).",
                     [("Carleton, Afifi, Turner, et al., 2020", ("Carleton", "Afifi", "Turner"),
                       True, "2020")], id="names-then-et-al"),
        pytest.param("Carleton and colleagues (2020) found",
                     [("Carleton and colleagues (2020)", ("Carleton",), True, "2020")],
                     id="and-colleagues"),
        pytest.param("x (for a review, see Stanley et al. 2016).",
                     [("Stanley et al. 2016", ("Stanley",), True, "2016")], id="no-comma-see"),
        pytest.param("However, Joyce et al. (2016) found",
                     [("Joyce et al. (2016)", ("Joyce",), True, "2016")], id="sentence-start"),
        pytest.param("x (Hefner & Eisenberg, 2009). Joyce et al. (2016) found",
                     [("Hefner & Eisenberg, 2009", ("Hefner", "Eisenberg"), False, "2009"),
                      ("Joyce et al. (2016)", ("Joyce",), True, "2016")], id="no-bleed"),
        pytest.param("x (Carleton et\nal., 2020).",
                     [("Carleton et\nal., 2020", ("Carleton",), True, "2020")], id="wrapped"),
        pytest.param("Smith (2019) reported", [("Smith (2019)", ("Smith",), False, "2019")],
                     id="narrative-unknown-with-verb"),
    ],
)  # fmt: skip
def test_citation_forms(text: str, expected: Found) -> None:
    assert cites(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("in a trial (n = 120, p < .05)", id="statistics"),
        pytest.param("scores (95% CI 1.2-3.4) fell", id="interval"),
        pytest.param("shown in (Table 2, 2019)", id="table"),
        pytest.param("post-traumatic stress disorder (PTSD) is", id="acronym"),
        pytest.param("surveys done in Canada (2019) were small", id="place-year"),
        pytest.param("since the pandemic (2020), calls rose", id="lowercase-before"),
        pytest.param("(N = 4,020)", id="thousands"),
        pytest.param("during (March 2020) we", id="month"),
        pytest.param("see [link](https://doi.org/10.1037/a0016918)", id="markdown-link"),
    ],
)
def test_not_citations(text: str) -> None:
    assert cites(text) == []


def test_malformed_year_needs_a_citation_like_name() -> None:
    expected = [("Stanley et al., 20l6", ("Stanley",), True, "20l6")]
    assert cites("x (Stanley et al., 20l6).") == expected
    assert cites("x (Hartley, 20l9).") == []  # one unknown name: could be anything
    assert cites("x (Hartley, 20l9).", known=frozenset({"hartley"})) == [
        ("Hartley, 20l9", ("Hartley",), False, "20l9")
    ]


def test_citation_offsets_point_into_the_text() -> None:
    text = "Peer support (Hefner & Eisenberg, 2009; Hartley, 2011). Joyce et al. (2016) found."
    for citation in find_citations(text):
        assert text[citation.start : citation.end] == citation.text


def test_narrative_drops_a_capitalised_word_before_the_real_author() -> None:
    found = find_citations("Firefighters, Stanley (2015) argued", known=frozenset({"stanley"}))
    assert [(c.text, c.authors) for c in found] == [("Stanley (2015)", ("Stanley",))]


def test_name_key_ignores_particles_accents_and_hyphens() -> None:
    assert name_key("Di Nota") == name_key("Nota") == "nota"
    assert name_key("Martínez") == "martinez"
    assert name_key("Milligan-Saville") == "milligansaville"


APA = (
    "Carleton, R. N., Afifi, T. O., & Camp, R. D. (2020). Mental health training, attitudes "
    "toward support, and screening positive for mental disorders. *Cognitive Behaviour "
    "Therapy*, *49*(1), 55–73. https://doi.org/10.1080/16506073.2019.1575900."
)
PUBMED = (
    "Andersson C, Mellner C, Osika W. Cultivating Compassion and Reducing Stress and Mental "
    "Ill-Health in Employees-A Randomized Controlled Study. Front Psychol. 2022 Jan 27;12:748140. "
    "doi: 10.3389/fpsyg.2021.748140. PMID: 35153892; PMCID: PMC8830419."
)


def test_apa_reference_fields() -> None:
    ref = parse_reference(APA, 100, 1)
    assert ref.style == "apa"
    assert ref.authors == ("Carleton", "Afifi", "Camp")
    assert (ref.year, ref.year_text) == (2020, "2020")
    assert ref.title.startswith("Mental health training") and ref.title.endswith("disorders")
    assert (ref.venue, ref.volume, ref.issue, ref.pages) == ("Cognitive Behaviour Therapy", "49",
                                                             "1", "55–73")  # fmt: skip
    assert ref.doi == "10.1080/16506073.2019.1575900"
    assert APA[ref.doi_start - 100 : ref.doi_end - 100] == ref.doi


def test_pubmed_reference_fields() -> None:
    ref = parse_reference(PUBMED, 0, 1)
    assert ref.style == "pubmed"
    assert ref.authors == ("Andersson", "Mellner", "Osika")
    assert ref.year == 2022 and ref.venue == "Front Psychol"
    assert (ref.volume, ref.pages, ref.pmid) == ("12", "748140", "35153892")
    assert ref.title.startswith("Cultivating Compassion")
    assert ref.doi == "10.3389/fpsyg.2021.748140"


@pytest.mark.parametrize(
    ("entry", "authors", "year_text", "title"),
    [
        pytest.param("American Psychiatric Association. (2013). Diagnostic and statistical manual "
                     "of mental disorders (5th ed.).", ("American Psychiatric Association",),
                     "2013", "Diagnostic and statistical manual of mental disorders (5th ed.)",
                     id="corporate"),
        pytest.param("Substance Abuse and Mental Health Services Administration. (2018). First "
                     "responders. SAMHSA.", ("Substance Abuse and Mental Health Services "
                     "Administration",), "2018", "First responders", id="corporate-with-and"),
        pytest.param("Jones, A. (n.d.). A page. Retrieved from https://example.org", ("Jones",),
                     "n.d.", "A page", id="no-date"),
        pytest.param("Harvey, S. B., & Modini, M. (2017). Can work make you mentally ill? A "
                     "systematic meta-review. Occupational and Environmental Medicine, 74(4), "
                     "301–310.", ("Harvey", "Modini"), "2017",
                     "Can work make you mentally ill? A systematic meta-review", id="question"),
        pytest.param("Amick, B. C., III, & van der Berg, E. (2019b). Title. Venue, 1, 2.",
                     ("Amick", "van der Berg"), "2019b", "Title", id="suffix-particle"),
        pytest.param("Smith, J. (20l9). Title here. Venue.", ("Smith",), "20l9", "Title here",
                     id="malformed-year"),
    ],
)  # fmt: skip
def test_reference_variants(
    entry: str, authors: tuple[str, ...], year_text: str, title: str
) -> None:
    ref = parse_reference(entry, 0, 1)
    assert (ref.authors, ref.year_text, ref.title) == (authors, year_text, title)


def test_doi_with_parentheses_and_markdown_link() -> None:
    ref = parse_reference("A, B. (2017). T. V, 4, 1. [https://doi.org/10.1016/S2215-0366(17)30372-3]"
                          "(https://doi.org/10.1016/S2215-0366(17)30372-3).", 0, 1)  # fmt: skip
    assert ref.doi == "10.1016/S2215-0366(17)30372-3"


def test_reference_list_splitting() -> None:
    text = (
        "Body.\n\nReferences\n\n"
        "- Alpha, A. (2020). One title. Venue, 1, 2.\n"
        "- Beta, B. (2021). Two title\n  wrapped onto a second line. Venue, 3, 4.\n"
        "Gamma, G., & Delta, D. (2019). Three. Venue, 5(1), 6–7.\n"
        "Epsilon, E. (2018). Four with a long\n"
        "Continued Title Line, which is not an entry. Venue, 8, 9.\n"
        "\n## Appendix\n\nNot a reference (Zeta, 2017).\n"
    )
    start = text.index("References") + len("References")
    entries = [entry for entry, _ in split_references(text, start)]
    assert [e.split(",")[0].lstrip("- ") for e in entries] == ["Alpha", "Beta", "Gamma", "Epsilon"]
    assert "wrapped onto a second line" in entries[1]
    assert "Continued Title Line" in entries[3]
    for entry, offset in split_references(text, start):
        assert text[offset : offset + len(entry)] == entry


def test_parse_draft_splits_body_and_list() -> None:
    text = "Claim (Alpha, 2020).\n\n## References\n\nAlpha, A. (2020). T. V, 1, 2.\n"
    draft = parse_draft(text)
    assert draft.has_reference_list and draft.body_end == text.index("## References")
    assert [c.text for c in draft.citations] == ["Alpha, 2020"]
    assert [r.authors for r in draft.references] == [("Alpha",)]
    no_list = parse_draft("Claim (Alpha, 2020).")
    assert not no_list.has_reference_list and no_list.references == ()


def test_read_text_and_docx(tmp_path: Path) -> None:
    import docx

    source = (DATA / "audit-clean.md").read_text(encoding="utf-8")
    document = docx.Document()
    for paragraph in source.split("\n"):
        document.add_paragraph(paragraph)
    path = tmp_path / "clean.docx"
    document.save(str(path))
    assert read_draft(path) == source
    cp1252 = tmp_path / "draft.txt"
    cp1252.write_bytes("Stenström (2022) found – a dash.".encode("cp1252"))
    assert read_draft(cp1252) == "Stenström (2022) found – a dash."


def test_load_draft_takes_text_or_a_path(tmp_path: Path) -> None:
    path = tmp_path / "d.md"
    path.write_text("Claim (Alpha, 2020).", encoding="utf-8")
    assert load_draft(path) == ("Claim (Alpha, 2020).", str(path))
    assert load_draft(str(path)) == (str(path), "")  # a str is text, never a file name


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        pytest.param("missing.md", None, "cannot be read", id="missing"),
        pytest.param("empty.txt", b"", "empty or not a text file", id="empty"),
        pytest.param("binary.txt", bytes(range(256)) * 10, "empty or not a text file", id="binary"),
        pytest.param("bad.docx", b"not a zip", "not a readable .docx", id="bad-docx"),
    ],
)
def test_unreadable_drafts_raise_draft_error(tmp_path: Path, name: str, content: bytes | None,
                                             message: str) -> None:  # fmt: skip
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DraftError, match=message):
        read_draft(path)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("(),;.&-' \naAeEtl0129nd#*")), max_size=400))
def test_parsing_never_raises_on_odd_text(text: str) -> None:
    draft = parse_draft(text)
    for citation in draft.citations:
        assert text[citation.start : citation.end] == citation.text


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("(" + "Smith, " * 3000 + "2020)", id="long-name-run"),
        pytest.param("(" * 20000 + "a" + ")" * 20000, id="nested-parens"),
        pytest.param("References\n" + "Smith, J. " * 20000, id="long-entry"),
        pytest.param("References\n" + "Aa, B. (2020). T. V, 1, 2.\n" * 3000, id="many-entries"),
        pytest.param("x (" + "1" * 299 + ")" + " et al. (2020)" * 3000, id="many-narratives"),
        pytest.param("References\n" * 20000, id="many-headings"),
        pytest.param("Notes\n\nBring water.\n\n" * 5000 + "x [1] y (2). z.3 w", id="many-notes"),
        pytest.param(
            "a.1 b [2] c (3). " * 5000 + "\n\nReferences\n\n1. A B. T. J. 2020;1:2.\n",
            id="many-markers",
        ),
        pytest.param("men-\ntal " * 20000 + "\n Header   2\n" * 2000, id="pdf-marks"),
    ],
)
def test_parsing_is_fast_on_adversarial_text(text: str) -> None:
    started = time.process_time()
    parse_draft(text)
    # A generous bound: catastrophic backtracking would take minutes, not seconds.
    assert time.process_time() - started < 10


def test_load_draft_gives_lf_text_for_crlf_and_cr_text_bytes_and_files(tmp_path: Path) -> None:
    crlf = "Body (Smith, 2020).\r\n\r\nReferences\r\n\r\nSmith, J. (2020). A title. J, 1, 1.\r\n"
    expected = crlf.replace("\r\n", "\n")
    path = tmp_path / "draft.txt"
    path.write_bytes(crlf.replace("\r\n", "\r").encode("utf-16"))
    assert load_draft(crlf) == (expected, "")
    assert load_draft(crlf.encode("cp1252"), "upload.txt") == (expected, "upload.txt")
    assert load_draft(path) == (expected, str(path))


def test_windows_line_endings_do_not_hide_the_reference_list() -> None:
    text = (DATA / "audit-clean.md").read_text(encoding="utf-8")
    draft, _ = load_draft(text.replace("\n", "\r\n"))
    assert parse_draft(draft) == parse_draft(text)


def test_a_docx_zip_bomb_is_refused_before_it_is_unpacked() -> None:
    bomb = zip_bomb(100_000_000)
    assert len(bomb) < 400_000
    started = time.perf_counter()
    with pytest.raises(DraftError, match="unpacks to .* more than a draft needs"):
        load_draft(bomb, "bomb.docx")
    assert time.perf_counter() - started < 1.0


def test_a_damaged_zip_is_a_draft_error() -> None:
    with pytest.raises(DraftError, match="not a readable .docx"):
        load_draft(b"PK\x03\x04 this is not a zip", "broken.docx")

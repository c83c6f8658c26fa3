"""Citations through pandoc's citeproc: golden strings in five styles, CSL-JSON, traps.

The golden strings were checked by hand against each style's rules (APA 7 manual §8.17–
8.18, 9.8, 10.1, 10.3; NLM Citing Medicine ch. 1–2; CMOS 18 author-date; Cite Them Right
10th ed.; IEEE Reference Guide) for a 12-author and a 16-author Carleton 2020 article
(curated corpus; their short forms collide, so they disambiguate), a corporate author,
accented names and a chapter with editors (tests/data/cite-golden.bib). Known deviations
of the processor (not of our data) are noted where they occur.
"""

from __future__ import annotations

import glob
import logging
from pathlib import Path

import pytest

from evidence import CitationError, parse_bibtex
from evidence.cite.citeproc import run_pandoc
from evidence.cite.citer import STYLES, Citer, CiteRequest, in_text, known_studies, to_csl
from evidence.ingest.parse import load_bibtex
from evidence.model import Study
from tests.conftest import ROOT

KEYS = [
    "carleton2020mental",
    "carleton2020assessing",
    "citeorg2021",
    "citeaccents2019",
    "citechapter2018",
]


@pytest.fixture(scope="module")
def studies() -> dict[str, Study]:
    found, _ = load_bibtex(
        sorted(glob.glob(str(ROOT / "corpus" / "*.bib")))
        + [str(ROOT / "tests" / "data" / "cite-golden.bib")]
    )
    return {s.key: s for s in found}


@pytest.fixture(scope="module")
def citer() -> Citer:
    return Citer()


def document(
    citer: Citer, studies: dict[str, Study], style: str
) -> tuple[list[str], dict[str, str]]:
    """Each work cited alone, then narratively, then the last three together; one document."""
    requests = (
        [CiteRequest((k,)) for k in KEYS]
        + [CiteRequest((k,), True) for k in KEYS]
        + [CiteRequest(tuple(KEYS[2:]))]
    )
    result = citer.format([studies[k] for k in KEYS], requests, style)
    return list(result.citations), {r.key: r.text for r in result.references}


CARLETON_12 = (
    "Carleton, R. N., Afifi, T. O., Turner, S., Taillieu, T., Vaughan, A. D., "
    "Anderson, G. S., Ricciardelli, R., MacPhee, R. S., Cramm, H. A., Czarnuch, S., "
    "Hozempa, K., & Camp, R. D. (2020)."
)

GOLDEN: dict[str, tuple[list[str], dict[str, str]]] = {
    "apa": (
        [
            "(Carleton, Afifi, Turner, et al., 2020)",  # 8.18: names until the works differ
            "(Carleton, Afifi, Taillieu, et al., 2020)",
            "(Ministry of Invented Services, 2021)",
            "(Müller et al., 2019)",  # 8.17: three or more authors, et al. from the first cite
            "(Okafor, 2018)",
            "Carleton, Afifi, Turner, et al. (2020)",
            "Carleton, Afifi, Taillieu, et al. (2020)",
            "Ministry of Invented Services (2021)",
            "Müller et al. (2019)",
            "Okafor (2018)",
            "(Ministry of Invented Services, 2021; Müller et al., 2019; Okafor, "
            "2018)",  # 8.12 order
        ],
        {
            "carleton2020mental": CARLETON_12
            + " Mental health training, attitudes toward support, "
            "and screening positive for mental disorders. Cognitive Behaviour Therapy, 49(1), "
            "55–73. "
            "https://doi.org/10.1080/16506073.2019.1575900",
            "citeorg2021": "Ministry of Invented Services. (2021). Guidance on peer support teams. "
            "Test Press. https://example.org/peer-support-guidance",
            "citeaccents2019": "Müller, J., Núñez, J., & Ørsted, S. (2019). Shift work and sleep "
            "among "
            "Québec paramedics. Journal of Invented Results, 3(2), 10–20. "
            "https://doi.org/10.5555/test.accents",
            "citechapter2018": "Okafor, C. (2018). Peer support after critical incidents. In A. "
            "Lindqvist & M. de la Cruz (Eds.), Handbook of Invented Emergency Psychology (pp. "
            "101–118). Test Press. https://doi.org/10.5555/test.chapter",
        },
    ),
    "vancouver": (
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(1)", "(2)", "(3)", "(4)", "(5)", "(3–5)"],
        {
            "carleton2020mental": "1. Carleton RN, Afifi TO, Turner S, Taillieu T, Vaughan AD, "
            "Anderson GS, et al. Mental health training, attitudes toward support, and screening "
            "positive for mental disorders. Cognitive Behaviour Therapy. 2020;49(1):55–73. "
            "Available from: doi:10.1080/16506073.2019.1575900 PubMed PMID: 30794073.",
            "citeorg2021": "3. Ministry of Invented Services. Guidance on peer support teams "
            "[Internet]. Test Press; 2021. Available from: "
            "https://example.org/peer-support-guidance",
            "citeaccents2019": "4. Müller J, Núñez J, Ørsted S. Shift work and sleep among Québec "
            "paramedics. Journal of Invented Results. 2019;3(2):10–20. Available from: "
            "doi:10.5555/test.accents",
            # Without the in-memory patch pandoc writes "In, editorsLindqvist A, ..." (trap 6).
            "citechapter2018": "5. Okafor C. Peer support after critical incidents. In: Lindqvist "
            "A, "
            "de la Cruz M, editors. Handbook of Invented Emergency Psychology. Test Press; 2018. "
            "p. 101–18. Available from: doi:10.5555/test.chapter",
        },
    ),
    "chicago": (
        [
            "(Carleton, Afifi, Turner, et al. 2020)",
            "(Carleton, Afifi, Taillieu, et al. 2020)",
            "(Ministry of Invented Services 2021)",
            "(Müller et al. 2019)",
            "(Okafor 2018)",
            "Carleton, Afifi, Turner, et al. (2020)",
            "Carleton, Afifi, Taillieu, et al. (2020)",
            "Ministry of Invented Services (2021)",
            "Müller et al. (2019)",
            "Okafor (2018)",
            "(Ministry of Invented Services 2021; Müller et al. 2019; Okafor 2018)",
        ],
        {
            # CMOS 18 lowercases all prepositions ("toward", "among", "after"); CSL's title-case
            # stop-word list (used by citeproc-js too) does not include them.
            "carleton2020mental": "Carleton, R. Nicholas, Tracie O. Afifi, Sarah Turner, et al. "
            "2020. "
            "“Mental Health Training, Attitudes Toward Support, and Screening Positive for Mental "
            "Disorders.” Cognitive Behaviour Therapy 49 (1): 55–73. "
            "https://doi.org/10.1080/16506073.2019.1575900.",
            "citeorg2021": "Ministry of Invented Services. 2021. Guidance on Peer Support Teams. "
            "Test "
            "Press. https://example.org/peer-support-guidance.",
            "citeaccents2019": "Müller, Jürgen, José Núñez, and Søren Ørsted. 2019. “Shift Work "
            "and "
            "Sleep Among Québec Paramedics.” Journal of Invented Results 3 (2): 10–20. "
            "https://doi.org/10.5555/test.accents.",
            "citechapter2018": "Okafor, Chidi. 2018. “Peer Support After Critical Incidents.” In "
            "Handbook of Invented Emergency Psychology, edited by Anna Lindqvist and Maria de la "
            "Cruz. Test Press. https://doi.org/10.5555/test.chapter.",
        },
    ),
    "harvard": (
        [
            "(Carleton, Afifi, Turner, et al., 2020)",
            "(Carleton, Afifi, Taillieu, et al., 2020)",
            "(Ministry of Invented Services, 2021)",
            "(Müller, Núñez and Ørsted, 2019)",  # CTR: up to three names, "and"
            "(Okafor, 2018)",
            "Carleton, Afifi, Turner, et al. (2020)",
            "Carleton, Afifi, Taillieu, et al. (2020)",
            "Ministry of Invented Services (2021)",
            "Müller, Núñez and Ørsted (2019)",
            "Okafor (2018)",
            "(Okafor, 2018; Müller, Núñez and Ørsted, 2019; Ministry of Invented Services, 2021)",
        ],
        {
            "carleton2020mental": "Carleton, R. N., Afifi, T. O., Turner, S., et al. (2020) "
            "‘Mental "
            "health training, attitudes toward support, and screening positive for mental "
            "disorders’, Cognitive Behaviour Therapy, 49(1), pp. 55–73. doi: "
            "10.1080/16506073.2019.1575900.",
            "citeorg2021": "Ministry of Invented Services (2021) Guidance on peer support teams. "
            "Test "
            "Press. Available at: https://example.org/peer-support-guidance.",
            "citeaccents2019": "Müller, J., Núñez, J. and Ørsted, S. (2019) ‘Shift work and sleep "
            "among Québec paramedics’, Journal of Invented Results, 3(2), pp. 10–20. doi: "
            "10.5555/test.accents.",
            "citechapter2018": "Okafor, C. (2018) ‘Peer support after critical incidents’, in "
            "Lindqvist, A. and de la Cruz, M. (eds) Handbook of Invented Emergency Psychology. "
            "Test "
            "Press, pp. 101–118. doi: 10.5555/test.chapter.",
        },
    ),
    "ieee": (
        ["[1]", "[2]", "[3]", "[4]", "[5]", "[1]", "[2]", "[3]", "[4]", "[5]", "[3]–[5]"],
        {
            "carleton2020mental": "[1] R. N. Carleton et al., “Mental health training, attitudes "
            "toward support, and screening positive for mental disorders,” Cognitive Behaviour "
            "Therapy, vol. 49, no. 1, pp. 55–73, 2020, doi: 10.1080/16506073.2019.1575900.",
            # No access date is stored (we never invent one), so the style's "Accessed ...
            # [Online]." group is dropped with its leading space.
            "citeorg2021": "[3] Ministry of Invented Services, “Guidance on peer support teams,” "
            "Test "
            "Press, 2021.Available: https://example.org/peer-support-guidance",
            "citeaccents2019": "[4] J. Müller, J. Núñez, and S. Ørsted, “Shift work and sleep "
            "among "
            "Québec paramedics,” Journal of Invented Results, vol. 3, no. 2, pp. 10–20, 2019, doi: "
            "10.5555/test.accents.",
            "citechapter2018": "[5] C. Okafor, “Peer support after critical incidents,” in "
            "Handbook of "
            "Invented Emergency Psychology, A. Lindqvist and M. de la Cruz, Eds. Test Press, 2018, "
            "pp. 101–118. doi: 10.5555/test.chapter.",
        },
    ),
}


@pytest.mark.parametrize("style", STYLES)
def test_golden_citations_and_references(
    citer: Citer, studies: dict[str, Study], style: str
) -> None:
    citations, references = document(citer, studies, style)
    expected_cites, expected_refs = GOLDEN[style]
    assert citations == expected_cites
    for key, text in expected_refs.items():
        assert references[key] == text
    assert set(references) == set(KEYS)


def test_apa_year_suffixes_for_one_author_one_year(citer: Citer, studies: dict[str, Study]) -> None:
    works = [studies["citequilla2020"], studies["citequillb2020"]]
    result = citer.format(works, [CiteRequest(("citequilla2020", "citequillb2020"))], "apa")
    assert result.citations == ("(Quill, 2020a, 2020b)",)
    assert [r.text[:18] for r in result.references] == ["Quill, Q. (2020a).", "Quill, Q. (2020b)."]


def test_numeric_styles_number_in_order_of_first_citation(
    citer: Citer, studies: dict[str, Study]
) -> None:
    order = ["citechapter2018", "carleton2020mental"]
    result = citer.format([studies[k] for k in order], [CiteRequest((k,)) for k in order], "ieee")
    assert result.citations == ("[1]", "[2]")
    assert [r.key for r in result.references] == order


def test_apa_narrative_uses_and_but_keeps_an_organisation_ampersand(citer: Citer) -> None:
    found, _ = parse_bibtex(
        "@article{two, author = {Alpha, Anna and Beta, Bruno}, title = {T}, journal = {J}, year = "
        "{2020}}\n"
        "@report{org, author = {{Smith \\& Jones Consulting}}, title = {R}, year = {2021}}\n"
    )
    by_key = {s.key: s for s in found}
    assert in_text(citer, [by_key["two"]], "apa", narrative=True) == "Alpha and Beta (2020)"
    assert in_text(citer, [by_key["two"]], "apa") == "(Alpha & Beta, 2020)"
    assert (
        in_text(citer, [by_key["org"]], "apa", narrative=True) == "Smith & Jones Consulting (2021)"
    )
    both = in_text(citer, [by_key["two"], by_key["org"]], "apa", narrative=True)
    assert both == "Alpha and Beta (2020) and Smith & Jones Consulting (2021)"


def test_reference_html_is_escaped_and_links_the_doi(citer: Citer) -> None:
    found, _ = parse_bibtex(
        "@article{x, author = {Alpha, Anna}, title = {<script>alert(1)</script> "
        "& more}, journal = {J}, year = {2020}, doi = {10.5555/x.1}}"
    )
    reference = citer.format(found, [], "apa").references[0]
    assert "<script" not in reference.html and "&lt;script&gt;" in reference.html
    assert '<a href="https://doi.org/10.5555/x.1">https://doi.org/10.5555/x.1</a>' in reference.html
    assert reference.markdown.endswith("<https://doi.org/10.5555/x.1>")
    assert [r.link for r in reference.runs if r.link] == ["https://doi.org/10.5555/x.1"]
    assert any(r.italic and r.text == "J" for r in reference.runs)


def test_apa_drops_the_empty_original_publication_note(
    citer: Citer, studies: dict[str, Study]
) -> None:
    # Unpatched, pandoc ends every APA reference with "(Original work published)".
    result = citer.format(list(studies.values()), [], "apa")
    assert not any("Original work" in r.text for r in result.references)


def test_csl_json_uses_the_standard_variables(studies: dict[str, Study]) -> None:
    chapter = to_csl(studies["citechapter2018"])
    assert chapter == {
        "id": "citechapter2018",
        "type": "chapter",
        "title": "Peer support after critical incidents",
        "author": [{"family": "Okafor", "given": "Chidi"}],
        "editor": [
            {"family": "Lindqvist", "given": "Anna"},
            {"family": "Cruz", "given": "Maria", "non-dropping-particle": "de la"},
        ],
        "issued": {"date-parts": [[2018]]},
        "container-title": "Handbook of Invented Emergency Psychology",
        "publisher": "Test Press",
        "page": "101–118",
        "DOI": "10.5555/test.chapter",
    }
    assert to_csl(studies["citeorg2021"])["author"] == [
        {"literal": "Ministry of Invented Services"}
    ]
    assert to_csl(studies["citeorg2021"])["URL"] == "https://example.org/peer-support-guidance"
    assert (
        to_csl(studies["carleton2020mental"])["title"]
        == studies["carleton2020mental"].title_sentence
    )


def test_apa_capitalises_a_lowercase_subtitle_only_for_apa() -> None:
    found, _ = parse_bibtex(
        "@article{z, author = {Zeta, Zoe}, title = {Debriefing: a review}, year = {2018}}"
    )
    assert to_csl(found[0], "apa")["title"] == "Debriefing: A review"
    assert to_csl(found[0], "vancouver")["title"] == "Debriefing: a review"


def test_unknown_style_is_a_citation_error(citer: Citer, studies: dict[str, Study]) -> None:
    with pytest.raises(CitationError, match="unknown citation style 'mla'.*apa, vancouver"):
        citer.format([studies["citeorg2021"]], [], "mla")


def test_a_repeated_document_comes_from_the_cache(
    citer: Citer, studies: dict[str, Study], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def counting(markdown: str, args: list[str]) -> dict[str, object]:
        calls.append(markdown)
        return run_pandoc(markdown, args)

    counted = Citer(runner=counting)
    works = [studies["citeorg2021"]]
    first = counted.format(works, [CiteRequest(("citeorg2021",))], "harvard")
    assert counted.format(works, [CiteRequest(("citeorg2021",))], "harvard") is first
    assert len(calls) == 1


def test_unknown_keys_are_dropped_and_reported(
    studies: dict[str, Study], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="evidence.cite.citer"):
        kept = known_studies(studies, ["nosuchkey2020", "citeorg2021", "citeorg2021"])
    assert [s.key for s in kept] == ["citeorg2021"]
    assert "nosuchkey2020" in caplog.text


@pytest.mark.model
def test_cli_cite_names_unknown_keys_and_never_cites_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from evidence.cli import main

    monkeypatch.setenv("EVIDENCE_CORPUS", str(ROOT / "tests" / "data" / "tiny.bib"))
    # A fresh index of the tiny corpus: the CLI rebuilds an index whose corpus differs.
    index = ["--index", str(tmp_path / "index")]
    done = CliRunner().invoke(
        main, ["cite", "zeta2018debrief", "nokey", "--style", "vancouver", *index]
    )
    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines()[0] == "(1)"
    assert (
        "5. " not in done.stdout and "1. Zeta Z. Critical incident stress debriefing" in done.stdout
    )
    assert "not cited: nokey" in done.stderr
    done = CliRunner().invoke(main, ["cite", "nokey", *index])
    assert done.exit_code == 1 and "none of the keys" in done.output

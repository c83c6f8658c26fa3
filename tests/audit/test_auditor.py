"""The citation audit: one draft per diagnosis, a clean draft with no finding, and a
realistic practitioner draft with planted defects, checked against the curated corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from evidence.audit.auditor import KINDS, AuditReport, audit_draft, render
from evidence.cli import main
from evidence.ingest.parse import load_bibtex
from evidence.model import Study
from tests.conftest import DATA, ROOT

CORPUS = ROOT / "corpus"


@pytest.fixture(scope="module")
def studies() -> list[Study]:
    loaded, _ = load_bibtex(sorted(CORPUS.glob("*.bib")))
    return loaded


def audit_file(name: str, studies: list[Study]) -> AuditReport:
    return audit_draft((DATA / name).read_text(encoding="utf-8"), studies, source=name)


def references_of(name: str) -> str:
    """The reference list of a test draft (what follows its "## References" heading)."""
    return (DATA / name).read_text(encoding="utf-8").split("## References\n\n")[1]


def found(report: AuditReport) -> list[tuple[str, str]]:
    """(kind, the draft text it marks) of each finding, in draft order."""
    return [(f.kind, report.text[f.start : f.end]) for f in report.findings]


def assert_found(report: AuditReport, expected: list[tuple[str, str]]) -> None:
    """The findings are exactly `expected`: (kind, start of the text each marks)."""
    assert [kind for kind, _ in found(report)] == [kind for kind, _ in expected], found(report)
    for (_, text), (_, start) in zip(found(report), expected, strict=True):
        assert text.startswith(start), (text, start)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("audit-year-mismatch.md", [("citation-year-mismatch", "Carleton et al., 2019")]),
        ("audit-year-malformed.txt", [("citation-year-malformed", "Stanley et al., 20l6")]),
        ("audit-not-in-references.md", [("citation-not-in-references", "Smith & Jones, 2018"),
                                        ("citation-not-in-references", "Haugen et al., 2017")]),
        ("audit-ambiguous.md", [("citation-ambiguous", "Carleton et al., 2018")]),
        ("audit-author-typo.md", [("citation-author-typo", "Petri et al., 2018")]),
        ("audit-year-suffix.md", [("citation-year-suffix", "Syed et al.,\n2020a")]),
        ("audit-no-reference-list.txt", [("no-reference-list", "Syed et al., 2020")]),
        ("audit-reference-uncited.md", [("reference-uncited", "Haugen, P. T., McCrillis, A. M.")]),
        ("audit-reference-year-malformed.md", [("reference-year-malformed",
                                                "Karaffa, K. M., & Koch, J. M. (")]),
        ("audit-doi-truncated.md", [("doi-truncated", "10.1017/S003329171500")]),
        ("audit-doi-malformed.md", [("doi-malformed", "10.101/S0033291715002408")]),
        ("audit-doi-mismatch.md", [("doi-mismatch", "10.1037/a0016919")]),
        ("audit-doi-other-study.md", [("doi-other-study", "10.1080/07448481.2010.515632")]),
        ("audit-doi-missing.md", [("doi-missing", "Hefner, J., & Eisenberg, D. (20")]),
        ("audit-library-year.md", [("library-year-mismatch", "Syed, S., Ashwick, R., Schloss")]),
        ("audit-online-year.md", [("library-online-year", "Carleton, R. N., Afifi, T. O., ")]),
        ("audit-library-author.md", [("library-author-mismatch", "Carlton, R. N., Afifi, T. O.")]),
        ("audit-library-volume.md", [("library-volume-mismatch", "Morgan, A. J., Ross, A., &")]),
        ("audit-not-in-library.md", [("not-in-library", "American Psychiatric Associati")]),
        ("audit-population.md", [("fit-population", "Hefner & Eisenberg, 2009")]),
        ("audit-design.md", [("fit-design", "LaMontagne et al., 2014")]),
        ("audit-uncited-claim.md", [("uncited-claim", "About a third of first responde")]),
    ],
)  # fmt: skip
def test_each_diagnosis_is_found_alone(name: str, expected: list[tuple[str, str]],
                                       studies: list[Study]) -> None:  # fmt: skip
    report = audit_file(name, studies)
    assert_found(report, expected)
    for finding in report.findings:
        assert finding.severity == KINDS[finding.kind][0]
        assert finding.message and finding.fix


def test_every_kind_of_finding_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for kind, (severity, meaning) in KINDS.items():
        assert f"| `{kind}` | {severity} | {meaning} |" in readme, kind


def test_the_clean_draft_has_no_finding(studies: list[Study]) -> None:
    report = audit_file("audit-clean.md", studies)
    assert report.findings == ()
    assert len(report.citations) == 13 and all(c.status == "ok" for c in report.citations)
    assert all(r.study_key and r.cited for r in report.references)
    assert {r.found_by for r in report.references} == {"doi"}
    assert report.topic == ("first responders",)


def test_year_mismatch_names_the_entry_and_the_online_first_year(studies: list[Study]) -> None:
    (finding,) = audit_file("audit-year-mismatch.md", studies).findings
    assert "reference 1 (Carleton et al., 2020)" in finding.message
    assert "online in 2019" in finding.message
    assert finding.severity == "error" and "(Carleton et al., 2020)" in finding.fix
    assert finding.study_key == "carleton2020mental"


def test_truncated_doi_fix_gives_the_library_doi(studies: list[Study]) -> None:
    (finding,) = audit_file("audit-doi-truncated.md", studies).findings
    assert finding.fix == "Use https://doi.org/10.1017/S0033291715002408"
    assert finding.study_key == "joyce2016workplace"


def test_citation_missing_from_the_list_points_to_the_library(studies: list[Study]) -> None:
    report = audit_file("audit-not-in-references.md", studies)
    smith, haugen = report.findings
    assert "The library has" not in smith.message and smith.study_key == ""
    assert "The library has (Haugen et al., 2017)" in haugen.message
    assert haugen.study_key == "haugen2017mental"


def test_ambiguous_lists_every_fitting_entry(studies: list[Study]) -> None:
    (finding,) = audit_file("audit-ambiguous.md", studies).findings
    assert "reference 1 (Carleton et al., 2018a)" in finding.message
    assert "reference 2 (Carleton et al., 2018b)" in finding.message
    assert "2018a, 2018b" in finding.fix


def test_no_date_and_in_press_match_their_entries(studies: list[Study]) -> None:
    text = (
        "A guide exists (World Health Organization, n.d.). A study is coming (Jones, in "
        "press).\n\nReferences\n\nJones, A. (in press). A forthcoming study. Venue.\n\n"
        "World Health Organization. (n.d.). A guide. https://example.org/guide\n"
    )
    report = audit_draft(text, studies)
    assert [c.status for c in report.citations] == ["ok", "ok"]
    assert [f.kind for f in report.findings] == ["not-in-library", "not-in-library"]


def test_a_typo_in_the_name_with_another_year_is_not_guessed(studies: list[Study]) -> None:
    text = "x (Petri et al., 2011).\n\nReferences\n\n" + references_of("audit-author-typo.md")
    report = audit_draft(text, studies)
    assert [f.kind for f in report.findings] == ["citation-not-in-references", "reference-uncited"]


def test_a_title_without_its_subtitle_is_found_only_with_its_first_author(
    studies: list[Study],
) -> None:
    entry = (
        "{author}, S., Ashwick, R., & Billings, J. (2020). Global prevalence and risk factors "
        "for mental health problems in police personnel. Occup Environ Med, 77, 737–747.\n"
    )
    text = "Police officers report ill health ({author} et al., 2020).\n\nReferences\n\n" + entry
    report = audit_draft(text.format(author="Syed"), studies)
    assert [r.study_key for r in report.references] == ["syed2020global"]
    assert [f.kind for f in report.findings] == ["doi-missing"]
    other = audit_draft(text.format(author="Smith"), studies)
    assert [r.study_key for r in other.references] == [""]
    assert [f.kind for f in other.findings] == ["not-in-library"]


def test_fit_warnings_need_a_claim_about_first_responders(studies: list[Study]) -> None:
    population = (DATA / "audit-population.md").read_text(encoding="utf-8")
    neutral = population.replace("Among firefighters, strong", "Among students, strong").replace(
        "Peer support for firefighters", "Peer support")  # fmt: skip
    assert audit_draft(neutral, studies).findings == ()
    outside = population.replace("Among firefighters,", "Unlike firefighters,")
    assert [f.kind for f in audit_draft(outside, studies).findings] == []


def test_plans_questions_and_follow_ups_are_not_uncited_claims(studies: list[Study]) -> None:
    text = (
        "We will reduce sick leave by 20% in the first year. Does training reduce stigma? "
        "Our department saw a 12% increase in sick leave last year. "
        "Karaffa and Koch (2016) surveyed police officers. They found that 56% of the "
        "variance in attitudes was explained.\n\n## References\n\n"
        + references_of("audit-uncited-claim.md")
    )
    assert audit_draft(text, studies).findings == ()


def test_practitioner_draft_finds_every_planted_defect(studies: list[Study]) -> None:
    report = audit_file("audit-practitioner.md", studies)
    assert_found(
        report,
        [
            ("citation-year-malformed", "Stanley et al., 20l6"),
            ("uncited-claim", "Suicidal ideation is reported by"),
            ("citation-author-typo", "Petri et al., 2018"),
            ("uncited-claim", "Roughly one in three first res"),
            ("fit-population", "Hefner & Eisenberg, 2009"),
            ("citation-year-mismatch", "Carleton et al. (2019)"),
            ("fit-design", "LaMontagne et al., 2014"),
            ("citation-ambiguous", "Carleton et al., 2018"),
            ("uncited-claim", "Mental Health First Aid traini"),
            ("citation-not-in-references", "Smith & Jones, 2018"),
            ("not-in-library", "American Psychiatric Associati"),
            ("reference-uncited", "Haugen, P. T., McCrillis, A. M."),
            ("doi-truncated", "10.1017/S003329171500"),
            ("library-volume-mismatch", "Morgan, A. J., Ross, A., & Rea"),
            ("reference-uncited", "Morgan, A. J., Ross, A., & Rea"),
            ("library-year-mismatch", "Syed, S., Ashwick, R., Schloss"),
        ],
    )
    correct = {"Carleton et al., 2018a", "Berger et al.,\n2012", "Syed et al., 2021",
               "Joyce et al. (2016)", "Karaffa & Koch, 2016", "Andersson et al., 2022",
               "American Psychiatric Association, 2013"}  # fmt: skip
    assert {c.citation.text for c in report.citations if c.status == "ok"} >= correct


def test_report_is_json_ready_with_offsets_and_lines(studies: list[Study]) -> None:
    report = audit_file("audit-practitioner.md", studies)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["summary"] == {"error": 6, "warning": 9, "info": 1}
    for finding in data["findings"]:
        assert set(finding) >= {"kind", "severity", "start", "end", "line", "message", "fix"}
        assert report.text.count("\n", 0, finding["start"]) + 1 == finding["line"]
        assert 0 <= finding["start"] < finding["end"] <= len(report.text)
    assert len(data["citations"]) == 14 and len(data["references"]) == 15


@pytest.mark.parametrize("fmt", ["text", "md"])
def test_render_shows_every_finding(fmt: str, studies: list[Study]) -> None:
    report = audit_file("audit-practitioner.md", studies)
    out = render(report, fmt)
    assert all(f.kind in out and f.fix in out for f in report.findings)
    clean = render(audit_file("audit-clean.md", studies), fmt)
    assert clean.rstrip().endswith("No problems found.")


def test_cli_fails_only_when_the_draft_cannot_be_read(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["audit", str(tmp_path / "nope.md"), "--index",
                                       str(tmp_path / "index")])  # fmt: skip
    assert result.exit_code == 1 and "Error:" in result.output and "nope.md" in result.output
    assert not (tmp_path / "index").exists()  # nothing was built for an unreadable draft


# ---- with the real model: suggestions for uncited claims, Library.audit, the CLI ------------


@pytest.mark.model
def test_library_audit_suggests_only_findings_that_answer_each_uncited_claim(
    bundled_library,
) -> None:  # type: ignore[no-untyped-def]
    report = bundled_library.audit(DATA / "audit-practitioner.md")
    assert report.source.endswith("audit-practitioner.md")
    claims = [f for f in report.findings if f.kind == "uncited-claim"]
    expected = ["stanley2015career", "stanley2017differences", "morgan2018systematic"]
    for finding, key in zip(claims, expected, strict=True):
        assert 1 <= len(finding.suggestions) <= 3
        assert key in [s.study_key for s in finding.suggestions], finding.suggestions
        profile = bundled_library.evidence(report.text[finding.start : finding.end])
        for suggestion in finding.suggestions:
            assert bundled_library.passage(suggestion.passage_id).text == suggestion.passage
            assert profile.answer_of(suggestion.study_key) == suggestion.passage_id
            assert suggestion.citation.startswith("(") and suggestion.score > 0
    assert "already reference 12" in claims[2].fix  # Morgan is listed but never cited
    # stanley2015career lists one author "and others": cited as et al., never as one author
    assert "(Stanley et al., 2015)" in claims[0].fix


@pytest.mark.model
def test_a_made_up_claim_gets_no_suggestion_but_the_note_that_no_study_answers_it(
    bundled_library,
) -> None:  # type: ignore[no-untyped-def]
    text = ("Fire departments struggle to keep their staff. Peer support programs cut turnover by "
            "30 percent in fire departments.")  # fmt: skip
    (finding,) = bundled_library.audit(text).findings
    assert finding.kind == "uncited-claim" and finding.suggestions == ()
    assert "the library has no study for this" in finding.fix


@pytest.mark.model
def test_library_audit_of_the_clean_docx_has_no_finding(bundled_library, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import docx

    document = docx.Document()
    for paragraph in (DATA / "audit-clean.md").read_text(encoding="utf-8").split("\n"):
        document.add_paragraph(paragraph)
    document.save(str(tmp_path / "clean.docx"))
    assert bundled_library.audit(tmp_path / "clean.docx").findings == ()


@pytest.mark.model
@pytest.mark.parametrize("fmt", ["text", "json", "md"])
def test_cli_audit_formats_exit_zero_with_findings(bundled_library, fmt: str) -> None:  # type: ignore[no-untyped-def]
    draft = str(DATA / "audit-practitioner.md")
    result = CliRunner().invoke(main, ["audit", draft, "--format", fmt, "--index",
                                       str(bundled_library.index_dir)])  # fmt: skip
    assert result.exit_code == 0, result.output
    if fmt == "json":
        data = json.loads(result.output[result.output.index("{") :])
        assert data["summary"] == {"error": 6, "warning": 9, "info": 1}
        assert data["source"] == draft
    else:
        assert "citation-year-mismatch" in result.output and "morgan2018systematic" in result.output

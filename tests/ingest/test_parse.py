import time
from pathlib import Path

import pytest

from evidence import BibtexImportError, ImportReport, Person, Study, load_bibtex, parse_bibtex


def parse(text: str, **kwargs: bool) -> tuple[dict[str, Study], ImportReport]:
    studies, report = parse_bibtex(text, "t.bib", **kwargs)
    return {s.key: s for s in studies}, report


def kinds(report: ImportReport) -> list[tuple[str, int | None]]:
    return [(p.kind, p.line) for p in report.problems]


def test_tiny_corpus_imports_cleanly_in_strict_mode(tiny_corpus: Path) -> None:
    studies, report = load_bibtex(tiny_corpus, strict=True)
    assert [s.key for s in studies] == [
        "alpha2020peer",
        "delta2019stigma",
        "epsilon2021sleep",
        "zeta2018debrief",
    ]
    assert report.problems == ()
    alpha = studies[0]
    assert alpha.venue == "Journal of Test Research"  # @string macro
    assert alpha.title == "Peer Support and PTSD Symptoms in Canadian Firefighters"
    assert alpha.title_sentence == "Peer support and PTSD symptoms in Canadian firefighters"
    assert alpha.authors[2] == Person(family="Gamma", given="Grégoire")
    assert alpha.doi == "10.1234/test.0001"
    assert (alpha.year, alpha.volume, alpha.issue, alpha.pages) == (2020, "12", "3", "100–110")
    assert alpha.design == "randomised controlled trial" and alpha.population == "firefighters"
    assert alpha.findings[0].result.startswith("In a trial of 120 firefighters")
    assert "95% CI 0.1–0.8" in alpha.abstract
    assert alpha.keywords == ("peer support", "PTSD", "firefighters")
    assert alpha.sources == ("https://example.org/alpha2020",)
    assert (alpha.source_file, alpha.source_line) == (str(tiny_corpus), 4)


def test_names_particles_suffixes_and_corporate_authors(tiny_corpus: Path) -> None:
    studies, _ = load_bibtex(tiny_corpus)
    by_key = {s.key: s for s in studies}
    delta = by_key["delta2019stigma"].authors
    assert delta[1] == Person(family="Berg", given="Erik", particle="van der")
    assert delta[2] == Person(family="Amick", given="Benjamin C.", suffix="III")
    assert delta[2].sort_name() == "Amick, Benjamin C., III"
    who = by_key["epsilon2021sleep"].authors
    assert who == (Person(family="World Health Organization", literal=True),)
    chapter = by_key["zeta2018debrief"]
    assert chapter.entry_type == "chapter" and chapter.venue == "Handbook of Trauma Care"
    assert [e.family for e in chapter.editors] == ["Editor", "Other"]


def test_concatenation_and_macros_resolve() -> None:
    studies, report = parse(
        "@string{j = {a space between this }}\n"
        '@string{pre = "Pre" # "fix"}\n'
        '@article{key, title = pre # { and } # j # "and this", year = 1990, month = jan}\n'
    )
    assert studies["key"].title == "Prefix and a space between this and this"
    assert studies["key"].year == 1990
    assert report.problems == ()


def test_undefined_macro_is_reported_with_its_line_and_kept_as_text() -> None:
    studies, report = parse(
        "@inproceedings{k,\n  title = {T},\n  booktitle = IEEE_J_PROC,\n year={2000}}"
    )
    assert studies["k"].venue == "IEEE_J_PROC"
    assert kinds(report) == [("undefined-macro", 3)]


def test_crossref_inherits_from_a_parent_defined_later() -> None:
    studies, report = parse(
        "@incollection{child, author = {A, B}, title = {Chapter}, crossref = {book},"
        " pages = {1--2}}\n"
        "@book{book, title = {The Book}, editor = {E, F}, publisher = {P}, year = {2004}}\n"
    )
    child = studies["child"]
    assert (child.year, child.publisher, child.venue) == (2004, "P", "The Book")
    assert child.editors == (Person(family="E", given="F"),)
    assert child.title == "Chapter"
    assert report.problems == ()


def test_missing_crossref_target_is_reported() -> None:
    _, report = parse("@incollection{c, title = {T}, year = 2000,\n crossref = {Nowhere}}")
    assert kinds(report) == [("crossref-missing", 2)]


@pytest.mark.parametrize(
    ("raw", "expected", "flagged"),
    [
        pytest.param(
            "https://doi.org/10.1037/a0016918", "10.1037/a0016918", False, id="resolver-url"
        ),
        pytest.param(
            "http://dx.doi.org/10.1037/a0016918", "10.1037/a0016918", False, id="dx-resolver"
        ),
        pytest.param(
            "http://doi.acm.org/10.1145/1137627.1137631", "10.1145/1137627.1137631", False, id="acm"
        ),
        pytest.param(
            "doi: 10.1186/1471-244X-14-131", "10.1186/1471-244X-14-131", False, id="doi-prefix"
        ),
        pytest.param(
            "10.1016/ S2215-0366(17)30372-3", "10.1016/S2215-0366(17)30372-3", False, id="space"
        ),
        pytest.param(
            "10.1016/S2215-0366(17", "10.1016/S2215-0366(17", True, id="truncated-bracket"
        ),
        pytest.param("10.1007/s00127-", "10.1007/s00127-", True, id="truncated-dash"),
        pytest.param("1037/a0016918", "1037/a0016918", True, id="no-prefix"),
    ],
)
def test_doi_normalised_and_malformed_flagged(raw: str, expected: str, flagged: bool) -> None:
    studies, report = parse(f"@article{{k, title = {{T}}, year = 2000,\n doi = {{{raw}}}}}")
    assert studies["k"].doi == expected
    assert ("doi-malformed" in studies["k"].flags) is flagged
    assert kinds(report) == ([("doi-malformed", 2)] if flagged else [])


@pytest.mark.parametrize(
    ("field", "year", "problem"),
    [
        pytest.param("year = {2019}", 2019, None, id="braced"),
        pytest.param("year = 2019", 2019, None, id="bare-number"),
        pytest.param("date = {2019-02-22}", 2019, None, id="biblatex-date"),
        pytest.param("year = {in press}", None, "year-invalid", id="in-press"),
        pytest.param("note = {x}", None, "year-missing", id="absent"),
    ],
)
def test_year_to_int_with_a_warning_when_not_a_year(
    field: str, year: int | None, problem: str | None
) -> None:
    studies, report = parse(f"@article{{k, title = {{T}}, {field}}}")
    assert studies["k"].year == year
    assert [p.kind for p in report.problems] == ([problem] if problem else [])


def test_entry_types_map_to_the_small_set() -> None:
    text = "".join(
        f"@{t}{{k{i}, title = {{T{i}}}, year = 2000}}\n"
        for i, t in enumerate(
            [
                "article",
                "book",
                "inbook",
                "techreport",
                "phdthesis",
                "inproceedings",
                "online",
                "misc",
            ]
        )
    )
    studies, _ = parse(text)
    assert [s.entry_type for s in studies.values()] == [
        "article",
        "book",
        "chapter",
        "report",
        "thesis",
        "conference paper",
        "web page",
        "other",
    ]


def test_keywords_split_on_semicolons_or_commas_and_pmid_kept() -> None:
    studies, _ = parse("@article{a, title={T}, year=2000, keywords={x, y,z}, pmid={20099940}}")
    assert studies["a"].keywords == ("x", "y", "z")
    assert studies["a"].pmid == "20099940"


def test_and_others_is_not_an_author_but_flags_the_list() -> None:
    studies, _ = parse("@article{a, title={T}, year=2000, author={Smith, J. and others}}")
    assert [p.family for p in studies["a"].authors] == ["Smith"]
    assert "authors-incomplete" in studies["a"].flags


BROKEN = """@article{good1, title = {First}, year = 2001}
@article{dup, title = {Second}, year = 2002}
@article{dup, title = {Third}, year = 2003}
@article{Good1, title = {Fourth}, year = 2004}
@article{
  author = {Huang, Y.},
  title = {No key here},
  year = 2012}
@article{slot, title = {Fifth}, , year = 2005}
@article{twice, title = {Sixth}, title = {Sixth again}, year = 2006}
%@article{commented, title = {Gone}, year = 2007}
@article{good2, title = {Seventh}, year = 2008}
@article{broken, title = {Unclosed, year = 2009
"""


def test_bad_blocks_are_reported_with_lines_and_the_rest_imported() -> None:
    studies, report = parse(BROKEN)
    assert list(studies) == [
        "good1",
        "dup",
        "dup-2",
        "Good1",
        "huang2012here",
        "slot",
        "twice",
        "good2",
    ]
    assert studies["dup-2"].title == "Third"
    assert studies["twice"].title == "Sixth"
    assert sorted(kinds(report), key=lambda k: k[1] or 0) == [
        ("duplicate-key", 3),
        ("duplicate-key-case", 4),
        ("missing-key", 5),
        ("empty-field", 9),
        ("duplicate-field", 10),
        ("commented-out", 11),
        ("malformed", 13),
    ]
    assert all(p.file == "t.bib" for p in report.problems)


def test_strict_mode_turns_problems_into_an_error() -> None:
    with pytest.raises(BibtexImportError, match=r"strict import found 7 problem\(s\)"):
        parse(BROKEN, strict=True)


def test_duplicate_studies_merge_into_the_first_and_are_reported() -> None:
    studies, report = parse(
        "@article{a, title = {Same Study}, year = 2001, author = {X, Y}, doi = {10.1234/abc}}\n"
        "@article{b, title = {Other}, year = 2002, doi = {10.1234/ABC}, volume = {7}}\n"
        "@article{c, title = {Same study!}, year = 2001, author = {X, Z}, pages = {1--2}}\n"
    )
    assert list(studies) == ["a"]
    assert (studies["a"].volume, studies["a"].pages) == ("7", "1–2")
    assert kinds(report) == [("duplicate-study", 2), ("duplicate-study", 3)]


def test_missing_comma_between_fields_is_flagged() -> None:
    _, report = parse("@article{a,\n author = {Smith, J.}\n title = {Lost}, year = 2000}")
    assert ("missing-comma", 2) in kinds(report)


def test_non_bibtex_text_is_an_error_problem(tmp_path: Path) -> None:
    path = tmp_path / "notes.bib"
    path.write_text("just some notes, no entries here\n")
    studies, report = load_bibtex(path)
    assert studies == []
    assert [(p.kind, p.severity) for p in report.problems] == [("not-bibtex", "error")]


def test_one_unreadable_file_does_not_stop_the_others(tmp_path: Path, tiny_corpus: Path) -> None:
    empty = tmp_path / "empty.bib"
    empty.write_text("")
    studies, report = load_bibtex([empty, tiny_corpus])
    assert len(studies) == 4
    assert [(p.kind, p.file) for p in report.errors] == [("unreadable", str(empty))]


def test_nothing_readable_raises(tmp_path: Path) -> None:
    with pytest.raises(BibtexImportError, match="no such file"):
        load_bibtex(tmp_path / "missing.bib")


def string_bomb(levels: int) -> str:
    """Each macro the previous one twice: 16 characters × 2**levels in the last."""
    lines = ['@string{s0 = "aaaaaaaaaaaaaaaa"}']
    lines += [f"@string{{s{n} = s{n - 1} # s{n - 1}}}" for n in range(1, levels + 1)]
    lines.append(f"@article{{bomb, title = s{levels}, author = {{Doe, Jane}}, year = 2020}}")
    lines.append("@article{fine, title = {Still here}, author = {Roe, Rick}, year = 2021}")
    return "\n".join(lines) + "\n"


def test_a_string_macro_bomb_is_a_problem_with_its_line_not_a_crash() -> None:
    text = string_bomb(40)  # 16 × 2**40 characters if expanded: 17 TB
    assert len(text) < 1500
    started = time.perf_counter()
    studies, report = parse_bibtex(text, "bomb.bib")
    assert time.perf_counter() - started < 1.0
    assert [s.key for s in studies] == ["bomb", "fine"]
    assert max(len(s.title) for s in studies) <= 200_000
    [problem] = [p for p in report.problems if p.kind == "macro-too-large"]
    assert problem.severity == "error" and problem.line == 14  # s13, the first refused
    assert "Define each macro as plain text" in problem.message


def test_keys_that_break_links_are_renamed_and_look_alikes_reported() -> None:
    text = (
        "@article{carleton2020mental, title = {A}, author = {Carleton, R}, year = 2020}\n"
        "@article{\u0441arleton2020mental, title = {B}, author = {Carleton, R}, year = 2020}\n"
        "@article{a#b/../c, title = {C}, author = {Doe, J}, year = 2021}\n"
        "@article{O'Hara_1999, title = {E}, author = {O'Hara, J}, year = 1999}\n"
        "@article{ev\u200bil, title = {D}, author = {Roe, R}, year = 2022}\n"
    )
    studies, report = parse_bibtex(text, "keys.bib")
    assert [s.key for s in studies] == [
        "carleton2020mental",
        "\u0441arleton2020mental",  # kept, but reported: it looks like the first
        "a_b_c",
        "O'Hara_1999",
        "evil",
    ]
    kinds = [(p.kind, p.line) for p in report.problems]
    assert kinds == [("key-lookalike", 2), ("key-renamed", 3), ("key-renamed", 5)]
    lookalike = report.problems[0].message
    assert "\\u0441arleton2020mental" in lookalike and "looks the same as" in lookalike

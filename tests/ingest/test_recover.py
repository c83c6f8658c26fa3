"""Broken BibTeX blocks are described in the user's words: where the block starts, the
likely cause and what to do; never a parser's exception name. Unambiguous slips (a comma
missing) are repaired and imported with a warning."""

from __future__ import annotations

import pytest

from evidence import ImportReport, Study, parse_bibtex
from evidence.ingest.recover import diagnose_block


def parse(text: str) -> tuple[dict[str, Study], ImportReport]:
    studies, report = parse_bibtex(text, "t.bib")
    return {s.key: s for s in studies}, report


def problems(report: ImportReport) -> list[tuple[str, int | None, str]]:
    return [(p.kind, p.line, p.severity) for p in report.problems if p.kind != "year-missing"]


NEXT = "\n@article{next2020, title = {Next}, year = 2020}\n"


@pytest.mark.parametrize(
    ("text", "line", "message", "hint"),
    [
        pytest.param(
            "@article{a,\n  title = {T},\n  year = {2020},\n" + NEXT,
            1,
            "the entry that starts on line 1 is never closed: a '}' is missing before line 5.",
            "Add '}' after its last field",
            id="entry-never-closed",
        ),
        pytest.param(
            "@article{a,\n  title = {Never closed,\n  year = {2020},\n}\n" + NEXT,
            1,
            "the entry that starts on line 1 is never closed: the value that opens on line 2 "
            "has no closing '}' (the field 'year' on line 3 is inside it).",
            "Add the '}' that ends that value",
            id="value-never-closed",
        ),
        pytest.param(
            '@article{a,\n  title = "Never closed,\n  year = {2020},\n}\n' + NEXT,
            1,
            "the entry that starts on line 1 is never closed: the value that opens on line 2 "
            "has no closing '\"' (the field 'year' on line 3 is inside it).",
            "Add the '\"' that ends that value",
            id="quote-never-closed",
        ),
        pytest.param(
            "@article{a,\n  title {T},\n  year = {2020},\n}\n" + NEXT,
            1,
            "the field 'title' on line 2 has no '=' (entry on line 1).",
            "Write it as 'title = {...}'",
            id="no-equals",
        ),
        pytest.param(
            "@article{a,\n  title = {T},\n  year = {2020},\n",
            1,
            "the entry that starts on line 1 is never closed: a '}' is missing at the end of "
            "the file.",
            "Add '}' after its last field",
            id="cut-short",
        ),
    ],
)
def test_a_block_that_cannot_be_read_says_where_and_why(
    text: str, line: int, message: str, hint: str
) -> None:
    studies, report = parse(text)
    [error] = report.errors
    assert (error.kind, error.line, error.message) == ("malformed", line, message)
    assert error.hint.startswith(hint) and error.hint.endswith("the entry was skipped.")
    assert "Exception" not in error.message + error.hint
    if "next2020" in text:
        assert "next2020" in studies  # one broken block never loses the rest


@pytest.mark.parametrize(
    ("text", "line"),
    [
        pytest.param("@article{a,\n  title = {T}\n  year = {2020},\n}", 2, id="braced"),
        pytest.param('@article{a,\n  title = "T"\n  year = {2020},\n}', 2, id="quoted"),
        pytest.param(
            "@article{a,\n  title = {T},\n  year = 2020\n  volume = {3},\n}", 3, id="bare"
        ),
        pytest.param(
            "@article{a,\n  title = {T\n   continued}\n\n  year = 2020}", 3, id="multi-line"
        ),
    ],
)
def test_a_comma_missing_between_fields_is_repaired_and_said_with_its_line(
    text: str, line: int
) -> None:
    studies, report = parse(text)
    assert studies["a"].year == 2020 and studies["a"].title.startswith("T")
    [problem] = report.problems
    assert (problem.kind, problem.line, problem.severity) == ("missing-comma", line, "warning")
    assert f"a comma is missing after the field ending on line {line}" in problem.message
    assert problem.hint == f"Add ',' at the end of line {line}; imported as if it were there."


def test_a_comma_missing_after_the_key_is_repaired() -> None:
    studies, report = parse("@article{smith2020\n  title = {T},\n  year = {2020},\n}")
    assert list(studies) == ["smith2020"] and studies["smith2020"].title == "T"
    assert problems(report) == [("missing-comma", 1, "warning")]
    assert report.problems[0].message == "a comma is missing after the key 'smith2020' on line 1."


def test_an_extra_closing_brace_that_ends_an_entry_early_is_an_error() -> None:
    studies, report = parse("@article{a,\n  title = {T}},\n  year = {2020},\n}\n" + NEXT)
    assert set(studies) == {"a", "next2020"} and studies["a"].year is None
    closed = [p for p in report.problems if p.kind == "closed-early"]
    assert [(p.line, p.severity) for p in closed] == [(3, "error")]
    assert closed[0].message == (
        "entry 'a' (line 1) is closed early by an extra '}' on line 2; the fields from line 3 "
        "on were not imported."
    )


def test_a_block_with_no_entry_head_is_said_to_be_no_entry() -> None:
    text = "@ 12 oops\n"
    found = diagnose_block(text, text.split("\n"), 1)
    assert found.message.startswith("the block that starts on line 1 is not an entry")

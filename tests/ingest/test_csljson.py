"""CSL-JSON import: Zotero, Better BibTeX and pandoc files; one broken item never loses
the rest, and every JSON mistake is said with its line and what to do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evidence import ImportReport, Person, Study, load_references, parse_references
from evidence.ingest.csl_list import Lines
from tests.conftest import DATA

IMPORTS = DATA / "imports"


def parse(text: str) -> tuple[dict[str, Study], ImportReport]:
    studies, report = parse_references(text, "t.json")
    return {s.key: s for s in studies}, report


def kinds(report: ImportReport) -> list[tuple[str, int | None]]:
    """The problems' kinds and lines, but for the missing years of the small items here."""
    return [(p.kind, p.line) for p in report.problems if p.kind != "year-missing"]


def items(*found: dict[str, object]) -> str:
    return json.dumps(list(found), indent=2)


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        pytest.param(
            "zotero.json",
            ["carleton2018mental", "worldhealthorganization2022guidelines"],
            id="zotero",  # URI ids, string date-parts, PMID in the note, literal author
        ),
        pytest.param(
            "betterbibtex.json",
            ["carleton2018mental", "berg2019psychological"],
            id="betterbibtex",  # citation-key, nocase spans, PMID, particles, editors
        ),
        pytest.param(
            "pandoc.json", ["stanley2016systematic", "okafor2020peer"], id="pandoc"
        ),  # ids are the citekeys, nocase spans, a thesis
    ],
)
def test_each_flavour_imports_cleanly(name: str, keys: list[str]) -> None:
    studies, report = load_references(IMPORTS / name, strict=True)
    assert [s.key for s in studies] == keys
    assert report.problems == ()


def test_zotero_items_are_read_with_every_field_we_keep() -> None:
    studies, _ = load_references(IMPORTS / "zotero.json")
    article, report = studies
    assert article.title == "Mental Disorder Symptoms among Public Safety Personnel in Canada"
    assert [p.sort_name() for p in article.authors] == [
        "Carleton, R. Nicholas",
        "Afifi, Tracie O.",
        "Turner, Sarah",
    ]
    assert (article.year, article.venue, article.volume, article.issue, article.pages) == (
        2018,
        "Canadian Journal of Psychiatry",
        "63",
        "1",
        "54–64",
    )
    assert (article.doi, article.pmid) == ("10.1177/0706743717723825", "28845686")
    assert article.url == "https://pubmed.ncbi.nlm.nih.gov/28845686/"
    assert article.abstract.startswith("Background: Canadian public safety personnel")
    assert report.entry_type == "report" and report.year == 2022
    assert report.authors == (Person(family="World Health Organization", literal=True),)
    assert report.publisher == "World Health Organization"


def test_nocase_spans_protect_words_from_sentence_case() -> None:
    studies, _ = load_references(IMPORTS / "betterbibtex.json")
    article, chapter = studies
    assert article.title == "Mental Disorder Symptoms among Public Safety Personnel in Canada"
    assert (
        article.title_sentence == "Mental disorder symptoms among public safety personnel in Canada"
    )
    assert article.keywords == ("PTSD", "prevalence", "police")
    assert chapter.entry_type == "chapter"
    assert chapter.authors == (
        Person(family="Berg", given="Jan", particle="van der"),
        Person(family="Smith", given="John", suffix="Jr."),
    )
    assert [p.sort_name() for p in chapter.editors] == ["Lindqvist, Anna", "de la Cruz, Maria"]


@pytest.mark.parametrize(
    ("issued", "year"),
    [
        ({"date-parts": [[2020, 5, 1]]}, 2020),
        ({"date-parts": [["2019"]]}, 2019),
        ({"raw": "2018-03"}, 2018),
        ({"literal": "Spring 2017"}, 2017),
        ("2016", 2016),
        (2015, 2015),
    ],
)
def test_issued_date_parts_and_raw_dates(issued: object, year: int) -> None:
    studies, _ = parse(items({"id": "k", "type": "book", "title": "T", "issued": issued}))
    assert studies["k"].year == year


def test_an_unreadable_date_is_reported() -> None:
    _, report = parse(items({"id": "k", "title": "T", "issued": {"raw": "sometime"}}))
    assert kinds(report) == [("year-invalid", 5)]


def test_rich_text_markup_is_removed_and_plain_text_is_not_latex() -> None:
    title = "<i>In vivo</i> stress: 50% of {cases} a--b $x$ ~ <sup>2</sup>"
    studies, _ = parse(items({"id": "k", "title": title, "issued": 2020}))
    assert studies["k"].title == "In vivo stress: 50% of {cases} a--b $x$ ~ 2"


def test_ids_that_are_not_citekeys_give_generated_keys() -> None:
    found = [
        {"id": "http://zotero.org/users/1/items/ABCD", "title": "Peer support", "issued": 2020,
         "author": [{"family": "Smith", "given": "J"}]},
        {"id": 17, "title": "Peer support", "issued": 2021, "author": [{"family": "Smith"}]},
        {"id": "1234/ABCD", "title": "Another peer study", "issued": 2020,
         "author": [{"family": "Smith"}]},
    ]  # fmt: skip
    studies, _ = parse(items(*found))
    assert list(studies) == ["smith2020peer", "smith2021peer", "smith2020another"]


def test_a_broken_item_is_reported_with_its_cause_and_the_rest_are_read() -> None:
    text = (
        "[\n"
        '  {"id": "first", "title": "First", "issued": 2001},\n'
        '  {"id": "broken",\n'
        '   "title": "Broken"\n'
        '   "issued": 2002},\n'
        '  {"id": "third", "title": "Third", "issued": 2003}\n'
        "]\n"
    )
    studies, report = parse(text)
    assert list(studies) == ["first", "third"]
    [problem] = report.problems
    assert (problem.kind, problem.line, problem.severity) == ("malformed", 3, "error")
    assert problem.message == (
        "the item that starts on line 3 could not be read: a comma is missing at the end of line 4."
    )
    assert problem.hint.startswith("Add ','") and problem.hint.endswith("The item was skipped.")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('[{"id": "a", "title": "T",}]', "a comma is left before '}'"),
        ('[{"id": "a", "title": }]', "a value is missing at line 1, column 23"),
        ('[{"id": "a", "title": "never closed}]', "is never closed: a '\"' is missing"),
        ('[{"id": "a", "title" "T"}]', "a ':' is missing"),
        ('[{"id": "a", "title": "bad \\q escape"}]', "a backslash that starts no escape"),
    ],
)
def test_json_mistakes_are_said_in_words(text: str, words: str) -> None:
    _, report = parse(text)
    [problem] = report.errors
    assert words in problem.message and "Exception" not in problem.message


def test_a_comma_missing_between_items_is_reported_and_both_are_read() -> None:
    studies, report = parse('[\n {"id": "a", "title": "A"}\n {"id": "b", "title": "B"}\n]')
    assert list(studies) == ["a", "b"]
    assert kinds(report) == [("missing-comma", 2)]


def test_a_list_cut_short_keeps_its_items_and_says_so() -> None:
    studies, report = parse('[\n {"id": "a", "title": "A"},\n')
    assert list(studies) == ["a"]
    assert kinds(report) == [("list-unclosed", 3)]


def test_one_object_and_an_items_object_are_read_too() -> None:
    one, alone = parse('{"id": "solo", "title": "Solo"}')
    wrapped, inside = parse('{"items": [{"id": "a", "title": "A"}, {"id": "b", "title": "B"}]}')
    assert list(one) == ["solo"] and list(wrapped) == ["a", "b"]
    assert kinds(alone) == [] and kinds(inside) == []  # both are ways CSL-JSON is written


A, B, C = (f'{{"id": "{k}", "title": "{k.upper()}"}}' for k in "abc")


@pytest.mark.parametrize(
    ("text", "keys", "found"),
    [
        pytest.param(f"{A},\n{B}\n]\n", ["a", "b"], [("list-unopened", 1)], id="no-opening"),
        pytest.param(
            f"{{\n  {A},\n  {B}\n]\n",
            ["a", "b"],
            [("list-unopened", 1)],
            id="opened-with-a-brace",  # found by fuzzing: '{{' was one broken item
        ),
        pytest.param(
            f"Exported by a tool\n[\n  {A},\n  {B}\n]\n",
            ["a", "b"],
            [("text-before-list", 1)],
            id="text-before",
        ),
        pytest.param(
            f'x{{e}}y [\n  {{\n    "id": "a",\n    "title": "A"\n  }},\n  {B}\n]\n',
            ["a", "b"],
            [("text-before-list", 1)],
            id="a-brace-in-the-text-before-is-no-item",  # found by fuzzing
        ),
        pytest.param(
            f"[\n  {A}\n]\n[\n  {B}\n]\n", ["a", "b"], [("list-joined", 4)], id="two-lists"
        ),
        pytest.param(f"[\n  {A}\n]\nsome text\n", ["a"], [("text-after-list", 4)], id="text-after"),
        pytest.param(
            f"[\n  {A}\n]\nsome text\n[\n  {B}\n]\n",
            ["a", "b"],
            [("text-after-list", 4), ("list-joined", 5)],
            id="text-then-a-list",
        ),
        pytest.param(
            f"[\n  {A}\n]\n%[\n  {B}\n]\n",
            ["a", "b"],
            [("text-after-list", 4), ("list-joined", 4)],
            id="a-list-opened-after-stray-characters",  # found by fuzzing
        ),
        pytest.param(
            f'[\n  {A},\n  {{"id": "b" "author": [\n]}},\n  {C}\n]\n',
            ["a", "c"],
            [("malformed", 3), ("list-closed-early", 4)],
            id="a-broken-item-closes-the-list",
        ),
        pytest.param(
            f'[\n  {A},\n    "id": "b",\n    "title": "B"\n  }},\n  {C}\n]\n',
            ["a", "c"],
            [("not-an-item", 3)],
            id="an-item-lost-its-brace",
        ),
        pytest.param(
            f"[\n  {A},\n  {B}\n    ],\n  }},\n  {C}\n]\n",
            ["a", "b", "c"],
            [("list-closed-early", 4)],
            id="a-deeper-bracket-is-not-the-lists-end",  # found by fuzzing
        ),
        pytest.param(
            f'[\n  {A},\n      {{\n        "family": "B"\n      }}\n    ],\n  }},\n  {C}\n]\n',
            ["a", "c"],
            [("not-an-item", 3)],
            id="a-name-of-a-broken-item-is-no-item",  # found by fuzzing
        ),
        pytest.param(
            f"{{}}\n}}\n  {A},\n  {C}\n]\n",
            ["a", "c"],
            [("list-unopened", 1), ("not-an-item", 1)],
            id="an-empty-object-is-no-item",  # found by fuzzing
        ),
        pytest.param(
            f'[\n{{ "id": "a",\n    "title": "A"\n  }},\n  {{"id": "b" "title": "B"}},\n  {C}\n]\n',
            ["a", "c"],
            [("malformed", 5)],
            id="an-item-whose-braces-disagree-does-not-set-the-items-indent",  # fuzzing
        ),
        pytest.param(
            f'[\n y{{"id": "a",\n    "title": "A"\n  }},\n  {B}\n]\n{{\n',
            ["b"],
            [("malformed", 2), ("text-after-list", 7)],
            id="the-guess-after-a-broken-item-stays-inside-the-list",  # found by fuzzing
        ),
        pytest.param(
            f'[\n{{  {{\n    "id": "a"\n  }},\n  {B},\n  {C}\n]\n{{\n',
            ["b", "c"],
            [("malformed", 2), ("text-after-list", 8)],
            id="a-bracket-as-far-left-as-the-broken-item-ends-the-list",  # found by fuzzing
        ),
        pytest.param(
            f'[{{  {{\n    "id": "a"\n  }},\n  {B},\n  {C}\n  \n{{"x": 1\n]\n',
            ["b", "c"],
            [("malformed", 1), ("missing-comma", 5), ("malformed", 7)],
            id="the-guess-is-a-line-after-an-items-end-not-stray-text",  # found by fuzzing
        ),
        pytest.param(
            '[\n  {\n    "id": "a"\n } },\n  {\n    "author": [\n      {\n'
            '        "family": "O"\n      }\n    ],\n    "id": "b"\n  }\n]\n',
            ["a", "b"],
            [("missing-comma", 4), ("malformed", 4), ("missing-title", 2), ("missing-title", 5)],
            id="a-fields-list-is-no-list-of-items",  # found by fuzzing
        ),
        pytest.param(
            f'{{[\n  {{\n    "id": "a"\n  }},\n  {B}\n]\n',
            ["a", "b"],
            [("list-unopened", 1), ("malformed", 1), ("missing-title", 2)],
            id="the-first-item-of-a-list-is-a-line-after-its-start",  # found by fuzzing
        ),
        pytest.param(
            f'[{{\n  {{\n    "id": "a"\n  }},\n  {B}\n]\n',
            ["a", "b"],
            [("malformed", 1), ("missing-title", 2)],
            id="an-item-after-a-stray-brace-is-a-line-after-a-start",  # found by fuzzing
        ),
        pytest.param(
            f'[}}\n  {{\n    "id": "a"\n  }},\n  {B}\n]\n',
            ["a", "b"],
            [("malformed", 1), ("missing-title", 2)],
            id="the-guess-is-the-first-line-as-indented-as-items-are",  # found by fuzzing
        ),
        pytest.param(
            '[\n#  {\n    "author": [\n      {\n        "family": "S"\n      },\n      {\n'
            '        "family": "T"\n      }\n    ],\n    "id": "a"\n  ,\n  {\n    "author": [\n'
            '      {\n        "family": "O"\n      },\n      {\n        "family": "P"\n      }\n'
            '    ],\n    "id": "b"\n  }\n]\n',
            ["b"],
            [("malformed", 2), ("not-an-item", 4), ("missing-title", 13)],
            id="after-a-name-read-the-items-are-looked-for-less-deep",  # found by fuzzing
        ),
        pytest.param(
            '[\n    "id": "a",\n    "author": [\n      {\n        "family": "S"\n      \n},\n'
            f'      {{\n        "family": "T"\n      }}\n    ],\n  }},\n  {B}\n]\n',
            ["b"],
            [("not-an-item", 2), ("not-an-item", 4)],
            id="a-name-is-as-deep-as-the-deeper-of-its-braces",  # found by fuzzing
        ),
    ],
)
def test_a_damaged_list_is_read_around_the_damage_and_says_where(
    text: str, keys: list[str], found: list[tuple[str, int]]
) -> None:
    studies, report = parse(text)
    assert list(studies) == keys
    assert kinds(report) == found
    assert all(p.hint for p in report.problems if p.kind not in ("year-missing", "missing-title"))


def test_a_list_opened_with_a_brace_is_said_so() -> None:
    _, report = parse(f"{{\n  {A}\n]\n")
    assert (report.problems[0].message, report.problems[0].hint) == (
        "the list of items opens with '{' instead of '[' (line 1); its items were read anyway.",
        "Replace that '{' with '['.",
    )


def test_the_text_skipped_before_a_list_is_said_with_its_lines() -> None:
    _, report = parse(f"Exported by a tool\n[\n  {A}\n]\n")
    assert report.problems[0].message == (
        "the file does not start with the list's '[': the text before line 3 was ignored, "
        "and the items after it were read."
    )


def test_values_of_an_unexpected_type_are_reported_and_left_out() -> None:
    item = {"id": "k", "title": "T", "issued": 2020, "DOI": {"x": 1}, "volume": 7,
            "ISSN": ["1234-5678", "8765-4321"], "author": [{"family": "A"}, {}, 5]}  # fmt: skip
    studies, report = parse(items(item))
    study = studies["k"]
    assert (study.doi, study.volume, dict(study.extra)["issn"]) == ("", "7", "1234-5678")
    assert sorted(p.kind for p in report.problems) == ["name-unreadable", "value-type"]
    assert any(
        "the DOI of the item on line 2 is a dict, not text" in p.message for p in report.problems
    )


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("[" * 100_000 + "]" * 100_000, id="nested-too-deep"),
        pytest.param('[{"id": "a", "volume": ' + "9" * 5000 + "}]", id="number-too-long"),
        pytest.param("[1, null, true, [], {}]", id="not-items"),
    ],
)
def test_hostile_json_is_reported_never_raised(text: str) -> None:
    studies, report = parse_references(text, "t.json")
    assert report.problems and all(s.key for s in studies)


def test_text_that_is_not_json_is_an_error_that_says_what_to_export(tmp_path: Path) -> None:
    path = tmp_path / "refs.json"
    path.write_text("hello\n")
    studies, report = load_references(path)
    assert studies == [] and [p.kind for p in report.errors] == ["not-csl-json"]


def test_line_numbers_are_right_in_any_order_asked() -> None:
    """Records ask for their lines after the whole list was read, from the start again."""
    lines = Lines("[\n  {\n  }\n]\n")
    assert [lines.at(p) for p in (10, 0, 4, 9, 8)] == [4, 1, 2, 3, 3]  # "]", "[", "{", "\\n", "}"

"""The bundled curated corpus (corpus/*.bib): it imports cleanly and every entry is complete.

Only the reading-list comparison needs ../shared; every other test reads corpus/ alone.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

import pytest

from evidence.ingest.parse import load_bibtex
from evidence.model import DESIGNS, POPULATIONS, Study
from evidence.vocabulary import DIRECTIONS, OUTCOMES, RESPONDER_GROUPS
from tests.conftest import ROOT, shared_path

CORPUS = ROOT / "corpus"
BIB_FILES = sorted(CORPUS.glob("*.bib"))
DOI_SYNTAX = re.compile(r"^10\.\d{4,9}/[^\s]+$")
KEY_SCHEME = re.compile(r"^(?P<author>[a-z]+)(?P<year>\d{4})(?P<word>[a-z]+)$")
# Words skipped when taking the first significant title word for a key.
KEY_STOPWORDS = {"a", "an", "the", "in", "are"}
# Where a stored source shows a different issue year than the reading list (see DISCREPANCIES.md).
YEAR_CORRECTIONS = {"lamontagne2020cluster": 2021}
# Import flags we accept knowingly, each listed under "Known limits" in corpus/README.md.
KNOWN_FLAGS = {"stanley2015career": {"authors-incomplete"}}


def ascii_letters(text: str) -> str:
    """Lower-case ASCII letters of `text` only (accents folded, everything else dropped)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", folded.lower())


@pytest.fixture(scope="module")
def studies() -> list[Study]:
    loaded, report = load_bibtex(BIB_FILES, strict=True)
    assert report.problems == ()
    return loaded


@pytest.fixture(scope="module")
def by_key(studies: list[Study]) -> dict[str, Study]:
    return {s.key: s for s in studies}


def test_corpus_imports_in_strict_mode_with_all_studies(studies: list[Study]) -> None:
    entries = sum(
        len(re.findall(r"^@\w+\{", p.read_text(encoding="utf-8"), re.M)) for p in BIB_FILES
    )
    assert len(studies) == entries >= 150
    assert len({s.key for s in studies}) == len(studies)


@pytest.mark.parametrize("path", BIB_FILES, ids=lambda p: p.name)
def test_files_are_utf8_lf_with_escaped_specials_and_double_dash_ranges(path: Path) -> None:
    raw = path.read_bytes()
    text = raw.decode("utf-8")  # raises on anything but UTF-8
    assert b"\r" not in raw
    lines = enumerate(text.splitlines(), 1)
    unescaped = [n for n, line in lines if re.search(r"(?<!\\)[%&]", line)]
    assert unescaped == [], f"unescaped % or & on lines {unescaped}"
    single_dash = re.findall(r"pages\s*=\s*\{\w+-\w+\}", text)
    assert single_dash == [], "page ranges need `--`"
    # The importer would strip a resolver prefix; the file itself must hold the bare DOI.
    dois = re.findall(r"^\s*doi\s*=\s*\{(.*)\},$", text, re.M)
    assert [d for d in dois if not DOI_SYNTAX.match(d)] == []


def test_every_entry_has_identifier_vocabularies_findings_and_source(studies: list[Study]) -> None:
    for s in studies:
        assert s.authors and s.title and s.venue and s.year, s.key
        assert s.doi or s.pmid or s.url, f"{s.key}: needs a DOI, PMID or URL"
        if s.doi:
            assert DOI_SYNTAX.match(s.doi), f"{s.key}: malformed DOI {s.doi!r}"
        if s.pmid:
            assert s.pmid.isdigit(), s.key
        assert s.design in DESIGNS, f"{s.key}: design {s.design!r}"
        assert s.population in POPULATIONS, f"{s.key}: population {s.population!r}"
        assert s.summary and s.status.state and s.status.checked, s.key
        assert len(s.findings) <= 6, s.key
        assert s.findings or s.note.startswith("Curator:"), f"{s.key}: no finding, no note why"
        assert [f.number for f in s.findings] == list(range(1, len(s.findings) + 1)), s.key
        assert s.sources and all(u.startswith(("http://", "https://")) for u in s.sources), s.key
        if s.status.warning:
            assert s.status.notice, f"{s.key}: a {s.status.state} study needs its notice"


def test_online_date_is_only_given_when_earlier_than_issue_year(studies: list[Study]) -> None:
    for s in studies:
        if s.online_year is not None:
            assert s.year is not None and s.online_year < s.year, s.key


def test_no_unexpected_import_flags(studies: list[Study]) -> None:
    for s in studies:
        assert set(s.flags) <= KNOWN_FLAGS.get(s.key, set()), f"{s.key}: {s.flags}"


def test_no_two_entries_share_a_doi_or_normalised_title(studies: list[Study]) -> None:
    dois = [s.doi.lower() for s in studies if s.doi]
    titles = [ascii_letters(s.title) for s in studies]
    assert len(dois) == len(set(dois))
    assert len(titles) == len(set(titles))


def test_keys_follow_author_year_word_scheme(studies: list[Study]) -> None:
    for s in studies:
        m = KEY_SCHEME.match(s.key)
        assert m, s.key
        first = s.authors[0]
        assert m["author"] == ascii_letters(f"{first.particle}{first.family}"), s.key
        assert int(m["year"]) in {s.year, s.online_year}, s.key
        words = [ascii_letters(w) for w in re.sub(r"[{}`']", "", s.title).split()]
        significant = [w for w in words if w and w not in KEY_STOPWORDS]
        # A second work with the same author, year and word gets a letter: "...prevalenceb".
        allowed = {significant[0], significant[0] + "b", significant[0] + "c"}
        assert m["word"] in allowed, f"{s.key}: first title word is {significant[0]!r}"


@pytest.mark.parametrize("path", BIB_FILES, ids=lambda p: p.name)
def test_acronyms_in_raw_titles_are_braced(path: Path) -> None:
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\s*title\s*=\s*\{(.*)\},$", line)
        if m:
            outside = re.sub(r"\{[^{}]*\}", "", m.group(1))
            assert not re.search(r"\b[A-Z][A-Z0-9]+s?\b", outside), line


def test_discrepancies_file_names_every_year_correction() -> None:
    notes = (CORPUS / "DISCREPANCIES.md").read_text(encoding="utf-8")
    for key in YEAR_CORRECTIONS:
        assert key in notes


def test_every_reading_list_row_is_present_with_same_doi_year_and_first_author(
    by_key: dict[str, Study],
) -> None:
    path = shared_path("corpus", "reading-list.tsv")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert len(rows) == 71
    for row in rows:
        study = by_key.get(row["key"])
        assert study is not None, f"{row['key']} missing from corpus/"
        assert study.doi.lower() == row["doi"].strip().lower(), row["key"]
        expected_year = YEAR_CORRECTIONS.get(row["key"], int(row["year"]))
        assert study.year == expected_year, row["key"]
        listed_first = row["authors"].split(";")[0].split(",")[0]
        first = study.authors[0]
        family = ascii_letters(f"{first.particle}{first.family}")
        assert family == ascii_letters(listed_first), row["key"]


# ---- structured findings (corpus/README.md, "Entry format") ---------------------------------

NUMBER = re.compile(r"\d+(?:[.,·]\d+)*")


def numbers(text: str) -> set[str]:
    """The numbers in `text`, thousands separators dropped (4,020 → 4020)."""
    found = set()
    for raw in NUMBER.findall(text):
        value = raw.replace("·", ".")
        if re.fullmatch(r"\d{1,3}(,\d{3})+", value):
            value = value.replace(",", "")
        found |= set(value.split(","))
    return found


def test_every_finding_is_a_structured_result(studies: list[Study]) -> None:
    for s in studies:
        for f in s.findings:
            where = f"{s.key} finding{f.number}"
            assert f.structured and f.exposures and f.context and f.confirm, where
            assert f.direction in DIRECTIONS and set(f.outcomes) <= set(OUTCOMES), where
            assert len(f.result) <= 350 and f.result.rstrip().endswith((".", ")")), where
            assert "curator" not in f.result.lower(), f"{where}: a curator remark in the result"
            assert "abstract does not" not in f.result.lower(), where
            assert 0 < len(f.headline.split()) <= 12 and not f.headline.endswith("."), where
            assert not f.note or f.note.startswith("Curator:"), where


def test_every_number_of_a_finding_is_in_its_confirmation(studies: list[Study]) -> None:
    """A finding's numbers were seen on a source: its `confirm` field records each one."""
    for s in studies:
        for f in s.findings:
            missing = (numbers(f.result) | numbers(f.context)) - numbers(f.confirm)
            assert not missing, f"{s.key} finding{f.number}: {sorted(missing)} not in its confirm"


def test_a_sample_size_is_confirmed_somewhere(studies: list[Study], by_key: dict) -> None:  # type: ignore[type-arg]
    for path in BIB_FILES:
        text = path.read_text(encoding="utf-8")
        for key, body in re.findall(r"^@\w+\{([^,]+),(.*?)^\}", text, re.M | re.S):
            confirms = " ".join(re.findall(r"confirm\s*=\s*\{(.*)\},$", body, re.M))
            s = by_key[key]
            missing = (numbers(s.sample) | numbers(s.summary)) - numbers(confirms)
            assert not missing, f"{key}: {sorted(missing)} of its sample/summary in no confirm"


def test_mixed_samples_say_which_groups_they_include(studies: list[Study]) -> None:
    for s in studies:
        assert set(s.includes) <= set(RESPONDER_GROUPS), s.key
        if s.includes:
            assert s.population in ("mixed public safety", "other", "health care workers"), s.key


def test_an_entry_resting_on_mirrors_says_so(studies: list[Study]) -> None:
    """The primary page (PubMed, PMC, publisher) comes first; where none was stored, the
    first source is a marked mirror and a curator's note says what rests on which page."""
    for s in studies:
        if s.sources[0].endswith("(mirror)"):
            assert s.note.startswith("Curator:"), f"{s.key}: rests on mirrors; say so in a note"
        for url in s.sources:
            if re.match(r"https?://\d+\.\d+\.\d+\.\d+", url):
                assert url.endswith("(mirror)"), f"{s.key}: a bare IP address is a mirror"

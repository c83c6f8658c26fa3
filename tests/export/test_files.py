"""Exports: reference formats re-import to the same studies; documents carry every
citation and reference; bad requests are clear errors."""

from __future__ import annotations

import glob
import io
import json
from pathlib import Path

import pytest
import rispy

from evidence import ExportError, Library, parse_bibtex, parse_references, write_references
from evidence.cite.citer import to_csl
from evidence.export import FORMATS
from evidence.export.references import to_bibtex, to_ris
from evidence.ingest.load import read_references
from evidence.ingest.parse import load_bibtex
from evidence.model import Person, Study, TalkingPoint
from tests.conftest import DATA, ROOT

QUERY = "does peer support reduce PTSD in firefighters"
# What an export must keep (source file/line and import flags describe the import, not the work).
FIELDS = (
    "key",
    "entry_type",
    "title",
    "title_sentence",
    "authors",
    "editors",
    "year",
    "online_year",
    "venue",
    "publisher",
    "volume",
    "issue",
    "pages",
    "doi",
    "pmid",
    "url",
    "abstract",
    "keywords",
    "design",
    "population",
    "findings",
    "sources",
    "extra",
)


@pytest.fixture(scope="module")
def studies() -> list[Study]:
    files = sorted(glob.glob(str(ROOT / "corpus" / "*.bib")))
    found, _ = load_bibtex(files + [str(DATA / "tiny.bib"), str(DATA / "cite-golden.bib")])
    return found


def same(a: Study, b: Study) -> dict[str, tuple[object, object]]:
    return {f: (getattr(a, f), getattr(b, f)) for f in FIELDS if getattr(a, f) != getattr(b, f)}


# ---- reference formats: round trips ---------------------------------------------------------


def test_bibtex_reimports_to_the_same_studies(studies: list[Study]) -> None:
    again, report = parse_bibtex(to_bibtex(studies), "export.bib")
    assert [s.key for s in again] == [s.key for s in studies]
    assert {s.key: same(s, t) for s, t in zip(studies, again, strict=True) if same(s, t)} == {}
    assert [p for p in report.problems if p.severity == "error"] == []


def test_bibtex_escapes_latex_specials() -> None:
    odd = Study(
        key="odd",
        entry_type="article",
        title="R&D for 50% of {braces} and x_1 -- y",
        title_sentence="R&D for 50% of {braces} and x_1 -- y",
        year=2020,
        authors=(Person("Smith & Sons", literal=True), Person("Ørsted", "Søren")),
    )
    (again,), _ = parse_bibtex(to_bibtex([odd]))
    assert (again.title, again.authors, again.year) == (odd.title, odd.authors, 2020)


def ris_to_fields(record: dict[str, object]) -> dict[str, object]:
    pages = "–".join(p for p in (record.get("start_page"), record.get("end_page")) if p)
    return {
        "key": record["id"],
        "title": record.get("title", ""),
        "authors": record.get("authors", []),
        "year": record.get("year", ""),
        "venue": record.get("secondary_title", ""),
        "volume": record.get("volume", ""),
        "issue": record.get("number", ""),
        "pages": pages,
        "doi": record.get("doi", ""),
        "keywords": record.get("keywords", []),
    }


def ris_name(person: Person) -> str:
    family = f"{person.particle} {person.family}".strip()
    return (
        person.family
        if person.literal
        else ", ".join(p for p in (family, person.given, person.suffix) if p)
    )


def test_ris_reimports_to_the_same_studies(studies: list[Study]) -> None:
    text = to_ris(studies)
    assert text.startswith("TY  - ") and "\n1.\n" not in text  # trap 8: no "1." headers
    records = rispy.loads(text)
    assert [ris_to_fields(r) for r in records] == [
        {
            "key": s.key,
            "title": s.title,
            "authors": [ris_name(p) for p in s.authors],
            "year": str(s.year or ""),
            "venue": s.venue,
            "volume": s.volume,
            "issue": s.issue,
            "pages": s.pages,
            "doi": s.doi,
            "keywords": list(s.keywords),
        }
        for s in studies
    ]
    chapter = next(r for r in records if r["id"] == "citechapter2018")
    assert chapter["type_of_reference"] == "CHAP"
    assert chapter["secondary_authors"] == ["Lindqvist, Anna", "de la Cruz, Maria"]


@pytest.mark.model
def test_csljson_export_reimports_to_the_same_studies(tiny_library: Library) -> None:
    keys = [s.key for s in tiny_library.studies]
    data = tiny_library.export(keys, "csljson")
    items = json.loads(data)
    for item, key in zip(items, keys, strict=True):
        study = tiny_library.study(key)
        cited = to_csl(study)  # what citations are formatted from, as it is
        assert {name: item[name] for name in cited} == cited
        assert item.get("abstract", "") == study.abstract
        assert item.get("URL", "") == study.url  # kept beside a DOI, unlike in citing
        assert item.get("keyword", "") == "; ".join(study.keywords)
    again, _ = parse_references(data, "refs.json")
    assert [s.key for s in again] == keys
    for study in again:
        original = tiny_library.study(study.key)
        assert study.title == original.title_sentence  # CSL-JSON carries sentence case
        assert (study.authors, study.year, study.doi) == (
            original.authors,
            original.year,
            original.doi,
        )


@pytest.mark.model
def test_library_bib_export_of_keys_reimports(tiny_library: Library, tmp_path: Path) -> None:
    path = tmp_path / "out" / "refs.bib"
    data = tiny_library.export(["zeta2018debrief", "nokey", "alpha2020peer"], "bib", path=path)
    assert path.read_bytes() == data
    again, _ = parse_bibtex(data.decode())
    assert [s.key for s in again] == ["zeta2018debrief", "alpha2020peer"]
    assert same(again[1], tiny_library.study("alpha2020peer")) == {}


# ---- document formats ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def points(tiny_library: Library) -> list[TalkingPoint]:
    return tiny_library.talking_points(QUERY, k=3)


@pytest.mark.model
def test_markdown_has_points_labels_and_linked_references(
    tiny_library: Library, points: list[TalkingPoint]
) -> None:
    text = tiny_library.export(points, "md", title="Peer support").decode()
    assert text.startswith("# Peer support\n")
    for point in points:
        assert point.citation in text
        source = point.sources[0]
        label = f"{point.label} · Evidence: {source.design}, {source.population}"
        assert f"*{label}*" in text
    assert "## References" in text and "<https://doi.org/10.1234/test.0001>" in text
    for reference in tiny_library.references([k for p in points for k in p.study_keys]):
        assert reference.markdown in text


@pytest.mark.model
def test_markdown_with_citekeys_writes_the_bibliography_beside(
    tiny_library: Library, points: list[TalkingPoint], tmp_path: Path
) -> None:
    path = tmp_path / "points.md"
    text = tiny_library.export(points, "md", path=path, citekeys=True).decode()
    assert "bibliography: points.json" in text and "csl: points.csl" in text
    assert f"[@{points[0].sources[0].study_key}]" in text
    items = json.loads((tmp_path / "points.json").read_text())
    assert {i["id"] for i in items} == {k for p in points for k in p.study_keys}
    assert (tmp_path / "points.csl").read_text().startswith("<?xml")
    with pytest.raises(ExportError, match="needs a file path"):
        tiny_library.export(points, "md", citekeys=True)


@pytest.mark.model
def test_html_escapes_text_and_keeps_reference_links(
    tiny_library: Library, points: list[TalkingPoint]
) -> None:
    page = tiny_library.export(points, "html", title="<b>Points</b>").decode()
    assert "<title>&lt;b&gt;Points&lt;/b&gt;</title>" in page
    assert '<a href="https://doi.org/10.1234/test.0001">' in page
    assert page.count('<p class="reference"') == len({k for p in points for k in p.study_keys})


@pytest.mark.model
def test_docx_has_headings_bullets_hanging_references_and_doi_links(
    tiny_library: Library, points: list[TalkingPoint]
) -> None:
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE

    document = docx.Document(io.BytesIO(tiny_library.export(points, "docx", title="Peer support")))
    paragraphs = document.paragraphs
    assert paragraphs[0].text == "Peer support" and paragraphs[0].style.name == "Title"
    bullets = [p for p in paragraphs if p.style.name == "List Bullet"]
    assert [b.text.split("\n")[0] for b in bullets] == [p.text for p in points]
    references = tiny_library.references([k for p in points for k in p.study_keys])
    start = next(i for i, p in enumerate(paragraphs) if p.text == "References")
    end = next(i for i, p in enumerate(paragraphs) if p.text == "Sources of each point")
    entries = paragraphs[start + 1 : end]
    assert [_docx_text(p) for p in entries] == [r.text for r in references]
    assert all(
        p.paragraph_format.first_line_indent < 0 < p.paragraph_format.left_indent for p in entries
    )
    assert document.core_properties.title == "Peer support"
    assert document.core_properties.author != "python-docx"
    assert document.core_properties.created.year >= 2026
    links = [
        r.target_ref
        for r in document.part.rels.values()
        if r.reltype == RELATIONSHIP_TYPE.HYPERLINK
    ]
    assert "https://doi.org/10.1234/test.0001" in links


def _docx_text(paragraph: object) -> str:
    """Paragraph text including hyperlink runs (python-docx's .text skips none in 1.2)."""
    from docx.oxml.ns import qn

    return "".join(node.text or "" for node in paragraph._p.iter(qn("w:t")))  # type: ignore[attr-defined]


@pytest.mark.model
def test_pptx_is_16_9_with_one_claim_per_slide_notes_and_references(
    tiny_library: Library, points: list[TalkingPoint]
) -> None:
    import pptx

    from evidence.export.slides import headline, slide_text

    data = tiny_library.export(points, "pptx", title="Peer support", author="A. Chief")
    deck = pptx.Presentation(io.BytesIO(data))
    assert abs(deck.slide_width / deck.slide_height - 16 / 9) < 0.01
    assert deck.core_properties.author == "A. Chief"
    slides = list(deck.slides)
    references = tiny_library.references([k for p in points for k in p.study_keys])
    assert len(slides) == 1 + len(points) + 1
    for slide, point in zip(slides[1:], points, strict=False):
        text = " ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
        assert headline(point) in text and slide_text(point) in text
        assert text.count(point.citation) == 1
        notes = slide.notes_slide.notes_text_frame.text
        assert point.passage_text in notes
        for key in point.study_keys:
            assert next(r.text for r in references if r.key == key) in notes
    last = slides[-1]
    body = " ".join(s.text_frame.text for s in last.shapes if s.has_text_frame)
    assert body.split()[0] == "References" and all(r.text in body for r in references)
    addresses = [
        r.hyperlink.address
        for s in last.shapes
        if s.has_text_frame
        for p in s.text_frame.paragraphs
        for r in p.runs
        if r.hyperlink.address
    ]
    assert "https://doi.org/10.1234/test.0001" in addresses


def test_a_long_finding_is_cut_at_a_clause_that_drops_no_contrast() -> None:
    from evidence.export.slides import FINDING_WORDS, _clause_cut

    long = (
        " ".join(["word"] * 20) + ", " + " ".join(["more"] * 10) + ", but " + " ".join(["not"] * 20)
    )
    cut = _clause_cut(long + ".")
    assert cut.endswith(" …") and len(cut.split()) <= FINDING_WORDS + 1
    assert cut.startswith("word") and "more" not in cut  # the cut before "but" is not taken


@pytest.mark.model
def test_exports_recite_points_with_everything_exported(tiny_library: Library) -> None:
    points = tiny_library.talking_points(QUERY, k=1, style="ieee")
    text = tiny_library.export(["delta2019stigma", *points], "md", style="ieee").decode()
    assert f"{points[0].passage_text.rstrip('.')} \\[1\\]." in text  # the point keeps number 1
    assert "\\[2\\] D. Delta" in text  # the extra study is listed after it (Markdown-escaped)


@pytest.mark.model
def test_export_errors_are_clear(
    tiny_library: Library, points: list[TalkingPoint], tmp_path: Path
) -> None:
    with pytest.raises(ExportError, match="unknown export format 'pdf'"):
        tiny_library.export(points, "pdf")
    with pytest.raises(ExportError, match="nothing to export"):
        tiny_library.export(["nokey"], "bib")
    with pytest.raises(ExportError, match="cannot export int items"):
        tiny_library.export([1], "md")  # type: ignore[list-item]
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ExportError, match="could not write"):
        tiny_library.export(points, "md", path=blocker / "out.md")
    assert set(tuple(FORMATS)) == {"md", "docx", "pptx", "html", "bib", "ris", "csljson"}


@pytest.mark.model
def test_cli_points_prints_markdown_and_writes_docx(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from evidence.cli import main

    monkeypatch.setenv("EVIDENCE_CORPUS", str(DATA / "tiny.bib"))
    runner = CliRunner()
    # A fresh index of the tiny corpus: the CLI rebuilds an index whose corpus differs.
    index = ["--index", str(tmp_path / "index")]
    done = runner.invoke(main, ["points", QUERY, "-k", "2", *index])
    assert done.exit_code == 0, done.output
    assert (
        "(Alpha et al., 2020)" in done.stdout
        and "in our words · Evidence: randomised controlled trial" in done.stdout
    )
    assert "<https://doi.org/10.1234/test.0001>" in done.stdout
    docx_path = tmp_path / "points.docx"
    done = runner.invoke(main, ["points", QUERY, "--format", "docx", "-o", str(docx_path), *index])
    assert done.exit_code == 0 and docx_path.read_bytes()[:2] == b"PK"
    done = runner.invoke(main, ["points", QUERY, "--format", "pptx", *index])
    assert done.exit_code != 0 and "give -o FILE" in done.output


def _document_text(library: Library, points: list[TalkingPoint], fmt: str) -> str:
    data = library.export(points, fmt, title="Points")
    if fmt == "docx":
        import docx

        return "\n".join(_docx_text(p) for p in docx.Document(io.BytesIO(data)).paragraphs)
    if fmt == "pptx":
        import pptx

        deck = pptx.Presentation(io.BytesIO(data))
        shown = [
            shape.text_frame.text
            for slide in deck.slides
            for shape in slide.shapes
            if shape.has_text_frame
        ]
        notes = [slide.notes_slide.notes_text_frame.text for slide in deck.slides]
        return "\n".join(shown + notes)
    return data.decode()


@pytest.mark.model
@pytest.mark.parametrize("fmt", [name for name, f in FORMATS.items() if f.document])
def test_no_document_calls_our_words_a_quotation(tiny_library: Library, fmt: str) -> None:
    """A curated finding is our paraphrase: every document labels it so and never puts it
    in quotation marks; an abstract sentence is labelled and shown as the authors' words."""
    finding = next(p for p in tiny_library.passages_of("alpha2020peer") if p.kind == "finding")
    sentence = next(p for p in tiny_library.passages_of("delta2019stigma") if p.kind == "abstract")
    ours, theirs = tiny_library.talking_points(passage_ids=[finding.id, sentence.id])
    text = _document_text(tiny_library, [ours, theirs], fmt)
    body = finding.text.rstrip(".")
    assert body in text
    assert f"\u201c{body}" not in text and f'"{body}' not in text
    assert ours.label in text.replace("&#x27;", "'").replace("&#39;", "'")
    assert f"\u201c{sentence.text.rstrip('.')}" in text
    assert "verbatim" not in text.lower()


@pytest.mark.parametrize("fmt", ["bibtex", "ris", "csljson"])
def test_write_references_gives_a_file_that_reads_back_as_its_format(
    studies: list[Study], fmt: str
) -> None:
    text = write_references(studies, fmt)
    again, _, read_as = read_references(text, "refs.txt")  # no extension to help
    assert read_as == fmt
    assert [s.key for s in again] == [s.key for s in studies]


def test_write_references_names_the_formats_it_knows() -> None:
    with pytest.raises(ExportError, match="use one of: bibtex, ris, csljson"):
        write_references([], "docx")

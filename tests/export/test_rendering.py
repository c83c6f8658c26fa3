"""A proposal's DOCX and deck as a person sees them: rendered to PDF by LibreOffice, then
read back word by word with their positions (poppler's pdftotext -bbox-layout).

Checks what python-docx and python-pptx cannot: no text runs outside its box or off the
slide or page, the slide count, and each claim slide's headline and citation. LibreOffice
and poppler-utils are installed by `make test` (as chromium is); without them these tests
skip with the reason.
"""

from __future__ import annotations

import io
import math
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from evidence import Library, Proposal
from evidence.export.slides import FINDING_WORDS, HEADLINE_WORDS, REFERENCES_PER_SLIDE, headline
from tests.conftest import DATA

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")
EMU_PER_POINT = 12700
WORD = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
TOLERANCE = 2.0  # points: glyph boxes overhang their frame by a hair

pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed"),
    pytest.mark.skipif(PDFTOTEXT is None, reason="poppler-utils (pdftotext) is not installed"),
]

TEMPLATE = DATA / "three-sections.toml"


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


def to_pdf(source: Path, out: Path) -> Path:
    """Convert with headless LibreOffice (its own profile, so runs never collide)."""
    assert SOFFICE is not None
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{out / 'profile'}", "--headless",
         "--convert-to", "pdf", "--outdir", str(out), str(source)],
        check=True, capture_output=True, timeout=240,
    )  # fmt: skip
    pdf = out / f"{source.stem}.pdf"
    assert pdf.exists(), f"LibreOffice did not convert {source.name}"
    return pdf


def pages(pdf: Path) -> list[Page]:
    """Every page's size and words with their boxes (points, origin top left)."""
    assert PDFTOTEXT is not None
    xml = subprocess.run(
        [PDFTOTEXT, "-bbox-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    found = []
    for size, body in re.findall(r'<page width="([\d.]+)" height="[\d.]+">(.*?)</page>', xml, re.S):
        height = float(re.search(rf'<page width="{size}" height="([\d.]+)"', xml)[1])  # type: ignore[index]
        words = tuple(
            Word(_unescape(t), float(a), float(b), float(c), float(d))
            for a, b, c, d, t in re.findall(WORD, body)
        )
        found.append(Page(float(size), height, words))
    return found


def _unescape(text: str) -> str:
    return (
        text.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
    )


@pytest.fixture(scope="module")
def proposal(tiny_library: Library) -> Proposal:
    return tiny_library.proposal(TEMPLATE, population="fire", organisation="Springfield Fire")


def test_every_claim_slide_fits_its_boxes_and_shows_headline_and_citation(
    tiny_library: Library, proposal: Proposal, tmp_path: Path
) -> None:
    import pptx

    deck_path = tmp_path / "deck.pptx"
    tiny_library.export(proposal, "pptx", deck_path, author="A. Chief")
    deck = pptx.Presentation(io.BytesIO(deck_path.read_bytes()))
    rendered = pages(to_pdf(deck_path, tmp_path))
    points = proposal.points
    references = math.ceil(len(proposal.references) / REFERENCES_PER_SLIDE)
    assert points and len(rendered) == len(deck.slides) == 1 + len(points) + references
    for slide, page in zip(deck.slides, rendered, strict=True):
        assert abs(page.width / page.height - 16 / 9) < 0.01
        boxes = [_box(shape) for shape in slide.shapes if shape.has_text_frame]
        for word in page.words:
            assert 0 <= word.x0 and word.x1 <= page.width and word.y1 <= page.height, word
            assert any(_inside(word, box) for box in boxes), f"{word.text!r} outside its box"
    exported = {p.passage_id: p for p in _recited(tiny_library, proposal)}
    for point, page in zip(points, rendered[1:], strict=False):
        point = exported[point.passage_id]
        words = headline(point).rstrip(" …").split()
        assert len(words) <= HEADLINE_WORDS and " ".join(words) in page.text
        assert page.text.count(point.citation) == 1  # the short citation once
    body = max(len(s.split()) for s in _finding_boxes(deck))
    assert body <= FINDING_WORDS + 1  # + the "…" of a cut finding


def test_the_proposal_docx_renders_inside_its_pages_with_a_title_page_and_tables(
    tiny_library: Library, proposal: Proposal, tmp_path: Path
) -> None:
    docx_path = tmp_path / "proposal.docx"
    tiny_library.export(proposal, "docx", docx_path, author="A. Chief")
    rendered = pages(to_pdf(docx_path, tmp_path))
    assert len(rendered) >= 2
    title_page = rendered[0].text
    assert "Peer support for our service" in title_page and "Springfield Fire" in title_page
    assert "Stigma" not in title_page  # the sections start on page 2
    for page in rendered:
        for word in page.words:
            assert 0 <= word.x0 and word.x1 <= page.width and word.y1 <= page.height, word
    text = " ".join(p.text for p in rendered)
    assert "Key result" in text and "No study in the library addresses" in text
    before_sources = text.split("Sources of each point")[0]
    assert "#p" not in before_sources  # internal ids only in the appendix


def _box(shape: object) -> tuple[float, float, float, float]:
    left, top = shape.left / EMU_PER_POINT, shape.top / EMU_PER_POINT  # type: ignore[attr-defined]
    width, height = shape.width / EMU_PER_POINT, shape.height / EMU_PER_POINT  # type: ignore[attr-defined]
    return left, top, left + width, top + height


def _inside(word: Word, box: tuple[float, float, float, float]) -> bool:
    x0, y0, x1, y1 = box
    return (
        word.x0 >= x0 - TOLERANCE and word.x1 <= x1 + TOLERANCE
        and word.y0 >= y0 - TOLERANCE and word.y1 <= y1 + TOLERANCE
    )  # fmt: skip


def _finding_boxes(deck: object) -> list[str]:
    """The text of each claim slide's finding box (the 24 pt one)."""
    from pptx.util import Pt

    return [
        shape.text_frame.text
        for slide in deck.slides  # type: ignore[attr-defined]
        for shape in slide.shapes
        if shape.has_text_frame
        and any(r.font.size == Pt(24) for p in shape.text_frame.paragraphs for r in p.runs)
    ]


def _recited(library: Library, proposal: Proposal) -> list[object]:
    """The points as the export cites them (an export re-cites with all its works)."""
    from evidence.export.files import gather

    return list(
        gather(proposal, {s.key: s for s in library.studies}, library.citer, "apa", None).points
    )

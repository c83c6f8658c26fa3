"""Talking points or a proposal as a 16:9 slide deck for speakers (python-pptx).

A theme of our own (navy and white, Liberation Sans — on every Debian machine, metrically
the same as Arial): a title slide; one claim per slide with a headline of at most 12 words
(the finding's curated headline), the finding in at most 35 words at 24 pt, the short
citation once and an evidence badge (design · population · sample); speaker notes with the
full finding, its context, the caveats and the full references; then the references,
continued over as many slides as they need. Document properties as in the DOCX.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from typing import Any

from ..model import QUOTATION, Reference, TalkingPoint
from .documents import Content, byline, subtitle
from .office import PRODUCER

WIDTH, HEIGHT = 13.333, 7.5  # inches: 16:9
FONT = "Liberation Sans"
NAVY, WHITE, INK, MUTED = "1F3A5F", "FFFFFF", "1A202C", "4A5568"
HEADLINE_WORDS, FINDING_WORDS = 12, 35
REFERENCES_PER_SLIDE = 4
# Where a long finding may be cut: after a sentence, a semicolon or a comma.
_CLAUSE_END = re.compile(r"[.;,](?=\s)")
# A clause that would turn the result around if dropped.
_CONTRAST = re.compile(r"^\s*(but|although|though|however|whereas|while|except|yet)\b", re.I)


def to_pptx(content: Content) -> bytes:
    """The deck of `content` (see the module)."""
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(WIDTH), Inches(HEIGHT)
    _properties(deck, content)
    _title_slide(deck, content)
    by_key = {r.key: r for r in content.references}
    for section in content.sections:
        for point in section.points:
            _claim_slide(deck, section.title, point, by_key)
    refs = content.references
    for start in range(0, len(refs), REFERENCES_PER_SLIDE):
        _reference_slide(deck, refs[start : start + REFERENCES_PER_SLIDE], start > 0)
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def headline(point: TalkingPoint) -> str:
    """The slide's headline: the finding's curated headline, else its first words."""
    text = point.sources[0].headline or point.passage_text
    return _words(text, HEADLINE_WORDS)


def slide_text(point: TalkingPoint) -> str:
    """The finding as the slide shows it: at most FINDING_WORDS words, cut only at a clause
    end that does not drop a contrast ("but ..."); the full text is in the notes. A quoted
    abstract sentence keeps its quotation marks."""
    text = point.passage_text.strip()
    if len(text.split()) > FINDING_WORDS:
        text = _clause_cut(text)
    return f"\u201c{text}\u201d" if point.kind == QUOTATION else text


def _clause_cut(text: str) -> str:
    best = ""
    for match in _CLAUSE_END.finditer(text):
        head, rest = text[: match.start()], text[match.end() :]
        if len(head.split()) > FINDING_WORDS:
            break
        if not _CONTRAST.match(rest):
            best = head
    return (best.rstrip(" ,;") + " …") if best else _words(text, FINDING_WORDS)


def _words(text: str, limit: int) -> str:
    words = text.split()
    return text.rstrip(".") if len(words) <= limit else " ".join(words[:limit]) + " …"


def badge(point: TalkingPoint) -> str:
    """ "Our words · meta-analysis · paramedics / EMS · 27 studies": whose words, then the
    point's first source's design, population and size."""
    source = point.sources[0]
    whose = "Quoted from the abstract" if point.kind == QUOTATION else "Our words"
    parts = [whose, source.design or "design not stated"]
    parts += [source.population or "population not stated"]
    return " · ".join(parts + ([source.sample] if source.sample else []))


def notes(point: TalkingPoint, by_key: dict[str, Reference]) -> str:
    """Speaker notes: the full finding, its context, caveats, references and sources."""
    source = point.sources[0]
    lines = [point.label + ":", point.passage_text]
    lines += [f"Context: {source.context}"] if source.context else []
    lines += [f"Note: {point.caveat}"] if point.caveat else []
    lines += [by_key[k].text for k in point.study_keys if k in by_key]
    lines += [f"Source: {s.study_key}, passage {s.passage_id}" for s in point.sources]
    return "\n\n".join(lines)


def _properties(deck: Any, content: Content) -> None:
    props = deck.core_properties
    props.title = content.title
    props.author = content.author or content.organisation or PRODUCER
    props.last_modified_by = content.author or PRODUCER
    props.created = props.modified = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    props.revision = 1
    props.subject = content.organisation
    props.comments = subtitle(content)


def _blank(deck: Any) -> Any:
    return deck.slides.add_slide(deck.slide_layouts[6])  # the blank layout


def _fill(slide: Any, left: float, top: float, width: float, height: float, colour: str) -> Any:
    from pptx.dml.color import RGBColor
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.util import Inches

    shape = slide.shapes.add_shape(
        MSO_SHAPE.RECTANGLE, Inches(left), Inches(top), Inches(width), Inches(height)
    )
    shape.fill.solid()
    shape.fill.fore_color.rgb = RGBColor.from_string(colour)  # type: ignore[no-untyped-call]
    shape.line.fill.background()
    return shape


def _text(
    slide: Any,
    box: tuple[float, float, float, float],
    text: str,
    size: int,
    colour: str = INK,
    bold: bool = False,
    italic: bool = False,
) -> Any:
    from pptx.dml.color import RGBColor
    from pptx.util import Inches, Pt

    shape = slide.shapes.add_textbox(*(Inches(v) for v in box))
    frame = shape.text_frame
    frame.word_wrap = True
    run = frame.paragraphs[0].add_run()
    run.text = text
    font = run.font
    font.name, font.size, font.bold, font.italic = FONT, Pt(size), bold, italic
    font.color.rgb = RGBColor.from_string(colour)  # type: ignore[no-untyped-call]
    return shape


def _title_slide(deck: Any, content: Content) -> None:
    slide = _blank(deck)
    _fill(slide, 0, 0, WIDTH, HEIGHT, NAVY)
    _text(slide, (0.9, 2.0, 11.5, 2.0), content.title, 40, WHITE, bold=True)
    if byline(content):
        _text(slide, (0.9, 4.2, 11.5, 0.8), byline(content), 20, WHITE)
    _text(slide, (0.9, 6.0, 11.5, 0.9), subtitle(content), 12, WHITE, italic=True)


def _claim_slide(
    deck: Any, section: str, point: TalkingPoint, by_key: dict[str, Reference]
) -> None:
    slide = _blank(deck)
    _fill(slide, 0, 0, WIDTH, 0.7, NAVY)
    _text(slide, (0.6, 0.12, 12.1, 0.5), section, 16, WHITE)
    _text(slide, (0.6, 0.95, 12.1, 1.45), headline(point), 32, NAVY, bold=True)
    _text(slide, (0.6, 2.6, 12.1, 3.0), slide_text(point), 24)
    _fill(slide, 0.6, 6.2, 12.1, 0.02, MUTED)
    _text(slide, (0.6, 6.35, 5.6, 0.7), point.citation, 18, INK)
    _text(slide, (6.4, 6.35, 6.3, 0.7), badge(point), 14, MUTED, italic=True)
    slide.notes_slide.notes_text_frame.text = notes(point, by_key)


def _reference_slide(deck: Any, references: Sequence[Reference], more: bool) -> None:
    from pptx.util import Pt

    slide = _blank(deck)
    _fill(slide, 0, 0, WIDTH, 0.7, NAVY)
    _text(
        slide, (0.6, 0.12, 12.1, 0.5), "References (continued)" if more else "References", 16, WHITE
    )
    frame = _text(slide, (0.6, 1.0, 12.1, 6.0), "", 14).text_frame
    for i, reference in enumerate(references):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.space_after = Pt(10)
        for piece in reference.runs:
            run = paragraph.add_run()
            run.text = piece.text
            run.font.name, run.font.size, run.font.italic = FONT, Pt(14), piece.italic or None
            if piece.link:
                run.hyperlink.address = piece.link
    slide.notes_slide.notes_text_frame.text = "\n\n".join(r.text for r in references)

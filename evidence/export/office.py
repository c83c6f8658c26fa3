"""Talking points as office files: a Word document (python-docx) and slides (python-pptx).

Both libraries are imported only when a file is made. The content is the same as the
Markdown export's (see `document_formats.py`); references keep their italics and links.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..model import QUOTATION, PointSource, Reference, TalkingPoint
from .documents import evidence_label, point_lines

Sections = Sequence[tuple[str, Sequence[TalkingPoint]]]


def to_docx(
    title: str, sections: Sections, references: Sequence[Reference], subtitle: str
) -> bytes:
    """A Word document: headings, one bullet per point, hanging-indent references whose
    DOIs are working links."""
    import io

    from docx import Document
    from docx.shared import Inches, Pt

    doc = Document()
    doc.core_properties.title = title
    doc.add_heading(title, level=0)
    doc.add_paragraph().add_run(subtitle).italic = True
    for heading, points in sections:
        doc.add_heading(heading, level=1)
        for point in points:
            paragraph = doc.add_paragraph(style="List Bullet")
            for line in point_lines(point):
                paragraph.add_run(line).add_break()
            label = paragraph.add_run(evidence_label(point))
            label.italic, label.font.size = True, Pt(9)
    doc.add_heading("References", level=1)
    for reference in references:
        paragraph = doc.add_paragraph()
        paragraph.paragraph_format.left_indent = Inches(0.5)
        paragraph.paragraph_format.first_line_indent = Inches(-0.5)
        for run in reference.runs:
            if run.link:
                _docx_link(paragraph, run.link, run.text, run.italic)
            else:
                added = paragraph.add_run(run.text)
                added.italic, added.bold = run.italic or None, run.bold or None
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _docx_link(paragraph: object, url: str, text: str, italic: bool) -> None:
    """Append a hyperlink run (python-docx has no helper: a w:hyperlink to a relationship)."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    part, element = paragraph.part, paragraph._p  # type: ignore[attr-defined]
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True))
    run, props = OxmlElement("w:r"), OxmlElement("w:rPr")
    for tag, value in (("w:color", "0563C1"), ("w:u", "single")):
        prop = OxmlElement(tag)
        prop.set(qn("w:val"), value)
        props.append(prop)
    if italic:
        props.append(OxmlElement("w:i"))
    node = OxmlElement("w:t")
    node.set(qn("xml:space"), "preserve")
    node.text = text
    run.append(props)
    run.append(node)
    link.append(run)
    element.append(link)


def to_pptx(
    title: str, sections: Sections, references: Sequence[Reference], subtitle: str
) -> bytes:
    """Slides for speakers: a title slide, one finding per slide with its citation on the
    slide and the full references in the speaker notes, then the references."""
    import io

    from pptx import Presentation

    deck = Presentation()
    deck.core_properties.title = title
    cover = deck.slides.add_slide(deck.slide_layouts[0])
    cover.shapes.title.text = title
    cover.placeholders[1].text = subtitle
    by_key = {r.key: r for r in references}
    for heading, points in sections:
        for point in points:
            _point_slide(deck, heading, point, by_key)
    per_slide = 5
    for start in range(0, len(references), per_slide):
        _reference_slide(deck, references[start : start + per_slide], start > 0)
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def _textbox(slide: object, top: float, height: float) -> object:
    from pptx.util import Inches

    box = slide.shapes.add_textbox(Inches(0.6), Inches(top), Inches(8.8), Inches(height))  # type: ignore[attr-defined]
    box.text_frame.word_wrap = True
    return box.text_frame


def _point_slide(
    deck: object, heading: str, point: TalkingPoint, by_key: dict[str, Reference]
) -> None:
    from pptx.util import Pt

    slide = deck.slides.add_slide(deck.slide_layouts[5])  # type: ignore[attr-defined]
    slide.shapes.title.text = heading
    body = _textbox(slide, 1.7, 4.2)
    run = body.paragraphs[0].add_run()  # type: ignore[attr-defined]
    run.text = point.text
    run.font.size = Pt(26 if len(point.text) < 180 else 22 if len(point.text) < 300 else 18)
    label = _textbox(slide, 6.2, 0.8).paragraphs[0].add_run()  # type: ignore[attr-defined]
    label.text = f"{point.citation} · {evidence_label(point)}"
    label.font.size, label.font.italic = Pt(14), True
    notes = [by_key[k].text for k in point.study_keys if k in by_key]
    notes += [f"Note: {point.caveat}"] if point.caveat else []
    notes += [_source_note(s) for s in point.sources]
    slide.notes_slide.notes_text_frame.text = "\n\n".join(notes)


def _source_note(source: PointSource) -> str:
    """Where a point's words come from: our paraphrase of a finding, or a quotation."""
    where = f"{source.passage_id} [{source.start}:{source.end}]"
    if source.kind == QUOTATION:
        return f"Quoted from the abstract, {where}: \u201c{source.passage_text}\u201d"
    return f"The study's finding in our words, {where}: {source.passage_text}"


def _reference_slide(deck: object, references: Sequence[Reference], more: bool) -> None:
    from pptx.util import Pt

    slide = deck.slides.add_slide(deck.slide_layouts[5])  # type: ignore[attr-defined]
    slide.shapes.title.text = "References (continued)" if more else "References"
    frame = _textbox(slide, 1.5, 5.6)
    for i, reference in enumerate(references):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()  # type: ignore[attr-defined]
        paragraph.space_after = Pt(8)
        for piece in reference.runs:
            run = paragraph.add_run()
            run.text = piece.text
            run.font.size, run.font.italic = Pt(13), piece.italic or None
            if piece.link:
                run.hyperlink.address = piece.link
    slide.notes_slide.notes_text_frame.text = "\n\n".join(r.text for r in references)

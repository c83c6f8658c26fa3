"""Talking points or a proposal as a Word document (python-docx), for leadership to read.

A title page (title, organisation, author, date), then per section a heading, the evidence
summary, one bullet per point with its caveat and evidence label, and the evidence table
as a real Word table; the references with a hanging indent and working DOI links; an
appendix of where each point comes from. Document properties say who made it and when.
python-docx is imported only when a file is made.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from .documents import (
    TABLE_HEADER,
    Content,
    Section,
    byline,
    evidence_label,
    point_lines,
    source_lines,
    subtitle,
    table_rows,
)

PRODUCER = "evidence (research evidence library)"


def to_docx(content: Content) -> bytes:
    """The Word document of `content` (see the module)."""
    from docx import Document
    from docx.enum.text import WD_BREAK

    doc = Document()
    _properties(doc, content)
    doc.add_heading(content.title, level=0)
    if byline(content):
        doc.add_paragraph(byline(content))
    doc.add_paragraph().add_run(subtitle(content)).italic = True
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    for section in content.sections:
        _section(doc, section)
    doc.add_heading("References", level=1)
    for reference in content.references:
        _reference(doc, reference)
    if content.points:
        doc.add_heading("Sources of each point", level=1)
        for line in source_lines(content):
            doc.add_paragraph(line).runs[0].font.size = _pt(9)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _pt(size: float) -> Any:
    from docx.shared import Pt

    return Pt(size)


def _properties(doc: Any, content: Content) -> None:
    """Title, author and dates of the export (not python-docx's template defaults)."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    props = doc.core_properties
    props.title = content.title
    props.author = content.author or content.organisation or PRODUCER
    props.last_modified_by = content.author or PRODUCER
    props.created = props.modified = now
    props.revision = 1
    props.comments = subtitle(content)
    props.subject = content.organisation
    props.keywords = "evidence; talking points; references"


def _section(doc: Any, section: Section) -> None:
    doc.add_heading(section.title, level=1)
    if section.summary or section.empty:
        doc.add_paragraph(section.summary or section.empty)
    for point in section.points:
        paragraph = doc.add_paragraph(style="List Bullet")
        for line in point_lines(point):
            paragraph.add_run(line).add_break()
        label = paragraph.add_run(evidence_label(point))
        label.italic, label.font.size = True, _pt(9)
    rows = table_rows(section)
    if rows:
        _table(doc, rows)


def _table(doc: Any, rows: list[tuple[str, ...]]) -> None:
    """The evidence table: a header row, one row per study, small type."""
    table = doc.add_table(rows=1, cols=len(TABLE_HEADER))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, TABLE_HEADER, strict=True):
        run = cell.paragraphs[0].add_run(text)
        run.bold, run.font.size = True, _pt(9)
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.paragraphs[0].add_run(text).font.size = _pt(9)
    doc.add_paragraph()


def _reference(doc: Any, reference: Any) -> None:
    from docx.shared import Inches

    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.left_indent = Inches(0.5)
    paragraph.paragraph_format.first_line_indent = Inches(-0.5)
    for run in reference.runs:
        if run.link:
            _docx_link(paragraph, run.link, run.text, run.italic)
        else:
            added = paragraph.add_run(run.text)
            added.italic, added.bold = run.italic or None, run.bold or None


def _docx_link(paragraph: Any, url: str, text: str, italic: bool) -> None:
    """Append a hyperlink run (python-docx has no helper: a w:hyperlink to a relationship)."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    part, element = paragraph.part, paragraph._p
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

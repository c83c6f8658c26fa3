"""Talking points, studies or a proposal → a file: md, docx, pptx, html, bib, ris, csljson.

Document formats (md, docx, pptx, html) are formatted as one citation document: every
point is re-cited together with every study exported, so disambiguation and numbering
fit this file. Reference formats (bib, ris, csljson) carry the studies themselves and
re-import to the same studies. DOCX and PPTX are built with python-docx and python-pptx
(imported only when needed); BibTeX is written here (bibtexparser only reads, in bibtex.py)
and RIS with rispy.
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .cite import STYLE_TITLES, style_name, to_csl
from .errors import ExportError, NotFoundError
from .model import Person, Proposal, Reference, Study, TalkingPoint
from .talking_points import compose, recite, requests

if TYPE_CHECKING:
    from .library import Library

log = logging.getLogger(__name__)

EXPORT_FORMATS = ("md", "docx", "pptx", "html", "bib", "ris", "csljson")
_REFERENCE_FORMATS = ("bib", "ris", "csljson")
DEFAULT_TITLE = "Talking points"


@dataclass(frozen=True, slots=True)
class Content:
    """What a document export shows: titled sections of points, and the reference list."""

    title: str
    sections: tuple[tuple[str, tuple[TalkingPoint, ...]], ...]
    references: tuple[Reference, ...]
    studies: tuple[Study, ...]
    style: str


def export(
    library: Library,
    items: Sequence[TalkingPoint | str] | Proposal,
    fmt: str,
    path: Path | str | None = None,
    style: str = "apa",
    title: str | None = None,
    *,
    citekeys: bool = False,
) -> bytes:
    """`items` as a `fmt` file's bytes, also written to `path` when given.

    Raises ExportError for an unknown format, nothing to export or an unwritable path, and
    CitationError when citations cannot be formatted.
    """
    fmt = str(fmt).lower().lstrip(".")
    if fmt not in EXPORT_FORMATS:
        raise ExportError(
            f"unknown export format '{fmt}'; use one of: {', '.join(EXPORT_FORMATS)}."
        )
    content = gather(library, items, style, title, cite=fmt not in _REFERENCE_FORMATS)
    target = Path(path) if path is not None else None
    if fmt == "md" and citekeys:
        data = _citekey_markdown(library, content, target)
    else:
        data = _render(content, fmt)
    if target is not None:
        write_atomic(target, data)
    return data


def _render(content: Content, fmt: str) -> bytes:
    if fmt == "bib":
        return to_bibtex(content.studies).encode("utf-8")
    if fmt == "ris":
        return to_ris(content.studies).encode("utf-8")
    if fmt == "csljson":
        items = [to_csl(s) for s in content.studies]
        return (json.dumps(items, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    if fmt == "md":
        return to_markdown(content).encode("utf-8")
    if fmt == "html":
        return to_html(content).encode("utf-8")
    if fmt == "docx":
        return to_docx(content.title, content.sections, content.references, _subtitle(content))
    return to_pptx(content.title, content.sections, content.references, _subtitle(content))


def gather(
    library: Library,
    items: Sequence[TalkingPoint | str] | Proposal,
    style: str,
    title: str | None,
    cite: bool = True,
) -> Content:
    """The sections, studies and (when `cite`) references of `items`, re-cited as one document.

    Raises ExportError when an item is neither a talking point nor a study key, or when
    nothing known is left to export."""
    if isinstance(items, Proposal):
        sections = [(s.title, tuple(s.points)) for s in items.sections]
        keys: list[str] = []
        title = title or items.title
    else:
        bad = [type(i).__name__ for i in items if not isinstance(i, (TalkingPoint, str))]
        if bad:
            raise ExportError(f"cannot export {bad[0]} items: give talking points or study keys.")
        points = tuple(i for i in items if isinstance(i, TalkingPoint))
        keys = [i for i in items if isinstance(i, str)]
        sections = [(DEFAULT_TITLE, points)] if points else []
    sections = [
        (heading, tuple(p for p in points if _known(library, p))) for heading, points in sections
    ]
    groups = [[s.study_key for s in p.sources] for _, points in sections for p in points]
    wanted = [k for g in groups for k in g] + keys
    studies = [s for s in (_study(library, k) for k in dict.fromkeys(wanted)) if s is not None]
    if not studies:
        raise ExportError("nothing to export: none of the items is in the library.")
    style = style_name(style)
    references: tuple[Reference, ...] = ()
    if cite:
        formatted = library.citer.format(studies, requests(groups), style)
        recited = iter(recite([p for _, pts in sections for p in pts], formatted, style))
        sections = [(heading, tuple(next(recited) for _ in points)) for heading, points in sections]
        references = formatted.references
    return Content(title or DEFAULT_TITLE, tuple(sections), references, tuple(studies), style)


def _study(library: Library, key: str) -> Study | None:
    try:
        return library.study(key)
    except NotFoundError:
        log.warning("not exported, not in the library: %s", key)
        return None


def _known(library: Library, point: TalkingPoint) -> bool:
    return all(_study(library, s.study_key) is not None for s in point.sources)


def evidence_label(point: TalkingPoint) -> str:
    """ "Evidence: systematic review, mixed public safety" (one entry per distinct source)."""
    labels = dict.fromkeys(
        f"{s.design or 'design not stated'}, {s.population or 'population not stated'}"
        for s in point.sources
    )
    return "Evidence: " + "; ".join(labels)


def _subtitle(content: Content) -> str:
    return (
        f"Citations: {STYLE_TITLES[content.style]}. Each point quotes its source verbatim "
        "or cut at a clause boundary; check the study before you rely on it."
    )


def _md_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)


def to_markdown(content: Content) -> str:
    """Markdown: title, one bullet per point (with its evidence label), the reference list."""
    lines = [f"# {_md_escape(content.title)}", "", f"*{_subtitle(content)}*", ""]
    for heading, points in content.sections:
        lines += [f"## {_md_escape(heading)}", ""]
        for point in points:
            lines += [f"- {_md_escape(point.text)}", f"  *{_md_escape(evidence_label(point))}*"]
        lines.append("")
    lines += ["## References", ""]
    for reference in content.references:
        lines += [reference.markdown, ""]
    return "\n".join(lines)


def _citekey_markdown(library: Library, content: Content, path: Path | None) -> bytes:
    """Markdown with pandoc citekeys; CSL-JSON and the CSL style are written beside `path`."""
    if path is None:
        raise ExportError(
            "Markdown with citekeys needs a file path: the CSL-JSON bibliography "
            "is written beside it (e.g. -o points.md)."
        )
    bibliography, csl = path.with_suffix(".json"), path.with_suffix(".csl")
    write_atomic(bibliography, _render(content, "csljson"))
    write_atomic(csl, library.citer.style_path(content.style).read_bytes())
    lines = [
        "---",
        f"title: {json.dumps(content.title)}",
        f"bibliography: {bibliography.name}",
        f"csl: {csl.name}",
        "---",
        "",
    ]
    for heading, points in content.sections:
        lines += [f"## {_md_escape(heading)}", ""]
        for point in points:
            keys = "; ".join(f"@{s.study_key}" for s in point.sources)
            text = compose(_md_escape(point.quote), f"[{keys}]", _md_escape(point.caveat))
            lines += [f"- {text}", f"  *{_md_escape(evidence_label(point))}*"]
        lines.append("")
    lines += ["## References", "", "::: {#refs}", ":::", ""]
    return "\n".join(lines).encode("utf-8")


_CSS = """body{font-family:Georgia,serif;max-width:46em;margin:2em auto;padding:0 1em;
line-height:1.5}
.evidence{color:#555;font-size:.9em;margin-top:0}.reference{padding-left:2em;text-indent:-2em}
.subtitle{color:#555;font-style:italic}"""


def to_html(content: Content) -> str:
    """A standalone HTML page. Point text is escaped here; reference HTML comes escaped
    from the CSL processor."""
    esc = html.escape
    body = [f"<h1>{esc(content.title)}</h1>", f'<p class="subtitle">{esc(_subtitle(content))}</p>']
    for heading, points in content.sections:
        body += [f"<h2>{esc(heading)}</h2>", '<ul class="points">']
        body += [
            f'<li><p>{esc(p.text)}</p><p class="evidence">{esc(evidence_label(p))}</p></li>'
            for p in points
        ]
        body.append("</ul>")
    body += ["<h2>References</h2>", '<div class="references">']
    body += [f'<p class="reference" id="ref-{esc(r.key)}">{r.html}</p>' for r in content.references]
    body.append("</div>")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{esc(content.title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file beside it. Raises ExportError."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")  # "x": honours the umask
        with open(temp, "xb") as out:
            out.write(data)
        os.replace(temp, path)
    except OSError as exc:
        raise ExportError(
            f"could not write {path}: {exc.strerror or exc}. Choose a writable path."
        ) from None


# ---- BibTeX and RIS (reference formats) --------------------------------------------------

_BIB_TYPES = {
    "article": "article",
    "book": "book",
    "chapter": "incollection",
    "report": "techreport",
    "thesis": "phdthesis",
    "conference paper": "inproceedings",
    "web page": "online",
    "other": "misc",
}
_BIB_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_RIS_TYPES = {
    "article": "JOUR",
    "book": "BOOK",
    "chapter": "CHAP",
    "report": "RPRT",
    "thesis": "THES",
    "conference paper": "CPAPER",
    "web page": "ELEC",
    "other": "GEN",
}


def _tex(text: str) -> str:
    """`text` as a BibTeX value: LaTeX specials escaped, "--" kept from becoming a dash."""
    out = "".join(_BIB_ESCAPES.get(ch, ch) for ch in text)
    return out.replace("--", "-{}-").replace("\n", " ")


def _bib_title(study: Study) -> str:
    """The title with words that sentence case keeps capitalised braced (proper nouns,
    acronyms), so a re-import derives the same sentence-case title."""
    words, sentence = study.title.split(" "), study.title_sentence.split(" ")
    if len(words) != len(sentence):
        return _tex(study.title)
    return " ".join(
        f"{{{_tex(w)}}}" if i and s != s.lower() and s == w else _tex(w)
        for i, (w, s) in enumerate(zip(words, sentence, strict=True))
    )


def _bib_name(person: Person) -> str:
    if person.literal:
        return f"{{{_tex(person.family)}}}"
    family = _tex(f"{person.particle} {person.family}".strip())
    family = f"{{{family}}}" if " and " in family else family
    parts = (
        [family, _tex(person.suffix), _tex(person.given)]
        if person.suffix
        else [family, _tex(person.given)]
    )
    return ", ".join(p for p in parts if p) if person.given or person.suffix else family


def _bib_fields(study: Study) -> list[tuple[str, str]]:
    venue = "booktitle" if study.entry_type in ("chapter", "conference paper") else "journal"
    publisher = {"report": "institution", "thesis": "school"}.get(study.entry_type, "publisher")
    fields = [
        ("author", " and ".join(_bib_name(p) for p in study.authors)),
        ("editor", " and ".join(_bib_name(p) for p in study.editors)),
        ("title", _bib_title(study)),
        (venue, _tex(study.venue)),
        (publisher, _tex(study.publisher)),
        ("year", str(study.year or "")),
        ("onlinedate", str(study.online_year or "")),
        ("volume", _tex(study.volume)),
        ("number", _tex(study.issue)),
        ("pages", _tex(study.pages)),
        ("doi", study.doi),
        ("pmid", study.pmid),
        ("url", study.url),
        ("abstract", _tex(study.abstract)),
        ("keywords", _tex("; ".join(study.keywords))),
        ("design", _tex(study.design)),
        ("population", _tex(study.population)),
    ]
    fields += [(f"finding{n}", _tex(f)) for n, f in enumerate(study.findings, start=1)]
    fields += [("source", "; ".join(study.sources))]
    fields += [(name, _tex(value)) for name, value in study.extra]
    return [(name, value) for name, value in fields if value]


def to_bibtex(studies: Sequence[Study]) -> str:
    """BibTeX (UTF-8) of `studies`, readable back by `evidence.load_bibtex` to the same studies."""
    blocks = []
    for study in studies:
        kind = study.bibtex_type or _BIB_TYPES.get(study.entry_type, "misc")
        fields = _bib_fields(study)
        width = max((len(name) for name, _ in fields), default=0)
        body = ",\n".join(f"  {name.ljust(width)} = {{{value}}}" for name, value in fields)
        blocks.append(f"@{kind}{{{study.key},\n{body}\n}}\n")
    return "\n".join(blocks)


def _ris_name(person: Person) -> str:
    if person.literal:
        return person.family
    family = f"{person.particle} {person.family}".strip()
    return ", ".join(p for p in (family, person.given, person.suffix) if p)


def to_ris(studies: Sequence[Study]) -> str:
    """RIS of `studies` (rispy), one record each; the key is kept in ID."""
    import rispy

    class Writer(rispy.RisWriter):  # type: ignore[misc]
        def set_header(self, count: int) -> str:  # rispy writes "1." before each record
            return ""

    records = []
    for s in studies:
        first, _, last = s.pages.replace("--", "–").partition("–")
        record = {
            "type_of_reference": _RIS_TYPES.get(s.entry_type, "GEN"),
            "id": s.key,
            "title": s.title,
            "authors": [_ris_name(p) for p in s.authors],
            "secondary_authors": [_ris_name(p) for p in s.editors],
            "secondary_title": s.venue,
            "publisher": s.publisher,
            "year": str(s.year or ""),
            "volume": s.volume,
            "number": s.issue,
            "start_page": first.strip(),
            "end_page": last.strip(),
            "doi": s.doi,
            "urls": [s.url] if s.url else [],
            "abstract": s.abstract,
            "keywords": list(s.keywords),
            "notes": [
                f"{name}: {value}"
                for name, value in (("Design", s.design), ("Population", s.population))
                if value
            ]
            + [f"Finding: {f}" for f in s.findings],
        }
        records.append({k: v for k, v in record.items() if v})
    text: str = rispy.dumps(records, implementation=Writer)
    return text.lstrip("\n")


# ---- DOCX and PPTX -------------------------------------------------------------------------

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
            paragraph.add_run(point.text).add_break()
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
    notes += [
        f"Quoted from {s.passage_id} [{s.start}:{s.end}]: \u201c{s.quote}\u201d"
        for s in point.sources
    ]
    slide.notes_slide.notes_text_frame.text = "\n\n".join(notes)


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

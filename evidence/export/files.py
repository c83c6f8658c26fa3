"""Talking points, studies or a proposal → a file: md, docx, pptx, html, bib, ris, csljson.

Document formats (md, docx, pptx, html) are formatted as one citation document: every
point is re-cited together with every study exported, so disambiguation and numbering
fit this file. Reference formats (bib, ris, csljson) carry the studies themselves and
re-import to the same studies.

This module checks the format, gathers and re-cites the items, and writes the file. The
formats are rendered in `document_formats.py` (md, html), `office_formats.py` (docx,
pptx) and `reference_formats.py` (bib, ris).
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..cite.citer import style_name, to_csl
from ..errors import ExportError, NotFoundError
from ..model import Proposal, Reference, Study, TalkingPoint
from ..points.talking_points import compose, recite, requests
from .documents import Content, evidence_label, md_escape, subtitle, to_html, to_markdown
from .office import Sections, to_docx, to_pptx
from .references import to_bibtex, to_ris

__all__ = [
    "DEFAULT_TITLE",
    "EXPORT_FORMATS",
    "Content",
    "Sections",
    "evidence_label",
    "export",
    "gather",
    "to_bibtex",
    "to_docx",
    "to_html",
    "to_markdown",
    "to_pptx",
    "to_ris",
    "write_atomic",
]

if TYPE_CHECKING:
    from ..library import Library

log = logging.getLogger(__name__)

EXPORT_FORMATS = ("md", "docx", "pptx", "html", "bib", "ris", "csljson")
_REFERENCE_FORMATS = ("bib", "ris", "csljson")
DEFAULT_TITLE = "Talking points"


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
        return to_docx(content.title, content.sections, content.references, subtitle(content))
    return to_pptx(content.title, content.sections, content.references, subtitle(content))


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
        lines += [f"## {md_escape(heading)}", ""]
        for point in points:
            keys = "; ".join(f"@{s.study_key}" for s in point.sources)
            text = compose(md_escape(point.quote), f"[{keys}]", md_escape(point.caveat))
            lines += [f"- {text}", f"  *{md_escape(evidence_label(point))}*"]
        lines.append("")
    lines += ["## References", "", "::: {#refs}", ":::", ""]
    return "\n".join(lines).encode("utf-8")


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

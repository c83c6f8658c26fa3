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

import dataclasses
import datetime as dt
import json
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..cite.citer import Citer, style_name
from ..errors import ExportError
from ..model import Proposal, Reference, Study, TalkingPoint
from ..points.talking_points import compose, recite, requests
from ..text.decode import printable
from ..text.files import write_atomic
from .documents import Content, Section, evidence_label, md_escape, to_html, to_markdown
from .formats import FORMATS
from .office import to_docx
from .references import to_bibtex, to_csl_json, to_ris
from .slides import to_pptx

log = logging.getLogger(__name__)

DEFAULT_TITLE = "Talking points"


def export(
    items: Sequence[TalkingPoint | str] | Proposal,
    fmt: str,
    studies: Mapping[str, Study],
    citer: Citer,
    path: Path | str | None = None,
    style: str = "apa",
    title: str | None = None,
    *,
    citekeys: bool = False,
    author: str = "",
    organisation: str = "",
) -> bytes:
    """`items` as a `fmt` file's bytes, also written to `path` when given. `studies` are
    the library's studies by key (items of other keys are left out, and logged). `author`
    and `organisation` go on the title page and into DOCX/PPTX document properties (a
    Proposal brings its own organisation).

    Raises ExportError for an unknown format, nothing to export or an unwritable path, and
    CitationError when citations cannot be formatted.
    """
    fmt = str(fmt).lower().lstrip(".")
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format '{fmt}'; use one of: {', '.join(FORMATS)}.")
    content = gather(items, studies, citer, style, title, cite=FORMATS[fmt].document)
    content = dataclasses.replace(
        content,
        author=printable(author.strip()),
        organisation=printable(organisation.strip()) or content.organisation,
        date=dt.date.today().isoformat(),
    )
    target = Path(path) if path is not None else None
    if fmt == "md" and citekeys:
        data = _citekey_markdown(citer, content, target)
    else:
        data = _render(content, fmt)
    if target is not None:
        _write(target, data)
    return data


def _render(content: Content, fmt: str) -> bytes:
    if fmt == "bib":
        return to_bibtex(content.studies).encode("utf-8")
    if fmt == "ris":
        return to_ris(content.studies).encode("utf-8")
    if fmt == "csljson":
        return to_csl_json(content.studies).encode("utf-8")
    if fmt == "md":
        return to_markdown(content).encode("utf-8")
    if fmt == "html":
        return to_html(content).encode("utf-8")
    if fmt == "docx":
        return to_docx(content)
    return to_pptx(content)


def gather(
    items: Sequence[TalkingPoint | str] | Proposal,
    studies: Mapping[str, Study],
    citer: Citer,
    style: str,
    title: str | None,
    cite: bool = True,
) -> Content:
    """The sections, studies and (when `cite`) references of `items`, re-cited as one document.

    Raises ExportError when an item is neither a talking point nor a study key, or when
    nothing known is left to export."""
    organisation = ""
    if isinstance(items, Proposal):
        sections = [Section(s.title, s.points, s.summary, s.empty, s.rows) for s in items.sections]
        keys: list[str] = []
        title, organisation = title or items.title, items.organisation
    else:
        bad = [type(i).__name__ for i in items if not isinstance(i, (TalkingPoint, str))]
        if bad:
            raise ExportError(f"cannot export {bad[0]} items: give talking points or study keys.")
        points = tuple(i for i in items if isinstance(i, TalkingPoint))
        keys = [i for i in items if isinstance(i, str)]
        sections = [Section(DEFAULT_TITLE, points)] if points else []
    sections = [
        dataclasses.replace(s, points=tuple(p for p in s.points if _known(studies, p)))
        for s in sections
    ]
    groups = [[src.study_key for src in p.sources] for s in sections for p in s.points]
    wanted = [k for g in groups for k in g] + keys
    chosen = [s for s in (_study(studies, k) for k in dict.fromkeys(wanted)) if s is not None]
    if not chosen:
        raise ExportError("nothing to export: none of the items is in the library.")
    style = style_name(style)
    references: tuple[Reference, ...] = ()
    if cite:
        formatted = citer.format(chosen, requests(groups), style)
        recited = iter(recite([p for s in sections for p in s.points], formatted, style))
        sections = [
            dataclasses.replace(s, points=tuple(next(recited) for _ in s.points)) for s in sections
        ]
        references = formatted.references
    content = Content(
        title or DEFAULT_TITLE, tuple(sections), references, tuple(chosen), style, organisation
    )
    cleaned: Content = _printable(content)
    return cleaned


def _printable(value: Any) -> Any:
    """`value` with every string stripped of what XML refuses (control characters, lone
    surrogates, U+FFFE/U+FFFF): a title typed into a form, or text stored by an older
    version, must not make a DOCX or PPTX export fail."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, tuple):
        return tuple(_printable(v) for v in value)
    if isinstance(value, dict):
        return {k: _printable(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _printable(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return dataclasses.replace(value, **changes)
    return value


def _study(studies: Mapping[str, Study], key: str) -> Study | None:
    study = studies.get(key)
    if study is None:
        log.warning("not exported, not in the library: %s", key)
    return study


def _known(studies: Mapping[str, Study], point: TalkingPoint) -> bool:
    return all(_study(studies, s.study_key) is not None for s in point.sources)


def _citekey_markdown(citer: Citer, content: Content, path: Path | None) -> bytes:
    """Markdown with pandoc citekeys; CSL-JSON and the CSL style are written beside `path`."""
    if path is None:
        raise ExportError(
            "Markdown with citekeys needs a file path: the CSL-JSON bibliography "
            "is written beside it (e.g. -o points.md)."
        )
    bibliography, csl = path.with_suffix(".json"), path.with_suffix(".csl")
    _write(bibliography, _render(content, "csljson"))
    _write(csl, citer.style_path(content.style).read_bytes())
    lines = [
        "---",
        f"title: {json.dumps(content.title)}",
        f"bibliography: {bibliography.name}",
        f"csl: {csl.name}",
        "---",
        "",
    ]
    for section in content.sections:
        lines += [f"## {md_escape(section.title)}", ""]
        for point in section.points:
            keys = "; ".join(f"@{s.study_key}" for s in point.sources)
            text = compose(md_escape(point.passage_text), f"[{keys}]", point.kind)
            lines += [f"- {text}"]
            lines += [f"  Note: {md_escape(point.caveat)}"] if point.caveat else []
            lines += [f"  *{md_escape(evidence_label(point))}*"]
        lines.append("")
    lines += ["## References", "", "::: {#refs}", ":::", ""]
    return "\n".join(lines).encode("utf-8")


def _write(path: Path, data: bytes) -> None:
    """Write an export atomically. Raises ExportError saying what to do."""
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise ExportError(
            f"could not write {path}: {exc.strerror or exc}. Choose a writable path."
        ) from None

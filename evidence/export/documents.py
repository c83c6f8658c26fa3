"""Talking points as a document to read: the `Content` of an export, as Markdown or HTML.

`Content` is what every document format (md, html, docx, pptx) shows: titled sections of
points, already cited together, and the reference list. DOCX and PPTX are in
`office_formats.py`; BibTeX and RIS in `reference_formats.py`.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from ..cite.citer import STYLE_TITLES
from ..model import QUOTATION, Reference, Study, TalkingPoint


@dataclass(frozen=True, slots=True)
class Content:
    """What a document export shows: titled sections of points, and the reference list."""

    title: str
    sections: tuple[tuple[str, tuple[TalkingPoint, ...]], ...]
    references: tuple[Reference, ...]
    studies: tuple[Study, ...]
    style: str


def evidence_label(point: TalkingPoint) -> str:
    """ "The study's finding, in our words · Evidence: systematic review, mixed public
    safety" (whose words, then one design and population per distinct source)."""
    labels = dict.fromkeys(
        f"{s.design or 'design not stated'}, {s.population or 'population not stated'}"
        for s in point.sources
    )
    return f"{point.label} · Evidence: " + "; ".join(labels)


def point_lines(point: TalkingPoint) -> list[str]:
    """The point's statement, then its caveat (when there is one), as separate lines."""
    return [point.text] + ([f"Note: {point.caveat}"] if point.caveat else [])


def subtitle(content: Content) -> str:
    """The line under the title: the citation style, and whose words the points are."""
    points = [p for _, section in content.sections for p in section]
    quoted = any(p.kind == QUOTATION for p in points)
    words = (
        "Points are the studies' findings in our own words"
        + ("; text in quotation marks is quoted from a study's abstract" if quoted else "")
        + ". Check the study before you rely on a number."
    )
    return f"Citations: {STYLE_TITLES[content.style]}. {words}"


def md_escape(text: str) -> str:
    """`text` with Markdown's special characters backslash-escaped."""
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)


def to_markdown(content: Content) -> str:
    """Markdown: title, one bullet per point (with its evidence label), the reference list."""
    lines = [f"# {md_escape(content.title)}", "", f"*{subtitle(content)}*", ""]
    for heading, points in content.sections:
        lines += [f"## {md_escape(heading)}", ""]
        for point in points:
            first, *rest = point_lines(point)
            lines += [f"- {md_escape(first)}"] + [f"  {md_escape(line)}" for line in rest]
            lines += [f"  *{md_escape(evidence_label(point))}*"]
        lines.append("")
    lines += ["## References", ""]
    for reference in content.references:
        lines += [reference.markdown, ""]
    return "\n".join(lines)


_CSS = """body{font-family:Georgia,serif;max-width:46em;margin:2em auto;padding:0 1em;
line-height:1.5}
.evidence{color:#555;font-size:.9em;margin-top:0}.reference{padding-left:2em;text-indent:-2em}
.subtitle{color:#555;font-style:italic}"""


def to_html(content: Content) -> str:
    """A standalone HTML page. Point text is escaped here; reference HTML comes escaped
    from the CSL processor."""
    esc = html.escape
    body = [f"<h1>{esc(content.title)}</h1>", f'<p class="subtitle">{esc(subtitle(content))}</p>']
    for heading, points in content.sections:
        body += [f"<h2>{esc(heading)}</h2>", '<ul class="points">']
        for point in points:
            lines = "".join(f"<p>{esc(line)}</p>" for line in point_lines(point))
            body.append(f'<li>{lines}<p class="evidence">{esc(evidence_label(point))}</p></li>')
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

"""Talking points as a document to read: the `Content` of an export, as Markdown or HTML.

`Content` is what every document format (md, html, docx, pptx) shows: titled sections —
each with its evidence summary, points and evidence table, or a note that the library has
nothing for it — already cited together, the reference list, and an appendix of where
each point comes from (the only place internal passage ids appear). DOCX is in
`office.py`, PPTX in `slides.py`; BibTeX and RIS in `references.py`.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from ..cite.citer import STYLE_TITLES
from ..model import QUOTATION, EvidenceRow, Reference, Study, TalkingPoint

TABLE_HEADER = ("Study", "Design", "Population", "Sample", "Key result", "Direction")
# A finding's direction in a table cell.
DIRECTION_WORDS = {
    "improved": "benefit", "no difference": "no difference", "worse": "worse",
    "mixed": "mixed", "positive association": "positive association",
    "negative association": "negative association", "higher than comparison": "higher",
    "lower than comparison": "lower", "prevalence or level": "level",
    "qualitative theme": "views", "recommendation": "advice", "cost": "cost",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Section:
    """One titled section: its evidence summary (or `empty`, a note that the library has
    nothing for it), its points, and its evidence table."""

    title: str
    points: tuple[TalkingPoint, ...]
    summary: str = ""
    empty: str = ""
    rows: tuple[EvidenceRow, ...] = ()

    def citation_of(self, key: str) -> str:
        """The in-text citation of study `key` as this section's points cite it."""
        for point in self.points:
            for source in point.sources:
                if source.study_key == key and source.citation:
                    return source.citation
        return key


@dataclass(frozen=True, slots=True)
class Content:
    """What a document export shows: sections, the reference list, and who and when."""

    title: str
    sections: tuple[Section, ...]
    references: tuple[Reference, ...]
    studies: tuple[Study, ...]
    style: str
    organisation: str = ""
    author: str = ""
    date: str = ""  # ISO date of the export

    @property
    def points(self) -> tuple[TalkingPoint, ...]:
        return tuple(p for section in self.sections for p in section.points)


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
    quoted = any(p.kind == QUOTATION for p in content.points)
    words = (
        "Points are the studies' findings in our own words"
        + ("; text in quotation marks is quoted from a study's abstract" if quoted else "")
        + ". Check the study before you rely on a number."
    )
    return f"Citations: {STYLE_TITLES[content.style]}. {words}"


def byline(content: Content) -> str:
    """ "Prepared for Springfield Fire Department by A. Chief, 6 December 2026"."""
    who = " ".join(
        part
        for part in (
            f"Prepared for {content.organisation}" if content.organisation else "",
            ("by " if content.organisation else "Prepared by ") + content.author
            if content.author
            else "",
        )
        if part
    )
    when = _long_date(content.date) if content.date else ""
    return ", ".join(part for part in (who, when) if part)


def _long_date(iso: str) -> str:
    year, month, day = (int(x) for x in iso.split("-"))
    months = "January February March April May June July August September October November December"
    return f"{day} {months.split()[month - 1]} {year}"


def table_rows(section: Section) -> list[tuple[str, ...]]:
    """The section's evidence table as text cells (see TABLE_HEADER)."""
    return [
        (
            section.citation_of(r.study_key),
            r.design or "not stated",
            r.population or "not stated",
            r.sample or "not stated",
            r.result,
            DIRECTION_WORDS.get(r.direction, r.direction or ""),
        )
        for r in section.rows
    ]


def source_lines(content: Content) -> list[str]:
    """The appendix: for each point, in order, the passages it comes from (their ids)."""
    lines = []
    for number, point in enumerate(content.points, start=1):
        where = "; ".join(f"{s.study_key}, passage {s.passage_id}" for s in point.sources)
        lines.append(f"{number}. {point.citation}: {where}")
    return lines


def md_escape(text: str) -> str:
    """`text` with Markdown's special characters backslash-escaped."""
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)


def to_markdown(content: Content) -> str:
    """Markdown: title, per section its summary, points and evidence table; references;
    the sources appendix."""
    lines = [f"# {md_escape(content.title)}", ""]
    if byline(content):
        lines += [md_escape(byline(content)), ""]
    lines += [f"*{subtitle(content)}*", ""]
    for section in content.sections:
        lines += [f"## {md_escape(section.title)}", ""]
        if section.summary or section.empty:
            lines += [md_escape(section.summary or section.empty), ""]
        for point in section.points:
            first, *rest = point_lines(point)
            lines += [f"- {md_escape(first)}"] + [f"  {md_escape(line)}" for line in rest]
            lines += [f"  *{md_escape(evidence_label(point))}*"]
        if section.points:
            lines.append("")
        lines += _md_table(section)
    lines += ["## References", ""]
    for reference in content.references:
        lines += [reference.markdown, ""]
    if content.points:
        lines += ["## Sources of each point", ""] + [md_escape(x) for x in source_lines(content)]
        lines.append("")
    return "\n".join(lines)


def _md_table(section: Section) -> list[str]:
    rows = table_rows(section)
    if not rows:
        return []
    out = ["| " + " | ".join(TABLE_HEADER) + " |", "|" + "---|" * len(TABLE_HEADER)]
    out += ["| " + " | ".join(md_escape(c) for c in row) + " |" for row in rows]
    return out + [""]


_CSS = """body{font-family:Georgia,serif;max-width:52em;margin:2em auto;padding:0 1em;
line-height:1.5}
.evidence{color:#555;font-size:.9em;margin-top:0}.reference{padding-left:2em;text-indent:-2em}
.subtitle,.byline{color:#555;font-style:italic}table{border-collapse:collapse;font-size:.9em}
th,td{border:1px solid #bbb;padding:.25em .5em;text-align:left;vertical-align:top}"""


def to_html(content: Content) -> str:
    """A standalone HTML page. Point text is escaped here; reference HTML comes escaped
    from the CSL processor."""
    esc = html.escape
    body = [f"<h1>{esc(content.title)}</h1>"]
    if byline(content):
        body.append(f'<p class="byline">{esc(byline(content))}</p>')
    body.append(f'<p class="subtitle">{esc(subtitle(content))}</p>')
    for section in content.sections:
        body.append(f"<h2>{esc(section.title)}</h2>")
        if section.summary or section.empty:
            body.append(f'<p class="summary">{esc(section.summary or section.empty)}</p>')
        if section.points:
            body.append('<ul class="points">')
            for point in section.points:
                lines = "".join(f"<p>{esc(line)}</p>" for line in point_lines(point))
                label = esc(evidence_label(point))
                body.append(f'<li>{lines}<p class="evidence">{label}</p></li>')
            body.append("</ul>")
        body += _html_table(section)
    body += ["<h2>References</h2>", '<div class="references">']
    body += [f'<p class="reference" id="ref-{esc(r.key)}">{r.html}</p>' for r in content.references]
    body.append("</div>")
    if content.points:
        body += ["<h2>Sources of each point</h2>", '<ol class="sources">']
        body += [f"<li>{esc(line.split('. ', 1)[1])}</li>" for line in source_lines(content)]
        body.append("</ol>")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{esc(content.title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def _html_table(section: Section) -> list[str]:
    rows = table_rows(section)
    if not rows:
        return []
    esc = html.escape
    head = "".join(f'<th scope="col">{h}</th>' for h in TABLE_HEADER)
    cells = ["<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in rows]
    return ['<table class="evidence-table">', f"<thead><tr>{head}</tr></thead>", "<tbody>"] + (
        cells + ["</tbody>", "</table>"]
    )

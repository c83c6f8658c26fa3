"""The export formats: one registry of name, label, media type and file extension.

Every caller (CLI choices, web buttons and downloads, `Library.export`) reads this table,
so a format added here appears everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ExportFormat:
    """One file format the library writes."""

    name: str  # what callers pass: `Library.export(items, "docx")`, `--format docx`
    label: str  # what a person reads on a button
    media_type: str
    extension: str
    document: bool  # a document to read (cited points); else a reference-manager file


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("md", "Markdown", "text/markdown; charset=utf-8", "md", True),
        ExportFormat(
            "docx",
            "Word (DOCX)",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
            True,
        ),
        ExportFormat(
            "pptx",
            "PowerPoint (PPTX)",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "pptx",
            True,
        ),
        ExportFormat("html", "HTML", "text/html; charset=utf-8", "html", True),
        ExportFormat("bib", "BibTeX", "application/x-bibtex; charset=utf-8", "bib", False),
        ExportFormat(
            "ris", "RIS", "application/x-research-info-systems; charset=utf-8", "ris", False
        ),
        ExportFormat(
            "csljson", "CSL-JSON", "application/vnd.citationstyles.csl+json", "json", False
        ),
    )
}

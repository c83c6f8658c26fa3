"""Exports: talking points, studies or a proposal → a file; and the JSON shapes.

In: items (talking points, study keys, or a `Proposal`), the library's studies by key and
a `cite.Citer`. Out: the bytes of a Markdown, DOCX, PPTX, HTML, BibTeX, RIS or CSL-JSON
file (`FORMATS` lists them with label, media type and extension); and `to_json`, the one
JSON shape of each model object that the CLI and the HTTP API emit. Add a format: a row in
`formats.py` and a renderer in `files._render`.
"""

from .files import export
from .formats import FORMATS, ExportFormat
from .shapes import to_json

__all__ = ["FORMATS", "ExportFormat", "export", "to_json"]

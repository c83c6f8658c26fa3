"""Ingest: reference files → studies, and a report of every problem with file and line.

In: BibTeX, RIS and CSL-JSON files or text, as reference managers really export them
(macros, crossref, LaTeX, odd names, encodings, broken blocks). Out: `(list[Study],
ImportReport)`; bad input is data in the report, and every well-formed entry is kept.
`merge.Merge` adds imported studies to a library's: new ones added, changed ones
updated, the rest left as they are.
"""

from .load import load_references, parse_references
from .parse import load_bibtex, parse_bibtex

__all__ = ["load_bibtex", "load_references", "parse_bibtex", "parse_references"]

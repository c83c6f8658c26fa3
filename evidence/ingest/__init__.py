"""Ingest: BibTeX files → studies, and a report of every problem with file and line.

In: .bib files or text, as reference managers really export them (macros, crossref,
LaTeX, odd names, encodings, broken blocks). Out: `(list[Study], ImportReport)`; bad
input is data in the report, and every well-formed entry is kept. `extend_bibtex` adds
files to studies already imported (keys and duplicates resolved against them).
"""

from .parse import extend_bibtex, load_bibtex, parse_bibtex

__all__ = ["extend_bibtex", "load_bibtex", "parse_bibtex"]

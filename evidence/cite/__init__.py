"""Citations: studies → in-text citations and reference lists in a CSL style.

In: `Study` objects and a style name (apa, vancouver, chicago, harvard, ieee). Out:
formatted citations and `Reference`s, through pandoc's citeproc with the CSL files in
`styles/`. A document's citations are formatted together, so "et al." forms, 2020a/b and
numbering fit the whole document. Add a style: drop its .csl file into `styles/` and
name it in `citer.STYLES`.
"""

from .citer import STYLES, Citer, in_text, known_studies

__all__ = ["STYLES", "Citer", "in_text", "known_studies"]

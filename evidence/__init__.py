"""evidence: a research evidence library with citation search.

    from evidence import Library
    lib = Library.open_or_build()
    for hit in lib.search("peer support reduces PTSD symptoms in first responders"):
        print(hit.study.key, hit.passage.text)
"""

from .bibtex import load_bibtex, parse_bibtex
from .config import Settings
from .errors import (
    BibtexImportError,
    CitationError,
    EvidenceError,
    ExportError,
    IndexFormatError,
    IndexNotFoundError,
    ModelLoadError,
    NotFoundError,
    QueryError,
)
from .library import Library
from .search import Filters, Results
from .model import Hit, ImportProblem, ImportReport, Passage, PassageMatch, Person, Study, TalkingPoint

from .version import __version__

__all__ = [
    "BibtexImportError",
    "CitationError",
    "EvidenceError",
    "ExportError",
    "Filters",
    "Hit",
    "ImportProblem",
    "ImportReport",
    "IndexFormatError",
    "IndexNotFoundError",
    "Library",
    "ModelLoadError",
    "NotFoundError",
    "Passage",
    "PassageMatch",
    "Person",
    "QueryError",
    "Results",
    "Settings",
    "Study",
    "TalkingPoint",
    "__version__",
    "load_bibtex",
    "parse_bibtex",
]

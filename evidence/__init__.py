"""evidence: a research evidence library with citation search.

    from evidence import Library
    lib = Library.open_or_build()
    for hit in lib.search("peer support reduces PTSD symptoms in first responders"):
        print(hit.study.key, hit.passage.text)

This module is the public surface: `Library` (the entry point), `Settings`, the model's
value objects and vocabularies, the errors, and the few parts other tools build on
(importing BibTeX, RIS and CSL-JSON, the JSON shapes, the export formats, progress
bars). The web UI, the CLI and the benchmarks use nothing else. See ARCHITECTURE.md for
the packages behind it.
"""

from .audit import AuditFinding, AuditReport
from .audit.reading import DRAFT_SUFFIXES, load_draft
from .cite import STYLES
from .config import Settings
from .database.status import database_status, migrate_database
from .errors import (
    BibtexImportError,
    CitationError,
    ConflictError,
    DatabaseError,
    DatabaseUnavailableError,
    DraftError,
    EvidenceError,
    ExportError,
    IndexFormatError,
    IndexNotFoundError,
    LockTimeoutError,
    ModelLoadError,
    NotFoundError,
    ProjectAccessError,
    ProjectError,
    QueryError,
    RetractionListError,
    SettingsError,
    TemplateError,
    TimeLimitError,
)
from .export import FORMATS, ExportFormat, to_json
from .export.references import write_references
from .ids import is_passage_id, passage_id, split_passage_id
from .index import Embedder, Progress
from .index.progress import terminal_progress
from .index.vectors import VectorIndex
from .ingest import load_bibtex, load_references, parse_bibtex, parse_references
from .ingest.load import FORMAT_NAMES as IMPORT_FORMATS
from .ingest.load import detect_format
from .ingest.retractions import RetractionReport
from .library import Library
from .model import (
    DESIGNS,
    ENTRY_TYPES,
    POPULATIONS,
    Finding,
    Hit,
    ImportProblem,
    ImportReport,
    Passage,
    PassageMatch,
    Person,
    PointSource,
    Proposal,
    ProposalSection,
    Reference,
    Status,
    Study,
    TalkingPoint,
)
from .points import EvidenceProfile
from .points.proposal import POPULATIONS as PROPOSAL_POPULATIONS
from .points.proposal import list_templates, load_template, template_path
from .projects import Project, ProjectAccess, ProjectChange, Projects
from .search import FILTER_KEYS, Filters, Results
from .text import split_sentences
from .text.deadline import time_limit
from .text.sentences import use_worker_processes
from .version import __version__

__all__ = [
    "DESIGNS",
    "DRAFT_SUFFIXES",
    "ENTRY_TYPES",
    "FILTER_KEYS",
    "FORMATS",
    "IMPORT_FORMATS",
    "POPULATIONS",
    "PROPOSAL_POPULATIONS",
    "STYLES",
    "AuditFinding",
    "AuditReport",
    "BibtexImportError",
    "CitationError",
    "ConflictError",
    "DatabaseError",
    "DatabaseUnavailableError",
    "DraftError",
    "Embedder",
    "EvidenceProfile",
    "EvidenceError",
    "ExportError",
    "ExportFormat",
    "Filters",
    "Finding",
    "Hit",
    "ImportProblem",
    "ImportReport",
    "IndexFormatError",
    "IndexNotFoundError",
    "Library",
    "LockTimeoutError",
    "ModelLoadError",
    "NotFoundError",
    "Passage",
    "PassageMatch",
    "Person",
    "PointSource",
    "Project",
    "ProjectAccess",
    "ProjectAccessError",
    "ProjectChange",
    "ProjectError",
    "Projects",
    "Progress",
    "Proposal",
    "ProposalSection",
    "Status",
    "QueryError",
    "RetractionListError",
    "Reference",
    "RetractionReport",
    "Results",
    "Settings",
    "SettingsError",
    "Study",
    "TalkingPoint",
    "TemplateError",
    "TimeLimitError",
    "VectorIndex",
    "__version__",
    "database_status",
    "detect_format",
    "is_passage_id",
    "list_templates",
    "load_template",
    "load_draft",
    "load_bibtex",
    "migrate_database",
    "load_references",
    "parse_bibtex",
    "parse_references",
    "passage_id",
    "split_passage_id",
    "split_sentences",
    "template_path",
    "time_limit",
    "terminal_progress",
    "to_json",
    "use_worker_processes",
    "write_references",
]

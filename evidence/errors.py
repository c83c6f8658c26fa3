"""The exception hierarchy. Every message says what happened, where, and what to do next.

Only the unrecoverable raises (an unreadable file, a missing or incompatible index, an
unusable model); bad input inside a readable file is reported as data (`ImportReport`).
"""

from __future__ import annotations


class EvidenceError(Exception):
    """Base of every error this package raises on purpose."""


class BibtexImportError(EvidenceError):
    """A BibTeX file could not be read at all (missing, empty, binary, not BibTeX)."""


class IndexNotFoundError(EvidenceError):
    """No index exists at the given folder."""


class IndexFormatError(EvidenceError):
    """An index exists but cannot be used (newer format, other model, damaged files)."""


class ModelLoadError(EvidenceError):
    """The embedding model could not be loaded offline."""


class QueryError(EvidenceError):
    """A search request is unusable (empty query, bad filter, bad paging)."""


class NotFoundError(EvidenceError):
    """A study or passage id is not in the library."""


class CitationError(EvidenceError):
    """Citations could not be formatted (unknown style, CSL processor failure)."""


class ExportError(EvidenceError):
    """An export could not be written (unknown format, unwritable path)."""


class TemplateError(ExportError):
    """A proposal template is missing or invalid."""


class DraftError(EvidenceError):
    """A draft could not be read (missing, unreadable, not text or DOCX)."""


class TimeLimitError(EvidenceError):
    """Work on one request took longer than its time limit (`text.deadline.time_limit`)."""


class LockTimeoutError(EvidenceError):
    """Another process holds the index lock for too long."""


class SettingsError(EvidenceError, ValueError):
    """A setting (argument or ``EVIDENCE_*`` variable) has an unusable value."""


class RetractionListError(EvidenceError):
    """A retraction list (Retraction Watch CSV, or its stored copy) that cannot be read."""


class DatabaseError(EvidenceError):
    """The database cannot be used: unreachable (try again), or its schema is newer than
    this evidence understands (upgrade)."""


class DatabaseUnavailableError(DatabaseError):
    """The database did not answer in time (down, restarting, or busy): try again shortly.
    Searches keep answering from the local index meanwhile."""


class ProjectError(EvidenceError):
    """A project request that cannot be done (unknown project or link, bad value)."""


class ProjectAccessError(ProjectError):
    """The link or token does not grant this: unknown, revoked, or read-only for an edit."""


class ConflictError(ProjectError):
    """Someone else changed the same part of a project since it was read (409): reload."""

"""Import: upload a BibTeX, RIS or CSL-JSON file; the page says how many studies are new,
updated and already in the library, and lists every problem by line with what to do.

`Library.add_data` updates the index incrementally and swaps it in atomically, so other
requests keep searching the old index while an import runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.utils import secure_filename

from evidence import BibtexImportError, ImportReport, Library, QueryError, Study, to_json

from .errors import STATUS_HEADERS, UnsupportedType, envelope, human_size
from .security import Unauthorized, check_token, requires_token
from .state import get_library

bp = Blueprint("imports", __name__)

EXTENSIONS = (".bib", ".bibtex", ".ris", ".json", ".txt")
# A raw body's type (API only) → the extension its default name gets.
RAW_TYPES = {
    "application/x-bibtex": ".bib",
    "text/x-bibtex": ".bib",
    "application/x-research-info-systems": ".ris",
    "application/vnd.citationstyles.csl+json": ".json",
    "application/json": ".json",
    "text/plain": ".txt",
}


def upload() -> tuple[str, bytes]:
    """The uploaded file's name and bytes: a multipart field ``file``, or (API only) a raw
    body sent as one of RAW_TYPES (BibTeX, RIS, CSL-JSON or plain text).

    Raises UnsupportedType (415) for another type or extension, QueryError when empty.
    """
    if request.mimetype == "multipart/form-data":
        storage = request.files.get("file")
        if storage is None or not storage.filename:
            raise QueryError("no file was uploaded; choose a .bib, .ris or .json file.")
        name, data = storage.filename, storage.read()
    elif request.path.startswith("/api/") and request.mimetype in RAW_TYPES:
        default = "upload" + RAW_TYPES[request.mimetype]
        name, data = request.args.get("filename", default), request.get_data()
    else:
        raise UnsupportedType(
            "upload a .bib, .ris or .json file as multipart/form-data (field 'file'), or "
            "send it as application/x-bibtex, application/x-research-info-systems or "
            f"application/vnd.citationstyles.csl+json; got {request.mimetype or 'no type'}."
        )
    if not name.lower().endswith(EXTENSIONS):
        raise UnsupportedType(
            f"{name!r} is not a reference file; upload BibTeX (.bib), RIS (.ris) or "
            "CSL-JSON (.json)."
        )
    if not data.strip():
        raise QueryError(f"{name!r} is empty; nothing to import.")
    return name, data


def import_upload(
    library: Library, name: str, data: bytes
) -> tuple[ImportReport, list[Study], str]:
    """Import the bytes as file `name`; return the report, the new studies and the file name
    shown in problems. Raises BibtexImportError when nothing could be imported."""
    shown = secure_filename(Path(name).name) or "upload"
    report = library.add_data(data, shown)
    new = set(report.new)
    added = [s for s in library.studies if s.key in new]
    return report, added, shown


def report_json(report: ImportReport, added: list[Study]) -> dict[str, Any]:
    shape: dict[str, Any] = to_json(report, added=added)
    return shape


def _limit() -> str:
    return human_size(current_app.config["MAX_CONTENT_LENGTH"])


@bp.get("/import")
def page() -> ResponseReturnValue:
    return render_template("import.html", limit=_limit(), report=None, error="")


@bp.post("/import")
def submit() -> ResponseReturnValue:
    """The import form's target: the same page with the report (or the error) under it."""
    try:
        check_token()  # first: nothing is read into the library without it
    except Unauthorized as exc:
        page = render_template("import.html", limit=_limit(), report=None, error=str(exc))
        return page, 401, STATUS_HEADERS[401]
    library = get_library()
    try:
        name, data = upload()
        report, added, shown = import_upload(library, name, data)
    except (BibtexImportError, QueryError) as exc:
        return render_template("import.html", limit=_limit(), report=None, error=str(exc)), 400
    return render_template(
        "import.html",
        limit=_limit(),
        report=report,
        added=added,
        shown=shown,
        error="",
        total=len(library.studies),
    )


@bp.post("/api/import")
@requires_token
def api_import() -> ResponseReturnValue:
    """JSON twin of the import page (401 without the server's token, when it has one)."""
    library = get_library()
    name, data = upload()
    report, added, _ = import_upload(library, name, data)
    return jsonify(envelope(**report_json(report, added), library_studies=len(library.studies)))

"""The one Library of the process: opened (or built) on first use, then shared by every request.

It lives on ``app.extensions["evidence"]`` (app-scoped, unlike flaskr's per-request `g.db`)
because opening loads the model and the index, which takes seconds.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import current_app

from evidence import Library, Settings, terminal_progress

EXTENSION = "evidence"

_open_lock = threading.Lock()


def settings_from_config(config: Any) -> Settings:
    """Library settings from the app config; unset keys fall back to EVIDENCE_* and defaults.

    Raises ValueError naming a setting with a value of the wrong type.
    """
    values = {"index_dir": config.get("INDEX_DIR"), "corpus": config.get("CORPUS")}
    return Settings.resolve({k: v for k, v in values.items() if v is not None})


def get_library() -> Library:
    """Return the app's Library, opening or building it on first call (once per process).

    Raises what `Library.open_or_build` raises (IndexFormatError, ModelLoadError, ...).
    """
    app = current_app
    library: Library | None = app.extensions.get(EXTENSION)
    if library is None:
        with _open_lock:  # two first requests at once must not build the index twice
            library = app.extensions.get(EXTENSION)
            if library is None:
                library = Library.open_or_build(
                    settings=settings_from_config(app.config), progress=terminal_progress()
                )
                app.extensions[EXTENSION] = library
    library.refresh()  # picks up `evidence import` run beside the server (checked once a second)
    return library

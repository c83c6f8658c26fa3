"""Citations through a CSL processor: `Study` → CSL-JSON → pandoc's citeproc → text.

Nothing here formats a citation by hand. A *document* is one call to pandoc: every
in-text citation of a draft and its reference list are formatted together, because the
in-text form depends on the other works cited ("Carleton, Afifi, Turner, et al., 2020"
next to "Carleton, Afifi, Taillieu, et al., 2020"; 2020a/2020b; citation numbers). The
CSL files in ``styles/`` are the upstream files, byte for byte; the few pandoc
incompatibilities are patched in memory (`STYLE_PATCHES`, see ``styles/README.md``).

This module names the styles and holds `Citer`, which caches documents; `csl.py` builds
the CSL-JSON items and `citeproc.py` runs pandoc on one document.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import threading
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..errors import CitationError
from ..model import Study
from .citeproc import WRITER, CiteRequest, Formatted, citation_markdown, read_output, run_pandoc
from .csl import to_csl

__all__ = [
    "STYLES",
    "STYLES_DIR",
    "STYLE_FILES",
    "STYLE_PATCHES",
    "STYLE_TITLES",
    "CiteRequest",
    "Citer",
    "Formatted",
    "in_text",
    "known_studies",
    "style_name",
    "to_csl",
]

log = logging.getLogger(__name__)

STYLES_DIR = Path(__file__).resolve().parent / "styles"
STYLES = ("apa", "vancouver", "chicago", "harvard", "ieee")
STYLE_FILES = {
    "apa": "apa.csl",
    "vancouver": "nlm-citation-sequence.csl",
    "chicago": "chicago-author-date.csl",
    "harvard": "harvard-cite-them-right.csl",
    "ieee": "ieee.csl",
}
STYLE_TITLES = {
    "apa": "APA 7th edition",
    "vancouver": "Vancouver (NLM Citing Medicine)",
    "chicago": "Chicago author-date (CMOS 18)",
    "harvard": "Harvard (Cite Them Right)",
    "ieee": "IEEE",
}
_ALIASES = {
    "apa7": "apa",
    "nlm": "vancouver",
    "chicago-author-date": "chicago",
    "cite-them-right": "harvard",
}
# Cite Them Right is a British style: with pandoc's default en-US its terms come out wrong.
_LANG = {"harvard": "en-GB"}

# Where pandoc's citeproc and the upstream styles disagree, the style is patched in memory;
# each patch must match exactly once, so an updated style file fails loudly, not silently.
STYLE_PATCHES: dict[str, list[tuple[str, str]]] = {
    # Without a <name/>, pandoc renders a chapter's editors as "In, editorsKitaeff J.".
    "vancouver": [
        (
            '<macro name="secondary-authors">\n    <names variable="editor">\n      <label',
            '<macro name="secondary-authors">\n    <names variable="editor">\n      <name/>\n'
            "      <label",
        )
    ],
    # pandoc prints "(Original work published)" after every entry: it does not suppress the
    # group when the original-* variables inside nested macros are all empty.
    "apa": [
        (
            '<macro name="publication-history-structured">\n    <group delimiter=" ">',
            '<macro name="publication-history-structured">\n    <choose>\n      <if match="any" '
            'variable="original-date original-title original-publisher">\n'
            '    <group delimiter=" ">',
        ),
        (
            '        <text variable="original-publisher"/>\n      </group>\n'
            "    </group>\n  </macro>",
            '        <text variable="original-publisher"/>\n      </group>\n    </group>\n'
            "      </if>\n    </choose>\n  </macro>",
        ),
    ],
}


def style_name(style: str) -> str:
    """The canonical name of `style` (one of `STYLES`). Raises CitationError when unknown."""
    name = _ALIASES.get(style.strip().lower(), style.strip().lower())
    if name not in STYLES:
        raise CitationError(f"unknown citation style '{style}'; use one of: {', '.join(STYLES)}.")
    return name


class Citer:
    """Formats documents with pandoc, caching each result by its exact input."""

    def __init__(
        self, cache_size: int = 256, runner: Callable[[str, list[str]], dict[str, Any]] = run_pandoc
    ) -> None:
        """`runner(markdown, args)` runs pandoc and returns its JSON output (tests can count
        or refuse the calls)."""
        self._runner = runner
        self._cache: OrderedDict[tuple[Any, ...], Formatted] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self._dir: Path | None = None

    def format(
        self, studies: Sequence[Study], requests: Sequence[CiteRequest], style: str = "apa"
    ) -> Formatted:
        """Format `requests` and the reference list of all `studies` as one document.

        Every key in `requests` must be one of `studies` (the caller drops unknown keys).
        Raises CitationError for an unknown style or when pandoc fails.
        """
        style = style_name(style)
        items = [to_csl(s, style) for s in studies]
        cache_key = (style, tuple(requests), json.dumps(items, sort_keys=True))
        with self._lock:
            if cache_key in self._cache:
                self._cache.move_to_end(cache_key)
                return self._cache[cache_key]
        result = self._run(items, list(requests), style, studies)
        with self._lock:
            self._cache[cache_key] = result
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return result

    def _run(
        self,
        items: list[dict[str, Any]],
        requests: list[CiteRequest],
        style: str,
        studies: Sequence[Study],
    ) -> Formatted:
        workdir = self._workdir()
        bibliography = workdir / f"refs-{uuid.uuid4().hex}.json"
        bibliography.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
        try:
            raw = self._runner(
                citation_markdown(requests),
                [
                    "--citeproc",
                    "--csl",
                    str(self.style_path(style)),
                    "--bibliography",
                    str(bibliography),
                    "-M",
                    f"lang={_LANG.get(style, 'en-US')}",
                    "-t",
                    str(workdir / "writer.lua"),
                ],
            )
        finally:
            bibliography.unlink(missing_ok=True)
        return read_output(raw, requests, style, studies)

    def _workdir(self) -> Path:
        """A private folder for the writer script and patched styles, removed with the Citer."""
        with self._lock:
            if self._dir is None:
                path = Path(tempfile.mkdtemp(prefix="evidence-cite-"))
                (path / "writer.lua").write_text(WRITER, encoding="utf-8")
                weakref.finalize(self, shutil.rmtree, path, True)
                self._dir = path
            return self._dir

    def style_path(self, style: str) -> Path:
        """The CSL file pandoc uses for `style`: the vendored file, or its patched copy."""
        source = STYLES_DIR / STYLE_FILES[style]
        if style not in STYLE_PATCHES:
            return source
        patched = self._workdir() / STYLE_FILES[style]
        if not patched.exists():
            text = source.read_text(encoding="utf-8")
            for old, new in STYLE_PATCHES[style]:
                if text.count(old) != 1:
                    raise CitationError(
                        f"{source}: the pandoc patch for '{style}' no longer "
                        "applies; the style file changed. See styles/README.md."
                    )
                text = text.replace(old, new)
            temp = patched.with_suffix(f".{uuid.uuid4().hex}.tmp")
            temp.write_text(text, encoding="utf-8")
            temp.replace(patched)
        return patched


def known_studies(by_key: dict[str, Study], keys: Sequence[str]) -> list[Study]:
    """The studies of `keys` that exist, in order and without repeats.

    Unknown keys are dropped, never shown as a citation, and logged as a warning."""
    wanted = list(dict.fromkeys(keys))
    unknown = [k for k in wanted if k not in by_key]
    if unknown:
        log.warning("not cited, not in the library: %s", ", ".join(unknown))
    return [by_key[k] for k in wanted if k in by_key]


def in_text(
    citer: Citer, studies: Sequence[Study], style: str = "apa", narrative: bool = False
) -> str:
    """The in-text citation of `studies` as one group: "(Alpha et al., 2020; Zeta, 2018)",
    or narrative "Alpha et al. (2020) and Zeta (2018)". Returns "" for no studies."""
    if not studies:
        return ""
    keys = tuple(s.key for s in studies)
    if not narrative:
        return citer.format(studies, [CiteRequest(keys)], style).citations[0]
    parts = list(citer.format(studies, [CiteRequest((k,), True) for k in keys], style).citations)
    if len(parts) <= 2:
        return " and ".join(parts)
    return ", ".join(parts[:-1]) + ", and " + parts[-1]

"""Citations through a CSL processor: `Study` → CSL-JSON → pandoc's citeproc → text.

Nothing here formats a citation by hand. A *document* is one call to pandoc: every
in-text citation of a draft and its reference list are formatted together, because the
in-text form depends on the other works cited ("Carleton, Afifi, Turner, et al., 2020"
next to "Carleton, Afifi, Taillieu, et al., 2020"; 2020a/2020b; citation numbers). The
CSL files in ``styles/`` are the upstream files, byte for byte; the few pandoc
incompatibilities are patched in memory (`STYLE_PATCHES`, see ``styles/README.md``).
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import subprocess
import tempfile
import threading
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import CitationError
from .model import Reference, Run, Study

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

_CSL_TYPES = {
    "article": "article-journal", "book": "book", "chapter": "chapter", "report": "report",
    "thesis": "thesis", "conference paper": "paper-conference", "web page": "webpage",
}  # fmt: skip

# A custom pandoc writer: after citeproc, each paragraph holds one citation and the refs
# div holds the reference list. Each is written as plain text, Markdown and HTML, plus
# "runs" (text with italic/bold/link) for DOCX and PPTX, and returned as one JSON.
_WRITER = r"""
local opts = pandoc.WriterOptions{wrap_text = "wrap-none"}
local function flat(inlines)
  return pandoc.Inlines(inlines):walk{Span = function(s) return s.content end}
end
local function runs(inlines, fmt, out)
  for _, el in ipairs(inlines) do
    local t = el.t
    if t == "Str" or t == "Code" then
      table.insert(out, {text = el.text, i = fmt.i, b = fmt.b, link = fmt.link})
    elseif t == "Space" or t == "SoftBreak" or t == "LineBreak" then
      table.insert(out, {text = " ", i = fmt.i, b = fmt.b, link = fmt.link})
    elseif t == "Emph" then
      runs(el.content, {i = not fmt.i, b = fmt.b, link = fmt.link}, out)
    elseif t == "Strong" then
      runs(el.content, {i = fmt.i, b = true, link = fmt.link}, out)
    elseif t == "Link" then
      runs(el.content, {i = fmt.i, b = fmt.b, link = el.target}, out)
    elseif t == "Quoted" then
      local q = {"\u{2018}", "\u{2019}"}
      if el.quotetype == "DoubleQuote" then q = {"\u{201C}", "\u{201D}"} end
      table.insert(out, {text = q[1], i = fmt.i, b = fmt.b, link = fmt.link})
      runs(el.content, fmt, out)
      table.insert(out, {text = q[2], i = fmt.i, b = fmt.b, link = fmt.link})
    elseif el.content and t ~= "Note" then
      runs(el.content, fmt, out)
    end
  end
  return out
end
local function render(inlines, id)
  local doc = pandoc.Pandoc({pandoc.Plain(inlines)})
  return {id = id, plain = pandoc.write(doc, "plain", opts),
          markdown = pandoc.write(doc, "markdown-smart", opts),
          html = pandoc.write(doc, "html", opts), runs = runs(inlines, {}, {})}
end
function Writer(doc, _)
  local out = {cites = {}, refs = {}}
  for _, block in ipairs(doc.blocks) do
    if block.t == "Para" then
      local inner = {}
      for _, el in ipairs(block.content) do
        if el.t == "Cite" then inner = el.content end
      end
      table.insert(out.cites, render(flat(inner), ""))
    elseif block.t == "Div" and block.identifier == "refs" then
      for _, ref in ipairs(block.content) do
        local inlines = pandoc.utils.blocks_to_inlines(ref.content)
        table.insert(out.refs, render(flat(inlines), ref.identifier:gsub("^ref%-", "")))
      end
    end
  end
  return pandoc.json.encode(out)
end
"""


def style_name(style: str) -> str:
    """The canonical name of `style` (one of `STYLES`). Raises CitationError when unknown."""
    name = _ALIASES.get(style.strip().lower(), style.strip().lower())
    if name not in STYLES:
        raise CitationError(f"unknown citation style '{style}'; use one of: {', '.join(STYLES)}.")
    return name


def to_csl(study: Study, style: str = "") -> dict[str, Any]:
    """The CSL-JSON item for `study`, with the standard CSL variable names.

    Titles are given in sentence case (CSL styles title-case where they want to, but never
    sentence-case); for APA a lowercase subtitle is capitalised. The URL is left out when
    there is a DOI, which every style prefers.
    """
    item: dict[str, Any] = {"id": study.key, "type": _CSL_TYPES.get(study.entry_type, "document")}
    title = study.title_sentence or study.title
    if title:
        item["title"] = _apa_subtitle(title) if style == "apa" else title
    if study.authors:
        item["author"] = [_csl_name(p) for p in study.authors]
    if study.editors:
        item["editor"] = [_csl_name(p) for p in study.editors]
    if study.year:
        item["issued"] = {"date-parts": [[study.year]]}
    number_field = "issue" if study.entry_type in ("article", "web page") else "number"
    fields = (
        ("container-title", study.venue),
        ("publisher", study.publisher),
        ("volume", study.volume),
        (number_field, study.issue),
        ("page", study.pages),
        ("DOI", study.doi),
        ("PMID", study.pmid),
        ("URL", "" if study.doi else study.url),
    )
    item.update({name: value for name, value in fields if value})
    return item


def _csl_name(person: Any) -> dict[str, str]:
    if person.literal:
        return {"literal": person.family}
    parts = (
        ("family", person.family),
        ("given", person.given),
        ("non-dropping-particle", person.particle),
        ("suffix", person.suffix),
    )
    return {name: value for name, value in parts if value}


def _apa_subtitle(title: str) -> str:
    """APA 7 capitalises the first word of a subtitle; only all-lowercase words are touched."""
    return re.sub(r"([:?!]\s+)([a-z]+)\b", lambda m: m.group(1) + m.group(2).capitalize(), title)


@dataclass(frozen=True, slots=True)
class CiteRequest:
    """One in-text citation of a document: the works cited together, and its form."""

    keys: tuple[str, ...]
    narrative: bool = False


@dataclass(frozen=True, slots=True)
class Formatted:
    """The result of formatting one document: in-text citations in request order (plain
    text and HTML) and the reference list in the style's order."""

    citations: tuple[str, ...]
    citations_html: tuple[str, ...]
    references: tuple[Reference, ...]


class Citer:
    """Formats documents with pandoc, caching each result by its exact input."""

    def __init__(self, cache_size: int = 256) -> None:
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
            raw = _pandoc(
                _markdown(requests),
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
        cites = [
            _narrative_and(c, requests[i], studies) if style == "apa" else c
            for i, c in enumerate(raw["cites"])
        ]
        return Formatted(
            citations=tuple(c["plain"].strip() for c in cites),
            citations_html=tuple(c["html"].strip() for c in cites),
            references=tuple(_reference(r, style) for r in raw["refs"]),
        )

    def _workdir(self) -> Path:
        """A private folder for the writer script and patched styles, removed with the Citer."""
        with self._lock:
            if self._dir is None:
                path = Path(tempfile.mkdtemp(prefix="evidence-cite-"))
                (path / "writer.lua").write_text(_WRITER, encoding="utf-8")
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


def _markdown(requests: list[CiteRequest]) -> str:
    """A document with one citation per paragraph; every bibliography entry listed."""
    lines = ["---", "nocite: '@*'", "---", ""]
    for request in requests:
        cites = "; ".join(f"@{{{key}}}" for key in request.keys)
        lines += [f"@{{{request.keys[0]}}}" if request.narrative else f"[{cites}]", ""]
    return "\n".join(lines)


def _pandoc(markdown: str, args: list[str]) -> dict[str, Any]:
    import pypandoc

    command = [pypandoc.get_pandoc_path(), "-f", "markdown", *args]
    try:
        done = subprocess.run(
            command,
            input=markdown,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CitationError(
            f"could not run pandoc ({command[0]}): {exc}. Reinstall "
            "pypandoc_binary (pip install pypandoc_binary)."
        ) from None
    if done.returncode != 0:
        raise CitationError(f"pandoc failed formatting citations: {done.stderr.strip()}")
    return dict(json.loads(done.stdout))


def _reference(raw: dict[str, Any], style: str) -> Reference:
    runs = tuple(
        Run(r["text"], bool(r.get("i")), bool(r.get("b")), r.get("link") or "") for r in raw["runs"]
    )
    return Reference(
        key=raw["id"],
        text=raw["plain"].strip(),
        markdown=raw["markdown"].strip(),
        html=raw["html"].strip(),
        style=style,
        runs=_merge_runs(runs),
    )


def _merge_runs(runs: tuple[Run, ...]) -> tuple[Run, ...]:
    """Adjacent runs with the same formatting joined (fewer DOCX/PPTX runs)."""
    merged: list[Run] = []
    for run in runs:
        last = merged[-1] if merged else None
        if last and (last.italic, last.bold, last.link) == (run.italic, run.bold, run.link):
            merged[-1] = Run(last.text + run.text, run.italic, run.bold, run.link)
        else:
            merged.append(run)
    return tuple(merged)


def _narrative_and(
    cite: dict[str, Any], request: CiteRequest, studies: Sequence[Study]
) -> dict[str, Any]:
    """APA narrative citations join two authors with "and", not "&" (APA 7, 8.17).

    The APA style file uses "&" everywhere, so it is replaced here, except inside an
    organisation's own name ("Johnson & Johnson")."""
    if not request.narrative:
        return cite
    protected = [
        p.family
        for s in studies
        if s.key in request.keys
        for p in s.authors
        if p.literal and "&" in p.family
    ]
    out = dict(cite)
    for field, amp in (("plain", "&"), ("markdown", "&"), ("html", "&amp;")):
        text = cite[field]
        masks = {f"\x00{i}\x00": name.replace("&", amp) for i, name in enumerate(protected)}
        for mask, name in masks.items():
            text = text.replace(name, mask)
        text = re.sub(rf"\s{re.escape(amp)}\s", " and ", text)
        for mask, name in masks.items():
            text = text.replace(mask, name)
        out[field] = text
    return out


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

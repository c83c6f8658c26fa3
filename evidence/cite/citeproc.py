"""One citation document through pandoc's citeproc: `CiteRequest`s in, `Formatted` out.

The document is Markdown with one citation per paragraph and every bibliography entry
listed (``nocite``). A custom Lua writer (`WRITER`) returns each citation and reference as
plain text, Markdown, HTML and "runs" (for DOCX and PPTX) in one JSON, which `read_output`
turns into `Formatted`. Choosing the style and caching results is `cite.Citer`'s job.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import CitationError
from ..model import Reference, Run, Study

# A custom pandoc writer: after citeproc, each paragraph holds one citation and the refs
# div holds the reference list. Each is written as plain text, Markdown and HTML, plus
# "runs" (text with italic/bold/link) for DOCX and PPTX, and returned as one JSON.
WRITER = r"""
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


@dataclass(frozen=True, slots=True)
class CiteRequest:
    """One in-text citation of a document: the works cited together, and its form."""

    keys: tuple[str, ...]
    narrative: bool = False


@dataclass(frozen=True, slots=True)
class Formatted:
    """The result of formatting one document: in-text citations in request order (plain
    text) and the reference list in the style's order."""

    citations: tuple[str, ...]
    references: tuple[Reference, ...]


def citation_markdown(requests: Sequence[CiteRequest]) -> str:
    """A document with one citation per paragraph; every bibliography entry listed."""
    lines = ["---", "nocite: '@*'", "---", ""]
    for request in requests:
        cites = "; ".join(f"@{{{key}}}" for key in request.keys)
        lines += [f"@{{{request.keys[0]}}}" if request.narrative else f"[{cites}]", ""]
    return "\n".join(lines)


def run_pandoc(markdown: str, args: list[str]) -> dict[str, Any]:
    """The JSON pandoc writes for `markdown` run with `args`. Raises CitationError when
    pandoc cannot be run or fails."""
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


def read_output(
    raw: dict[str, Any], requests: Sequence[CiteRequest], style: str, studies: Sequence[Study]
) -> Formatted:
    """The `Formatted` document from the writer's JSON `raw` for `requests` in `style`."""
    cites = [
        _narrative_and(c, requests[i], studies) if style == "apa" else c
        for i, c in enumerate(raw["cites"])
    ]
    return Formatted(
        citations=tuple(c["plain"].strip() for c in cites),
        references=tuple(_reference(r, style) for r in raw["refs"]),
    )


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

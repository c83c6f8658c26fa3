"""A draft as the parsers read it: the marks of PDFs and web pages undone, in a copy that
maps back to the draft's own offsets.

Text copied from a PDF or a web page carries marks that are not the author's: words
hyphenated at line ends ("men-\\ntal"), DOIs and URLs wrapped at a slash or hyphen, running
headers with page numbers between pages, non-breaking and thin spaces, smart quotes and
apostrophes ("D’Anci"), soft hyphens, and in a copy of a page's HTML source its tags and
character entities (`<li>`, `<sup>3</sup>`, `&amp;`). `read_layout` undoes them in a copy,
the `View`; every parser reads the view, and `View.origin` turns its offsets back into
the draft's, so findings always point at the text the user wrote. Line endings were made
``\\n`` already (`reading.load_draft`). Linear in the length of the text.
"""

from __future__ import annotations

import bisect
import html
import re
from collections import Counter
from dataclasses import dataclass

# One character for another (offsets do not move): spaces of every width become a space,
# curly quotes and primes straight ones, Unicode hyphens the ASCII one, superscript digits
# digits.
_SAME_LENGTH = str.maketrans(
    {
        **dict.fromkeys(
            "\u00a0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000", " "
        ),  # fmt: skip
        **dict.fromkeys("\u2018\u2019\u201b\u2032\u02bc", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033", '"'),
        **dict.fromkeys("\u2010\u2011", "-"),
        # Superscript digits a web copy kept ("help-seeking³,⁴"): citation numbers.
        **{
            chr(c): str(d) for d, c in enumerate((0x2070, 0xB9, 0xB2, 0xB3, *range(0x2074, 0x207A)))
        },
    }
)
# Invisible characters a copy leaves inside words: removed.
_INVISIBLE = re.compile(r"[\u00ad\u200b\u200c\u200d\u2060\ufeff]+")
# A word broken at a line end: "men-" + newline + "tal". Only before a lowercase letter, so
# "Milligan-\nSaville" and "COVID-\n19" keep their hyphen (and their line break).
_HYPHENATED = re.compile(r"(?<=[^\W\d_]{2})-\n[ \t]*(?=[a-z])")
# A DOI or URL wrapped at its own slash or hyphen: the break goes, the character stays.
# A DOI never ends with a hyphen; a URL may end with a slash, so not before a list marker.
_WRAPPED_LINK = re.compile(
    r"(?:doi\.org/|\bdoi:\s?|\b10\.\d{4,9}/|https?://)[^\s]{0,200}"
    r"(?:-(\n[ \t]*)(?=\w)|/(\n[ \t]*)(?=[\w.])(?!\d{1,3}[.)]\s|\[\d))",
    re.IGNORECASE,
)
# A running header or footer: a short line and a page number, apart by 2+ spaces.
_FURNITURE = re.compile(
    r"[ \t]*(?:(\S.{3,99}?)[ \t]{2,}\d{1,4}|\d{1,4}[ \t]{2,}(\S.{3,99}?))[ \t]*"
)
_PAGE_OF = re.compile(r"[ \t]*(?:page|p\.)[ \t]+\d{1,4}(?:[ \t]+of[ \t]+\d{1,4})?[ \t]*", re.I)


# HTML a user pasted as source. Block tags end a line (they become spaces and a line break,
# same length, so "<li>" starts an entry); inline ones ("<sup>3</sup>", "<em>") are removed,
# so a superscript number stays glued to its word as a marker. Only these names: "p < .05"
# and "<5%" are not tags.
_TAG = re.compile(
    r"</?(?:(p|div|li|ul|ol|h[1-6]|br|hr|blockquote|table|tr|td|th|section|article|header|"
    r"footer|figure|figcaption|dl|dt|dd|main|nav|aside)|em|strong|b|i|u|s|sup|sub|span|a|"
    r"cite|small|mark|abbr|font)\b(?:\s[^<>]{0,300})?/?>",
    re.IGNORECASE,
)
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-f]{1,6}|[a-z]{2,8});", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class View:
    """The draft's normalised `text`, and where each of its characters was in the draft.

    Only deletions shift offsets: `cuts[i]` is a view offset from which `shifts[i]` more
    draft characters lie behind it in all.
    """

    text: str
    cuts: tuple[int, ...] = ()
    shifts: tuple[int, ...] = ()

    def origin(self, offset: int) -> int:
        """The draft offset of the view's character at `offset` (for a start)."""
        i = bisect.bisect_right(self.cuts, offset) - 1
        return offset + (self.shifts[i] if i >= 0 else 0)

    def origin_end(self, offset: int) -> int:
        """The draft offset just after the view's character before `offset` (for an end)."""
        return self.origin(offset - 1) + 1 if offset > 0 else 0

    def locate(self, offset: int) -> int:
        """The view offset of draft offset `offset` (of the next kept character when the
        draft's character there was removed)."""
        lo, hi = 0, len(self.cuts)
        while lo < hi:  # the last cut whose first character lies at or before `offset`
            mid = (lo + hi) // 2
            if self.cuts[mid] + self.shifts[mid] <= offset:
                lo = mid + 1
            else:
                hi = mid
        found = offset - (self.shifts[lo - 1] if lo else 0)
        return min(found, self.cuts[lo]) if lo < len(self.cuts) else found


def read_layout(text: str) -> View:
    """The view of draft `text`: same-length swaps, then the deletions described above."""
    swapped, markup = _markup(text)
    swapped = swapped.translate(_SAME_LENGTH)
    deletions = sorted(_deletions(swapped) + markup)
    if not deletions:
        return View(swapped)
    pieces, cuts, shifts = [], [], []
    at, removed, length = 0, 0, 0
    for start, end in deletions:
        if start < at:  # overlapping spans: the earlier one already took these characters
            start = at
        if end <= start:
            continue
        pieces.append(swapped[at:start])
        length += start - at
        removed += end - start
        cuts.append(length)
        shifts.append(removed)
        at = end
    pieces.append(swapped[at:])
    return View("".join(pieces), tuple(cuts), tuple(shifts))


def _markup(text: str) -> tuple[str, list[tuple[int, int]]]:
    """`text` with HTML block tags made line ends and entities their character (in their
    first place), and the spans to delete: inline tags and the rest of each entity."""
    if "<" not in text and "&" not in text:
        return text, []
    chars, spans = list(text), []
    for match in _TAG.finditer(text):
        start, end = match.span()
        if match.group(1) is None:
            spans.append((start, end))
        else:
            chars[start : end - 1], chars[end - 1] = " " * (end - 1 - start), "\n"
    for match in _ENTITY.finditer(text):
        char = html.unescape(match.group(0))
        if len(char) == 1 and char != match.group(0):
            chars[match.start()] = char
            spans.append((match.start() + 1, match.end()))
    return "".join(chars), spans


def _deletions(text: str) -> list[tuple[int, int]]:
    spans = [m.span() for m in _INVISIBLE.finditer(text)]
    spans += [m.span() for m in _HYPHENATED.finditer(text)]
    spans += [m.span(1) if m.group(1) is not None else m.span(2)
              for m in _WRAPPED_LINK.finditer(text)]  # fmt: skip
    spans += _furniture(text)
    return spans


def _furniture(text: str) -> list[tuple[int, int]]:
    """The lines of running headers and footers (with their line break): a line of text and
    a page number that recurs, as PDF-to-text copies leave at every page, or "Page 3 of 9"."""
    lines: list[tuple[int, int, str]] = []
    at = 0
    for line in text.split("\n"):
        lines.append((at, at + len(line), line))
        at += len(line) + 1
    keys: list[str] = []
    for _, _, line in lines:
        match = _FURNITURE.fullmatch(line) if len(line) <= 120 else None
        keys.append(" ".join((match.group(1) or match.group(2)).split()) if match else "")
    counts = Counter(k for k in keys if k)
    found = []
    for (start, end, line), key in zip(lines, keys, strict=True):
        if key and counts[key] >= 2 or len(line) <= 30 and _PAGE_OF.fullmatch(line):
            found.append((start, min(end + 1, len(text))))
    return found

"""LaTeX → Unicode for BibTeX field values, fast where it matters.

Most values hold no LaTeX at all, and most that do hold only accents, escapes and
dashes. Those are decoded here with a few regular-expression passes; only values with
constructs left over (math, unknown macros) go through pylatexenc, which is exact but
about 30 times slower (see ECOSYSTEM.md, trap 2).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

# Escaped characters become private-use placeholders so that later passes
# (brace stripping, tildes, math) leave them alone; restored at the end.
_PLACEHOLDER = {ch: chr(0xE000 + i) for i, ch in enumerate("&%$#_{}\\~^")}
_RESTORE_MAP = {v: k for k, v in _PLACEHOLDER.items()}
_RE_PLACEHOLDER = re.compile("[\ue000-\ue00f]")

# Markers around case-protected groups when `mark_protected=True` (see `sentence_case`).
PROTECT_OPEN = "\x0e"
PROTECT_CLOSE = "\x0f"

_ACCENTS = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
    "b": "\u0331",
    "d": "\u0323",
    "t": "\u0361",
}

_SYMBOLS = {
    "ss": "ß",
    "o": "ø",
    "O": "Ø",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
    "l": "ł",
    "L": "Ł",
    "i": "ı",
    "j": "ȷ",
    "dh": "ð",
    "DH": "Ð",
    "th": "þ",
    "TH": "Þ",
    "ng": "ŋ",
    "NG": "Ŋ",
    "dj": "đ",
    "DJ": "Đ",
    "textbackslash": _PLACEHOLDER["\\"],
    "textasciitilde": _PLACEHOLDER["~"],
    "textasciicircum": _PLACEHOLDER["^"],
    "textbraceleft": _PLACEHOLDER["{"],
    "textbraceright": _PLACEHOLDER["}"],
    "textunderscore": "_",
    "textdollar": _PLACEHOLDER["$"],
    "textendash": "–",
    "textemdash": "—",
    "ldots": "…",
    "dots": "…",
    "textellipsis": "…",
    "textquoteleft": "‘",
    "textquoteright": "’",
    "textquotedblleft": "“",
    "textquotedblright": "”",
    "textquotesingle": "'",
    "textquotedbl": '"',
    "guillemotleft": "«",
    "guillemotright": "»",
    "textregistered": "®",
    "texttrademark": "™",
    "copyright": "©",
    "textcopyright": "©",
    "textdegree": "°",
    "S": "§",
    "P": "¶",
    "textperiodcentered": "·",
    "textbullet": "•",
    "pounds": "£",
    "euro": "€",
    "texteuro": "€",
    "textless": "<",
    "textgreater": ">",
    "textbar": "|",
    "textpercent": "%",
    "textsection": "§",
    "textmu": "µ",
    "textpm": "±",
    "LaTeX": "LaTeX",
    "TeX": "TeX",
    "BibTeX": "BibTeX",
    "relax": "",
    "noopsort": "",
    "quad": " ",
    "qquad": " ",
    "hfill": " ",
    "newline": " ",
    "par": " ",
    "break": " ",
    "allowbreak": "",
    "protect": "",
    "nobreak": "",
    "slash": "/",
    "textslash": "/",
}

# Math-mode names decoded without pylatexenc.
_MATH = {
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "epsilon": "ε",
    "varepsilon": "ε",
    "zeta": "ζ",
    "eta": "η",
    "theta": "θ",
    "kappa": "κ",
    "lambda": "λ",
    "mu": "μ",
    "nu": "ν",
    "xi": "ξ",
    "pi": "π",
    "rho": "ρ",
    "sigma": "σ",
    "tau": "τ",
    "phi": "φ",
    "varphi": "φ",
    "chi": "χ",
    "psi": "ψ",
    "omega": "ω",
    "Gamma": "Γ",
    "Delta": "Δ",
    "Theta": "Θ",
    "Lambda": "Λ",
    "Sigma": "Σ",
    "Phi": "Φ",
    "Psi": "Ψ",
    "Omega": "Ω",
    "pm": "±",
    "times": "×",
    "cdot": "·",
    "leq": "≤",
    "le": "≤",
    "geq": "≥",
    "ge": "≥",
    "neq": "≠",
    "ne": "≠",
    "approx": "≈",
    "sim": "~",
    "infty": "∞",
    "circ": "°",
    "degree": "°",
    "rightarrow": "→",
    "to": "→",
    "leftarrow": "←",
    "ell": "ℓ",
    "prime": "′",
    "%": "%",
    "sqrt": "√",
    "log": "log",
    "ln": "ln",
}

# One-argument commands whose argument is kept (formatting, links, quotes).
_KEEP_ARG = {
    "emph",
    "textit",
    "textbf",
    "textsc",
    "textrm",
    "textsf",
    "texttt",
    "textup",
    "textsl",
    "textmd",
    "textnormal",
    "mkbibemph",
    "mkbibbold",
    "mkbibitalic",
    "mbox",
    "hbox",
    "url",
    "nolinkurl",
    "path",
    "textsuperscript",
    "textsubscript",
    "uppercase",
    "lowercase",
    "MakeUppercase",
    "MakeLowercase",
    "text",
    "mathrm",
    "mathit",
    "mathbf",
    "mathsf",
    "mathtt",
    "operatorname",
    "ensuremath",
    "NoCaseChange",
    "bibstring",
    "foreignlanguage",
    "textenglish",
    "emph*",
    "it",
    "bf",
    "sc",
    "em",
    "rm",
    "tt",
    "sf",
    "small",
    "footnotesize",
}
_QUOTE_ARG = {"enquote", "mkbibquote", "textquote"}

_RE_ESCAPE = re.compile(r"\\([&%$#_{}])")
_RE_SPACING = re.compile(r"\\[,;:!> ]|\\(?:q?quad|enspace|thinspace|hspace\*?\{[^{}]*\})")
_RE_SOFT = re.compile(r"\\[-/]")
_RE_LINEBREAK = re.compile(r"\\\\(?:\[[^\]]*\])?")
_RE_ACCENT = re.compile(
    r"\\([\'`^\"~=.])\s*(?:\{\s*(\\[ij]|[A-Za-z])\s*\}|(\\[ij](?![A-Za-z])|[A-Za-z]))"
    r"|\\([uvHckrbdt])(?:\s*\{\s*(\\[ij]|[A-Za-z])\s*\}|\s+(\\[ij](?![A-Za-z])|[A-Za-z]))"
)
_RE_SYMBOL = re.compile(r"\\([A-Za-z]+)(?:\{\}|\s+(?=[A-Za-z]))?")
_RE_HREF = re.compile(r"\\href\s*\{([^{}]*)\}\s*\{([^{}]*)\}")
_RE_ONE_ARG = re.compile(r"\\([A-Za-z]+\*?)\s*\{([^{}]*)\}")
_RE_URL = re.compile(r"\\(?:url|nolinkurl)\s*\{([^{}]*)\}")
_RE_CHARCODE = re.compile(r"\\symbol\s*\{(\d{1,5})\}")
_RE_MATH = re.compile(r"\$([^$]*)\$")
_RE_MATH_NAME = re.compile(r"\\([A-Za-z]+|%)")
_RE_SCRIPT = re.compile(r"([\^_])\{([^{}]*)\}|([\^_])(\S)")
_RE_LEFTOVER = re.compile(r"\\[A-Za-z]")
_RE_SPACES = re.compile(r"\s+")
_SUPER = str.maketrans("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ")
_SUB = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")


def needs_decoding(value: str) -> bool:
    """Return True when `value` contains anything LaTeX could change."""
    # Plain substring tests: several times faster than one alternation regex.
    return (
        "\\" in value
        or "{" in value
        or "}" in value
        or "$" in value
        or "~" in value
        or "--" in value
        or "``" in value
        or "''" in value
    )


@lru_cache(maxsize=8192)
def decode_latex(value: str, mark_protected: bool = False, keep_braces: bool = False) -> str:
    """Return `value` with LaTeX accents, escapes, dashes, quotes and markup turned to Unicode.

    `keep_braces=True` leaves ``{...}`` groups in place (for splitting names, where a
    braced group is one token). `mark_protected=True` wraps case-protected groups in
    PROTECT_OPEN/PROTECT_CLOSE instead of dropping their braces. Never raises.
    """
    if not needs_decoding(value):
        return _normalise_space(value)
    text = _decode_fast(value)
    if _RE_LEFTOVER.search(text):
        text = _decode_fallback(text)
    if "{" in text or "}" in text:
        text = _finish_braces(text, mark_protected, keep_braces)
    if _RE_PLACEHOLDER.search(text):
        text = _RE_PLACEHOLDER.sub(lambda m: _RESTORE_MAP[m.group(0)], text)
    return _normalise_space(text)


def _normalise_space(text: str) -> str:
    if "  " in text or "\n" in text or "\t" in text or "\r" in text or "\u00a0" in text:
        text = _RE_SPACES.sub(" ", text)
    return text.strip()


def _decode_fast(value: str) -> str:
    # Each pass runs only when its trigger is present: most values need one or two.
    text = value
    if "\\" in text:
        text = _RE_URL.sub(_url, text)
        text = _RE_ESCAPE.sub(lambda m: _PLACEHOLDER.get(m.group(1), m.group(1)), text)
        text = text.replace("\\textbackslash", _PLACEHOLDER["\\"] + "{}")
    if "$" in text:
        text = _RE_MATH.sub(_math, text)
    if "\\" in text:
        text = _RE_LINEBREAK.sub(" ", text)
        text = _RE_SPACING.sub(" ", text)
        text = _RE_SOFT.sub("", text)
        text = _RE_ACCENT.sub(_accent, text)
        text = _RE_CHARCODE.sub(
            lambda m: _PLACEHOLDER.get(chr(int(m.group(1))), chr(int(m.group(1)))), text
        )
        text = _expand_commands(text)
        text = _RE_SYMBOL.sub(_symbol, text)
    if "--" in text:
        text = text.replace("---", "—").replace("--", "–")
    if "`" in text or "''" in text:
        text = text.replace("``", "“").replace("''", "”")
    if "~" in text:
        text = text.replace("~", " ")
    return text


def _url(match: re.Match[str]) -> str:
    """Keep a URL verbatim: its ~, %, _ and # are not LaTeX."""
    return "".join(_PLACEHOLDER.get(ch, ch) for ch in match.group(1))


def _accent(match: re.Match[str]) -> str:
    mark = match.group(1) or match.group(4)
    base = match.group(2) or match.group(3) or match.group(5) or match.group(6) or ""
    base = {"\\i": "i", "\\j": "j"}.get(base, base)
    return unicodedata.normalize("NFC", base + _ACCENTS[mark])


def _math(match: re.Match[str]) -> str:
    body = _expand_commands(match.group(1))
    body = _RE_SCRIPT.sub(_script, body)
    body = _RE_MATH_NAME.sub(lambda m: _MATH.get(m.group(1), m.group(0)), body)
    return body.replace("{", "").replace("}", "")


def _script(match: re.Match[str]) -> str:
    kind = match.group(1) or match.group(3)
    body = match.group(2) if match.group(2) is not None else match.group(4)
    if body.strip() in ("\\circ", "o"):
        return "°"
    if body and all(ch in "0123456789+-=()" for ch in body):
        return body.translate(_SUPER if kind == "^" else _SUB)
    return body  # "4^{ème}" reads as "4ème"


def _expand_commands(text: str) -> str:
    """Unwrap one-argument formatting commands, innermost first."""
    for _ in range(8):
        new = _RE_HREF.sub(lambda m: m.group(2), text)
        new = _RE_ONE_ARG.sub(_one_arg, new)
        if new == text:
            break
        text = new
    return text


def _one_arg(match: re.Match[str]) -> str:
    name, arg = match.group(1), match.group(2)
    if name in _KEEP_ARG:
        return arg
    if name in _QUOTE_ARG:
        return "“" + arg + "”"
    if name in _SYMBOLS and not arg:
        return _SYMBOLS[name]
    return match.group(0)  # unknown: left for the fallback


def _symbol(match: re.Match[str]) -> str:
    name = match.group(1)
    return _SYMBOLS.get(name, match.group(0))


def _decode_fallback(text: str) -> str:
    """Decode what the fast passes left, with pylatexenc; drop macro names if it fails."""
    try:
        from pylatexenc.latex2text import LatexNodes2Text

        converter: Any = _converter(LatexNodes2Text)
        return str(converter.latex_to_text(text))
    except Exception:  # pylatexenc raises on some malformed input (e.g. spaced \href args)
        return re.sub(r"\\[A-Za-z]+\*?", "", text)


@lru_cache(maxsize=1)
def _converter(cls: type) -> object:
    return cls(keep_braced_groups=True, math_mode="text", strict_latex_spaces=True)


def _finish_braces(text: str, mark_protected: bool, keep_braces: bool) -> str:
    if keep_braces:
        return text
    if not mark_protected:
        return text.replace("{", "").replace("}", "")
    out: list[str] = []
    depth = 0
    for ch in text:
        if ch == "{":
            if depth == 0:
                out.append(PROTECT_OPEN)
            depth += 1
        elif ch == "}":
            if depth > 0:
                depth -= 1
                if depth == 0:
                    out.append(PROTECT_CLOSE)
        else:
            out.append(ch)
    if depth:
        out.append(PROTECT_CLOSE)
    return "".join(out)

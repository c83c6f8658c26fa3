"""Who may change the library: the import token, and the rule for serving beyond loopback.

Imports are the only routes that change what the server holds (the basket lives in the
visitor's own cookie). When the app's ``TOKEN`` is set, they need it: in the
``X-Evidence-Token`` header, as ``Authorization: Bearer …``, or (the import form, which
works without JavaScript) in the form field ``token``. `evidence serve` sets ``TOKEN`` from
``EVIDENCE_TOKEN`` and refuses to listen beyond loopback without one. The token is compared
in constant time and never written into a page or a log.
"""

from __future__ import annotations

import functools
import hmac
import ipaddress
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, request

from evidence import EvidenceError

HEADER = "X-Evidence-Token"
FORM_FIELD = "token"
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
MIN_TOKEN_CHARS = 16
MIN_TOKEN_CLASSES = 3
NEW_TOKEN_HINT = 'python -c "import secrets; print(secrets.token_urlsafe(24))"'

View = TypeVar("View", bound=Callable[..., Any])


class Unauthorized(EvidenceError):
    """A request that changes the library came without the server's token (401)."""


class UnsafeServer(EvidenceError):
    """The server would be reachable from other machines without an import token."""


def token_required() -> bool:
    """True when this app's state-changing routes need the token."""
    return bool(current_app.config.get("TOKEN"))


def check_token() -> None:
    """Return when the request may change the library. Raises Unauthorized otherwise."""
    expected = current_app.config.get("TOKEN")
    if not expected:
        return
    sent = request.headers.get(HEADER, "")
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if not sent and scheme.lower() == "bearer":
        sent = credentials.strip()
    if not sent and request.mimetype in FORM_TYPES:
        sent = request.form.get(FORM_FIELD, "")  # parsed within MAX_CONTENT_LENGTH (else 413)
    if not sent:
        raise Unauthorized(
            f"importing on this server needs its access token: send it in the {HEADER} "
            "header (or fill in the form's token field). Ask whoever runs the server."
        )
    if not hmac.compare_digest(sent.encode("utf-8"), str(expected).encode("utf-8")):
        raise Unauthorized("the access token is not this server's; check it and try again.")


def requires_token(view: View) -> View:
    """Decorate a view that changes the library: `check_token` runs first."""

    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        check_token()
        return view(*args, **kwargs)

    return guarded  # type: ignore[return-value]


def check_serving(host: str, token: str | None) -> None:
    """Refuse to serve beyond loopback without a strong enough import token.

    Raises UnsafeServer saying how to make a token, or to listen on 127.0.0.1 instead.
    """
    if is_loopback(host):
        return
    if not token:
        raise UnsafeServer(
            f"refusing to listen on {host}: other machines could import into the library. "
            f"Set EVIDENCE_TOKEN to a secret of at least {MIN_TOKEN_CHARS} characters (make "
            f"one with: {NEW_TOKEN_HINT}) and give it to the people who import, or listen on "
            "127.0.0.1 (the default)."
        )
    weakness = token_weakness(token)
    if weakness:
        raise UnsafeServer(
            f"EVIDENCE_TOKEN {weakness}; a server on {host} needs a token of at least "
            f"{MIN_TOKEN_CHARS} characters from at least {MIN_TOKEN_CLASSES} kinds (lower case, "
            f"upper case, digits, others). Make one with: {NEW_TOKEN_HINT}"
        )


def token_weakness(token: str) -> str:
    """Why `token` is too weak to guard a server beyond loopback, or ``""``."""
    if len(token) < MIN_TOKEN_CHARS:
        return f"is {len(token)} characters"
    if len(set(token)) < MIN_TOKEN_CHARS // 2:
        return "repeats too few different characters"
    kinds = (str.islower, str.isupper, str.isdigit)
    classes = sum(any(test(c) for c in token) for test in kinds)
    classes += any(not (c.isalnum() or c.isspace()) for c in token)
    if classes < MIN_TOKEN_CLASSES or token.strip() != token:
        return f"uses {classes} kind(s) of character" if token.strip() == token else "has spaces"
    return ""


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False

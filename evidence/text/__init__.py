"""Text helpers shared by ingest and audit: bytes → text, sentences, identifiers, files.

In: bytes or text from a user's file (any common encoding, CRLF or CR). Out: clean text
with LF line endings (`decode_bytes`, `read_text`), sentence spans with exact offsets
(`split_sentences`), and atomic file writes (`write_atomic`).
"""

from .decode import decode_bytes, read_text
from .files import write_atomic
from .sentences import split_sentences

__all__ = ["decode_bytes", "read_text", "split_sentences", "write_atomic"]

"""Bytes → text, with the decision explained and unusable input refused.

UTF-8 (BOM stripped) and UTF-16 with a BOM are read as such; anything else
that is not valid UTF-8 falls back to an encoding the document declares (HTML),
then cp1252, then latin-1, which never fails. Fallbacks come back as a note.
"""

from __future__ import annotations

import codecs
import os
import re
from pathlib import Path

MAX_FILE_BYTES = 20 * 1024 * 1024  # whole-file formats (.txt, .json, .html)
MAX_LINE_BYTES = MAX_FILE_BYTES  # one line of a .jsonl file
SNIFF_CHARS = 8192  # how much of the input the binary check looks at
MAX_CONTROL_SHARE = 0.1

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_META_CHARSET_RE = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([\w.:-]{1,40})""", re.IGNORECASE)
_META_SNIFF_BYTES = 4096
# Control characters other than tab, newlines and form feed, as bytes (the same in UTF-8 and 8-bit codes).
_CONTROL_BYTES = bytes(range(9)) + b"\x0b" + bytes(range(14, 32)) + b"\x7f"
_MB = 1024 * 1024


class Unreadable(Exception):
    """Input that holds no usable text; ``str()`` is the reason shown to users."""


def too_large(size: int, limit: int, what: str = "file") -> Unreadable:
    """The refusal for a file (or line) of ``size`` bytes, over ``limit``."""
    return Unreadable(f"{what} too large ({size / _MB:.1f} MB > {limit // _MB} MB)")


def is_utf16(data: bytes) -> bool:
    """Whether ``data`` starts with a UTF-16 byte order mark."""
    return data[:2] in _UTF16_BOMS


def decode(data: bytes, declared: str | None = None) -> tuple[str, str | None]:
    """Decode ``data`` → ``(text, note)``; ``note`` says why a fallback was used.

    ``declared`` is an encoding the document names for itself, tried after UTF-8.
    Raises :class:`Unreadable` for binary data (NUL bytes outside UTF-16, or
    many control characters).
    """
    if is_utf16(data):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise Unreadable("binary file (invalid UTF-16 after a UTF-16 byte order mark)") from None
        if _mostly_controls(text[:SNIFF_CHARS].encode("utf-8", "surrogatepass")):
            raise Unreadable("binary file")
        return text, None
    if b"\x00" in data or _mostly_controls(data[:SNIFF_CHARS]):
        raise Unreadable("binary file")
    return _decode_8bit(data, declared)


def _mostly_controls(sample: bytes) -> bool:
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls > MAX_CONTROL_SHARE * len(sample)


def _decode_8bit(data: bytes, declared: str | None) -> tuple[str, str | None]:
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    for encoding in (declared, "cp1252"):
        if not encoding or encoding.lower().startswith("utf"):
            continue
        try:
            return data.decode(encoding), f"decoded as {encoding}: not valid UTF-8"
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("latin-1"), "decoded as latin-1: not valid UTF-8 or cp1252"


def read_text(path: Path, html: bool = False) -> tuple[str, str | None]:
    """Read a whole file as text → ``(text, note)``, refusing what :func:`decode` refuses.

    Also refuses files over :data:`MAX_FILE_BYTES` (without reading them),
    empty files and files holding only whitespace. With ``html``, the charset
    a ``<meta>`` tag declares is tried after UTF-8.
    """
    data = read_limited(path, MAX_FILE_BYTES)
    if not data:
        raise Unreadable("empty file")
    meta = _META_CHARSET_RE.search(data, 0, _META_SNIFF_BYTES) if html else None
    text, note = decode(data, meta.group(1).decode("ascii") if meta else None)
    if not text.strip():
        raise Unreadable("no text (only whitespace)")
    return text, note


def read_limited(path: Path, limit: int) -> bytes:
    """The bytes of ``path``, or :class:`Unreadable` if it is over ``limit`` bytes."""
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size > limit:
            raise too_large(size, limit)
        data = f.read(size + 1)  # read(limit) would allocate ``limit`` bytes every time
        if len(data) > size:  # the file grew since fstat
            data += f.read(limit + 1 - len(data))
    if len(data) > limit:
        raise too_large(len(data), limit)
    return data

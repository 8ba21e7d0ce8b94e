"""Text from outside (standard input, arguments): any bytes in, valid text out.

Undecodable bytes become U+FFFD, a line is read in bounded pieces however long it is, and a line
longer than MAX_CHARS is answered at once as not understood: no one says a thousand characters,
and matching them would keep the coach busy for seconds.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import BinaryIO

MAX_CHARS = 1000   # characters in one utterance; longer lines are not understood
_READ = 4 * MAX_CHARS


def clean(text: str) -> str:
    """A str as Python got it from argv or a lenient decode (lone surrogates for bad bytes) made
    valid: each undecodable byte becomes U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def read_lines(stream: BinaryIO) -> Iterator[str]:
    """Lines of a binary stream, decoded leniently, without their newline. A line longer than
    MAX_CHARS is cut there (the rest is read and dropped, a piece at a time) and marked: it ends
    in TOO_LONG."""
    while True:
        raw = stream.readline(_READ)
        if not raw:
            return
        too_long = not raw.endswith(b"\n") and len(raw) >= _READ
        while too_long:
            rest = stream.readline(_READ)
            if not rest or rest.endswith(b"\n"):
                break
        text = raw.decode("utf-8", "replace").rstrip("\r\n")
        if too_long or len(text) > MAX_CHARS:
            text = text[:MAX_CHARS] + TOO_LONG
        yield text


TOO_LONG = "\u2026"   # the mark of a line cut at MAX_CHARS


def is_too_long(text: str) -> bool:
    return len(text) > MAX_CHARS


def understand(understanding, text: str):
    """``understanding.understand(text)``, but a line longer than MAX_CHARS is not understood, at once."""
    if is_too_long(text):
        from assistant.language.understanding import Kind
        return dataclasses.replace(understanding.understand(""), text=text[:80] + TOO_LONG, kind=Kind.UNCLEAR)
    return understanding.understand(text)

"""A file in the cache folder, holding one pickled value: read only when whole and of the kind
asked for, written in one step. Pure but for the files.

Losing or damaging one costs only time: a cache that cannot be read is made anew, and one that
cannot be written is not kept (both logged for developers, never shown to the user).

Large arrays (numpy's, through pickle protocol 5) are kept beside the pickle in the same file and
mapped into memory when it is read, not copied: the understanding's 20 MB of tables took 35 ms of
its 200 ms start to copy, page by page into fresh memory, and an utterance touches only a few
hundred rows of them. Mapped arrays are read-only, and the page cache shares them between
processes. The file is replaced, never changed in place, so a mapping stays whole.
"""

from __future__ import annotations

import logging
import mmap
import os
import pickle
import struct
from pathlib import Path
from typing import BinaryIO, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")

MAGIC = b"BBCACHE2"
_HEAD = struct.Struct("<8sQQ")   # MAGIC, length of the pickle, number of arrays beside it
_SPAN = struct.Struct("<QQ")     # where one array begins in the file, and its length in bytes
_ALIGN = 64                      # each array begins on a cache line, as numpy's own allocations do
_BESIDE_FROM = 1 << 16           # smaller arrays stay inside the pickle: mapping them gains nothing
_MAP_FROM = 1 << 20              # smaller files are simply read


def read(path: Path, kind: type[T]) -> T | None:
    """The value kept in ``path``, or None when there is none, or it is damaged or of another kind."""
    try:
        with open(path, "rb") as f:
            data = memoryview(_mapped(f) if os.fstat(f.fileno()).st_size >= _MAP_FROM else f.read())
        value = _loads(data)
    except FileNotFoundError:
        return None
    except Exception as err:  # a damaged cache is made anew, never fatal
        log.warning("cache file %s unreadable (%r); making it anew", path, err)
        return None
    if not isinstance(value, kind):
        log.warning("cache file %s holds a %s, not a %s; making it anew", path, type(value).__name__, kind.__name__)
        return None
    return value


def _mapped(f: BinaryIO) -> mmap.mmap | bytes:
    try:
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError) as err:   # a file system that cannot map files: read it whole
        log.info("cannot map %s (%r); reading it", f.name, err)
        return f.read()


def _loads(data: memoryview) -> object:
    if data[:len(MAGIC)] != MAGIC:
        return pickle.loads(data)    # a plain pickle, as this program wrote before it kept arrays beside
    _, length, count = _HEAD.unpack_from(data)
    start = _HEAD.size + count * _SPAN.size
    spans = [_SPAN.unpack_from(data, _HEAD.size + i * _SPAN.size) for i in range(count)]
    if start + length > len(data) or any(at < start + length or at + n > len(data) for at, n in spans):
        raise ValueError(f"cut short: {len(data)} bytes")
    return pickle.loads(data[start:start + length], buffers=[data[at:at + n] for at, n in spans])


def write(path: Path, value: object) -> bool:
    """Keep ``value`` in ``path``, replacing it in one step (another process may read it at the
    same time); whether it was kept."""
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays: list[memoryview] = []

        def beside(buffer: pickle.PickleBuffer) -> bool:
            raw = buffer.raw()
            if raw.nbytes < _BESIDE_FROM:
                return True     # inside the pickle
            arrays.append(raw)
            return False

        stream = pickle.dumps(value, protocol=5, buffer_callback=beside)
        at = _HEAD.size + len(arrays) * _SPAN.size + len(stream)
        spans = []
        for raw in arrays:
            at = -(-at // _ALIGN) * _ALIGN
            spans.append((at, raw.nbytes))
            at += raw.nbytes
        with open(tmp, "wb") as out:
            out.write(_HEAD.pack(MAGIC, len(stream), len(arrays)))
            for span in spans:
                out.write(_SPAN.pack(*span))
            out.write(stream)
            for (at, _), raw in zip(spans, arrays, strict=True):
                out.write(bytes(at - out.tell()))
                out.write(raw)
        os.replace(tmp, path)
    except OSError as err:
        log.info("could not keep cache file %s: %r", path, err)
        try:
            tmp.unlink(missing_ok=True)     # a disk that filled up gets its space back
        except OSError:
            pass
        return False
    return True

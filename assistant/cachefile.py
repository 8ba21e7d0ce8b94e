"""A file in the cache folder, holding one pickled value: read only when whole and of the kind
asked for, written in one step. Pure but for the files.

Losing or damaging one costs only time: a cache that cannot be read is made anew, and one that
cannot be written is not kept (both logged for developers, never shown to the user).
"""

from __future__ import annotations

import logging
import os
import pickle
from pathlib import Path
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


def read(path: Path, kind: type[T]) -> T | None:
    """The value kept in ``path``, or None when there is none, or it is damaged or of another kind."""
    try:
        with open(path, "rb") as f:
            value = pickle.load(f)
    except FileNotFoundError:
        return None
    except Exception as err:  # a damaged cache is made anew, never fatal
        log.warning("cache file %s unreadable (%r); making it anew", path, err)
        return None
    if not isinstance(value, kind):
        log.warning("cache file %s holds a %s, not a %s; making it anew", path, type(value).__name__, kind.__name__)
        return None
    return value


def write(path: Path, value: object) -> bool:
    """Keep ``value`` in ``path``, replacing it in one step (another process may read it at the
    same time); whether it was kept."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as out:
            pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError as err:
        log.info("could not keep cache file %s: %r", path, err)
        return False
    return True

"""Loads the TOML files in prompts/: the words the program speaks and understands. Pure but for
reading the files.

Each file is checked at load against its schema (assistant/prompt_schema.py): a missing, misspelt
or wrongly typed key fails at start-up with the file and the key named, never as a KeyError in the
middle of a session. A file that passed once is remembered by its digest in the cache folder,
parsed, so an unchanged file is neither parsed nor checked at every start (reading the TOML took
a third of the understanding's start-up). The code reads the checked contents as nested mappings.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
from functools import cache
from pathlib import Path

from assistant import paths
from assistant.errors import UserError

log = logging.getLogger(__name__)


def check(name: str, data: dict, where: Path) -> None:
    """Raise UserError naming the file and the key when ``data`` does not fit the schema."""
    from assistant.prompt_schema import check as check_schema
    check_schema(name, data, where)


def _checked_copy(name: str, raw: bytes) -> Path:
    digest = hashlib.sha256(name.encode("utf-8") + b"\0" + raw + _schema_code()).hexdigest()[:32]
    return paths.cache_dir() / "prompts-checked" / f"{digest}.pickle"


@cache
def _schema_code() -> bytes:
    return (Path(__file__).parent / "prompt_schema.py").read_bytes()


@cache
def _load(path: Path) -> dict:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"Het tekstbestand {path.name} ontbreekt in {path.parent}.", str(path)) from None
    copy = _checked_copy(path.stem, raw)
    try:
        with open(copy, "rb") as f:
            data = pickle.load(f)
        if isinstance(data, dict):
            return data
        log.warning("checked copy %s of %s holds something else; reading the file again", copy, path)
    except FileNotFoundError:
        pass
    except Exception as err:  # a damaged copy is made anew, never fatal
        log.warning("checked copy %s of %s unreadable (%r); reading the file again", copy, path, err)
    import tomllib  # only here: compiling its patterns alone costs more than reading every copy
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise UserError(f"Het tekstbestand {path.name} bevat een fout; controleer het.", str(err)) from None
    check(path.stem, data, path)
    try:
        copy.parent.mkdir(parents=True, exist_ok=True)
        tmp = copy.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as out:
            pickle.dump(data, out, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(copy)
    except OSError as err:   # a cache we cannot write only costs time
        log.info("could not keep the checked copy of %s: %r", path, err)
    return data


def load(name: str, directory: Path | None = None) -> dict:
    """The parsed and checked contents of prompts/<name>.toml."""
    return _load((directory or paths.prompts_dir()) / f"{name}.toml")

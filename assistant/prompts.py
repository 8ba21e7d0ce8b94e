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
from functools import cache
from pathlib import Path

from assistant import cachefile, paths
from assistant.errors import UserError


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
    data = cachefile.read(copy, dict)
    if data is not None:
        return data
    import tomllib  # only here: compiling its patterns alone costs more than reading every copy
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise UserError(f"Het tekstbestand {path.name} bevat een fout; controleer het.", str(err)) from None
    check(path.stem, data, path)
    cachefile.write(copy, data)
    return data


def load(name: str, directory: Path | None = None) -> dict:
    """The parsed and checked contents of prompts/<name>.toml."""
    return _load((directory or paths.prompts_dir()) / f"{name}.toml")

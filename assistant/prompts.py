"""Loads the TOML files in prompts/: the words the program speaks and understands."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

from assistant import paths
from assistant.errors import UserError


@lru_cache(maxsize=None)
def _load(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"Het tekstbestand {path.name} ontbreekt in {path.parent}.", str(path)) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise UserError(f"Het tekstbestand {path.name} bevat een fout; controleer het.", str(err)) from None


def load(name: str, directory: Path | None = None) -> dict:
    """The parsed contents of prompts/<name>.toml."""
    return _load((directory or paths.prompts_dir()) / f"{name}.toml")

"""Where the program keeps its files: config, data, cache and prompts."""

from __future__ import annotations

import os
from pathlib import Path

APP = "bekkenbodem-coach"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _xdg(var: str, fallback: str) -> Path:
    value = os.environ.get(var)
    return Path(value) if value else Path.home() / fallback


def config_file() -> Path:
    """The user's TOML settings file (it need not exist)."""
    override = os.environ.get("BEKKENBODEM_CONFIG")
    if override:
        return Path(override)
    return _xdg("XDG_CONFIG_HOME", ".config") / APP / "config.toml"


def data_dir(override: str | os.PathLike | None = None) -> Path:
    """The user's data directory: --data-dir, then $BEKKENBODEM_HOME, then XDG."""
    if override:
        return Path(override)
    env = os.environ.get("BEKKENBODEM_HOME")
    if env:
        return Path(env)
    return _xdg("XDG_DATA_HOME", ".local/share") / APP


def cache_dir() -> Path:
    """Rendered speech lives here; it can be deleted at any time."""
    env = os.environ.get("BEKKENBODEM_CACHE")
    if env:
        return Path(env)
    return _xdg("XDG_CACHE_HOME", ".cache") / APP


def prompts_dir() -> Path:
    """Everything the program says and understands, as editable TOML: the checkout's prompts/
    when the program runs from one, else the copy installed with the package (assistant.texts)."""
    env = os.environ.get("BEKKENBODEM_PROMPTS")
    if env:
        return Path(env)
    checkout = PROJECT_ROOT / "prompts"
    if (checkout / "coach.toml").is_file():
        return checkout
    from importlib import resources  # only for an installed coach: importing it costs 13 ms of start-up
    return Path(str(resources.files("assistant") / "texts"))


def models_dir() -> Path:
    """Where the speech model lives: $BEKKENBODEM_MODELS; the checkout's models/ when it is there
    and writable (`make run`); else the user's data folder (an installed coach)."""
    env = os.environ.get("BEKKENBODEM_MODELS")
    if env:
        return Path(env)
    checkout = PROJECT_ROOT / "models"
    if checkout.is_dir() and os.access(checkout, os.W_OK | os.X_OK) and (PROJECT_ROOT / "pyproject.toml").is_file():
        return checkout
    return data_dir() / "models"

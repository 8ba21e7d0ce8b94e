"""Session settings: defaults from the leaflet, overridden by the config file, then the command line."""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import UserError

POSITIONS = ("lying", "sitting", "standing")
POSITION_ALIASES = {
    "lying": "lying", "liggend": "lying", "liggen": "lying",
    "sitting": "sitting", "zittend": "sitting", "zitten": "sitting",
    "standing": "standing", "staand": "standing", "staan": "standing",
}
TEMPO_RANGE = (0.5, 2.0)
TEMPO_STEP = 0.15


@dataclass(frozen=True)
class Settings:
    reps: int = 10          # leaflet: 10 times in a row
    hold: int = 6           # counts squeezing
    relax: int = 6          # counts relaxing
    tempo: float = 1.0      # seconds per count
    position: str = "lying"
    speech_rate: int = 165  # words per minute for espeak-ng
    voice_language: str = "nl"


# name -> (type, validator, Dutch description of what is allowed)
_RULES = {
    "reps": (int, lambda v: 1 <= v <= 30, "een heel getal van 1 tot en met 30"),
    "hold": (int, lambda v: 2 <= v <= 12, "een heel getal van 2 tot en met 12"),
    "relax": (int, lambda v: 2 <= v <= 12, "een heel getal van 2 tot en met 12"),
    "tempo": (float, lambda v: TEMPO_RANGE[0] <= v <= TEMPO_RANGE[1],
              "een getal van 0,5 tot en met 2,0 (seconden per tel)"),
    "position": (str, lambda v: v in POSITION_ALIASES, "liggend, zittend of staand"),
    "speech_rate": (int, lambda v: 80 <= v <= 300, "een heel getal van 80 tot en met 300"),
    "voice_language": (str, lambda v: 2 <= len(v) <= 10, "een taalcode zoals nl"),
}


def _coerce(name: str, raw: object, source: str) -> object:
    kind, valid, allowed = _RULES[name]
    value: object = raw
    try:
        if kind is int:
            if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
                raise ValueError
            value = int(raw)  # type: ignore[call-overload]
        elif kind is float:
            if isinstance(raw, bool):
                raise ValueError
            value = float(str(raw).replace(",", "."))
        else:
            if not isinstance(raw, str):
                raise ValueError
            value = raw.strip().lower()
    except (TypeError, ValueError):
        raise UserError(f"De instelling '{name}' {source} moet {allowed} zijn, niet '{raw}'.") from None
    if not valid(value):
        raise UserError(f"De instelling '{name}' {source} moet {allowed} zijn, niet '{raw}'.")
    if name == "position":
        value = POSITION_ALIASES[value]  # type: ignore[index]
    return value


def apply(settings: Settings, values: dict, source: str) -> Settings:
    """Return settings with ``values`` applied; unknown or bad values raise UserError."""
    changes = {}
    for name, raw in values.items():
        if raw is None:
            continue
        if name not in _RULES:
            known = ", ".join(_RULES)
            raise UserError(f"Onbekende instelling '{name}' {source}. Bekende instellingen: {known}.")
        changes[name] = _coerce(name, raw, source)
    return dataclasses.replace(settings, **changes)  # type: ignore[arg-type]


def read_toml(config_path: Path) -> dict:
    try:
        return tomllib.loads(config_path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise UserError(
            f"Het instellingenbestand {config_path} is niet goed leesbaar; controleer het of verwijder het.",
            detail=str(err),
        ) from None
    except OSError as err:
        raise UserError(f"Het instellingenbestand {config_path} kan niet worden geopend.", str(err)) from None


TABLES = ("session", "reminders", "satellite")   # the tables a config file may have


def check_shape(data: dict, config_path: Path) -> None:
    """Tables must be tables, and nothing else may be one: each fault names its key."""
    for key, value in data.items():
        if key in TABLES:
            if not isinstance(value, dict):
                raise UserError(f"In {config_path} moet '{key}' een tabel zijn (een regel [{key}] met "
                                f"instellingen eronder), niet '{value}'.")
        elif isinstance(value, dict):
            raise UserError(f"Onbekende tabel [{key}] in {config_path}. Bekende tabellen: {', '.join(TABLES)}.")


def load(config_path: Path, overrides: dict | None = None, explicit: bool = False) -> Settings:
    """Defaults, then the TOML file (if it exists; an ``explicit`` one must), then command-line
    overrides. Settings may stand at the top of the file or in a [session] table (which wins)."""
    settings = Settings()
    if explicit and not config_path.is_file():
        raise UserError(f"Het instellingenbestand {config_path} bestaat niet.")
    if config_path.exists():
        data = read_toml(config_path)
        check_shape(data, config_path)
        top = {k: v for k, v in data.items() if k not in TABLES}
        settings = apply(settings, top, f"in {config_path}")
        settings = apply(settings, data.get("session", {}), f"in [session] in {config_path}")
    if overrides:
        settings = apply(settings, overrides, "op de opdrachtregel")
    return settings


def faster(tempo: float) -> float:
    return round(max(TEMPO_RANGE[0], tempo - TEMPO_STEP), 3)


def slower(tempo: float) -> float:
    return round(min(TEMPO_RANGE[1], tempo + TEMPO_STEP), 3)


# -- a Wyoming voice satellite as the coach's microphone and speaker ---------------------------------
@dataclass(frozen=True)
class SatelliteSettings:
    """The [satellite] section of the config file (or --satellite on the command line)."""

    uri: str = ""
    """tcp://HOST:PORT of a wyoming-satellite (its --uri); empty: the local sound card."""

    rate: int = 22050
    """Sample rate the satellite plays (its --snd-command-rate; wyoming-satellite's default)."""

    lead: float = 0.2
    """Seconds of audio sent ahead of the speaker: a longer lead rides out a busy network or
    machine, a shorter one lets "stop" cut the sound sooner (stop -> silence is about the lead)."""


_SATELLITE_RULES = {
    "uri": (lambda v: isinstance(v, str) and (v == "" or _is_tcp_uri(v)), "een adres zoals tcp://192.168.1.20:10700"),
    "rate": (lambda v: isinstance(v, int) and not isinstance(v, bool) and 8000 <= v <= 48000,
             "een samplefrequentie van 8000 tot en met 48000"),
    "lead": (lambda v: isinstance(v, int | float) and not isinstance(v, bool) and 0.05 <= v <= 2.0,
             "een aantal seconden van 0,05 tot en met 2,0"),
}


def _is_tcp_uri(value: str) -> bool:
    from urllib.parse import urlparse
    try:
        parsed = urlparse(value)
        return parsed.scheme == "tcp" and bool(parsed.hostname) and parsed.port is not None
    except ValueError:
        return False


def load_satellite(config_path: Path, uri: str | None = None) -> SatelliteSettings:
    """Defaults, then [satellite] in the TOML file, then --satellite URI."""
    values: dict = {}
    if config_path.exists():
        values = dict(read_toml(config_path).get("satellite", {}))
    if uri is not None:
        values["uri"] = uri
    source = f"in {config_path}"
    for name, raw in values.items():
        if name not in _SATELLITE_RULES:
            known = ", ".join(_SATELLITE_RULES)
            raise UserError(f"Onbekende instelling '{name}' onder [satellite] {source}. Bekende instellingen: {known}.")
        valid, allowed = _SATELLITE_RULES[name]
        if not valid(raw):
            where = "op de opdrachtregel" if name == "uri" and uri is not None else f"onder [satellite] {source}"
            raise UserError(f"De instelling '{name}' {where} moet {allowed} zijn, niet '{raw}'.")
    if "lead" in values:
        values["lead"] = float(values["lead"])
    return SatelliteSettings(**values)

"""Wiring: builds settings, journal, keeper, sink and the conversation from the command line's
arguments. Front ends import this module; it never imports the command line."""

from __future__ import annotations

import logging
import os
from datetime import datetime
from pathlib import Path

from assistant import paths, prompts
from assistant import settings as settings_mod
from assistant.errors import UserError
from assistant.programme.journal import Journal
from assistant.programme.keeper import ProgrammeKeeper
from assistant.programme.reminders import parse_clock

log = logging.getLogger(__name__)

SESSION_OPTIONS = ("reps", "tempo", "position", "hold", "relax")


def config_path(args) -> Path:
    return Path(args.config) if getattr(args, "config", None) else paths.config_file()


def config_is_explicit(args) -> bool:
    """--config or $BEKKENBODEM_CONFIG: a file the user named must exist."""
    return bool(getattr(args, "config", None) or os.environ.get("BEKKENBODEM_CONFIG"))


def load_settings(args, journal=None) -> settings_mod.Settings:
    """Defaults < config file < the position chosen with the coach (journal) < command line."""
    overrides = {k: getattr(args, k, None) for k in SESSION_OPTIONS}
    settings = settings_mod.load(config_path(args), overrides, explicit=config_is_explicit(args))
    if journal is not None and overrides["position"] is None and journal.get("position"):
        settings = settings_mod.apply(settings, {"position": journal.get("position")}, "in het dagboek")
    return settings


def reminder_times(args) -> dict:
    """[reminders] morning/afternoon/evening = "HH:MM" from the config file, checked."""
    path = config_path(args)
    if not path.exists():
        if config_is_explicit(args):
            raise UserError(f"Het instellingenbestand {path} bestaat niet.")
        return {}
    data = settings_mod.read_toml(path)
    settings_mod.check_shape(data, path)
    section = data.get("reminders", {})
    out = {}
    for part, value in section.items():
        if part not in ("morning", "afternoon", "evening"):
            raise UserError(f"Onbekende herinnering '{part}' in {path}; kies uit morning, afternoon, evening.")
        try:
            parse_clock(str(value))
        except ValueError:
            raise UserError(f"De herinnering '{part}' in {path} moet een tijd zijn zoals \"08:30\", niet '{value}'.") from None
        out[part] = str(value)
    return out


def now() -> datetime:
    """The local wall-clock time, with its UTC offset."""
    return datetime.now().astimezone()


def open_journal(args) -> Journal:
    return Journal(paths.data_dir(getattr(args, "data_dir", None)))


def open_keeper(args, journal: Journal) -> ProgrammeKeeper:
    return ProgrammeKeeper(journal, now=now, reminder_times=reminder_times(args))


def duration_source(settings: settings_mod.Settings):
    """Something with ``duration(text, fast)``: espeak-ng's real clip lengths (the cache the session
    uses), or estimates from the text where espeak-ng is missing."""
    fast_factor = prompts.load("coach")["timing"]["in_beat_rate_factor"]
    try:
        from assistant.audio.voice import Voice
        return Voice(paths.cache_dir(), rate=settings.speech_rate, language=settings.voice_language,
                     fast_factor=fast_factor)
    except UserError as err:
        log.info("no voice for real speech lengths, estimating: %s", err.detail)
        from assistant.audio.console import PrintSink
        return PrintSink(speech_rate=settings.speech_rate, fast_factor=fast_factor)


def understanding():
    """The understanding, saying on stderr why she waits when its tables must be built first."""
    import sys

    from assistant.language.understanding import Understanding

    def waiting() -> None:
        log.info("understanding tables not cached: building them")
        print(prompts.load("frontends")["cli"]["first_start"], file=sys.stderr, flush=True)

    return Understanding(on_build=waiting)


def make_sink(settings: settings_mod.Settings, mute: bool):
    """The speaker (espeak-ng through scheduled playback), or the screen with --mute."""
    fast_factor = prompts.load("coach")["timing"]["in_beat_rate_factor"]
    if mute:
        from assistant.audio.console import PrintSink
        return PrintSink(speech_rate=settings.speech_rate, fast_factor=fast_factor)
    from assistant.audio.output import ScheduledOutput, SpeakerSink
    from assistant.audio.voice import Voice
    voice = Voice(paths.cache_dir(), rate=settings.speech_rate, language=settings.voice_language,
                  fast_factor=fast_factor)
    return SpeakerSink(voice, ScheduledOutput())

"""Wiring for a Wyoming satellite: its settings, its link, and its microphone and speaker, with
the Dutch sentences for a satellite that cannot be used. Front ends get the same two objects as
for the local sound card (a microphone and a sink), so nothing downstream knows the difference."""

from __future__ import annotations

import logging
import sys

from assistant import paths, prompts
from assistant import settings as settings_mod
from assistant.app import wiring
from assistant.errors import UserError

log = logging.getLogger(__name__)

ECHO_AFTER_LEAD = 0.25   # the satellite's player and its microphone chunks, beyond the lead


def satellite_settings(args) -> settings_mod.SatelliteSettings:
    """[satellite] in the config file, then --satellite URI."""
    return settings_mod.load_satellite(wiring.config_path(args), getattr(args, "satellite", None))


def _user_error(err) -> UserError:
    from assistant.audio.satellite import SatelliteBusy
    texts = prompts.load("frontends")["satellite"]
    key = "busy" if isinstance(err, SatelliteBusy) else "unreachable"
    return UserError(texts[key].format(where=err.uri), detail=err.detail)


def open_link(sat: settings_mod.SatelliteSettings, report=None):
    """A started link to the satellite, or a UserError saying in Dutch why not. Later problems
    (the satellite taken over while the coach waits for it to come back) go to ``report``."""
    from assistant.audio.satellite import SatelliteError, SatelliteLink

    def problem(err: SatelliteError) -> None:
        (report or (lambda text: print(text, file=sys.stderr, flush=True)))(str(_user_error(err)))

    link = SatelliteLink(sat.uri, on_problem=problem)
    try:
        return link.start()
    except SatelliteError as err:
        link.close()
        raise _user_error(err) from None


def make_sink(settings: settings_mod.Settings, sat: settings_mod.SatelliteSettings, link=None):
    """The coach's voice through the satellite's speaker (espeak-ng renders it here)."""
    from assistant.audio.satellite_output import SatelliteSink
    from assistant.audio.voice import Voice
    fast_factor = prompts.load("coach")["timing"]["in_beat_rate_factor"]
    voice = Voice(paths.cache_dir(), rate=settings.speech_rate, language=settings.voice_language,
                  fast_factor=fast_factor)
    return SatelliteSink(voice, link or open_link(sat), rate=sat.rate, lead=sat.lead)


def open_audio(settings: settings_mod.Settings, sat: settings_mod.SatelliteSettings):
    """(microphone, sink) of the satellite, sharing one link; closing the sink closes the link."""
    from assistant.audio.satellite import SatelliteMicrophone
    link = open_link(sat)
    sink = make_sink(settings, sat, link)
    return SatelliteMicrophone(link, echo=sat.lead + ECHO_AFTER_LEAD), sink

"""The session plan: a pure list of timed cues built from the settings. No I/O, no clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime

from assistant.settings import Settings
from assistant.timing import estimate_duration

PHASES = ("intro", "squeeze", "relax", "cue", "end")


@dataclass(frozen=True)
class Cue:
    t: float            # seconds from session start
    text: str
    phase: str          # one of PHASES
    rep: int | None     # 1-based round, or None
    count: int | None   # 1..hold / 1..relax, or None
    kind: str           # intro, announce, squeeze, count, extra, breath, relax, end
    fast: bool = False  # spoken faster, to fit inside a count

    def as_json(self) -> dict:
        d = asdict(self)
        d["t"] = round(self.t, 3)
        return d


def beats_per_round(settings: Settings) -> int:
    """squeeze instruction, hold counts, relax instruction, relax counts.

    The round's number is announced inside the count before it, so it costs no beat.
    """
    return 1 + settings.hold + 1 + settings.relax


def next_session_line(now: datetime, words: dict) -> str:
    """Which part of the day the next session falls in (leaflet: morning, afternoon, evening)."""
    if now.hour < 12:
        return words["next_afternoon"]
    if now.hour < 18:
        return words["next_evening"]
    return words["next_morning"]


def build_plan(
    settings: Settings,
    words: dict,
    *,
    first_session: bool,
    closing: list[str],
    duration: Callable[[str, bool], float] | None = None,
) -> list[Cue]:
    """Every cue of one session with its start time.

    ``words`` is prompts/coach.toml; ``closing`` the sentences after the praise;
    ``duration(text, fast)`` gives the spoken length of a text (real, from the renderer, or estimated).
    Only the introduction depends on durations: the rounds are on a fixed beat of ``settings.tempo``.
    """
    if duration is None:
        def duration(text: str, fast: bool) -> float:
            return estimate_duration(text, settings.speech_rate) / (words["timing"]["in_beat_rate_factor"] if fast else 1)
    timing, rnd = words["timing"], words["round"]
    fill = {"reps": settings.reps, "hold": settings.hold, "relax": settings.relax}
    cues: list[Cue] = []

    t = 0.0
    intro = words["intro"]["first" if first_session else "short"][settings.position]
    for line in intro:
        text = line.format(**fill)
        cues.append(Cue(t, text, "intro", None, None, "intro"))
        t += duration(text, False) + timing["gap_after_sentence"]
    t += timing["gap_before_first_round"]

    beat = settings.tempo
    offset = timing["in_beat_offset"] * beat
    extra_counts = sorted({max(1, min(settings.hold - 1, round(f * settings.hold)))
                           for f in rnd["extra_after_fraction"]})
    t += beat  # the first announcement sits in the beat before round 1
    for rep in range(1, settings.reps + 1):
        squeeze_at = t + (rep - 1) * beats_per_round(settings) * beat
        last = rep == settings.reps and settings.reps > 1
        announce = rnd["announce_last"] if last else rnd["announce"].format(rep=rep)
        cues.append(Cue(squeeze_at - beat + offset, announce, "cue", rep, None, "announce", fast=True))
        cues.append(Cue(squeeze_at, rnd["squeeze"], "squeeze", rep, None, "squeeze"))
        for count in range(1, settings.hold + 1):
            at = squeeze_at + count * beat
            cues.append(Cue(at, rnd["counts"][count - 1], "squeeze", rep, count, "count"))
            if count == 1 and (rep - 1) % rnd["breath_every"] == 0:
                cues.append(Cue(at + offset, rnd["breath"], "cue", rep, None, "breath", fast=True))
            if count in extra_counts:
                text = rnd["extra"][extra_counts.index(count) % len(rnd["extra"])]
                cues.append(Cue(at + offset, text, "cue", rep, None, "extra", fast=True))
        relax_at = squeeze_at + (settings.hold + 1) * beat
        cues.append(Cue(relax_at, rnd["relax"], "relax", rep, None, "relax"))
        for count in range(1, settings.relax + 1):
            cues.append(Cue(relax_at + count * beat, rnd["counts"][count - 1], "relax", rep, count, "count"))

    t = cues[-1].t + (timing["counts_before_end"] + 1) * beat
    for line in [words["end"]["praise"], *closing]:
        cues.append(Cue(t, line, "end", None, None, "end"))
        t += duration(line, False) + timing["gap_after_sentence"]
    return cues


def session_length(cues: list[Cue], duration: Callable[[str, bool], float]) -> float:
    """Seconds from the first cue's start to the end of the last one."""
    last = cues[-1]
    return last.t + duration(last.text, last.fast)

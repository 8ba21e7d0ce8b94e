"""The session plan: a pure list of timed cues built from the settings. No I/O, no clock.

Room around every count: each count word, and each instruction said on a beat ("Knijp aan.",
"Ontspan."), is followed by at least ``room_before_count`` seconds of silence before the next one,
and no two cues ever sound at once. The counts stay on the beat; what does not fit between two
counts is decided here, the way a physiotherapist would at a faster pace (see ``_place``):

1. said on its own after the count, at normal speed, else faster;
2. said together with the count, as one breath ("vier, nog harder.");
3. the same with the cue's short form ("Adem.", "Harder.");
4. moved to a later count of the same hold;
5. said in place of a count (never the first or the last of the hold);
6. dropped. A dropped breathing reminder comes back in the next round.

The round's announcement and the instructions get whole beats of their own when they need them,
so the beat stays regular: every round has the same number of beats.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from assistant.settings import Settings
from assistant.timing import estimate_duration

log = logging.getLogger(__name__)

PHASES = ("intro", "squeeze", "relax", "cue", "end")
KINDS = ("intro", "ready", "announce", "squeeze", "count", "extra", "breath", "relax", "end")

Duration = Callable[[str, bool], float]


@dataclass(frozen=True)
class Cue:
    t: float            # seconds from session start
    text: str
    phase: str          # one of PHASES
    rep: int | None     # 1-based round, or None
    count: int | None   # 1..hold / 1..relax for what is said on a count's beat, or None
    kind: str           # one of KINDS
    fast: bool = False  # spoken faster, to fit inside a count
    carries: str | None = None   # a count said together with a cue: "extra" or "breath"
    # Where the cue sits in the session's order, the same at every tempo (the runner finds its
    # place again with it when the tempo changes mid-session).
    key: tuple = field(default=(), compare=False)

    def as_json(self) -> dict:
        d = asdict(self)
        d.pop("key")
        d["t"] = round(self.t, 3)
        return d


def estimated(settings: Settings, words: dict) -> Duration:
    """Spoken lengths estimated from the text, for plans made without a voice."""
    factor = words["timing"]["in_beat_rate_factor"]
    return lambda text, fast: estimate_duration(text, settings.speech_rate) / (factor if fast else 1)


def _lower_cue(text: str) -> str:
    text = text.strip().rstrip(".!")
    return text[:1].lower() + text[1:]


@dataclass
class _Hold:
    """One hold being filled: what is said on each count's beat, and the cues between counts."""
    at: list[float]                        # count c (1-based) at at[c - 1]
    said: list[tuple[str, bool, str, str | None]]   # (text, fast, kind, carries) on each beat
    gaps: dict[int, tuple[str, bool, str]]  # after count c: (text, fast, kind)


def build_plan(
    settings: Settings,
    words: dict,
    *,
    first_session: bool,
    closing: list[str],
    duration: Duration | None = None,
    ready_pause: float | None = None,
) -> list[Cue]:
    """Every cue of one session with its start time.

    ``words`` is prompts/coach.toml; ``closing`` the sentences after the praise;
    ``duration(text, fast)`` the spoken length of a text (real, from the renderer, or estimated);
    ``ready_pause`` the seconds planned after "Ligt u goed?" (default: coach.toml's ready.pause;
    an interactive session waits for the user's yes there instead).
    """
    dur = duration or estimated(settings, words)
    timing, rnd = words["timing"], words["round"]
    room, gap = timing["room_before_count"], timing["gap_after_count"]
    fill = {"reps": settings.reps, "hold": settings.hold, "relax": settings.relax}
    cues: list[Cue] = []

    # -- the introduction: get into position, wait, then how the exercise goes ------------------
    t = 0.0
    which = "first" if first_session else "short"
    position = words["intro"][which][settings.position]
    explain = words["intro"]["explain_" + which][settings.position]
    pause = words["ready"]["pause"] if ready_pause is None else ready_pause
    question = words["ready"]["question"][settings.position]
    intro: list[tuple[str, str]] = [(line, "intro") for line in position] + [(question, "ready")]
    intro += [(line, "intro") for line in explain]
    for i, (line, kind) in enumerate(intro):
        text = line.format(**fill)
        cues.append(Cue(t, text, "intro", None, None, kind, key=(0, i, 0, 0)))
        t += dur(text, False) + (pause if kind == "ready" else timing["gap_after_sentence"])
    t += timing["gap_before_first_round"]

    # -- speeds and beats, decided once so that every round has the same beat -------------------
    beat = settings.tempo
    numbers = rnd["counts"][: max(settings.hold, settings.relax)]
    counts_fast = any(dur(w, False) + room > beat for w in numbers)

    def on_beat(text: str) -> tuple[bool, int]:
        """(fast, beats) for an instruction said on a beat with counts after it."""
        if dur(text, False) + room <= beat:
            return False, 1
        if dur(text, True) + room <= beat:
            return True, 1
        return False, math.ceil((dur(text, False) + room) / beat)

    squeeze_fast, squeeze_beats = on_beat(rnd["squeeze"])
    relax_fast, relax_beats = on_beat(rnd["relax"])
    announcements = [rnd["announce"].format(rep=r) for r in range(1, settings.reps + 1)] + [rnd["announce_last"]]
    longest = max(dur(a, False) for a in announcements)
    last_relax = dur(numbers[settings.relax - 1], counts_fast)
    # Between the last relax count and the next "Knijp aan.": the count, quiet, the announcement, room.
    rest_beats = max(1, math.ceil((last_relax + gap + longest + room) / beat - 1e-9))
    round_beats = squeeze_beats + settings.hold + relax_beats + settings.relax + rest_beats - 1

    extra_counts = sorted({max(1, min(settings.hold - 1, round(f * settings.hold)))
                           for f in rnd["extra_after_fraction"]})
    next_breath = 1     # the round whose hold should have the breathing reminder
    dropped = 0

    squeeze_1 = t + math.ceil((dur(announcements[0], False) + room) / beat - 1e-9) * beat
    for rep in range(1, settings.reps + 1):
        squeeze_at = squeeze_1 + (rep - 1) * round_beats * beat
        last = rep == settings.reps and settings.reps > 1
        announce = rnd["announce_last"] if last else rnd["announce"].format(rep=rep)
        # Round 1 right after the introduction; later ones after the last relax count.
        announce_at = t if rep == 1 else squeeze_at - rest_beats * beat + last_relax + gap
        cues.append(Cue(announce_at, announce, "cue", rep, None, "announce", key=(rep, 0, 0, 0)))
        cues.append(Cue(squeeze_at, rnd["squeeze"], "squeeze", rep, None, "squeeze", squeeze_fast,
                        key=(rep, 1, 0, 0)))

        first_count = squeeze_at + squeeze_beats * beat
        hold = _Hold(at=[first_count + (c - 1) * beat for c in range(1, settings.hold + 1)],
                     said=[(numbers[c - 1], counts_fast, "count", None) for c in range(1, settings.hold + 1)],
                     gaps={})
        wanted: list[tuple[int, str, list[str]]] = []
        breath_due = rep >= next_breath
        if breath_due:
            wanted.append((1, "breath", [rnd["breath"], rnd["breath_short"]]))
        for i, k in enumerate(extra_counts):
            j = i % len(rnd["extra"])
            wanted.append((k, "extra", [rnd["extra"][j], rnd["extra_short"][j]]))
        placed_breath = False
        for k, kind, texts in wanted:
            if _place(hold, k, kind, texts, beat, dur, room, gap, rnd["with_count"]):
                placed_breath = placed_breath or kind == "breath"
            else:
                dropped += 1
                log.debug("round %d: no room for %s after count %d at tempo %.2f", rep, kind, k, beat)
        if placed_breath:
            next_breath = rep + rnd["breath_every"]

        for c in range(1, settings.hold + 1):
            text, fast, kind, carries = hold.said[c - 1]
            cues.append(Cue(hold.at[c - 1], text, "squeeze", rep, c, kind, fast, carries, key=(rep, 2, c, 0)))
            if c in hold.gaps:
                gtext, gfast, gkind = hold.gaps[c]
                start = hold.at[c - 1] + dur(text, fast) + gap
                cues.append(Cue(start, gtext, "cue", rep, None, gkind, gfast, key=(rep, 2, c, 1)))

        relax_at = first_count + settings.hold * beat
        cues.append(Cue(relax_at, rnd["relax"], "relax", rep, None, "relax", relax_fast, key=(rep, 3, 0, 0)))
        first_relax = relax_at + relax_beats * beat
        for c in range(1, settings.relax + 1):
            cues.append(Cue(first_relax + (c - 1) * beat, numbers[c - 1], "relax", rep, c, "count", counts_fast,
                            key=(rep, 4, c, 0)))
    if dropped:
        log.debug("%d cues did not fit at tempo %.2f", dropped, beat)

    last_cue = cues[-1]
    t = max(last_cue.t + (timing["counts_before_end"] + 1) * beat,
            last_cue.t + dur(last_cue.text, last_cue.fast) + timing["gap_after_sentence"])
    for i, line in enumerate([words["end"]["praise"], *closing]):
        cues.append(Cue(t, line, "end", None, None, "end", key=(settings.reps + 1, i, 0, 0)))
        t += dur(line, False) + timing["gap_after_sentence"]
    cues.sort(key=lambda c: c.t)
    return cues


def _place(hold: _Hold, k: int, kind: str, texts: list[str], beat: float, dur: Duration,
           room: float, gap: float, with_count: str) -> bool:
    """Find room for one cue that belongs after count ``k`` of a hold; False when there is none."""
    n = len(hold.at)

    def busy(c: int) -> bool:
        return hold.said[c - 1][2] != "count" or hold.said[c - 1][3] is not None

    for kk in range(k, n):                     # the gap after count kk, before count kk + 1
        for text in texts:
            text_c, fast_c, _, _ = hold.said[kk - 1]
            if kk not in hold.gaps:
                start = hold.at[kk - 1] + dur(text_c, fast_c) + gap
                for fast in (False, True):
                    if start + dur(text, fast) + room <= hold.at[kk]:
                        hold.gaps[kk] = (text, fast, kind)
                        return True
            if kk not in hold.gaps and not busy(kk):
                joined = with_count.format(count=text_c, cue=_lower_cue(text))
                for fast in (False, True):
                    if dur(joined, fast) + room <= beat:
                        hold.said[kk - 1] = (joined, fast, "count", kind)
                        return True
    for c in range(k + 1, n):                  # in place of a count, never the first or the last
        if busy(c) or c in hold.gaps:
            continue
        for text in reversed(texts):           # the short form first: it is said on a beat
            for fast in (False, True):
                if dur(text, fast) + room <= beat:
                    hold.said[c - 1] = (text, fast, kind, None)
                    return True
    return False


def session_length(cues: list[Cue], duration: Duration) -> float:
    """Seconds from the first cue's start to the end of the last one."""
    last = cues[-1]
    return last.t + duration(last.text, last.fast)


def exercise_length(cues: list[Cue], duration: Duration) -> float:
    """Seconds from the first round's announcement to the end of its last count."""
    rounds = [c for c in cues if c.rep is not None]
    return rounds[-1].t + duration(rounds[-1].text, rounds[-1].fast) - rounds[0].t

"""Room around the counts, measured on the virtual speaker: per tempo, the shortest silence before
a count word, the number of utterances that start while another still sounds, and the onset error.

Silence is what the issue defines it as: the recorded speaker more than 30 dB below the session's
peak. Overlaps are counted on the real clips (their rendered lengths) placed at the onsets found in
the recording (where one is masked by an earlier clip: at its planned time, aligned).

    python -m bench coach     (this is part of it)
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from bench.onsets import detect_onsets, match_onsets

RATE = 22050
SILENCE_DB = 30.0
GUARD = 0.001   # seconds before an aligned onset that belong to the onset itself


def _audible(cues, duration, min_gap=0.08):
    keep = []
    for i, c in enumerate(cues):
        if i == 0 or c.t - (cues[i - 1].t + duration(cues[i - 1].text, cues[i - 1].fast)) >= min_gap:
            keep.append(c)
    return keep


def silences_before(samples: np.ndarray, rate: int, starts: np.ndarray) -> np.ndarray:
    """Seconds of silence (below the peak - 30 dB) right before each start (recording seconds)."""
    peak = float(np.abs(samples).max()) or 1.0
    loud = np.flatnonzero(np.abs(samples) > peak * 10 ** (-SILENCE_DB / 20))
    out = []
    for t in starts:
        i = int(round((t - GUARD) * rate))
        k = np.searchsorted(loud, i) - 1
        out.append((i - loud[k]) / rate if k >= 0 else t)
    return np.array(out)


def overlaps(starts: np.ndarray, lengths: np.ndarray) -> tuple[int, float]:
    """How many clips start while an earlier one still sounds, and the longest such overlap (s)."""
    n, worst, end = 0, 0.0, -np.inf
    for s, d in zip(starts, lengths):
        if s < end:
            n += 1
            worst = max(worst, end - s)
        end = max(end, s + d)
    return n, worst


def build_for(settings, words, duration):
    """The plan a session follows (a short pause for the position: nobody lies down here).
    The baseline in bench/data/room_baseline.json was measured with this file on the code before
    issue 10, which had no such pause and said "Uw volgende oefening is vanavond." at the end."""
    from assistant.coaching import plan as P
    try:
        return P.build_plan(settings, words, first_session=False, closing=["Tot straks."], duration=duration,
                            ready_pause=1.0)
    except TypeError:   # the code before issue 10: no position pause
        return P.build_plan(settings, words, first_session=False, closing=["Tot straks."], duration=duration)


def measure_tempo(audio, voice, tempo: float, reps: int = 3) -> dict:
    from assistant import prompts
    from assistant.audio.output import ScheduledOutput, SpeakerSink
    from assistant.clock import MonotonicClock
    from assistant.coaching.runner import SessionRunner
    from assistant.settings import Settings

    words = prompts.load("coach")
    sink = SpeakerSink(voice, ScheduledOutput())
    settings = Settings(reps=reps, tempo=tempo)
    build = lambda s: build_for(s, words, sink.duration)
    cues = build(settings)
    sink.prepare(cues)
    recording = audio.record()
    SessionRunner(settings, build, sink, MonotonicClock(), words).run()
    sink.wait_idle()
    time.sleep(0.3)
    sink.close()
    samples = recording.stop()
    audible = _audible(cues, sink.duration)
    planned = np.array([c.t for c in audible])
    detected = detect_onsets(samples, RATE)
    errors, offset, missing = match_onsets(planned, detected)
    # Every cue's start in the recording: its onset when found near the plan, else the plan.
    starts = []
    for c in cues:
        t = c.t + offset
        j = int(np.argmin(np.abs(detected - t))) if detected.size else -1
        starts.append(detected[j] if j >= 0 and abs(detected[j] - t) <= 0.01 else t)
    starts_a = np.array(starts)
    lengths = np.array([sink.duration(c.text, c.fast) for c in cues])
    n_over, worst = overlaps(starts_a, lengths)
    found = [c for i, c in enumerate(audible) if i not in missing]
    count_errors = np.array([e for c, e in zip(found, errors) if c.kind == "count"])
    counts = [i for i, c in enumerate(cues) if c.kind == "count"]
    count_silence = silences_before(samples, RATE, starts_a[counts])
    return {"tempo": tempo, "cues": len(cues), "measured": len(errors), "missing": len(missing),
            "p95_ms": float(np.percentile(np.abs(errors), 95)) * 1000 if len(errors) else float("nan"),
            # The counts alone: the measure. Cues that begin with a soft "h" ("Harder.",
            # "Houd ...") are found ~7 ms late by the amplitude threshold, wherever they are played.
            "p95_counts_ms": float(np.percentile(np.abs(count_errors), 95)) * 1000 if len(count_errors) else float("nan"),
            "min_silence_ms": float(count_silence.min()) * 1000, "overlaps": n_over,
            "worst_overlap_ms": worst * 1000}


def measure(audio, tempos=(0.5, 1.0, 2.0), runs: int = 3, reps: int = 3) -> dict:
    """Medians over ``runs`` runs of each tempo."""
    from assistant import prompts
    from assistant.audio.voice import Voice
    words = prompts.load("coach")
    voice = Voice(Path(tempfile.gettempdir()) / "bekkenbodem-bench-cache",
                  fast_factor=words["timing"]["in_beat_rate_factor"])
    out = {}
    for tempo in tempos:
        rows = [measure_tempo(audio, voice, tempo, reps) for _ in range(runs)]
        out[tempo] = {k: float(np.median([r[k] for r in rows])) for k in rows[0]}
    return out


def main() -> None:
    import json
    import sys

    from bench.virtual_audio import VirtualAudio
    audio = VirtualAudio().start()
    audio.export()
    try:
        result = measure(audio, runs=int(sys.argv[1]) if len(sys.argv) > 1 else 3)
    finally:
        audio.stop()
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()

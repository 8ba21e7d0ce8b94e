"""Benchmark: does the coach keep the beat? Onset error of every cue against its planned time.

Plays a full default session (10 rounds, tempo 1.0 s, first-session introduction) through
sounddevice into a virtual PulseAudio sink, records the sink's monitor, finds the speech onsets
and compares them with the plan. Beside it, the naive loop that hobby projects use
(pyttsx3 say() + runAndWait() + sleep(1)) over two rounds, measured the same way.

    python -m bench coach            (make bench runs every benchmark)
"""

from __future__ import annotations

import contextlib
import io
import tempfile
import time
from pathlib import Path

import numpy as np

from bench import room
from bench.onsets import detect_onsets, match_onsets
from bench.virtual_audio import VirtualAudio

RATE = 22050
GOAL_P95_MS = 10.0
GOAL_LAST_MS = 20.0
GOAL_ROOM_MS = 150.0
GOAL_ROOM_P95_MS = 2.0
ROOM_BASELINE = Path(__file__).parent / "data" / "room_baseline.json"


def _audible(cues, duration, min_gap=0.08):
    keep = []
    for i, c in enumerate(cues):
        if i == 0 or c.t - (cues[i - 1].t + duration(cues[i - 1].text, cues[i - 1].fast)) >= min_gap:
            keep.append(c)
    return keep


def measure_coach(audio: VirtualAudio, reps: int = 10) -> dict:
    from assistant.coaching import plan as P
    from assistant import prompts
    from assistant.audio.output import ScheduledOutput, SpeakerSink
    from assistant.clock import MonotonicClock
    from assistant.coaching.runner import SessionRunner
    from assistant.settings import Settings
    from assistant.audio.voice import Voice

    words = prompts.load("coach")
    voice = Voice(Path(tempfile.gettempdir()) / "bekkenbodem-bench-cache",
                  fast_factor=words["timing"]["in_beat_rate_factor"])
    sink = SpeakerSink(voice, ScheduledOutput())
    settings = Settings(reps=reps, tempo=1.0)
    closing = ["Dat was oefening twee van vandaag. U oefent vanavond weer."]
    build = lambda s: P.build_plan(s, words, first_session=True, closing=closing, duration=sink.duration,
                                   ready_pause=1.0)
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
    errors, _, missing = match_onsets(planned, detect_onsets(samples, RATE))
    matched_t = np.array([t for i, t in enumerate(planned) if i not in missing])
    slope = np.polyfit(matched_t, errors, 1)[0] if len(errors) > 2 else float("nan")
    jitter = float(np.std(np.diff(errors))) * 1000 if len(errors) > 2 else float("nan")
    return {"cues": len(cues), "measured": len(errors), "missing": len(missing), "jitter_ms": jitter,
            "abs_ms": np.abs(errors) * 1000, "last_ms": abs(errors[-1]) * 1000,
            "drift_ms_per_min": slope * 60_000, "length_s": planned[-1], "underflows": sink.output.underflows,
            "reanchors": sink.output.reanchors,
            "clock_gap_ms": max((abs(d) for d in sink.output.drift_log[50:]), default=0.0) * 1000}


def measure_naive(audio: VirtualAudio, reps: int = 2) -> dict:
    """The hobby loop: say(); runAndWait(); sleep(1) for every count and instruction."""
    import pyttsx3

    from assistant.coaching import plan as P
    from assistant import prompts
    from assistant.settings import Settings

    words = prompts.load("coach")
    cues = [c for c in P.build_plan(Settings(reps=reps, tempo=1.0), words, first_session=False, closing=[])
            if c.rep is not None and not c.fast]
    engine = pyttsx3.init("espeak")
    engine.setProperty("voice", "gmw/nl")
    engine.setProperty("rate", 165)
    recording = audio.record()
    with contextlib.redirect_stdout(io.StringIO()):
        for cue in cues:
            engine.say(cue.text)
            engine.runAndWait()
            time.sleep(1.0)
    time.sleep(0.3)
    samples = recording.stop()
    onsets = detect_onsets(samples, RATE, min_silence=0.3)
    n = min(len(onsets), len(cues))
    planned = np.array([c.t for c in cues[:n]])
    errors = (onsets[:n] - onsets[0]) - (planned - planned[0])
    count_times = [onsets[i] for i in range(n) if cues[i].count]
    period = float(np.median(np.diff(count_times))) if len(count_times) > 2 else float("nan")
    jitter = float(np.std(np.diff(count_times))) * 1000 if len(count_times) > 2 else float("nan")
    return {"cues": len(cues), "measured": n, "abs_ms": np.abs(errors) * 1000, "last_ms": abs(errors[-1]) * 1000,
            "period_s": period, "jitter_ms": jitter}


def main() -> None:
    audio = VirtualAudio().start()
    audio.export()
    try:
        print("Coach beat benchmark: onset error against the plan, on a virtual PulseAudio sink")
        ours = measure_coach(audio)
        print("  measuring the naive loop (2 rounds) ...", flush=True)
        naive = measure_naive(audio)
        print("  measuring room around the counts: tempo 0.5, 1.0, 2.0, three runs each ...", flush=True)
        room_now = room.measure(audio, runs=3)
    finally:
        audio.stop()
    p = lambda a, q: float(np.percentile(a, q))
    print()
    print(f"  {'':34}{'coach':>12}{'naive loop':>14}{'goal':>10}")
    print(f"  {'cues measured':34}{ours['measured']:>12}{naive['measured']:>14}")
    print(f"  {'onset error p50 (ms)':34}{p(ours['abs_ms'], 50):>12.1f}{p(naive['abs_ms'], 50):>14.0f}")
    print(f"  {'onset error p95 (ms)':34}{p(ours['abs_ms'], 95):>12.1f}{p(naive['abs_ms'], 95):>14.0f}{GOAL_P95_MS:>10.0f}")
    print(f"  {'onset error max (ms)':34}{ours['abs_ms'].max():>12.1f}{naive['abs_ms'].max():>14.0f}")
    print(f"  {'last cue off plan (ms)':34}{ours['last_ms']:>12.1f}{naive['last_ms']:>14.0f}{GOAL_LAST_MS:>10.0f}")
    print(f"  {'drift (ms per minute)':34}{ours['drift_ms_per_min']:>12.2f}{'':>14}")
    print(f"  {'beat-to-beat jitter, sd (ms)':34}{ours['jitter_ms']:>12.2f}{naive['jitter_ms']:>14.0f}")
    print(f"  {'seconds per count (plan: 1.0)':34}{1.0:>12.2f}{naive['period_s']:>14.2f}")
    print(f"  {'session length (s)':34}{ours['length_s']:>12.1f}")
    print(f"  {'cues not found in the recording':34}{ours['missing']:>12}")
    print(f"  {'output underflows':34}{ours['underflows']:>12}")
    print(f"  {'sample clock re-anchored':34}{ours['reanchors']:>12}")
    print(f"  {'largest sample/monotonic gap (ms)':34}{ours['clock_gap_ms']:>12.1f}")
    ok = p(ours["abs_ms"], 95) <= GOAL_P95_MS and ours["last_ms"] <= GOAL_LAST_MS
    print(f"\n  goal {'met' if ok else 'NOT met'}: p95 <= {GOAL_P95_MS:.0f} ms and last cue within {GOAL_LAST_MS:.0f} ms")
    print_room(room_now)


def print_room(now: dict) -> None:
    """Per tempo, beside the figures of the code before issue 10 (bench/data/room_baseline.json)."""
    import json
    before = {float(k): v for k, v in json.loads(ROOM_BASELINE.read_text()).items()}
    print()
    print("  Room around the counts (3 rounds a run, medians of 3 runs; before = the code before issue 10)")
    nan = float("nan")
    print(f"  {'tempo (s a count)':12}{'silence before a count, min':>28}{'overlapping clips':>20}"
          f"{'onset error p95, counts':>24}{'p95, all cues':>22}")
    print(f"  {'':12}{'before':>14}{'now':>14}{'before':>10}{'now':>10}{'before':>12}{'now':>12}{'before':>11}{'now':>11}")
    for tempo in sorted(now):
        b, n = before.get(tempo, {}), now[tempo]
        print(f"  {tempo:<12}{b.get('min_silence_ms', nan):>11.0f} ms{n['min_silence_ms']:>11.0f} ms"
              f"{b.get('overlaps', nan):>10.0f}{n['overlaps']:>10.0f}"
              f"{b.get('p95_counts_ms', nan):>9.1f} ms{n['p95_counts_ms']:>9.1f} ms"
              f"{b.get('p95_ms', nan):>8.1f} ms{n['p95_ms']:>8.1f} ms")
    ok = all(n["min_silence_ms"] >= GOAL_ROOM_MS and n["overlaps"] == 0 for n in now.values()) and all(
        now[t]["p95_counts_ms"] <= GOAL_ROOM_P95_MS for t in (0.5, 1.0) if t in now)
    print(f"\n  goal {'met' if ok else 'NOT met'}: >= {GOAL_ROOM_MS:.0f} ms before every count, no overlaps, "
          f"count onsets p95 <= {GOAL_ROOM_P95_MS:.0f} ms at tempo 0.5 and 1.0")


if __name__ == "__main__":
    main()

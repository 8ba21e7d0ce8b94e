"""Real playback on a virtual device: PulseAudio null sink, recorded from its monitor."""

import time

import numpy as np
import pytest

from assistant.coaching import plan as P
from assistant.audio.output import ScheduledOutput, SpeakerSink
from assistant.clock import MonotonicClock
from assistant.coaching.runner import SessionRunner
from assistant.settings import Settings
from bench.onsets import detect_onsets, match_onsets


def audible_starts(cues, duration, min_gap=0.08):
    """Planned starts that follow enough silence to be told apart in a recording."""
    out = []
    for i, c in enumerate(cues):
        if i == 0 or c.t - (cues[i - 1].t + duration(cues[i - 1].text, cues[i - 1].fast)) >= min_gap:
            out.append(c.t)
    return np.array(out)


def run_and_record(virtual_audio, voice, words, settings, on_start=None, tail=0.3):
    sink = SpeakerSink(voice, ScheduledOutput())
    build = lambda s: P.build_plan(s, words, first_session=False, closing=["Tot straks."], duration=sink.duration,
                                   ready_pause=1.0)
    cues = build(settings)
    sink.prepare(cues)
    recording = virtual_audio.record()
    runner = SessionRunner(settings, build, sink, MonotonicClock(), words)
    if on_start:
        on_start(runner)
    try:
        runner.run()
        sink.wait_idle()
        time.sleep(tail)
    finally:
        sink.output.close()
    return cues, sink, recording.stop()


def test_cues_start_on_their_planned_times(virtual_audio, voice, coach_words):
    cues, sink, audio = run_and_record(virtual_audio, voice, coach_words, Settings(reps=1, tempo=1.0))
    planned = audible_starts(cues, sink.duration)
    detected = detect_onsets(audio, 22050)
    errors, offset, missing = match_onsets(planned, detected)
    assert missing == [], f"no sound near planned cues {missing}"
    assert len(errors) >= 15
    # Precision is benchmarked in bench/; here we check the beat is kept at all: a loop that
    # adds speech time to each beat is off by hundreds of milliseconds within a few counts.
    assert np.max(np.abs(errors)) < 0.03, errors
    assert sink.output.underflows == 0


def test_stop_silences_the_speaker(virtual_audio, voice, coach_words):
    import threading

    def stop_soon(runner):
        threading.Timer(8.0, runner.stop).start()

    cues, sink, audio = run_and_record(virtual_audio, voice, coach_words, Settings(reps=2), stop_soon, tail=3.0)
    rate = 22050
    # Without the stop a count would sound every second until ~35 s; with it, after the one
    # goodbye line, the speaker stays silent.
    assert len(audio) / rate < 20
    assert np.abs(audio[-int(2.5 * rate):]).max() < 0.01
    assert np.abs(audio[: int(6 * rate)]).max() > 0.1


@pytest.mark.parametrize("tempo", [0.5, 1.0])
def test_room_before_every_count_on_the_virtual_speaker(virtual_audio, voice, tempo):
    """Recorded from the speaker: every count has at least 150 ms of silence (30 dB below the
    session's peak) before it, and no clip starts while another still sounds."""
    from bench.room import measure_tempo
    result = measure_tempo(virtual_audio, voice, tempo, reps=2)
    assert result["missing"] == 0, result
    assert result["measured"] == result["cues"], "every cue stands apart in the recording"
    assert result["overlaps"] == 0, result
    assert result["min_silence_ms"] >= 150, result

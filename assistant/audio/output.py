"""Scheduled playback through sounddevice: each clip *starts* at its deadline on the monotonic clock.

The output stream's callback counts samples. At its first call it ties sample 0 to a monotonic time
(using PortAudio's DAC time, so device latency is accounted for); a deadline then becomes a sample
index, and the clip is mixed in at exactly that sample. Late clips start at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from assistant.errors import UserError

log = logging.getLogger(__name__)

NO_SPEAKER = "Er is geen luidspreker of koptelefoon gevonden. Sluit er een aan en probeer het opnieuw."
FADE_SECONDS = 0.005
WARM_UP = 0.4
REANCHOR_AFTER = 0.1     # seconds between sample clock and monotonic clock before they are tied again:
                         # a real stall (seen: 1.5 s at start-up), not the jitter of a busy machine


@dataclass
class Clip:
    deadline: float            # monotonic time at which it must start
    samples: np.ndarray        # float32 mono at the stream's rate
    start: int | None = None   # sample index in the stream, fixed when it first comes due
    pos: int = 0               # samples already played (or sent)


def mix_due(clips: list[Clip], buf: np.ndarray, n0: int, sample_at: Callable[[float], int]) -> list[Clip]:
    """Add to ``buf`` (the samples from stream index ``n0`` on) every clip that sounds there; a
    clip starts at the sample its deadline gives (at once when that has passed). Returns the clips
    still to sound. One mixer for the sound card and the satellite stream."""
    frames = buf.size
    keep = []
    for clip in clips:
        if clip.start is None:
            due = sample_at(clip.deadline)
            if due >= n0 + frames:
                keep.append(clip)
                continue
            clip.start = max(due, n0)   # late: at once
        offset = clip.start + clip.pos - n0
        if offset >= frames:
            keep.append(clip)
            continue
        offset = max(0, offset)
        take = min(frames - offset, clip.samples.size - clip.pos)
        buf[offset:offset + take] += clip.samples[clip.pos:clip.pos + take]
        clip.pos += take
        if clip.pos < clip.samples.size:
            keep.append(clip)
    return keep


def resample(samples: np.ndarray, src: int, dst: int) -> np.ndarray:
    if src == dst or samples.size == 0:
        return samples
    n = int(round(samples.size * dst / src))
    x = np.linspace(0.0, samples.size - 1, n)
    return np.interp(x, np.arange(samples.size), samples).astype(np.float32)


class ScheduledOutput:
    """An open output stream that plays clips at monotonic deadlines, mixed together."""

    def __init__(self, sample_rate: int = 22050, device=None, blocksize: int = 256) -> None:
        import sounddevice as sd

        self._sd = sd
        try:
            info = sd.query_devices(device, kind="output")
        except Exception as err:
            raise UserError(NO_SPEAKER, detail=f"no output device: {err!r}") from None
        rate = sample_rate
        try:
            sd.check_output_settings(device=device, samplerate=rate, channels=1, dtype="float32")
        except Exception:
            rate = int(info["default_samplerate"])
        self.rate = rate
        self._lock = threading.Lock()
        self._clips: list[Clip] = []
        self._played = 0                  # samples handed to the device so far
        self._t0: float | None = None     # monotonic time of sample 0
        self._anchored = threading.Event()
        self._fade_out = False
        self.underflows = 0
        self.reanchors = 0
        self.drift_log: list[float] = []
        try:
            self._stream = sd.OutputStream(
                samplerate=rate, channels=1, dtype="float32", device=device,
                blocksize=blocksize, latency="low", callback=self._callback,
            )
            self._stream.start()
        except Exception as err:
            raise UserError(NO_SPEAKER, detail=f"cannot open output stream: {err!r}") from None
        if not self._anchored.wait(2.0):
            self.close()
            raise UserError(NO_SPEAKER, detail="output stream never called back")
        # Some devices (PulseAudio through ALSA, for one) take a while before they really start
        # consuming: wait until the stream has played WARM_UP seconds, so the first cue is on time.
        end = time.monotonic() + 5.0
        while self._played < WARM_UP * self.rate and time.monotonic() < end:
            time.sleep(0.01)

    # The callback runs on PortAudio's thread: no allocation-heavy work, no blocking.
    def _callback(self, out, frames, time_info, status) -> None:
        if status.output_underflow:
            self.underflows += 1
        dac = time_info.outputBufferDacTime
        ahead = dac - time_info.currentTime if dac else self._stream.latency
        starts_at = time.monotonic() + max(0.0, ahead)   # when this buffer's first sample sounds
        if self._t0 is None:
            self._t0 = starts_at
            self._anchored.set()
        else:
            # The sample count is the steady clock; but if the device stalled (a starved
            # callback, a busy machine), samples and seconds part ways: tie them again.
            drift = starts_at - (self._t0 + self._played / self.rate)
            self.drift_log.append(drift)
            if abs(drift) > REANCHOR_AFTER:
                self._t0 += drift
                self.reanchors += 1
        buf = out[:, 0]
        buf.fill(0.0)
        n0 = self._played
        with self._lock:
            self._clips = mix_due(self._clips, buf, n0, self.sample_at)
            if self._fade_out:
                fade = min(frames, max(1, int(FADE_SECONDS * self.rate)))
                buf[:fade] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
                buf[fade:] = 0.0
                self._clips = []
                self._fade_out = False
        np.clip(buf, -1.0, 1.0, out=buf)
        self._played = n0 + frames

    def sample_at(self, when: float) -> int:
        assert self._t0 is not None, "the stream has not started"
        return int(round((when - self._t0) * self.rate))

    def play(self, samples: np.ndarray, rate: int, at: float) -> None:
        """Start ``samples`` at monotonic time ``at`` (at once, if that has passed)."""
        samples = resample(samples, rate, self.rate)
        with self._lock:
            self._clips.append(Clip(at, samples))

    def silence(self) -> None:
        """Stop everything now, with a few milliseconds' fade against clicks."""
        with self._lock:
            self._fade_out = True

    def busy(self) -> bool:
        with self._lock:
            return bool(self._clips)

    def close(self) -> None:
        try:
            self._stream.stop()
            self._stream.close()
        except Exception as err:  # closing a vanished device must not raise at the user
            log.debug("closing output stream: %r", err)


class SpeakerSink:
    """The coach's sink for real audio: a Voice renders, a ScheduledOutput plays."""

    lookahead = 0.15

    def __init__(self, voice, output: ScheduledOutput) -> None:
        self.voice = voice
        self.output = output

    def prepare(self, cues) -> None:
        for cue in cues:
            self.voice.render(cue.text, cue.fast)

    def play(self, text: str, fast: bool, at: float) -> None:
        samples, rate = self.voice.render(text, fast)
        self.output.play(samples, rate, at)

    def silence(self) -> None:
        self.output.silence()

    def duration(self, text: str, fast: bool) -> float:
        return self.voice.duration(text, fast)

    def wait_idle(self, timeout: float = 30.0) -> None:
        end = time.monotonic() + timeout
        while self.output.busy() and time.monotonic() < end:
            time.sleep(0.02)

    def close(self) -> None:
        self.output.close()

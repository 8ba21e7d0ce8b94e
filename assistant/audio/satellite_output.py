"""The coach's voice through a Wyoming satellite's speaker: the sink interface of ``SpeakerSink``
(lookahead, prepare, play, silence, duration, wait_idle, close), so the conversation core does
not know which of the two it talks to.

A satellite plays the audio chunks it is sent as they arrive, through a player program (its
``--snd-command``), and closes that player on audio-stop. It reports nothing back (wyoming-satellite
1.0.0 has no ``played``), so the beat is kept by *sample position* in one continuous stream:

- during a session (from ``prepare`` until ``end_session`` and the last sound) one stream at the
  satellite's rate, silence between the cues; a cue due at monotonic time ``d`` starts at sample
  ``(d - t0) * rate``, where ``t0`` is when the stream opened. The stream is sent ``lead`` seconds
  ahead of real time and no further, so a "stop" or "pauze" is silent at the speaker about ``lead``
  seconds later (plus the player's own buffer: keep that smaller than the lead, see the README);
- outside sessions each line is its own audio-start, chunks, audio-stop.

The pacer runs on the link's asyncio loop; ``play`` and friends may be called from any thread.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time

import numpy as np
from wyoming.audio import AudioChunk, AudioStart, AudioStop

from assistant.audio.output import FADE_SECONDS, Clip, mix_due, resample
from assistant.audio.satellite import SatelliteLink

log = logging.getLogger(__name__)

CHUNK_SECONDS = 0.02   # audio per chunk sent: the granularity of the lead
TICK = 0.005           # how often the pacer looks at the clock
HANDOVER = 0.15        # a cue is handed to the sink this much before it must be sent


class SatelliteSink:
    """Speaks through a satellite. Owns the link: ``close()`` closes both."""

    def __init__(self, voice, link: SatelliteLink, rate: int = 22050, lead: float = 0.2) -> None:
        self.voice = voice
        self.link = link
        self.rate = rate
        self.lead = lead
        self.lookahead = lead + HANDOVER
        self.chunk = max(1, int(round(CHUNK_SECONDS * rate)))
        self._lock = threading.Lock()
        self._clips: list[Clip] = []
        self._session = False
        self._fading: list[Clip] = []   # silenced: faded out in the next chunk, then gone
        self._closing = False
        # Pacer state (the link's loop only)
        self._open = False
        self._t0 = 0.0
        self._sent = 0
        self._generation = 0
        self.streams = 0       # audio-starts sent (for tests and the benchmark)
        self.late_chunks = 0   # chunks sent after their time: the pacer could not keep the lead
        self._idle = threading.Event()
        self._idle.set()
        self._pacer = link.spawn(self._pace())

    # -- the sink interface ---------------------------------------------------------------------
    def prepare(self, cues) -> None:
        """A session starts: render its cues, then open one continuous stream for it."""
        for cue in cues:
            self.voice.render(cue.text, cue.fast)
        with self._lock:
            self._session = True
            self._idle.clear()

    def end_session(self) -> None:
        """The session is over: the stream closes once what is queued has been sent."""
        with self._lock:
            self._session = False

    def play(self, text: str, fast: bool, at: float) -> None:
        samples, rate = self.voice.render(text, fast)
        clip = Clip(at, resample(samples, rate, self.rate))
        with self._lock:
            self._clips.append(clip)
            self._idle.clear()

    def silence(self) -> None:
        """Stop everything not yet sent, with a few milliseconds' fade against clicks."""
        with self._lock:
            self._fading += [c for c in self._clips if c.start is not None]
            self._clips = []

    def duration(self, text: str, fast: bool) -> float:
        return self.voice.duration(text, fast)

    def wait_idle(self, timeout: float = 30.0) -> None:
        """Until every line has been sent and the stream closed, and the lead has played out."""
        if self._idle.wait(timeout):
            time.sleep(self.lead + 0.1)

    def close(self) -> None:
        self._closing = True
        try:
            self._pacer.result(timeout=2)
        except Exception as err:   # a pacer that died must not hide the close
            log.debug("satellite pacer: %r", err)
        self.link.close()

    # -- the pacer, on the link's loop ------------------------------------------------------------
    async def _pace(self) -> None:
        while not self._closing:
            try:
                await self._step(time.monotonic())
            except Exception:   # never let one bad step end the coach's voice
                log.exception("satellite pacer step failed")
                self._open = False
            await asyncio.sleep(TICK)
        if self._open:
            await self.link.write(AudioStop().event())
            self._open = False

    async def _step(self, now: float) -> None:
        link = self.link
        if self._open and (not link.connected or link.generation != self._generation):
            log.info("satellite stream lost with its connection")
            self._open = False
            with self._lock:   # a stream's sample positions die with it
                for clip in self._clips:
                    clip.start = None
        if not self._open:
            with self._lock:
                due = any(c.deadline - self.lead - HANDOVER <= now for c in self._clips)
                wanted = self._session or due
                if not link.connected:
                    # Nobody to hear it: what is due now is lost, not played late.
                    self._clips = [c for c in self._clips if c.deadline > now]
                    self._fading = []
                    if not self._clips and not self._session:
                        self._idle.set()
                    return
                if not wanted:
                    if not self._clips:
                        self._idle.set()
                    return
                self._fading = []
            self._t0, self._sent, self._generation = now, 0, link.generation
            self._open = True
            self.streams += 1
            await link.write(AudioStart(rate=self.rate, width=2, channels=1).event())
        horizon = int((now - self._t0 + self.lead) * self.rate)
        if horizon - self._sent > 2 * self.chunk + int(self.lead * self.rate):
            self.late_chunks += 1
        while self._sent + self.chunk <= horizon and self._open:
            pcm = self._mix(self._sent, self.chunk)
            self._sent += self.chunk
            if not await link.write(AudioChunk(rate=self.rate, width=2, channels=1, audio=pcm).event()):
                return
        with self._lock:   # an answer's stream ends with it; a later line gets its own
            finished = not self._session and not any(
                c.start is not None or c.deadline - self.lead - HANDOVER <= now for c in self._clips)
        if finished and self._open:
            await link.write(AudioStop().event())
            self._open = False
            with self._lock:
                if not self._clips and not self._session:
                    self._idle.set()

    def _mix(self, n0: int, frames: int) -> bytes:
        buf = np.zeros(frames, dtype=np.float32)
        with self._lock:
            if self._fading:
                fade = min(frames, max(1, int(FADE_SECONDS * self.rate)))
                ramp = np.linspace(1.0, 0.0, fade, dtype=np.float32)
                for clip in self._fading:
                    part = clip.samples[clip.pos:clip.pos + fade]
                    buf[:part.size] += part * ramp[:part.size]
                self._fading = []
            t0 = self._t0
            self._clips = mix_due(self._clips, buf, n0, lambda deadline: int(round((deadline - t0) * self.rate)))
        np.clip(buf, -1.0, 1.0, out=buf)
        return (buf * 32767.0).astype("<i2").tobytes()

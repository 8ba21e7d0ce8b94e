"""The microphone: sounddevice input at 16 kHz mono int16, in blocks, on PortAudio's own thread.

Blocks go onto a queue that the listener drains, so recognition never blocks playback. While the
coach speaks an answer outside a session, blocks are replaced by silence (half-duplex) so the
stream stays continuous but the recogniser never hears the coach's own voice.
"""

from __future__ import annotations

import logging
import queue
import threading
import time

from assistant.errors import UserError

log = logging.getLogger(__name__)

RATE = 16000
BLOCK = 1600           # 0.1 s: vosk's own example uses 8000, which its author calls too large
NO_MICROPHONE = "Er is geen microfoon gevonden."


def put_dropping_oldest(blocks: queue.Queue, block: bytes) -> None:
    """Queue ``block``; when the listener has fallen behind, drop the oldest block rather than
    block the audio thread."""
    try:
        blocks.put_nowait(block)
    except queue.Full:
        try:
            blocks.get_nowait()
        except queue.Empty:
            pass
        blocks.put_nowait(block)


class Microphone:
    def __init__(self, device=None, rate: int = RATE, block: int = BLOCK) -> None:
        import sounddevice as sd

        self._sd = sd
        self.device, self.rate, self.block = device, rate, block
        self.blocks: queue.Queue[bytes] = queue.Queue(maxsize=200)
        self._muted_until = 0.0
        self._lock = threading.Lock()
        self._stream = None
        self.overflows = 0
        self.last_block_at = 0.0
        self.open()

    @staticmethod
    def available(device=None) -> bool:
        import sounddevice as sd
        try:
            sd.check_input_settings(device=device, samplerate=RATE, channels=1, dtype="int16")
            return True
        except Exception:
            return False

    def open(self) -> None:
        try:
            stream = self._sd.RawInputStream(
                samplerate=self.rate, blocksize=self.block, channels=1, dtype="int16",
                device=self.device, callback=self._callback, latency="low")
            stream.start()
            self._stream = stream
        except Exception as err:
            self._stream = None
            raise UserError(NO_MICROPHONE, detail=f"cannot open input: {err!r}") from None
        self.last_block_at = time.monotonic()

    def _callback(self, data, frames, time_info, status) -> None:
        if status.input_overflow:
            self.overflows += 1
        now = time.monotonic()
        self.last_block_at = now
        with self._lock:
            muted = now < self._muted_until
        put_dropping_oldest(self.blocks, bytes(len(data)) if muted else bytes(data))

    def mute_for(self, seconds: float) -> None:
        """Half-duplex: hear silence for the next ``seconds`` (extends, never shortens)."""
        with self._lock:
            self._muted_until = max(self._muted_until, time.monotonic() + seconds)

    def alive(self, stale_after: float = 1.5) -> bool:
        """False when the device vanished: the stream stopped, or no block came for a while."""
        s = self._stream
        return s is not None and s.active and time.monotonic() - self.last_block_at < stale_after

    def reopen(self) -> bool:
        self.close()
        try:
            self.open()
            return True
        except UserError:
            return False

    def close(self) -> None:
        if self._stream is not None:
            try:
                self._stream.stop()
                self._stream.close()
            except Exception as err:
                log.debug("closing input: %r", err)
            self._stream = None

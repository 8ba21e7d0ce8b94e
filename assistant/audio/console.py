"""The --mute sink: prints each cue when it is due instead of speaking it."""

from __future__ import annotations

import sys

from assistant.timing import estimate_duration


class PrintSink:
    lookahead = 0.0

    def __init__(self, stream=None, speech_rate: int = 165, fast_factor: float = 1.5) -> None:
        self._stream = stream or sys.stdout
        self._rate = speech_rate
        self._fast_factor = fast_factor

    def prepare(self, cues) -> None:
        pass

    def play(self, text: str, fast: bool, at: float) -> None:
        print(f"🔈 {text}", file=self._stream, flush=True)

    def silence(self) -> None:
        pass

    def duration(self, text: str, fast: bool) -> float:
        return estimate_duration(text, self._rate) / (self._fast_factor if fast else 1.0)

    def wait_idle(self, timeout: float = 0.0) -> None:
        pass

    def close(self) -> None:
        pass

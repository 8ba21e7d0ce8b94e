"""Stand-ins for the edges (sink, recogniser) so the core runs on a fake clock."""

from __future__ import annotations

from assistant.timing import estimate_duration


class RecordingSink:
    """Remembers what it was asked to play and when; 'plays' nothing."""

    lookahead = 0.15

    def __init__(self, clock) -> None:
        self.clock = clock
        self.played: list[tuple[float, str, float]] = []   # (deadline, text, handed over at)
        self.silenced_at: list[float] = []

    def play(self, text: str, fast: bool, at: float) -> None:
        self.played.append((at, text, self.clock.now()))

    def silence(self) -> None:
        self.silenced_at.append(self.clock.now())

    def duration(self, text: str, fast: bool) -> float:
        return estimate_duration(text) / (1.5 if fast else 1.0)

    def texts(self) -> list[str]:
        return [t for _, t, _ in self.played]

    def prepare(self, cues) -> None:
        pass

    def wait_idle(self, timeout: float = 0.0) -> None:
        pass

    def close(self) -> None:
        pass


class FakeMicrophone:
    """A microphone that records mute requests and can 'vanish' and come back."""

    def __init__(self) -> None:
        import queue
        import time
        self._time = time
        self.blocks = queue.Queue()
        self.mutes: list[tuple[float, float]] = []   # (from, until) monotonic
        self.present = True
        self.reopen_results: list[bool] = []

    def mute_for(self, seconds: float) -> None:
        now = self._time.monotonic()
        self.mutes.append((now, now + seconds))

    def muted_at(self, t: float) -> bool:
        return any(a <= t < b for a, b in self.mutes)

    def alive(self) -> bool:
        return self.present

    def reopen(self) -> bool:
        ok = self.reopen_results.pop(0) if self.reopen_results else True
        self.present = ok
        return ok

    def close(self) -> None:
        pass


class RecordingRecogniser:
    """Stands in for vosk in loop tests: remembers grammar switches and resets."""

    def __init__(self) -> None:
        self.grammars = []
        self.resets = 0

    def set_grammar(self, phrases) -> None:
        self.grammars.append(phrases)

    def reset(self) -> None:
        self.resets += 1

    def accept(self, pcm):
        return None

"""Stand-ins for the edges (sink, recogniser) so the core runs on a fake clock."""

from __future__ import annotations

from assistant.plan import estimate_duration


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

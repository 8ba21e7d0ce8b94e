"""Lines said outside the counting (answers, announcements, suggestions): one after another,
never over each other, whatever front end says them.

Called from the front end's thread (say) and the coach thread (after: a line the session said);
one lock keeps the two apart."""

from __future__ import annotations

import threading

GAP = 0.35  # seconds between two lines said in a row


class LineQueue:
    def __init__(self, sink, clock, gap: float = GAP) -> None:
        self.sink, self.clock, self.gap = sink, clock, gap
        self._until = 0.0
        self._lock = threading.Lock()

    def say(self, text: str) -> float:
        """Hand ``text`` to the sink to start now, or right after the line still sounding.
        Returns the monotonic time at which it will have been said."""
        with self._lock:
            at = max(self.clock.now() + self.sink.lookahead, self._until + self.gap)
            self._until = at + self.sink.duration(text, False)
            self.sink.play(text, False, at)
            return self._until

    def after(self, until: float) -> None:
        """Something else sounds until ``until``: the next line waits for it."""
        with self._lock:
            self._until = max(self._until, until)

"""Clocks: the real monotonic one, and a fake one that runs a session in milliseconds in tests.

A clock does two things: tell the time, and wait for the next message on a queue until a deadline.
"""

from __future__ import annotations

import heapq
import itertools
import queue
import time
from collections.abc import Callable
from typing import Any


class MonotonicClock:
    def now(self) -> float:
        return time.monotonic()

    def get(self, inbox: queue.Queue, until: float) -> Any | None:
        """The next message, or None once ``until`` has passed with none."""
        while True:
            timeout = until - time.monotonic()
            try:
                if timeout == float("inf"):
                    return inbox.get()
                if timeout <= 0:
                    return inbox.get_nowait()
                return inbox.get(timeout=timeout)
            except queue.Empty:
                if time.monotonic() >= until:
                    return None

    def sleep(self, seconds: float) -> None:
        time.sleep(max(0.0, seconds))


class FakeClock:
    """Time moves only when someone waits. Callbacks run at their scheduled times."""

    def __init__(self, start: float = 1000.0) -> None:
        self._now = start
        self._events: list[tuple[float, int, Callable[[], None]]] = []
        self._seq = itertools.count()

    def now(self) -> float:
        return self._now

    def at(self, when: float, action: Callable[[], None]) -> None:
        heapq.heappush(self._events, (when, next(self._seq), action))

    def after(self, delay: float, action: Callable[[], None]) -> None:
        self.at(self._now + delay, action)

    def get(self, inbox: queue.Queue, until: float) -> Any | None:
        while True:
            try:
                return inbox.get_nowait()
            except queue.Empty:
                pass
            if self._events and self._events[0][0] <= until:
                when, _, action = heapq.heappop(self._events)
                self._now = max(self._now, when)
                action()
                continue
            if until == float("inf"):
                raise RuntimeError("FakeClock: waiting forever with nothing scheduled")
            self._now = max(self._now, until)
            return None

    def sleep(self, seconds: float) -> None:
        self.get(queue.Queue(), self._now + max(0.0, seconds))

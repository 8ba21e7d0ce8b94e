"""One exercise session, wired: plan + runner + sink + journal. Used by every front end."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Callable

from assistant import plan as plan_mod
from assistant.coach import SessionResult, SessionRunner
from assistant.settings import Settings

log = logging.getLogger(__name__)


def closing_lines(words: dict, now: datetime) -> list[str]:
    """What the coach says after the praise: when the next session of the day is due."""
    return [plan_mod.next_session_line(now, words["end"])]


def make_plan_builder(words: dict, first_session: bool, closing: list[str], sink) -> Callable[[Settings], list]:
    def build(settings: Settings):
        return plan_mod.build_plan(settings, words, first_session=first_session,
                                   closing=closing, duration=sink.duration)
    return build


class JournalRecorder:
    """Turns the runner's events into journal rows: the session exists from its first round."""

    def __init__(self, journal, settings: Settings, now: Callable[[], datetime]) -> None:
        self._journal = journal
        self._settings = settings
        self._now = now
        self.session_id: int | None = None
        self.tempo = settings.tempo

    def __call__(self, kind: str, data: dict) -> None:
        if self._journal is None:
            return
        if kind == "round_started" and self.session_id is None:
            s = self._settings
            self.session_id = self._journal.start_session(self._now(), s.position, self.tempo, s.reps)
        elif kind == "tempo":
            self.tempo = data["tempo"]
        elif kind == "round_done" and self.session_id is not None:
            self._journal.record_round(self.session_id, data["rep"], self.tempo)

    def finish(self, result: SessionResult) -> None:
        if self._journal is not None and self.session_id is not None:
            self._journal.finish_session(self.session_id, self._now(), result.completed, result.reps_done)


def new_runner(settings: Settings, words: dict, sink, clock, journal, *, now: Callable[[], datetime],
               closing: list[str] | None = None, on_event: Callable[[str, dict], None] | None = None):
    """A ready SessionRunner and its JournalRecorder. Call ``recorder.finish(result)`` at the end."""
    first = journal is None or not journal.has_sessions()
    lines = closing if closing is not None else closing_lines(words, now())
    build = make_plan_builder(words, first, lines, sink)
    recorder = JournalRecorder(journal, settings, now)

    def events(kind: str, data: dict) -> None:
        recorder(kind, data)
        if on_event:
            on_event(kind, data)

    runner = SessionRunner(settings, build, sink, clock, words, on_event=events)
    return runner, recorder

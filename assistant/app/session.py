"""One exercise session, wired: plan + runner + sink + journal. Used by every front end."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from assistant.coaching import plan as plan_mod
from assistant.coaching.runner import Event, RoundDone, RoundStarted, SessionResult, SessionRunner, TempoChanged
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
    """Turns the runner's events into journal rows: the session exists from its first round.

    Runs on the coach thread; the journal serialises its own writes."""

    def __init__(self, journal, settings: Settings, now: Callable[[], datetime]) -> None:
        self._journal = journal
        self._settings = settings
        self._now = now
        self.session_id: int | None = None
        self.tempo = settings.tempo

    def __call__(self, event: Event) -> None:
        if self._journal is None:
            return
        if isinstance(event, RoundStarted) and self.session_id is None:
            s = self._settings
            self.session_id = self._journal.start_session(self._now(), s.position, self.tempo, s.reps)
        elif isinstance(event, TempoChanged):
            self.tempo = event.tempo
        elif isinstance(event, RoundDone) and self.session_id is not None:
            self._journal.record_round(self.session_id, event.rep, self.tempo)

    def finish(self, result: SessionResult) -> None:
        if self._journal is not None and self.session_id is not None:
            self._journal.finish_session(self.session_id, self._now(), result.completed, result.reps_done)


def new_runner(settings: Settings, words: dict, sink, clock, journal, *, now: Callable[[], datetime],
               closing: list[str] | None = None, on_event: Callable[[Event], None] | None = None):
    """A ready SessionRunner and its JournalRecorder. Call ``recorder.finish(result)`` at the end."""
    first = journal is None or not journal.has_sessions()
    lines = closing if closing is not None else closing_lines(words, now())
    build = make_plan_builder(words, first, lines, sink)
    recorder = JournalRecorder(journal, settings, now)

    def events(event: Event) -> None:
        recorder(event)
        if on_event:
            on_event(event)

    runner = SessionRunner(settings, build, sink, clock, words, on_event=events)
    return runner, recorder


def end_session(sink) -> None:
    """The session's last cue has been handed over. A sink that streams a session (a satellite)
    closes the stream once it has played; sinks without a stream need no such method."""
    finish = getattr(sink, "end_session", None)
    if finish is not None:
        finish()


def start_in_background(settings: Settings, words: dict, sink, clock, journal, keeper, *,
                        on_end: Callable[[SessionRunner], None],
                        on_event: Callable[[Event], None] | None = None):
    """Start a journaled session on its own thread ("coach"); ``on_end(runner)`` runs on that
    thread once the session's last sound has ended (callers hand it back to their own thread).

    Returns (runner, thread). The closing line says what is left of today's goal.
    """
    now = lambda: datetime.now().astimezone()  # noqa: E731
    closing = [keeper.closing_line(settings.position, settings.tempo, settings.reps)]
    runner, recorder = new_runner(settings, words, sink, clock, journal, now=now, closing=closing, on_event=on_event)
    sink.prepare(runner.plan())

    def run() -> None:
        try:
            runner.run()
        finally:
            end_session(sink)
            recorder.finish(runner.result)
            on_end(runner)

    thread = threading.Thread(target=run, name="coach", daemon=True)
    thread.start()
    return runner, thread

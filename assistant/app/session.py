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


def first_in_position(journal, position: str) -> bool:
    """No round done yet in this position: the full instruction (a new position gets its own)."""
    if journal is None:
        return True
    return not any(r.position == position and r.reps_done > 0 for r in journal.sessions())


def make_plan_builder(words: dict, first_session: bool, closing: list[str], sink) -> Callable[[Settings], list]:
    def build(settings: Settings):
        return plan_mod.build_plan(settings, words, first_session=first_session,
                                   closing=closing, duration=sink.duration)
    return build


def session_plan(settings: Settings, words: dict, journal, keeper, sink) -> list:
    """The plan the session started now would follow: the same builder, closing line and
    durations as ``new_runner`` (what `session --dry-run` prints)."""
    closing = [keeper.closing_line(settings.position, settings.tempo, settings.reps)]
    return make_plan_builder(words, first_in_position(journal, settings.position), closing, sink)(settings)


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
               closing: list[str], on_event: Callable[[Event], None] | None = None, interactive: bool = False):
    """A ready SessionRunner and its JournalRecorder. Call ``recorder.finish(result)`` at the end.

    ``interactive``: after the position question the session waits for ``runner.ready()`` (at most
    coach.toml's ready.timeout); otherwise it follows the plan's fixed pause."""
    build = make_plan_builder(words, first_in_position(journal, settings.position), closing, sink)
    recorder = JournalRecorder(journal, settings, now)

    def events(event: Event) -> None:
        recorder(event)
        if on_event:
            on_event(event)

    runner = SessionRunner(settings, build, sink, clock, words, on_event=events,
                           ready_timeout=words["ready"]["timeout"] if interactive else None)
    return runner, recorder


def start_in_background(settings: Settings, words: dict, sink, clock, journal, keeper, *,
                        on_end: Callable[[SessionRunner], None],
                        on_event: Callable[[Event], None] | None = None):
    """Start a journaled session on its own thread ("coach"); ``on_end(runner)`` runs on that
    thread once the session's last sound has ended (callers hand it back to their own thread).

    Returns (runner, thread). The closing line says what is left of today's goal.
    """
    now = lambda: datetime.now().astimezone()  # noqa: E731
    closing = [keeper.closing_line(settings.position, settings.tempo, settings.reps)]
    runner, recorder = new_runner(settings, words, sink, clock, journal, now=now, closing=closing, on_event=on_event,
                                  interactive=True)
    sink.prepare(runner.plan())

    def run() -> None:
        try:
            runner.run()
        finally:
            recorder.finish(runner.result)
            on_end(runner)

    thread = threading.Thread(target=run, name="coach", daemon=True)
    thread.start()
    return runner, thread

"""One exercise session, wired: plan + runner + sink + journal. Used by every front end."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime

from assistant import prompts
from assistant.coaching import plan as plan_mod
from assistant.coaching.runner import Event, RoundDone, RoundStarted, SessionResult, SessionRunner, TempoChanged
from assistant.programme.journal import JournalError
from assistant.settings import Settings

log = logging.getLogger(__name__)

FINISH_ATTEMPTS = 3        # writes of a session's end, before giving up
FINISH_RETRY_WAIT = 0.5    # seconds between them


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

    Runs on the coach thread; the journal serialises its own writes. A write that fails never
    stops the session: the rounds are counted in memory, every later event tries again, and
    ``finish`` (after a few more tries) returns one Dutch sentence saying what could not be saved
    and why, or None when everything is in the journal."""

    def __init__(self, journal, settings: Settings, now: Callable[[], datetime]) -> None:
        self._journal = journal
        self._settings = settings
        self._now = now
        self.session_id: int | None = None
        self.tempo = settings.tempo
        self.started_at: datetime | None = None
        self.reps_done = 0            # counted, whatever the journal holds
        self.saved_reps = 0           # what the journal holds
        self.fault: JournalError | None = None   # the last failed write, while it is not made good
        self.first_unsaved: int | None = None    # the first round a write failed for

    def __call__(self, event: Event) -> None:
        if self._journal is None:
            return
        if isinstance(event, RoundStarted) and self.started_at is None:
            self.started_at = self._now()
            self._save()
        elif isinstance(event, TempoChanged):
            self.tempo = event.tempo
        elif isinstance(event, RoundDone) and self.started_at is not None:
            self.reps_done = event.rep
            self._save()

    def _save(self) -> bool:
        """Bring the journal up to what was counted. False when the write failed."""
        s = self._settings
        try:
            if self.session_id is None:
                assert self.started_at is not None
                self.session_id = self._journal.start_session(self.started_at, s.position, self.tempo, s.reps)
            if self.reps_done > self.saved_reps:
                self._journal.record_round(self.session_id, self.reps_done, self.tempo, self._now())
                self.saved_reps = self.reps_done
        except JournalError as err:
            if self.fault is None:
                log.warning("journal write failed (%s), counting on in memory: %s", err.kind, err.detail)
            if self.first_unsaved is None:
                self.first_unsaved = max(1, self.saved_reps + 1) if self.reps_done else 0
            self.fault = err
            return False
        return True

    def finish(self, result: SessionResult) -> str | None:
        """Write the session's end; None when all is saved, else one Dutch sentence about what is not."""
        if self._journal is None or self.started_at is None:
            return None
        self.reps_done = max(self.reps_done, result.reps_done)
        for attempt in range(FINISH_ATTEMPTS):
            if attempt:
                time.sleep(FINISH_RETRY_WAIT)
            if not self._save():
                continue
            try:
                assert self.session_id is not None
                self._journal.finish_session(self.session_id, self._now(), result.completed, result.reps_done)
                return None
            except JournalError as err:
                self.fault = err
        log.warning("journal: session not fully saved (%d of %d rounds saved)", self.saved_reps, self.reps_done)
        return self.unsaved_sentence()

    def unsaved_sentence(self) -> str | None:
        if self.fault is None:
            return None
        words = prompts.load("frontends")["journal"]
        reason = words["reasons"].get(self.fault.kind, words["reasons"]["other"])
        if self.session_id is None or self.saved_reps == 0 and self.reps_done > 0:
            return words["unsaved_all"].format(reason=reason)
        if self.saved_reps < self.reps_done:
            return words["unsaved_from"].format(first=self.saved_reps + 1, reason=reason)
        return words["unsaved_end"].format(reason=reason)


def new_runner(settings: Settings, words: dict, sink, clock, journal, *, now: Callable[[], datetime],
               closing: list[str], on_event: Callable[[Event], None] | None = None, interactive: bool = False):
    """A ready SessionRunner and its JournalRecorder. Call ``recorder.finish(result)`` at the end.

    ``interactive``: after the position question the session waits for ``runner.ready()`` (at most
    coach.toml's ready.timeout); otherwise it follows the plan's fixed pause."""
    try:
        first = first_in_position(journal, settings.position)
    except JournalError as err:   # the session matters more than the record
        log.warning("journal unreadable before a session: %s", err.detail)
        first = True
    build = make_plan_builder(words, first, closing, sink)
    recorder = JournalRecorder(journal, settings, now)

    def events(event: Event) -> None:
        recorder(event)
        if on_event:
            on_event(event)

    runner = SessionRunner(settings, build, sink, clock, words, on_event=events,
                           ready_timeout=words["ready"]["timeout"] if interactive else None)
    return runner, recorder


def end_session(sink) -> None:
    """The session's last cue has been handed over. A sink that streams a session (a satellite)
    closes the stream once it has played; sinks without a stream need no such method."""
    finish = getattr(sink, "end_session", None)
    if finish is not None:
        finish()


def start_in_background(settings: Settings, words: dict, sink, clock, journal, keeper, *,
                        on_end: Callable[[SessionRunner, str | None], None],
                        on_event: Callable[[Event], None] | None = None):
    """Start a journaled session on its own thread ("coach"); ``on_end(runner, unsaved)`` runs on
    that thread once the session's last sound has ended (callers hand it back to their own
    thread); ``unsaved`` is None, or one Dutch sentence on what the journal could not keep.

    Returns (runner, thread). The closing line says what is left of today's goal.
    """
    now = lambda: datetime.now().astimezone()  # noqa: E731
    try:
        closing = [keeper.closing_line(settings.position, settings.tempo, settings.reps)]
    except JournalError as err:   # the session matters more than the record
        log.warning("journal unreadable before a session: %s", err.detail)
        closing = []
    runner, recorder = new_runner(settings, words, sink, clock, journal, now=now, closing=closing, on_event=on_event,
                                  interactive=True)
    sink.prepare(runner.plan())

    def run() -> None:
        unsaved = None
        try:
            runner.run()
        finally:
            end_session(sink)
            try:
                unsaved = recorder.finish(runner.result)
            finally:
                on_end(runner, unsaved)

    thread = threading.Thread(target=run, name="coach", daemon=True)
    thread.start()
    return runner, thread

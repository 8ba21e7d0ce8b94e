"""The conversation core: one for every front end (voice loop, typed mode, later a satellite).

It takes understood utterances and owns session control, the dialog, reminders and check-ins.
Front ends only turn audio or keystrokes into utterances, and lines into sound or text; what
they need to know of the conversation comes through the few hooks of ``FrontEnd``.

Threads: the front end's thread owns the conversation and calls every public method (they take
one lock, so a second thread, e.g. a test or a supervisor, may look in safely). The session runs
on its own thread ("coach"); its end is posted to a queue and handled by ``poll()`` on the front
end's thread, so the settings, the recogniser's grammar and the line queue are only ever changed
there. Only ``FrontEnd.session_event`` runs on the coach thread.
"""

from __future__ import annotations

import enum
import logging
import queue
import threading
from typing import Protocol

from assistant import prompts
from assistant.app.lines import LineQueue
from assistant.app.session import start_in_background
from assistant.coaching.runner import ACTIONS as SESSION_ACTIONS
from assistant.coaching.runner import Event, Said, SessionRunner
from assistant.language import dates
from assistant.language.dialog import Dialog
from assistant.language.diary import DiaryPhrases
from assistant.language.ready import is_ready
from assistant.language.understanding import Kind, Understanding, Understood
from assistant.settings import Settings

log = logging.getLogger(__name__)

ANNOUNCE_EVERY = 20.0  # seconds between checks for due reminders and check-ins


class FrontEnd(Protocol):
    """What a front end does for the conversation. Every hook but ``session_event`` runs on the
    front end's own thread."""

    def said(self, text: str, until: float) -> None:
        """A line was handed to the sink; it sounds until ``until`` (monotonic seconds)."""

    def session_started(self) -> None:
        """A session is about to start."""

    def session_ended(self) -> None:
        """The session is over and its last sound has ended."""

    def session_event(self, event: Event) -> None:
        """An event of the running session. Runs on the coach thread."""


class QuietFrontEnd:
    """A front end that needs to know nothing (typed mode; tests)."""

    def said(self, text: str, until: float) -> None:
        pass

    def session_started(self) -> None:
        pass

    def session_ended(self) -> None:
        pass

    def session_event(self, event: Event) -> None:
        pass


class Outcome(enum.Enum):
    """What became of an utterance."""
    ACTED = "acted"          # a session was started, or a session command carried out
    ANSWERED = "answered"    # outside a session: something was said in reply
    NOT_NOW = "not now"      # during a session: not a session command, so left alone


class Conversation:
    def __init__(self, *, settings: Settings, coach_words: dict, journal, keeper, understanding: Understanding,
                 sink, clock, front: FrontEnd | None = None) -> None:
        self.settings = settings
        self.words = coach_words
        self.journal = journal
        self.keeper = keeper
        self.understanding = understanding
        self.sink = sink
        self.clock = clock
        self.front: FrontEnd = front or QuietFrontEnd()
        self.runner: SessionRunner | None = None
        self._thread: threading.Thread | None = None
        self._ended: queue.Queue[tuple[SessionRunner, str | None]] = queue.Queue()
        self._lock = threading.RLock()
        self._lines = LineQueue(sink, clock)
        self._next_announce = 0.0
        keeper.current_position = settings.position
        self.dialog = Dialog(understanding, session_active=self.session_active, keeper=keeper,
                             status_text=lambda: keeper.answer("programma_vandaag"))
        self.diary = DiaryPhrases(prompts.load("diary"), prompts.load("words"))
        self._undo_ok = False    # "dat klopt niet" undoes only right after a diary line

    # -- the session ----------------------------------------------------------------------------
    def session_active(self) -> bool:
        """A session runs (or has ended but its end is not yet handled: that happens here)."""
        self.poll()
        return self.runner is not None

    def start_session(self) -> None:
        with self._lock:
            if self.runner is not None:
                return
            self.front.session_started()
            self.runner, self._thread = start_in_background(
                self.settings, self.words, self.sink, self.clock, self.journal, self.keeper,
                on_end=lambda runner, unsaved: self._ended.put((runner, unsaved)), on_event=self._session_event)

    def _session_event(self, event: Event) -> None:
        # Coach thread. A line the session says (pause, stop, status) holds back the next answer.
        if isinstance(event, Said):
            self._lines.after(event.until)
        self.front.session_event(event)

    def command(self, action: str, say: str = "") -> None:
        """Carry out a session command (pause, stop, ...) on the running session; ``say`` is
        spoken first (a pause for a red flag says why)."""
        with self._lock:
            if self.runner is not None:
                self.runner.command(action, say)

    def poll(self) -> None:
        """Handle a session that has ended: keep the tempo chosen, switch the front end back, say
        what the journal could not keep, and suggest the next position after a completed session."""
        with self._lock:
            while True:
                try:
                    runner, unsaved = self._ended.get_nowait()
                except queue.Empty:
                    return
                if self._thread is not None:
                    self._thread.join(timeout=1.0)   # it has run on_end: its last step
                self.runner, self._thread = None, None
                self.settings = runner.settings          # keep a tempo the user chose
                self.front.session_ended()
                self.say(unsaved or "")
                if runner.result.completed:
                    self.say(self.keeper.suggestion(runner.settings.position) or "")

    def waiting_for_ready(self) -> bool:
        """The session asked whether the user is in position and waits for a yes."""
        runner = self.runner
        return runner is not None and runner.waiting

    def ready_reply(self, text: str) -> bool:
        """While the session waits for the user to be in position: is ``text`` the yes? Then it
        goes on. Checked before understanding, so "ik ben er klaar voor" is not taken for stop."""
        with self._lock:
            if not self.waiting_for_ready() or not is_ready(text, self.words["ready"]["phrases"]):
                return False
            assert self.runner is not None
            self.runner.ready()
            return True

    # -- what was heard -------------------------------------------------------------------------
    def hear(self, u: Understood) -> Outcome:
        """One understood utterance. During a session only session commands act; outside one,
        the dialog answers (or the session starts)."""
        with self._lock:
            if self.session_active():
                if u.kind is Kind.SAFETY:
                    # A red flag or pain during the counting: stop counting and say why first.
                    log.info("red flag (%s) during a session: pausing", u.category)
                    self.command("pause", say=u.answer)
                    return Outcome.ACTED
                if u.kind is Kind.COMMAND and u.action in SESSION_ACTIONS:
                    self.command(u.action)
                    return Outcome.ACTED
                if u.kind is Kind.QUESTION:
                    log.info("question during a session, not answered: %r", u.text)
                return Outcome.NOT_NOW
            statement = self.statement(u) if u.kind is not Kind.SAFETY or u.guessed_red_flag else None
            if statement:
                self.say(statement)
                return Outcome.ANSWERED
            self._undo_ok = False
            reply = self.dialog.reply(u)
            if reply.action == "start":
                self.start_session()
                return Outcome.ACTED
            self.say(reply.say)
            self.settings = self.keeper.with_chosen_position(self.settings)
            return Outcome.ANSWERED

    def statement(self, u: Understood) -> str | None:
        """A programme statement, asked before the dialog (red flags the signs found were checked
        before this; one the classifier only guessed gives way to a plasdagboek line):
        the size of a glass the coach asked for, a check-up date, a plasdagboek line, undoing the
        last one, or the day's summary. None when it is none of these."""
        k, text = self.keeper, u.text
        was_undo_ok, self._undo_ok = self._undo_ok, False
        if k.pending_container is not None:
            ml = self.diary.amount_answer(text)
            if ml is not None and self.diary.entry(text) is None:
                return k.set_container(ml)
            k.pending_container = None
        a = k.words["appointment"]
        words = dates.tokens(text)
        if k.pending_question == "appointment":
            said = dates.parse(text, k.now().date(), k.number_words)
            if said is not None:
                return k.set_appointment(said)
            if any(dates.tokens(p) == words for p in a["none"]):
                return k.no_appointment()
        if was_undo_ok and self.diary.is_undo(text):
            return k.undo_diary()
        which = self.diary.summary_day(text)
        if which is not None:
            return k.diary_summary(which)
        entry = self.diary.entry(text)
        if entry is not None:
            self._undo_ok = True
            return k.note_diary(entry.kind, entry.ml, entry.count, entry.container, entry.size, entry.note)
        if set(words) & set(a["words"]) and not self.diary.is_question(text):
            said = dates.parse(text, k.now().date(), k.number_words)
            if said is not None:    # "mijn controle bij de huisarts is op vijftien december"
                return k.set_appointment(said)
        return None

    # -- speaking -------------------------------------------------------------------------------
    def say(self, text: str) -> float | None:
        """Speak now, or right after what is still being said. Returns when it will have ended."""
        if not text:
            return None
        with self._lock:
            until = self._lines.say(text)
        self.front.said(text, until)
        return until

    # -- between sessions -----------------------------------------------------------------------
    def announce(self) -> None:
        """Check-ins and reminders that are due, spoken between sessions."""
        with self._lock:
            if self.session_active():
                return
            for text in self.keeper.announcements():
                self.say(text)

    def tick(self) -> None:
        """Called often by the front end: handles a session's end, and every ANNOUNCE_EVERY
        seconds says what is due."""
        self.poll()
        now = self.clock.now()
        if now >= self._next_announce:
            self._next_announce = now + ANNOUNCE_EVERY
            self.announce()

    def close(self) -> None:
        with self._lock:
            thread = self._thread
            if self.runner is not None:
                self.runner.stop()
        if thread is not None:
            thread.join(timeout=5)
        self.poll()

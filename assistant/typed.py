"""Typed mode (`python -m assistant text`): Dutch commands typed while the coach speaks.

The same coach and dialog as the voice loop; only the recogniser is a keyboard.
"""

from __future__ import annotations

import sys
import threading

from assistant import prompts
from assistant.clock import MonotonicClock
from assistant.coach import ACTIONS as SESSION_ACTIONS
from assistant.console import PrintSink
from assistant.dialog import Dialog
from assistant.lines import LineQueue
from assistant.session import next_position_suggestion, start_in_background
from assistant.understanding import Understanding

IN_SESSION_HINT = ("Tijdens de oefening kunt u typen: pauze, verder, stop, langzamer, sneller, "
                   "herhaal of status. Vragen beantwoord ik na de oefening.")
WELCOME = "Typ 'start oefening' om te beginnen, of stel een vraag. Typ 'afsluiten' of druk op Ctrl-D om te eindigen."
EXIT_WORDS = {"afsluiten", "sluit af", "exit", "quit", "tot ziens", "doei"}
GOODBYE = "Tot de volgende keer."


class TeeSink:
    """Shows every cue on screen and hands it to the speaker."""

    def __init__(self, speaker, screen: PrintSink) -> None:
        self.speaker, self.screen = speaker, screen
        self.lookahead = speaker.lookahead

    def prepare(self, cues) -> None:
        self.speaker.prepare(cues)

    def play(self, text, fast, at) -> None:
        self.speaker.play(text, fast, at)
        self.screen.play(text, fast, at)

    def silence(self) -> None:
        self.speaker.silence()

    def duration(self, text, fast) -> float:
        return self.speaker.duration(text, fast)

    def wait_idle(self, timeout: float = 30.0) -> None:
        self.speaker.wait_idle(timeout)

    def close(self) -> None:
        self.speaker.close()


class TypedFrontEnd:
    def __init__(self, settings, sink, journal, keeper, out=None) -> None:
        self.settings = settings
        self.sink = sink
        self.journal = journal
        self.keeper = keeper
        keeper.current_position = settings.position
        self.words = prompts.load("coach")
        self.out = out or sys.stdout
        self.clock = MonotonicClock()
        self.runner = None
        self._thread: threading.Thread | None = None
        self.dialog = Dialog(Understanding(), session_active=self.session_active, keeper=keeper,
                             status_text=lambda: keeper.answer("programma_vandaag"))
        self._lock = threading.Lock()
        self._line_queue = LineQueue(sink, self.clock)

    def session_active(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def say(self, text: str) -> None:
        """Speak (and show) now, or right after what is still being said."""
        if text:
            self._line_queue.say(text)

    def start_session(self) -> None:
        self.runner, self._thread = start_in_background(
            self.settings, self.words, self.sink, self.clock, self.journal, self.keeper, on_end=self._session_ended)

    def _session_ended(self, runner) -> None:
        self.settings = runner.settings          # keep a tempo the user chose
        self.say(next_position_suggestion(runner, self.sink, self.keeper) or "")

    def announce(self) -> None:
        """Check-ins and reminders that are due, spoken between sessions."""
        if self.session_active():
            return
        with self._lock:
            for text in self.keeper.announcements():
                self.say(text)

    def handle(self, line: str) -> bool:
        """Act on one typed line. False means: leave."""
        if line.lower().strip(" .!") in EXIT_WORDS:
            return False
        reply = self.dialog.handle(line)
        action = reply.action
        if self.session_active():
            if action in SESSION_ACTIONS:
                self.runner.command(action)
            elif action == "start":
                pass  # already running
            else:
                print(IN_SESSION_HINT, file=self.out, flush=True)
            return True
        if action == "start":
            self.start_session()
            return True
        self.say(reply.say)
        self.settings = self.keeper.with_chosen_position(self.settings)
        return True

    def close(self) -> None:
        if self.session_active():
            self.runner.stop()
            self._thread.join(timeout=5)
        self.sink.wait_idle(5)
        self.sink.close()


ANNOUNCE_EVERY = 20.0  # seconds between checks for due reminders and check-ins


def run_typed(args) -> int:
    from assistant.cli import load_settings, make_sink, open_journal, open_keeper

    journal = open_journal(args)
    settings = load_settings(args, journal)
    keeper = open_keeper(args, journal)
    speaker = make_sink(settings, args.mute)
    sink = speaker if args.mute else TeeSink(speaker, PrintSink(speech_rate=settings.speech_rate))
    front = TypedFrontEnd(settings, sink, journal, keeper)
    print(WELCOME, flush=True)
    stop = threading.Event()

    def announcer() -> None:
        while not stop.wait(ANNOUNCE_EVERY):
            front.announce()

    front.announce()
    threading.Thread(target=announcer, name="announcer", daemon=True).start()
    try:
        for line in sys.stdin:
            if line.strip() and not front.handle(line.strip()):
                break
    finally:
        stop.set()
        front.close()
        print(GOODBYE, flush=True)
    return 0

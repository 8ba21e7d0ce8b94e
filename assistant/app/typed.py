"""Typed mode (`python -m assistant text`): Dutch commands typed while the coach speaks.

The same conversation core as the voice loop; only the recogniser is a keyboard. A reader thread
turns standard input into lines on a queue; the main thread owns the conversation.
"""

from __future__ import annotations

import logging
import queue
import sys
import threading

from assistant import errors, prompts
from assistant.app import textin, wiring
from assistant.app.conversation import Conversation, Outcome
from assistant.audio.console import PrintSink
from assistant.clock import MonotonicClock
from assistant.errors import UserError

log = logging.getLogger(__name__)

TICK = 0.25  # seconds between looks at the session's end and due reminders while no key comes


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
    def __init__(self, conversation: Conversation, out=None) -> None:
        self.conversation = conversation
        self.texts = prompts.load("frontends")["typed"]
        self.exit_words = set(self.texts["exit_words"])
        self.out = out or sys.stdout

    def handle(self, line: str) -> bool:
        """Act on one typed line. False means: leave."""
        if line.lower().strip(" .!") in self.exit_words:
            return False
        conv = self.conversation
        if conv.ready_reply(line):
            return True
        u = textin.understand(conv.understanding, line)
        if conv.hear(u) is Outcome.NOT_NOW and u.action != "start":
            print(self.texts["in_session_hint"], file=self.out, flush=True)
        return True


def _read_lines(stream, lines: queue.Queue) -> None:
    """Any bytes in, text out (see textin): a bad byte never ends typed mode."""
    for line in textin.read_lines(getattr(stream, "buffer", stream)):
        lines.put(line)
    lines.put(None)


def run_typed(args) -> int:
    journal = wiring.open_journal(args)
    settings = wiring.load_settings(args, journal)
    keeper = wiring.open_keeper(args, journal)
    mute = args.mute
    try:
        speaker = wiring.make_sink(settings, mute)
    except UserError as err:     # no speaker, or no voice: show the text, as with --mute, and say so once
        log.warning("no speech output, typed mode shows text: %s (%s)", err, err.detail)
        print(prompts.load("frontends")["typed"]["no_speaker"], file=sys.stderr, flush=True)
        speaker, mute = wiring.make_sink(settings, True), True
    sink = speaker if mute else TeeSink(speaker, PrintSink(speech_rate=settings.speech_rate))
    conv = Conversation(settings=settings, coach_words=prompts.load("coach"), journal=journal, keeper=keeper,
                        understanding=wiring.understanding(), sink=sink, clock=MonotonicClock())
    front = TypedFrontEnd(conv)
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_read_lines, args=(sys.stdin, lines), name="keyboard", daemon=True).start()
    # The welcome comes once the keyboard is read: it promises she is heard, and a Ctrl-C after it
    # no longer lands inside Thread.start(), whose lock it would break (a RuntimeError, not a goodbye).
    print(front.texts["welcome"], flush=True)
    interrupted = False
    try:
        while True:
            conv.tick()
            try:
                line = lines.get(timeout=TICK)
            except queue.Empty:
                continue
            if line is None:
                break
            if line.strip() and not front.handle(line.strip()):
                break
    except BaseException as err:
        # the command line says goodbye to a Ctrl-C ("Gestopt. Tot de volgende keer."), also one
        # that broke a lock on its way (see errors.interrupt_behind)
        interrupted = isinstance(err, KeyboardInterrupt) or errors.interrupt_behind(err) is not None
        raise
    finally:
        conv.close()
        sink.wait_idle(5)
        sink.close()
        if not interrupted:
            print(front.texts["goodbye"], flush=True)
    return 0

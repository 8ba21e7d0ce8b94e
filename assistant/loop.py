"""The hands-free voice loop: microphone -> recogniser -> understanding -> coach/dialog -> voice.

Never to itself: outside sessions the microphone hears silence while the coach answers
(half-duplex); during a session the recogniser listens for commands only (a vosk grammar) and the
coach's cues contain no command word, so the user can say "stop" over the counting (barge-in).
Commands act on a partial result as soon as it is certain; questions wait for the final one.
"""

from __future__ import annotations

import logging
import queue
import threading
import time

from assistant import prompts
from assistant.coach import ACTIONS as SESSION_ACTIONS
from assistant.dialog import Dialog
from assistant.lines import LineQueue
from assistant.recogniser import RecogniserError, Transcript
from assistant.session import next_position_suggestion, start_in_background

log = logging.getLogger(__name__)

IMMEDIATE = ("stop", "pause")   # acted on from a partial result, as soon as it is certain
# During a session the recogniser's grammar holds only command sentences, so what it hears
# should be one, nearly word for word: an utterance that merely contains a command ("gaan we
# confirmen" ~ "we gaan weer") is more likely the coach's own voice misheard than the user.
SESSION_COMMAND_PRECISION = 0.8
ECHO_TAIL = 0.35                # seconds of extra silence after the coach stops speaking
ANNOUNCE_EVERY = 20.0
MIC_RETRY_EVERY = 2.0


def session_grammar(understanding, model=None) -> tuple[list[str], list[str]]:
    """Command sentences for the recogniser's commands-only mode, and the words the model lacks."""
    phrases = sorted({s for s, kind, name in understanding.table if kind == "command" and name in SESSION_ACTIONS})
    if model is None:
        return phrases, []
    from assistant.recogniser import unknown_words
    missing = set(unknown_words(model, {w for p in phrases for w in p.split()}))
    return [p for p in phrases if not set(p.split()) & missing], sorted(missing)


def report_unknown_words(understanding, model) -> list[str]:
    """Once at start-up: phrase words the model cannot recognise (Dutch compounds, often).
    Matching does not depend on them: the understanding step sees whatever words do come."""
    from assistant.recogniser import unknown_words
    missing = unknown_words(model, understanding.vocabulary)
    if missing:
        log.warning("%d of %d phrase words are not in the speech model's vocabulary: %s",
                    len(missing), len(understanding.vocabulary), " ".join(missing[:80]))
    return missing


class VoiceLoop:
    def __init__(self, *, recogniser, mic, understanding, keeper, sink, settings, journal, clock,
                 grammar: list[str], out=print) -> None:
        self.recogniser = recogniser
        self.mic = mic
        self.understanding = understanding
        self.keeper = keeper
        self.sink = sink
        self.settings = settings
        self.journal = journal
        self.clock = clock
        self.grammar = grammar
        self.out = out
        self.words = prompts.load("coach")
        self.texts = prompts.load("loop")
        # Lines said while the counting has halted may name commands; they may carry numbers,
        # so they are known by the text before their first placeholder.
        self.halted = tuple(t.split("{")[0] for t in self.words["control"]["halted"].values())
        self.runner = None
        self._thread: threading.Thread | None = None
        self._paused_for_mic = False
        self._acted_early: str | None = None   # a command already carried out on a partial result
        self._line_queue = LineQueue(sink, clock)
        self._stop = threading.Event()
        keeper.current_position = settings.position
        self.dialog = Dialog(understanding, session_active=self.session_active, keeper=keeper,
                             status_text=lambda: keeper.answer("programma_vandaag"))
        self.actions: list[str] = []   # every command carried out, for tests and the log

    # -- speaking -------------------------------------------------------------------------------
    def say(self, text: str) -> None:
        """Speak outside the counting, with the microphone muted meanwhile (half-duplex)."""
        if not text:
            return
        self.out(f"🔈 {text}")
        now = self.clock.now()
        said_by = self._line_queue.say(text)
        self.mic.mute_for(said_by - now + ECHO_TAIL)

    # -- the session ----------------------------------------------------------------------------
    def session_active(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _on_session_event(self, kind: str, data: dict) -> None:
        if kind == "said" and data["text"].startswith(self.halted):
            # "Even rust. Zeg verder ..." names commands: the microphone must not hear it.
            self.mic.mute_for(self.sink.lookahead + self.sink.duration(data["text"], False) + ECHO_TAIL)
        if kind == "cue":
            self.out(f"🔈 {data['cue'].text}")

    def start_session(self) -> None:
        self._acted_early = None
        self.recogniser.set_grammar(self.grammar)
        self.runner, self._thread = start_in_background(
            self.settings, self.words, self.sink, self.clock, self.journal, self.keeper,
            on_end=self._session_ended, on_event=self._on_session_event)

    def _session_ended(self, runner) -> None:
        self.settings = runner.settings          # keep a tempo the user chose
        self.recogniser.set_grammar(None)
        self.say(next_position_suggestion(runner, self.sink, self.keeper) or "")

    # -- what was heard -------------------------------------------------------------------------
    def handle(self, heard: Transcript) -> None:
        u = self.understanding.understand(heard.text)
        if self.session_active():
            if (u.kind != "command" or u.action not in SESSION_ACTIONS
                    or self.understanding.precision(heard.text, u.matched) < SESSION_COMMAND_PRECISION):
                if heard.final and u.kind == "question":
                    log.info("question during a session, not answered: %r", heard.text)
                return
            if not heard.final:
                certain = u.action in IMMEDIATE and u.score >= 100.0
                if not certain:
                    return
                self.recogniser.reset()  # the rest of this utterance must not act again ...
                self._acted_early = u.action
            elif self._acted_early == u.action:
                self._acted_early = None  # ... nor its final result, should one still come
                return
            else:
                self._acted_early = None
            self.actions.append(u.action)
            log.info("command %s from %s result %r", u.action, "final" if heard.final else "partial", heard.text)
            self.runner.command(u.action)
            return
        if not heard.final:
            return
        reply = self.dialog.reply(u)
        if reply.action == "start":
            self.actions.append("start")
            self.start_session()
            return
        self.say(reply.say)
        self.settings = self.keeper.with_chosen_position(self.settings)

    # -- the microphone going and coming back ---------------------------------------------------
    def check_microphone(self) -> None:
        if self.mic.alive():
            return
        log.warning("microphone lost")
        if self.session_active() and self.runner.state.value == "running":
            self.runner.pause()
            self._paused_for_mic = True
        self.say(self.texts["microphone_lost"])
        while not self._stop.is_set():
            if self.mic.reopen():
                self.say(self.texts["microphone_back"])
                if self._paused_for_mic and self.session_active():
                    self.runner.resume()
                self._paused_for_mic = False
                return
            self._stop.wait(MIC_RETRY_EVERY)

    # -- the loop -------------------------------------------------------------------------------
    def run(self) -> None:
        self.say(self.texts["welcome"])
        next_announce = time.monotonic()
        while not self._stop.is_set():
            try:
                block = self.mic.blocks.get(timeout=0.5)
            except queue.Empty:
                self.check_microphone()
                continue
            try:
                heard = self.recogniser.accept(block)
            except RecogniserError:
                self.say(self.texts["recogniser_error"])
                continue
            if heard is not None:
                self.handle(heard)
            if time.monotonic() >= next_announce:
                next_announce = time.monotonic() + ANNOUNCE_EVERY
                if not self.session_active():
                    for text in self.keeper.announcements():
                        self.say(text)

    def stop(self) -> None:
        self._stop.set()
        if self.session_active():
            self.runner.stop()
            self._thread.join(timeout=5)


def main_loop(args) -> int:
    """`python -m assistant`: the voice coach; without a model or a microphone, typed mode."""
    import sys

    from assistant import models
    from assistant.audio_in import Microphone
    from assistant.cli import load_settings, make_sink, open_journal, open_keeper
    from assistant.clock import MonotonicClock
    from assistant.errors import UserError
    from assistant.recogniser import VoskRecogniser, load_model
    from assistant.typed import run_typed
    from assistant.understanding import Understanding

    texts = prompts.load("loop")
    for name in ("reps", "tempo", "position", "hold", "relax", "mute"):
        setattr(args, name, getattr(args, name, None))
    try:
        model_dir = models.find(args.model)
    except UserError as err:
        print(str(err), file=sys.stderr)
        print(texts["no_model_typed"], file=sys.stderr)
        return run_typed(args)
    if not Microphone.available():
        print(texts["no_microphone_typed"], file=sys.stderr)
        return run_typed(args)

    journal = open_journal(args)
    settings = load_settings(args, journal)
    keeper = open_keeper(args, journal)
    understanding = Understanding()
    model = load_model(model_dir)
    grammar, _ = session_grammar(understanding, model)
    report_unknown_words(understanding, model)
    sink = make_sink(settings, mute=False)
    mic = Microphone()
    loop = VoiceLoop(recogniser=VoskRecogniser(model), mic=mic, understanding=understanding, keeper=keeper,
                     sink=sink, settings=settings, journal=journal, clock=MonotonicClock(), grammar=grammar)
    try:
        loop.run()
    finally:
        loop.stop()
        mic.close()
        sink.close()
    return 0

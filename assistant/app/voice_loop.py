"""The hands-free voice loop: microphone -> recogniser -> understanding -> conversation -> voice.

Never to itself: outside sessions the microphone hears silence while the coach answers
(half-duplex); during a session the recogniser listens for commands only (a vosk grammar) and the
coach's cues contain no command word, so the user can say "stop" over the counting (barge-in).
Commands act on a partial result as soon as it is certain; questions wait for the final one.

Threads: ``run()`` is the listener thread and owns the conversation and the recogniser; the
microphone fills its queue on PortAudio's thread; only ``session_event`` runs on the coach thread
(it mutes the microphone, which is thread-safe).
"""

from __future__ import annotations

import logging
import queue
import sys
import threading

from assistant import prompts
from assistant.app import wiring
from assistant.app.conversation import Conversation, Outcome
from assistant.audio.recogniser import RecogniserError, Transcript
from assistant.coaching.runner import ACTIONS as SESSION_ACTIONS
from assistant.coaching.runner import CueHanded, Event, Said, State, WaitingForReady
from assistant.language.understanding import Kind

log = logging.getLogger(__name__)

IMMEDIATE = ("stop", "pause")   # acted on from a partial result, as soon as it is certain
# During a session the recogniser's grammar holds only command sentences, so what it hears
# should be one, nearly word for word: an utterance that merely contains a command ("gaan we
# confirmen" ~ "we gaan weer") is more likely the coach's own voice misheard than the user.
SESSION_COMMAND_PRECISION = 0.8
ECHO_TAIL = 0.35                # seconds of extra silence after the coach stops speaking
MIC_RETRY_EVERY = 2.0


def session_grammar(understanding, model=None) -> tuple[list[str], list[str]]:
    """What the recogniser may hear during a session: the session commands (with their polite and
    colloquial forms), the yes to "Ligt u goed?" and the short red-flag phrases (prompts/safety.toml),
    and the words of these the model lacks."""
    phrases = sorted({s for s, kind, name in understanding.table if kind is Kind.COMMAND and name in SESSION_ACTIONS}
                     | set(prompts.load("coach")["ready"]["phrases"]) | set(understanding.safety.session_phrases))
    if model is None:
        return phrases, []
    from assistant.audio.recogniser import unknown_words
    missing = set(unknown_words(model, {w for p in phrases for w in p.split()}))
    return [p for p in phrases if not set(p.split()) & missing], sorted(missing)


def report_unknown_words(understanding, model) -> list[str]:
    """Once at start-up: phrase words the model cannot recognise (Dutch compounds, often).
    Matching does not depend on them: the understanding step sees whatever words do come."""
    from assistant.audio.recogniser import unknown_words
    missing = unknown_words(model, understanding.vocabulary)
    if missing:
        log.warning("%d of %d phrase words are not in the speech model's vocabulary: %s",
                    len(missing), len(understanding.vocabulary), " ".join(missing[:80]))
    return missing


class VoiceLoop:
    """The voice front end of the conversation."""

    def __init__(self, *, recogniser, mic, understanding, keeper, sink, settings, journal, clock,
                 grammar: list[str], out=print) -> None:
        self.recogniser = recogniser
        self.mic = mic
        self.understanding = understanding
        self.sink = sink
        self.clock = clock
        self.grammar = grammar
        self.out = out
        self.texts = prompts.load("frontends")["voice"]
        self._paused_for_mic = False
        self._acted_early: str | None = None   # a command already carried out on a partial result
        self._stop = threading.Event()
        self.actions: list[str] = []   # every command carried out, for tests and the log
        self.conversation = Conversation(settings=settings, coach_words=prompts.load("coach"), journal=journal,
                                         keeper=keeper, understanding=understanding, sink=sink, clock=clock,
                                         front=self)

    # -- the conversation, as tests and benchmarks see it ---------------------------------------
    @property
    def runner(self):
        return self.conversation.runner

    @property
    def journal(self):
        return self.conversation.journal

    @property
    def settings(self):
        return self.conversation.settings

    @settings.setter
    def settings(self, value) -> None:
        self.conversation.settings = value

    def session_active(self) -> bool:
        return self.conversation.session_active()

    def say(self, text: str) -> None:
        self.conversation.say(text)

    # -- FrontEnd hooks -------------------------------------------------------------------------
    def said(self, text: str, until: float) -> None:
        """Half-duplex: the microphone hears silence while the line sounds."""
        self.out(f"🔈 {text}")
        self.mic.mute_for(until - self.clock.now() + ECHO_TAIL)

    def session_started(self) -> None:
        self._acted_early = None
        self.recogniser.set_grammar(self.grammar)

    def session_ended(self) -> None:
        self.recogniser.set_grammar(None)

    def session_event(self, event: Event) -> None:
        if isinstance(event, WaitingForReady):
            # "Ligt u goed? Zeg dan ja." names the answer: the microphone must not hear it.
            self.mic.mute_for(event.until - self.clock.now() + ECHO_TAIL)
        if isinstance(event, Said) and event.halted:
            # "Even rust. Zeg verder ..." names commands: the microphone must not hear it.
            self.mic.mute_for(event.until - self.clock.now() + ECHO_TAIL)
        if isinstance(event, CueHanded):
            self.out(f"🔈 {event.cue.text}")

    # -- what was heard -------------------------------------------------------------------------
    def handle(self, heard: Transcript) -> None:
        conv = self.conversation
        if heard.final and conv.ready_reply(heard.text):
            return
        u = self.understanding.understand(heard.text)
        if conv.session_active() and u.kind is Kind.SAFETY:
            if heard.final:
                conv.hear(u)          # pauses the counting and refers
                self.actions.append("pause")
            return
        if conv.session_active():
            if (u.kind is not Kind.COMMAND or u.action not in SESSION_ACTIONS
                    or self.understanding.precision(heard.text, u.matched) < SESSION_COMMAND_PRECISION):
                if heard.final and u.kind is Kind.QUESTION:
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
            log.info("command %s from %s result %r", u.action, "final" if heard.final else "partial", heard.text)
        elif not heard.final:
            return
        if conv.hear(u) is Outcome.ACTED:
            self.actions.append(u.action or "")

    # -- the microphone going and coming back ---------------------------------------------------
    def check_microphone(self) -> None:
        if self.mic.alive():
            return
        log.warning("microphone lost")
        runner = self.conversation.runner
        if runner is not None and runner.state is State.RUNNING:
            self.conversation.command("pause")
            self._paused_for_mic = True
        self.say(self.texts["microphone_lost"])
        while not self._stop.is_set():
            if self.mic.reopen():
                self.say(self.texts["microphone_back"])
                if self._paused_for_mic and self.session_active():
                    self.conversation.command("resume")
                self._paused_for_mic = False
                return
            self._stop.wait(MIC_RETRY_EVERY)

    # -- the loop -------------------------------------------------------------------------------
    def run(self) -> None:
        self.say(self.texts["welcome"])
        while not self._stop.is_set():
            self.conversation.tick()
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

    def stop(self) -> None:
        self._stop.set()
        self.conversation.close()


def main_loop(args) -> int:
    """`python -m assistant`: the voice coach; without a model or a microphone, typed mode."""
    from assistant.app.typed import run_typed
    from assistant.audio import models
    from assistant.audio.microphone import Microphone
    from assistant.audio.recogniser import VoskRecogniser, load_model
    from assistant.clock import MonotonicClock
    from assistant.errors import UserError

    texts = prompts.load("frontends")["voice"]
    for name in ("reps", "tempo", "position", "hold", "relax", "mute"):
        setattr(args, name, getattr(args, name, None))
    try:
        model_dir = models.find(args.model)
    except UserError as err:
        print(str(err), file=sys.stderr)
        print(texts["no_model_typed"], file=sys.stderr)
        return run_typed(args)
    from assistant.app import satellite_app
    sat = satellite_app.satellite_settings(args)
    if not sat.uri and not Microphone.available():
        print(texts["no_microphone_typed"], file=sys.stderr)
        return run_typed(args)

    journal = wiring.open_journal(args)
    settings = wiring.load_settings(args, journal)
    keeper = wiring.open_keeper(args, journal)
    understanding = wiring.understanding()
    model = load_model(model_dir)
    grammar, _ = session_grammar(understanding, model)
    report_unknown_words(understanding, model)
    if sat.uri:   # a Wyoming satellite is the microphone and the speaker
        mic, sink = satellite_app.open_audio(settings, sat)
    else:
        try:
            sink = wiring.make_sink(settings, mute=False)
        except UserError as err:   # no speaker or no voice: typed mode shows the text (and says so once)
            log.warning("no speech output, falling back to typed mode: %s (%s)", err, err.detail)
            journal.close()
            return run_typed(args)
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

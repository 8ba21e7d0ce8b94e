"""The voice loop's decisions, driven by transcripts: commands, questions, half-duplex, barge-in,
self-hearing and a microphone that vanishes. The coach runs for real (on the real clock, fast tempo);
the speaker is a recorder and the recogniser is scripted."""

import time

import pytest

from assistant.coaching import plan as P
from assistant import prompts
from assistant.clock import MonotonicClock
from assistant.programme.journal import Journal
from assistant.programme.keeper import ProgrammeKeeper
from assistant.app.voice_loop import VoiceLoop, session_grammar
from assistant.audio.recogniser import Transcript
from assistant.settings import Settings
from assistant.language.understanding import Understanding
from tests.fakes import FakeMicrophone, RecordingRecogniser, RecordingSink


@pytest.fixture(scope="module")
def understanding():
    return Understanding()


@pytest.fixture
def loop(tmp_path, understanding):
    from datetime import datetime
    clock = MonotonicClock()
    journal = Journal(tmp_path)
    keeper = ProgrammeKeeper(journal, now=lambda: datetime.now().astimezone())
    grammar, _ = session_grammar(understanding)
    lines = []
    v = VoiceLoop(recogniser=RecordingRecogniser(), mic=FakeMicrophone(), understanding=understanding,
                  keeper=keeper, sink=RecordingSink(clock), settings=Settings(reps=2, tempo=0.5),
                  journal=journal, clock=clock, grammar=grammar, out=lines.append)
    v.lines = lines
    yield v
    v.stop()


def heard(loop, text, final=True):
    loop.handle(Transcript(text, final))


def wait_until(cond, timeout=15.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.02)
    return False


def test_start_switches_to_commands_only_and_back(loop):
    heard(loop, "start oefening")
    assert loop.session_active() and loop.actions == ["start"]
    assert loop.recogniser.grammars[-1] == loop.grammar and "stop" in loop.grammar
    heard(loop, "stop")
    assert wait_until(lambda: not loop.session_active())
    assert loop.recogniser.grammars[-1] is None


def test_stop_acts_on_a_certain_partial_result(loop):
    heard(loop, "start oefening")
    time.sleep(1.0)
    heard(loop, "stop", final=False)
    assert wait_until(lambda: not loop.session_active(), 3)
    assert loop.actions == ["start", "stop"] and loop.recogniser.resets == 1
    assert loop.sink.silenced_at
    # the final result of the same utterance comes later and must not act a second time
    heard(loop, "stop")
    assert loop.actions == ["start", "stop"]


def test_an_uncertain_partial_waits_for_the_final(loop):
    heard(loop, "start oefening")
    heard(loop, "langzamer", final=False)      # not an immediate command
    heard(loop, "sto", final=False)            # not certain
    assert loop.actions == ["start"]
    heard(loop, "langzamer")
    assert loop.actions == ["start", "slower"]


def test_pause_and_resume_by_voice(loop):
    heard(loop, "start oefening")
    time.sleep(0.5)
    heard(loop, "pauze")
    assert wait_until(lambda: loop.runner.state.value == "paused", 2)
    paused_line = prompts.load("coach")["control"]["halted"]["paused"]
    assert wait_until(lambda: paused_line in loop.sink.texts(), 2)
    # the pause line names the commands, so the microphone is muted while it plays
    assert loop.mic.mutes and loop.mic.mutes[-1][1] - loop.mic.mutes[-1][0] > 2.0
    heard(loop, "verder")
    assert wait_until(lambda: loop.runner.state.value == "running", 2)


def test_questions_are_not_answered_during_a_session_but_are_outside(loop):
    heard(loop, "start oefening")
    before = list(loop.lines)
    heard(loop, "hoe vaak moet ik oefenen")
    assert not any("drie keer" in l for l in loop.lines[len(before):])
    heard(loop, "stop")
    assert wait_until(lambda: not loop.session_active())
    heard(loop, "hoe vaak moet ik oefenen")
    assert "Oefen elke dag drie keer" in loop.sink.texts()[-1]


def test_answers_are_half_duplex(loop):
    heard(loop, "welke spieren moet ik aanspannen")
    start, until = loop.mic.mutes[-1]
    answer = loop.sink.texts()[-1]
    assert until - start >= loop.sink.duration(answer, False)
    # partial results outside a session never act
    heard(loop, "stop", final=False)
    assert loop.actions == []


def test_the_coach_hearing_itself_triggers_nothing(loop):
    """Every sentence the coach says in a session, heard back as partial and final results."""
    heard(loop, "start oefening")
    words = prompts.load("coach")
    plan = P.build_plan(Settings(reps=10, hold=6, relax=6), words, first_session=True, closing=["Tot straks."])
    texts = {c.text for c in plan} | set(words["control"]["during"].values())
    for text in sorted(texts):
        for n in range(1, len(text.split()) + 1):  # the growing partials, as vosk gives them
            heard(loop, " ".join(text.split()[:n]), final=False)
        heard(loop, text)
    assert loop.actions == ["start"]
    assert loop.session_active()


def test_a_vanishing_microphone_pauses_and_its_return_resumes(loop):
    heard(loop, "start oefening")
    time.sleep(0.5)
    loop.mic.present = False
    loop.mic.reopen_results = [False, True]
    import assistant.app.voice_loop as L
    L.MIC_RETRY_EVERY = 0.05
    loop.check_microphone()
    texts = loop.sink.texts()
    assert prompts.load("frontends")["voice"]["microphone_lost"] in texts
    assert prompts.load("frontends")["voice"]["microphone_back"] in texts
    assert wait_until(lambda: loop.runner.state.value == "running", 2)
    assert loop.runner.result.stopped is False


def test_a_completed_session_is_journaled(loop):
    loop.settings = Settings(reps=1, tempo=0.5)
    heard(loop, "start oefening")
    assert wait_until(loop.conversation.waiting_for_ready, 60)
    heard(loop, "ik lig")
    assert wait_until(lambda: not loop.session_active(), 60)
    rows = loop.journal.sessions()
    assert len(rows) == 1 and rows[0].status == "completed" and rows[0].reps_done == 1


def test_a_recogniser_error_is_said_and_listening_goes_on(loop):
    import threading

    from assistant.audio.recogniser import RecogniserError

    class Flaky:
        calls = 0

        def accept(self, pcm):
            Flaky.calls += 1
            if Flaky.calls == 1:
                raise RecogniserError("decoder failed")
            return Transcript("hoe vaak moet ik oefenen", True) if Flaky.calls == 2 else None

        def set_grammar(self, phrases):
            pass

        def reset(self):
            pass

    loop.recogniser = Flaky()
    for _ in range(3):
        loop.mic.blocks.put(bytes(3200))
    t = threading.Thread(target=loop.run, daemon=True)
    t.start()
    assert wait_until(lambda: any("drie keer" in x for x in loop.sink.texts()), 5)
    loop.stop()
    t.join(timeout=5)
    assert prompts.load("frontends")["voice"]["recogniser_error"] in loop.sink.texts()


def test_in_a_session_only_a_near_whole_command_sentence_acts(loop):
    heard(loop, "start oefening")
    heard(loop, "gaan we confirmen")        # contains "we gaan", heard from the coach's own voice
    heard(loop, "in rust is het")
    assert loop.actions == ["start"]
    heard(loop, "langzamer alsjeblieft")
    assert loop.actions == ["start", "slower"]


def test_words_outside_the_grammar_do_not_hide_a_command(loop):
    heard(loop, "start oefening")
    heard(loop, "wacht even [unk] [unk] [unk]")   # vosk in commands-only mode
    assert loop.actions == ["start", "pause"]


def test_the_goodbye_after_stop_is_not_heard_either(loop):
    heard(loop, "start oefening")
    time.sleep(0.3)
    heard(loop, "stop")
    assert wait_until(lambda: any(t.startswith("De oefening is gestopt") for t in loop.sink.texts()), 3)
    goodbye = next(t for t in loop.sink.texts() if t.startswith("De oefening is gestopt"))
    start, until = loop.mic.mutes[-1]
    assert until - start >= loop.sink.duration(goodbye, False)


def test_sentences_said_in_a_row_do_not_overlap(loop):
    loop.say("Eerste zin van een aankondiging.")
    loop.say("Tweede zin.")
    (a, first, _), (b, second, _) = loop.sink.played[-2:]
    assert b >= a + loop.sink.duration(first, False)
    assert loop.mic.mutes[-1][1] >= b + loop.sink.duration(second, False)


def test_pain_during_a_session_pauses_the_counting_and_refers(loop):
    heard(loop, "start oefening")
    time.sleep(0.5)
    assert "het doet pijn" in loop.grammar             # the recogniser may hear it in a session
    heard(loop, "het doet pijn")
    assert wait_until(lambda: loop.runner.state.value == "paused", 2)
    referral = prompts.load("safety")["categories"]["pain"]["referral"]
    assert wait_until(lambda: referral in loop.sink.texts(), 2)
    said = {t: at for at, t, _ in loop.sink.played}
    paused_line = prompts.load("coach")["control"]["halted"]["paused"]
    assert said[paused_line] >= said[referral] + loop.sink.duration(referral, False)   # one after the other
    assert loop.mic.mutes[-1][1] - loop.mic.mutes[-1][0] > 2.0                         # and not heard back


def test_the_coach_waits_for_a_yes_before_the_first_round_and_mutes_its_question(loop):
    question = prompts.load("coach")["ready"]["question"]["lying"]
    heard(loop, "start oefening")
    assert wait_until(loop.conversation.waiting_for_ready, 60)
    asked = max(at for at, text, _ in loop.sink.played if text == question)
    assert loop.mic.muted_at(asked + 0.2), "the microphone must not hear 'Zeg dan ja.'"
    time.sleep(1.0)
    heard(loop, "nee")                       # not a yes: still waiting, nothing counted
    assert loop.conversation.waiting_for_ready()
    assert not any(t == "Knijp aan." for t in loop.sink.texts())
    heard(loop, "ik ben er klaar voor")      # holds "klaar", but is the yes, not a stop
    assert wait_until(lambda: not loop.conversation.waiting_for_ready(), 2)
    assert loop.session_active() and loop.runner.result.stopped is False
    assert wait_until(lambda: "Knijp aan." in loop.sink.texts(), 30)


def test_a_bare_klaar_while_waiting_still_means_stop(loop):
    heard(loop, "start oefening")
    assert wait_until(loop.conversation.waiting_for_ready, 60)
    heard(loop, "klaar")
    assert wait_until(lambda: not loop.session_active(), 5)
    assert loop.actions == ["start", "stop"]

"""The coach on a fake clock: a whole session in milliseconds."""

import pytest

from assistant.coaching import plan as P
from assistant.clock import FakeClock
from assistant.coaching.runner import START_LEAD, Finished, RoundDone, RoundStarted, SessionRunner
from assistant.settings import Settings
from tests.fakes import RecordingSink


def make(words, clock, ready_timeout=None, **kw):
    settings = Settings(**kw)
    sink = RecordingSink(clock)
    events = []
    build = lambda s: P.build_plan(s, words, first_session=False, closing=["Tot straks."], duration=sink.duration)
    runner = SessionRunner(settings, build, sink, clock, words, on_event=events.append, ready_timeout=ready_timeout)
    return runner, sink, events, build(settings)


def test_every_cue_is_handed_over_ahead_with_its_planned_deadline(coach_words):
    clock = FakeClock()
    start = clock.now() + START_LEAD
    runner, sink, events, plan = make(coach_words, clock, reps=3)
    result = runner.run()
    assert result.completed and result.reps_done == 3 and not result.stopped
    assert [t for _, t, _ in sink.played] == [c.text for c in plan]
    for (deadline, _, handed), cue in zip(sink.played, plan):
        assert deadline == pytest.approx(start + cue.t)
        assert handed == pytest.approx(deadline - sink.lookahead)


def test_rounds_are_reported_as_they_finish(coach_words):
    clock = FakeClock()
    runner, _, events, _ = make(coach_words, clock, reps=4)
    runner.run()
    assert [e.rep for e in events if isinstance(e, RoundDone)] == [1, 2, 3, 4]
    assert [e.rep for e in events if isinstance(e, RoundStarted)] == [1, 2, 3, 4]


def test_pause_silences_at_once_and_nothing_plays_until_resume(coach_words):
    clock = FakeClock()
    runner, sink, events, plan = make(coach_words, clock, reps=3)
    t0 = clock.now()
    clock.at(t0 + 20.0, runner.pause)
    clock.at(t0 + 50.0, runner.resume)
    runner.run()
    assert sink.silenced_at == [pytest.approx(t0 + 20.0)]
    during_pause = [text for at, text, handed in sink.played if t0 + 20.0 < handed < t0 + 50.0]
    assert during_pause == []
    paused_line = coach_words["control"]["halted"]["paused"]
    assert paused_line in sink.texts()


def test_resume_starts_the_interrupted_round_again_on_the_beat(coach_words):
    clock = FakeClock()
    runner, sink, _, plan = make(coach_words, clock, reps=3)
    t0 = clock.now()
    # Round 2 starts after the short introduction plus one round; pause inside its hold.
    r2_squeeze = next(c.t for c in plan if c.rep == 2 and c.kind == "squeeze")
    clock.at(t0 + START_LEAD + r2_squeeze + 3.2, runner.pause)
    clock.at(t0 + 100.0, runner.resume)
    result = runner.run()
    after = [(at, text) for at, text, handed in sink.played if handed >= t0 + 100.0]
    texts = [t for _, t in after]
    assert texts[0] == coach_words["control"]["during"]["resumed"]
    assert texts[1] == "Ronde 2."
    counts = [at for at, t in after[1:10] if t in ("één", "twee", "drie")]
    assert counts[1] - counts[0] == pytest.approx(1.0)
    assert result.completed and result.reps_done == 3


def test_stop_ends_the_session_and_reports_rounds_done(coach_words):
    clock = FakeClock()
    runner, sink, events, plan = make(coach_words, clock, reps=5)
    t0 = clock.now()
    r3 = next(c.t for c in plan if c.rep == 3 and c.kind == "squeeze")
    clock.at(t0 + START_LEAD + r3 + 2.0, runner.stop)
    result = runner.run()
    assert result.stopped and not result.completed and result.reps_done == 2
    assert sink.silenced_at and "2 van de 5" in sink.texts()[-1]
    assert not any(isinstance(e, Finished) for e in events)


@pytest.mark.parametrize("action, longer", [("slower", True), ("faster", False)])
def test_tempo_changes_the_beat_from_the_next_cue_on(coach_words, action, longer):
    clock = FakeClock()
    runner, sink, _, plan = make(coach_words, clock, reps=3, tempo=1.0)
    t0 = clock.now()
    r2 = next(c.t for c in plan if c.rep == 2 and c.kind == "squeeze")
    clock.at(t0 + START_LEAD + r2 + 0.5, getattr(runner, action))
    result = runner.run()
    after = [(at, text) for at, text, handed in sink.played if handed > t0 + START_LEAD + r2 + 0.5]
    # Relax counts follow each other with nothing between them, at any tempo.
    gap = next(b[0] - a[0] for a, b in zip(after, after[1:]) if (a[1], b[1]) == ("twee", "drie"))
    assert (gap > 1.0) if longer else (gap < 1.0)
    assert result.tempo == pytest.approx(gap)
    assert coach_words["control"]["during"]["tempo_changed"] in sink.texts()


def test_tempo_stops_at_its_limit_and_says_so(coach_words):
    clock = FakeClock()
    runner, sink, _, _ = make(coach_words, clock, reps=1, tempo=2.0)
    clock.after(3.0, runner.slower)
    result = runner.run()
    assert result.tempo == 2.0
    assert coach_words["control"]["during"]["tempo_at_limit"] in sink.texts()


def test_status_names_the_current_round(coach_words):
    clock = FakeClock()
    runner, sink, _, plan = make(coach_words, clock, reps=4)
    r3 = next(c.t for c in plan if c.rep == 3 and c.kind == "squeeze")
    clock.at(clock.now() + START_LEAD + r3 + 2.0, runner.status)
    runner.run()
    assert "Ronde 3 van 4." in sink.texts()


def test_repeat_says_the_last_instruction_again(coach_words):
    clock = FakeClock()
    runner, sink, _, plan = make(coach_words, clock, reps=2)
    r1 = next(c.t for c in plan if c.rep == 1 and c.kind == "relax")
    clock.at(clock.now() + START_LEAD + r1 + 2.0, runner.repeat)
    runner.run()
    assert sink.texts().count("Ontspan.") == 3  # two rounds, plus the repeat


def test_unknown_action_is_refused(coach_words):
    runner, _, _, _ = make(coach_words, FakeClock(), reps=1)
    with pytest.raises(ValueError):
        runner.command("dance")


def test_tempo_change_across_fast_tempos_says_each_later_cue_once_in_order(coach_words):
    """From 0.65 to 0.5 the plan says its cues differently (fewer, shorter): the runner finds its
    place by the cue's key, so nothing is said twice or out of order."""
    clock = FakeClock()
    runner, sink, _, plan = make(coach_words, clock, reps=3, tempo=0.65)
    r2 = next(c for c in plan if c.rep == 2 and c.kind == "squeeze")
    clock.at(clock.now() + START_LEAD + r2.t + 0.7, runner.faster)
    result = runner.run()
    assert result.completed and result.tempo == 0.5
    deadlines = [at for at, text, _ in sink.played if text != coach_words["control"]["during"]["tempo_changed"]]
    assert deadlines == sorted(deadlines)
    relax_counts = [t for t in sink.texts() if t == "zes"]
    assert len(relax_counts) >= 3   # the last relax count of each round, once


def test_an_interactive_session_waits_for_the_position_then_goes_on(coach_words):
    from assistant.coaching.runner import WaitingForReady
    clock = FakeClock()
    runner, sink, events, plan = make(coach_words, clock, ready_timeout=45.0, reps=1)
    question = next(c for c in plan if c.kind == "ready")
    asked_at = clock.now() + START_LEAD + question.t
    clock.at(asked_at + 20.0, runner.ready)     # well after the plan's fixed pause
    runner.run()
    waits = [e for e in events if isinstance(e, WaitingForReady)]
    assert len(waits) == 1 and waits[0].until > asked_at
    after = [(at, text) for at, text, _ in sink.played if at > asked_at]
    assert after[0][0] >= asked_at + 20.0, "nothing is said before the yes"
    assert after[0][1] == plan[plan.index(question) + 1].text


def test_without_an_answer_the_session_begins_after_the_timeout(coach_words):
    clock = FakeClock()
    runner, sink, _, plan = make(coach_words, clock, ready_timeout=30.0, reps=1)
    question = next(c for c in plan if c.kind == "ready")
    asked_at = clock.now() + START_LEAD + question.t
    result = runner.run()
    assert result.completed
    after = [at for at, _, _ in sink.played if at > asked_at]
    assert 30.0 <= after[0] - asked_at <= 30.0 + sink.duration(question.text, False) + 1.0


def test_a_non_interactive_session_follows_the_fixed_pause(coach_words):
    clock = FakeClock()
    start = clock.now() + START_LEAD
    runner, sink, _, plan = make(coach_words, clock, reps=1)
    runner.run()
    assert [at for at, _, _ in sink.played] == pytest.approx([start + c.t for c in plan])
    assert not runner.waiting

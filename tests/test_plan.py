import pytest

from assistant.coaching import plan as P
from assistant.settings import Settings

CLOSING = ["Uw volgende oefening is vanavond."]


def build(words, first=True, **kw):
    return P.build_plan(Settings(**kw), words, first_session=first, closing=CLOSING)


def rounds(cues, rep):
    return [c for c in cues if c.rep == rep]


def test_every_cue_has_the_contract_fields(coach_words):
    for cue in build(coach_words):
        d = cue.as_json()
        assert d["phase"] in P.PHASES
        assert isinstance(d["t"], float) and d["t"] >= 0
        assert d["text"]
        assert d["rep"] is None or 1 <= d["rep"] <= 10
        assert d["count"] is None or 1 <= d["count"] <= 6


def test_cues_are_in_time_order(coach_words):
    times = [c.t for c in build(coach_words)]
    assert times == sorted(times)


TEMPOS = [0.5, 0.6, 0.7, 0.85, 1.0, 1.15, 1.3, 1.5, 1.75, 2.0]


def on_the_beat(cues, rep, phase):
    """What is said on each count's beat: the count, the count with a cue, or a cue in its place."""
    return [c for c in rounds(cues, rep) if c.phase == phase and c.count]


@pytest.mark.parametrize("tempo", [0.5, 0.6, 1.0, 1.7, 2.0])
def test_counts_fall_exactly_on_the_beat(coach_words, tempo):
    cues = build(coach_words, tempo=tempo)
    for rep in range(1, 11):
        for phase in ("squeeze", "relax"):
            counts = on_the_beat(cues, rep, phase)
            assert [c.count for c in counts] == [1, 2, 3, 4, 5, 6]
            gaps = {round(b.t - a.t, 9) for a, b in zip(counts, counts[1:])}
            assert gaps == {round(tempo, 9)}
    # And rounds follow each other on one grid of whole beats, at least the 14 of today's round.
    firsts = [next(c.t for c in rounds(cues, r) if c.kind == "squeeze") for r in range(1, 11)]
    steps = {round(b - a, 6) for a, b in zip(firsts, firsts[1:])}
    assert len(steps) == 1
    beats = steps.pop() / tempo
    assert beats >= 14 and abs(beats - round(beats)) < 1e-6


def silence_before_each(cues, duration):
    """(cue, seconds of quiet between the end of everything before it and its start)."""
    out, end = [], float("-inf")
    for c in cues:
        out.append((c, c.t - end))
        end = max(end, c.t + duration(c.text, c.fast))
    return out


@pytest.mark.parametrize("tempo", TEMPOS)
def test_room_before_every_count_and_no_overlap_with_real_speech(coach_words, voice, tempo):
    cues = P.build_plan(Settings(tempo=tempo), coach_words, first_session=True, closing=CLOSING,
                        duration=voice.duration)
    room = coach_words["timing"]["room_before_count"]
    assert room >= 0.15
    for cue, quiet in silence_before_each(cues, voice.duration)[1:]:
        assert quiet > 0, f"{cue.text!r} at {cue.t:.3f} starts while another cue still sounds"
        if cue.count or cue.kind in ("squeeze", "relax"):
            assert quiet >= room - 1e-9, f"only {quiet * 1000:.0f} ms before {cue.text!r} at {cue.t:.3f}"


def test_room_is_also_kept_with_estimated_lengths(coach_words):
    for tempo in TEMPOS:
        cues = build(coach_words, tempo=tempo)
        duration = P.estimated(Settings(tempo=tempo), coach_words)
        for cue, quiet in silence_before_each(cues, duration)[1:]:
            assert quiet > 0, (tempo, cue)


def extras_per_round(cues, rep):
    return [c for c in rounds(cues, rep) if c.kind == "extra" or c.carries == "extra"]


@pytest.mark.parametrize("tempo", TEMPOS)
def test_extra_hard_squeezes_and_breathing_happen_often_enough_with_real_speech(coach_words, voice, tempo):
    cues = P.build_plan(Settings(tempo=tempo), coach_words, first_session=False, closing=CLOSING,
                        duration=voice.duration)
    for rep in range(1, 11):
        extras = extras_per_round(cues, rep)
        assert len(extras) >= 2, f"round {rep} at tempo {tempo}: {[c.text for c in rounds(cues, rep)]}"
        hold = [c.t for c in rounds(cues, rep) if c.phase == "squeeze" and c.count]
        assert all(hold[0] < e.t <= hold[-1] for e in extras), "extra squeezes belong inside the hold"
    with_breath = sorted({c.rep for c in cues if c.kind == "breath" or c.carries == "breath"})
    assert with_breath[0] == 1
    assert all(b - a <= 2 for a, b in zip(with_breath, with_breath[1:])) and with_breath[-1] >= 9


def test_what_does_not_fit_is_said_differently_at_a_fast_tempo(coach_words, voice):
    def hold_texts(tempo):
        cues = P.build_plan(Settings(tempo=tempo), coach_words, first_session=False, closing=CLOSING,
                            duration=voice.duration)
        return [c.text for c in rounds(cues, 1) if c.phase in ("squeeze", "cue") and c.kind != "announce"]
    slow, fast = hold_texts(2.0), hold_texts(0.5)
    # At a slow beat every cue has its own moment between the counts ...
    assert {"Blijf ademen.", "Harder.", "Nog harder."} <= set(slow)
    assert [t for t in slow if t in coach_words["round"]["counts"]] == ["één", "twee", "drie", "vier", "vijf", "zes"]
    # ... at a fast one the short forms come on a beat of their own, and the hold still starts and ends on a count.
    assert "Blijf ademen." not in fast and "Nog harder." not in fast
    assert fast[1] == "één" and fast[-1] == "zes"


def test_the_plan_waits_for_the_position_before_the_explanation(coach_words):
    cues = build(coach_words)
    kinds = [c.kind for c in cues]
    ready = kinds.index("ready")
    assert "rug" in " ".join(c.text for c in cues[:ready])
    assert cues[ready + 1].t - cues[ready].t >= coach_words["ready"]["pause"]
    assert cues[ready + 1].kind == "intro" and kinds.index("announce") > ready + 1
    later = P.build_plan(Settings(), coach_words, first_session=True, closing=CLOSING, ready_pause=2.0)
    assert later[ready + 1].t - later[ready].t < coach_words["ready"]["pause"]


def test_round_number_is_announced_off_the_beat(coach_words):
    cues = build(coach_words, tempo=1.0)
    announces = [c for c in cues if c.kind == "announce"]
    assert [c.rep for c in announces] == list(range(1, 11))
    assert "3" in announces[2].text and "Laatste" in announces[-1].text
    counts = {round(c.t, 6) for c in cues if c.count}
    assert not any(round(a.t, 6) in counts for a in announces)


def test_first_session_sets_up_the_position_later_ones_are_short(coach_words):
    first = " ".join(c.text for c in build(coach_words, first=True) if c.phase == "intro")
    later = [c for c in build(coach_words, first=False) if c.phase == "intro"]
    for words in ("rug", "knieën", "voeten", "hand", "buik", "billen", "bovenbenen"):
        assert words in first
    assert len(" ".join(c.text for c in later)) < len(first) / 2


def test_sitting_and_standing_have_their_own_introduction(coach_words):
    sit = " ".join(c.text for c in build(coach_words, position="sitting") if c.phase == "intro")
    stand = " ".join(c.text for c in build(coach_words, position="standing") if c.phase == "intro")
    assert "zit" in sit and "staan" in stand and "rug" not in sit + stand


def test_settings_fill_the_introduction(coach_words):
    text = " ".join(c.text for c in build(coach_words, reps=8, hold=5) if c.phase == "intro")
    assert "8 keer" in text and "5 tellen" in text


def test_closing_praises_and_says_when_next(coach_words):
    ends = [c.text for c in build(coach_words) if c.phase == "end"]
    assert "Goed gedaan" in ends[0] and ends[1] == CLOSING[0]


def test_default_session_lasts_two_to_three_minutes_estimated(coach_words):
    for first in (True, False):
        cues = build(coach_words, first=first)
        length = P.exercise_length(cues, P.estimated(Settings(), coach_words))
        assert 120 <= length <= 180, length


def test_default_session_lasts_two_to_three_minutes_with_real_speech(coach_words, voice):
    for first in (True, False):
        cues = P.build_plan(Settings(), coach_words, first_session=first, closing=CLOSING,
                            duration=voice.duration)
        # Leaflet: ten rounds take about two to three minutes; the introduction and the time to
        # get into position come on top.
        assert 120 <= P.exercise_length(cues, voice.duration) <= 180
        assert P.session_length(cues, voice.duration) <= 240

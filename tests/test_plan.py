from datetime import datetime

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


@pytest.mark.parametrize("tempo", [0.6, 1.0, 1.7])
def test_counts_fall_exactly_on_the_beat(coach_words, tempo):
    cues = build(coach_words, tempo=tempo)
    for rep in range(1, 11):
        for phase in ("squeeze", "relax"):
            counts = [c for c in rounds(cues, rep) if c.phase == phase and c.count]
            assert [c.count for c in counts] == [1, 2, 3, 4, 5, 6]
            gaps = {round(b.t - a.t, 9) for a, b in zip(counts, counts[1:])}
            assert gaps == {round(tempo, 9)}
    # And rounds follow each other on the same grid: 14 beats a round.
    firsts = [next(c.t for c in rounds(cues, r) if c.kind == "squeeze") for r in range(1, 11)]
    assert {round(b - a, 6) for a, b in zip(firsts, firsts[1:])} == {round(14 * tempo, 6)}


def test_extra_squeeze_cues_sit_inside_the_hold_between_counts(coach_words):
    cues = build(coach_words)
    for rep in range(1, 11):
        r = rounds(cues, rep)
        hold = [c.t for c in r if c.phase == "squeeze" and c.count]
        extras = [c for c in r if c.kind == "extra"]
        assert len(extras) >= 2
        for e in extras:
            assert hold[0] < e.t < hold[-1]
            assert all(abs(e.t - t) >= 0.3 for t in hold), "an extra cue must not land on a count"


def test_breathing_reminder_comes_regularly(coach_words):
    cues = build(coach_words)
    with_breath = {c.rep for c in cues if c.kind == "breath"}
    assert 1 in with_breath
    assert len(with_breath) >= 5
    assert all(b - a <= 2 for a, b in zip(sorted(with_breath), sorted(with_breath)[1:]))


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
    for words in ("rug", "gebogen", "voeten", "hand", "buik", "billen", "bovenbenen"):
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


@pytest.mark.parametrize("hour, expected", [(8, "vanmiddag"), (14, "vanavond"), (21, "Morgenochtend")])
def test_next_session_line_follows_the_time_of_day(coach_words, hour, expected):
    line = P.next_session_line(datetime(2026, 3, 1, hour), coach_words["end"])
    assert expected in line


def test_default_session_lasts_two_to_three_minutes_estimated(coach_words):
    for first in (True, False):
        cues = build(coach_words, first=first)
        length = P.session_length(cues, lambda t, f: P.estimate_duration(t))
        assert 120 <= length <= 180, length


def test_default_session_lasts_two_to_three_minutes_with_real_speech(coach_words, voice):
    for first in (True, False):
        cues = P.build_plan(Settings(), coach_words, first_session=first, closing=CLOSING,
                            duration=voice.duration)
        assert 120 <= P.session_length(cues, voice.duration) <= 180


def test_in_beat_cues_end_before_the_next_count_with_real_speech(coach_words, voice):
    cues = P.build_plan(Settings(), coach_words, first_session=True, closing=CLOSING, duration=voice.duration)
    for cue in cues:
        if cue.fast:
            nxt = min(c.t for c in cues if c.t > cue.t)
            assert cue.t + voice.duration(cue.text, True) <= nxt, cue

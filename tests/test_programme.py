"""The programme on a fake calendar: progress, reminders, check-ins, progression; DST and zones."""

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from assistant import prompts
from assistant.programme import checkins
from assistant.programme import calendar as programme
from assistant.programme import progression
from assistant.programme import reminders
from assistant.programme.journal import SessionRow

AMS = ZoneInfo("Europe/Amsterdam")


@pytest.fixture(scope="module")
def words():
    return prompts.load("programme")


def row(when: datetime, reps_done=10, status="completed", position="lying", i=[0]):
    i[0] += 1
    return SessionRow(i[0], when, position, 1.0, 10, reps_done, status, when + timedelta(minutes=3))


def at(y, m, d, h, mi=0, tz=AMS):
    return datetime(y, m, d, h, mi, tzinfo=tz)


def test_today_counts_sessions_by_part_of_the_day(words):
    rows = [row(at(2026, 5, 4, 8)), row(at(2026, 5, 4, 13)), row(at(2026, 5, 3, 20))]
    d = programme.today(rows, at(2026, 5, 4, 15), words)
    assert d.sessions == 2 and d.parts == ("morning", "afternoon")
    text = programme.answer_today(rows, at(2026, 5, 4, 15), words)
    assert "twee keer" in text and "vanochtend en vanmiddag" in text and "nog één keer" in text


def test_a_session_cut_off_after_a_round_still_counts_one_without_rounds_does_not(words):
    rows = [row(at(2026, 5, 4, 8), reps_done=3, status="running"), row(at(2026, 5, 4, 9), reps_done=0, status="stopped")]
    assert programme.today(rows, at(2026, 5, 4, 10), words).sessions == 1


def test_three_sessions_meet_the_goal(words):
    rows = [row(at(2026, 5, 4, h)) for h in (8, 13, 19)]
    assert "gehaald" in programme.answer_today(rows, at(2026, 5, 4, 21), words)


def test_nothing_yet(words):
    assert "nog niet geoefend" in programme.answer_today([], at(2026, 5, 4, 9), words)
    assert "nog niet begonnen" in programme.answer_week([], at(2026, 5, 4, 9), words)
    assert "nog niet met mij geoefend" in programme.answer_progress([], at(2026, 5, 4, 9), words)


def test_week_of_the_programme(words):
    rows = [row(at(2026, 5, 4, 8))]
    assert programme.week_number(rows, at(2026, 5, 10, 23)) == 1
    assert programme.week_number(rows, at(2026, 5, 11, 0, 30)) == 2
    assert "week zes" in programme.answer_week(rows, at(2026, 6, 12, 9), words)
    assert "zes tot acht weken" in programme.answer_week(rows, at(2026, 6, 12, 9), words)


def test_streak_counts_days_in_a_row_until_today_or_yesterday():
    rows = [row(at(2026, 5, d, 9)) for d in (1, 2, 3, 5, 6, 7)]
    assert programme.streak(rows, at(2026, 5, 7, 20)) == 3
    assert programme.streak(rows, at(2026, 5, 8, 7)) == 3   # nothing yet today: the run holds
    assert programme.streak(rows, at(2026, 5, 9, 7)) == 0


def test_progress_in_plain_words(words):
    rows = [row(at(2026, 5, d, h)) for d in range(1, 8) for h in (8, 19)]
    text = programme.answer_progress(rows, at(2026, 5, 7, 21), words)
    assert "sinds één mei" in text and "veertien keer" in text and "gemiddeld twee keer per dag" in text
    assert "zeven dagen achter elkaar" in text


def test_sessions_per_week_table():
    rows = [row(at(2026, 5, 1, h)) for h in (8, 13, 19)] + [row(at(2026, 5, 9, 8))]
    assert programme.sessions_per_week(rows, at(2026, 5, 10, 12)) == [(1, 3, 1), (2, 1, 0)]


def test_closing_line_says_what_is_left(words):
    rows = [row(at(2026, 5, 4, 8))]
    assert "U oefent vanmiddag weer" in programme.closing_line(rows, at(2026, 5, 4, 8, 5), words)
    rows.append(row(at(2026, 5, 4, 13)))
    assert "oefening twee" in programme.closing_line(rows, at(2026, 5, 4, 13, 5), words)
    rows.append(row(at(2026, 5, 4, 19)))
    assert "gehaald" in programme.closing_line(rows, at(2026, 5, 4, 19, 5), words)
    assert "Morgenochtend" in programme.closing_line([row(at(2026, 5, 4, 20))], at(2026, 5, 4, 20, 5), words)


def test_days_follow_the_users_time_zone_not_utc(words):
    # 23:30 in Amsterdam on 4 May is 21:30 UTC: it belongs to the 4th, in the evening.
    late = at(2026, 5, 4, 23, 30).astimezone(timezone.utc)
    d = programme.today([row(late)], at(2026, 5, 4, 23, 45), words)
    assert d.sessions == 1 and d.parts == ("evening",)
    assert programme.today([row(late)], at(2026, 5, 5, 8), words).sessions == 0


def test_a_dst_change_day_is_one_day(words):
    # 29 March 2026: clocks go from 02:00 to 03:00 in Amsterdam; 25 October: back.
    for day in (date(2026, 3, 29), date(2026, 10, 25)):
        rows = [row(datetime.combine(day, time(h), AMS)) for h in (1, 8, 13, 23)]
        assert programme.today(rows, datetime.combine(day, time(23, 59), AMS), words).sessions == 4
        assert programme.streak(rows, datetime.combine(day, time(23, 59), AMS)) == 1


def state(words):
    return reminders.ReminderState({p: reminders.parse_clock(words["reminders"][p])
                                    for p in ("morning", "afternoon", "evening")})


def test_reminder_comes_at_its_time_once(words):
    s = state(words)
    assert reminders.due(s, [], at(2026, 5, 4, 8, 0), words) is None
    assert reminders.due(s, [], at(2026, 5, 4, 8, 30), words) == "morning"
    reminders.mark_said(s, "morning", at(2026, 5, 4, 8, 30))
    assert reminders.due(s, [], at(2026, 5, 4, 9, 0), words) is None
    assert reminders.due(s, [], at(2026, 5, 5, 8, 31), words) == "morning"   # the next day again


def test_reminder_is_skipped_when_that_part_of_the_day_is_done(words):
    s = state(words)
    rows = [row(at(2026, 5, 4, 7, 15))]
    assert reminders.due(s, rows, at(2026, 5, 4, 8, 30), words) is None
    assert reminders.due(s, rows, at(2026, 5, 4, 13, 30), words) == "afternoon"


def test_a_reminder_is_not_given_after_its_part_of_the_day(words):
    s = state(words)
    assert reminders.due(s, [], at(2026, 5, 4, 12, 10), words) is None  # morning over; afternoon not yet


def test_later_snoozes_and_vandaag_niet_meer_silences(words):
    s = state(words)
    now = at(2026, 5, 4, 13, 30)
    assert reminders.due(s, [], now, words) == "afternoon"
    reminders.mark_said(s, "afternoon", now)
    reminders.snooze(s, "afternoon", now, 30)
    assert reminders.due(s, [], now + timedelta(minutes=29), words) is None
    assert reminders.due(s, [], now + timedelta(minutes=30), words) == "afternoon"
    reminders.dismiss_today(s, now + timedelta(minutes=31))
    assert reminders.due(s, [], at(2026, 5, 4, 21, 0), words) is None
    assert reminders.due(s, [], at(2026, 5, 5, 8, 30), words) == "morning"


def test_reminders_keep_their_wall_clock_time_across_dst(words):
    s = state(words)
    for day in (date(2026, 3, 29), date(2026, 10, 25)):
        assert reminders.due(s, [], datetime.combine(day, time(8, 29), AMS), words) is None
        assert reminders.due(s, [], datetime.combine(day, time(8, 30), AMS), words) == "morning"
        reminders.mark_said(s, "morning", datetime.combine(day, time(8, 30), AMS))


@pytest.mark.parametrize("text, expected", [
    ("herinner mij om half negen", time(8, 30)), ("herinner me om acht uur s avonds", time(20, 0)),
    ("herinner mij om 7 uur", time(7, 0)), ("zet de herinnering op kwart over zeven", time(7, 15)),
    ("zet de herinnering om kwart over zeven", time(7, 15)), ("herinner mij om 19:15", time(19, 15)),
    ("herinner mij om kwart voor negen s avonds", time(20, 45)), ("herinner mij", None),
])
def test_spoken_reminder_times(text, expected):
    assert reminders.parse_time(text, prompts.load("programme")["words"]["hours"]) == expected


def test_progression_asks_only_after_enough_sessions_lying_on_enough_days(words):
    now = at(2026, 5, 12, 9)
    nine = [row(at(2026, 5, d, h)) for d in (4, 5, 6) for h in (8, 13, 19)]
    assert not progression.time_to_ask(nine, now, words, None)
    fifteen = [row(at(2026, 5, d, h)) for d in (4, 5, 6, 7, 8) for h in (8, 13, 19)]
    assert progression.time_to_ask(fifteen, now, words, None)
    assert not progression.time_to_ask(fifteen, now, words, date(2026, 5, 10))   # asked two days ago
    assert progression.time_to_ask(fifteen, now, words, date(2026, 5, 7))
    stopped = [row(at(2026, 5, d, h), status="stopped", reps_done=2) for d in (4, 5, 6, 7, 8) for h in (8, 13, 19)]
    assert not progression.time_to_ask(stopped, now, words, None)
    sitting = [row(at(2026, 5, d, h), position="sitting") for d in (4, 5, 6, 7, 8) for h in (8, 13, 19)]
    assert not progression.time_to_ask(sitting, now, words, None)


def test_positions_take_turns():
    order = ["lying", "sitting", "standing"]
    assert [progression.next_position(order, p) for p in order] == ["sitting", "standing", "lying"]
    assert progression.next_position(["lying"], "lying") == "lying"

"""The programme keeper: the journal-backed state behind progress answers, reminders, check-ins
and the position progression. The pure decisions live in programme, reminders, checkins and
progression; this class only fetches their inputs and stores their outcomes."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta

from assistant import numbers, prompts
from assistant.programme import calendar as programme
from assistant.programme import checkins, progression, reminders
from assistant.programme import diary as diary_words
from assistant.programme.journal import AppointmentLog, CheckinLog, DiaryLog, Journal, JournalError

log = logging.getLogger(__name__)


def _kept(write: Callable[..., None], *args) -> None:
    """A programme note (a reminder time, a check-in asked) that cannot be written is only logged:
    the conversation goes on, and the state in memory stays right for this run."""
    try:
        write(*args)
    except JournalError as err:
        log.warning("journal write failed (%s): %s", err.kind, err.detail)


class ProgrammeKeeper:
    def __init__(self, journal: Journal, now: Callable[[], datetime], reminder_times: dict | None = None) -> None:
        self.journal = journal
        self.now = now
        self.words = prompts.load("programme")
        self.log = CheckinLog(journal)
        self.diary = DiaryLog(journal)
        self.appointments = AppointmentLog(journal)
        self.diary_words = prompts.load("diary")
        self.number_words = prompts.load("words")
        self.pending_container: str | None = None   # a glass whose size the coach asked for
        defaults = self.words["reminders"]
        times = {}
        for part in programme.DAY_PARTS:
            value = journal.get(f"reminder_{part}") or (reminder_times or {}).get(part) or defaults[part]
            times[part] = reminders.parse_clock(value)
        self.reminder_state = reminders.ReminderState(times)
        # A question waiting for yes/no: "lying_ok", "more_often" or "appointment".
        self.pending_question: str | None = None
        self.current_position = "lying"
        self.last_reminder: str | None = None
        self._asked_here: set[str] = set()

    # -- progress -----------------------------------------------------------------------------
    def rows(self):
        return self.journal.sessions()

    def goal(self) -> int:
        """Sessions a day: the leaflet's three, or more when the user chose to practise more often."""
        return int(self.journal.get("sessions_per_day") or self.words["goal"]["sessions_per_day"])

    def _words(self) -> dict:
        """The programme's words with the user's own daily goal."""
        return {**self.words, "goal": {**self.words["goal"], "sessions_per_day": self.goal()}}

    def answer(self, intent: str) -> str:
        rows, now, words = self.rows(), self.now(), self._words()
        if intent == "programma_vandaag":
            return programme.answer_today(rows, now, words)
        if intent == "programma_week":
            return programme.answer_week(rows, now, words)
        return programme.answer_progress(rows, now, words)

    def closing_line(self, position: str, tempo: float, reps: int) -> str:
        """Said at the end of the session about to start, so it counts that session too."""
        from assistant.programme.journal import SessionRow
        now = self.now()
        upcoming = SessionRow(-1, now, position, tempo, reps, reps, "completed", now)
        return programme.closing_line(self.rows() + [upcoming], now, self._words())

    # -- the position -------------------------------------------------------------------------
    def position(self) -> str | None:
        return self.journal.get("position")

    def with_chosen_position(self, settings):
        """``settings`` with the position chosen with the coach, once no question is pending."""
        from assistant import settings as settings_mod
        chosen = self.position()
        if self.pending_question is not None or not chosen or chosen == settings.position:
            return settings
        self.current_position = chosen
        return settings_mod.apply(settings, {"position": chosen}, "")

    def positions(self) -> list[str]:
        return [p for p in (self.journal.get("positions") or "lying").split(",") if p]

    def suggestion(self, position: str) -> str | None:
        """After a completed session in ``position``: the next position in turn, and the question
        how lying goes, or the daily-activities hint, when their time has come."""
        positions, now = self.positions(), self.now()
        if len(positions) > 1:
            self.journal.set("position", progression.next_position(positions, position))
        p, rows = self.words["progression"], self.rows()
        if len(positions) == 1:
            asked = self.journal.get("lying_asked_on")
            if progression.time_to_ask(rows, now, self.words, date.fromisoformat(asked) if asked else None):
                self.journal.set("lying_asked_on", now.date().isoformat())
                self.pending_question = "lying_ok"
                return p["ask"]
            return None
        if not self.journal.get("daily_suggested") and progression.time_for_daily(rows, positions, self.words):
            _kept(self.journal.set, "daily_suggested", now.isoformat(timespec="seconds"))
            return p["suggest_daily"]
        return None

    def answer_suggestion(self, yes: bool) -> str:
        """A yes or no to the pending question."""
        p = self.words["progression"]
        question, self.pending_question = self.pending_question, None
        if question == "appointment":
            if yes:
                self.pending_question = "appointment"
                return self.words["appointment"]["ask_when"]
            return self.words["appointment"]["no_date"]
        if question == "more_often":
            if yes:
                _kept(self.journal.set, "sessions_per_day", str(p["more_often_goal"]))
                return p["goal_raised"].format(goal=numbers.say_alone(self.goal(), self.number_words))
            return p["goal_kept"].format(goal=numbers.say_alone(self.goal(), self.number_words))
        if question != "lying_ok":
            return self.understanding_unclear()
        if not yes:
            return p["not_yet"]
        positions = list(p["order"])
        _kept(self.journal.set, "positions", ",".join(positions))
        nxt = progression.next_position(positions, "lying")
        _kept(self.journal.set, "position", nxt)
        self.pending_question = "more_often" if p["more_often_goal"] > self.goal() else None
        text = p["added"].format(position=p["position_names"][nxt])
        if self.pending_question:
            text += " " + p["more_often"].format(goal=numbers.say(p["more_often_goal"], self.number_words),
                                                 current=numbers.say(self.goal(), self.number_words))
        return text

    def understanding_unclear(self) -> str:
        return self.words["appointment"]["unclear"]

    # -- check-ins and reminders -----------------------------------------------------------------
    def state(self) -> checkins.State:
        first = programme.start_date(self.rows(), self.now())
        outcome = self.log.answer_of("outcome_month3") or self.log.answer_of("outcome_week6")
        return checkins.State(first, frozenset(self.log.asked()), outcome, tuple(self.appointments.dates()))

    def say_date(self, d: date) -> str:
        return numbers.say_date(d, self.now().date(), self.number_words)

    def next_moments(self) -> list[checkins.Moment]:
        """What the programme will bring up, now and later: check-ins, the plasdagboek, the
        check-up, and the next reminders. Pure but for reading the journal; any front end may ask."""
        now = self.now()
        out = checkins.moments(self.state(), now, self.words, self.say_date)
        for at, part in reminders.upcoming(self.reminder_state, self.rows(), now, self.words):
            out.append(checkins.Moment(f"reminder:{part}", at, self.words["reminders"]["say"]))
        return sorted(out, key=lambda m: m.at)

    def announcements(self) -> list[str]:
        """What to say now, unprompted: due moments (each once), then a reminder."""
        now, rows = self.now(), self.rows()
        out = []
        for item in checkins.due(self.state(), now, self.words, self.say_date):
            if item.kind in self._asked_here:
                continue
            self._asked_here.add(item.kind)      # asked once, even when the journal cannot note it
            _kept(self.log.mark_asked, item.kind, now)
            if item.kind.startswith("appointment_"):
                self.pending_question = "appointment"
            out.append(item.say)
        part = reminders.due(self.reminder_state, rows, now, self.words)
        if part is not None:
            reminders.mark_said(self.reminder_state, part, now)
            self.last_reminder = part
            out.append(self.words["reminders"]["say"])
        return out

    def record_outcome(self, intent: str) -> str | None:
        """A spoken answer to 'how are the complaints' (at any time once week 6 has come): what
        the decision tree says next, or None when it is not such an answer (or too early)."""
        c = self.words["checkins"]
        day = programme.programme_day(self.rows(), self.now())
        if day is None or day < c["outcome_week6"]["day"] or not checkins.is_outcome_answer(intent, self.words):
            return None
        month3 = day >= c["gp_month3"]["day"]
        _kept(self.log.answer, "outcome_month3" if month3 else "outcome_week6", intent, self.now())
        decision = self.words["decisions"][intent]
        return decision["then"] if decision["month3"] and not month3 else c["noted"]

    # -- the check-up date --------------------------------------------------------------------------
    def set_appointment(self, on: date | None) -> str:
        a, now = self.words["appointment"], self.now()
        if on is None:
            self.pending_question = "appointment"
            return a["unclear"]
        if on < now.date():
            self.pending_question = "appointment"
            return a["past"]
        self.pending_question = None
        self.appointments.set(on, now)
        diary_day = on - timedelta(days=self.words["checkins"]["diary_days_before"])
        if diary_day <= now.date():
            return a["noted_soon"].format(date=self.say_date(on))
        return a["noted"].format(date=self.say_date(on), diary_date=self.say_date(diary_day))

    def no_appointment(self) -> str:
        self.pending_question = None
        return self.words["appointment"]["no_date"]

    # -- the plasdagboek ------------------------------------------------------------------------------
    def _size_of(self, container: str) -> int | None:
        value = self.journal.get(f"container_{container}")
        return int(value) if value else None

    def note_diary(self, kind: str, ml: int | None = None, count: int | None = None, container: str | None = None,
                   size: str | None = None, note: str | None = None) -> str:
        """A plasdagboek line, timed now; says back what was noted (and asks a glass's size once)."""
        if ml is None and container is not None and self._size_of(container):
            ml = (count or 1) * (self._size_of(container) or 0)
        self.diary.add(self.now(), kind, ml, size, note, count, container)
        text = self.diary_words["say"]["noted"].format(what=diary_words.described(
            kind, ml, count, container, size, note, self.diary_words, self.number_words))
        self.pending_container = None
        if ml is None and container is not None:
            self.pending_container = container
            name = self.diary_words["amounts"]["container_names"][container][0]
            text += " " + self.diary_words["say"]["ask_container"].format(container=name)
        return text

    def set_container(self, ml: int) -> str:
        container, self.pending_container = self.pending_container, None
        assert container is not None
        self.journal.set(f"container_{container}", str(ml))
        self.diary.fill_container(container, ml)
        name = self.diary_words["amounts"]["container_names"][container][0]
        return self.diary_words["say"]["container_set"].format(
            container=name, amount=diary_words.volume(ml, self.diary_words, self.number_words))

    def undo_diary(self) -> str:
        last = self.diary.last()
        s = self.diary_words["say"]
        if last is None:
            return s["nothing_to_undo"]
        self.diary.remove(last.id)
        self.pending_container = None
        what = diary_words.described(last.kind, last.ml, last.count, last.container, last.size, last.note,
                                     self.diary_words, self.number_words)
        return s["undone"].format(what=what)

    def diary_summary(self, which: str) -> str:
        now = self.now()
        day = now.date() - timedelta(days=1 if which == "yesterday" else 0)
        return diary_words.summary(self.diary.rows(), day, which, now, self.diary_words, self.number_words)

    def snooze(self) -> str:
        r = self.words["reminders"]
        if reminders.snooze(self.reminder_state, self.last_reminder, self.now(), r["snooze_minutes"]):
            return r["snoozed"]
        return r["nothing_to_snooze"]

    def dismiss_today(self) -> str:
        reminders.dismiss_today(self.reminder_state, self.now())
        return self.words["reminders"]["dismissed"]

    def set_reminder(self, text: str) -> str:
        r = self.words["reminders"]
        at = reminders.parse_time(text, self.words["words"]["hours"])
        if at is None:
            return r["set_unclear"]
        moment = self.now().replace(hour=at.hour, minute=at.minute)
        part = programme.day_part(moment, self.words)
        self.reminder_state.times[part] = at
        _kept(self.journal.set, f"reminder_{part}", at.strftime("%H:%M"))
        return r["set"].format(part=self.words["day_parts"]["every_names"][part], time=at.strftime("%H:%M").lstrip("0"))

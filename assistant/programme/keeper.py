"""The programme keeper: the journal-backed state behind progress answers, reminders, check-ins
and the position progression. The pure decisions live in programme, reminders, checkins and
progression; this class only fetches their inputs and stores their outcomes."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from assistant import prompts
from assistant.programme import calendar as programme
from assistant.programme import checkins, progression, reminders
from assistant.programme.journal import CheckinLog, Journal, JournalError

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
        defaults = self.words["reminders"]
        times = {}
        for part in programme.DAY_PARTS:
            value = journal.get(f"reminder_{part}") or (reminder_times or {}).get(part) or defaults[part]
            times[part] = reminders.parse_clock(value)
        self.reminder_state = reminders.ReminderState(times)
        self.pending_question: str | None = None   # a position suggestion waiting for yes/no
        self.current_position = "lying"
        self.last_reminder: str | None = None
        self._asked_here: set[str] = set()

    # -- progress -----------------------------------------------------------------------------
    def rows(self):
        return self.journal.sessions()

    def answer(self, intent: str) -> str:
        rows, now = self.rows(), self.now()
        if intent == "programma_vandaag":
            return programme.answer_today(rows, now, self.words)
        if intent == "programma_week":
            return programme.answer_week(rows, now, self.words)
        return programme.answer_progress(rows, now, self.words)

    def closing_line(self, position: str, tempo: float, reps: int) -> str:
        """Said at the end of the session about to start, so it counts that session too."""
        from assistant.programme.journal import SessionRow
        now = self.now()
        upcoming = SessionRow(-1, now, position, tempo, reps, reps, "completed", now)
        return programme.closing_line(self.rows() + [upcoming], now, self.words)

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

    def suggestion(self, position: str) -> str | None:
        declined = set(filter(None, (self.journal.get("declined_positions") or "").split(",")))
        nxt = progression.suggestion(self.rows(), position, self.now(), self.words, declined)
        if nxt is None:
            return None
        p = self.words["progression"]
        if nxt == "daily":
            if self.journal.get("daily_suggested"):
                return None
            _kept(self.journal.set, "daily_suggested", self.now().isoformat(timespec="seconds"))
            return p["suggest_daily"]
        self.pending_question = nxt
        return p["suggest"][nxt]

    def answer_suggestion(self, yes: bool) -> str:
        current = self.current_position
        p = self.words["progression"]
        nxt, self.pending_question = self.pending_question, None
        if nxt is None:
            return self.words["progression"]["declined"].format(position=p["position_names"][current])
        if yes:
            _kept(self.journal.set, "position", nxt)
            return p["accepted"].format(position=p["position_names"][nxt])
        declined = set(filter(None, (self.journal.get("declined_positions") or "").split(",")))
        _kept(self.journal.set, "declined_positions", ",".join(sorted(declined | {nxt})))
        return p["declined"].format(position=p["position_names"][current])

    # -- check-ins and reminders -----------------------------------------------------------------
    def announcements(self) -> list[str]:
        """What to say now, unprompted: due check-ins (each once), then a reminder."""
        now, rows = self.now(), self.rows()
        out = []
        day = programme.programme_day(rows, now)
        for item in checkins.due(day, self.log.asked() | self._asked_here, self.log.answer_of("outcome_week6"),
                                 self.words):
            self._asked_here.add(item.kind)      # asked once, even when the journal cannot note it
            _kept(self.log.mark_asked, item.kind, now)
            out.append(item.say)
        part = reminders.due(self.reminder_state, rows, now, self.words)
        if part is not None:
            reminders.mark_said(self.reminder_state, part, now)
            self.last_reminder = part
            out.append(self.words["reminders"]["say"])
        return out

    def record_outcome(self, intent: str) -> bool:
        """A spoken answer to 'how are the complaints' (at any time once week 6 has come)."""
        day = programme.programme_day(self.rows(), self.now())
        if day is None or day < self.words["checkins"]["outcome_week6"]["day"]:
            return False
        if not checkins.is_outcome_answer(intent, self.words):
            return False
        _kept(self.log.answer, "outcome_week6", intent, self.now())
        return True

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

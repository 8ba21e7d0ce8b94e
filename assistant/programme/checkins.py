"""The programme's moments, as the leaflet gives them. Pure: a function of the journal's state and
the clock, so any front end (the voice loop now, an always-on service later) can ask what is due
and what comes next.

- The check-up: the huisarts plans it ("meestal na 2 en na 6 weken"), so the coach asks whether
  and when, at the start and near weeks 2 and 6, unless a date is known. Never a date assumed.
- The plasdagboek: from 3 days before a check-up date the user gave; on that day, the check-up.
- After 6 weeks, how the complaints are; at 3 months, the huisarts if there is too little
  improvement, unless the complaints are gone (the decision tree in prompts/programme.toml).
Each moment is said once (the journal remembers its kind); a moment's answer may come later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

ASKS = ("appointment_start", "appointment_week2", "appointment_week6")
QUESTIONS = ("outcome_week6", "gp_month3")


@dataclass(frozen=True)
class Moment:
    kind: str          # unique: asked once ("outcome_week6", "diary:2026-12-12", "reminder:evening")
    at: datetime       # from when it is due (a day's moment: that day's midnight, local)
    say: str


@dataclass(frozen=True)
class State:
    """What the moments depend on, read from the journal."""
    first_day: date | None          # the day of the first session done
    asked: frozenset[str]           # moment kinds already said
    outcome: str | None             # the latest answer how the complaints are
    appointments: tuple[date, ...]  # check-up dates the user told


def _midnight(d: date, now: datetime) -> datetime:
    return datetime.combine(d, time(0, 0), tzinfo=now.tzinfo)


def moments(state: State, now: datetime, words: dict, say_date) -> list[Moment]:
    """Every moment not yet said that is due now or still to come, oldest first. Stale ones are
    left out: an appointment question once a later one has come or a date is known, a plasdagboek
    reminder once its check-up has passed. ``say_date(date) -> str`` puts a date in words."""
    c = words["checkins"]
    today = now.date()
    out: list[Moment] = []
    upcoming = [d for d in state.appointments if d >= today]
    for d in upcoming:
        start = d - timedelta(days=c["diary_days_before"])
        if f"diary:{d}" not in state.asked and today < d:
            out.append(Moment(f"diary:{d}", _midnight(start, now), c["diary_say"].format(date=say_date(d))))
        if f"appointment:{d}" not in state.asked:
            out.append(Moment(f"appointment:{d}", _midnight(d, now), c["appointment_day_say"]))
    if state.first_day is None:
        return sorted(out, key=lambda m: m.at)
    day_of = lambda kind: state.first_day + timedelta(days=c[kind]["day"])
    if not upcoming:
        come = [k for k in ASKS if day_of(k) <= today]
        latest = come[-1] if come else None
        for kind in ASKS:
            if kind in state.asked or (day_of(kind) <= today and kind != latest):
                continue
            out.append(Moment(kind, _midnight(day_of(kind), now), c[kind]["say"]))
    decision = words["decisions"].get(state.outcome or "")
    for kind in QUESTIONS:
        if kind in state.asked or (kind == "gp_month3" and decision is not None and not decision["month3"]):
            continue
        out.append(Moment(kind, _midnight(day_of(kind), now), c[kind]["say"]))
    return sorted(out, key=lambda m: m.at)


def due(state: State, now: datetime, words: dict, say_date) -> list[Moment]:
    """The moments to bring up now, oldest first."""
    return [m for m in moments(state, now, words, say_date) if m.at <= now]


def is_outcome_answer(intent: str | None, words: dict) -> bool:
    return intent in words["checkins"]["outcome_intents"]

"""Reminders at the user's chosen times. Pure: decisions from the time, the journal and the state.

A reminder for a part of the day is skipped when that part is already done; "later" snoozes it,
"vandaag niet meer" silences the rest of the day. Times are local wall-clock times, so a
reminder at 08:30 stays at 08:30 across a daylight-saving change.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from assistant.programme.calendar import DAY_PARTS, day_part, today


def _plain(text: str) -> str:
    """Lowercase without accents: "één" and "een" are the same hour."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def parse_time(text: str, hour_words: list[str]) -> time | None:
    """'herinner me om half negen s avonds' -> 20:30; 'om 7 uur' -> 07:00; 'om 19:15' -> 19:15."""
    hours = {_plain(w): i + 1 for i, w in enumerate(hour_words)}
    words = _plain(text).replace("'", "").replace(":", " ").split()
    anchor = next((i for i, w in enumerate(words) if w in ("om", "op")), None)
    if anchor is None:
        return None
    rest = words[anchor + 1:]
    minute, i = 0, 0
    if rest[:1] == ["half"]:
        minute, i = -30, 1
    elif rest[:2] in (["kwart", "over"], ["kwart", "voor"]):
        minute, i = (15 if rest[1] == "over" else -15), 2
    if i >= len(rest):
        return None
    word = rest[i]
    hour = hours.get(word, int(word) if word.isdigit() else None)
    if hour is None or not 0 <= hour <= 23:
        return None
    if i + 1 < len(rest) and rest[i + 1].isdigit() and minute == 0:
        minute = int(rest[i + 1])
    if minute < 0:
        hour, minute = hour - 1, 60 + minute
    evening = any(w in ("avonds", "savonds", "middags", "smiddags") for w in words)
    if evening and hour < 12:
        hour += 12
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return time(hour % 24, minute)


def parse_clock(value: str) -> time:
    """'08:30' from the config file."""
    m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", value)
    if not m or int(m[1]) > 23 or int(m[2]) > 59:
        raise ValueError(value)
    return time(int(m[1]), int(m[2]))


@dataclass
class ReminderState:
    times: dict[str, time]                       # day part -> local time
    said: set[tuple[date, str]] = field(default_factory=set)
    snoozed_until: datetime | None = None
    snoozed_part: str | None = None
    dismissed_on: date | None = None


def due(state: ReminderState, rows, now: datetime, words: dict) -> str | None:
    """The day part to remind about now, or None."""
    if state.dismissed_on == now.date():
        return None
    done = set(today(rows, now, words).parts)
    if state.snoozed_until is not None and now >= state.snoozed_until:
        part = state.snoozed_part
        state.snoozed_until = state.snoozed_part = None
        if part not in done:
            return part
    for part in DAY_PARTS:
        at = state.times.get(part)
        if at is None or (now.date(), part) in state.said or part in done:
            continue
        # Due from its time until the end of its part of the day; not when that part is over.
        if now.time() >= at and day_part(now, words) == part:
            return part
    return None


def mark_said(state: ReminderState, part: str, now: datetime) -> None:
    state.said.add((now.date(), part))


def snooze(state: ReminderState, part: str | None, now: datetime, minutes: int) -> bool:
    if part is None:
        return False
    state.snoozed_until = now + timedelta(minutes=minutes)
    state.snoozed_part = part
    return True


def dismiss_today(state: ReminderState, now: datetime) -> None:
    state.dismissed_on = now.date()
    state.snoozed_until = state.snoozed_part = None


def upcoming(state: ReminderState, rows, now: datetime, words: dict) -> list[tuple[datetime, str]]:
    """The reminders still to come today and tomorrow, as (moment, day part); a part already done
    today, said, or silenced for the day is left out today."""
    done = set(today(rows, now, words).parts)
    out = []
    for offset in (0, 1):
        day = now.date() + timedelta(days=offset)
        for part in DAY_PARTS:
            at = state.times.get(part)
            if at is None:
                continue
            moment = datetime.combine(day, at, tzinfo=now.tzinfo)
            if offset == 0 and (moment <= now or part in done or (day, part) in state.said
                                or state.dismissed_on == day):
                continue
            out.append((moment, part))
    if state.snoozed_until is not None and state.snoozed_part is not None and state.snoozed_until > now:
        out.append((state.snoozed_until, state.snoozed_part))
    return sorted(out)

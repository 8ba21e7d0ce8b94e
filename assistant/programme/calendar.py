"""The programme in plain words: today's sessions against the goal of three, the week, a streak.

Pure functions of the journal's session rows and the current local time; no I/O.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from assistant import numbers, prompts

DAY_PARTS = ("morning", "afternoon", "evening")


@dataclass(frozen=True)
class Day:
    date: date
    sessions: int           # sessions with at least one round done
    parts: tuple[str, ...]  # day parts in which they were done, in order


def day_part(moment: datetime, words: dict) -> str:
    parts = words["day_parts"]
    if moment.hour < parts["afternoon_from"]:
        return "morning"
    return "afternoon" if moment.hour < parts["evening_from"] else "evening"


def done_sessions(rows) -> list:
    """Sessions that count: at least one round done (a crash mid-session still counts what was done)."""
    return [r for r in rows if r.reps_done > 0]


def local(moment: datetime, now: datetime) -> datetime:
    """A journal time in the user's current time zone (the one ``now`` carries)."""
    return moment.astimezone(now.tzinfo) if now.tzinfo else moment.replace(tzinfo=None)


def today(rows, now: datetime, words: dict) -> Day:
    mine = [local(r.started_at, now) for r in done_sessions(rows)]
    todays = sorted(m for m in mine if m.date() == now.date())
    return Day(now.date(), len(todays), tuple(day_part(m, words) for m in todays))


def start_date(rows, now: datetime) -> date | None:
    done = done_sessions(rows)
    return min(local(r.started_at, now).date() for r in done) if done else None


def programme_day(rows, now: datetime) -> int | None:
    """Days since the first session (the first day is day 0)."""
    first = start_date(rows, now)
    return None if first is None else (now.date() - first).days


def week_number(rows, now: datetime) -> int | None:
    day = programme_day(rows, now)
    return None if day is None else day // 7 + 1


def streak(rows, now: datetime) -> int:
    """Days in a row with at least one session, ending today (or yesterday, if none yet today)."""
    days = {local(r.started_at, now).date() for r in done_sessions(rows)}
    cursor = now.date() if now.date() in days else now.date() - timedelta(days=1)
    n = 0
    while cursor in days:
        n += 1
        cursor -= timedelta(days=1)
    return n


def sessions_per_week(rows, now: datetime) -> list[tuple[int, int, int]]:
    """(week, sessions, days with three sessions) for every programme week up to now."""
    first = start_date(rows, now)
    if first is None:
        return []
    by_day = Counter(local(r.started_at, now).date() for r in done_sessions(rows))
    weeks = (now.date() - first).days // 7 + 1
    table = []
    for w in range(weeks):
        days = [first + timedelta(days=7 * w + d) for d in range(7)]
        table.append((w + 1, sum(by_day[d] for d in days), sum(by_day[d] >= 3 for d in days)))
    return table


def _number(n: int, words: dict) -> str:
    names = words["words"]["numbers"]
    return names[n] if 0 <= n < len(names) else numbers.say(n, prompts.load("words"))


def _times(n: int, words: dict) -> str:
    times = words["words"]["times"]
    return times[n] if 0 <= n < len(times) else words["words"]["times_many"].format(n=_number(n, words))


def _join(items: list[str], words: dict) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + words["words"]["list_and"] + items[-1]


def _next_part(after: str | None, done: tuple[str, ...]) -> str:
    remaining = [p for p in DAY_PARTS if p not in done and (after is None or DAY_PARTS.index(p) > DAY_PARTS.index(after))]
    return remaining[0] if remaining else "evening"


def answer_today(rows, now: datetime, words: dict) -> str:
    a, goal = words["answers"], words["goal"]["sessions_per_day"]
    d = today(rows, now, words)
    if d.sessions == 0:
        return a["today_none"]
    names = words["day_parts"]["names"]
    parts = _join([names[p] for p in dict.fromkeys(d.parts)], words)
    text = a["today_some"].format(count=_times(d.sessions, words), parts=parts)
    left = goal - d.sessions
    return text + " " + (a["today_left"].format(left=_times(left, words)) if left > 0 else a["today_done"])


def answer_week(rows, now: datetime, words: dict) -> str:
    week = week_number(rows, now)
    if week is None:
        return words["answers"]["week_none"]
    return words["answers"]["week"].format(week=_number(week, words),
                                           weeks_to_improvement=words["goal"]["weeks_to_improvement"])


def answer_progress(rows, now: datetime, words: dict) -> str:
    a = words["answers"]
    first = start_date(rows, now)
    if first is None:
        return a["progress_none"]
    last7 = [r for r in done_sessions(rows) if (now.date() - local(r.started_at, now).date()).days < 7]
    days = min(7, (now.date() - first).days + 1)
    per_day_text = about_times(len(last7) / days, words)
    text = a["progress"].format(start=_date_words(first, words), week=_number((now.date() - first).days // 7 + 1, words),
                                sessions=_number(len(last7), words), per_day=per_day_text)
    run = streak(rows, now)
    if run >= 2:
        text += " " + a["streak"].format(days=_number(run, words))
    return text


def about_times(x: float, words: dict) -> str:
    """An average in words, never "1,7 keer": bijna twee keer, ruim twee keer, tweeënhalf keer."""
    a = words["words"]["about"]
    n, frac = int(x), x - int(x)
    if x < 0.75:
        return a["less_than_one"]
    if frac < 0.05 or frac > 0.95:
        return a["exact"].format(n=_number(round(x), words))
    if 0.4 <= frac <= 0.6:
        if n == 1:
            return a["one_and_a_half"]
        join = prompts.load("words")["numbers"]
        word = _number(n, words)
        return a["half"].format(n=word + (join["tens_join_after_e"] if word.endswith("e") else join["tens_join"]))
    return a["over"].format(n=_number(n, words)) if frac < 0.4 else a["under"].format(n=_number(n + 1, words))


def _date_words(d: date, words: dict) -> str:
    w = words["words"]
    return w["date"].format(day=_number(d.day, words), month=w["months"][d.month - 1])


def closing_line(rows, now: datetime, words: dict) -> str:
    """After a session: which one of today's it was and what is left (the session itself included)."""
    a, goal = words["answers"], words["goal"]["sessions_per_day"]
    d = today(rows, now, words)
    if d.sessions >= goal:
        return a["closing_done"].format(done=_number(d.sessions, words))
    if day_part(now, words) == "evening":
        return a["closing_evening"].format(done=_number(d.sessions, words))
    nxt = words["day_parts"]["next_names"][_next_part(day_part(now, words), d.parts)]
    return a["closing_left"].format(done=_number(d.sessions, words), left=_times(goal - d.sessions, words), next=nxt)

"""The leaflet's check-in moments, on the programme's calendar. Pure: no I/O, no clock.

Around week 2 and week 6: the GP check-up, and 3 days before it the plasdagboek; from week 6 the
question how the complaints are; at 3 months without enough improvement, the GP again.
Each check-in is asked once (the journal remembers) and its answer may come at any later time.
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("diary_week2", "gp_week2", "diary_week6", "gp_week6", "outcome_week6", "gp_month3")
# Calendar reminders in order: once a later one's day has come, an earlier one is stale.
CHAIN = ("diary_week2", "gp_week2", "diary_week6", "gp_week6")


@dataclass(frozen=True)
class CheckIn:
    kind: str
    day: int
    say: str


def schedule(words: dict) -> list[CheckIn]:
    c = words["checkins"]
    return sorted((CheckIn(k, c[k]["day"], c[k]["say"]) for k in KINDS), key=lambda x: (x.day, KINDS.index(x.kind)))


def due(programme_day: int | None, asked: set[str], outcome: str | None, words: dict) -> list[CheckIn]:
    """Check-ins to bring up now, oldest first: their day has come and they were never asked.

    Of the calendar reminders (plasdagboek, GP check-up) only the latest whose day has come is
    given: someone back after weeks away hears about week 6, not week 2. The question how the
    complaints are stays until asked; the 3-month GP advice is skipped when they lessened or went.
    """
    if programme_day is None:
        return []
    fine = set(words["checkins"]["fine_outcomes"])
    come = [item for item in schedule(words) if item.day <= programme_day]
    latest_in_chain = max((CHAIN.index(i.kind) for i in come if i.kind in CHAIN), default=-1)
    out = []
    for item in come:
        if item.kind in asked:
            continue
        if item.kind in CHAIN and CHAIN.index(item.kind) < latest_in_chain:
            continue  # stale: a later moment of the calendar has come
        if item.kind == "gp_month3" and outcome in fine:
            continue
        out.append(item)
    return out


def is_outcome_answer(intent: str | None, words: dict) -> bool:
    return intent in words["checkins"]["outcome_intents"]

"""The leaflet's check-in moments, on the programme's calendar. Pure: no I/O, no clock.

Around week 2 and week 6: the GP check-up, and 3 days before it the plasdagboek; from week 6 the
question how the complaints are; at 3 months without enough improvement, the GP again.
Each check-in is asked once (the journal remembers) and its answer may come at any later time.
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("diary_week2", "gp_week2", "diary_week6", "gp_week6", "outcome_week6", "gp_month3")


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

    A check-in whose moment passed long ago is still asked once (the user may have paused the
    programme); the 3-month GP advice is skipped when the complaints lessened or went away.
    """
    if programme_day is None:
        return []
    fine = set(words["checkins"]["fine_outcomes"])
    out = []
    for item in schedule(words):
        if item.kind in asked or programme_day < item.day:
            continue
        if item.kind == "gp_month3" and outcome in fine:
            continue
        out.append(item)
    # Two diary or GP reminders for one moment are one too many: keep the latest of each pair.
    kinds = {i.kind for i in out}
    if "gp_week6" in kinds or "diary_week6" in kinds:
        out = [i for i in out if i.kind not in ("diary_week2", "gp_week2")]
    if "gp_week6" in kinds:
        out = [i for i in out if i.kind != "diary_week6"]
    return out


def is_outcome_answer(intent: str | None, words: dict) -> bool:
    return intent in words["checkins"]["outcome_intents"]

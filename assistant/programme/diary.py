"""The plasdagboek in words: what the coach says back after a line, and a day's totals and summary.

Pure: journal rows (or entry fields) and the words of prompts/diary.toml and prompts/words.toml in,
sentences and numbers out. Amounts are spoken as words ("tweehonderd milliliter"), never digits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from assistant import numbers
from assistant.programme.calendar import local


@dataclass(frozen=True)
class Totals:
    day: date
    voids: int
    void_ml: int            # of the voids whose amount was said
    voids_unknown: int      # voids without an amount
    drinks: int
    drink_ml: int
    drinks_unknown: int
    leaks: int
    pads: int
    urges: int


def volume(ml: int, d: dict, w: dict) -> str:
    """Millilitres in words, without a trailing space: "anderhalve liter", "tweehonderd milliliter"."""
    s = d["say"]
    if ml == 1500:
        return s["one_and_a_half_liter"].strip()
    if ml >= 1000 and ml % 1000 == 0:
        return s["liter"].format(n=numbers.say_alone(ml // 1000, w)).strip()
    return s["ml"].format(n=numbers.say_alone(ml, w)).strip()


def _container(name: str, count: int, d: dict) -> str:
    forms = d["amounts"]["container_names"][name]
    return forms[0] if count == 1 else forms[1]


def described(kind: str, ml: int | None, count: int | None, container: str | None, size: str | None,
              note: str | None, d: dict, w: dict) -> str:
    """What was noted, in a few words: "tweehonderd milliliter geplast"."""
    s = d["say"]
    if count is not None and container is not None:
        amount = s["count"].format(n=numbers.say(count, w), container=_container(container, count, d))
    elif container is not None:
        amount = _container(container, 1, d) + " "
    elif ml is not None:
        amount = volume(ml, d, w) + " "
    else:
        amount = ""
    notes = [n.strip() for n in (note or "").split(",") if n.strip()]
    drinks = set(d["amounts"]["drinks"])
    drink = next((n for n in notes if n in drinks), None) if kind == "drink" else None
    item = notes[0] if kind == "pad" and notes else s["pad_item"]
    rest = [n for n in notes if n != drink and not (kind == "pad" and n == item)]
    return s[kind].format(amount=amount, drink=f"{drink} " if drink else "", size=s["sizes"].get(size or "", ""),
                          item=item, note="".join(f", {n}" for n in rest))


def totals(rows, day: date, now: datetime) -> Totals:
    mine = [r for r in rows if local(r.at, now).date() == day]
    of = lambda kind: [r for r in mine if r.kind == kind]
    voids, drinks = of("void"), of("drink")
    return Totals(day, len(voids), sum(r.ml for r in voids if r.ml is not None), sum(r.ml is None for r in voids),
                  len(drinks), sum(r.ml for r in drinks if r.ml is not None), sum(r.ml is None for r in drinks),
                  len(of("leak")), len(of("pad")), len(of("urge")))


def days(rows, now: datetime) -> list[date]:
    """The days with diary entries, in order."""
    return sorted({local(r.at, now).date() for r in rows})


def summary(rows, day: date, which: str, now: datetime, d: dict, w: dict) -> str:
    """The day's plasdagboek in one sentence: "Vandaag: zeven keer geplast, samen ... en ..."."""
    m = d["summary"]
    label = m["day"][which]
    t = totals(rows, day, now)
    if not (t.voids or t.drinks or t.leaks or t.pads or t.urges):
        return m["empty"].format(day=label)
    times = lambda n: m["times"].format(n=numbers.say_alone(n, w))
    parts = []
    if t.voids:
        known = t.voids - t.voids_unknown
        parts.append(m["voids_volume"].format(times=times(t.voids), volume=volume(t.void_ml, d, w))
                     if known and not t.voids_unknown else m["voids"].format(times=times(t.voids)))
    if t.drinks:
        if not t.drinks_unknown:
            parts.append(m["drinks"].format(volume=volume(t.drink_ml, d, w)))
        elif t.drinks_unknown < t.drinks:
            parts.append(m["drinks_some_unknown"].format(times=times(t.drinks), volume=volume(t.drink_ml, d, w)))
        else:
            parts.append(m["drinks_unknown"].format(times=times(t.drinks)))
    for key, n in (("leaks", t.leaks), ("pads", t.pads), ("urges", t.urges)):
        if n:
            parts.append(m[key].format(times=times(n)))
    text = parts[0] if len(parts) == 1 else "; ".join(parts[:-1]) + m["list_and"] + parts[-1]
    return m["sentence"].format(day=label, parts=text)

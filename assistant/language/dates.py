"""Dutch dates as people say them, relative to today. Pure: text and today in, a date out.

"over twee weken", "dinsdag de vijftiende", "15 december", "vijftien december 2027",
"volgende week woensdag", "woensdag", "morgen", "op de 15e", "15-12". A date without a year
that has passed this year is next year's; a weekday alone is the next one after today. Words
come from prompts/words.toml; nothing is guessed when no date is said (None).

The library route was tried first: dateparser 1.5 (languages=["nl"]) reads "15 december" and
"over 2 weken", but not "over twee weken", "dinsdag de vijftiende" or "volgende week woensdag".
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date, timedelta

from assistant import numbers

_NUMERIC = re.compile(r"\b(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{2,4}))?\b")


def tokens(text: str) -> list[str]:
    """Lowercase words without accents and punctuation ("Dinsdag, de 15e!" -> dinsdag de 15e)."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9,]+", " ", plain.replace("'", "")).replace(",", " ").split()


def _find(words: list[str], phrase: str) -> int | None:
    p = phrase.split()
    for i in range(len(words) - len(p) + 1):
        if words[i:i + len(p)] == p:
            return i
    return None


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month_of(token: str, w: dict) -> int | None:
    d = w["days"]
    if token in d["months"]:
        return d["months"].index(token) + 1
    return d["month_short"].get(token)


def parse(text: str, today: date, words: dict) -> date | None:
    """The date said in ``text`` (``words``: prompts/words.toml), or None."""
    d = words["days"]
    t = tokens(text)
    weekday = next((d["weekdays"].index(x) for x in t if x in d["weekdays"]), None)

    for word, days in d["relative"].items():
        if word in t:
            return today + timedelta(days=days)

    for i, x in enumerate(t):   # over twee weken, over 10 dagen, over een maand
        if x in d["ahead"]:
            found = numbers.value_at(t, i + 1, words)
            if found is not None:
                n, used = found
                unit = t[i + 1 + used] if i + 1 + used < len(t) else ""
                if unit in d["units"] and n == int(n):
                    return today + timedelta(days=int(n) * d["units"][unit])
                if unit in d["month_units"] and n == int(n):
                    return _add_months(today, int(n))

    if weekday is not None and any(_find(t, p) is not None for p in d["next_week"]):
        monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
        return monday + timedelta(days=weekday)

    m = _NUMERIC.search(text)
    if m:
        n_day, n_month = int(m[1]), int(m[2])
        year = int(m[3]) + (2000 if m[3] and len(m[3]) == 2 else 0) if m[3] else None
        found_date = _safe(year or today.year, n_month, n_day)
        if found_date and year is None and found_date < today:
            found_date = _safe(today.year + 1, n_month, n_day)
        if found_date:
            return found_date

    for i, x in enumerate(t):   # 15 december, vijftien december, de vijftiende december [2027]
        month_of = _month_of(x, words)
        if month_of is None or i == 0:
            continue
        day_of = _day_before(t, i, words)
        if day_of is None:
            continue
        year = None
        if i + 1 < len(t) and t[i + 1].isdigit() and len(t[i + 1]) == 4:
            year = int(t[i + 1])
        found_date = _safe(year or today.year, month_of, day_of)
        if found_date and year is None and found_date < today:
            found_date = _safe(today.year + 1, month_of, day_of)
        return found_date          # a month was named: that date, or none (30 februari)

    for i in range(len(t)):      # (dinsdag) de vijftiende: the next such day of a month
        day = numbers.ordinal_at(t, i, words)
        if day is not None and 1 <= day <= 31 and (i > 0 and t[i - 1] in ("de", "op") or weekday is not None):
            for ahead in range(0, 14):
                first = _add_months(today.replace(day=1), ahead)
                candidate = _safe(first.year, first.month, day)
                if candidate and candidate >= today and (weekday is None or candidate.weekday() == weekday):
                    return candidate
            return None

    if weekday is not None:      # woensdag, komende woensdag, deze week woensdag
        ahead = (weekday - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)
    return None


def _day_before(t: list[str], i: int, words: dict) -> int | None:
    """The day of the month just before the month name at ``i``: a number or an ordinal."""
    for start in (i - 1, i - 2, i - 3):
        if start < 0:
            break
        ordinal = numbers.ordinal_at(t, start, words)
        if ordinal is not None and 1 <= ordinal <= 31:
            return ordinal
        found = numbers.value_at(t, start, words)
        if found is not None and start + found[1] == i and found[0] == int(found[0]) and 1 <= found[0] <= 31:
            return int(found[0])
    return None

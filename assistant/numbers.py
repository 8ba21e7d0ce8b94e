"""Dutch number words, both ways: 250 -> "tweehonderdvijftig", and "twee honderd" -> 200.

Pure: the words come from prompts/words.toml (section ``numbers`` and ``ordinals``), passed in.
What the coach says is built from words, never digits ("1,7 keer" reads badly aloud).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

_DIGITS = re.compile(r"^\d+([.,]\d+)?$")


def plain(word: str) -> str:
    """Without accents: "tweeëntwintig" -> "tweeentwintig"."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def say(n: int, words: dict) -> str:
    """0 <= n < 1,000,000 in Dutch words: 21 -> eenentwintig, 1700 -> zeventienhonderd."""
    w = words["numbers"]
    if n < 0 or n >= 1_000_000:
        raise ValueError(n)
    if n < 20:
        return w["small"][n]
    if n < 100:
        unit, ten = n % 10, w["tens"][n // 10 - 2]
        if unit == 0:
            return ten
        unit_word = w["small"][unit]
        join = w["tens_join_after_e"] if unit_word.endswith("e") else w["tens_join"]
        return unit_word + join + ten
    if n < 1000 or (1100 <= n < 2000 and n % 100 == 0):
        hundreds, rest = divmod(n, 100)
        head = ("" if hundreds == 1 else say(hundreds, words)) + w["hundred"]
        return head + (say(rest, words) if rest else "")
    thousands, rest = divmod(n, 1000)
    head = ("" if thousands == 1 else say(thousands, words)) + w["thousand"]
    return head + (" " + say(rest, words) if rest else "")


def say_alone(n: int, words: dict) -> str:
    """A number standing alone ("één", not the article "een")."""
    return words["numbers"]["one_alone"] if n == 1 else say(n, words)


def ordinal(n: int, words: dict) -> str:
    """1 -> eerste, 15 -> vijftiende, 21 -> eenentwintigste."""
    o = words["ordinals"]
    return o["small"][n] if n < 20 else say(n, words) + o["suffix_from_twenty"]


_tables: dict[int, tuple[dict[str, float], dict[str, int]]] = {}


def _table(words: dict) -> tuple[dict[str, float], dict[str, int]]:
    """word -> value for 0..9999 (and "zeventienhonderd"), and ordinal word -> 1..31."""
    key = id(words)
    if key not in _tables:
        values: dict[str, float] = {say(n, words).replace(" ", ""): n for n in range(10000)}
        for n in range(11, 20):
            values[say(n, words) + words["numbers"]["hundred"]] = n * 100
        values.update(words["numbers"]["also"])
        values.update({plain(k): v for k, v in values.items()})     # tweeentwintig
        ordinals = {ordinal(n, words): n for n in range(1, 32)}
        ordinals.update({plain(k): v for k, v in ordinals.items()})
        _tables[key] = (values, ordinals)
    return _tables[key]


def value_at(tokens: list[str], i: int, words: dict) -> tuple[float, int] | None:
    """The number that starts at ``tokens[i]`` and how many tokens it takes: "200", "1,5",
    "tweehonderd", "twee honderd vijftig". Tokens are lowercase words."""
    if i >= len(tokens):
        return None
    if _DIGITS.match(tokens[i]):
        return float(tokens[i].replace(",", ".")), 1
    values, _ = _table(words)
    for n in (3, 2, 1):   # the recogniser may split a compound: "twee honderd vijftig"
        if i + n <= len(tokens):
            joined = "".join(tokens[i:i + n])
            if joined in values:
                return values[joined], n
    return None


def ordinal_at(tokens: list[str], i: int, words: dict) -> int | None:
    """A day of the month said as an ordinal: "vijftiende", "15e", "15de", "eenendertigste"."""
    if i >= len(tokens):
        return None
    token = tokens[i]
    for suffix in sorted(words["ordinals"]["digit_suffixes"], key=len, reverse=True):
        head = token[: -len(suffix)]
        if token.endswith(suffix) and head.isdigit():
            return int(head)
    _, ordinals = _table(words)
    for n in (2, 1):
        if i + n <= len(tokens) and "".join(tokens[i:i + n]) in ordinals:
            return ordinals["".join(tokens[i:i + n])]
    return None


def say_date(d: date, today: date, words: dict) -> str:
    """A date in words, for speaking: "dinsdag vijftien december" (with the year if not today's)."""
    w = words["days"]
    parts = {"weekday": w["weekdays"][d.weekday()], "day": say_alone(d.day, words),
             "month": w["months"][d.month - 1], "year": say(d.year, words)}
    return (w["say_date"] if d.year == today.year else w["say_date_year"]).format(**parts)

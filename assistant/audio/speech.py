"""The speech layer: display text -> what espeak-ng should hear. Pure; the words are data
(prompts/speech.toml).

In order: clock times ("21:00" -> "negen uur 's avonds", "8:30" -> "half negen"), decimals
("1,7" -> "één komma zeven"), whole numbers, the lexicon of respellings ("'s avonds" -> "savonds",
"controleafspraak" -> "controle-afspraak"), then what is left for the ear: any other "'s" joined to
its word, and a colon in a sentence said as a comma.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from assistant import numbers, prompts

_TIME = re.compile(r"(?<![\d:,.])([01]?\d|2[0-3]):([0-5]\d)(?![\d:])(\s+uur\b)?")
_DECIMAL = re.compile(r"(?<![\d,.])(\d+),(\d+)(?![\d,])")
_INTEGER = re.compile(r"\d+")
_APOSTROPHE = "['’‘`]"
_LEFT_S = re.compile(rf"(?<!\w){_APOSTROPHE}s\s+(?=\w)", re.IGNORECASE)
_COLON = re.compile(r"\s*:\s*")


def number_words(n: int, words: dict) -> str:
    """0 <= n < 1,000,000 in Dutch words (the one table of number words, prompts/words.toml, read by
    assistant.numbers), "één" when it stands alone; larger numbers digit by digit."""
    w = words["number_words"]
    if 0 <= n < 1_000_000:
        return numbers.say_alone(n, w)
    return " ".join(numbers.say_alone(int(d), w) for d in str(abs(n)))


def clock_words(hour: int, minute: int, words: dict) -> str:
    """The time as people say it: "half negen", "kwart over zeven", "negen uur"."""
    c = words["clock"]
    name = c["hours"][hour % 12]
    nxt = c["hours"][(hour + 1) % 12]
    if minute == 0:
        return c["full"].format(hour=name)
    if minute == 15:
        return c["quarter_past"].format(hour=name)
    if minute == 30:
        return c["half"].format(next=nxt)
    if minute == 45:
        return c["quarter_to"].format(next=nxt)
    if minute < 15:
        return c["past"].format(minutes=number_words(minute, words), hour=name)
    if minute < 30:
        return c["to_half"].format(minutes=number_words(30 - minute, words), next=nxt)
    if minute < 45:
        return c["past_half"].format(minutes=number_words(minute - 30, words), next=nxt)
    return c["to"].format(minutes=number_words(60 - minute, words), next=nxt)


def day_part(hour: int, words: dict) -> str:
    starts = sorted(words["clock"]["day_part_from"].items(), key=lambda kv: kv[1])
    return [part for part, start in starts if hour >= start][-1]


def spoken(text: str, words: dict | None = None) -> str:
    """What espeak-ng should be given for ``text``."""
    words = words or load()
    folded = text.lower()

    def time(m: re.Match) -> str:
        hour, minute = int(m.group(1)), int(m.group(2))
        out = clock_words(hour, minute, words)
        part = day_part(hour, words)
        if not any(name in folded for name in words["clock"]["day_part_named_by"][part]):
            out += " " + words["clock"]["day_part"][part]
        return out

    text = _TIME.sub(time, text)
    text = _DECIMAL.sub(lambda m: f"{number_words(int(m.group(1)), words)} {words['numbers']['comma']} "
                                  f"{number_words(int(m.group(2)), words)}", text)
    text = _INTEGER.sub(lambda m: number_words(int(m.group(0)), words), text)
    for entry in sorted(words["lexicon"], key=lambda e: -len(e["write"])):    # longest first
        pattern = r"(?<!\w)" + re.escape(entry["write"]).replace("'", _APOSTROPHE) + r"(?!\w)"
        text = re.sub(pattern, _respell(entry["say"]), text, flags=re.IGNORECASE)
    text = _LEFT_S.sub("s", text)
    return _COLON.sub(", ", text)


def _respell(say: str) -> Callable[[re.Match], str]:
    """The respelling, with a capital where the written word had one."""
    def replace(m: re.Match) -> str:
        return say[:1].upper() + say[1:] if m.group(0)[:1].isupper() else say
    return replace


@cache
def load() -> dict:
    """speech.toml, with the number words of words.toml under "number_words"."""
    return {**prompts.load("speech"), "number_words": prompts.load("words")}

"""Plasdagboek lines as people say them: "ik heb net 200 milliliter geplast" -> a void of 200 ml.

Pure: a sentence in, an entry (or an undo, or a request for the day's summary) out. The words are
data in prompts/diary.toml. Nothing is guessed: an amount, a leak's size or a circumstance is
filled in only when it was said; a glass without a known size stays a glass until the user says
how much hers holds. Red flags are not this module's business: the conversation checks them first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant import numbers
from assistant.language.dates import tokens as _tokens

KINDS = ("drink", "void", "leak", "pad", "urge")


@dataclass(frozen=True)
class Entry:
    kind: str                    # one of KINDS
    ml: int | None = None        # said in millilitres or litres
    count: int | None = None     # "twee glazen": 2 ...
    container: str | None = None  # ... of "glas"
    size: str | None = None      # a leak: druppels, beetje, scheut, veel
    note: str | None = None      # a circumstance ("bij het hoesten"), a drink ("water"), the item changed


def tokens(text: str) -> list[str]:
    """Words as the diary reads them; "200ml" is "200 ml"."""
    return _tokens(re.sub(r"(\d)([a-zA-Z])", r"\1 \2", text))


def _signs(specs: list[str]) -> list[list[set[str]]]:
    return [[set(group.split("|")) for group in spec.split()] for spec in specs]


def _has(signs: list[list[set[str]]], words: list[str]) -> bool:
    have = set(words)
    return any(all(group & have for group in sign) for sign in signs)


def _contains(words: list[str], phrase: list[str]) -> bool:
    return any(words[i:i + len(phrase)] == phrase for i in range(len(words) - len(phrase) + 1))


class DiaryPhrases:
    def __init__(self, diary: dict, words: dict) -> None:
        self.d, self.words = diary, words
        k = diary["kinds"]
        self.order = k["order"]
        self.kind_signs = {kind: _signs(k[kind]) for kind in KINDS}
        self.question_starts = [s.split() for s in k["question_starts"]]
        a = diary["amounts"]
        self.units = a["units"]
        self.containers = {form: name for name, forms in a["containers"].items() for form in forms}
        self.drinks = set(a["drinks"])
        self.sizes = {form: size for size, forms in diary["sizes"].items() for form in forms}
        self.undo = [p.split() for p in diary["phrases"]["undo"]]
        self.summary_signs = _signs(diary["phrases"]["summary"])

    def _question(self, text: str, words: list[str]) -> bool:
        return text.strip().endswith("?") or any(words[:len(q)] == q for q in self.question_starts)

    def is_question(self, text: str) -> bool:
        return self._question(text, tokens(text))

    def entry(self, text: str) -> Entry | None:
        """The diary line in ``text``, or None when it is not one."""
        words = tokens(text)
        if not words or self._question(text, words):
            return None
        kind = next((k for k in self.order if _has(self.kind_signs[k], words)), None)
        if kind is None:
            return None
        ml = self.millilitres(words)
        count, container = self._container(words) if kind == "drink" else (None, None)
        size = next((self.sizes[w] for w in words if w in self.sizes), None) if kind == "leak" else None
        notes = []
        if kind == "drink":
            notes += [w for w in words if w in self.drinks][:1]
        if kind == "pad":
            items = self.kind_signs["pad"][0][0]      # the first group of the first sign: what was changed
            notes += [w for w in words if w in items][:1]
        circumstance = self._circumstance(words)
        if circumstance:
            notes.append(circumstance)
        if kind in ("void", "leak") and _has(self.kind_signs["urge"], words):
            notes.append(self.d["circumstances"]["urge_note"])
        return Entry(kind, ml=ml, count=count, container=container, size=size, note=", ".join(notes) or None)

    def millilitres(self, words: list[str]) -> int | None:
        """An amount said with a unit: "200 milliliter", "anderhalve liter", "een halve liter"."""
        for i in range(len(words)):
            found = numbers.value_at(words, i, self.words)
            if found is None:
                continue
            value, used = found
            unit = words[i + used] if i + used < len(words) else ""
            if unit in self.units and value > 0:
                return int(round(value * self.units[unit]))
        return None

    def _container(self, words: list[str]) -> tuple[int | None, str | None]:
        for i, w in enumerate(words):
            if w in self.containers:
                for back in (1, 2):      # "twee glazen", "twee grote glazen"
                    if i - back >= 0:
                        found = numbers.value_at(words, i - back, self.words)
                        if found is not None and found[0] == int(found[0]) and found[0] > 0:
                            return int(found[0]), self.containers[w]
                return None, self.containers[w]
        return None, None

    def _circumstance(self, words: list[str]) -> str | None:
        c = self.d["circumstances"]
        for i, w in enumerate(words):
            if w in c["starts"]:
                j = i + 1
                while j < len(words) and words[j] in c["articles"]:
                    j += 1
                if j < len(words):
                    return " ".join(words[i:j + 1])
        return None

    def is_undo(self, text: str) -> bool:
        words = tokens(text)
        return any(_contains(words, p) and len(words) <= len(p) + 2 for p in self.undo)

    def summary_day(self, text: str) -> str | None:
        """'today' or 'yesterday' when the day's summary is asked for, else None."""
        words = tokens(text)
        if not _has(self.summary_signs, words):
            return None
        return "yesterday" if set(words) & set(self.d["phrases"]["yesterday"]) else "today"

    def amount_answer(self, text: str) -> int | None:
        """The answer to "how much does your glass hold": "tweehonderd milliliter", "250"."""
        words = tokens(text)
        ml = self.millilitres(words)
        if ml is not None:
            return ml
        for i in range(len(words)):
            found = numbers.value_at(words, i, self.words)
            if found is not None and found[0] >= self.d["amounts"]["least_ml"]:
                return int(found[0])
        return None

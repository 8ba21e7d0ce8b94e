"""The safety layer: red-flag symptoms by category, checked before anything else. Pure.

A sign is a few word groups that must all occur in what was said (compared by stem, so "plas",
"plassen" and "geplast" are one), unless a negation stands just before one of its words ("geen pijn
meer") in the same clause ("geen plas maar ontlasting" is about ontlasting). The categories, their
signs and referral sentences are data in prompts/safety.toml.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from assistant.language.words import Stems


@dataclass(frozen=True)
class Sign:
    groups: tuple[frozenset[str], ...]   # each group: stems (or "=word" for the word as said), any will do
    text: str                            # as written in the prompts file, for the log


@dataclass(frozen=True)
class Category:
    name: str
    referral: str
    urgent: bool
    signs: tuple[Sign, ...]


@dataclass(frozen=True)
class RedFlag:
    category: Category
    sign: Sign


class SafetyLayer:
    def __init__(self, data: dict, stems: Stems) -> None:
        self._stem = stems.key
        self.negations = frozenset(self._stem(w) for w in data["negations"])
        self.window = data["negation_window"]
        self.negation_stops = frozenset(self._stem(w) for w in data["negation_stops"])
        self.clause_stops = frozenset(self._stem(w) for w in data["clause_stops"])
        self.not_about_me = frozenset(self._stem(w) for w in data["not_about_me"])
        self.others = frozenset(self._stem(w) for w in data["others"])
        self.first_person = frozenset(self._stem(w) for w in data["first_person"])
        self.exercising = frozenset(self._stem(w) for w in data["exercising"])
        self.harmless = sorted((tuple(self._stem(w) for w in p.split()) for p in data["harmless"]), key=len,
                               reverse=True)
        self.body_words = frozenset(self._stem(w) for w in data["body_words"])
        self.body_answer = data["body_answer"]
        self.session_phrases = tuple(data["session_phrases"])
        self.categories = tuple(
            Category(name, spec["referral"], spec["urgent"], tuple(self._sign(s) for s in spec["signs"]))
            for name, spec in data["categories"].items())

    def _sign(self, text: str) -> Sign:
        groups = tuple(frozenset(w if w.startswith("=") else self._stem(w) for w in group.split("|"))
                       for group in text.split())
        return Sign(groups, text)

    def check(self, words: list[str]) -> RedFlag | None:
        """The first red flag among the (folded) ``words``, or None."""
        keys = self._keys(words)
        stems = {stem for stem, _ in keys}
        if self.not_about_me & stems:
            return None
        if self.others & stems and not (self.first_person | self.exercising) & stems:
            return None   # "mijn dochter is zwanger": about someone else
        for category in self.categories:
            for sign in category.signs:
                if self._present(sign, keys):
                    return RedFlag(category, sign)
        return None

    def mentions(self, words: list[str]) -> bool:
        """Whether a sign is spoken of at all, negated or about someone else included: "ik heb
        geen pijn meer bij het plassen" is no red flag, and no question to guess at either."""
        keys = self._keys(words)
        return any(self._present(sign, keys, heed_negation=False)
                   for category in self.categories for sign in category.signs)

    def _keys(self, words: list[str]) -> list[tuple[str, str]]:
        """(stem, "=" + word) for each of ``words``, harmless phrases ("bloed geven") taken out."""
        keys = [(self._stem(w), "=" + w) for w in words]
        for phrase in self.harmless:
            n = len(phrase)
            i = 0
            while i + n <= len(keys):
                if tuple(k for k, _ in keys[i:i + n]) == phrase:
                    del keys[i:i + n]
                else:
                    i += 1
        return keys

    def _present(self, sign: Sign, keys: list[tuple[str, str]], heed_negation: bool = True) -> bool:
        """Whether every group of the sign is said, in one clause ("hoe komt het dat er urine
        uitloopt terwijl ik niet hoef" is no "er komt niets uit"), and, if heeded, with no negation
        just before it."""
        found = [[i for i, (stem, word) in enumerate(keys) if stem in group or word in group] for group in sign.groups]
        if not all(found):
            return False
        clause, n = [], 0
        for stem, _ in keys:      # "maar" opens a clause and belongs to it: "er komt maar een druppel"
            n += stem in self.clause_stops
            clause.append(n)
        own = set().union(*found)
        for positions in itertools.product(*found):
            if len({clause[p] for p in positions}) > 1:
                continue
            if not heed_negation or not any(self._negated(p, keys, own) for p in positions):
                return True
        return False

    def _negated(self, p: int, keys: list[tuple[str, str]], own: set[int]) -> bool:
        """A negation at most ``negation_window`` words before position p, in the same clause."""
        for i in range(p - 1, max(0, p - self.window) - 1, -1):
            if keys[i][0] in self.negation_stops:
                return False     # a new clause: "geen plas maar grote boodschap"
            if keys[i][0] in self.negations and i not in own:
                return True
        return False

    def category(self, name: str) -> Category:
        return next(c for c in self.categories if c.name == name)

    def about_the_body(self, words: list[str]) -> bool:
        return any(self._stem(w) in self.body_words for w in words)

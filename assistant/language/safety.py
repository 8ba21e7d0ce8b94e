"""The safety layer: red-flag symptoms by category, checked before anything else. Pure.

A sign is a few word groups that must all occur in what was said (compared by stem, so "plas",
"plassen" and "geplast" are one), unless a negation stands just before one of its words ("geen pijn
meer") in the same clause ("geen plas maar ontlasting" is about ontlasting). The categories, their
signs and referral sentences are data in prompts/safety.toml.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from assistant.errors import UserError
from assistant.language.words import Stems


@dataclass(frozen=True)
class Sign:
    groups: tuple[frozenset[str], ...]   # each group: stems (or "=word" for the word as said), any will do
    text: str                            # as written in the prompts file, for the log
    unless: frozenset[str] = frozenset()  # ("!a|b") none of these in the sign's clause


@dataclass(frozen=True)
class Category:
    name: str
    referral: str
    urgent: bool
    signs: tuple[Sign, ...]
    located: bool    # its signs are of one place in the body, so a knee or a tooth is not meant


@dataclass(frozen=True)
class _Said:
    keys: list[tuple[str, str]]      # (stem, "=" + word) per word, harmless phrases taken out
    where: dict[str, list[int]]      # stem or "=word" -> its positions in keys
    clause: list[int]                # position -> clause number


@dataclass(frozen=True)
class RedFlag:
    category: Category
    sign: Sign


class SafetyLayer:
    def __init__(self, data: dict, stems: Stems) -> None:
        self._stem = stems.key
        self.negations = frozenset(self._stem(w) for w in data["negations"])
        self.negation_words = frozenset(data["negations"])
        self.window = data["negation_window"]
        self.negation_stops = frozenset(self._stem(w) for w in data["negation_stops"])
        self.negation_transparent = frozenset(self._stem(w) for w in data["negation_transparent"])
        self.clause_stops = frozenset(self._stem(w) for w in data["clause_stops"])
        self.clause_stops_not_after = frozenset(self._stem(w) for w in data["clause_stops_not_after"])
        self.not_about_me = frozenset(self._stem(w) for w in data["not_about_me"])
        self.elsewhere = frozenset(self._stem(w) for w in data["elsewhere"])
        self.pelvic = frozenset(self._stem(w) for w in data["pelvic"])
        self.others = frozenset(self._stem(w) for w in data["others"])
        self.first_person = frozenset(self._stem(w) for w in data["first_person"])
        self.exercising = frozenset(self._stem(w) for w in data["exercising"])
        self.general_questions = self._phrases(data["general_questions"])
        self.personal = frozenset(self._stem(w) for w in data["personal"]) | self.first_person | self.others
        self.long_ago, self.resolved, self.resolved_now, self.still, self.still_voided_by, self.fine, self.denied_after = (
            self._phrases(data[name]) for name in ("long_ago", "resolved", "resolved_now", "still", "still_voided_by",
                                                   "fine", "denied_after"))
        self.denied_window = data["denied_window"]
        self.fine_not_after = self.negations | {self._stem(w) for w in data["fine_not_after"]}
        self.fine_not_before = frozenset(self._stem(w) for w in data["fine_not_before"])
        self._negated_not = self.fine + self._phrases(data["negated_qualities"])
        self.denied_after_verbs = frozenset(self._stem(w) for w in data["denied_after_verbs"])
        self.denied_after_not_before = frozenset(self._stem(w) for w in data["denied_after_not_before"])
        self.past = frozenset(self._stem(w) for w in data["past"])
        self.harmless = sorted((tuple(self._stem(w) for w in p.split()) for p in data["harmless"]), key=len,
                               reverse=True)
        self.body_words = frozenset(self._stem(w) for w in data["body_words"])
        self.body_answer = data["body_answer"]
        self.session_phrases = tuple(data["session_phrases"])
        self._last: tuple[list[str], _Said] | None = None
        self.categories = tuple(
            Category(name, spec["referral"], spec["urgent"], tuple(self._sign(s) for s in spec["signs"]),
                     spec.get("located", False))
            for name, spec in data["categories"].items())
        # Which signs may stand, by a word of their smallest group (a sign needs every group): an
        # utterance holds the words of a few of the 170-odd signs, and trying each sign on each
        # utterance took a quarter of all the understanding's time.
        self._by_token: dict[str, list[tuple[int, int]]] = {}
        for c, category in enumerate(self.categories):
            for s, sign in enumerate(category.signs):
                if not sign.groups:
                    raise UserError(f"Het tekstbestand safety.toml klopt niet: het teken '{sign.text}' van "
                                    f"'{category.name}' heeft geen woord om naar te luisteren, alleen woorden met '!'.",
                                    f"sign {sign.text!r} of {category.name!r} has only 'unless' words")
                for token in min(sign.groups, key=len):
                    self._by_token.setdefault(token, []).append((c, s))

    def _phrases(self, texts: list[str]) -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(self._stem(w) for w in text.split()) for text in texts)

    def _sign(self, text: str) -> Sign:
        def tokens(group: str) -> frozenset[str]:
            return frozenset(w if w.startswith("=") else self._stem(w) for w in group.split("|"))
        parts = text.split()
        return Sign(tuple(tokens(g) for g in parts if not g.startswith("!")), text,
                    frozenset().union(*(tokens(g[1:]) for g in parts if g.startswith("!"))))

    def check(self, words: list[str]) -> RedFlag | None:
        """The first red flag among the (folded) ``words``, or None."""
        said = self._said(words)
        excuse: bool | str | None = None    # read only once a sign is found: most utterances hold none
        elsewhere = None                    # a located category once the excuse says "elsewhere"
        for category, sign in self._candidates(said):
            if category is not elsewhere and self._present(sign, said):
                if excuse is None:
                    excuse = self._excuse(said)
                if excuse is True:
                    return None
                if excuse == "elsewhere" and category.located:
                    elsewhere = category
                    continue
                return RedFlag(category, sign)
        return None

    def _candidates(self, said: _Said) -> list[tuple[Category, Sign]]:
        """The signs one of whose words was said, in the order of the prompts file (the first
        that stands is the one referred)."""
        found = {pair for token in said.where for pair in self._by_token.get(token, ())}
        return [(self.categories[c], self.categories[c].signs[s]) for c, s in sorted(found)]

    def excused(self, words: list[str], name: str, for_someone: bool = False) -> bool:
        """Whether what was said cannot be a red flag of category ``name``, whatever its words:
        for a red flag guessed by the classifier ("de kat drinkt de hele dag en heeft zoveel dorst").
        ``for_someone``: told of someone else, who may be the patient; only the other excuses count
        ("mijn man heeft pijn in zijn knie" is still not this coach's to refer)."""
        excuse = self._excuse(self._said(words), others=not for_someone)
        return excuse is True or (excuse == "elsewhere" and self.category(name).located)

    def _excuse(self, said: _Said, others: bool = True) -> bool | str:
        """True when nothing said can be a red flag; "elsewhere" when no located one can be."""
        stems = {stem for stem, _ in said.keys}
        if self.not_about_me & stems:
            return True
        in_order = tuple(stem for stem, _ in said.keys)
        if not self.personal & stems and any(in_order[:len(p)] == p for p in self.general_questions):
            return True   # "wat is een katheter eigenlijk": asked of no one in particular
        if others and self._about_others(said):
            return True   # "mijn dochter is zwanger": about someone else
        if self._over(said):
            return True   # "vorig jaar had ik een blaasontsteking maar die is genezen"
        # "mijn knie doet zeer", "een bult op mijn voorhoofd", "mijn tandvlees bloedt"
        return "elsewhere" if self.elsewhere & stems and not self.pelvic & stems else False

    def for_someone(self, words: list[str]) -> bool:
        """Whether a sign stands, not negated and not over, in a sentence about someone else
        ("mijn vrouw zegt dat haar plas rood is", "onze moeder kan sinds gisteren niet plassen"): a
        partner or a carer may be speaking for the patient. The signs alone excuse it ("mijn
        kleinzoon heeft koorts"); the classifier, which has heard both, may still refer it."""
        said = self._said(words)
        stems = {stem for stem, _ in said.keys}
        if not self._about_others(said) or self.not_about_me & stems or self._over(said):
            return False
        return any(self._present(sign, said) for _, sign in self._candidates(said))

    def _about_others(self, said: _Said) -> bool:
        """Whether someone else is spoken of, and neither the speaker nor someone who does the
        exercises ("mijn moeder doet deze oefeningen en haar plas is rood"; not "maar ze doet geen
        oefeningen")."""
        stems = [stem for stem, _ in said.keys]
        exercises = any(stem in self.exercising and not self._negated(i, said.keys, set())
                        for i, stem in enumerate(stems))
        return bool(self.others & set(stems)) and not self.first_person & set(stems) and not exercises

    def over(self, words: list[str]) -> bool:
        """Whether what was said is of a complaint that is over ("mijn prostaat is twee jaar
        geleden weggehaald"): no red flag, but the rest may be a question like any other."""
        return self._over(self._said(words))

    def sign_stems(self, words: list[str], sign: Sign) -> set[str]:
        """The stems of the (folded) ``words`` that belong to one of the sign's word groups, read
        as ``check`` read them (the same reading, kept from that call)."""
        return {stem for stem, word in self._said(words).keys
                if any(stem in group or word in group for group in sign.groups)}

    def mentions(self, words: list[str]) -> bool:
        """Whether a sign is spoken of at all, negated or about someone else included: "ik heb
        geen pijn meer bij het plassen" is no red flag, and no question to guess at either."""
        said = self._said(words)
        return any(self._present(sign, said, heed_negation=False) for _, sign in self._candidates(said))

    def _said(self, words: list[str]) -> _Said:
        """``words`` as stems and as said, harmless phrases ("bloed geven") taken out, with where
        each stands and in which clause. The last one is remembered: a red flag the classifier
        guesses is read by ``check``, ``mentions`` and ``excused`` in turn."""
        said_before = self._last
        if said_before is not None and said_before[0] == words:
            return said_before[1]
        said = self._read(words)
        self._last = (list(words), said)
        return said

    def _read(self, words: list[str]) -> _Said:
        keys = [(self._stem(w), "=" + w) for w in words]
        present = {stem for stem, _ in keys}
        for phrase in self.harmless:
            if phrase[0] not in present:
                continue
            n = len(phrase)
            i = 0
            while i + n <= len(keys):
                if tuple(k for k, _ in keys[i:i + n]) == phrase:
                    del keys[i:i + n]
                else:
                    i += 1
        where: dict[str, list[int]] = {}
        clause, n = [], 0
        for i, (stem, word) in enumerate(keys):
            where.setdefault(stem, []).append(i)
            where.setdefault(word, []).append(i)
            # "maar" opens a clause and belongs to it: "er komt maar een druppel"; not "nog maar" (only)
            n += stem in self.clause_stops and (i == 0 or keys[i - 1][0] not in self.clause_stops_not_after)
            clause.append(n)
        return _Said(keys, where, clause)

    def _over(self, said: _Said) -> bool:
        """Whether what was said is of a complaint that is over: long ago ("twee jaar geleden",
        "vroeger") or, told in the past, healed ("die is genezen", "is helemaal weg"); and nothing
        says it is back or still there ("nu", "weer", "nog steeds", "sinds")."""
        stems = [stem for stem, _ in said.keys]
        if any(not self._voided(stems, i, i + len(p)) for p in self.still for i in _starts(stems, p)):
            return False
        if any(_starts(stems, p) for p in self.long_ago):
            return True
        if self._said_unnegated(stems, self.resolved_now):
            return True   # "het branden bij het plassen is helemaal over"
        if not self.past & set(stems):
            return False     # "mijn straal is weg": not a complaint that was
        return self._said_unnegated(stems, self.resolved)

    def _said_unnegated(self, stems: list[str], phrases: tuple[tuple[str, ...], ...]) -> bool:
        """Whether one of ``phrases`` is said, not just after a negation ("niet helemaal over")."""
        return any(i == 0 or stems[i - 1] not in self.negations for p in phrases for i in _starts(stems, p))

    def _voided(self, stems: list[str], start: int, end: int) -> bool:
        """Whether a phrase that says the complaint is still there (``stems[start:end]``) begins one
        that says it is not, or is followed by one within `negation_window` + 1 words: "maar nu al
        jaren niet meer", "nu gaat het weer goed"."""
        return any(start <= i <= end + self.window for p in self.still_voided_by for i in _starts(stems, p))

    def _present(self, sign: Sign, said: _Said, heed_negation: bool = True) -> bool:
        """Whether every group of the sign is said, in one clause ("hoe komt het dat er urine
        uitloopt terwijl ik niet hoef" is no "er komt niets uit") that holds none of its "unless"
        words ("ik kan mijn plas niet ophouden" is no "ik kan niet plassen"), and, if heeded, with
        no negation just before it."""
        found = []
        for group in sign.groups:
            positions = sorted({i for token in group for i in said.where.get(token, ())})
            if not positions:
                return False
            found.append(positions)
        own = set().union(*found)
        spoilers = {said.clause[i] for token in sign.unless for i in said.where.get(token, ())}
        for chosen in itertools.product(*found):
            if len(clauses := {said.clause[p] for p in chosen}) > 1 or clauses & spoilers:
                continue
            if not heed_negation:
                return True
            end = max(chosen)
            if (not any(self._negated(p, said.keys, own) or self._denied_just_after(p, said) for p in chosen)
                    # said to be fine: "mijn plas ruikt gewoon normaal", not "is dat normaal of niet"
                    and not self._said_after(end, said, self.fine, self.window, self.fine_not_before)
                    # put first, then denied: "pijn bij het plassen heb ik niet"
                    and not self._said_after(end, said, self.denied_after, self.denied_window)):
                return True
        return False

    def _said_after(self, p: int, said: _Said, phrases: tuple[tuple[str, ...], ...], window: int,
                    not_before: frozenset[str] = frozenset()) -> bool:
        """Whether one of ``phrases`` begins at most ``window`` words after position p, in its
        clause, not just after a negation, a comparison or a question ("ruikt niet normaal", "vaker
        dan normaal", "is dat normaal", "het prikt, dat had ik nooit") nor just before a word of
        ``not_before``."""
        stems = [stem for stem, _ in said.keys]
        return any(p < i <= p + window and said.clause[i] == said.clause[p]
                   and stems[i - 1] not in self.fine_not_after
                   and (i + len(phrase) >= len(stems) or stems[i + len(phrase)] not in not_before)
                   for phrase in phrases for i in _starts(stems, phrase))

    def _denied_just_after(self, p: int, said: _Said) -> bool:
        """A sensation told as a verb and a negation at most two words after it, in its clause, not
        before a word that keeps the complaint: "het brandt niet", "ruikt ook niet vies", not "het
        brandt niet alleen bij het plassen"."""
        keys = said.keys
        if keys[p][0] not in self.denied_after_verbs:
            return False
        for i in range(p + 1, min(p + 3, len(keys))):
            if said.clause[i] != said.clause[p] or keys[i][0] in self.negation_stops:
                return False
            if keys[i][0] in self.negations:
                return not (i + 1 < len(keys) and keys[i + 1][0] in self.denied_after_not_before
                            or self._negates_a_quality(i, keys))   # "ruikt niet goed"
        return False

    def _negated(self, p: int, keys: list[tuple[str, str]], own: set[int]) -> bool:
        """A negation at most ``negation_window`` words before position p, in the same clause; the
        words of `negation_transparent` are not counted ("geen last meer van branden")."""
        counted = 0
        for i in range(p - 1, -1, -1):
            if keys[i][0] not in self.negation_transparent:
                counted += 1
                if counted > self.window:
                    return False
            if keys[i][0] in self.negation_stops:
                return False     # a new clause: "geen plas maar grote boodschap"
            if keys[i][0] in self.negations and i not in own:
                if self._negates_a_quality(i, keys):
                    continue     # "niet normaal", "niet goed": it negates the "fine" or the quality, and
                                 # so tells of a complaint
                return True
        return False

    def _negates_a_quality(self, i: int, keys: list[tuple[str, str]]) -> bool:
        """Whether the negation at position i stands just before a "fine" phrase or a quality."""
        return any(tuple(k for k, _ in keys[i + 1:i + 1 + len(f)]) == f for f in self._negated_not)

    def category(self, name: str) -> Category:
        return next(c for c in self.categories if c.name == name)

    def about_the_body(self, words: list[str]) -> bool:
        return any(self._stem(w) in self.body_words for w in words)


def _starts(stems: list[str], phrase: tuple[str, ...]) -> list[int]:
    """Where ``phrase`` begins in ``stems``."""
    n, first = len(phrase), phrase[0]
    return [i for i, stem in enumerate(stems[:len(stems) - n + 1])
            if stem == first and tuple(stems[i:i + n]) == phrase]

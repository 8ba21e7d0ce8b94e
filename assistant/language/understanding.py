"""Understanding: a transcript in, an intent out. A pure function of the text and prompts/.

Phrases are hassil templates (Home Assistant's format). Every sentence they allow is listed once
with hassil's sampler; a transcript is cleaned the way the recogniser's output needs (fillers,
split compounds, digits, a misheard word) and matched to the nearest known sentence with rapidfuzz.
Below a fixed similarity cutoff, or when two different intents are nearly as close, we ask the
user to rephrase rather than guess: a wrong answer to a medical question is worse than none.
"""

from __future__ import annotations

import enum
import hashlib
import json
import logging
import math
import os
import pickle
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from hassil import Intents
from hassil.sample import sample_intents
from rapidfuzz import fuzz, process

from assistant import paths, prompts

log = logging.getLogger(__name__)

ACTIONS = ("start", "stop", "pause", "resume", "repeat", "help", "status", "slower", "faster")



class Kind(enum.StrEnum):
    """What an utterance was understood as (also the label kinds of the sentence table)."""
    COMMAND = "command"        # do something now: start, stop, pause, ...
    QUESTION = "question"      # a question the leaflet answers
    SAFETY = "safety"          # a symptom: the huisarts, never exercise advice
    MORE = "more"              # "vertel meer"
    PROGRAMME = "programme"    # a question about the user's own programme
    REPLY = "reply"            # a short reply: yes/no, the reminder words
    OOD = "ood"                # outside the exercises
    UNCLEAR = "unclear"        # not understood well enough: ask again
    EMPTY = "empty"            # nothing but fillers


COMMAND, QUESTION, OUT_OF_DOMAIN, MORE = Kind.COMMAND, Kind.QUESTION, Kind.OOD, Kind.MORE
PROGRAMME, REPLY = Kind.PROGRAMME, Kind.REPLY


@dataclass(frozen=True)
class Understood:
    text: str                 # what was heard
    kind: Kind
    intent: str | None        # intent name (a command's intent is its action name)
    action: str | None        # one of ACTIONS, or None
    answer: str               # what would be spoken
    score: float              # similarity of the nearest known sentence, 0-100
    matched: str = ""         # that sentence

    def as_json(self) -> dict:
        return {"text": self.text, "intent": self.intent, "action": self.action,
                "answer": self.answer, "score": round(self.score, 1), "kind": self.kind}


def _accent_table() -> dict[int, str]:
    table = {}
    for code in range(0xC0, 0x250):
        base = "".join(c for c in unicodedata.normalize("NFKD", chr(code)) if not unicodedata.combining(c))
        if base != chr(code):
            table[code] = base
    table[ord("'")] = ""
    table[ord("’")] = ""
    return table


_ACCENTS = _accent_table()
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lowercase, accents off (vosk may write één or een), punctuation to spaces."""
    return " ".join(_NOT_WORD.split(text.lower().translate(_ACCENTS))).strip()


def _templates_to_sentences(name: str, templates: list[str], rules: dict, lists: dict | None = None) -> list[str]:
    data = {
        "language": "nl",
        "intents": {name: {"data": [{"sentences": templates}]}},
        "expansion_rules": rules,
        "lists": {k: {"values": v} for k, v in (lists or {}).items()},
    }
    return sorted({fold(s) for _, s in sample_intents(Intents.from_dict(data))})


def _words_in(data) -> set[str]:
    """Every word in the strings of a parsed prompts file."""
    if isinstance(data, str):
        return set(fold(re.sub(r"[{}<>\[\]()|]", " ", data)).split())
    if isinstance(data, dict):
        data = list(data.values())
    if isinstance(data, list):
        return set().union(*(_words_in(x) for x in data)) if data else set()
    return set()


@dataclass(frozen=True)
class Compiled:
    """Everything derived from prompts/ once (and cached on disk): the matcher's tables."""
    table: list[tuple[str, Kind, str]]           # (folded sentence, kind, name): one source for all
    exact: dict[str, tuple[Kind, str]]           # a sentence one intent alone spells out
    vocabulary: set[str]                         # every word of every known sentence
    long_words: list[str]                        # candidates for spelling correction
    protected: set[str]                          # words the program itself uses: never "corrected"
    weights: dict[str, float]                    # word -> weight (inverse intent frequency)
    stopwords: set[str]
    postings: dict[str, np.ndarray]              # word -> ids of the sentences that hold it
    sentence_weight: np.ndarray                  # id -> summed weight of its words


def _compile(commands: dict, faq: dict, coach: dict, cfg: dict, programme: dict) -> Compiled:
    """Everything derived from prompts/: the sentence table, word weights and the index."""
    # (folded sentence, kind, name); one source for matcher, vocabulary and tests.
    table: list[tuple[str, Kind, str]] = []
    for action, spec in commands["commands"].items():
        for s in _templates_to_sentences(action, spec["sentences"], commands["expansion_rules"]):
            table.append((s, COMMAND, action))
    for name, spec in faq["intents"].items():
        for s in _templates_to_sentences(name, spec["sentences"], faq["expansion_rules"]):
            table.append((s, QUESTION, name))
    ood = cfg["out_of_domain"]
    for s in _templates_to_sentences("ood", ood["sentences"], {}, ood.get("lists")):
        table.append((s, OUT_OF_DOMAIN, "ood"))
    for s in _templates_to_sentences("more", cfg["dialog"]["more_sentences"], {}):
        table.append((s, MORE, "more"))
    for name, spec in programme["intents"].items():
        for s in _templates_to_sentences(name, spec["sentences"], programme["expansion_rules"]):
            table.append((s, PROGRAMME, name))
    # Spoken clock times for "herinner mij om ..." (the exact time is parsed by reminders.parse_time).
    clock = programme["words"]
    time_words = [form.format(hour=h) for form in clock["clock_times"] for h in clock["hours"]]
    replies = {f"reminder_{k}": v for k, v in programme["reminders"]["sentences"].items()}
    replies.update(yes=programme["progression"]["yes"], no=programme["progression"]["no"])
    for name, templates in replies.items():
        for s in _templates_to_sentences(name, templates, {}, {"tijd": time_words}):
            table.append((s, REPLY, name))

    labels_of_sentence: dict[str, set[tuple[Kind, str]]] = {}
    labels_of_word: dict[str, set[tuple[Kind, str]]] = {}
    for sentence, kind, name in table:
        labels_of_sentence.setdefault(sentence, set()).add((kind, name))
        for w in sentence.split():
            labels_of_word.setdefault(w, set()).add((kind, name))

    # Word weights: the fewer intents use a word, the more it says (an inverse document frequency
    # over intents); stop words weigh nothing, a few meaning-changing words are set by hand.
    m = cfg["matching"]
    stopwords = {fold(w) for w in m["stopwords"]}
    boost = {fold(k): v for k, v in m["boost"].items()}
    n_labels = len({(k, n) for _, k, n in table})
    weights = {w: 0.0 if w in stopwords else boost.get(w, max(0.1, math.log(n_labels / len(labels))))
               for w, labels in labels_of_word.items()}

    postings: dict[str, list[int]] = {}
    sentence_weight = np.zeros(len(table), dtype=np.float64)
    for i, (sentence, _, _) in enumerate(table):
        for w in set(sentence.split()):
            postings.setdefault(w, []).append(i)
            sentence_weight[i] += weights[w]

    vocabulary = set(labels_of_word)
    return Compiled(
        table=table,
        # A sentence a template spells out exactly, for one intent only, needs no guessing.
        exact={s: next(iter(ls)) for s, ls in labels_of_sentence.items() if len(ls) == 1},
        vocabulary=vocabulary,
        long_words=sorted(w for w in vocabulary if len(w) >= 4),
        protected=_words_in(coach) | _words_in(faq) | _words_in(commands),
        weights=weights,
        stopwords=stopwords,
        postings={w: np.asarray(ids, dtype=np.int32) for w, ids in postings.items()},
        sentence_weight=sentence_weight,
    )


def _cached(sources: tuple, cache_dir: Path | None, build: Callable[[], Compiled]) -> Compiled:
    """``build()``, kept on disk under a digest of the prompts, this module's code and the
    library versions: a change to any of them builds anew, with no version to bump by hand."""
    import hassil

    code = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    key = json.dumps([code, getattr(hassil, "__version__", ""), np.__version__, sources],
                     sort_keys=True, ensure_ascii=False, default=str)
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]
    path = (cache_dir or paths.cache_dir()) / "understanding" / f"{digest}.pickle"
    try:
        with open(path, "rb") as f:
            cached = pickle.load(f)
        if isinstance(cached, Compiled):
            return cached
        log.warning("understanding cache %s holds something else; rebuilding", path)
    except FileNotFoundError:
        pass
    except Exception as err:  # a damaged cache is rebuilt, never fatal
        log.warning("understanding cache %s unreadable (%r); rebuilding", path, err)
    state = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            pickle.dump(state, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError as err:
        log.info("could not write understanding cache %s: %r", path, err)
    return state


class Understanding:
    def __init__(self, directory: Path | None = None, cache_dir: Path | None = None) -> None:
        commands = prompts.load("commands", directory)
        faq = prompts.load("faq", directory)
        coach = prompts.load("coach", directory)
        programme = prompts.load("programme", directory)
        self.config = cfg = prompts.load("understanding", directory)
        self.commands = commands["commands"]
        self.faq = faq["intents"]
        m = cfg["matching"]
        self.cutoff, self.margin, self.spelling_cutoff = m["cutoff"], m["margin"], m["spelling_cutoff"]
        self.command_recall = m["command_recall"]
        self._unknown_weight = m["unknown_weight"]
        self._recall_weight = m["recall_weight"]
        self._spelling_min_length = m["spelling_min_length"]
        norm = cfg["normalise"]
        self._fillers = {fold(w) for w in norm["fillers"]}
        self._numbers = norm["numbers"]
        self._question_starts = [fold(s).split() for s in cfg["question"]["starts"]]
        self._requests = [fold(s).split() for s in cfg["question"]["requests"]]
        self._safety_words = {fold(w) for w in cfg["safety"]["words"]}
        sources = (commands, faq, coach, cfg, programme)
        c = _cached(sources, cache_dir, lambda: _compile(*sources))
        self.compiled = c
        self.table, self.vocabulary, self.weights = c.table, c.vocabulary, c.weights
        self._exact, self._long_words, self._protected = c.exact, c.long_words, c.protected
        self._stopwords, self._postings, self._sentence_weight = c.stopwords, c.postings, c.sentence_weight

    def weight(self, word: str) -> float:
        if word in self._stopwords:
            return 0.0
        return self.weights.get(word, self._unknown_weight)

    # -- cleaning what the recogniser heard ------------------------------------------------------
    def normalise(self, text: str) -> str:
        words = [self._numbers.get(w, w) for w in fold(text).split() if w not in self._fillers]
        words = self._join_compounds(words)
        return " ".join(self._correct(w) for w in words)

    def _join_compounds(self, words: list[str]) -> list[str]:
        """'bekken bodem spieren' -> 'bekkenbodemspieren' when the joined word is a known one."""
        out, i = [], 0
        while i < len(words):
            for n in (3, 2):
                joined = "".join(words[i:i + n])
                if i + n <= len(words) and joined in self.vocabulary:
                    out.append(joined)
                    i += n
                    break
            else:
                out.append(words[i])
                i += 1
        return out

    def _correct(self, word: str) -> str:
        """A misheard or mistyped word becomes the nearest known word, when it is close enough."""
        if word in self.vocabulary or len(word) < self._spelling_min_length or word in self._protected:
            return word
        best = process.extractOne(word, self._long_words, scorer=fuzz.ratio, score_cutoff=self.spelling_cutoff)
        return best[0] if best else word

    def _starts_with(self, words: list[str], patterns: list[list[str]]) -> bool:
        return any(words[: len(p)] == p for p in patterns)

    def is_question(self, normalised: str) -> bool:
        words = normalised.split()
        return self._starts_with(words, self._question_starts) and not self._starts_with(words, self._requests)

    def mentions_symptom(self, normalised: str) -> bool:
        return any(w in self._safety_words for w in normalised.split())

    # -- matching --------------------------------------------------------------------------------
    def nearest(self, normalised: str, limit: int = 25) -> list[tuple[str, Kind, str, float]]:
        """The closest known sentences: (sentence, kind, name, score 0-100), best first.

        Score: weighted Dice overlap of the two word sets, 100 * 2|A∩B| / (|A| + |B|) with word
        weights; ties go to the sentence closer in spelling and order (rapidfuzz).
        """
        words = set(normalised.split())
        input_weight = sum(self.weight(w) for w in words)
        known = [w for w in words if w in self._postings and self.weights[w] > 0]
        if input_weight <= 0 or not known:
            return []
        ids = np.concatenate([self._postings[w] for w in known])
        wts = np.concatenate([np.full(self._postings[w].size, self.weights[w]) for w in known])
        overlap = np.bincount(ids, weights=wts, minlength=len(self.table))
        b2 = self._recall_weight
        dice = 100.0 * (1 + b2) * overlap / (b2 * self._sentence_weight + input_weight)
        top = np.argpartition(-dice, min(limit, dice.size - 1))[:limit]
        hits = [(self.table[i][0], self.table[i][1], self.table[i][2], float(dice[i])) for i in top]
        hits.sort(key=lambda h: (-round(h[3], 6), -fuzz.token_sort_ratio(normalised, h[0])))
        return hits

    def _share(self, words: set[str], within: set[str]) -> float:
        """The part of ``words``, by weight, that also stands in ``within``, 0-1."""
        total = sum(self.weight(w) for w in words)
        return sum(self.weight(w) for w in words if w in within) / total if total else 0.0

    def recall(self, normalised: str, sentence: str) -> float:
        """How much of a known sentence (by word weight) the utterance contains, 0-1."""
        return self._share(set(sentence.split()), set(normalised.split()))

    def precision(self, text: str, sentence: str) -> float:
        """How much of the utterance (by word weight, unknown words included) the known sentence
        explains, 0-1: 'gaan we confirmen' is only partly 'we gaan weer'."""
        return self._share(set(self.normalise(text).split()), set(sentence.split()))

    def understand(self, text: str) -> Understood:
        cfg = self.config
        normalised = self.normalise(text)
        if not normalised:
            return Understood(text, Kind.EMPTY, None, None, cfg["unclear"]["answer"], 0.0)
        if self.mentions_symptom(normalised):
            return Understood(text, Kind.SAFETY, cfg["safety"]["intent"], None, cfg["safety"]["answer"], 100.0)

        question = self.is_question(normalised)
        if normalised in self._exact:
            kind, name = self._exact[normalised]
            return self._result(text, kind, name, 100.0, normalised)
        hits = [h for h in self.nearest(normalised)
                if not (question and h[1] == COMMAND and not self.commands[h[2]].get("question_form_ok"))]
        if not hits or hits[0][3] < self.cutoff:
            best = hits[0][3] if hits else 0.0
            return Understood(text, Kind.UNCLEAR, None, None, cfg["unclear"]["answer"], best)
        sentence, kind, name, score = hits[0]
        if kind == COMMAND and self.recall(normalised, sentence) < self.command_recall:
            return Understood(text, Kind.UNCLEAR, None, None, cfg["unclear"]["answer"], score, sentence)
        runner_up = next((h for h in hits if (h[1], h[2]) != (kind, name)), None)
        if runner_up and score - runner_up[3] < self.margin and runner_up[1] != OUT_OF_DOMAIN:
            return Understood(text, Kind.UNCLEAR, None, None, cfg["unclear"]["answer"], score, sentence)
        return self._result(text, kind, name, score, sentence)

    def _result(self, text: str, kind: Kind, name: str, score: float, sentence: str) -> Understood:
        cfg = self.config
        if kind == OUT_OF_DOMAIN:
            return Understood(text, Kind.OOD, None, None, cfg["out_of_domain"]["answer"], score, sentence)
        if kind == MORE:
            return Understood(text, Kind.MORE, "more", None, "", score, sentence)
        if kind in (PROGRAMME, REPLY):
            return Understood(text, kind, name, None, "", score, sentence)
        if kind == COMMAND:
            return Understood(text, Kind.COMMAND, name, name, self.commands[name]["answer"], score, sentence)
        return Understood(text, Kind.QUESTION, name, None, self.faq[name]["answer"], score, sentence)

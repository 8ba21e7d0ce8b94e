"""Understanding: a transcript in, an intent out. A pure function of the text and prompts/.

In order, as the design asks: (1) the safety layer (red flags by category, negation aware);
(2) request frames ("kunt u ...", "zou je ... kunnen", "alsjeblieft") are set aside, so a polite
command in question form is still a command, and a real question never acts (but for "help" and
"status", which change nothing); (3) the nearest known sentence: every hassil template is sampled
once, words are compared by their Dutch stem (PyStemmer), and a weighted word overlap picks the
sentence, unless (4) a classifier taught by the templates and by sentences as patients said them
(classifier.py, prompts/examples.toml, each intent's answer and keywords) clearly names another
intent; when no sentence is close, the classifier decides if it is sure; (5) otherwise we ask to
rephrase, or, when the body is spoken of, point to the huisarts.
A wrong answer to a medical question is worse than "Wilt u het anders zeggen?".
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import itertools
import json
import logging
import math
import os
import re
import sys
import unicodedata
from array import array
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import overload

import numpy as np
from rapidfuzz import fuzz, process

from assistant import cachefile, paths, prompts
from assistant.language import classifier
from assistant.language.safety import RedFlag, SafetyLayer
from assistant.language.words import Stems

log = logging.getLogger(__name__)

ACTIONS = ("start", "stop", "pause", "resume", "repeat", "help", "status", "slower", "faster")


class Kind(enum.StrEnum):
    """What an utterance was understood as (also the label kinds of the sentence table)."""
    COMMAND = "command"        # do something now: start, stop, pause, ...
    QUESTION = "question"      # a question the leaflet answers
    SAFETY = "safety"          # a red flag: the huisarts, never exercise advice
    BODY = "body"              # not understood, but about the body: gently, the huisarts
    MORE = "more"              # "vertel meer"
    PROGRAMME = "programme"    # a question about the user's own programme
    REPLY = "reply"            # a short reply: yes/no, the reminder words
    OOD = "ood"                # outside the exercises
    UNCLEAR = "unclear"        # not understood well enough: ask again
    EMPTY = "empty"            # nothing but fillers


COMMAND, QUESTION, OUT_OF_DOMAIN, MORE = Kind.COMMAND, Kind.QUESTION, Kind.OOD, Kind.MORE
PROGRAMME, REPLY = Kind.PROGRAMME, Kind.REPLY
TAUGHT = (COMMAND, QUESTION, OUT_OF_DOMAIN)    # the kinds prompts/examples.toml has sentences for


@dataclass(frozen=True)
class Understood:
    text: str                 # what was heard
    kind: Kind
    intent: str | None        # intent name (a command's intent is its action name)
    action: str | None        # one of ACTIONS, or None
    answer: str               # what would be spoken
    score: float              # similarity of the nearest known sentence, 0-100
    matched: str = ""         # that sentence
    category: str | None = None   # a red flag's category (prompts/safety.toml)
    urgent: bool = False          # ... that wants a call today

    @property
    def guessed_red_flag(self) -> bool:
        """A red flag the classifier guessed, no sign found: a plasdagboek line ("ik heb net 200
        milliliter geplast") is then noted rather than referred."""
        return self.kind is Kind.SAFETY and not self.matched

    def as_json(self) -> dict:
        return {"text": self.text, "intent": self.intent, "action": self.action,
                "answer": self.answer, "score": round(self.score, 1), "kind": str(self.kind),
                "category": self.category}


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
    from hassil import Intents  # only when the tables are built, not at every start
    from hassil.sample import sample_intents

    data = {
        "language": "nl",
        "intents": {name: {"data": [{"sentences": templates}]}},
        "expansion_rules": rules,
        "lists": {k: {"values": v} for k, v in (lists or {}).items()},
    }
    return sorted({fold(s) for _, s in sample_intents(Intents.from_dict(data))})


def _without_repeats(words: list[str]) -> list[str]:
    """'stop stop' -> 'stop', 'stop even stop even' -> 'stop even': people repeat a command when
    it is not heard at once, and a repeat says nothing new."""
    out = list(words)
    for n in (3, 2, 1):
        i = 0
        while i + 2 * n <= len(out):
            if out[i:i + n] == out[i + n:i + 2 * n]:
                del out[i + n:i + 2 * n]
            else:
                i += 1
    return out


def _strings_in(data) -> list[str]:
    """Every string of a parsed prompts file (or part of one), as written."""
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        data = list(data.values())
    if isinstance(data, list):
        return [s for x in data for s in _strings_in(x)]
    return []


def _words_in(data) -> set[str]:
    """Every word in the strings of a parsed prompts file."""
    return {w for s in _strings_in(data) for w in fold(re.sub(r"[{}<>\[\]()|]", " ", s)).split()}


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


@dataclass(frozen=True)
class Lookup:
    """A read-only map from sentence to label number, kept as two arrays: a dict of 60,000
    strings takes 10 ms to unpickle, these take none. Keys are 64-bit digests; two sentences
    sharing one is a one-in-10^10 chance over the whole table."""
    keys: np.ndarray      # sorted digests, uint64
    values: np.ndarray    # label numbers, int16

    @classmethod
    def of(cls, mapping: dict[str, int]) -> Lookup:
        pairs = sorted((_digest(k), v) for k, v in mapping.items())
        return cls(np.asarray([k for k, _ in pairs], dtype=np.uint64), np.asarray([v for _, v in pairs], dtype=np.int16))

    def get(self, text: str) -> int | None:
        key = np.uint64(_digest(text))
        i = int(np.searchsorted(self.keys, key))
        return int(self.values[i]) if i < self.keys.size and self.keys[i] == key else None


class Lines(Sequence[str]):
    """Many short lines kept as one string and where each begins: unpickling the 80,000 sentences
    as strings took 18 ms of the 200 ms start-up, as one string it takes well under one."""

    def __init__(self, lines: list[str]) -> None:
        self._text = "\n".join(lines)     # a normalised sentence holds no line break
        self._starts = array("q", itertools.accumulate((len(line) + 1 for line in lines), initial=0))

    def __len__(self) -> int:
        return len(self._starts) - 1

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...

    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
            if i < 0:
                raise IndexError("line index out of range")
        return self._text[self._starts[i]:self._starts[i + 1] - 1]   # IndexError past the end

    def __iter__(self) -> Iterator[str]:
        return iter(self._text.split("\n")) if len(self) else iter(())


class Postings:
    """Stem -> the rows of the index whose stems hold it, as one array and a span per stem:
    unpickling 700 small arrays took 5 ms."""

    def __init__(self, lists: dict[str, list[int]]) -> None:
        self._span: dict[str, tuple[int, int]] = {}
        flat: list[int] = []
        for stem, rows in lists.items():
            self._span[stem] = (len(flat), len(flat) + len(rows))
            flat += rows
        self._rows = np.asarray(flat, dtype=np.int32)

    def __contains__(self, stem: object) -> bool:
        return stem in self._span

    def __getitem__(self, stem: str) -> np.ndarray:
        start, end = self._span[stem]
        return self._rows[start:end]


@dataclass(frozen=True)
class Compiled:
    """Everything derived from prompts/ once (and cached on disk): the matcher's tables."""
    # Every sentence the templates allow (folded), and its label: one source for matcher,
    # recogniser grammar and tests. Kept as one string and label numbers: 68,000 tuples of
    # enums take 40 ms to unpickle, and the start-up budget is 200 ms.
    sentences: Lines
    labels: list[tuple[Kind, str]]               # (kind, name), each once
    label_of: np.ndarray                         # sentence id -> index into labels
    exact: Lookup                                # a sentence one intent alone spells out -> label
    exact_keyed: Lookup                          # ... the same, as stems
    vocabulary: set[str]                         # every word of every known sentence
    pairs: frozenset[str]                        # every two words that follow each other in one ("stop maar")
    long_words: list[str]                        # candidates for spelling correction
    protected: set[str]                          # words the program itself uses: never "corrected"
    command_words: set[str]                      # words of the command sentences
    commands_alone: dict[str, str]               # a command sentence of one word -> its command
    sign_slips: dict[str, str]                   # a sign's word with two letters swapped, or d/t -> the word
    weights: dict[str, float]                    # stem -> weight (inverse intent frequency)
    stopwords: set[str]                          # stems that weigh nothing
    postings: Postings                           # stem -> rows of the index whose stems hold it
    shown: np.ndarray                            # row -> id of the sentence that stands for it
    sentence_weight: np.ndarray                  # row -> summed weight of its stems
    classifier: classifier.Model | None = None   # trained on templates and examples.toml
    class_words: dict[str, frozenset[str]] = field(default_factory=dict)  # label -> stems it was taught
    class_idf: dict[str, float] = field(default_factory=dict)  # stem -> how well it tells those labels apart
    known_stems: frozenset[str] = frozenset()    # the stems of `protected`: what the coach's own texts name


def _compile(commands: dict, faq: dict, coach: dict, cfg: dict, programme: dict, safety: dict,
             stems: Stems) -> Compiled:
    """Everything derived from prompts/: the sentence table, word weights and the index."""
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

    keyed = [" ".join(stems.keys(s.split())) for s, _, _ in table]
    labels_of_surface: dict[str, set[tuple[Kind, str]]] = {}
    for s, kind, name in table:
        labels_of_surface.setdefault(s, set()).add((kind, name))
    labels_of_sentence: dict[str, set[tuple[Kind, str]]] = {}
    labels_of_key: dict[str, set[tuple[Kind, str]]] = {}
    for k, (_, kind, name) in zip(keyed, table, strict=True):
        labels_of_sentence.setdefault(k, set()).add((kind, name))
        for w in k.split():
            labels_of_key.setdefault(w, set()).add((kind, name))

    # Word weights: the fewer intents use a word, the more it says (an inverse document frequency
    # over intents); stop words weigh nothing, a few meaning-changing words are set by hand.
    m = cfg["matching"]
    stopwords = {stems.key(fold(w)) for w in m["stopwords"]}
    boost = {stems.key(fold(k)): v for k, v in m["boost"].items()}
    n_labels = len({(k, n) for _, k, n in table})
    weights = {w: 0.0 if w in stopwords else boost.get(w, max(0.1, math.log(n_labels / len(labels))))
               for w, labels in labels_of_key.items()}

    # The index holds each set of stems once per label, with one sentence to show for it: the
    # 34,000 reminder times and a template's word orders collapse, and the search is twice as fast.
    first_of: dict[tuple[frozenset[str], str, str], int] = {}
    for i, (k, (_, kind, name)) in enumerate(zip(keyed, table, strict=True)):
        first_of.setdefault((frozenset(k.split()), kind, name), i)
    shown = sorted(first_of.values())
    postings: dict[str, list[int]] = {}
    sentence_weight = np.zeros(len(shown), dtype=np.float64)
    for row, i in enumerate(shown):
        for w in set(keyed[i].split()):
            postings.setdefault(w, []).append(row)
            sentence_weight[row] += weights[w]

    # The signs' words are known words too, so that a recogniser's "ka theter" joins into one. No
    # misheard word is corrected into one of them, though: "bloemen" became "bloeden", "zanger" "zwanger".
    said = {w for s, _, _ in table for w in s.split()}
    signs = {w.lstrip("=") for c in safety["categories"].values() for sign in c["signs"]
             for group in sign.split() for w in group.split("|")}
    vocabulary = said | signs
    # ... except for the two slips a recogniser or a hurried typist makes most, which turn no
    # sign's word into another word: two letters swapped ("koorst", "zwnager") and a final d for
    # t or t for d ("dorsd", "bloet"). Not into a negation ("als ze niest" is no "niets"), and
    # no swap in a short word.
    slips: dict[str, str] = {}
    for word in sorted(signs - set(safety["negations"])):
        if len(word) < 5 or not word.isalpha():
            continue
        variants = {word[:-1] + {"d": "t", "t": "d"}.get(word[-1], word[-1])}
        if len(word) >= 6:
            variants |= {word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1)}
        for v in variants - vocabulary - {word}:
            slips.setdefault(v, word)
    alone: dict[str, set[str]] = {}
    for s, kind, name in table:
        if kind is COMMAND and " " not in s:
            alone.setdefault(s, set()).add(name)
    labels = sorted({(kind, name) for _, kind, name in table})
    index = {label: i for i, label in enumerate(labels)}
    protected = _words_in(coach) | _words_in(faq) | _words_in(commands) | _words_in(safety)
    return Compiled(
        sentences=Lines([s for s, _, _ in table]),
        labels=labels,
        label_of=np.asarray([index[(kind, name)] for _, kind, name in table], dtype=np.int16),
        exact=Lookup.of({s: index[next(iter(ls))] for s, ls in labels_of_surface.items() if len(ls) == 1}),
        exact_keyed=Lookup.of({s: index[next(iter(ls))] for s, ls in labels_of_sentence.items() if len(ls) == 1}),
        vocabulary=vocabulary,
        pairs=frozenset(f"{a} {b}" for s, _, _ in table for a, b in itertools.pairwise(s.split())),
        long_words=sorted(w for w in said if len(w) >= 4),
        protected=protected,
        known_stems=frozenset(stems.key(w) for w in protected),
        command_words={w for s, kind, _ in table if kind is COMMAND for w in s.split()},
        commands_alone={s: names.pop() for s, names in alone.items() if len(names) == 1},
        sign_slips=slips,
        weights=weights,
        stopwords=stopwords,
        postings=Postings(postings),
        shown=np.asarray(shown, dtype=np.int32),
        sentence_weight=sentence_weight,
    )


def _class_idf(taught: dict[str, frozenset[str]], stopwords: set[str]) -> dict[str, float]:
    """How much a stem tells the classifier's labels apart: few labels taught it, much."""
    counts: dict[str, int] = {}
    for stems in taught.values():
        for key in stems:
            counts[key] = counts.get(key, 0) + 1
    return {key: 0.0 if key in stopwords else math.log(len(taught) / m) for key, m in counts.items()}


def _cached(sources: tuple, cache_dir: Path | None, build: Callable[[], Compiled],
            on_build: Callable[[], None] | None = None) -> Compiled:
    """``build()``, kept on disk under a digest of the prompts, this package's code and the
    library versions: a change to any of them builds anew, with no version to bump by hand.
    ``on_build`` is called just before a build, which takes the better part of a minute."""
    here = Path(__file__).parent
    # cachefile.py too: tables kept as a plain pickle by an earlier version are written anew with
    # their arrays beside them, to be mapped at every later start.
    code = hashlib.sha256(b"".join((here / f).read_bytes() for f in
                                   ("understanding.py", "words.py", "classifier.py", "../cachefile.py"))).hexdigest()
    key = json.dumps([code, _versions("hassil", "PyStemmer", "scikit-learn"), np.__version__, sources],
                     sort_keys=True, ensure_ascii=False, default=str)
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]
    path = (cache_dir or paths.cache_dir()) / "understanding" / f"{digest}.pickle"
    cached = cachefile.read(path, Compiled)
    if cached is not None:
        return cached
    if on_build is not None:
        on_build()
    state = build()
    if cachefile.write(path, state):
        _forget_old(path)
    return state


def _versions(*names: str) -> list[str]:
    """The installed versions of these distributions, read from their ``.dist-info`` folder names.
    Not ``import hassil`` (50 ms) nor importlib.metadata (20 ms, it parses e-mail headers): the
    whole start-up budget is 200 ms. A folder not found is asked of importlib.metadata after all."""
    wanted = {re.sub(r"[-_.]+", "_", n).lower(): n for n in names}
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            listing = os.listdir(entry or ".")
        except OSError:
            continue
        for folder in listing:
            if folder.endswith(".dist-info") and "-" in folder:
                dist, version = folder[:-len(".dist-info")].rsplit("-", 1)
                dist = re.sub(r"[-_.]+", "_", dist).lower()
                if dist in wanted and dist not in found:
                    found[dist] = version
        if len(found) == len(wanted):
            break
    if len(found) < len(wanted):
        from importlib.metadata import version as installed
        found.update({d: installed(n) for d, n in wanted.items() if d not in found})
    return [f"{wanted[d]} {found[d]}" for d in sorted(wanted)]


def _file_digest(name: str, directory: Path | None) -> str:
    """A digest of prompts/<name>.toml as it lies on disk, for a file only the build reads."""
    try:
        return hashlib.sha256(((directory or paths.prompts_dir()) / f"{name}.toml").read_bytes()).hexdigest()
    except FileNotFoundError:
        prompts.load(name, directory)   # says so in Dutch
        raise


def _forget_old(kept: Path, age: float = 86_400.0) -> None:
    """Remove tables built for earlier prompts or code (10 MB each) once they are a day old; one
    still in use elsewhere is simply built again."""
    import time

    for old in kept.parent.glob("*.pickle"):
        try:
            if old != kept and time.time() - old.stat().st_mtime > age:
                old.unlink()
        except OSError:
            pass


class Understanding:
    def __init__(self, directory: Path | None = None, cache_dir: Path | None = None,
                 on_build: Callable[[], None] | None = None) -> None:
        """``on_build`` is called when the tables are not cached and must be built first (the first
        start after an install or a change to ``prompts/``): the caller can say why she waits."""
        commands = prompts.load("commands", directory)
        faq = prompts.load("faq", directory)
        coach = prompts.load("coach", directory)
        programme = prompts.load("programme", directory)
        safety = prompts.load("safety", directory)
        self.config = cfg = prompts.load("understanding", directory)
        self.commands = commands["commands"]
        self.faq = faq["intents"]
        self.stems = Stems()
        self.safety = SafetyLayer(safety, self.stems)
        m = cfg["matching"]
        self.cutoff, self.margin, self.spelling_cutoff = m["cutoff"], m["margin"], m["spelling_cutoff"]
        self.command_recall = m["command_recall"]
        self.command_min_weight = m["command_min_weight"]
        self.command_precision = m["command_precision"]
        self._unknown_weight = m["unknown_weight"]
        self._recall_weight = m["recall_weight"]
        self._spelling_min_length = m["spelling_min_length"]
        self._alone_cutoff, self._alone_words, self._alone_letters = m["alone_cutoff"], m["alone_words"], m["alone_letters"]
        norm = cfg["normalise"]
        self._fillers = {fold(w) for w in norm["fillers"]}
        self._address = {fold(w) for w in norm["address"]}
        self._address_greetings = {fold(w) for w in norm["address_greetings"]}
        self._address_kept_after = {fold(w) for w in norm["address_kept_after"]}
        self._people = {fold(w) for w in norm["people"] + norm["names"]}
        self._people_before = {fold(w) for w in norm["people_before"]} | self._address_greetings
        self._people_kept_after = {fold(w) for w in norm["people_kept_after"]} | self._address_kept_after
        self._numbers = norm["numbers"]
        self._synonyms = {fold(k): fold(v).split() for k, v in norm["synonyms"].items()}
        self._function_keys = {self.stems.key(fold(w)) for w in norm["function_words"]}
        self._function_weight = norm["function_weight"]
        q = cfg["question"]
        self._question_starts = [fold(s).split() for s in q["starts"]]
        self._not_questions = [fold(s).split() for s in q["not_questions"]]
        self._frames = sorted((fold(s).split() for s in q["request_frames"]), key=len, reverse=True)
        self._frame_tails = {fold(w) for w in q["request_tails"]}
        self._reported = sorted((fold(x).split() for x in q["reported_frames"]), key=len, reverse=True)
        self._reported_tails = sorted((fold(x).split() for x in q["reported_tails"]), key=len, reverse=True)
        self._reported_pronouns = {fold(k): fold(v) for k, v in q["reported_pronouns"].items()}
        k = cfg["classifier"]
        self._class_threshold, self._class_margin = k["threshold"], k["margin"]
        self._class_command_threshold = k["command_threshold"]
        self._class_min_weight = k["min_weight"]
        self._class_sure = k["sure"]
        self._story_words = k["story_words"]
        self._counting = frozenset(fold(w) for w in k["counting"])
        self._story_breaks = frozenset(k["story_breaks"])
        self._class_safety_sure = k["safety_sure"]
        self._class_safety_threshold, self._class_safety_margin = k["safety_threshold"], k["safety_margin"]
        self._class_veto = k["veto"]
        self._class_veto_ood = k["veto_ood"]
        self._class_act_margin = k["act_margin"]
        self._doubt_threshold, self._doubt_margin = k["doubt_threshold"], k["doubt_margin"]
        self._doubt_words = k["doubt_words"]
        self._object_words = frozenset(cfg["matching"]["object_words"])
        self._object_skip = frozenset(cfg["matching"]["object_skip"])
        self._reason_subjects = frozenset(cfg["matching"]["reason_subjects"])
        sources = (commands, faq, coach, cfg, programme, safety)

        def build() -> Compiled:
            tables = _compile(*sources, self.stems)
            self._use(tables)   # the classifier learns from normalised text, which needs the tables
            # examples.toml is 2,000 lines that only training reads: parsing it at every start
            # would cost 20 ms, so the cache key holds its digest and the build parses it.
            model, taught = self._train(tables, prompts.load("examples", directory), k, coach)
            return dataclasses.replace(tables, classifier=model, class_words=taught,
                                       class_idf=_class_idf(taught, tables.stopwords))

        self._near: dict[str, str] = {}
        self._apart: dict[str, list[str] | None] = {}
        self._use(_cached((*sources, _file_digest("examples", directory)), cache_dir, build, on_build))

    def _use(self, c: Compiled) -> None:
        self.compiled = c
        self.vocabulary, self.weights = c.vocabulary, c.weights
        self._known_stems = c.known_stems
        self._class_idf = c.class_idf
        self._commands_alone = list(c.commands_alone)

    def _train(self, c: Compiled, examples: dict, k: dict, coach: dict) -> tuple[classifier.Model, dict[str, frozenset[str]]]:
        """The classifier, from a sample of each label's template sentences, each leaflet intent's
        own answer texts and keywords, the examples as people said them (counted ``example_weight``
        times, a red flag's ``safety_weight`` times) and what the coach says in a session, as out of
        domain; and each label's stems, as taught."""
        samples: list[tuple[str, dict[int, float], float]] = []
        taught: dict[str, set[str]] = {}

        def learn(label: str, words: list[str], weight: float) -> None:
            samples.append((label, self.features(words), weight))
            taught.setdefault(label, set()).update(self.stems.keys(words))

        by_label: dict[int, list[str]] = {}
        for s, label in zip(c.sentences, c.label_of.tolist(), strict=True):
            by_label.setdefault(label, []).append(s)
        for label, sentences in by_label.items():
            name = "{}:{}".format(*c.labels[label])
            for s in classifier.sample(sentences, k["per_label"], name):
                learn(name, s.split(), 1.0)
        for intent, spec in self.faq.items():
            for text in (spec["answer"], spec["more"], " ".join(spec.get("keywords", []))):
                learn(f"question:{intent}", self.normalise(text).split(), 1.0)
        w = k["example_weight"]
        for section, kind in (("questions", "question"), ("commands", "command"), ("safety", "safety")):
            for name, texts in examples[section].items():
                for t in texts:
                    learn(f"{kind}:{name}", self.normalise(t).split(), k["safety_weight"] if kind == "safety" else w)
        for t in examples["out_of_domain"]["sentences"]:
            learn("ood:ood", self.normalise(t).split(), w)
        # The microphone hears the coach: "Laatste ronde." must not sound like asking how far we
        # are. (Not [ready] nor [control.halted]: those hold the patient's own words and commands.)
        # Counted as an example: the microphone really hears them, and counted once, the examples
        # of "start" outweighed "We doen nu de bekkenbodemoefening.".
        for part in (coach["intro"], coach["round"], coach["end"], coach["control"]["during"]):
            for t in _strings_in(part):
                if said := self.normalise(re.sub(r"\{\w+\}", " ", t)).split():   # placeholders left out
                    learn("ood:ood", said, w)
        return classifier.train(samples, k["c"]), {label: frozenset(v) for label, v in taught.items()}

    def features(self, words: list[str]) -> dict[int, float]:
        """The classifier's features of normalised words, the polite frame set aside."""
        core, _ = self.strip_request(words)
        return classifier.features(core, self.stems.key)

    @property
    def table(self) -> list[tuple[str, Kind, str]]:
        """(sentence, kind, name) for every sentence the templates allow."""
        c = self.compiled
        return [(s, *c.labels[i]) for s, i in zip(c.sentences, c.label_of.tolist(), strict=True)]

    def weight(self, key: str) -> float:
        if key in self.compiled.stopwords:
            return 0.0
        if key in self.weights:
            return self.weights[key]
        return self._function_weight if key in self._function_keys else self._unknown_weight

    # -- cleaning what the recogniser heard ------------------------------------------------------
    def normalise(self, text: str) -> str:
        words = [self._numbers.get(w, w) for w in fold(text).split() if w not in self._fillers]
        words = self._join_compounds(self._without_address(words))
        words = [x for w in words for x in self._synonyms.get(w, [w])]
        words = self._reported_as_own(_without_repeats(words))
        return " ".join(self._correct(w) for w in words)

    def _without_address(self, words: list[str]) -> list[str]:
        """'computer pauze' -> 'pauze', 'hallo coach hoe ver ben ik' -> 'hoe ver ben ik', 'ophouden
        coach' -> 'ophouden'; 'jij bent een lieve coach' stays: there the coach is the subject."""
        i = 0
        if len(words) > 2 and words[0] in self._address_greetings and words[1] in self._address:
            i = 2
        elif len(words) > 1 and words[0] in self._address:
            i = 1
        words = words[i:]
        if len(words) > 1 and words[-1] in self._address and words[-2] not in self._address_kept_after:
            words = words[:-1]
        return words

    def _reported_as_own(self, words: list[str]) -> list[str]:
        """'oma vraagt of ze het in haar stoel mag doen' -> 'of ik het in mijn stoel mag doen'."""
        for frame in self._reported:
            if words[: len(frame)] == frame and len(words) > len(frame):
                rest = words[len(frame):]
                break
        else:
            for tail in self._reported_tails:
                if len(words) > len(tail) and words[-len(tail):] == tail:
                    rest = words[: -len(tail)]
                    break
            else:
                return words
        if rest and rest[0] == "of":
            rest = rest[1:]
        return [self._reported_pronouns.get(w, w) for w in rest]

    def _join_compounds(self, words: list[str]) -> list[str]:
        """'bekken bodem spieren' -> 'bekkenbodemspieren' when the joined word is a known one."""
        out, i = [], 0
        while i < len(words):
            for n in (3, 2):
                if i + n > len(words):
                    continue
                joined = "".join(words[i:i + n])
                if len(joined) < 6:
                    continue      # "we er" is not "weer": short words joined are mostly two words
                if joined in self._synonyms:
                    out.append(joined)      # "keizer snee" -> "keizersnee" -> "keizersnede"
                    i += n
                    break
                if joined not in self.vocabulary and n == 2 and not self._both_small(words[i:i + 2]):
                    joined = self._lost_letter(joined)
                if joined in self.vocabulary:
                    out.append(joined)
                    i += n
                    break
            else:
                out.append(words[i])
                i += 1
        return out

    def _both_small(self, pair: list[str]) -> bool:
        """Two function words are two words, not a split one that lost a letter: "ik ben een
        beetje doof" is no "beneden"."""
        return all(self.stems.key(w) in self._function_keys for w in pair)

    def _lost_letter(self, joined: str) -> str:
        """A split that also lost a letter: "snel er" for "sneller". Remembered: the same pairs of
        words come back all the time."""
        if joined not in self._near:
            near = process.extractOne(joined, self.compiled.long_words, scorer=fuzz.ratio, score_cutoff=92)
            self._near[joined] = near[0] if near and len(near[0]) > len(joined) else joined
            if len(self._near) > 50_000:
                self._near.clear()
        return self._near[joined]

    def _run_together(self, word: str) -> list[str] | None:
        """Words a recogniser ran together, "stopmaar", "nogeenkeer", "hoewerktdit", Flemish
        "voortdoen": two or three words of the templates, one of them a function word or a
        command's word, each next to the other somewhere in a template sentence. A Dutch word that
        merely holds known words stays whole: "bloedworst", "kinderen" (no "kind er en": no sentence
        has "kind er"), "aangebrand". On the 32 training batches left out one at a time: 16 more
        lines understood of 7,578, 3 more wrong, one more alarm; without the rule of pairs, "kind er
        en" sounded the pregnancy alarm and "aan ge brand" the body answer."""
        if word not in self._apart:
            vocabulary, c = self.vocabulary, self.compiled
            splits = []
            for i in range(2, len(word) - 1):
                head, tail = word[:i], word[i:]
                if head in vocabulary:
                    splits += [[head, tail]] if tail in vocabulary else []
                    splits += [[head, tail[:j], tail[j:]] for j in range(2, len(tail) - 1)
                               if tail[:j] in vocabulary and tail[j:] in vocabulary]
            fitting = [parts for parts in splits
                       if any(self.stems.key(p) in self._function_keys or p in c.command_words for p in parts)
                       and all(f"{a} {b}" in c.pairs for a, b in itertools.pairwise(parts))]
            # The fewest words, then the longest shortest word: "stop maar", not "st op maar".
            self._apart[word] = min(fitting, key=lambda parts: (len(parts), -min(map(len, parts))), default=None)
            if len(self._apart) > 50_000:
                self._apart.clear()
        return self._apart[word]

    def _correct(self, word: str) -> str:
        """A misheard or mistyped word becomes the nearest known word, when it is close enough."""
        c = self.compiled
        if word in c.vocabulary or len(word) < self._spelling_min_length or word in c.protected or word in self._people:
            return word       # ("lotte, zeg dat nog eens" is said to Lotte, not "lopen")
        if word in c.sign_slips:
            return c.sign_slips[word]
        if self.stems.key(word) in self.weights:
            return word       # another form of a known word: the stem will find it
        if parts := self._run_together(word):
            return " ".join(parts)
        found = [f for f in process.extract(word, c.long_words, scorer=fuzz.ratio, score_cutoff=self.spelling_cutoff,
                                            limit=5)
                 if f[0] not in self.safety.negation_words]    # "als ik niest" is no "als ik niet"
        if not found:
            return word
        # Of equally near words, a command word wins: one letter off "start" is more likely the
        # user's command than "staat".
        top = [w for w, score, _ in found if score == found[0][1]]
        return next((w for w in top if w in c.command_words), top[0])

    def _starts_with(self, words: list[str], patterns: list[list[str]]) -> bool:
        return any(words[: len(p)] == p for p in patterns)

    def strip_request(self, words: list[str]) -> tuple[list[str], bool]:
        """('kunt u iets langzamer tellen alstublieft' ->) the request without its polite frame,
        and whether there was one: a request in question form is still a request."""
        request = False
        for frame in self._frames:
            if words[: len(frame)] == frame and len(words) > len(frame):
                words, request = words[len(frame):], True
                break
        while len(words) > 1 and words[-1] in self._frame_tails:
            words, request = words[:-1], True
        return words, request

    def is_question(self, normalised: str) -> bool:
        return self._asks(*self.strip_request(normalised.split()))

    def _asks(self, core: list[str], request: bool) -> bool:
        """A question, not a request: it starts like one, and not like "wat rustiger tellen"."""
        return (not request and self._starts_with(core, self._question_starts)
                and not self._starts_with(core, self._not_questions))

    # -- matching --------------------------------------------------------------------------------
    def nearest(self, keys: list[str], limit: int = 25) -> list[tuple[str, Kind, str, float]]:
        """The closest known sentences: (sentence, kind, name, score 0-100), best first.

        Score: weighted Dice overlap of the two sets of stems, recall counted ``recall_weight``
        times; ties go to the sentence closer in spelling and order (rapidfuzz).
        """
        c = self.compiled
        words = set(keys)
        input_weight = sum(self.weight(w) for w in words)
        known = [w for w in words if w in c.postings and self.weights[w] > 0]
        if input_weight <= 0 or not known:
            return []
        rows = [c.postings[w] for w in known]
        ids = np.concatenate(rows)
        wts = np.repeat(np.asarray([self.weights[w] for w in known]), [r.size for r in rows])
        overlap = np.bincount(ids, weights=wts, minlength=c.shown.size)
        # Only sentences that share a word can score: rank those, not all 44,000. (Every weight
        # here is above 0; asked of floats, numpy's nonzero is seven times slower than of "> 0".)
        candidates = np.flatnonzero(overlap > 0)
        b2 = self._recall_weight
        dice = 100.0 * (1 + b2) * overlap[candidates] / (b2 * c.sentence_weight[candidates] + input_weight)
        best = np.argpartition(-dice, min(limit, dice.size - 1))[:limit]
        joined = " ".join(keys)
        hits = [(c.sentences[i], *c.labels[c.label_of[i]], float(dice[j]))
                for j, i in zip(best, c.shown[candidates[best]], strict=True)]
        # Spelling breaks a tie, and is asked only where there is one (it took a fifth of the time).
        tied = {score for score, n in Counter(round(h[3], 6) for h in hits).items() if n > 1}
        hits.sort(key=lambda h: (-(score := round(h[3], 6)),
                                 -fuzz.token_sort_ratio(joined, h[0]) if score in tied else 0))
        return hits

    def _share(self, keys: set[str], within: set[str]) -> float:
        """The part of ``keys``, by weight, that also stands in ``within``, 0-1."""
        total = sum(self.weight(w) for w in keys)
        return sum(self.weight(w) for w in keys if w in within) / total if total else 0.0

    def _keys(self, text: str) -> set[str]:
        return set(self.stems.keys(text.split()))

    def _found_weight(self, keys: list[str], sentence: str) -> float:
        """The weight of the sentence's stems that the utterance holds."""
        have = set(keys)
        return sum(self.weight(k) for k in self._keys(sentence) if k in have)

    def recall(self, normalised: str, sentence: str) -> float:
        """How much of a known sentence (by word weight) the utterance contains, 0-1."""
        return self._share(self._keys(sentence), self._keys(normalised))

    def precision(self, text: str, sentence: str) -> float:
        """How much of the utterance (by word weight, unknown words included) the known sentence
        explains, 0-1: 'gaan we confirmen' is only partly 'we gaan weer'."""
        return self._share(self._keys(self.normalise(text)), self._keys(sentence))

    def understand(self, text: str) -> Understood:
        cfg = self.config
        normalised = self.normalise(text)
        words = normalised.split()
        if not words:
            return Understood(text, Kind.EMPTY, None, None, cfg["unclear"]["answer"], 0.0)
        flag = self.safety.check(words)
        if flag is not None and self._doubted(words, flag):
            return Understood(text, Kind.BODY, None, None, self.safety.body_answer, 100.0, flag.sign.text)
        if flag is not None:
            return Understood(text, Kind.SAFETY, cfg["safety"]["intent"], None, flag.category.referral, 100.0,
                              flag.sign.text, category=flag.category.name, urgent=flag.category.urgent)

        core, request = self.strip_request(words)
        question = self._asks(core, request)
        keys = self.stems.keys(core)
        c = self.compiled
        # A sentence a template spells out word for word needs no guessing (nor a question gate:
        # "wat zei je" is written as a request); its stems alone, only outside the question gate.
        for candidate in (normalised, " ".join(core)):
            if (label := c.exact.get(candidate)) is not None:
                kind, name = c.labels[label]
                return self._result(text, kind, name, 100.0, candidate)
        for candidate in (" ".join(self.stems.keys(words)), " ".join(keys)):
            if (label := c.exact_keyed.get(candidate)) is not None:
                kind, name = c.labels[label]
                if not (question and kind is COMMAND and not self.commands[name].get("question_form_ok")):
                    return self._result(text, kind, name, 100.0, candidate)
        # The classifier's view, asked once: it may overrule a loose nearest sentence, and it
        # decides when no sentence is near.
        model = c.classifier
        guess = self._guess(model, core) if model is not None else None
        hits = [h for h in self.nearest(keys)
                if not (question and h[1] == COMMAND and not self.commands[h[2]].get("question_form_ok"))]
        if hits and hits[0][3] >= self.cutoff:
            sentence, kind, name, score = hits[0]
            runner_up = next((h for h in hits if (h[1], h[2]) != (kind, name)), None)
            close = runner_up and score - runner_up[3] < self.margin and runner_up[1] != OUT_OF_DOMAIN
            acts = kind == COMMAND or (kind == REPLY and name.startswith("reminder_"))
            if acts and kind == COMMAND and (self._changes_something_else(name, core) or self._to_someone(words)):
                pass   # "we kunnen verder met de puzzel", "mam, wacht even": said to someone else
            elif acts and (self.recall(" ".join(core), sentence) < self.command_recall
                                    or self._found_weight(keys, sentence) < self.command_min_weight
                                    or (question and self._share(set(keys), self._keys(sentence)) < self.command_precision)):
                pass   # a command (or a reminder setting) needs nearly all of its sentence, and words
                       # that carry meaning: "de les begint om negen uur" set the morning reminder
            elif not close and not (kind in TAUGHT and self._overruled(f"{kind}:{name}", guess)):
                return self._result(text, kind, name, score, sentence)
        best = hits[0][3] if hits else 0.0
        learned = self._classify(text, words, core, question, guess)
        if learned is not None:
            return learned
        if alone := self._sounds_like_a_command(words):
            return self._result(text, COMMAND, self.compiled.commands_alone[alone[0]], alone[1], alone[0])
        if hits and hits[0][1] == OUT_OF_DOMAIN and best >= self.cutoff:
            return self._result(text, OUT_OF_DOMAIN, "ood", best, hits[0][0])
        if self.safety.about_the_body(words):
            return Understood(text, Kind.BODY, None, None, self.safety.body_answer, best)
        return Understood(text, Kind.UNCLEAR, None, None, cfg["unclear"]["answer"], best)

    def _sounds_like_a_command(self, words: list[str]) -> tuple[str, float] | None:
        """The one-word command sentence (and how near) that a word or two no sentence knows
        sound like, misheard or split by the recogniser: "hellep", "hel pe", "hul", "pouze". As
        speech-to-phrase asks "which of the phrases I know was said?", for the shortest phrases
        only, and only once nothing else understood them."""
        joined = "".join(words)
        if len(words) > self._alone_words or len(joined) > self._alone_letters or joined in self.vocabulary:
            return None
        found = process.extractOne(joined, self._commands_alone, scorer=fuzz.ratio, score_cutoff=self._alone_cutoff)
        return (found[0], found[1]) if found else None

    def _changes_something_else(self, name: str, core: list[str]) -> bool:
        """Whether a command that changes the session (start, stop, pause, resume, the tempo) names
        as its object, after "met", "aan" or "naar", a thing no text of the coach knows: "stop maar
        met die muziek" and "we kunnen verder met de puzzel" are said to someone else. "Stop met
        tellen" and "ga door met de volgende" are the coach's, and so is a reason of the user's own
        after the command ("wacht even, ik moet naar de deur"). Not for help, status or repeat, which
        change nothing: "help me met de bediening"."""
        if self.commands[name].get("question_form_ok"):
            return False
        for i, w in enumerate(core[:-1]):
            if i and w in self._reason_subjects:
                return False     # a clause of the user's own begins: the rest is her reason
            if w in self._object_words:
                rest = [x for x in core[i + 1:i + 4] if x not in self._object_skip]
                if rest and self.stems.key(rest[0]) not in self._known_stems:
                    return True
        return False

    def _to_someone(self, words: list[str]) -> bool:
        """Whether the utterance calls someone else in the room by what they are to the user, at its
        start or its end, or in the middle just before a clause of her own: "mam, wacht even", "sorry
        oma, kunt u dat herhalen", "zeg dat nog eens, jochie", "zeg het nog een keer lieverd, ik
        verstond je niet". Not "ik stop voor mijn kleinkind" or "zeg het tegen oma": there the person is what the
        sentence is about."""
        i = 0
        while i < len(words) - 1 and words[i] in self._people_before:
            i += 1
        if len(words) - i > 1 and words[i] in self._people:
            return True
        if any(words[j] in self._people and words[j + 1] in self._reason_subjects
               and words[j - 1] not in self._people_kept_after for j in range(1, len(words) - 1)):
            return True
        return len(words) > 1 and words[-1] in self._people and words[-2] not in self._people_kept_after

    def _doubted(self, words: list[str], flag: RedFlag) -> bool:
        """Whether the classifier, which has also heard the look-alikes ("zijn bloed kookte van
        woede", "de soep is troebel geworden", "mijn peuter heeft koorts"), is so sure that a sign's
        sentence is no red flag that the coach should not sound the alarm. It then still says
        "bespreek het met uw huisarts" (the body answer), never nothing. A word or two alone
        ("uitzakking", "au") is never doubted: there is no sentence around it to tell otherwise. Nor
        is a sign whose words no out-of-domain example held: the classifier's certainty then comes
        from the other words ("er is sprake van macroscopische hematurie", "na de prostatectomie")."""
        model = self.compiled.classifier
        if model is None or len(words) < self._doubt_words or self.safety.negation_words & set(words):
            return False    # a negation may deny the harmless reading: "... en ik heb geen bieten gegeten"
        heard = self.compiled.class_words.get("ood:ood", frozenset())
        if not self.safety.sign_stems(words, flag.sign) & heard:
            return False    # no look-alike it learned held the sign's word: "er is sprake van hematurie"
        label, score, margin = self._guess(model, self.strip_request(words)[0])
        return label == "ood:ood" and score >= self._doubt_threshold and margin >= self._doubt_margin

    def _guess(self, model: classifier.Model, core: list[str]) -> tuple[str, float, float]:
        """The classifier's best label for the utterance, or, for a long one, for its most telling
        tail from a clause on: the question usually comes last, after a story that weighs the
        whole down ("ik ben zeventig en moeder van twee tieners en ... waar zitten die spieren")."""
        best = model.best(classifier.features(core, self.stems.key))
        if len(core) < self._story_words:
            return best
        for i, w in enumerate(core[1:-2], start=1):
            if w in self._story_breaks:
                tail = model.best(classifier.features(core[i + 1:], self.stems.key))
                if tail[1] > best[1]:
                    best = tail
        return best

    def _overruled(self, label: str, guess: tuple[str, float, float] | None) -> bool:
        """Whether the classifier clearly names another label than the nearest sentence's: the
        templates then matched on a few shared words ("wat moet ik verder doen" is half of a
        command), and the classifier, which has also heard how patients put it, decides. Only
        for the kinds examples.toml teaches (TAUGHT): the programme's intents and the replies it
        knows from their templates alone, and "geef de voortgang" must stay the programme's."""
        if guess is None:
            return False
        best, score, margin = guess
        if best.startswith("safety:"):
            return score >= self._class_safety_threshold and margin >= self._class_safety_margin
        veto = self._class_veto_ood if label == "ood:ood" else self._class_veto
        lead = self._class_act_margin if label.startswith("command:") and best == "ood:ood" else self._class_margin
        return best != label and score >= veto and margin >= lead

    def _classify(self, text: str, words: list[str], core: list[str], question: bool,
                  guess: tuple[str, float, float] | None) -> Understood | None:
        """The classifier's answer when it is sure enough, else None. A red flag it recognises is
        referred like one the safety layer found, also when told of someone else, who may be the
        patient ("onze moeder kan sinds gisteren niet meer plassen"); a command is guessed from a
        question only when it may be asked as one (help, status, repeat: they change nothing)."""
        if guess is None or self._counting.issuperset(words):
            return None     # counting along with the coach is for no one: "een en twee en drie en vier"
        label, score, margin = guess
        kind, name = label.split(":", 1)
        if (self.safety.mentions(words) and not (kind == "safety" and self.safety.for_someone(words))
                and not self.safety.over(words)):
            return None     # a negated or someone else's symptom: no guessing, unless the classifier
                            # hears a red flag told for the patient ("mijn vrouw zegt dat haar plas rood is"),
                            # or the symptom is over and the rest is a question like any other ("mijn prostaat
                            # is twee jaar geleden weggehaald, helpen deze oefeningen mij ook"); a red flag
                            # guessed there is excused below
        if kind == "safety":    # a red flag is guessed more readily
            least, lead, sure = self._class_safety_threshold, self._class_safety_margin, self._class_safety_sure
        else:
            least, lead, sure = self._class_threshold, self._class_margin, self._class_sure
        if score < least or margin < lead:
            return None
        taught = self.compiled.class_words.get(label, frozenset())
        if score < sure and not any(key in taught and self._class_idf.get(key, 0.0) >= self._class_min_weight
                                    for key in self.stems.keys(core)):
            return None     # letters alike, no telling word in common: "hoe spel je bekken"
        shown = 50.0 * (1.0 + max(-1.0, min(1.0, score)))
        if kind == "safety":
            # Never excused for being about someone else: a partner or a carer may speak for the
            # patient, and the classifier has heard both them and other people's health.
            if self.safety.excused(words, name, for_someone=True):
                return None
            c = self.safety.category(name)
            return Understood(text, Kind.SAFETY, self.config["safety"]["intent"], None, c.referral, shown,
                              category=c.name, urgent=c.urgent)
        if kind == "command" and (self._changes_something_else(name, core) or self._to_someone(words)):
            return None
        if kind == "command" and (score < self._class_command_threshold
                                  or (question and not self.commands[name].get("question_form_ok"))):
            return None     # a guess acts on a question only as "help" or "status", which change nothing
        if kind == Kind.REPLY:
            return None     # "ja", "nee", a time: only when said as the templates have them
        if kind == Kind.OOD and self.safety.about_the_body(words):
            return Understood(text, Kind.BODY, None, None, self.safety.body_answer, shown)
        return self._result(text, Kind(kind), name, shown, "")

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

"""A linear classifier over Dutch word stems and letter groups. Pure: words in, scores out.

Why, beside the nearest-sentence matcher: the matcher knows the sentences its templates spell
out, and a patient who says it otherwise ("wat train ik er nou mee", "ik kap ermee") was refused.
A classifier learns from the templates *and* from sentences as people really said them
(prompts/examples.toml), and weighs letter groups, so "spier" and "spieren", "aanspannen" and
"spannen", or a recogniser's "bekken bodem" still share most of their evidence.

Features: each word's stem, each pair of neighbouring stems, and the letter groups of 3 to 5
letters of the whole sentence (word edges marked), hashed into a fixed table with crc32 (stable
across runs and machines, unlike ``hash``). The model is a linear support vector machine
(scikit-learn's LinearSVC), trained once when prompts/ change and cached with the other tables;
scikit-learn is imported only then. At run time only numpy is used: a sum of a few hundred rows.
"""

from __future__ import annotations

import math
import random
import zlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

BUCKETS = 1 << 16   # hashed feature table; collisions are rare enough at this size (tested)


def features(words: list[str], key: Callable[[str], str]) -> dict[int, float]:
    """Hashed features of a normalised utterance, as bucket -> value, scaled to unit length."""
    stems = [key(w) for w in words]
    text = " " + " ".join(words) + " "
    whole = Counter(map(_buckets.__getitem__, ["w " + s for s in stems]
                        + ["b " + a + " " + b for a, b in zip(stems, stems[1:], strict=False)]))
    grams = Counter(map(_buckets.__getitem__, [text[i:i + n] for n in (3, 4, 5) for i in range(len(text) - n + 1)]))
    out = {bucket: float(n) for bucket, n in whole.items()}
    for bucket, n in grams.items():
        out[bucket] = out.get(bucket, 0.0) + 0.5 * n
    if len(_buckets) > 200_000:
        _buckets.clear()
    # Every value is a multiple of 0.5, so this sum is exact in any order.
    norm = math.sqrt(sum(v * v for v in out.values())) or 1.0
    return {k: v / norm for k, v in out.items()}


class _Buckets(dict[str, int]):
    """Token -> bucket, remembered: the same letter groups come back in every sentence, and
    hashing each anew took a tenth of the understanding's time."""

    def __missing__(self, token: str) -> int:
        bucket = self[token] = zlib.crc32(token.encode("utf-8")) % BUCKETS
        return bucket


_buckets = _Buckets()


@dataclass(frozen=True)
class Model:
    """A trained classifier: one column of weights per label."""
    labels: list[str]
    row_of: np.ndarray      # bucket -> row of `weights`, or -1 for a bucket no training text had
    weights: np.ndarray     # rows x labels, float32
    bias: np.ndarray        # labels, float32

    def scores(self, feats: dict[int, float]) -> np.ndarray:
        """One score per label (a signed distance to the label's boundary: > 0 is "yes")."""
        if not feats:
            return self.bias.copy()
        buckets = np.fromiter(feats.keys(), dtype=np.int64, count=len(feats))
        values = np.fromiter(feats.values(), dtype=np.float32, count=len(feats))
        rows = self.row_of[buckets]
        seen = rows >= 0
        return values[seen] @ self.weights[rows[seen]] + self.bias

    def best(self, feats: dict[int, float]) -> tuple[str, float, float]:
        """(label, its score, the margin to the next label)."""
        s = self.scores(feats)
        if s.size == 1:
            return self.labels[0], float(s[0]), float("inf")
        top2 = np.argpartition(-s, 1)[:2]
        first, second = sorted(top2, key=lambda i: -s[i])
        return self.labels[int(first)], float(s[first]), float(s[first] - s[second])


def sample(sentences: Iterable[str], limit: int, seed: str) -> list[str]:
    """At most ``limit`` of a label's sentences, the same ones on every machine: a template that
    multiplies into 10,000 sentences should not outweigh one that gives 20."""
    pool = sorted(set(sentences))
    random.Random(seed).shuffle(pool)
    return pool[:limit]


def train(samples: list[tuple[str, dict[int, float], float]], c: float) -> Model:
    """Fit the classifier on (label, features, weight) triples. Needs scikit-learn and scipy."""
    from scipy.sparse import csr_matrix  # only when the tables are built
    from sklearn.svm import LinearSVC

    used = sorted({b for _, f, _ in samples for b in f})
    row_of = np.full(BUCKETS, -1, dtype=np.int32)
    row_of[used] = np.arange(len(used), dtype=np.int32)
    data: list[float] = []
    cols: list[int] = []
    starts = [0]
    for _, f, _ in samples:
        cols += [int(row_of[b]) for b in f]
        data += list(f.values())
        starts.append(len(cols))
    x = csr_matrix((np.asarray(data), np.asarray(cols), np.asarray(starts)), shape=(len(samples), len(used)))
    y = [label for label, _, _ in samples]
    svm = LinearSVC(C=c, random_state=0, max_iter=5000)
    svm.fit(x, y, sample_weight=np.asarray([w for _, _, w in samples]))
    labels = [str(label) for label in svm.classes_]
    coef = np.asarray(svm.coef_, dtype=np.float32)
    bias = np.asarray(svm.intercept_, dtype=np.float32)
    if len(labels) == 2:    # scikit-learn keeps one column for two labels: make it two
        coef = np.vstack([-coef[0], coef[0]])
        bias = np.asarray([-bias[0], bias[0]], dtype=np.float32)
    return Model(labels=labels, row_of=row_of, weights=np.ascontiguousarray(coef.T), bias=bias)

"""Dutch word forms: one key per word for matching, from the Snowball Dutch stemmer (PyStemmer).
Pure; the stems are remembered, since the same few hundred words come back all the time."""

from __future__ import annotations

from functools import lru_cache

import Stemmer


class Stems:
    def __init__(self) -> None:
        stemmer = Stemmer.Stemmer("dutch")

        @lru_cache(maxsize=20000)
        def key(word: str) -> str:
            return stemmer.stemWord(word)

        self.key = key

    def keys(self, words: list[str]) -> list[str]:
        return [self.key(w) for w in words]

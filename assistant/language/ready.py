"""Is the user ready? A yes to "Ligt u goed? Zeg dan ja.", matched against coach.toml's
ready.phrases. Pure; kept apart from understanding.py on purpose: it is asked only while the coach
waits, and a bare "klaar" (which means stop) is not in the list, so it stays a stop.
"""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz, process

SLIP_CUTOFF = 88.0      # rapidfuzz ratio (0-100) for a small slip: "ik ben er klaarvoor"
SLIP_MIN_LENGTH = 5     # shorter phrases must match exactly: "ja" is not "nu"


def fold(text: str) -> str:
    """Lower case, no accents, no punctuation, single spaces."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", text).split())


def is_ready(text: str, phrases: list[str]) -> bool:
    said = fold(text)
    if not said:
        return False
    folded = [fold(p) for p in phrases]
    if said in folded:
        return True
    if len(said) < SLIP_MIN_LENGTH:
        return False
    best = process.extractOne(said, [p for p in folded if len(p) >= SLIP_MIN_LENGTH], scorer=fuzz.ratio)
    return best is not None and best[1] >= SLIP_CUTOFF

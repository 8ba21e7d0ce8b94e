"""Finding speech onsets in a recording and lining them up with a plan."""

from __future__ import annotations

import numpy as np


def detect_onsets(samples: np.ndarray, rate: int, threshold: float = 0.02,
                  min_silence: float = 0.05) -> np.ndarray:
    """Times (s) where sound starts after at least ``min_silence`` seconds below ``threshold``."""
    loud = np.flatnonzero(np.abs(samples) > threshold)
    if loud.size == 0:
        return np.array([])
    gaps = np.diff(loud) > int(min_silence * rate)
    starts = np.concatenate([[loud[0]], loud[1:][gaps]])
    return starts / rate


def match_onsets(planned: np.ndarray, detected: np.ndarray, window: float = 0.15):
    """Pair each planned time with the nearest detected onset, after removing the constant offset
    (recording start and device latency). Returns (errors in s, offset, unmatched planned indices)."""
    if detected.size == 0:
        return np.array([]), 0.0, list(range(len(planned)))
    offset = detected[0] - planned[0]
    for _ in range(3):
        errors, missing = [], []
        for i, t in enumerate(planned):
            j = np.argmin(np.abs(detected - (t + offset)))
            err = detected[j] - (t + offset)
            if abs(err) <= window:
                errors.append(err)
            else:
                missing.append(i)
        if errors:
            offset += float(np.median(errors))
    errors = []
    for i, t in enumerate(planned):
        if i in missing:
            continue
        j = np.argmin(np.abs(detected - (t + offset)))
        errors.append(detected[j] - (t + offset))
    return np.array(errors), offset, missing

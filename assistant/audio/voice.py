"""The voice: renders Dutch text to audio once with pyttsx3 + espeak-ng, and caches it on disk.

pyttsx3 is used to *render* only (save_to_file); its own playback on Linux is a blocking aplay
call that cannot be interrupted. Playback is audio_out's job.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import sys
import threading
import time
import wave
from pathlib import Path

import numpy as np

from assistant.audio import speech
from assistant.errors import UserError

log = logging.getLogger(__name__)

SILENCE_THRESHOLD = 0.01   # of full scale: below this, leading and trailing audio counts as silence
RENDER_ATTEMPTS = 3
RENDER_WAIT = 2.0           # seconds to wait for espeak's file after runAndWait() returned
KEEP_MARGIN = 0.002        # seconds kept before the first and after the last loud sample

NO_ESPEAK = ("De Nederlandse stem ontbreekt: installeer espeak-ng "
             "(sudo apt-get install espeak-ng) en probeer het opnieuw.")


def pick_voice(voices, language: str):
    """The voice whose language is exactly ``language``, else one that starts with it, else None."""
    def langs(v) -> list[str]:
        out = []
        for item in getattr(v, "languages", []) or []:
            if isinstance(item, bytes):
                item = item.decode("ascii", "ignore")
            out.append(str(item).lstrip("\x05").lower())
        return out

    language = language.lower()
    exact = [v for v in voices if language in langs(v)]
    if exact:
        return exact[0]
    prefix = [v for v in voices if any(code.startswith(language + "-") for code in langs(v))]
    return prefix[0] if prefix else None


def trim(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """Cut leading and trailing silence so that a clip's first sample is its onset."""
    loud = np.flatnonzero(np.abs(samples) > SILENCE_THRESHOLD)
    if loud.size == 0:
        return samples[:0]
    margin = int(KEEP_MARGIN * sample_rate)
    return samples[max(0, loud[0] - margin): loud[-1] + margin + 1]


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        if w.getsampwidth() != 2:
            raise ValueError(f"{path}: expected 16-bit audio")
        rate, channels = w.getframerate(), w.getnchannels()
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768.0
    if channels > 1:
        data = data.reshape(-1, channels).mean(axis=1)
    return data, rate


def write_wav(path: Path, samples: np.ndarray, rate: int) -> None:
    pcm = np.clip(samples * 32768.0, -32768, 32767).astype("<i2")
    tmp = path.with_suffix(".tmp")
    with wave.open(str(tmp), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    os.replace(tmp, path)


class Voice:
    """Dutch text → mono float32 samples, rendered once and cached by text, voice and rate.

    Every text goes through the speech layer (assistant/audio/speech.py) first: espeak-ng hears
    "negen uur savonds" where the coach wrote "21:00"."""

    def __init__(self, cache_dir: Path, rate: int = 165, language: str = "nl",
                 fast_factor: float = 1.5) -> None:
        self.rate = rate
        self.fast_factor = fast_factor
        self._cache = Path(cache_dir) / "speech"
        self._lock = threading.Lock()
        self._memory: dict[tuple[str, bool], tuple[np.ndarray, int]] = {}
        try:
            import pyttsx3
            with contextlib.redirect_stdout(io.StringIO()):
                self._engine = pyttsx3.init("espeak")
            voices = self._engine.getProperty("voices")
        except Exception as err:  # pyttsx3 raises many kinds when libespeak-ng is missing
            raise UserError(NO_ESPEAK, detail=f"pyttsx3/espeak init failed: {err!r}") from None
        voice = pick_voice(voices, language)
        if voice is None:
            raise UserError(
                f"espeak-ng heeft geen stem voor de taal '{language}'. "
                "Installeer espeak-ng met de Nederlandse stem (sudo apt-get install espeak-ng).",
                detail=f"{len(voices)} voices, none for {language}",
            )
        self.voice_id = voice.id
        self._engine.setProperty("voice", voice.id)
        self._version = getattr(pyttsx3, "__version__", "?")

    def _rate(self, fast: bool) -> int:
        return round(self.rate * self.fast_factor) if fast else self.rate

    def spoken(self, text: str) -> str:
        """What espeak-ng is given for ``text``."""
        return speech.spoken(text)

    def _cache_path(self, text: str, fast: bool) -> Path:
        key = f"{text}\x00{self.voice_id}\x00{self._rate(fast)}\x00{self._version}"
        return self._cache / (hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + ".wav")

    def render(self, text: str, fast: bool = False) -> tuple[np.ndarray, int]:
        """Samples (float32, -1..1, trimmed) and their sample rate."""
        key = (text, fast)
        with self._lock:
            if key in self._memory:
                return self._memory[key]
            said = self.spoken(text)
            path = self._cache_path(said, fast)
            clip = None
            if path.exists():
                try:
                    clip = read_wav(path)
                except (OSError, ValueError, EOFError, wave.Error) as err:
                    log.warning("speech cache entry %s unreadable (%s); rendering again", path, err)
            if clip is None:
                clip = self._synthesise(said, fast)
                self._cache.mkdir(parents=True, exist_ok=True)
                write_wav(path, clip[0], clip[1])
            self._memory[key] = clip
            return clip

    def duration(self, text: str, fast: bool = False) -> float:
        samples, rate = self.render(text, fast)
        return len(samples) / rate

    def _synthesise(self, text: str, fast: bool) -> tuple[np.ndarray, int]:
        # The speed goes inside the text as an espeak embedded command (ctrl-A, number, S):
        # pyttsx3 2.99 queues setProperty("rate") and loses it now and then under espeak's
        # asynchronous synthesis, and a lost rate would put a cue off its beat.
        spoken = f"\x01{self._rate(fast)}S{text}"
        work = self._cache / "rendering"
        work.mkdir(parents=True, exist_ok=True)
        for attempt in range(1, RENDER_ATTEMPTS + 1):
            # pyttsx3's espeak driver writes the file from a callback that may come after
            # runAndWait() returns: the folder must outlive the call, and we wait for the file.
            out = work / f"{os.getpid()}-{threading.get_ident()}-{attempt}.wav"
            try:
                with contextlib.redirect_stdout(io.StringIO()), _callback_errors_logged():
                    self._engine.save_to_file(spoken, str(out))
                    self._engine.runAndWait()
                    clip = self._wait_for(out)
                if clip is not None and clip[0].size:
                    return clip
            finally:
                out.unlink(missing_ok=True)
            log.warning("espeak gave no audio for %r (attempt %d)", text, attempt)
        raise UserError(NO_ESPEAK, detail=f"espeak produced no audio for {text!r}")

    @staticmethod
    def _wait_for(out: Path, timeout: float = RENDER_WAIT) -> tuple[np.ndarray, int] | None:
        deadline = time.monotonic() + timeout
        while True:
            if out.exists():
                try:
                    samples, rate = read_wav(out)
                    clip = trim(samples, rate)
                    if clip.size:
                        return clip, rate
                except (OSError, ValueError, EOFError, wave.Error):
                    pass  # still being written
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.01)


@contextlib.contextmanager
def _callback_errors_logged():
    """An exception inside pyttsx3's ctypes callback cannot reach us; Python would print it to
    the user's terminal as a traceback. Send it to the developers' log instead."""
    previous = sys.unraisablehook

    def hook(unraisable) -> None:
        log.warning("espeak callback failed: %r", unraisable.exc_value)

    sys.unraisablehook = hook
    try:
        yield
    finally:
        sys.unraisablehook = previous

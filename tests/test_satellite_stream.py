"""The satellite sink's stream, driven step by step on a made-up clock against a link that only
records what it is sent: where each cue lands in the stream, how far ahead the stream runs, what
"stop" leaves, and how sessions and answers are framed (wyoming's own event classes throughout)."""

from __future__ import annotations

import asyncio
from concurrent.futures import Future

import numpy as np
from wyoming.audio import AudioChunk, AudioStart, AudioStop

from assistant.audio.satellite_output import SatelliteSink

RATE = 22050


class FakeLink:
    def __init__(self) -> None:
        self.events = []
        self.connected = True
        self.generation = 1

    def spawn(self, coro):
        coro.close()   # the test drives the pacer itself
        done: Future = Future()
        done.set_result(None)
        return done

    async def write(self, event) -> bool:
        if not self.connected:
            return False
        self.events.append(event)
        return True

    def close(self) -> None:
        pass

    def types(self):
        return [e.type for e in self.events]

    def audio(self) -> np.ndarray:
        pcm = b"".join(AudioChunk.from_event(e).audio for e in self.events if AudioChunk.is_type(e.type))
        return np.frombuffer(pcm, "<i2")


class ClickVoice:
    """Every line is a 50 ms block of full scale, so where it lands is plain to see."""

    def render(self, text, fast):
        return np.full(int(0.05 * RATE), 0.5, dtype=np.float32), RATE

    def duration(self, text, fast):
        return 0.05


def run(sink, start, end, step=0.01):
    t = start
    while t <= end + 1e-9:
        asyncio.run(sink._step(t))
        t += step


def onsets(x: np.ndarray) -> list[int]:
    loud = np.flatnonzero(np.abs(x) > 1000)
    return [int(loud[0])] + [int(b) for a, b in zip(loud, loud[1:], strict=False) if b - a > 1] if loud.size else []


def test_a_session_is_one_stream_with_every_cue_at_its_exact_sample():
    link = FakeLink()
    sink = SatelliteSink(ClickVoice(), link, rate=RATE, lead=0.2)
    sink.prepare([])
    run(sink, 100.0, 100.0)                       # the stream opens at t0 = 100.0
    deadlines = [100.5 + 0.997 * i for i in range(8)]   # not on chunk boundaries
    for d in deadlines:
        sink.play("tel", True, d)
    run(sink, 100.01, 109.0)
    sink.end_session()
    run(sink, 109.01, 109.5)
    assert link.types()[0] == AudioStart(rate=RATE, width=2, channels=1).event().type
    assert link.types().count("audio-start") == 1 and link.types()[-1] == AudioStop().event().type
    assert onsets(link.audio()) == [round((d - 100.0) * RATE) for d in deadlines]


def test_the_stream_never_runs_more_than_the_lead_ahead():
    link = FakeLink()
    sink = SatelliteSink(ClickVoice(), link, rate=RATE, lead=0.2)
    sink.prepare([])
    for now in np.arange(100.0, 103.0, 0.013):
        asyncio.run(sink._step(float(now)))
        sent = sum(AudioChunk.from_event(e).samples for e in link.events if AudioChunk.is_type(e.type))
        assert sent / RATE <= (now - 100.0) + 0.2 + 1e-9
        assert sent / RATE >= (now - 100.0) + 0.2 - sink.chunk / RATE - 1e-9


def test_stop_leaves_only_the_lead_and_a_short_fade():
    link = FakeLink()
    sink = SatelliteSink(ClickVoice(), link, rate=RATE, lead=0.2)
    long_line = np.full(3 * RATE, 0.5, dtype=np.float32)
    sink.voice.render = lambda text, fast: (long_line, RATE)
    sink.prepare([])
    sink.play("een lange zin", False, 100.1)
    run(sink, 100.0, 100.6)
    sink.silence()                                # "stop" at 100.6: sent up to 100.8
    run(sink, 100.61, 102.0)
    x = link.audio()
    last_loud = int(np.flatnonzero(np.abs(x) > 100)[-1])
    assert round(0.8 * RATE) - sink.chunk <= last_loud <= round(0.8 * RATE) + sink.chunk
    assert not x[last_loud + 1:].any()            # and nothing after it: the rest of the line is gone


def test_answers_outside_sessions_are_one_stream_each_and_nothing_between():
    link = FakeLink()
    sink = SatelliteSink(ClickVoice(), link, rate=RATE, lead=0.2)
    sink.play("antwoord een", False, 100.5)
    sink.play("antwoord twee", False, 103.0)
    run(sink, 100.0, 104.0)
    assert link.types().count("audio-start") == 2 and link.types().count("audio-stop") == 2
    # between the two answers the satellite is sent nothing (its player is closed)
    assert link.types()[link.types().index("audio-stop") + 1] == "audio-start"
    assert len(link.audio()) < 1.0 * RATE


def test_a_new_connection_gets_a_new_stream_and_lines_due_while_away_are_dropped():
    link = FakeLink()
    sink = SatelliteSink(ClickVoice(), link, rate=RATE, lead=0.2)
    sink.prepare([])
    run(sink, 100.0, 100.5)
    link.connected = False
    sink.play("niemand hoort dit", True, 101.0)
    run(sink, 100.51, 102.0)
    link.connected, link.generation = True, 2
    sink.play("weer terug", True, 103.0)
    run(sink, 102.01, 104.0)
    assert link.types().count("audio-start") == 2
    after = [e for e in link.events[link.types().index("audio-start", 1):] if AudioChunk.is_type(e.type)]
    x = np.frombuffer(b"".join(AudioChunk.from_event(e).audio for e in after), "<i2")
    assert onsets(x) == [round((103.0 - 102.01) * RATE)]   # only the line due after the return


def test_satellite_settings_come_from_the_config_file_and_the_command_line(tmp_path):
    import pytest

    from assistant.errors import UserError
    from assistant.settings import SatelliteSettings, load_satellite

    config = tmp_path / "config.toml"
    assert load_satellite(config) == SatelliteSettings()          # no file: the local sound card
    config.write_text('reps = 5\n[satellite]\nuri = "tcp://192.168.1.20:10700"\nrate = 16000\nlead = 0.3\n')
    assert load_satellite(config) == SatelliteSettings("tcp://192.168.1.20:10700", 16000, 0.3)
    assert load_satellite(config, "tcp://127.0.0.1:10700").uri == "tcp://127.0.0.1:10700"
    with pytest.raises(UserError, match="tcp://192.168.1.20:10700"):
        load_satellite(config, "http://slaapkamer:10700")
    config.write_text('[satellite]\nspeaker = "hw:0"\n')
    with pytest.raises(UserError, match="Onbekende instelling 'speaker'"):
        load_satellite(config)
    config.write_text('[satellite]\nlead = 5\n')
    with pytest.raises(UserError, match="'lead'"):
        load_satellite(config)

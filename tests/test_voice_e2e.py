"""End to end on the virtual audio device: sound played into the virtual microphone reaches the
recogniser through sounddevice, and a "stop" heard mid-count silences the coach's speaker."""

import threading
import time
from datetime import datetime, timedelta

import numpy as np

from assistant.audio.microphone import Microphone
from assistant.audio.output import ScheduledOutput, SpeakerSink
from assistant.clock import MonotonicClock
from assistant.programme.journal import Journal
from assistant.programme.keeper import ProgrammeKeeper
from assistant.app.voice_loop import VoiceLoop, session_grammar
from assistant.audio.recogniser import RATE, ScriptedRecogniser, VoskRecogniser
from assistant.settings import Settings
from assistant.language.understanding import Understanding
from tests.test_recogniser import stream


def drain(mic, seconds, enough=None):
    """Blocks from the microphone for ``seconds`` of wall time, or until ``enough`` bytes have come:
    on a busy machine the virtual source may deliver 3 s of sound a second late."""
    out, end = [], time.monotonic() + seconds
    while time.monotonic() < end and (enough is None or sum(map(len, out)) < enough):
        try:
            out.append(mic.blocks.get(timeout=0.2))
        except Exception:
            pass
    return b"".join(out)


def test_audio_played_into_the_microphone_reaches_the_recogniser(virtual_audio, ko_model, korean_speech):
    mic = Microphone()
    try:
        drain(mic, 0.3)
        player = threading.Thread(target=virtual_audio.play_into_mic,
                                  args=(np.frombuffer(korean_speech, "<i2").astype(np.float32) / 32768, RATE))
        player.start()
        captured = drain(mic, len(korean_speech) / 2 / RATE + 1.0)
        player.join()
    finally:
        mic.close()
    level = np.abs(np.frombuffer(captured, "<i2")).max()
    assert level > 1000, "the speech did not arrive"
    heard = stream(VoskRecogniser(ko_model), captured + bytes(korean_speech[-3 * 2 * RATE:]))
    assert [t for t in heard if not t.final] and [t.text for t in heard if t.final][0]


def test_half_duplex_replaces_the_microphone_with_silence(virtual_audio, korean_speech):
    mic = Microphone()
    try:
        drain(mic, 0.3)
        mic.mute_for(10.0)
        player = threading.Thread(target=virtual_audio.play_into_mic,
                                  args=(np.frombuffer(korean_speech, "<i2").astype(np.float32) / 32768, RATE))
        player.start()
        captured = drain(mic, 8.0, enough=2 * RATE * 2 + 1)   # 2 s of 16-bit sound, within the 10 s muted
        player.join()
    finally:
        mic.close()
    assert len(captured) > 2 * RATE * 2       # the stream kept running ...
    assert not np.frombuffer(captured, "<i2").any()   # ... and carried only silence


def test_stop_mid_count_silences_the_coach(virtual_audio, voice, tmp_path):
    clock = MonotonicClock()
    journal = Journal(tmp_path)
    sid = journal.start_session(datetime.now().astimezone() - timedelta(days=1), "lying", 1.0, 10)
    journal.finish_session(sid, datetime.now().astimezone() - timedelta(days=1), True, 10)
    keeper = ProgrammeKeeper(journal, now=lambda: datetime.now().astimezone())
    understanding = Understanding()
    grammar, _ = session_grammar(understanding)
    sink = SpeakerSink(voice, ScheduledOutput())
    mic = Microphone()
    start = clock.now()
    welcome = 9.0
    # "start oefening" after the welcome; "ja" once the coach asks "Ligt u goed?"; "stop" (a
    # partial result) in the hold of round 1, where the plan puts its third count.
    from assistant import prompts
    from assistant.coaching import plan as P
    cues = P.build_plan(Settings(reps=3, tempo=1.0), prompts.load("coach"), first_session=False, closing=["x"],
                        duration=voice.duration)
    i = next(i for i, c in enumerate(cues) if c.kind == "ready")
    yes = welcome + 0.5 + cues[i].t + voice.duration(cues[i].text) + 1.5
    count3 = next(c.t for c in cues if c.rep == 1 and c.phase == "squeeze" and c.count == 3)
    stop = yes + 0.2 + count3 - cues[i + 1].t
    script = [(welcome, "start oefening", True), (yes, "ja", True), (stop, "stop", False)]
    recogniser = ScriptedRecogniser(script, clock, start=start)
    loop = VoiceLoop(recogniser=recogniser, mic=mic, understanding=understanding, keeper=keeper, sink=sink,
                     settings=Settings(reps=3, tempo=1.0), journal=journal, clock=clock, grammar=grammar,
                     out=lambda line: None)
    recording = virtual_audio.record()
    runner = threading.Thread(target=loop.run, daemon=True)
    runner.start()
    try:
        assert_until = time.monotonic() + 60
        while not (recogniser.done and not loop.session_active()) and time.monotonic() < assert_until:
            time.sleep(0.1)
        time.sleep(9.0)   # the goodbye line, then what would have been more counting
    finally:
        loop.stop()
        runner.join(timeout=5)
        mic.close()
        sink.close()
    audio = recording.stop()
    rate = 22050
    assert recogniser.audio_seconds > 10, "microphone blocks reached the recogniser"
    assert loop.actions == ["start", "stop"]
    assert journal.sessions()[-1].status == "stopped"
    # The coach counted before the stop (sound in the seconds before it) ...
    assert np.abs(audio[int((stop - 4) * rate): int((stop - 0.5) * rate)]).max() > 0.1
    # ... and after the goodbye line the speaker stays silent: round 1 would still be counting.
    assert np.abs(audio[-int(3.0 * rate):]).max() < 0.01

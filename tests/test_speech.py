"""The speech layer: every line the program can say, as espeak-ng will hear it."""

from __future__ import annotations

import os
import re
import string
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant import paths, prompts
from assistant.audio.speech import clock_words, load, number_words, spoken

ROOT = Path(__file__).resolve().parent.parent
SPEECH = load()   # speech.toml with the number words of words.toml

# What the program itself puts into the placeholders (see calendar.py, keeper.py, plan.py, runner.py).
SAMPLES = {
    "reps": ["10"], "hold": ["6"], "relax": ["6"], "rep": ["3"], "done": ["twee", "2"], "left": ["één keer"],
    "next": ["vanavond"], "count": ["twee keer"], "parts": ["vanochtend en vanmiddag"], "week": ["twee"],
    "weeks_to_improvement": ["zes tot acht"], "start": ["3 maart"], "sessions": ["14"], "per_day": ["1,7 keer"],
    "days": ["vijf"], "part": ["elke avond", "elke ochtend"], "time": ["21:00", "8:30", "13:30", "7:05"],
    "position": ["zittend"], "n": ["4"], "hour": ["negen"], "day": ["3"], "month": ["maart"],
}
# Keys whose strings the user says, or the program reads; never spoken by the coach.
NOT_SAID = {"sentences", "keywords", "expansion_rules", "normalise", "matching", "phrases", "exit_words", "yes", "no",
            "order", "outcome_intents", "fine_outcomes", "section", "more_sentences", "question.starts",
            "question.requests", "safety.words", "out_of_domain.sentences", "out_of_domain.lists", "lexicon",
            "day_part_named_by"}


def _leaves(data, path=""):
    if isinstance(data, dict):
        for k, v in data.items():
            sub = f"{path}.{k}" if path else k
            if k in NOT_SAID or any(sub.endswith(n) for n in NOT_SAID if "." in n):
                continue
            yield from _leaves(v, sub)
    elif isinstance(data, list):
        for v in data:
            yield from _leaves(v, path)
    elif isinstance(data, str):
        yield path, data


def _filled(text: str) -> list[str]:
    names = [f for _, f, _, _ in string.Formatter().parse(text) if f]
    if not names:
        return [text]
    variants = max(len(SAMPLES.get(n, ["twee"])) for n in names)
    return [text.format(**{n: SAMPLES.get(n, ["twee"])[min(i, len(SAMPLES.get(n, ["twee"])) - 1)] for n in names})
            for i in range(variants)]


def every_line() -> list[str]:
    """Every line in prompts/ that the program can say, its placeholders filled as the program fills them."""
    # examples.toml holds what patients say, never what the coach says.
    files = sorted(p.stem for p in paths.prompts_dir().glob("*.toml") if p.stem != "examples")
    assert {"coach", "programme", "faq", "commands", "understanding", "frontends", "speech"} <= set(files)
    lines = set()
    for name in files:
        for _, text in _leaves(prompts.load(name)):
            lines.update(_filled(text))
    return sorted(lines)


def phonemes(text: str) -> str:
    return subprocess.run(["espeak-ng", "-q", "-x", "-v", "nl", text], capture_output=True, text=True,
                          check=True).stdout


def test_there_are_many_lines_and_the_hard_cases_are_among_them():
    lines = every_line()
    assert len(lines) > 150
    text = " ".join(lines)
    for needle in ("21:00", "8:30", "1,7", "'s ochtends", "controleafspraak", "fysiotherapeut"):
        assert needle in text, needle


@pytest.mark.parametrize("line", every_line())
def test_no_digit_colon_or_apostrophe_s_reaches_the_voice(line):
    said = spoken(line)
    assert not re.search(r"\d", said), said
    assert ":" not in said, said
    assert not re.search(r"(?<!\w)['’‘`]s\b", said), said


def test_every_lexicon_word_comes_out_as_intended_in_every_line_that_has_it():
    lines = every_line()
    checked = 0
    for entry in SPEECH["lexicon"]:
        pattern = re.compile(r"(?<!\w)" + re.escape(entry["write"]).replace("'", "['’]") + r"(?!\w)", re.I)
        # Without the layer espeak-ng says it differently: each entry earns its place.
        assert entry["phonemes"] not in phonemes(entry["write"]), entry
        assert entry["phonemes"] in phonemes(spoken(entry["write"])), entry
        for line in lines:
            if pattern.search(line):
                assert entry["phonemes"] in phonemes(spoken(line)), (entry["write"], line)
                checked += 1
    assert checked >= 8


@pytest.mark.parametrize("hour, minute, expected", [
    (21, 0, "negen uur"), (8, 30, "half negen"), (13, 30, "half twee"), (7, 15, "kwart over zeven"),
    (18, 45, "kwart voor zeven"), (7, 5, "vijf over zeven"), (7, 20, "tien voor half acht"),
    (7, 40, "tien over half acht"), (7, 50, "tien voor acht"), (0, 0, "twaalf uur"), (12, 30, "half één"),
])
def test_clock_times_are_said_as_people_say_them(hour, minute, expected):
    assert clock_words(hour, minute, SPEECH) == expected


def test_a_time_gets_its_part_of_the_day_unless_the_sentence_names_it():
    assert spoken("Ik herinner u om 21:00.") == "Ik herinner u om negen uur savonds."
    assert spoken("Ik herinner u elke avond om 21:00 uur.") == "Ik herinner u elke avond om negen uur."
    assert spoken("om 8:30") == "om half negen sochtends"
    assert spoken("om 13:30") == "om half twee smiddags"


@pytest.mark.parametrize("n, expected", [
    (1, "één"), (7, "zeven"), (21, "eenentwintig"), (22, "tweeëntwintig"), (35, "vijfendertig"), (100, "honderd"),
    (142, "honderdtweeënveertig"), (2026, "tweeduizend zesentwintig"), (1000, "duizend"),
])
def test_numbers_are_words(n, expected):
    assert number_words(n, SPEECH) == expected


def test_decimals_and_day_parts():
    assert spoken("gemiddeld 1,7 keer per dag") == "gemiddeld één komma zeven keer per dag"
    assert spoken("Oefen 's ochtends, ’s middags en 's avonds.") == "Oefen sochtends, smiddags en savonds."
    assert spoken("Controleafspraak") == "Controle-afspraak"


def test_say_dry_run_prints_what_the_voice_gets():
    out = subprocess.run([sys.executable, "-m", "assistant", "say", "--dry-run", "Om 21:00, 's avonds: 1,7 keer."],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "Om negen uur, savonds, één komma zeven keer."


def test_say_speaks_on_the_speaker(virtual_audio, tmp_path):
    recording = virtual_audio.record()
    subprocess.run([sys.executable, "-m", "assistant", "say", "Ik herinner u om 21:00."], cwd=ROOT, check=True,
                   timeout=60, env={**os.environ, "BEKKENBODEM_CACHE": str(tmp_path)})
    audio = recording.stop()
    loud = np.flatnonzero(np.abs(audio) > 0.05)
    assert loud.size and (loud[-1] - loud[0]) / 22050 > 1.5   # a sentence, not a click


def test_the_voice_renders_through_the_layer(voice):
    assert voice.spoken("om 21:00") == "om negen uur savonds"
    # The same clip as the words themselves: the layer sits in front of the renderer.
    a, _ = voice.render("Om 8:30.")
    b, _ = voice.render("Om half negen sochtends.")
    assert np.array_equal(a, b)

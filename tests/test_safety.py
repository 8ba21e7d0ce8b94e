"""The safety layer: red flags by category, checked first, negation aware; never set off by the
coach's own words."""

import pytest

from assistant import prompts
from assistant.coaching import plan as P
from assistant.language.understanding import Understanding
from assistant.settings import POSITIONS, Settings


@pytest.fixture(scope="module")
def u():
    return Understanding()


def found(u, text: str) -> str | None:
    """The category the safety layer alone finds in ``text``, or None."""
    r = u.safety.check(u.normalise(text).split())
    return r.category.name if r else None


@pytest.mark.parametrize("text, category", [
    ("er zit bloed in mijn urine", "blood"), ("mijn plas is rood", "blood"),
    ("het prikt als ik plas", "pain"), ("au", "pain"), ("het doet zeer", "pain"),
    ("ik heb koorts", "fever"), ("mijn urine is troebel", "urine_changed"), ("mijn plas stinkt", "urine_changed"),
    ("ik kan niet plassen", "retention"), ("mijn blaas wordt niet leeg", "retention"),
    ("er zakt iets naar beneden", "prolapse"), ("ik voel een bult van onderen", "prolapse"),
    ("ik verlies de hele tijd urine", "leak_worse"), ("het lekken is veel erger geworden", "leak_worse"),
    ("ik verlies ontlasting", "stool"), ("ik kan mijn winden niet ophouden", "stool"),
    ("mijn billen voelen gevoelloos", "numbness"), ("ik ben net bevallen", "pregnancy"),
    ("ik heb een keizersnede gehad", "pregnancy"), ("ik ben vorige week geopereerd", "surgery"),
    ("ik heb een katheter", "surgery"), ("ik heb enorme dorst en plas veel", "thirst"),
    ("mijn pis stinkt", "urine_changed"), ("ik drink als een paard en plas de hele nacht", "thirst"),
])
def test_each_category_is_recognised_in_plain_words(u, text, category):
    r = u.understand(text)
    assert (r.kind, r.category) == ("safety", category), text
    assert "huisarts" in r.answer and r.action is None


@pytest.mark.parametrize("text", ["ik heb geen pijn meer", "dat is zeer duidelijk", "ik ben niet zwanger",
                                  "mijn hond heeft bloed aan zijn poot", "ik lek niet meer",
                                  "ik verlies ineens wat urine als ik nies"])
def test_negations_and_other_senses_are_no_alarm(u, text):
    assert u.understand(text).kind != "safety", text


@pytest.mark.parametrize("text, flagged", [
    ("twee jaar geleden had ik bloed in mijn plas maar dat is toen onderzocht", None),
    ("ik had koorts maar die is helemaal weg", None),
    ("twee jaar geleden had ik bloed in mijn plas en nu weer", "blood"),
    ("ik had koorts en die is niet helemaal weg", "fever"),
    ("mijn straal is weg er komt alleen een druppeltje", "retention"),
    ("ik plas veel vaker dan vroeger en heb enorme dorst", "thirst"),
    ("er loopt zomaar urine weg de hele dag", "leak_worse"),
    ("de koorts is al maanden weg", None), ("de katheter is er al jaren uit", None),
    ("dat zeer bij het plassen was vief joar leden", None),    # Twents: five years ago
    ("ik heb al maanden pijn bij het plassen", "pain"),
])
def test_a_complaint_that_is_over_is_no_red_flag(u, text, flagged):
    """Long ago, or healed and told in the past, unless something says it is back or still there."""
    assert found(u, text) == flagged, text


@pytest.mark.parametrize("text, flagged", [
    ("mijn plas ruikt gewoon normaal", None), ("met mijn ontlasting is niks mis", None),
    ("ik heb gene koorts alles is in orde", None), ("ik hebbe nargens zeer en gin koorts", None),
    ("ich hub gein bloed in mien plas gezeen", None),
    ("mijn plas ruikt niet normaal", "urine_changed"),                     # a negation before it
    ("ik heb bloed in mijn plas is dat normaal", "blood"),                 # asked, not told
    ("ik plassen en dan komt bloed mee is normaal of niet", "blood"),
    ("ik heb gin gevoel in mijn billen", "numbness"),                      # the sign's own "geen"
    ("ik plas veel vaker dan normaal en heb altijd dorst", "thirst"),      # a comparison
    ("mijn plas is rood en verder voel ik me normaal", "blood"),           # too far from the sign
    ("mijn plas ruikt vies maar normaal van kleur", "urine_changed"),      # another clause
    ("da is ni normaal he mijne pipi is helemaal rood", "blood"),         # "not normal" tells of a complaint
    ("het is niet normaal mijn plas is rood", "blood"),
])
def test_a_complaint_said_to_be_fine_or_denied_in_dialect_is_no_red_flag(u, text, flagged):
    """Words that say all is well just after a sign's words; the regions' "geen" ("gin", "gein",
    "gene") negates like "geen", and stands in a sign like it."""
    assert found(u, text) == flagged, text


@pytest.mark.parametrize("text, flagged", [
    ("ik verlies nog maar af en toe een druppel hoe moet ik verder", None),   # "nog maar": only
    ("er komt nog maar een druppel", "retention"), ("er komt maar een druppel", "retention"),
    ("hoe komt het dat er wat urine uit komt als ik iets zwaars til", None),
    ("er komt iets uit mijn vagina", "prolapse"),
    ("ik voel niks geks van onderen", None), ("ik voel niks van onderen", "numbness"),
    ("er zit een bobbel in het behang", None), ("er zit een bobbel van onderen", "prolapse"),
])
def test_words_that_make_a_sign_something_else(u, text, flagged):
    """"nog maar" opens no clause; urine that comes out is no bulge; nothing strange felt is no
    numbness; a bulge in the wallpaper is not in the body."""
    assert found(u, text) == flagged, text


@pytest.mark.parametrize("text, flagged", [
    ("pijn bij het plassen heb ik niet", None), ("koorts heb ik nooit gehad", None),
    ("bloed in mijn plas heb ik niet gezien", None), ("pijn heb ik nergens", None),
    ("elke keer als ik plas prikt het vreselijk dat had ik nooit", "pain"),   # "dat": it is new
    ("ik heb pijn bij het plassen", "pain"),
    ("ik heb pijn bij het plassen maar koorts heb ik niet", "pain"),         # another clause
])
def test_a_sign_put_first_and_then_denied_is_no_red_flag(u, text, flagged):
    assert found(u, text) == flagged, text


@pytest.mark.parametrize("text, flagged", [
    ("het bloed kruipt waar het niet gaan kan", None), ("bloed zweet en tranen", None),
    ("ik loop al weken zwanger van een plan voor de tuin", None), ("ik ben zwanger van mijn tweede", "pregnancy"),
    ("die thriller bezorgde me koude rillingen", None), ("ik heb koude rillingen en koorts", "fever"),
    ("de parkiet zit te rillen in zijn kooi", None), ("de koorts is al weken weg", None),
    ("vier weken over tijd en de test was positief", "pregnancy"),
    ("ik drink gelijk nen olifant en ik moet den hele nacht gaan", "thirst"),
])
def test_sayings_films_and_pets_are_no_red_flag(u, text, flagged):
    r = u.understand(text)
    assert (r.category if r.kind == "safety" else None) == flagged, text


@pytest.mark.parametrize("text, flagged", [
    ("hou op met zeuren", None), ("het is maar een prikje", None), ("wanneer moet ik geprikt worden", None),
    ("waar kan ik me laten vaccineren tegen de griep", None),
    ("mijn onderbuik zeurt", "pain"), ("het prikt bij het plassen", "pain"),
])
def test_nagging_jabs_and_flu_shots_are_no_sign(u, text, flagged):
    assert found(u, text) == flagged, text


@pytest.mark.parametrize("text, flagged", [
    ("opa zijn knie is vorige week geopereerd", None), ("ik ben aan mijn staar geopereerd", None),
    ("kan ik ook geopereerd worden", None), ("ik had een matje moeten pakken", None),
    ("de bal gaat net naast", None), ("ik heb last van hooi koorts", None),
    ("ik ben vorige week geopereerd", "surgery"), ("ik ben vorige week aan mijn blaas geopereerd", "surgery"),
    ("ik ben aan mijn knie geopereerd en heb nu een katheter", "surgery"),
    ("vorige week hebben ze een bandje om mijn plasbuis gezet", "surgery"),
    ("ik voel een balletje van onderen", "prolapse"), ("ik heb koorts", "fever"),
])
def test_an_operation_elsewhere_or_to_come_a_ball_and_hay_fever_are_no_sign(u, text, flagged):
    """An operation of a knee or an eye, or one still to come, is not the recent pelvic surgery that
    needs the huisarts first; "had" is no "gehad", a ball no "balletje" (as said) and hay fever no
    fever. Written after a batch of things said during an exercise, where they sounded the alarm."""
    assert found(u, text) == flagged, text


@pytest.mark.parametrize("text, flagged", [
    ("verhoog het teltempo", None), ("wat betekent een verhoogde psa waarde", None),
    ("ik heb wat verhoging", "fever"), ("ik heb een verhoogde temperatuur", "fever"),
    ("ik plas niet meer in mijn broek bij hoesten hoe nu verder", None), ("ik kan niet meer plassen", "retention"),
    ("ik heb de tang gehaald uit de schuur", None), ("ze hebben mijn kind met de tang gehaald", "pregnancy"),
])
def test_words_that_look_like_a_sign_in_another_sense(u, text, flagged):
    """"verhogen" shares its stem with "verhoging" (a raised temperature); "ik plas niet meer in mijn
    broek" is leaking that stopped, not urine that will not come."""
    assert found(u, text) == flagged, text


@pytest.mark.parametrize("text, flagged", [
    ("mijn knie doet zeer na het wandelen", None), ("mijn tandvlees bloedt bij het poetsen", None),
    ("ons moeder heeft wreed veel pijn aan haar heup", None), ("ik heb een wondje aan mijn vinger dat bloedt", None),
    ("pijn in mijn heup en in mijn onderbuik", "pain"), ("mijn voeten tintelen", "numbness"),
    ("ik heb een bult op mijn voorhoofd", None), ("ik heb een doof oor", None),
    ("mijn knie doet pijn en het brandt bij het plassen", "pain"),
    ("mijn knie doet pijn sinds ik de oefeningen doe", "pain"),
    ("ik heb koorts en hoofdpijn", "fever"), ("ik heb hoofdpijn en ik ben vorige week geopereerd", "surgery"),
    ("mijn benen zijn doof", "numbness"), ("mijn mond staat in brand van de pepers", None),
])
def test_a_body_part_away_from_the_pelvis_is_not_a_located_red_flag(u, text, flagged):
    """Pain, blood, a bulge or numbness said of a knee, a tooth or the forehead is not this coach's to
    refer; said of the pelvis or the exercises it is, and fever, an operation (unless of a knee or an
    eye, below) and the rest always are."""
    assert found(u, text) == flagged, text


@pytest.mark.parametrize("text, flagged", [
    ("ik heb geen pijn maar bloed in mijn plas", "blood"),
    ("het is geen plas maar grote boodschap", "stool"),
    ("ik heb geen pijn en geen bloed", None),
])
def test_a_negation_reaches_no_further_than_its_own_clause(u, text, flagged):
    r = u.understand(text)
    assert (r.category if r.kind == "safety" else None) == flagged, text


@pytest.mark.parametrize("text, flagged", [
    ("hoe komt het dat er urine uitloopt als ik lach terwijl ik niet hoef", None),
    ("ik moet heel nodig maar er komt niks uit", "retention"),
    ("er komen maar een paar druppels", "retention"),
])
def test_the_words_of_a_sign_stand_in_one_clause(u, text, flagged):
    assert found(u, text) == flagged, text


@pytest.mark.parametrize("text, flagged", [
    ("ik kan mijn plas niet ophouden", None),                  # leaking with urge, a leaflet question
    ("ik kan niet plassen", "retention"),
    ("ik lek nog steeds na zes weken oefenen", None),          # no better yet: geen_verbetering
    ("ik lek steeds", "leak_worse"),
    ("ik verlies druppeltjes bij het springen", None),         # leaking, not urine that will not come
    ("er komen alleen druppels", "retention"),
    ("ik kan niet ophouden met drinken en plassen", "thirst"),
    ("de gootsteen loopt niet leeg", None),                    # a thing, not the bladder
    ("mijn blaas loopt niet leeg", "retention"),
    ("het dak lekt constant", None),
    ("ik lek constant", "leak_worse"),
])
def test_a_sign_holds_only_without_its_unless_words_in_the_clause(u, text, flagged):
    assert found(u, text) == flagged, text


@pytest.mark.parametrize("text, category", [
    ("mijn mond is kurkdroog en ik moet om het uur plassen", "thirst"),
    ("ik heb twee weken geleden een kind gekregen", "pregnancy"),   # "kind" was once a filler word
    ("het plassen komt niet op gang", "retention"),
    ("ik voel daar vanonder iets uitsteken", "prolapse"),
    ("de thermometer gaf negenendertig graden aan", "fever"),
    ("ik heb een raar prikkelend gevoel in mijn benen", "numbness"),
    ("de kraamverzorgster komt nog elke dag", "pregnancy"),
    ("mijn straal stopt halverwege", "retention"),
    ("mijn voet slaapt vaak bij het oefenen", "numbness"),
    ("er zat een keutel in mijn onderbroek", "stool"),
    ("het lekken is flink toegenomen", "leak_worse"),
    ("mijn verband ruikt naar rotte vis", "urine_changed"),
    ("de dokter zegt dat het urineretentie is", "retention"),
    ("ik heb een prolaps", "prolapse"),
    # Frisian and Surinamese Dutch, read as Dutch ([normalise.synonyms], from batch 15b)
    ("der hinget wat ut by my under", "prolapse"), ("myn pisse stjonkt sa bot", "urine_changed"),
    ("it rint der hieltyd ut en ik kin it net mear halde", "leak_worse"), ("a e hati als ik ga plassen", "pain"),
])
def test_the_rules_alone_know_symptoms_in_plain_words(u, text, category):
    """The safety layer itself, not the classifier behind it: rules reach phrasings no example has."""
    assert found(u, text) == category, text


def test_a_sign_may_ask_for_the_very_word_not_its_stem(u):
    """'geopereerd' and 'operatie' share a stem: the first is a recent operation, the second may
    be a question about treatment, which the leaflet answers."""
    assert u.understand("ik ben vorige week geopereerd").category == "surgery"
    assert u.understand("is er een operatie mogelijk").kind != "safety"


def test_a_red_flag_wins_over_an_exercise_question(u):
    r = u.understand("mag ik nog oefenen nu ik bloed in mijn plas heb")
    assert r.kind == "safety" and r.category == "blood"


def test_cannot_pee_at_all_says_call_today(u):
    r = u.understand("ik kan helemaal niet plassen")
    assert r.urgent and "vandaag" in r.answer


def test_not_understood_but_about_the_body_points_to_the_huisarts(u):
    r = u.understand("mijn blaas doet raar de laatste tijd")
    assert r.kind in ("body", "safety") and "huisarts" in r.answer


def test_every_session_phrase_is_a_red_flag(u):
    for phrase in prompts.load("safety")["session_phrases"]:
        assert u.understand(phrase).kind == "safety", phrase


def test_nothing_the_coach_says_sets_off_the_safety_layer(u):
    words = prompts.load("coach")
    said = set()
    for position in POSITIONS:
        for first in (True, False):
            plan = P.build_plan(Settings(position=position), words, first_session=first, closing=[])
            said |= {c.text for c in plan}
    said |= set(words["control"]["during"].values()) | set(words["control"]["halted"].values())
    for text in sorted(said):
        assert u.understand(text.format(rep=1, reps=10, done=1)).kind != "safety", text


def test_a_guessed_red_flag_is_excused_like_a_found_one(u):
    """The classifier may guess a red flag the signs missed, but not of the cat, a complaint long
    over, or a knee: the same excuses as the signs. Someone else is excused by the signs (checked
    here through ``excused``), but a guess is not excused for that alone, since a partner or carer
    may speak for the patient; "mijn dochter is in verwachting" is still no alarm."""
    for text, category in [("de kat drinkt de hele dag en heeft zoveel dorst", "thirst"),
                           ("mijn dochter is in verwachting", "pregnancy"),
                           ("twee jaar geleden was mijn plas een keer rood", "blood"),
                           ("mijn knie is dik en warm", "prolapse")]:
        words = u.normalise(text).split()
        assert u.safety.excused(words, category), text
        assert u.understand(text).kind != "safety", text
    assert not u.safety.excused(u.normalise("ik drink de hele dag en heb zoveel dorst").split(), "thirst")


def test_a_sign_word_split_by_the_recogniser_is_joined_but_nothing_is_corrected_into_one(u):
    assert u.normalise("ik heb een ka theter") == "ik heb een katheter"
    assert u.understand("ik heb een ka theter").category == "surgery"
    for text in ("waar kan ik bloemen bestellen", "wie is de beste zanger van nederland"):
        assert u.normalise(text) == text and u.understand(text).kind != "safety", text


@pytest.mark.parametrize("text, meant, category", [
    ("ik heb koorst", "ik heb koorts", "fever"),              # two letters swapped
    ("ik ben zwnager", "ik ben zwanger", "pregnancy"),
    ("ik heb zo een dorsd", "ik heb zo een dorst", "thirst"),  # d for t
    ("ik heb een keizer snee gehad", "ik heb een keizersnede gehad", "pregnancy"),   # split, then a synonym
])
def test_a_sign_word_with_a_common_slip_is_read_as_the_sign_word(u, text, meant, category):
    assert u.normalise(text) == meant
    assert u.understand(text).category == category, text


def test_a_misheard_word_never_becomes_a_negation(u):
    """"niest" is "niets" with two letters swapped and "niet" with one letter more, but "als ze
    niest" negates nothing."""
    said = u.normalise("als ze niest lekt ze").split()
    assert not {"niet", "niets"} & set(said), said


@pytest.mark.parametrize("text", ["zijn bloed kookte van woede", "de thee is troebel geworden",
                                  "mijn portemonnee bloedt na die vakantie"])
def test_a_sign_the_classifier_is_sure_is_a_look_alike_gets_the_gentle_answer(u, text):
    """The word rules fire on these; the classifier, which heard such look-alikes, is sure they are
    out of domain. No alarm then, but still "bespreek het met uw huisarts", never nothing."""
    assert found(u, text) is not None, text
    r = u.understand(text)
    assert r.kind == "body" and "huisarts" in r.answer, text


def test_no_red_flag_example_the_signs_find_is_doubted(u):
    """The doubt is only for look-alikes: every red-flag example whose signs fire stays referred."""
    examples = prompts.load("examples")["safety"]
    doubted = [t for lines in examples.values() for t in lines
               if found(u, t) is not None and u.understand(t).kind != "safety"]
    assert doubted == []


def test_a_sign_word_no_look_alike_ever_held_is_never_doubted(u, monkeypatch):
    """The classifier may be sure a sentence is out of domain because of its other words ("er is
    sprake van ..."); it has heard "bloed" in look-alikes, but never "hematurie" or "cystectomie"."""
    monkeypatch.setattr(u, "_guess", lambda model, core: ("ood:ood", 2.0, 3.0))    # as sure as it gets
    assert u.understand("er is sprake van macroscopische hematurie").kind == "safety"
    assert u.understand("na de cystectomie van vorige maand").kind == "safety"
    assert u.understand("zijn bloed kookte van woede").kind == "body"


@pytest.mark.parametrize("text", ["uitzakking", "au", "kateter"])
def test_a_sign_word_said_alone_is_never_doubted(u, text):
    assert u.understand(text).kind == "safety", text


@pytest.mark.parametrize("text, category", [
    ("mijn vrouw zegt dat er bloed in haar plas zit", "blood"),
    ("onze moeder kan sinds vanmorgen niet meer plassen", "retention"),
    ("mijn vrouw heeft sinds gisteren een branderig gevoel bij het plassen", "pain"),
    ("mijn moeder verliest ineens de hele tijd urine", "leak_worse"),
    ("mijn vrouw is drie weken geleden bevallen", "pregnancy"),
])
def test_a_red_flag_told_by_a_partner_or_a_child_is_the_patients(u, text, category):
    """A partner or a child speaks for the patient, who is mostly a wife or a mother: the word rules
    themselves find the sign, as they would in her own words."""
    assert found(u, text) == category, text
    r = u.understand(text)
    assert (r.kind, r.category) == ("safety", category), text


@pytest.mark.parametrize("text", ["de vrouw van mijn collega is zwanger", "mijn dochter is zwanger",
                                  "mijn schoonmoeder heeft koorts"])
def test_a_sign_of_anyone_else_is_excused_by_the_rules(u, text):
    """... but not one of a colleague's wife, a daughter or a mother-in-law: the classifier, which
    has heard both, decides those."""
    assert found(u, text) is None, text


@pytest.mark.parametrize("text", ["mijn kleinzoon heeft koorts", "mijn zus heeft een blaasontsteking",
                                  "mijn man heeft pijn in zijn knie"])
def test_other_peoples_health_is_no_alarm(u, text):
    assert u.understand(text).kind != "safety", text


@pytest.mark.parametrize("text", ["mijn prostaat is twee jaar geleden weggehaald helpen deze oefeningen mij ook",
                                  "ik ben jaren geleden aan mijn prostaat geopereerd werkt dit ook voor mij als man"])
def test_a_complaint_long_over_leaves_the_question_around_it(u, text):
    """A sign of long ago is no red flag, and the rest of the sentence is a question like any other:
    the man after an old prostate operation is told the leaflet is written for women."""
    assert found(u, text) is None, text
    r = u.understand(text)
    assert (r.kind, r.intent) == ("question", "voor_mannen"), text


@pytest.mark.parametrize("text, flagged", [
    ("ik heb nu ook buikpijn onderin", "pain"), ("ik heb plaspijn", "pain"), ("ik heb hoofdpijn", None),
    ("ik heb spierpijn van het fietsen", None), ("ik heb een buikkatheter gekregen", "surgery"),
    ("ik heb sinds vannacht nog geen druppel geplast", "retention"), ("ik lek geen druppel meer", None),
])
def test_a_sign_said_in_one_word_or_as_no_drop_at_all(u, text, flagged):
    """Dutch joins words: "buikpijn" and "buikkatheter" are no "pijn" or "katheter" to the stemmer.
    And "geen druppel geplast" is the sign itself, not a negated one."""
    assert found(u, text) == flagged, text


def test_every_sign_is_found_by_its_own_words(u):
    """Each sign of safety.toml, said as the first word of each of its groups, is spoken of: the
    index that picks the signs worth trying (by the words of one group) leaves none out."""
    signs = [s for c in prompts.load("safety")["categories"].values() for s in c["signs"]]
    assert len(signs) > 100
    for sign in signs:
        words = [group.split("|")[0].lstrip("=") for group in sign.split() if not group.startswith("!")]
        assert u.safety.mentions(words), sign


def test_a_sign_with_only_unless_words_is_a_clear_fault_of_the_file():
    """Such a sign would hold in every sentence; a physiotherapist who writes one is told so in Dutch."""
    from assistant.errors import UserError
    from assistant.language.safety import SafetyLayer
    from assistant.language.words import Stems

    data = prompts.load("safety")
    broken = {**data, "categories": {**data["categories"],
                                     "blood": {**data["categories"]["blood"], "signs": ["!niet|geen"]}}}
    SafetyLayer(data, Stems())
    with pytest.raises(UserError, match="safety.toml.*blood"):
        SafetyLayer(broken, Stems())


@pytest.mark.parametrize("text, flagged", [
    # the sign's own negation, from training batches 7c, 9a, 11a, 13a, 16c
    ("mijn darmen kan ik niet meer ophouden", "stool"),
    ("ik haal de wc niet meer met poepen", "stool"),
    ("mijn man zegt dat ik al de hele dag niet geplast heb", "retention"),
    ("oma kan sinds vanochtend bijna niet op haar benen staan", "numbness"),
    ("beneden ik voel niks meer", "numbness"),
    ("ik ben drie weken over tijd", "pregnancy"),
    # ... and what must stay quiet
    ("ik heb sinds de oefeningen niet meer in mijn broek geplast", None),
    ("ik voel eigenlijk niet of er iets aanspant daar beneden", None),
    ("de tintelingen zijn al maanden over", None),
])
def test_a_sign_may_hold_its_own_negation(u, text, flagged):
    assert found(u, text) == flagged, text


def test_a_part_of_the_vulva_is_not_the_mouth(u):
    """"schaam lippen", split by the recogniser, is joined and is of the pelvis: no lip elsewhere."""
    assert found(u, "er zit iets tussen mijn schaam lippen dat naar buiten drukt") == "prolapse"
    assert found(u, "er komt iets naar buiten bij mijn lippen") is None


@pytest.mark.parametrize("text, flagged", [
    ("het brandt niet bij het plassen", None), ("mijn plas ruikt ook niet vies", None),
    ("mijn benen tintelen niet", None), ("t brandt nait bie t plassen hoor", None),
    ("het brandt niet alleen bij het plassen maar ook daarna", "pain"),
    ("het prikt niet zo erg maar toch", "pain"),
    ("mijn plas ruikt niet goed", "urine_changed"), ("mijn plas ruikt precies niet normaal", "urine_changed"),
    ("mijn plas ruikt niet lekker", "urine_changed"), ("het schuimt en het ruikt niet goed mijn plas", "urine_changed"),
    ("ik kan mijn winden niet ophouden", "stool"),       # after a noun the negation is the complaint
    ("het brandt", "pain"),
])
def test_a_sensation_told_as_a_verb_is_denied_by_a_negation_just_after_it(u, text, flagged):
    assert found(u, text) == flagged, text


@pytest.mark.parametrize("text, flagged", [
    ("ik heb geen last meer van branden", None), ("ik heb nergens last van prikken", None),
    ("ik kan niet meer zitten van de pijn daar beneden", "pain"),       # "van": because of the pain
    ("ik heb precies geen sluitspier meer het loopt er allemaal uit", "leak_worse"),
    ("mijn kinderen zijn allang volwassen dus zwanger ben ik niet", None),
    ("ik voel geen zwaar gevoel van onderen", None), ("ik heb geen bultje gevoeld daar beneden", None),
    ("ik heb geen gevoel meer van onderen", "numbness"),
])
def test_negations_reach_past_last_and_deny_after_being(u, text, flagged):
    assert found(u, text) == flagged, text


@pytest.mark.parametrize("text, flagged", [
    ("het branden bij het plassen is helemaal over", None), ("da branden bij het plassen is al lang gepasseerd", None),
    ("de koorts is voorbij", None), ("ik heb koorts", "fever"),
    ("de pijn is niet helemaal over", "pain"),     # not over
    ("het branden is helemaal over maar nu weer terug", "pain"),
])
def test_a_complaint_said_to_be_over_in_the_present_tense(u, text, flagged):
    assert found(u, text) == flagged, text


@pytest.mark.parametrize("text, flagged", [
    ("wat is een katheter eigenlijk", None), ("hoe lang duurt een zwangerschap", None),
    ("wat is fecale incontinentie precies", None),
    ("wat is dat bloed in mijn plas", "blood"),                 # someone is named: her own
    ("hoe lang duurt de koorts van mijn vrouw nog", "fever"),
    ("ik heb een katheter wat is dat eigenlijk", "surgery"),    # not asked first
])
def test_a_question_of_knowledge_naming_no_one_is_no_red_flag(u, text, flagged):
    assert found(u, text) == flagged, text


@pytest.mark.parametrize("text, flagged", [
    ("de ketchup komt er niet uit", None), ("de kraan lekt de hele tijd", None),
    ("er staat veel wind vandaag dus ik ga niet fietsen", None),
    ("het doet me pijn dat mijn zus niet op mijn verjaardag komt", None),
    ("er komt niks uit als ik moet plassen", "retention"), ("ik lek de hele tijd", "leak_worse"),
    ("zelfs met de kraan open ernaast komt er niets", "retention"),     # a tap run to help: not the tap's
    ("ik zit op de pot en er komt niks uit", "retention"), ("er komt niks in de fles", "retention"),
    ("ik kan mijn winden niet ophouden", "stool"), ("het doet pijn als ik plas", "pain"),
])
def test_things_weather_and_sorrow_are_no_sign(u, text, flagged):
    assert found(u, text) == flagged, text


@pytest.mark.parametrize("text, flagged", [
    ("vroeger als kind had ik vaak koorts maar nu nooit meer", None),
    ("vroeger had ik elke winter blaasontsteking maar nu al jaren niet meer", None),
    ("de stoelgang was even traag maar nu gaat het weer goed", None),
    ("vroeger had ik koorts en nu weer", "fever"),
    ("het plassen gaat weer goed maar nu bloed ik", "blood"),
    ("ik had pijn bij het plassen en dat is nu weer terug", "pain"),
])
def test_now_no_more_leaves_a_complaint_over(u, text, flagged):
    assert found(u, text) == flagged, text


@pytest.mark.parametrize("text, flagged", [
    ("mijn zus heeft een verzakking maar die doet geen oefeningen", None),
    ("mijn dochter is weer zwanger maar ze doet geen oefeningen", None),
    ("mijn dochter doet deze oefeningen en haar plas is rood", "blood"),
])
def test_someone_else_who_does_no_exercises_is_someone_else(u, text, flagged):
    assert found(u, text) == flagged, text


def test_a_urinal_holds_urine(u):
    """Told of someone else, the rules find the sign and leave it to the classifier, which has heard
    carers speak for the patient (see test_a_red_flag_told_by_a_partner_or_a_child_is_the_patients)."""
    assert u.safety.for_someone(u.normalise("ons vader zijn urinaal staat vol met bruinrood vocht").split())

"""The programme as the leaflet means it, on a fake calendar: check-up dates asked (never assumed),
the plasdagboek kept by voice, the decision tree at 6 weeks and 3 months, and the next moments."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from assistant import numbers, prompts
from assistant.app.conversation import Conversation
from assistant.clock import FakeClock
from assistant.language import dates
from assistant.language.diary import DiaryPhrases
from assistant.language.understanding import Understanding
from assistant.programme import checkins
from assistant.programme import journal as J
from assistant.programme.keeper import ProgrammeKeeper
from assistant.settings import Settings
from fakes import RecordingSink

AMS = ZoneInfo("Europe/Amsterdam")
TUESDAY = date(2026, 12, 1)


@pytest.fixture(scope="module")
def words():
    return prompts.load("words")


@pytest.fixture(scope="module")
def phrases():
    return DiaryPhrases(prompts.load("diary"), prompts.load("words"))


@pytest.fixture(scope="module")
def understanding():
    return Understanding()


# -- Dutch dates -------------------------------------------------------------------------------------
@pytest.mark.parametrize("said, expected", [
    ("over twee weken", date(2026, 12, 15)), ("over 2 weken", date(2026, 12, 15)),
    ("dinsdag de vijftiende", date(2026, 12, 15)), ("15 december", date(2026, 12, 15)),
    ("volgende week woensdag", date(2026, 12, 9)), ("woensdag volgende week", date(2026, 12, 9)),
    ("vijftien december", date(2026, 12, 15)), ("op de 15e", date(2026, 12, 15)),
    ("morgen", date(2026, 12, 2)), ("overmorgen", date(2026, 12, 3)), ("woensdag", date(2026, 12, 2)),
    ("dinsdag", date(2026, 12, 8)),                     # a weekday alone is the next one, not today
    ("op 3 januari", date(2027, 1, 3)),                 # passed this year: next year's
    ("3 november", date(2027, 11, 3)), ("15-12", date(2026, 12, 15)), ("over tien dagen", date(2026, 12, 11)),
    ("over een maand", date(2027, 1, 1)), ("eenendertig december", date(2026, 12, 31)),
    ("dinsdag de vierde", date(2027, 5, 4)),            # the next 4th that is a Tuesday
    ("mijn controle is op vijftiende december 2027", date(2027, 12, 15)),
    ("volgende week", None), ("nee", None), ("ik weet het nog niet", None), ("de dertigste februari", None),
])
def test_dutch_dates_relative_to_today(said, expected, words):
    assert dates.parse(said, TUESDAY, words) == expected


@pytest.mark.parametrize("n, said", [(1, "een"), (21, "eenentwintig"), (22, "tweeëntwintig"), (250, "tweehonderdvijftig"),
                                     (1000, "duizend"), (1500, "vijftienhonderd"), (2345, "tweeduizend driehonderdvijfenveertig")])
def test_numbers_in_words_both_ways(n, said, words):
    assert numbers.say(n, words) == said
    assert numbers.value_at(said.split(), 0, words)[0] == n
    assert numbers.value_at(numbers.plain(said).split(), 0, words)[0] == n


# -- plasdagboek lines -------------------------------------------------------------------------------
@pytest.mark.parametrize("said, kind, ml, size, note, count, container", [
    ("ik heb net 200 milliliter geplast", "void", 200, None, None, None, None),
    ("ik heb net tweehonderd milliliter geplast", "void", 200, None, None, None, None),
    ("ik heb net twee honderd vijftig ml geplast", "void", 250, None, None, None, None),
    ("ik heb net geplast", "void", None, None, None, None, None),
    ("ik heb twee glazen water gedronken", "drink", None, None, "water", 2, "glas"),
    ("ik heb anderhalve liter water gedronken", "drink", 1500, None, "water", None, None),
    ("ik heb een kop thee gedronken", "drink", None, None, "thee", 1, "kop"),
    ("ik heb een beetje urine verloren bij het hoesten", "leak", None, "beetje", "bij het hoesten", None, None),
    ("ik heb een paar druppels verloren tijdens het sporten", "leak", None, "druppels", "tijdens het sporten", None, None),
    ("ik heb urine verloren", "leak", None, None, None, None, None),
    ("ik heb mijn inlegkruisje verschoond", "pad", None, None, "inlegkruisje", None, None),
    ("ik moest erg nodig", "urge", None, None, None, None, None),
    ("ik moest erg nodig en heb toen 300ml geplast", "void", 300, None, "met aandrang", None, None),
])
def test_diary_lines_become_entries_with_nothing_guessed(phrases, said, kind, ml, size, note, count, container):
    e = phrases.entry(said)
    assert (e.kind, e.ml, e.size, e.note, e.count, e.container) == (kind, ml, size, note, count, container)


@pytest.mark.parametrize("said", ["hoeveel moet ik drinken", "ik verlies weer urine", "nu lek ik weer",
                                  "mijn klachten zijn minder", "start oefening", "wat is een plasdagboek",
                                  "moet ik plassen voor het oefenen", "is het erg als ik urine verloren heb?"])
def test_questions_and_complaints_are_not_diary_lines(phrases, said):
    assert phrases.entry(said) is None


# -- the conversation core: a diary typed or said, undone, summed up --------------------------------
class Calendar:
    def __init__(self, start):
        self.t = start

    def __call__(self):
        return self.t


def conversation(tmp_path, understanding, start=datetime(2026, 12, 1, 9, 0, tzinfo=AMS)):
    journal = J.Journal(tmp_path)
    when = Calendar(start)
    keeper = ProgrammeKeeper(journal, when)
    clock = FakeClock()
    sink = RecordingSink(clock)
    conv = Conversation(settings=Settings(), coach_words=prompts.load("coach"), journal=journal, keeper=keeper,
                        understanding=understanding, sink=sink, clock=clock)
    def say(text):
        before = len(sink.texts())
        conv.hear(understanding.understand(text))
        return " ".join(sink.texts()[before:])
    return say, when, keeper, journal


def test_a_diary_day_by_voice_noted_undone_and_summed_up(tmp_path, understanding):
    say, when, keeper, journal = conversation(tmp_path, understanding)
    assert say("ik heb net 200 milliliter geplast") == "Genoteerd: tweehonderd milliliter geplast."
    when.t += timedelta(hours=1)
    reply = say("ik heb twee glazen water gedronken")
    assert reply.startswith("Genoteerd: twee glazen water gedronken.") and "Hoeveel milliliter gaat er in uw glas" in reply
    assert say("tweehonderdvijftig milliliter") == "Goed: een glas is voortaan tweehonderdvijftig milliliter."
    when.t += timedelta(hours=1)
    assert say("ik heb een glas water gedronken") == "Genoteerd: een glas water gedronken."   # asked once only
    assert say("ik moest erg nodig") == "Genoteerd: aandrang."          # a diary line, not the leaflet answer
    assert say("dat klopt niet") == "Goed, weggehaald: aandrang."
    say("ik heb een beetje urine verloren bij het hoesten")
    say("ik heb mijn inlegkruisje verschoond")
    say("ik heb net driehonderd milliliter geplast")
    rows = J.DiaryLog(journal).rows()
    assert [(r.kind, r.ml, r.size, r.note) for r in rows] == [
        ("void", 200, None, None), ("drink", 500, None, "water"), ("drink", 250, None, "water"),
        ("leak", None, "beetje", "bij het hoesten"), ("pad", None, None, "inlegkruisje"), ("void", 300, None, None)]
    assert rows[0].at == datetime(2026, 12, 1, 9, 0, tzinfo=AMS)
    summary = say("hoe ziet mijn plasdagboek van vandaag eruit")
    assert summary == ("Vandaag: twee keer geplast, samen vijfhonderd milliliter; zevenhonderdvijftig milliliter gedronken; "
                       "één keer urine verloren en één keer verschoond.")
    assert not re.search(r"\d", summary)


def test_undo_only_right_after_a_diary_line_and_red_flags_win(tmp_path, understanding):
    say, when, keeper, journal = conversation(tmp_path, understanding)
    say("ik heb net 200 milliliter geplast")
    say("hoe vaak moet ik oefenen")
    assert "weggehaald" not in say("dat klopt niet")       # no longer about the diary line
    assert len(J.DiaryLog(journal).rows()) == 1
    flag = say("ik heb urine verloren en er zat bloed bij")
    assert "huisarts" in flag.lower() and "Genoteerd" not in flag
    assert len(J.DiaryLog(journal).rows()) == 1


def test_a_summary_without_entries_and_with_unknown_amounts(tmp_path, understanding):
    say, when, keeper, journal = conversation(tmp_path, understanding)
    assert "nog niets in uw plasdagboek" in say("samenvatting plasdagboek")
    say("ik heb een kop thee gedronken")
    say("hoe vaak moet ik oefenen")                       # the cup's size question is left unanswered
    say("ik heb net geplast")
    text = say("hoeveel heb ik vandaag gedronken")
    assert "één keer gedronken" in text and "milliliter" not in text and "één keer geplast" in text


# -- the check-up date: asked, never assumed -----------------------------------------------------------
def test_the_coach_asks_for_the_check_up_and_counts_the_plasdagboek_back_from_it(tmp_path, understanding):
    say, when, keeper, journal = conversation(tmp_path, understanding)
    sid = journal.start_session(when.t, "lying", 1.0, 10)
    journal.finish_session(sid, when.t + timedelta(minutes=3), True, 10)
    asked = keeper.announcements()
    assert any("Heeft de huisarts een controle met u afgesproken" in s for s in asked)
    reply = say("dinsdag de vijftiende")
    assert reply == ("Genoteerd: uw controle is op dinsdag vijftien december. Op zaterdag twaalf december "
                     "herinner ik u aan het plasdagboek, voor als de huisarts daarom vroeg.")
    assert J.AppointmentLog(journal).dates() == [date(2026, 12, 15)]
    for day in range(2, 12):
        when.t = datetime(2026, 12, day, 10, 0, tzinfo=AMS)
        assert not any("plasdagboek" in s for s in keeper.announcements()), day   # no week-2 guess either
    when.t = datetime(2026, 12, 12, 8, 0, tzinfo=AMS)
    said = " ".join(keeper.announcements())
    assert "Op dinsdag vijftien december is uw controle" in said and "plasdagboek" in said
    when.t = datetime(2026, 12, 15, 8, 0, tzinfo=AMS)
    assert "Vandaag is uw controle" in " ".join(keeper.announcements())


def test_no_appointment_keeps_the_leaflets_two_and_six_weeks_as_a_question(tmp_path, understanding):
    say, when, keeper, journal = conversation(tmp_path, understanding)
    sid = journal.start_session(when.t, "lying", 1.0, 10)
    journal.finish_session(sid, when.t + timedelta(minutes=3), True, 10)
    keeper.announcements()
    assert "Spreekt de huisarts een controle met u af" in say("nee")
    when.t += timedelta(days=10)
    asked = " ".join(keeper.announcements())
    assert "Heeft u al een afspraak?" in asked and "Meestal" in asked and "plasdagboek" not in asked
    assert "Wanneer is de afspraak" in say("ja")
    assert "Genoteerd: uw controle is op" in say("over vijf dagen")
    assert J.AppointmentLog(journal).dates() == [date(2026, 12, 16)]


def test_a_check_up_date_may_be_told_at_any_time(tmp_path, understanding):
    say, when, keeper, journal = conversation(tmp_path, understanding)
    assert "vijftien december" in say("mijn controle bij de huisarts is op 15 december")
    assert say("ik heb volgende week dinsdag een afspraak bij de huisarts").startswith(
        "Genoteerd: uw controle is op dinsdag acht december. Op zaterdag vijf december herinner ik u")
    assert J.AppointmentLog(journal).dates() == [date(2026, 12, 8)]      # the new date replaces the old


def test_the_plasdagboek_promise_in_the_faq_is_kept(tmp_path, understanding):
    """faq.toml: "Ik herinner u er drie dagen voor de controle aan": with a date, it does."""
    faq = prompts.load("faq")["intents"]["plasdagboek"]
    assert "drie dagen voor de controle" in faq["more"]
    say, when, keeper, journal = conversation(tmp_path, understanding)
    say("mijn controle is over twee weken")
    when.t += timedelta(days=11)
    assert any("plasdagboek" in s for s in keeper.announcements())


# -- the decision tree, every path, on a fake calendar -------------------------------------------------
def run_programme(tmp_path, understanding, answer=None, answer_on=45, until=100):
    """A user who practises daily from 1 June and says nothing but ``answer`` on day ``answer_on``."""
    journal = J.Journal(tmp_path)
    start = datetime(2026, 6, 1, 9, 0, tzinfo=AMS)
    when = Calendar(start)
    keeper = ProgrammeKeeper(journal, when)
    from assistant.language.dialog import Dialog
    dialog = Dialog(understanding, keeper=keeper)
    heard: dict[int, list[str]] = {}
    replies = {}
    for day in range(until):
        when.t = start + timedelta(days=day)
        sid = journal.start_session(when.t, "lying", 1.0, 10)
        journal.finish_session(sid, when.t + timedelta(minutes=3), True, 10)
        when.t += timedelta(hours=1)
        heard[day] = keeper.announcements()
        keeper.pending_question = None
        if answer and day == answer_on:
            replies[day] = dialog.handle(answer).say
    return heard, replies, journal


def said_on(heard, fragment):
    return [d for d, lines in heard.items() if any(fragment in s for s in lines)]


@pytest.mark.parametrize("answer, intent, month3", [
    ("mijn klachten zijn helemaal weg", "klachten_over", False),
    ("mijn klachten zijn minder geworden", "klachten_minder", True),
    ("mijn klachten zijn weer teruggekomen", "klachten_terug", True),
    ("het wordt niet beter", "geen_verbetering", True),
    (None, None, True),
])
def test_every_path_of_the_decision_tree(tmp_path, understanding, answer, intent, month3):
    heard, replies, journal = run_programme(tmp_path, understanding, answer)
    assert said_on(heard, "Heeft de huisarts een controle") == [0]
    assert said_on(heard, "bijna twee weken") == [10] and said_on(heard, "bijna zes weken") == [38]
    assert said_on(heard, "Hoe gaat het met uw klachten") == [42]
    assert said_on(heard, "drie maanden") == ([91] if month3 else [])
    assert not said_on(heard, "Begin het dan vandaag")       # no plasdagboek date is ever assumed
    if intent:
        assert J.CheckinLog(journal).answer_of("outcome_week6") == intent
        decision = prompts.load("programme")["decisions"][intent]
        assert replies[45].endswith(decision["then"])
        leaflet = prompts.load("faq")["intents"][intent]["answer"]
        assert replies[45].startswith(leaflet)


def test_an_answer_after_three_months_is_kept_apart(tmp_path, understanding):
    heard, replies, journal = run_programme(tmp_path, understanding, "het helpt niet", answer_on=95)
    assert J.CheckinLog(journal).answer_of("outcome_month3") == "geen_verbetering"
    assert replies[95].endswith("genoteerd.")


def test_too_early_an_answer_is_the_leaflet_only(tmp_path, understanding):
    heard, replies, journal = run_programme(tmp_path, understanding, "mijn klachten zijn minder", answer_on=20, until=25)
    assert J.CheckinLog(journal).answer_of("outcome_week6") is None and "genoteerd" not in replies[20]


# -- the next moments: a pure function of the journal and the clock -------------------------------------
def test_next_moments_for_any_front_end(tmp_path, understanding):
    say, when, keeper, journal = conversation(tmp_path, understanding)
    # 09:00: this morning's reminder (08:30) has passed; the others come, and tomorrow's three
    assert [m.kind for m in keeper.next_moments()] == ["reminder:afternoon", "reminder:evening",
                                                       "reminder:morning", "reminder:afternoon", "reminder:evening"]
    sid = journal.start_session(when.t, "lying", 1.0, 10)
    journal.finish_session(sid, when.t + timedelta(minutes=3), True, 10)
    say("mijn controle is op 15 december")
    kinds = {m.kind: m.at for m in keeper.next_moments()}
    assert kinds["diary:2026-12-15"] == datetime(2026, 12, 12, tzinfo=AMS)
    assert kinds["appointment:2026-12-15"] == datetime(2026, 12, 15, tzinfo=AMS)
    assert kinds["outcome_week6"].date() == date(2027, 1, 12) and kinds["gp_month3"].date() == date(2027, 3, 2)
    assert "appointment_week2" not in kinds              # a date is known: no question about one
    assert "reminder:morning" not in [m.kind for m in keeper.next_moments() if m.at.date() == when.t.date()]
    # pure: the same state and clock give the same answer, and nothing was marked as said
    state = keeper.state()
    assert checkins.moments(state, when.t, keeper.words, keeper.say_date) == \
        checkins.moments(state, when.t, keeper.words, keeper.say_date)
    assert "diary:2026-12-15" not in J.CheckinLog(journal).asked()


# -- what is spoken reads well: words, not digits ----------------------------------------------------
def test_built_sentences_have_no_digits(tmp_path, understanding):
    from assistant.programme import calendar as programme
    from assistant.programme.journal import SessionRow
    words = prompts.load("programme")
    rows = [SessionRow(i, datetime(2026, 5, 1 + i // 2, 8 + 6 * (i % 2), tzinfo=AMS), "lying", 1.0, 10, 10, "completed", None)
            for i in range(12)]
    progress = programme.answer_progress(rows, datetime(2026, 5, 7, 21, tzinfo=AMS), words)
    assert "bijna twee keer per dag" in progress and not re.search(r"\d", progress)
    say, when, keeper, journal = conversation(tmp_path, understanding)
    spoken = [say("ik heb net 1500 ml geplast"), say("ik heb 2 glazen water gedronken"), say("250 ml"),
              say("ik heb een halve liter thee gedronken"), say("samenvatting plasdagboek"),
              say("mijn controle is op 15-12-2027"), say("mijn controle is over 2 weken")]
    for line in spoken:
        assert line and not re.search(r"\d", line), line

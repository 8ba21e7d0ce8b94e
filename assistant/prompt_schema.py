"""The schemas of the files in prompts/: frozen dataclasses, one per file and section, and the
check that a parsed file fits them (dacite in strict mode, plus a pass that names a missing or
unknown key by its dotted path). Pure. Imported only when a file has to be checked: building
some eighty dataclasses costs 40 ms of every start otherwise.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field
from pathlib import Path

import dacite

from assistant.errors import UserError


# -- coach.toml: everything said during a session -------------------------------------------------
@dataclass(frozen=True)
class CoachTiming:
    gap_after_sentence: float
    gap_before_first_round: float
    room_before_count: float
    gap_after_count: float
    in_beat_rate_factor: float
    counts_before_end: float


@dataclass(frozen=True)
class ByPosition:
    lying: list[str]
    sitting: list[str]
    standing: list[str]


@dataclass(frozen=True)
class CoachIntro:
    first: ByPosition
    short: ByPosition
    explain_first: ByPosition
    explain_short: ByPosition


@dataclass(frozen=True)
class Questions:
    lying: str
    sitting: str
    standing: str


@dataclass(frozen=True)
class Ready:
    question: Questions
    phrases: list[str]
    timeout: float
    pause: float


@dataclass(frozen=True)
class CoachRound:
    announce: str
    announce_last: str
    squeeze: str
    relax: str
    counts: list[str]
    extra: list[str]
    extra_short: list[str]
    extra_after_fraction: list[float]
    breath: str
    breath_short: str
    breath_every: int
    with_count: str


@dataclass(frozen=True)
class CoachEnd:
    praise: str


@dataclass(frozen=True)
class During:
    status_round: str
    status_intro: str
    status_end: str
    tempo_changed: str
    tempo_at_limit: str
    resumed: str


@dataclass(frozen=True)
class Halted:
    paused: str
    stopped: str


@dataclass(frozen=True)
class Control:
    during: During
    halted: Halted


@dataclass(frozen=True)
class Coach:
    timing: CoachTiming
    intro: CoachIntro
    ready: Ready
    round: CoachRound
    end: CoachEnd
    control: Control


# -- commands.toml and faq.toml: hassil templates ---------------------------------------------------
@dataclass(frozen=True)
class CommandSpec:
    answer: str
    keywords: list[str]
    sentences: list[str]
    question_form_ok: bool = False


@dataclass(frozen=True)
class Commands:
    expansion_rules: dict[str, str]
    commands: dict[str, CommandSpec]


@dataclass(frozen=True)
class FaqIntent:
    section: str
    answer: str
    more: str
    sentences: list[str]
    keywords: list[str] = field(default_factory=list)   # words the question may use: the classifier learns them too


@dataclass(frozen=True)
class Faq:
    expansion_rules: dict[str, str]
    intents: dict[str, FaqIntent]


# -- understanding.toml ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Normalise:
    fillers: list[str]
    address: list[str]              # what the user calls the coach ("computer, pauze"): not part of what she asks
    address_greetings: list[str]    # ... and a greeting before it at the start ("hé coach")
    address_kept_after: list[str]   # ... kept at the end after these words: "jij bent een lieve coach"
    people: list[str]               # someone else called at the start, the end or before "ik" ("mam, wacht even"): not a command
    names: list[str]                # first names (and pets') called so too ("fleur, wacht even"); never spelling-corrected
    people_before: list[str]        # ... after these words at the start ("sorry oma, ...")
    people_kept_after: list[str]    # ... not at the end after these: "ik doe het voor oma"
    synonyms: dict[str, str]
    function_words: list[str]
    function_weight: float
    numbers: dict[str, str]


@dataclass(frozen=True)
class Matching:
    recall_weight: float
    cutoff: float
    margin: float
    command_recall: float
    command_min_weight: float
    command_precision: float
    object_words: list[str]
    object_skip: list[str]
    reason_subjects: list[str]
    spelling_cutoff: float
    spelling_min_length: int
    alone_cutoff: float         # a word or two, unknown, that sound like a one-word command: "hellep", "hel pe"
    alone_words: int
    alone_letters: int
    unknown_weight: float
    stopwords: list[str]
    boost: dict[str, float]


@dataclass(frozen=True)
class Question:
    starts: list[str]
    not_questions: list[str]
    request_frames: list[str]
    request_tails: list[str]
    reported_frames: list[str]
    reported_tails: list[str]
    reported_pronouns: dict[str, str]


@dataclass(frozen=True)
class Classifier:
    per_label: int              # template sentences sampled per intent for training
    example_weight: float       # how much one real example counts against one template sentence
    safety_weight: float        # ... and one real example of a red flag (a miss is worse than an alarm)
    c: float                    # the SVM's regularisation (smaller: smoother boundaries)
    threshold: float            # the best label's score must reach this ...
    margin: float               # ... and lead the next label by this much
    command_threshold: float    # a command from the classifier needs this score (it acts)
    min_weight: float           # ... and a word taught for the label that few labels share (ln(labels / labels with it))
    sure: float                 # ... unless its score is at least this: a clear yes from the letters alone
    safety_threshold: float     # a red flag may be guessed from this score ...
    safety_margin: float        # ... leading the next label by this (a missed red flag is worse than an alarm)
    safety_sure: float          # ... and from this score needs no rare word
    counting: list[str]         # counting along ("een en twee en drie"): these words alone are never guessed
    story_words: int            # an utterance this long is also read from each story break on ...
    story_breaks: list[str]     # ... these words: the question comes after the story
    veto: float                 # a nearest sentence is not taken when the classifier scores another label this high
    veto_ood: float             # ... or, for a nearest sentence that is out of domain, this high
    act_margin: float           # a command's nearest sentence gives way to "out of domain" leading by this much
    doubt_threshold: float      # a sign's red flag gets the gentle answer when "out of domain" scores this high ...
    doubt_margin: float         # ... leading by this much ...
    doubt_words: int            # ... in an utterance of this many words or more


@dataclass(frozen=True)
class Safety:
    answer: str
    intent: str


# -- safety.toml: red flags by category ---------------------------------------------------------------
@dataclass(frozen=True)
class RedFlagCategory:
    referral: str
    urgent: bool
    signs: list[str]
    located: bool = False   # a sign of the body in one place (pain, a bulge): not when said of a knee or a tooth


@dataclass(frozen=True)
class SafetyWords:
    negations: list[str]
    negation_window: int
    negation_stops: list[str]   # words that open a new clause: a negation before them does not reach past
    negation_transparent: list[str]  # not counted in the window: "geen last meer van branden"
    fine: list[str]             # said just after a sign's words, the complaint is fine: "mijn plas ruikt gewoon normaal" ...
    fine_not_after: list[str]   # ... unless compared or asked: "vaker dan normaal", "is dat normaal" ...
    fine_not_before: list[str]  # ... "is normaal of niet"
    negated_qualities: list[str]  # a negation just before one negates it, not the sign: "ruikt niet goed, mijn plas"
    denied_after_verbs: list[str]  # a sensation told as a verb, denied by a negation just after it: "het brandt niet"
    denied_after_not_before: list[str]  # ... unless the negation comes before one of these: "brandt niet alleen"
    denied_after: list[str]     # phrases that deny a sign put before them: "pijn heb ik niet"
    denied_window: int          # how many words after the sign such a phrase may begin
    clause_stops: list[str]     # words that open a new clause: the words of one sign must stand in one clause
    clause_stops_not_after: list[str]   # ... unless just after one of these: "nog maar" is "only"
    not_about_me: list[str]
    elsewhere: list[str]        # body parts away from the pelvis: "mijn knie doet zeer" is no located red flag ...
    pelvic: list[str]           # ... unless one of these is said too: "pijn in mijn knie en bij het plassen"
    others: list[str]
    first_person: list[str]
    exercising: list[str]
    general_questions: list[str]  # a question of knowledge, naming no one, is no red flag: "wat is een katheter"
    personal: list[str]         # ... words that name someone (with first_person and others)
    harmless: list[str]
    long_ago: list[str]         # a complaint of long ago ("twee jaar geleden") ...
    resolved: list[str]         # ... or one that is over ("is genezen") is no red flag ...
    resolved_now: list[str]     # ... nor one said to be over in the present tense ("is helemaal over") ...
    still: list[str]            # ... unless one of these says it is back or still there ("nu", "weer")
    still_voided_by: list[str]  # ... but not just before one of these: "maar nu al jaren niet meer"
    past: list[str]             # a complaint that is over is told in the past: "ik had", "vorige week"
    body_words: list[str]
    body_answer: str
    session_phrases: list[str]
    categories: dict[str, RedFlagCategory]


@dataclass(frozen=True)
class Answer:
    answer: str


@dataclass(frozen=True)
class OutOfDomain:
    answer: str
    sentences: list[str]
    lists: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class DialogWords:
    more_answer_missing: str
    no_journal: str
    more_sentences: list[str]


@dataclass(frozen=True)
class UnderstandingWords:
    normalise: Normalise
    matching: Matching
    question: Question
    classifier: Classifier
    safety: Safety
    unclear: Answer
    out_of_domain: OutOfDomain
    dialog: DialogWords


# -- examples.toml: sentences as people said them --------------------------------------------------
@dataclass(frozen=True)
class ExampleSentences:
    sentences: list[str]


@dataclass(frozen=True)
class Examples:
    questions: dict[str, list[str]]
    commands: dict[str, list[str]]
    safety: dict[str, list[str]]
    out_of_domain: ExampleSentences


# -- frontends.toml ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class VoiceWords:
    welcome: str
    microphone_lost: str
    microphone_back: str
    recogniser_error: str
    no_model_typed: str
    no_microphone_typed: str


@dataclass(frozen=True)
class TypedWords:
    welcome: str
    in_session_hint: str
    exit_words: list[str]
    goodbye: str
    no_speaker: str


@dataclass(frozen=True)
class CliWords:
    interrupted: str
    unexpected: str
    first_start: str


@dataclass(frozen=True)
class JournalWords:
    unsaved_all: str
    unsaved_from: str
    unsaved_end: str
    reasons: dict[str, str]


@dataclass(frozen=True)
class SatelliteWords:
    busy: str
    unreachable: str


@dataclass(frozen=True)
class ServiceWords:
    installed: str
    written_no_systemd: str
    removed: str
    removed_no_systemd: str
    not_installed: str
    status: str
    status_no_systemd: str
    yes: str
    no: str
    cannot_write: str
    systemctl_failed: str


@dataclass(frozen=True)
class FrontEnds:
    voice: VoiceWords
    typed: TypedWords
    cli: CliWords
    journal: JournalWords
    satellite: SatelliteWords
    service: ServiceWords


# -- programme.toml ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class DayParts:
    afternoon_from: int
    evening_from: int
    names: dict[str, str]
    next_names: dict[str, str]
    every_names: dict[str, str]


@dataclass(frozen=True)
class Goal:
    sessions_per_day: int
    weeks_to_improvement: str


@dataclass(frozen=True)
class ProgrammeWordList:
    numbers: list[str]
    times: list[str]
    times_many: str
    months: list[str]
    date: str
    list_and: str
    clock_times: list[str]
    hours: list[str]
    about: dict[str, str]


@dataclass(frozen=True)
class ProgrammeAnswers:
    today_none: str
    today_some: str
    today_left: str
    today_done: str
    week: str
    week_none: str
    progress: str
    streak: str
    progress_none: str
    closing_left: str
    closing_done: str
    closing_evening: str


@dataclass(frozen=True)
class Templates:
    sentences: list[str]


@dataclass(frozen=True)
class ReminderSentences:
    later: list[str]
    dismiss: list[str]
    set: list[str]


@dataclass(frozen=True)
class Reminders:
    morning: str
    afternoon: str
    evening: str
    snooze_minutes: int
    say: str
    snoozed: str
    dismissed: str
    set: str
    set_unclear: str
    nothing_to_snooze: str
    sentences: ReminderSentences


@dataclass(frozen=True)
class CheckInWords:
    day: int
    say: str


@dataclass(frozen=True)
class CheckIns:
    appointment_start: CheckInWords
    appointment_week2: CheckInWords
    appointment_week6: CheckInWords
    outcome_week6: CheckInWords
    gp_month3: CheckInWords
    diary_days_before: int
    diary_say: str
    appointment_day_say: str
    outcome_intents: list[str]
    noted: str


@dataclass(frozen=True)
class Decision:
    month3: bool
    then: str


@dataclass(frozen=True)
class AppointmentWords:
    words: list[str]
    none: list[str]
    ask_when: str
    noted: str
    noted_soon: str
    past: str
    no_date: str
    unclear: str


@dataclass(frozen=True)
class Progression:
    sessions: int
    days: int
    again_days: int
    daily_after: int
    order: list[str]
    more_often_goal: int
    ask: str
    added: str
    more_often: str
    goal_raised: str
    goal_kept: str
    not_yet: str
    suggest_daily: str
    position_names: dict[str, str]
    yes: list[str]
    no: list[str]


@dataclass(frozen=True)
class Programme:
    day_parts: DayParts
    goal: Goal
    words: ProgrammeWordList
    answers: ProgrammeAnswers
    expansion_rules: dict[str, str]
    intents: dict[str, Templates]
    reminders: Reminders
    checkins: CheckIns
    decisions: dict[str, Decision]
    appointment: AppointmentWords
    progression: Progression


# -- words.toml: numbers, ordinals, days and months ---------------------------------------------------
@dataclass(frozen=True)
class NumberWords:
    small: list[str]
    tens: list[str]
    tens_join: str
    tens_join_after_e: str
    hundred: str
    thousand: str
    one_alone: str
    also: dict[str, float]


@dataclass(frozen=True)
class OrdinalWords:
    small: list[str]
    suffix_from_twenty: str
    digit_suffixes: list[str]


@dataclass(frozen=True)
class DayWords:
    weekdays: list[str]
    months: list[str]
    month_short: dict[str, int]
    relative: dict[str, int]
    ahead: list[str]
    units: dict[str, int]
    month_units: list[str]
    next_week: list[str]
    this_week: list[str]
    say_date: str
    say_date_year: str


@dataclass(frozen=True)
class Words:
    numbers: NumberWords
    ordinals: OrdinalWords
    days: DayWords


# -- diary.toml: the plasdagboek by voice --------------------------------------------------------------
@dataclass(frozen=True)
class DiaryKinds:
    order: list[str]
    leak: list[str]
    pad: list[str]
    void: list[str]
    drink: list[str]
    urge: list[str]
    question_starts: list[str]


@dataclass(frozen=True)
class DiaryAmounts:
    units: dict[str, int]
    containers: dict[str, list[str]]
    container_names: dict[str, list[str]]
    drinks: list[str]
    least_ml: int


@dataclass(frozen=True)
class DiarySizes:
    druppels: list[str]
    beetje: list[str]
    scheut: list[str]
    veel: list[str]


@dataclass(frozen=True)
class DiaryCircumstances:
    starts: list[str]
    articles: list[str]
    urge_note: str


@dataclass(frozen=True)
class DiaryPhraseLists:
    undo: list[str]
    summary: list[str]
    yesterday: list[str]


@dataclass(frozen=True)
class DiarySay:
    noted: str
    void: str
    drink: str
    leak: str
    pad: str
    urge: str
    pad_item: str
    sizes: dict[str, str]
    ml: str
    liter: str
    one_and_a_half_liter: str
    count: str
    ask_container: str
    container_set: str
    undone: str
    nothing_to_undo: str


@dataclass(frozen=True)
class DiarySummary:
    day: dict[str, str]
    empty: str
    voids: str
    voids_volume: str
    drinks: str
    drinks_some_unknown: str
    drinks_unknown: str
    leaks: str
    pads: str
    urges: str
    times: str
    sentence: str
    list_and: str


@dataclass(frozen=True)
class Diary:
    kinds: DiaryKinds
    amounts: DiaryAmounts
    sizes: DiarySizes
    circumstances: DiaryCircumstances
    phrases: DiaryPhraseLists
    say: DiarySay
    summary: DiarySummary


# -- report.toml: the report for the huisarts -------------------------------------------------------------
@dataclass(frozen=True)
class Report:
    title: str
    made_on: str
    programme_heading: str
    no_sessions: str
    started: str
    sessions: str
    positions: str
    position_names: dict[str, str]
    goal_now: str
    appointments: str
    checkins_heading: str
    checkin_names: dict[str, str]
    answer_names: dict[str, str]
    no_checkins: str
    chart_title: str
    chart_goal: str
    chart_ylabel: str
    diary_heading: str
    no_diary: str
    columns: list[str]
    kind_names: dict[str, str]
    size_names: dict[str, str]
    totals_columns: list[str]
    unknown_amounts: str
    more_days: str
    date: str


# -- speech.toml: what espeak-ng hears -----------------------------------------------------------------
@dataclass(frozen=True)
class SpokenNumbers:
    comma: str


@dataclass(frozen=True)
class ClockWords:
    hours: list[str]
    full: str
    quarter_past: str
    half: str
    quarter_to: str
    past: str
    to: str
    past_half: str
    to_half: str
    day_part_from: dict[str, int]
    day_part: dict[str, str]
    day_part_named_by: dict[str, list[str]]


@dataclass(frozen=True)
class Respelling:
    write: str
    say: str
    phonemes: str


@dataclass(frozen=True)
class Speech:
    numbers: SpokenNumbers
    clock: ClockWords
    lexicon: list[Respelling]


SCHEMAS: dict[str, type] = {
    "coach": Coach, "commands": Commands, "faq": Faq, "understanding": UnderstandingWords,
    "frontends": FrontEnds, "programme": Programme, "safety": SafetyWords, "examples": Examples, "words": Words, "speech": Speech,
    "diary": Diary, "report": Report,
}
# TOML writes 1 for 1.0: an int is a good float.
_STRICT = dacite.Config(strict=True, type_hooks={
    float: lambda v: float(v) if isinstance(v, int) and not isinstance(v, bool) else v})


def _key_faults(schema: type, data: object, path: str) -> list[str]:
    """Missing and unknown keys, with their dotted path (dacite names an unknown key without it)."""
    if not (dataclasses.is_dataclass(schema) and isinstance(data, dict)):
        origin = typing.get_origin(schema)
        if origin is dict and isinstance(data, dict):
            inner = typing.get_args(schema)[1]
            return [f for k, v in data.items() for f in _key_faults(inner, v, f"{path}.{k}" if path else k)]
        return []
    hints = typing.get_type_hints(schema)
    fields = {f.name: f for f in dataclasses.fields(schema)}
    faults = [f"onbekende sleutel '{path + '.' if path else ''}{k}'" for k in data if k not in fields]
    for name, f in fields.items():
        where = f"{path}.{name}" if path else name
        if name not in data:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                faults.append(f"de sleutel '{where}' ontbreekt")
        else:
            faults += _key_faults(hints[name], data[name], where)
    return faults


def check(name: str, data: dict, where: Path) -> None:
    """Raise UserError naming the file and the key when ``data`` does not fit the schema."""
    schema = SCHEMAS.get(name)
    if schema is None:
        return
    faults = _key_faults(schema, data, "")
    if faults:
        raise UserError(f"Het tekstbestand {where} klopt niet: {'; '.join(faults)}.", "; ".join(faults))
    try:
        dacite.from_dict(schema, data, config=_STRICT)
    except dacite.WrongTypeError as err:
        raise UserError(f"Het tekstbestand {where} klopt niet: de sleutel '{err.field_path}' heeft "
                        f"een verkeerd soort waarde ({err.value!r}).", str(err)) from None
    except dacite.DaciteError as err:
        raise UserError(f"Het tekstbestand {where} klopt niet: {err}.", repr(err)) from None



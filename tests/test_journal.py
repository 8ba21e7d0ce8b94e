"""The journal: durable from the first round, migrated from its first version, the user's alone."""

import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from assistant.programme import journal as J
from assistant.language.dialog import Dialog
from assistant.errors import UserError
from assistant.programme.keeper import ProgrammeKeeper
from assistant.language.understanding import Understanding

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AMS = ZoneInfo("Europe/Amsterdam")


def test_file_is_readable_by_the_user_only(tmp_path):
    j = J.Journal(tmp_path / "d")
    j.start_session(datetime.now().astimezone(), "lying", 1.0, 10)
    for path in [j.path] + [p for p in j.path.parent.iterdir()]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o077 == 0, (path, oct(mode))


def test_a_killed_session_keeps_the_rounds_already_done(tmp_path):
    data = tmp_path / "data"
    j = J.Journal(data)
    j.start_session(datetime.now().astimezone() - timedelta(days=1), "lying", 1.0, 10)  # not a first session
    j.record_round(1, 10, 1.0)
    j.close()
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "session", "--mute", "--reps", "6", "--tempo", "0.5"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "BEKKENBODEM_HOME": str(data)})
    # Short introduction (~6 s), the pause to get into position (8 s), then about two rounds of
    # 8 s at tempo 0.5, then pull the plug.
    time.sleep(32)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    raw = sqlite3.connect(data / J.FILENAME).execute("SELECT status, reps_done FROM sessions ORDER BY id").fetchall()
    assert raw[1][0] == "running" and 1 <= raw[1][1] < 6
    # The next start closes it as interrupted, with its rounds and the time of its last round.
    rows = J.Journal(data).sessions()
    assert len(rows) == 2
    assert rows[1].status == "interrupted" and rows[1].reps_done == raw[1][1]
    assert rows[1].ended_at is not None and rows[1].ended_at >= rows[1].started_at


def test_migrations_upgrade_a_version_1_journal_and_keep_its_data(tmp_path):
    path = tmp_path / J.FILENAME
    db = sqlite3.connect(path)
    db.executescript(J.MIGRATIONS[0])
    db.execute("INSERT INTO sessions (started_at, position, tempo, reps_planned, reps_done, status) "
               "VALUES ('2026-01-05T08:00:00+01:00', 'lying', 1.0, 10, 10, 'completed')")
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    j = J.Journal(tmp_path)
    assert j.version == len(J.MIGRATIONS)
    assert j.sessions()[0].reps_done == 10
    j.set("position", "sitting")
    assert j.get("position") == "sitting"


def test_a_journal_from_a_newer_program_is_refused_not_damaged(tmp_path):
    path = tmp_path / J.FILENAME
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {len(J.MIGRATIONS) + 5}")
    db.close()
    with pytest.raises(UserError) as err:
        J.Journal(tmp_path)
    assert "nieuwere versie" in str(err.value)


def test_a_corrupt_journal_is_a_clear_message_and_is_left_alone(tmp_path):
    path = tmp_path / J.FILENAME
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(UserError) as err:
        J.Journal(tmp_path)
    assert "beschadigd" in str(err.value)
    assert path.read_bytes() == b"this is not a database" * 100


class Clock:
    def __init__(self, start):
        self.t = start

    def __call__(self):
        return self.t


def keeper_with_history(tmp_path, days_ago: int):
    j = J.Journal(tmp_path)
    clock = Clock(datetime(2026, 6, 1, 10, 0, tzinfo=AMS))
    start = clock.t - timedelta(days=days_ago)
    for d in range(days_ago + 1):
        sid = j.start_session(start + timedelta(days=d), "lying", 1.0, 10)
        j.finish_session(sid, start + timedelta(days=d, minutes=3), True, 10)
    return j, clock, ProgrammeKeeper(j, clock)


def test_checkins_are_asked_once_and_journaled(tmp_path):
    j, clock, keeper = keeper_with_history(tmp_path, 42)
    said = keeper.announcements()
    assert any("Heeft u al een afspraak" in s for s in said)          # week 6: asked, not assumed
    assert any("Hoe gaat het met uw klachten" in s for s in said)
    assert {"appointment_week6", "outcome_week6"} <= J.CheckinLog(j).asked()
    clock.t += timedelta(minutes=5)
    assert not any("zes weken" in s for s in ProgrammeKeeper(j, clock).announcements())


def test_the_outcome_can_be_answered_later_and_steers_the_three_month_advice(tmp_path):
    j, clock, keeper = keeper_with_history(tmp_path, 50)
    dialog = Dialog(Understanding(), keeper=keeper)
    reply = dialog.handle("mijn klachten zijn minder geworden")
    assert "Ga dan door met oefenen" in reply.say and "genoteerd" in reply.say
    assert J.CheckinLog(j).answer_of("outcome_week6") == "klachten_minder"
    clock.t += timedelta(days=45)
    # "minder" can still be too little improvement: the 3-month moment still comes
    assert any("drie maanden" in s for s in keeper.announcements())


def test_complaints_gone_skip_the_three_month_advice(tmp_path):
    j, clock, keeper = keeper_with_history(tmp_path, 50)
    Dialog(Understanding(), keeper=keeper).handle("mijn klachten zijn helemaal weg")
    assert J.CheckinLog(j).answer_of("outcome_week6") == "klachten_over"
    clock.t += timedelta(days=45)
    assert not any("drie maanden" in s for s in keeper.announcements())


def test_three_months_without_improvement_sends_her_to_the_huisarts(tmp_path):
    j, clock, keeper = keeper_with_history(tmp_path, 91)
    Dialog(Understanding(), keeper=keeper).handle("het helpt niet")
    said = " ".join(keeper.announcements())
    assert "drie maanden" in said and "huisarts" in said and "pessarium" in said


def keeper_with_sessions(tmp_path, days: int, per_day: int, position="lying"):
    j = J.Journal(tmp_path)
    clock = Clock(datetime(2026, 6, 1, 20, 0, tzinfo=AMS))
    for d in range(days):
        for h in range(per_day):
            at = clock.t - timedelta(days=days - 1 - d, hours=10 - 4 * h)
            sid = j.start_session(at, position, 1.0, 10)
            j.finish_session(sid, at + timedelta(minutes=3), True, 10)
    return j, clock, ProgrammeKeeper(j, clock)


def test_the_coach_asks_how_lying_goes_and_a_yes_adds_sitting_and_standing_as_well(tmp_path):
    j, clock, keeper = keeper_with_sessions(tmp_path, days=3, per_day=3)
    assert keeper.suggestion("lying") is None          # nine sessions in three days: too soon to ask
    j2, clock2, keeper2 = keeper_with_sessions(tmp_path / "b", days=5, per_day=3)
    question = keeper2.suggestion("lying")
    assert "Gaat het goed?" in question and "ja of nee" in question   # asked, never decided for her
    dialog = Dialog(Understanding(), keeper=keeper2)
    reply = dialog.handle("ja").say
    assert "ook zittend of staand" in reply and "liggend, zittend en staand" in reply
    assert "vier keer per dag" in reply and "in plaats van drie" in reply    # the user decides
    assert j2.get("positions") == "lying,sitting,standing" and j2.get("position") == "sitting"
    assert keeper2.goal() == 3
    assert "vier keer per dag" in dialog.handle("ja graag").say
    assert keeper2.goal() == 4 and "nog één keer" in keeper2.answer("programma_vandaag")
    # in turn, not instead: after sitting comes standing, then lying again
    keeper2.suggestion("sitting")
    assert j2.get("position") == "standing"
    keeper2.suggestion("standing")
    assert j2.get("position") == "lying"


def test_a_no_keeps_lying_and_asks_again_days_later(tmp_path):
    j, clock, keeper = keeper_with_sessions(tmp_path, days=5, per_day=3)
    assert keeper.suggestion("lying")
    reply = Dialog(Understanding(), keeper=keeper).handle("nee").say
    assert "nog even liggend" in reply and "bekkenfysiotherapeut" in reply
    assert j.get("positions") is None and j.get("position") is None and keeper.goal() == 3
    assert keeper.suggestion("lying") is None
    clock.t += timedelta(days=5)
    assert "Gaat het goed?" in keeper.suggestion("lying")


def test_a_no_to_practising_more_often_keeps_the_goal(tmp_path):
    j, clock, keeper = keeper_with_sessions(tmp_path, days=5, per_day=3)
    keeper.suggestion("lying")
    dialog = Dialog(Understanding(), keeper=keeper)
    dialog.handle("ja")
    assert "blijft drie keer" in dialog.handle("nee").say and keeper.goal() == 3


def test_daily_activities_come_after_sessions_in_the_added_positions(tmp_path):
    j, clock, keeper = keeper_with_sessions(tmp_path, days=5, per_day=3)
    keeper.suggestion("lying")
    Dialog(Understanding(), keeper=keeper).handle("ja")
    keeper.pending_question = None
    assert keeper.suggestion("sitting") is None
    for i in range(12):
        at = clock.t + timedelta(days=1 + i // 3, hours=i % 3)
        sid = j.start_session(at, ("sitting", "standing")[i % 2], 1.0, 10)
        j.finish_session(sid, at + timedelta(minutes=3), True, 10)
    clock.t += timedelta(days=6)
    assert "andere bezigheden" in keeper.suggestion("standing")
    assert keeper.suggestion("lying") is None          # once


def test_reminder_time_set_by_voice_is_kept(tmp_path):
    j, clock, keeper = keeper_with_history(tmp_path, 3)
    reply = Dialog(Understanding(), keeper=keeper).handle("herinner mij om half acht s avonds")
    assert "19:30" in reply.say and "elke avond" in reply.say
    assert ProgrammeKeeper(j, clock).reminder_state.times["evening"].strftime("%H:%M") == "19:30"


def test_later_and_vandaag_niet_meer_answer_a_reminder(tmp_path):
    j = J.Journal(tmp_path)
    clock = Clock(datetime(2026, 6, 1, 8, 45, tzinfo=AMS))
    keeper = ProgrammeKeeper(j, clock)
    dialog = Dialog(Understanding(), keeper=keeper)
    assert any("tijd voor uw bekkenbodemoefening" in s for s in keeper.announcements())
    assert "half uur" in dialog.handle("later").say
    clock.t += timedelta(minutes=31)
    assert keeper.announcements()
    assert "geen herinneringen" in dialog.handle("vandaag niet meer").say
    clock.t = datetime(2026, 6, 1, 13, 45, tzinfo=AMS)
    assert keeper.announcements() == []


def run_cli(*args, data, input=None):
    return subprocess.run([sys.executable, "-m", "assistant", "--data-dir", str(data), *args], cwd=ROOT,
                          capture_output=True, text=True, input=input, timeout=60)


def test_progress_export_and_delete_commands(tmp_path):
    data = tmp_path / "data"
    j = J.Journal(data)
    now = datetime.now().astimezone()
    for h in range(3):
        sid = j.start_session(now - timedelta(days=8, hours=h), "lying", 1.0, 10)
        j.finish_session(sid, now - timedelta(days=8, hours=h) + timedelta(minutes=3), True, 10)
    j.close()
    proc = run_cli("progress", data=data)
    assert proc.returncode == 0 and "week twee" in proc.stdout and "dagen met 3" in proc.stdout
    assert run_cli("data", "export", str(tmp_path / "out.json"), data=data).returncode == 0
    exported = json.loads((tmp_path / "out.json").read_text())
    assert len(exported["sessions"]) == 3 and exported["sessions"][0]["reps_done"] == 10
    assert run_cli("data", "export", str(tmp_path / "out.csv"), data=data).returncode == 0
    assert (tmp_path / "out.csv").read_text().count("\n") == 4
    bad = run_cli("data", "export", str(tmp_path / "out.txt"), data=data)
    assert bad.returncode == 2 and ".csv of .json" in bad.stderr
    no = run_cli("data", "delete", "--confirm-from-stdin", data=data, input="nee\n")
    assert no.returncode == 1 and (data / J.FILENAME).exists()
    yes = run_cli("data", "delete", "--confirm-from-stdin", data=data, input="ja\n")
    assert yes.returncode == 0 and not (data / J.FILENAME).exists()

"""Faults of disk, bytes and archives (issue 12): each ends in one clear Dutch sentence and its own
exit code, never a traceback, and never costs a completed round. Faults are injected without
root: PRAGMA max_page_count for a full disk, a read-only connection for permission, bytes
overwritten in a copy of a real journal for damage."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from assistant import errors, prompts
from assistant.app import session as session_mod
from assistant.app.session import new_runner
from assistant.clock import FakeClock
from assistant.coaching.runner import RoundDone
from assistant.programme import journal as J
from assistant.settings import Settings
from tests.fakes import RecordingSink

ROOT = Path(__file__).resolve().parents[1]


def run(*args, data: Path, input: bytes | str | None = None, env=None, timeout=90):
    return subprocess.run([sys.executable, "-m", "assistant", "--data-dir", str(data), *args], cwd=ROOT,
                          capture_output=True, input=input, timeout=timeout, env={**os.environ, **(env or {})})


def out(proc) -> str:
    return proc.stdout.decode("utf-8")


def err(proc) -> str:
    return proc.stderr.decode("utf-8")


def now():
    return datetime.now().astimezone()


# -- a journal with years of sessions, damaged in its data pages ----------------------------------
def journal_with(data: Path, sessions: int) -> Path:
    j = J.Journal(data)
    start = now() - timedelta(days=sessions // 3 + 1)
    rows = [((start + timedelta(hours=8 * i)).isoformat(timespec="seconds"), "lying", 1.0, 10, 10, "completed",
             (start + timedelta(hours=8 * i, minutes=3)).isoformat(timespec="seconds")) for i in range(sessions)]
    with j._lock:
        j._db.execute("BEGIN")
        j._db.executemany("INSERT INTO sessions (started_at, position, tempo, reps_planned, reps_done, status, "
                          "ended_at) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        j._db.execute("COMMIT")
    j.close()
    return data / J.FILENAME


def damage_pages(path: Path, first: int, last: int) -> None:
    page = 4096
    rng = random.Random(12)
    with open(path, "r+b") as f:
        for n in range(first, last + 1):        # page numbers count from 1
            f.seek((n - 1) * page)
            f.write(bytes(rng.randrange(256) for _ in range(page)))


@pytest.fixture
def damaged(tmp_path) -> Path:
    data = tmp_path / "data"
    path = journal_with(data, 3000)
    assert path.stat().st_size > 50 * 4096
    damage_pages(path, 40, 49)
    return data


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_damage_inside_the_pages_is_found_at_open_and_the_file_is_left_alone(damaged):
    before = digest(damaged / J.FILENAME)
    with pytest.raises(J.JournalError) as caught:
        J.Journal(damaged)
    assert caught.value.kind == "damaged" and caught.value.exit_code == errors.EXIT_DAMAGED
    assert "beschadigd" in str(caught.value) and "data export" in str(caught.value)
    for command in (["progress"], ["ask", "hoe vaak moet ik oefenen"]):
        proc = run(*command, data=damaged)
        assert proc.returncode == errors.EXIT_DAMAGED, err(proc)
        assert "is beschadigd" in err(proc) and "Traceback" not in err(proc)
    assert digest(damaged / J.FILENAME) == before


def test_a_damaged_journal_is_exported_as_far_as_readable_and_deleted_on_request(damaged, tmp_path):
    before = digest(damaged / J.FILENAME)
    target = tmp_path / "gered.csv"
    proc = run("data", "export", str(target), data=damaged)
    assert proc.returncode == 0, err(proc)
    assert "beschadigd" in err(proc) and "Traceback" not in err(proc)
    saved = target.read_text().splitlines()[1:]
    assert 1000 < len(saved) < 3000            # most sessions, not the ones on the damaged pages
    assert digest(damaged / J.FILENAME) == before   # export never writes to it
    proc = run("data", "delete", "--ja", data=damaged)
    assert proc.returncode == 0 and "verwijderd" in out(proc), err(proc)
    assert not (damaged / J.FILENAME).exists()


# -- a journal that cannot be written during a session --------------------------------------------
def session_with(journal, reps: int, fault_at=None):
    """A whole session on a fake clock through the real recorder; ``fault_at(rep)`` runs after each
    round has been recorded."""
    clock = FakeClock()
    hook = (lambda e: fault_at(e.rep) if isinstance(e, RoundDone) else None) if fault_at else None
    runner, recorder = new_runner(Settings(reps=reps), _words(), RecordingSink(clock), clock, journal,
                                  now=now, closing=["Tot straks."], on_event=hook)
    result = runner.run()
    return result, recorder.finish(result), recorder


def _words():
    from assistant import prompts
    return prompts.load("coach")


@pytest.fixture(autouse=True)
def no_retry_wait(monkeypatch):
    monkeypatch.setattr(session_mod, "FINISH_RETRY_WAIT", 0.0)


def fill_sessions_until_full(j: J.Journal) -> None:
    """Make SQLite report a full disk at the next session: cap the file at its size and fill the
    sessions table's last page."""
    db = j._db
    db.execute(f"PRAGMA max_page_count = {db.execute('PRAGMA page_count').fetchone()[0]}")
    with pytest.raises(sqlite3.OperationalError, match="full"):
        for _ in range(1000):
            db.execute("INSERT INTO sessions (started_at, position, tempo, reps_planned) "
                       "VALUES ('2026-01-01T08:00:00+01:00', 'lying', 1.0, 10)")


def test_a_full_disk_never_stops_the_session_and_is_said_once_after_it(tmp_path):
    j = J.Journal(tmp_path)
    fill_sessions_until_full(j)
    result, note, recorder = session_with(j, reps=4)
    assert result.completed and result.reps_done == 4       # every round counted
    assert recorder.reps_done == 4 and recorder.fault.kind == "full"
    assert note == "Deze oefening kon niet in uw dagboek worden opgeslagen, want de schijf is vol."
    assert recorder.fault.exit_code == errors.EXIT_DISK_FULL


def test_a_write_that_works_again_later_saves_every_round(tmp_path):
    j = J.Journal(tmp_path)
    fill_sessions_until_full(j)

    def room_again(rep):
        if rep == 2:
            j._db.execute("PRAGMA max_page_count = 1000000")

    result, note, recorder = session_with(j, reps=4, fault_at=room_again)
    assert note is None
    row = [r for r in j.sessions() if r.reps_planned == 4]
    assert len(row) == 1 and row[0].status == "completed" and row[0].reps_done == 4


def test_no_permission_mid_session_keeps_the_saved_rounds_and_names_the_rest(tmp_path):
    j = J.Journal(tmp_path)

    def read_only(rep):
        if rep == 2:   # from now on the journal cannot be written
            j._db = sqlite3.connect(f"{j.path.as_uri()}?mode=ro", uri=True, isolation_level=None,
                                    check_same_thread=False)

    result, note, recorder = session_with(j, reps=5, fault_at=read_only)
    assert result.completed and result.reps_done == 5
    assert recorder.fault.kind == "permission" and recorder.fault.exit_code == errors.EXIT_PERMISSION
    assert note == ("De rondes vanaf ronde 3 konden niet in uw dagboek worden opgeslagen, want het programma mag "
                    "het dagboek niet wijzigen.")
    row = J.Journal(tmp_path).sessions()[0]
    assert row.reps_done == 2 and row.status in ("running", "interrupted")   # what was saved stays


def test_the_conversation_says_what_was_not_saved_after_the_session(tmp_path):
    import io

    from assistant.app.conversation import Conversation
    from assistant.audio.console import PrintSink
    from assistant.clock import MonotonicClock
    from assistant.language.understanding import Understanding
    from assistant.programme.keeper import ProgrammeKeeper

    j = J.Journal(tmp_path)
    day_ago = now() - timedelta(days=1)
    j.finish_session(j.start_session(day_ago, "lying", 1.0, 10), day_ago, True, 10)   # a short intro
    fill_sessions_until_full(j)
    screen = io.StringIO()
    conv = Conversation(settings=Settings(reps=1, tempo=0.5), coach_words=_words(), journal=j,
                        keeper=ProgrammeKeeper(j, now=now), understanding=Understanding(),
                        sink=PrintSink(stream=screen), clock=MonotonicClock())
    conv.start_session()
    for _ in range(1200):                       # up to 60 s: the session ends by itself
        conv.tick()
        if conv.waiting_for_ready():
            conv.ready_reply("ja")              # "Ligt u goed?" - yes
        if conv.runner is None:
            break
        time.sleep(0.05)
    shown = screen.getvalue()
    assert "Goed gedaan" in shown or "Ronde 1" in shown
    assert shown.count("want de schijf is vol") == 1


# -- journal faults at start-up, by kind ----------------------------------------------------------
def test_a_file_where_the_data_folder_should_be(tmp_path):
    (tmp_path / "data").write_text("not a folder")
    proc = run("progress", data=tmp_path / "data")
    assert proc.returncode == errors.EXIT_FOLDER and "staat een bestand" in err(proc)
    assert "Traceback" not in err(proc)


def test_a_newer_journal_has_its_own_code(tmp_path):
    db = sqlite3.connect(tmp_path / J.FILENAME)
    db.execute(f"PRAGMA user_version = {len(J.MIGRATIONS) + 1}")
    db.close()
    proc = run("progress", data=tmp_path)
    assert proc.returncode == errors.EXIT_NEWER and "nieuwere versie" in err(proc)


def unprivileged() -> list[str]:
    """As root, take away the permission override (the issue's recipe) so file modes count."""
    if os.geteuid() != 0:
        return []
    return ["setpriv", "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"]


def test_a_healthy_journal_in_a_read_only_folder_is_not_called_damaged(tmp_path):
    data = tmp_path / "data"
    journal_with(data, 5)
    data.chmod(0o500)
    (data / J.FILENAME).chmod(0o400)
    try:
        proc = subprocess.run([*unprivileged(), sys.executable, "-m", "assistant", "--data-dir", str(data), "progress"],
                              cwd=ROOT, capture_output=True, text=True, timeout=60)
    finally:
        data.chmod(0o700)
        (data / J.FILENAME).chmod(0o600)
    assert proc.returncode == errors.EXIT_PERMISSION, proc.stderr
    assert "mag het dagboek" in proc.stderr and "beschadigd" not in proc.stderr


def test_a_full_disk_at_start_up_is_not_called_damaged(tmp_path):
    j = J.Journal(tmp_path)
    fill_sessions_until_full(j)
    with pytest.raises(J.JournalError) as caught:
        j.start_session(now(), "lying", 1.0, 10)
    assert caught.value.kind == "full" and "schijf is vol" in str(caught.value)
    assert "beschadigd" not in str(caught.value)


# -- SIGTERM, and a session left running ----------------------------------------------------------
def test_sigterm_ends_a_session_as_stopped_like_ctrl_c(tmp_path):
    data = tmp_path / "data"
    j = J.Journal(data)
    day_ago = now() - timedelta(days=1)
    j.finish_session(j.start_session(day_ago, "lying", 1.0, 10), day_ago, True, 10)
    j.close()
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "--data-dir", str(data), "session", "--mute",
                             "--reps", "5", "--tempo", "0.5"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    for line in proc.stdout:               # wait until the first round has begun
        if "Knijp" in line:
            break
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 143
    assert "Gestopt" in stderr and "Traceback" not in stderr
    rows = J.Journal(data).sessions()
    assert rows[-1].status == "stopped" and rows[-1].ended_at is not None


def test_a_session_of_a_dead_process_is_closed_as_interrupted_and_a_live_one_left_alone(tmp_path):
    j = J.Journal(tmp_path)
    dead = j.start_session(now(), "lying", 1.0, 10)
    j.record_round(dead, 3, 1.0)
    live = j.start_session(now(), "lying", 1.0, 10)
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()                                         # a pid that surely has ended
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        j._db.execute("UPDATE sessions SET pid = ? WHERE id = ?", (child.pid, dead))
        j._db.execute("UPDATE sessions SET pid = ? WHERE id = ?", (sleeper.pid, live))
        j.close()
        rows = {r.id: r for r in J.Journal(tmp_path).sessions()}
    finally:
        sleeper.kill()
        sleeper.wait()
    assert rows[dead].status == "interrupted" and rows[dead].reps_done == 3 and rows[dead].ended_at is not None
    assert rows[live].status == "running"


def test_migration_3_keeps_every_session_of_a_version_2_journal(tmp_path):
    db = sqlite3.connect(tmp_path / J.FILENAME)
    for m in J.MIGRATIONS[:2]:
        db.executescript(m)
    db.execute("INSERT INTO sessions (started_at, position, tempo, reps_planned, reps_done, status) "
               "VALUES ('2026-01-05T08:00:00+01:00', 'sitting', 1.2, 10, 4, 'running')")
    db.execute("PRAGMA user_version = 2")
    db.commit()
    db.close()
    rows = J.Journal(tmp_path).sessions()
    assert len(rows) == 1 and rows[0].position == "sitting" and rows[0].reps_done == 4
    assert rows[0].status == "interrupted"      # an old version's session, long over


# -- bytes in, valid text out ---------------------------------------------------------------------
NL = {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}


def test_bad_bytes_on_stdin_cost_no_line_and_every_json_line_is_valid(tmp_path):
    import json
    lines = b"hoe vaak moet ik oefenen\ncaf\xe9\n\xff\xfe\x00rommel\nwelke spieren moet ik aanspannen\n"
    proc = run("ask", "--json", "-", data=tmp_path, input=lines, env=NL)
    assert proc.returncode == 0, err(proc)
    records = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]   # strict UTF-8
    assert len(records) == 4
    assert records[0]["intent"] == "hoe_vaak" and records[1]["text"] == "caf\ufffd"
    assert records[3]["kind"] == "question"


def test_a_bad_byte_in_an_argument_is_answered(tmp_path):
    import json
    proc = subprocess.run([sys.executable, "-m", "assistant", "--data-dir", str(tmp_path).encode(),
                           b"ask", b"--json", b"caf\xe9"], cwd=ROOT, capture_output=True, timeout=60,
                          env={**os.environ, **NL})
    assert proc.returncode == 0, err(proc)
    assert json.loads(proc.stdout.decode("utf-8"))["text"] == "caf\ufffd"
    plain = subprocess.run([sys.executable, "-m", "assistant", "--data-dir", str(tmp_path).encode(), b"ask",
                            b"caf\xe9"], cwd=ROOT, capture_output=True, timeout=60, env={**os.environ, **NL})
    # What "caf?" means is the understanding's to say; here it must be one of its polite refusals.
    refusals = [prompts.load("understanding")[part]["answer"] for part in ("unclear", "out_of_domain")]
    assert plain.returncode == 0 and out(plain).strip() in refusals, out(plain)


def test_an_overlong_line_is_not_understood_at_once_and_the_next_is(tmp_path):
    import json
    rng = random.Random(3)
    words = ["oefenen", "knijpen", "spieren", "vaak", "hoe", "plassen", "buik", "adem", "week", "dag"]
    long_line = " ".join(rng.choice(words) for _ in range(200_000)).encode()   # about 1.3 MB
    proc = run("ask", "--json", "-", data=tmp_path, input=long_line + b"\nhoe vaak moet ik oefenen\n", env=NL)
    records = [json.loads(line) for line in out(proc).splitlines()]
    assert records[0]["kind"] == "unclear" and len(records[0]["text"]) < 100
    assert records[1]["intent"] == "hoe_vaak"


def test_typed_mode_survives_bad_bytes_and_says_goodbye_once(tmp_path):
    proc = run("text", "--mute", data=tmp_path, input=b"caf\xe9\nhoe vaak moet ik oefenen\nafsluiten\n", env=NL)
    assert proc.returncode == 0, err(proc)
    assert "Oefen elke dag drie keer" in out(proc) and "Traceback" not in err(proc)
    assert out(proc).count("Tot de volgende keer") == 1


def test_ctrl_c_in_typed_mode_says_goodbye_once(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "--data-dir", str(tmp_path), "text", "--mute"],
                            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    proc.stdout.readline()                       # the welcome: it is listening
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert (stdout + stderr).count("Tot de volgende keer") == 1 and "Gestopt" in stderr


# -- no speaker; developer warnings in the log file -------------------------------------------------
def test_typed_mode_without_a_speaker_shows_the_text_and_says_so_once(tmp_path):
    proc = run("text", data=tmp_path, input=b"hoe vaak moet ik oefenen\nafsluiten\n",
               env={"PULSE_SERVER": "unix:/nonexistent/socket"})
    assert proc.returncode == 0, err(proc)
    assert err(proc).count("Er is geen luidspreker of stem gevonden") == 1
    assert "Oefen elke dag drie keer" in out(proc)
    assert "WARNING" not in err(proc) and "Traceback" not in err(proc)   # English stays in the log file
    assert "no speech output" in (tmp_path / "coach.log").read_text()


def test_developer_warnings_go_to_the_log_file_unless_verbose(tmp_path):
    quiet = run("text", data=tmp_path, input=b"afsluiten\n", env={"PULSE_SERVER": "unix:/nonexistent/socket"})
    loud = run("-v", "text", data=tmp_path, input=b"afsluiten\n", env={"PULSE_SERVER": "unix:/nonexistent/socket"})
    assert "no speech output" not in err(quiet) and "no speech output" in err(loud)
    log = tmp_path / "coach.log"
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert log.read_text().count("no speech output") == 2


# -- settings of the wrong shape ---------------------------------------------------------------------
@pytest.mark.parametrize("content, fragment", [
    ("session = 5\n", "'session' een tabel"),
    ("reminders = 5\n", "'reminders' een tabel"),
    ("reps = 3\n[session]\ntempo = 1.2\nkleur = 3\n", "'kleur'"),
    ("[sessie]\nreps = 3\n", "Onbekende tabel [sessie]"),
])
def test_settings_of_the_wrong_shape_name_the_key(tmp_path, content, fragment):
    cfg = tmp_path / "config.toml"
    cfg.write_text(content, encoding="utf-8")
    proc = run("--config", str(cfg), "session", "--dry-run", data=tmp_path)
    assert proc.returncode == 2 and fragment in err(proc), err(proc)
    assert "Traceback" not in err(proc)


def test_top_level_settings_beside_a_session_table_count(tmp_path):
    import json
    cfg = tmp_path / "config.toml"
    cfg.write_text("reps = 3\n[session]\ntempo = 1.5\n", encoding="utf-8")
    proc = run("--config", str(cfg), "session", "--dry-run", "--json", data=tmp_path)
    cues = [json.loads(line) for line in out(proc).splitlines()]
    assert max(c["rep"] or 0 for c in cues) == 3


def test_a_missing_explicit_config_is_an_error(tmp_path):
    proc = run("--config", str(tmp_path / "nope.toml"), "session", "--dry-run", data=tmp_path)
    assert proc.returncode == 2 and "bestaat niet" in err(proc)


# -- exports and delete ------------------------------------------------------------------------------
def test_exports_are_private_and_never_overwrite_without_asking(tmp_path):
    data = tmp_path / "data"
    journal_with(data, 3)
    target = tmp_path / "uit.json"
    assert run("data", "export", str(target), data=data).returncode == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    target.write_text("mijn eigen aantekeningen")
    again = run("data", "export", str(target), data=data)
    assert again.returncode == 2 and "bestaat al" in err(again)
    assert target.read_text() == "mijn eigen aantekeningen"
    assert run("data", "export", "--overschrijven", str(target), data=data).returncode == 0
    assert '"sessions"' in target.read_text() and stat.S_IMODE(target.stat().st_mode) == 0o600


def test_delete_without_a_journal_says_so_and_creates_nothing(tmp_path):
    proc = run("data", "delete", "--ja", data=tmp_path / "data")
    assert proc.returncode == 0 and "geen dagboek" in out(proc) and "verwijderd." in out(proc)
    assert "Uw dagboek is verwijderd" not in out(proc)
    assert not (tmp_path / "data" / J.FILENAME).exists()

"""The journal: a local SQLite database of sessions and check-ins. Nothing else touches it.

Every session is written from its first round and updated after each round, each in its own
transaction, so a crash or power cut loses nothing already done. A session whose program died
(kill -9, a power cut) is closed as "interrupted", with its rounds, the next time the journal opens.

Every fault of the database or the disk becomes a ``JournalError``: a ``UserError`` that names
its kind (damaged, newer, permission, full, folder, busy, other), with its own Dutch sentence and
exit code. A damaged journal is never modified unless the user asks (``data delete``); what is
still readable can be exported with ``salvage()``.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import sqlite3
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from assistant import errors
from assistant.errors import UserError

log = logging.getLogger(__name__)

FILENAME = "journal.sqlite3"

# Each entry moves the schema one version up. Never edit a released entry: append a new one.
MIGRATIONS: list[str] = [
    # 1: sessions
    """
    CREATE TABLE sessions (
        id           INTEGER PRIMARY KEY,
        started_at   TEXT NOT NULL,      -- local time with UTC offset, ISO 8601
        position     TEXT NOT NULL,
        tempo        REAL NOT NULL,
        reps_planned INTEGER NOT NULL,
        reps_done    INTEGER NOT NULL DEFAULT 0,
        status       TEXT NOT NULL DEFAULT 'running'
                     CHECK (status IN ('running', 'completed', 'stopped')),
        ended_at     TEXT
    );
    CREATE INDEX sessions_started ON sessions (started_at);
    """,
    # 2: programme state and check-ins
    """
    CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE checkins (
        id        INTEGER PRIMARY KEY,
        kind      TEXT NOT NULL UNIQUE,  -- e.g. gp_week2, diary_week6, outcome_week6, gp_month3
        asked_at  TEXT,
        answer    TEXT,
        answered_at TEXT
    );
    """,
    # 3: a session's owner (process and boot), its last update, and the status 'interrupted' for a
    # session whose program died. SQLite cannot change a CHECK constraint: the table is rebuilt.
    """
    CREATE TABLE sessions_v3 (
        id           INTEGER PRIMARY KEY,
        started_at   TEXT NOT NULL,
        position     TEXT NOT NULL,
        tempo        REAL NOT NULL,
        reps_planned INTEGER NOT NULL,
        reps_done    INTEGER NOT NULL DEFAULT 0,
        status       TEXT NOT NULL DEFAULT 'running'
                     CHECK (status IN ('running', 'completed', 'stopped', 'interrupted')),
        ended_at     TEXT,
        pid          INTEGER,            -- the process running the session
        boot_id      TEXT,               -- the boot it ran in (a power cut changes it)
        updated_at   TEXT                -- its last round (the end of an interrupted session)
    );
    INSERT INTO sessions_v3 (id, started_at, position, tempo, reps_planned, reps_done, status, ended_at)
        SELECT id, started_at, position, tempo, reps_planned, reps_done, status, ended_at FROM sessions;
    DROP TABLE sessions;
    ALTER TABLE sessions_v3 RENAME TO sessions;
    CREATE INDEX sessions_started ON sessions (started_at);
    """,
    # 4: the plasdagboek kept by voice, and the check-up dates the user told
    """
    CREATE TABLE diary (
        id        INTEGER PRIMARY KEY,
        at        TEXT NOT NULL,          -- local time with UTC offset, ISO 8601
        kind      TEXT NOT NULL CHECK (kind IN ('drink', 'void', 'leak', 'pad', 'urge')),
        ml        INTEGER,                -- only when said (or a glass whose size the user gave)
        size      TEXT,                   -- a leak: druppels, beetje, scheut, veel
        note      TEXT,
        count     INTEGER,                -- "twee glazen": 2 ...
        container TEXT                    -- ... of glas
    );
    CREATE INDEX diary_at ON diary (at);
    CREATE TABLE appointments (
        id      INTEGER PRIMARY KEY,
        on_date TEXT NOT NULL,            -- YYYY-MM-DD, the check-up with the huisarts
        told_at TEXT NOT NULL
    );
    """,
]

QUICK_CHECK_UP_TO = 64 * 1024 * 1024   # bytes: PRAGMA quick_check at every open below this size
ORPHAN_AFTER = timedelta(hours=1)       # a running session of an older version, without owner

# kind -> (exit code, the Dutch sentence at start-up)
FAULTS = {
    "damaged": (errors.EXIT_DAMAGED,
                "Het dagboek {path} is beschadigd. Er is niets aan veranderd: bewaar wat nog leesbaar is met "
                "'python -m assistant data export BESTAND.csv' en verwijder het daarna met "
                "'python -m assistant data delete'."),
    "newer": (errors.EXIT_NEWER,
              "Het dagboek {path} is gemaakt door een nieuwere versie van het programma; werk het programma bij."),
    "permission": (errors.EXIT_PERMISSION,
                   "Het programma mag het dagboek {path} niet lezen of wijzigen; controleer de rechten van het "
                   "bestand en de map, of kies een andere map met --data-dir."),
    "full": (errors.EXIT_DISK_FULL,
             "De schijf is vol: het dagboek {path} kan niet worden bijgewerkt. Maak ruimte vrij en probeer het opnieuw."),
    "folder": (errors.EXIT_FOLDER,
               "Op de plaats van de map {folder} voor het dagboek staat een bestand; hernoem dat bestand of "
               "kies een andere map met --data-dir."),
    "busy": (errors.EXIT_BUSY,
             "Het dagboek {path} is bezet door een ander programma; probeer het zo opnieuw."),
    "other": (errors.EXIT_DISK_FULL,
              "Het dagboek {path} kan niet worden gelezen of geschreven (een fout van de schijf); "
              "probeer het opnieuw."),
}


class JournalError(UserError):
    """A fault of the journal's database or disk, by ``kind`` (one of FAULTS)."""

    def __init__(self, kind: str, path: Path, detail: str = "") -> None:
        code, sentence = FAULTS[kind]
        super().__init__(sentence.format(path=path, folder=path.parent), detail=detail, exit_code=code)
        self.kind = kind
        self.path = path


# SQLite's primary result codes (https://sqlite.org/rescode.html)
_SQLITE_KINDS = {11: "damaged", 26: "damaged", 13: "full", 8: "permission", 3: "permission", 23: "permission",
                 5: "busy", 6: "busy"}


def fault_kind(err: BaseException, path: Path) -> str:
    """What kind of journal fault ``err`` is (see FAULTS)."""
    if isinstance(err, OSError):
        kind = errors.os_fault(err)
        return kind if kind != "other" else _guess(path)
    code = getattr(err, "sqlite_errorcode", None)
    if code is not None and (code & 0xFF) in _SQLITE_KINDS:
        return _SQLITE_KINDS[code & 0xFF]
    if "malformed" in str(err) or "not a database" in str(err):
        return "damaged"
    return _guess(path)


def _guess(path: Path) -> str:
    """An unspecific fault (cannot open, I/O error): look at the folder and the disk."""
    folder = path.parent
    for parent in [folder, *folder.parents]:
        if parent.exists():
            if not parent.is_dir():
                return "folder"
            break
    try:
        if shutil.disk_usage(folder if folder.is_dir() else folder.parent).free < 1024 * 1024:
            return "full"
    except OSError:
        pass
    if folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK):
        return "permission"
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        return "permission"
    return "other"


def _boot_id() -> str | None:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip() or None
    except OSError:
        return None


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True   # someone else's process
    return True


@dataclass(frozen=True)
class SessionRow:
    id: int
    started_at: datetime
    position: str
    tempo: float
    reps_planned: int
    reps_done: int
    status: str
    ended_at: datetime | None


def _locked(method):
    """One connection is shared by the coach thread and the front end: one call at a time.
    A fault of the database or the disk comes out as a JournalError of its kind."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self._lock:
            try:
                return method(self, *args, **kwargs)
            except (sqlite3.Error, OSError) as err:
                raise JournalError(fault_kind(err, self.path), self.path, detail=repr(err)) from None
    return wrapper


def _parse(ts: str | None) -> datetime | None:
    return datetime.fromisoformat(ts) if ts else None


def _parse_required(ts: str) -> datetime:
    return datetime.fromisoformat(ts)


class Journal:
    def __init__(self, directory: Path) -> None:
        self.path = Path(directory) / FILENAME
        self._lock = threading.RLock()
        self._db: sqlite3.Connection
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not self.path.parent.is_dir():
                raise NotADirectoryError(20, "not a directory", str(self.path.parent))
            fresh = not self.path.exists()
            if fresh:
                # Create it readable by the user only, before any data goes in.
                fd = os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600)
                os.close(fd)
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            if not fresh:
                self._check()                 # before anything could write to it
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._migrate()
            self._close_interrupted()
        except JournalError:
            self._forget()
            raise
        except (sqlite3.Error, OSError) as err:
            self._forget()
            raise JournalError(fault_kind(err, self.path), self.path, detail=repr(err)) from None

    def _forget(self) -> None:
        db = getattr(self, "_db", None)
        if db is not None:
            db.close()

    def _check(self) -> None:
        """Damage in the header or the pages, found before the journal is used (cheap: a few ms for
        years of sessions). Too big a file is checked as it is read."""
        if self.path.stat().st_size > QUICK_CHECK_UP_TO:
            self._db.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return
        rows = self._db.execute("PRAGMA quick_check").fetchall()
        if [r[0] for r in rows] != ["ok"]:
            raise JournalError("damaged", self.path, detail=f"quick_check: {rows[:5]}")

    @property
    def version(self) -> int:
        return self._db.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        current = self.version
        if current > len(MIGRATIONS):
            raise JournalError("newer", self.path, detail=f"schema {current} > {len(MIGRATIONS)}")
        for number in range(current, len(MIGRATIONS)):
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for statement in MIGRATIONS[number].split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {number + 1}")
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            log.info("journal migrated to schema %d", number + 1)

    def _close_interrupted(self) -> None:
        """Sessions left "running" by a program that died (kill -9, a power cut) become
        "interrupted", with the rounds they recorded. A session still running elsewhere is left alone."""
        boot = _boot_id()
        now = datetime.now().astimezone()
        for sid, pid, boot_id, started, updated in self._db.execute(
                "SELECT id, pid, boot_id, started_at, updated_at FROM sessions WHERE status = 'running'").fetchall():
            if pid is None:
                dead = now - datetime.fromisoformat(updated or started) > ORPHAN_AFTER
            else:
                dead = (boot is not None and boot_id is not None and boot_id != boot) or not _alive(pid)
            if dead:
                self._db.execute("UPDATE sessions SET status = 'interrupted', ended_at = COALESCE(updated_at, started_at) "
                                 "WHERE id = ? AND status = 'running'", (sid,))
                log.info("session %d of process %s was left running: closed as interrupted", sid, pid)

    def close(self) -> None:
        self._db.close()

    # -- sessions ------------------------------------------------------------------------------
    @_locked
    def start_session(self, started_at: datetime, position: str, tempo: float, reps_planned: int) -> int:
        at = started_at.isoformat(timespec="seconds")
        cur = self._db.execute(
            "INSERT INTO sessions (started_at, position, tempo, reps_planned, pid, boot_id, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (at, position, tempo, reps_planned, os.getpid(), _boot_id(), at),
        )
        assert cur.lastrowid is not None
        return cur.lastrowid

    @_locked
    def record_round(self, session_id: int, reps_done: int, tempo: float, at: datetime | None = None) -> None:
        when = (at or datetime.now().astimezone()).isoformat(timespec="seconds")
        self._db.execute("UPDATE sessions SET reps_done = ?, tempo = ?, updated_at = ? WHERE id = ?",
                         (reps_done, tempo, when, session_id))

    @_locked
    def finish_session(self, session_id: int, ended_at: datetime, completed: bool, reps_done: int) -> None:
        self._db.execute(
            "UPDATE sessions SET status = ?, ended_at = ?, updated_at = ?, reps_done = ? WHERE id = ?",
            ("completed" if completed else "stopped", ended_at.isoformat(timespec="seconds"),
             ended_at.isoformat(timespec="seconds"), reps_done, session_id),
        )

    @_locked
    def sessions(self) -> list[SessionRow]:
        rows = self._db.execute(
            "SELECT id, started_at, position, tempo, reps_planned, reps_done, status, ended_at "
            "FROM sessions ORDER BY started_at, id"
        ).fetchall()
        return [SessionRow(r[0], _parse_required(r[1]), r[2], r[3], r[4], r[5], r[6], _parse(r[7])) for r in rows]

    @_locked
    def has_sessions(self) -> bool:
        return self._db.execute("SELECT 1 FROM sessions WHERE reps_done > 0 LIMIT 1").fetchone() is not None

    # -- key/value programme state ----------------------------------------------------------------
    @_locked
    def get(self, key: str, default: str | None = None) -> str | None:
        row = self._db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    @_locked
    def set(self, key: str, value: str) -> None:
        self._db.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )


class CheckinLog:
    """The check-ins table: which were asked, and their answers."""

    def __init__(self, journal: Journal) -> None:
        self._db = journal._db
        self._lock = journal._lock

    @_locked
    def asked(self) -> set[str]:
        return {r[0] for r in self._db.execute("SELECT kind FROM checkins WHERE asked_at IS NOT NULL")}

    @_locked
    def mark_asked(self, kind: str, at: datetime) -> None:
        self._db.execute(
            "INSERT INTO checkins (kind, asked_at) VALUES (?, ?) "
            "ON CONFLICT(kind) DO UPDATE SET asked_at = COALESCE(asked_at, excluded.asked_at)",
            (kind, at.isoformat(timespec="seconds")),
        )

    @_locked
    def answer(self, kind: str, answer: str, at: datetime) -> None:
        self._db.execute(
            "INSERT INTO checkins (kind, answer, answered_at) VALUES (?, ?, ?) "
            "ON CONFLICT(kind) DO UPDATE SET answer = excluded.answer, answered_at = excluded.answered_at",
            (kind, answer, at.isoformat(timespec="seconds")),
        )

    @_locked
    def answer_of(self, kind: str) -> str | None:
        row = self._db.execute("SELECT answer FROM checkins WHERE kind = ?", (kind,)).fetchone()
        return row[0] if row else None

    @_locked
    def all(self) -> list[tuple]:
        return self._db.execute("SELECT kind, asked_at, answer, answered_at FROM checkins ORDER BY id").fetchall()


# -- what is left of a damaged journal ---------------------------------------------------------------
SESSION_COLUMNS = "id, started_at, position, tempo, reps_planned, reps_done, status, ended_at"
SALVAGE_GIVE_UP_AFTER = 5000   # unreadable or missing ids in a row before the walk stops


@dataclass
class Salvaged:
    sessions: list[SessionRow]
    checkins: list[tuple]
    complete: bool              # False: some rows could not be read


def _row(r) -> SessionRow:
    return SessionRow(int(r[0]), _parse_required(r[1]), str(r[2]), float(r[3]), int(r[4]), int(r[5]), str(r[6]),
                      _parse(r[7]))


def salvage(directory: Path) -> Salvaged:
    """Every session and check-in that can still be read, from a read-only connection: the file
    is not changed. Rows are found one id at a time when a damaged page breaks a whole scan."""
    path = Path(directory) / FILENAME
    if not path.is_file():
        return Salvaged([], [], True)
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as err:
        raise JournalError(fault_kind(err, path), path, detail=repr(err)) from None
    sessions: list[SessionRow] = []
    complete = True
    try:
        try:
            sessions = [_row(r) for r in db.execute(f"SELECT {SESSION_COLUMNS} FROM sessions ORDER BY id")]
        except (sqlite3.Error, ValueError, TypeError) as err:
            log.info("full scan of a damaged journal failed (%r): reading one id at a time", err)
            complete = False
            sessions = _walk(db)
        try:
            checkins = db.execute("SELECT kind, asked_at, answer, answered_at FROM checkins ORDER BY id").fetchall()
        except sqlite3.Error:
            checkins, complete = [], False
    finally:
        db.close()
    sessions.sort(key=lambda r: (r.started_at, r.id))
    return Salvaged(sessions, checkins, complete)


def _walk(db: sqlite3.Connection) -> list[SessionRow]:
    try:
        top = db.execute("SELECT max(id) FROM sessions").fetchone()[0]
    except sqlite3.Error:
        top = None
    out: list[SessionRow] = []
    sid, misses = 0, 0
    while (sid < top) if top is not None else misses < SALVAGE_GIVE_UP_AFTER:
        sid += 1
        try:
            r = db.execute(f"SELECT {SESSION_COLUMNS} FROM sessions WHERE id = ?", (sid,)).fetchone()
            if r is None:
                misses += 1
                continue
            out.append(_row(r))
            misses = 0
        except (sqlite3.Error, ValueError, TypeError, OverflowError):
            misses += 1
    return out


@dataclass(frozen=True)
class DiaryRow:
    id: int
    at: datetime
    kind: str
    ml: int | None
    size: str | None
    note: str | None
    count: int | None
    container: str | None


class DiaryLog:
    """The plasdagboek: timed entries the user said or typed."""

    def __init__(self, journal: Journal) -> None:
        self._db = journal._db
        self._lock = journal._lock

    @_locked
    def add(self, at: datetime, kind: str, ml: int | None = None, size: str | None = None, note: str | None = None,
            count: int | None = None, container: str | None = None) -> int:
        cur = self._db.execute(
            "INSERT INTO diary (at, kind, ml, size, note, count, container) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (at.isoformat(timespec="seconds"), kind, ml, size, note, count, container))
        assert cur.lastrowid is not None
        return cur.lastrowid

    @_locked
    def rows(self) -> list[DiaryRow]:
        rows = self._db.execute("SELECT id, at, kind, ml, size, note, count, container FROM diary ORDER BY at, id")
        return [DiaryRow(r[0], _parse_required(r[1]), *r[2:]) for r in rows.fetchall()]

    @_locked
    def last(self) -> DiaryRow | None:
        r = self._db.execute("SELECT id, at, kind, ml, size, note, count, container FROM diary "
                             "ORDER BY id DESC LIMIT 1").fetchone()
        return DiaryRow(r[0], _parse_required(r[1]), *r[2:]) if r else None

    @_locked
    def remove(self, entry_id: int) -> None:
        self._db.execute("DELETE FROM diary WHERE id = ?", (entry_id,))

    @_locked
    def fill_container(self, container: str, ml_each: int) -> int:
        """Entries of ``container`` without an amount get count x ``ml_each``; how many did."""
        cur = self._db.execute("UPDATE diary SET ml = COALESCE(count, 1) * ? WHERE container = ? AND ml IS NULL",
                               (ml_each, container))
        return cur.rowcount


class AppointmentLog:
    """Check-up dates the user told the coach. A new date replaces the ones still to come."""

    def __init__(self, journal: Journal) -> None:
        self._db = journal._db
        self._lock = journal._lock

    @_locked
    def set(self, on: date, told_at: datetime) -> None:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.execute("DELETE FROM appointments WHERE on_date >= ?", (told_at.date().isoformat(),))
            self._db.execute("INSERT INTO appointments (on_date, told_at) VALUES (?, ?)",
                             (on.isoformat(), told_at.isoformat(timespec="seconds")))
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    @_locked
    def dates(self) -> list[date]:
        return [date.fromisoformat(r[0]) for r in
                self._db.execute("SELECT on_date FROM appointments ORDER BY on_date").fetchall()]

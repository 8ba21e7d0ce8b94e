"""The journal: a local SQLite database of sessions and check-ins. Nothing else touches it.

Every session is written from its first round and updated after each round, each in its own
transaction, so a crash or power cut loses nothing already done.
"""

from __future__ import annotations

import functools
import logging
import os
import sqlite3
import threading
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

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
    # 3: the plasdagboek kept by voice, and the check-up dates the user told
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
    """One connection is shared by the coach thread and the front end: one call at a time."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)
    return wrapper


def _parse(ts: str | None) -> datetime | None:
    return datetime.fromisoformat(ts) if ts else None


def _parse_required(ts: str) -> datetime:
    return datetime.fromisoformat(ts)


class Journal:
    def __init__(self, directory: Path) -> None:
        self.path = Path(directory) / FILENAME
        self._lock = threading.RLock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fresh = not self.path.exists()
            if fresh:
                # Create it readable by the user only, before any data goes in.
                fd = os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600)
                os.close(fd)
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._migrate()
        except sqlite3.DatabaseError as err:
            raise UserError(
                f"Het dagboek {self.path} is beschadigd of onleesbaar. "
                "Er is niets gewist; maak een kopie en vraag om hulp.",
                detail=repr(err),
            ) from None
        except OSError as err:
            raise UserError(f"De map {self.path.parent} is niet beschrijfbaar voor het dagboek.", repr(err)) from None

    @property
    def version(self) -> int:
        return self._db.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        current = self.version
        if current > len(MIGRATIONS):
            raise UserError(
                "Dit dagboek is gemaakt door een nieuwere versie van het programma; werk het programma bij.",
                detail=f"schema {current} > {len(MIGRATIONS)}",
            )
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

    def close(self) -> None:
        self._db.close()

    # -- sessions ------------------------------------------------------------------------------
    @_locked
    def start_session(self, started_at: datetime, position: str, tempo: float, reps_planned: int) -> int:
        cur = self._db.execute(
            "INSERT INTO sessions (started_at, position, tempo, reps_planned) VALUES (?, ?, ?, ?)",
            (started_at.isoformat(timespec="seconds"), position, tempo, reps_planned),
        )
        assert cur.lastrowid is not None
        return cur.lastrowid

    @_locked
    def record_round(self, session_id: int, reps_done: int, tempo: float) -> None:
        self._db.execute("UPDATE sessions SET reps_done = ?, tempo = ? WHERE id = ?", (reps_done, tempo, session_id))

    @_locked
    def finish_session(self, session_id: int, ended_at: datetime, completed: bool, reps_done: int) -> None:
        self._db.execute(
            "UPDATE sessions SET status = ?, ended_at = ?, reps_done = ? WHERE id = ?",
            ("completed" if completed else "stopped", ended_at.isoformat(timespec="seconds"), reps_done, session_id),
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

"""`progress`, `data export FILE` and `data delete`: the user owns her data."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import tempfile
from datetime import datetime
from pathlib import Path

from assistant import errors, paths, prompts
from assistant.app import wiring
from assistant.errors import UserError
from assistant.programme import calendar as programme
from assistant.programme import journal as journal_mod
from assistant.programme.journal import CheckinLog, DiaryLog, JournalError

CHECKIN_FIELDS = ("kind", "asked_at", "answer", "answered_at")
FIELDS = ("id", "started_at", "position", "tempo", "reps_planned", "reps_done", "status", "ended_at")


def cmd_progress(args) -> int:
    journal = wiring.open_journal(args)
    words = prompts.load("programme")
    rows, now = journal.sessions(), datetime.now().astimezone()
    print(programme.answer_progress(rows, now, words))
    print(programme.answer_today(rows, now, words))
    table = programme.sessions_per_week(rows, now)
    if table:
        print()
        print(f"{'week':>6}{'sessies':>10}{'dagen met 3':>14}")
        for week, sessions, full_days in table:
            print(f"{week:>6}{sessions:>10}{full_days:>14}")
    return 0


def _row_dict(r) -> dict:
    return {"id": r.id, "started_at": r.started_at.isoformat(), "position": r.position, "tempo": r.tempo,
            "reps_planned": r.reps_planned, "reps_done": r.reps_done, "status": r.status,
            "ended_at": r.ended_at.isoformat() if r.ended_at else None}


def _read_all(args) -> tuple[list, list, list, bool]:
    """Sessions, check-ins and the plasdagboek; from a damaged journal, whatever sessions and
    check-ins can still be read (and nothing is written to it). The last item is False when rows
    may be missing."""
    try:
        journal = wiring.open_journal(args)
    except JournalError as err:
        if err.kind != "damaged":
            raise
        saved = journal_mod.salvage(err.path.parent)
        return saved.sessions, saved.checkins, [], False
    rows, checkins, diary = journal.sessions(), CheckinLog(journal).all(), DiaryLog(journal).rows()
    journal.close()
    return rows, checkins, diary, True


def _write_private(target: Path, text: str, overwrite: bool) -> None:
    """Write ``text`` readable by the user only (like the journal), in one step: never half a file.
    An existing file is replaced only when asked."""
    if target.exists() and not overwrite:
        raise UserError(f"Het bestand {target} bestaat al. Kies een andere naam, of vervang het met --overschrijven.")
    folder = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=folder)   # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def cmd_export(args) -> int:
    target = Path(args.file)
    kind = target.suffix.lower()
    if kind not in (".csv", ".json"):
        raise UserError("Kies een bestandsnaam die eindigt op .csv of .json.")
    rows, checkin_rows, diary_rows, complete = _read_all(args)
    sessions = [_row_dict(r) for r in rows]
    if kind == ".json":
        checkins = [dict(zip(CHECKIN_FIELDS, c, strict=True)) for c in checkin_rows]
        diary = [{"at": d.at.isoformat(), "kind": d.kind, "ml": d.ml, "size": d.size, "note": d.note}
                 for d in diary_rows]
        text = json.dumps({"sessions": sessions, "checkins": checkins, "diary": diary}, ensure_ascii=False, indent=2)
    else:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(sessions)
        text = buffer.getvalue()
    try:
        _write_private(target, text, args.overwrite)
    except OSError as err:
        raise _file_error(target, err) from None
    print(f"{len(sessions)} sessies opgeslagen in {target}.")
    if not complete:
        print("Het dagboek is beschadigd: dit is wat er nog leesbaar was, er kunnen sessies ontbreken.",
              file=sys.stderr)
    return 0


def _file_error(target: Path, err: OSError) -> UserError:
    kind = errors.os_fault(err)
    if kind == "full":
        return UserError(f"De schijf is vol: {target} kan niet worden geschreven.", repr(err), errors.EXIT_DISK_FULL)
    if kind == "permission":
        return UserError(f"U mag niet schrijven in {target.parent}; kies een andere map.", repr(err),
                         errors.EXIT_PERMISSION)
    if kind == "folder":
        return UserError(f"De map {target.parent} bestaat niet (of is een bestand); kies een andere plek.", repr(err),
                         errors.EXIT_FOLDER)
    return UserError(f"Het bestand {target} kan niet worden geschreven.", repr(err), errors.EXIT_DISK_FULL)


def cmd_delete(args) -> int:
    path = paths.data_dir(getattr(args, "data_dir", None)) / journal_mod.FILENAME
    if not path.exists():
        print(f"Er is geen dagboek in {path.parent}; er is niets verwijderd.")
        return 0
    try:
        journal = wiring.open_journal(args)
        what = f"uw dagboek met {len(journal.sessions())} sessies"
        journal.close()
    except JournalError as err:
        if err.kind != "damaged":
            raise
        what = f"uw beschadigde dagboek (nog {len(journal_mod.salvage(path.parent).sessions)} leesbare sessies)"
    if not args.yes:
        if not sys.stdin.isatty() and not args.confirm_from_stdin:
            raise UserError("Verwijderen moet u bevestigen: voer het uit in een terminal, of gebruik --ja.")
        print(f"Dit verwijdert {what} ({path}). Typ 'ja' om te bevestigen: ", end="", flush=True)
        if sys.stdin.readline().strip().lower() != "ja":
            print("Niets verwijderd.")
            return 1
    try:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    except OSError as err:
        raise JournalError(journal_mod.fault_kind(err, path), path, repr(err)) from None
    print("Uw dagboek is verwijderd.")
    return 0

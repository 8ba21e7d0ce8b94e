"""`progress`, `data export FILE` and `data delete`: the user owns her data."""

from __future__ import annotations

import csv
import json
import sys
from datetime import datetime
from pathlib import Path

from assistant import prompts
from assistant.app import wiring
from assistant.errors import UserError
from assistant.programme import calendar as programme
from assistant.programme.journal import CheckinLog, DiaryLog

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


def cmd_export(args) -> int:
    journal = wiring.open_journal(args)
    target = Path(args.file)
    sessions = [_row_dict(r) for r in journal.sessions()]
    kind = target.suffix.lower()
    if kind not in (".csv", ".json"):
        raise UserError("Kies een bestandsnaam die eindigt op .csv of .json.")
    try:
        if kind == ".json":
            checkins = [dict(zip(CHECKIN_FIELDS, c, strict=True)) for c in CheckinLog(journal).all()]
            diary = [{"at": d.at.isoformat(), "kind": d.kind, "ml": d.ml, "size": d.size, "note": d.note}
                     for d in DiaryLog(journal).rows()]
            target.write_text(json.dumps({"sessions": sessions, "checkins": checkins, "diary": diary},
                                         ensure_ascii=False, indent=2), encoding="utf-8")
        else:
            with target.open("w", newline="", encoding="utf-8") as f:
                writer = csv.DictWriter(f, fieldnames=FIELDS)
                writer.writeheader()
                writer.writerows(sessions)
    except OSError as err:
        raise UserError(f"Het bestand {target} kan niet worden geschreven.", repr(err)) from None
    print(f"{len(sessions)} sessies opgeslagen in {target}.")
    return 0


def cmd_delete(args) -> int:
    journal = wiring.open_journal(args)
    path = journal.path
    count = len(journal.sessions())
    if not args.yes:
        if not sys.stdin.isatty() and not args.confirm_from_stdin:
            raise UserError("Verwijderen moet u bevestigen: voer het uit in een terminal, of gebruik --ja.")
        print(f"Dit verwijdert uw dagboek met {count} sessies ({path}). Typ 'ja' om te bevestigen: ",
              end="", flush=True)
        if sys.stdin.readline().strip().lower() != "ja":
            print("Niets verwijderd.")
            return 1
    journal.close()
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    print("Uw dagboek is verwijderd.")
    return 0

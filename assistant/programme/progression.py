"""Position progression by the patient's own judgement (leaflet: first lying down; "Gaat het goed,
dan kunt u de oefening ook zittend of staand doen, of tijdens andere bezigheden gedurende de dag.
Herhaal de oefening dan wat vaker."). Pure: decisions from the journal's sessions.

The coach never decides that it goes well: after enough sessions lying down it asks. A yes adds
sitting and standing, in turn with lying (not instead of it), and offers a higher daily goal that
the user may take or leave; later it mentions practising during daily activities.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from assistant.programme.calendar import local


def time_to_ask(rows, now: datetime, words: dict, asked_on: date | None) -> bool:
    """Enough complete sessions lying down, on enough days (and, after a no, enough days later)."""
    p = words["progression"]
    done = [r for r in rows if r.status == "completed" and r.position == "lying"]
    if len(done) < p["sessions"] or len({local(r.started_at, now).date() for r in done}) < p["days"]:
        return False
    return asked_on is None or now.date() - asked_on >= timedelta(days=p["again_days"])


def time_for_daily(rows, positions: list[str], words: dict) -> bool:
    """Once positions were added: enough complete sessions sitting or standing."""
    done = [r for r in rows if r.status == "completed" and r.position in positions and r.position != "lying"]
    return len(positions) > 1 and len(done) >= words["progression"]["daily_after"]


def next_position(positions: list[str], last: str | None) -> str:
    """The position after ``last`` in turn: liggend, zittend, staand, liggend, ..."""
    if not positions:
        return "lying"
    if last not in positions:
        return positions[0]
    return positions[(positions.index(last) + 1) % len(positions)]

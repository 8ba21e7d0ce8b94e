"""Position progression (leaflet: first lying down; when that goes well, sitting or standing, then
during other activities). Pure: a suggestion from the journal's sessions."""

from __future__ import annotations

from datetime import datetime

from assistant.programme.calendar import local


def suggestion(rows, position: str, now: datetime, words: dict, declined: set[str]) -> str | None:
    """The next position to suggest ('sitting', 'standing', 'daily'), or None."""
    p = words["progression"]
    done = [r for r in rows if r.status == "completed" and r.position == position]
    if len(done) < p["sessions"] or len({local(r.started_at, now).date() for r in done}) < p["days"]:
        return None
    order = p["order"]
    nxt = order[order.index(position) + 1] if position in order and order.index(position) + 1 < len(order) else "daily"
    return None if nxt in declined else nxt

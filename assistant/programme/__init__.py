"""The programme beside the flow: the journal (SQLite) and the pure decisions read from it:
calendar, check-ins, reminders and the position progression."""

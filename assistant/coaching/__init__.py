"""The exercise session: a pure plan of timed cues, and the runner that plays it on a clock."""

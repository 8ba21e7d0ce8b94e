"""python -m bench [understanding|voice|coach ...]: run benchmarks and print their figures.

`python -m bench soak [--minutes N]` (30 minutes by default) is never part of the default run."""

import sys

from bench import coach_beat, satellite_bench, soak, understanding_bench, voice_reaction

BENCHMARKS = {"understanding": understanding_bench.main, "voice": voice_reaction.main, "coach": coach_beat.main,
              "satellite": satellite_bench.main}

if sys.argv[1:2] == ["soak"]:
    soak.main(sys.argv[2:])
    raise SystemExit(0)
names = [a for a in sys.argv[1:] if not a.startswith("-")] or list(BENCHMARKS)
for name in names:
    if name not in BENCHMARKS:
        raise SystemExit(f"unknown benchmark {name!r}; known: {', '.join(BENCHMARKS)}, soak")
    BENCHMARKS[name]()
    print()

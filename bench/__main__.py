"""python -m bench [understanding|voice|coach ...]: run benchmarks and print their figures."""

import sys

from bench import coach_beat, satellite_bench, understanding_bench, voice_reaction

BENCHMARKS = {"understanding": understanding_bench.main, "voice": voice_reaction.main, "coach": coach_beat.main,
              "satellite": satellite_bench.main}

names = sys.argv[1:] or list(BENCHMARKS)
for name in names:
    if name not in BENCHMARKS:
        raise SystemExit(f"unknown benchmark {name!r}; known: {', '.join(BENCHMARKS)}")
    BENCHMARKS[name]()
    print()

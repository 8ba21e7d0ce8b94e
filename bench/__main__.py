"""python -m bench [coach|understanding ...]: run benchmarks and print their figures."""

import sys

from bench import coach_beat, understanding_bench

BENCHMARKS = {"understanding": understanding_bench.main, "coach": coach_beat.main}

names = sys.argv[1:] or list(BENCHMARKS)
for name in names:
    if name not in BENCHMARKS:
        raise SystemExit(f"unknown benchmark {name!r}; known: {', '.join(BENCHMARKS)}")
    BENCHMARKS[name]()
    print()

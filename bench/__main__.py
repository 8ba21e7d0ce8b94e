"""python -m bench [coach|understanding|...]: run benchmarks and print their figures."""

import sys

from bench import coach_beat

BENCHMARKS = {"coach": coach_beat.main}

try:
    from bench import understanding_bench
    BENCHMARKS["understanding"] = understanding_bench.main
except ImportError:  # pragma: no cover - added in a later step
    pass

names = sys.argv[1:] or list(BENCHMARKS)
for name in names:
    if name not in BENCHMARKS:
        raise SystemExit(f"unknown benchmark {name!r}; known: {', '.join(BENCHMARKS)}")
    BENCHMARKS[name]()
    print()

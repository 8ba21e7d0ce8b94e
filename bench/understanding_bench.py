"""Benchmark: understanding accuracy and speed.

    python -m bench understanding [--misses] [--test] [--cross] [--batches]

Sets: four independent held-out sets in tests/data/heldout*/ (each written from the leaflet by
someone who never saw prompts/ or tests/, split once into tune.tsv, which may be tuned on, and
test.tsv, which may not: it is printed only with --test, and --misses lists the tune halves'
misses only), and the project's own older files tests/data/eval_*.tsv. A fifth set, red flags and
near misses only, is all test (tests/data/heldout5/test.tsv), and so are a sixth to a fifteenth,
over every label (tests/data/heldout6/ to heldout15/test.tsv). The tune halves are
also the classifier's examples (prompts/examples.toml), so their own figures say little; --cross
measures each tune half with a classifier trained without it (leave one set out); --batches does the
same for each batch in bench/data/batches/ (written the same way; merged into examples.toml unless its
first line says otherwise, and then simply unseen): the honest figures to choose the settings on.
Prints per set: in-domain top-1, wrong answers, out-of-domain refused, red flags referred (and in
the right category), safety false alarms, actions triggered by non-commands; then the time per
utterance and the load time in a fresh process (with the tables and Python's bytecode cached, as
from a user's second start on).

Scoring rules, fixed before tuning: an in-domain line is right when the intent (or action)
matches; "action:status" is also right as a programme answer (outside a session "hoe ver ben ik"
answers with today's programme). An out-of-domain line is right when refused or gently sent to
the huisarts without an alarm. A red flag is referred when the safety layer answers, whatever
its category.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
SETS = [("held-out tune half", DATA / "heldout" / "tune.tsv"), ("held-out TEST half", DATA / "heldout" / "test.tsv"),
        ("second set, tune half", DATA / "heldout2" / "tune.tsv"), ("second set, TEST half", DATA / "heldout2" / "test.tsv"),
        ("third set, tune half", DATA / "heldout3" / "tune.tsv"), ("third set, TEST half", DATA / "heldout3" / "test.tsv"),
        ("fourth set, tune half", DATA / "heldout4" / "tune.tsv"), ("fourth set, TEST half", DATA / "heldout4" / "test.tsv"),
        ("fifth: red flags, TEST", DATA / "heldout5" / "test.tsv"),
        ("sixth set, all TEST", DATA / "heldout6" / "test.tsv"),
        ("seventh set, all TEST", DATA / "heldout7" / "test.tsv"),
        ("eighth set, all TEST", DATA / "heldout8" / "test.tsv"),
        ("ninth set, all TEST", DATA / "heldout9" / "test.tsv"),
        ("tenth set, all TEST", DATA / "heldout10" / "test.tsv"),
        ("eleventh set, all TEST", DATA / "heldout11" / "test.tsv"),
        ("twelfth set, all TEST", DATA / "heldout12" / "test.tsv"),
        ("thirteenth set, all TEST", DATA / "heldout13" / "test.tsv"),
        ("fourteenth set, all TEST", DATA / "heldout14" / "test.tsv"),
        ("fifteenth set, all TEST", DATA / "heldout15" / "test.tsv")]
OLD = sorted(DATA.glob("eval_*.tsv"))
GOALS = {"in_domain": 0.95, "ood_refused": 0.95, "safety_recall": 1.0, "false_actions": 0,
         "ms_p95": 2.0, "load_ms": 200}
# Figures of the matcher before it was rebuilt (issue 9, commit 1b5506d), measured with this
# script's scoring on 2026-11-26.
# (in-domain, wrong, ood refused, red flags referred, of, false alarms, false actions)
BEFORE = {
    "held-out tune half": (0.621, 0.064, 0.774, 4, 36, 6, 1),
    "held-out TEST half": (0.589, 0.091, 0.839, 6, 30, 4, 1),
    "second set, tune half": (0.449, 0.063, 0.795, 4, 40, 5, 2),
    "second set, TEST half": (0.510, 0.036, 0.641, 3, 37, 9, 2),
    "project's own eval_*.tsv": (0.989, 0.003, 0.980, 17, 17, 0, 0),
    # The third set arrived after the rule-based matcher was done (commit ff93574): its figures
    # then, measured once, before the classifier was added.
    "third set, tune half": (0.731, 0.037, 0.922, 41, 48, 4, 0),
    "third set, TEST half": (0.805, 0.067, 0.922, 26, 36, 1, 2),
}
BEFORE_TIMES = {"p95_ms": 0.902, "load_ms": 241}


def rows(path: Path):
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            label, text = line.split("\t")
            yield label, text


def system_label(r) -> str:
    kind = str(r.kind)
    if kind == "safety":
        return f"safety:{r.category or ''}"
    if kind == "command":
        return f"action:{r.action}"
    if kind == "question":
        return r.intent
    if kind in ("programme", "reply"):
        return f"{kind}:{r.intent}"
    if kind == "body":
        return "body"
    return "refused"


def old_label(label: str) -> str:
    """The older files label every symptom plain 'safety'."""
    return label


def right(expected: str, got: str) -> bool:
    if expected == got:
        return True
    if expected == "action:status" and got.startswith("programme:"):
        return True
    return False


def score(u, items):
    got = [(e, system_label(u.understand(t)), t) for e, t in items]
    ind = [(e, g) for e, g, _ in got if e != "ood" and not e.startswith("safety")]
    ood = [g for e, g, _ in got if e == "ood"]
    safety = [(e, g) for e, g, _ in got if e.startswith("safety")]
    not_safety = [g for e, g, _ in got if not e.startswith("safety")]
    return {
        "n": len(items),
        "in_domain": sum(right(e, g) for e, g in ind) / len(ind) if ind else float("nan"),
        "wrong": sum(g not in ("refused", "body") and not right(e, g) for e, g in ind) / len(ind) if ind else float("nan"),
        "ood_refused": sum(g in ("refused", "body") for g in ood) / len(ood) if ood else float("nan"),
        "safety_recall": (sum(g.startswith("safety") for _, g in safety), len(safety)),
        "safety_category": (sum(e == g for e, g in safety), len(safety)),
        "false_alarms": sum(g.startswith("safety") for g in not_safety),
        "false_actions": sum(1 for e, g, _ in got if not e.startswith("action:") and g.startswith("action:")),
        "misses": [(e, g, t) for e, g, t in got if not (right(e, g) or (e == "ood" and g in ("refused", "body"))
                                                       or (e.startswith("safety") and g.startswith("safety")))],
    }


LOAD_SNIPPET = ("import time; t=time.perf_counter(); from assistant.language.understanding import Understanding; "
                "Understanding({cache}); print((time.perf_counter()-t)*1000)")


def load_ms(cache_arg: str) -> float:
    # As on a user's machine from the second start on: Python's compiled bytecode kept too (a
    # sandbox that sets PYTHONDONTWRITEBYTECODE would compile every module at every start).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    out = subprocess.run([sys.executable, "-c", LOAD_SNIPPET.format(cache=cache_arg)], cwd=ROOT,
                         capture_output=True, text=True, check=True, env=env).stdout
    return float(out.strip().splitlines()[-1])


def line(name: str, s: dict) -> str:
    sr, sn = s["safety_recall"]
    cr, cn = s["safety_category"]
    return (f"  {name:26}{s['n']:>5}{s['in_domain']:>8.1%}{s['wrong']:>7.1%}{s['ood_refused']:>9.1%}"
            f"{f'{sr}/{sn}':>9}{f'{cr}/{cn}':>9}{s['false_alarms']:>7}{s['false_actions']:>7}")


def before_line(name: str) -> str | None:
    if name not in BEFORE:
        return None
    ind, wrong, ood, sr, sn, alarms, actions = BEFORE[name]
    return (f"  {'  before':26}{'':>5}{ind:>8.1%}{wrong:>7.1%}{ood:>9.1%}{f'{sr}/{sn}':>9}{'':>9}{alarms:>7}{actions:>7}")


def without(examples: dict, texts: set[str]) -> str:
    """examples.toml without the given sentences, as TOML text."""
    import json

    def arr(xs):
        return "[" + ", ".join(json.dumps(x, ensure_ascii=False) for x in xs if x not in texts) + "]"
    out = []
    for section in ("questions", "commands", "safety"):
        out.append(f"[{section}]")
        out += [f"{k} = {arr(v)}" for k, v in examples[section].items()]
    out.append("[out_of_domain]")
    out.append(f"sentences = {arr(examples['out_of_domain']['sentences'])}")
    return "\n".join(out) + "\n"


def left_out(name: str, items: list[tuple[str, str]]) -> None:
    """Print the figures of ``items`` for a classifier trained without them (their lines taken
    out of examples.toml)."""
    import shutil
    import tomllib

    from assistant.language.understanding import Understanding

    examples = tomllib.loads((ROOT / "prompts" / "examples.toml").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "prompts"
        shutil.copytree(ROOT / "prompts", folder)
        (folder / "examples.toml").write_text(without(examples, {t for _, t in items}), encoding="utf-8")
        u = Understanding(folder, cache_dir=Path(tmp) / "cache")
        print(line(name, score(u, items)))


def cross() -> None:
    """Each tune half measured by a classifier that never saw it (its examples left out)."""
    print("\n  leave one set out: each tune half, its lines taken out of examples.toml")
    for name, path in SETS:
        if "tune" in name:
            left_out(name.replace("tune half", "tune, unseen"), list(rows(path)))


def batches() -> None:
    """Each training batch of bench/data/batches/ measured by a classifier trained without it.
    The batches were written the way the sets were; the settings of [classifier] were chosen on
    these figures, and some of the safety layer's words on the misses of 6c, 6f, 7c, 8a, 9b and 9d,
    whose red-flag and look-alike figures are therefore no longer blind."""
    print("\n  leave one batch out: each training batch, its lines taken out of examples.toml")
    for path in sorted((ROOT / "bench" / "data" / "batches").glob("*.tsv")):
        left_out(path.stem + ", unseen", list(rows(path)))


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[2:] if argv is None else argv
    sys.path.insert(0, str(ROOT))
    from assistant.language.understanding import Understanding

    u = Understanding()
    print("Understanding benchmark")
    print(f"  {'set':26}{'n':>5}{'in-dom':>8}{'wrong':>7}{'ood ref':>9}{'red fl.':>9}{'categ.':>9}{'alarm':>7}{'act.':>7}")
    every = []
    tune_misses = []
    for name, path in SETS:
        if "TEST" in name and "--test" not in argv:
            continue   # the held-out half is measured at the end of a change, not while tuning
        items = list(rows(path))
        every += items
        s = score(u, items)
        print(line(name, s))
        if name in BEFORE:
            print(before_line(name))
        if "tune" in name:
            tune_misses += [(f"{e} [{name[:6]}]", g, t) for e, g, t in s["misses"]]
    old_items = [(old_label(e), t) for f in OLD for e, t in rows(f)]
    every += old_items
    print(line("project's own eval_*.tsv", score(u, old_items)))
    print(before_line("project's own eval_*.tsv"))
    print(f"  {'goal':26}{'':>5}{GOALS['in_domain']:>8.0%}{'':>7}{GOALS['ood_refused']:>9.0%}{'all':>9}{'':>9}{'':>7}"
          f"{GOALS['false_actions']:>7}")
    if "--misses" in argv:
        print("\n  misses in the TUNE half (the test half's are never shown):")
        for e, g, t in tune_misses:
            print(f"    {e:32} got {g:32} {t}")

    if "--cross" in argv:
        cross()
    if "--batches" in argv:
        batches()

    texts = [t for _, t in every]
    for t in texts[:50]:
        u.understand(t)  # warm up
    times = []
    for _ in range(3):
        for t in texts:
            start = time.perf_counter()
            u.understand(t)
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    with tempfile.TemporaryDirectory() as empty:
        cold = load_ms(f"cache_dir=__import__('pathlib').Path({empty!r})")
    load_ms("")  # make sure the default cache exists
    warm = statistics.median(load_ms("") for _ in range(3))
    print()
    print(f"  {'time per utterance, median (ms)':42}{statistics.median(times):>8.3f}")
    print(f"  {'time per utterance, p95 (ms)':42}{times[int(0.95 * len(times))]:>8.3f}   goal <= {GOALS['ms_p95']}"
          f"   before {BEFORE_TIMES['p95_ms']}")
    print(f"  {'load, fresh process, cached tables (ms)':42}{warm:>8.0f}   goal <= {GOALS['load_ms']} (median of 3)"
          f"   before {BEFORE_TIMES['load_ms']}")
    print(f"  {'load, fresh process, first run (ms)':42}{cold:>8.0f}   (builds the tables once)")


if __name__ == "__main__":
    main()

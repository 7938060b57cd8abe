#!/usr/bin/env python3
"""Benchmark of `eligibility screen` on generated applicants (a script, not a test).

Generates N applicants (default 100,000) with candidates/generate.py, then
runs, several times each, as separate processes:

* the floor: reading and validating the same file without screening it
  (ApplicantReader + build_candidate), which no screening can beat;
* `eligibility screen FILE --class ONE` and `--class all`, with 1 and 2 workers.

It prints the median of the runs: seconds, applicants/s, determinations/s,
the ratio to the floor and the peak resident memory of the main process and
of the largest worker, and checks that 1 and 2 workers wrote identical files.

    python benchmarks/screen.py                       # 100,000 applicants, 3 runs
    python benchmarks/screen.py --n 20000 --runs 1    # a quick look
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Runs in a fresh interpreter: times the work, then reports peak RSS of itself and its children (the workers).
_SCREEN = """
import json, resource, sys, time
from eligibility.cli import main
t = time.perf_counter()
try:
    main(sys.argv[1:], prog_name="eligibility")
except SystemExit as exc:
    code = exc.code
seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "code": code,
                  "rss_main": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "rss_worker": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}), file=sys.stderr)
"""

_FLOOR = """
import json, resource, sys, time
from eligibility import InputError
from eligibility.csvio import ApplicantReader, build_candidate
t = time.perf_counter()
n = errors = 0
with ApplicantReader(sys.argv[1]) as reader:
    for record in reader:
        n += 1
        try:
            build_candidate(record)
        except InputError:
            errors += 1
seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "records": n, "errors": errors,
                  "rss_main": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "rss_worker": 0}), file=sys.stderr)
"""


def _run(code: str, args: list[str]) -> dict:
    proc = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    last = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ""
    try:
        return json.loads(last)
    except json.JSONDecodeError:
        raise SystemExit(f"benchmark run failed:\n{proc.stderr}") from None


def _classes(as_of: dt.date, one: str) -> tuple[int, str]:
    sys.path.insert(0, str(ROOT))
    from eligibility import RuleError, load_rules

    book = load_rules(ROOT / "rules", strict=False)
    usable = []
    for cid, loaded in book.classes.items():
        try:
            loaded.version_for(as_of)
            usable.append(cid)
        except RuleError:
            pass
    if one not in usable:
        raise SystemExit(f"class {one!r} has no version in force on {as_of}")
    return len(usable), ", ".join(sorted(usable))


def _mb(kb: float) -> str:
    return f"{kb / 1024:.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="applicants to generate (default 100,000)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement; the median is shown")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--one", default="la-1213", help="the class of the one-class runs (default la-1213)")
    parser.add_argument("--as-of", default="2024-06-30")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--only", choices=["one", "all"], help="run only the one-class or the all-classes screens")
    parser.add_argument("--keep", type=Path, help="write the generated file and results here instead of a temp dir")
    parser.add_argument("--scale", type=int, metavar="N",
                        help="instead, the scale run (benchmarks/scale.py): N applicants streamed to a file and "
                             "screened against the seed classes with 2 workers; time, sampled RSS, one row each")
    args = parser.parse_args()
    if args.scale:
        from scale import SEED_CLASSES, run  # benchmarks/scale.py, beside this script

        run(args.scale, args.seed, max(args.workers), SEED_CLASSES, args.as_of, args.keep)
        return
    as_of = dt.date.fromisoformat(args.as_of)
    n_all, all_ids = _classes(as_of, args.one)

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        data = folder / f"applicants-{args.n}.csv"
        t = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "candidates" / "generate.py"), "--n", str(args.n), "--seed",
                        str(args.seed), "--out", str(data), "--as-of", args.as_of], check=True)
        print(f"Generated {args.n:,} applicants ({data.stat().st_size / 1e6:.1f} MB) in "
              f"{time.perf_counter() - t:.1f} s; all classes in force on {as_of}: {n_all} ({all_ids}).")
        print(f"Median of {args.runs} run(s) each, on {_cpu_count()} CPU(s).\n", flush=True)

        rows = []
        floor = [_run(_FLOOR, [str(data)]) for _ in range(args.runs)]
        floor_s = statistics.median(r["seconds"] for r in floor)
        rows.append(("parse + validate only (floor)", "", floor_s, args.n / floor_s, None, 1.0,
                     max(r["rss_main"] for r in floor), 0))
        _print_header()
        _print_row(rows[-1])
        digests: dict[str, set[str]] = {}
        configs = [("one", "1 class", ["--class", args.one], 1), ("all", "all classes", ["--class", "all"], n_all)]
        for key, label, class_args, count in configs:
            if args.only and key != args.only:
                continue
            for workers in args.workers:
                out = folder / f"results-{label.replace(' ', '-')}-w{workers}.csv"
                runs = [_run(_SCREEN, ["screen", str(data), *class_args, "--as-of", args.as_of, "--workers",
                                       str(workers), "--out", str(out), "--quiet"]) for _ in range(args.runs)]
                seconds = statistics.median(r["seconds"] for r in runs)
                digests.setdefault(label, set()).add(hashlib.sha256(out.read_bytes()).hexdigest())
                rows.append((f"screen, {label} ({count})", workers, seconds, args.n / seconds,
                             args.n * count / seconds, seconds / floor_s, max(r["rss_main"] for r in runs),
                             max(r["rss_worker"] for r in runs)))
                _print_row(rows[-1])
                print(f"{'':<36} runs: " + "; ".join(f"{r['seconds']:.1f} s, RSS {_mb(r['rss_main'])}"
                                                      + (f" / {_mb(r['rss_worker'])}" if r["rss_worker"] else "")
                                                      for r in runs), flush=True)
        same = all(len(d) == 1 for d in digests.values())
        print(f"\nOutput identical for {', '.join(map(str, args.workers))} worker(s): {'yes' if same else 'NO'}")
        best = [r for r in rows if r[1] == max(args.workers)]
        print("Targets (2 workers): >= 5,000 determinations/s; peak RSS < 300 MB; within 3x of the floor.")
        for r in best:
            print(f"  {r[0]}: {r[4]:,.0f} determinations/s, {r[5]:.2f}x the floor, peak RSS main "
                  f"{_mb(r[6])} / worker {_mb(r[7])}")


def _cpu_count() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _print_header() -> None:
    print(f"{'run':<36} {'workers':>7} {'seconds':>8} {'applicants/s':>13} {'determinations/s':>17} "
          f"{'x floor':>8} {'RSS main':>9} {'RSS worker':>11}")


def _print_row(r) -> None:
    label, workers, seconds, aps, dps, ratio, rss_main, rss_worker = r
    print(f"{label:<36} {workers!s:>7} {seconds:>8.1f} {aps:>13,.0f} {'' if dps is None else f'{dps:,.0f}':>17} "
          f"{ratio:>8.2f} {_mb(rss_main):>9} {_mb(rss_worker) if rss_worker else '':>11}", flush=True)


if __name__ == "__main__":
    main()

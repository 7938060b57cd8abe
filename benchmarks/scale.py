#!/usr/bin/env python3
"""Scale run of `eligibility screen` (issue 6): N generated applicants screened to a file (a script, not a test).

Streams N applicants from candidates/generate.py to a CSV file, screens it with
`eligibility screen --workers W --out results.csv` in a separate process while
sampling the resident memory of that process and of its workers once a second,
then reads the results back and checks that they hold exactly one row per
applicant and class, in input order. Prints the wall time of each step, the
throughput, the peak RSS of the main process and of the largest worker, and
the RSS samples at each tenth of the run, which show whether memory stays flat.

    python benchmarks/scale.py --n 1000000                 # the issue's run (tens of minutes on 2 cores)
    python benchmarks/scale.py --n 20000 --class all       # a quick look
    python benchmarks/screen.py --scale 1000000            # the same, from the benchmark script
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED_CLASSES = ["la-1213", "la-1230", "pdx-30000445", "senior-customer-services-clerk",
                "customer-relations-billing-supervisor"]


def _rss_kb(pid: int) -> tuple[int, int]:
    """(resident now, the kernel's high-water mark) in kB; (0, 0) for a process that has gone."""
    found = {}
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    found[line[:5]] = int(line.split()[1])
    except OSError:
        pass
    return found.get("VmRSS", 0), found.get("VmHWM", 0)


def _children(pid: int) -> list[int]:
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                out += [int(c) for c in fh.read().split()]
    except OSError:
        pass
    return out


def screen(data: Path, out: Path, class_args: list[str], as_of: str, workers: int) -> dict:
    """Run the command; sample (seconds, main RSS kB, largest worker RSS kB, results bytes) once a second,
    and keep the kernel's high-water marks of the main process and the workers."""
    cmd = [sys.executable, "-m", "eligibility.cli", "--rules", str(ROOT / "rules"), "screen", str(data),
           *class_args, "--as-of", as_of, "--workers", str(workers), "--out", str(out), "--quiet"]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    samples = []
    peak = {"main": 0, "worker": 0}
    while proc.poll() is None:
        main_rss, main_hwm = _rss_kb(proc.pid)
        workers = [_rss_kb(c) for c in _children(proc.pid)]
        peak["main"] = max(peak["main"], main_hwm)
        peak["worker"] = max([peak["worker"], *(hwm for _, hwm in workers)])
        samples.append((time.perf_counter() - start, main_rss, max((rss for rss, _ in workers), default=0),
                        out.stat().st_size if out.exists() else 0))
        time.sleep(1.0)
    stdout, stderr = proc.communicate()
    return {"seconds": time.perf_counter() - start, "code": proc.returncode, "samples": samples, "peak": peak,
            "summary": stdout, "stderr": stderr}


def verify(out: Path, n: int, seed: int, class_ids: list[str]) -> Counter:
    """One row per applicant and class, in input order, for the applicants G<seed>-000001 … N; status counts."""
    statuses: Counter = Counter()
    k = len(class_ids)
    with open(out, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        i = -1
        for i, row in enumerate(reader):
            applicant, position = divmod(i, k)
            if row[0] != f"G{seed}-{applicant + 1:06d}" or row[2] != class_ids[position]:
                raise SystemExit(f"results row {i + 2}: {row[0]}/{row[2]}, expected "
                                 f"G{seed}-{applicant + 1:06d}/{class_ids[position]}")
            statuses[row[3]] += 1
    rows = i + 1
    if header[:3] != ["id", "name", "class_id"] or rows != n * k:
        raise SystemExit(f"results hold {rows} rows, expected {n} applicants x {k} classes = {n * k}")
    return statuses


def _mb(kb: float) -> str:
    return f"{kb / 1024:,.0f} MB"


def run(n: int, seed: int, workers: int, classes: list[str], as_of: str, keep: Path | None) -> None:
    sys.path.insert(0, str(ROOT))
    from eligibility import load_rules

    book = load_rules(ROOT / "rules")
    day = dt.date.fromisoformat(as_of)
    class_ids = sorted(book.classes) if classes == ["all"] else list(dict.fromkeys(classes))
    class_ids = [c for c in class_ids if any(v.in_force(day) for v in book.classes[c].spec.versions)]
    class_args = [a for c in class_ids for a in ("--class", c)]
    with tempfile.TemporaryDirectory() as tmp:
        folder = keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        data, out = folder / f"applicants-{n}.csv", folder / f"results-{n}.csv"
        t = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "candidates" / "generate.py"), "--n", str(n), "--seed", str(seed),
                        "--out", str(data), "--as-of", as_of], check=True)
        generated = time.perf_counter() - t
        print(f"Generated {n:,} applicants ({data.stat().st_size / 1e6:,.0f} MB) in {generated:,.0f} s.", flush=True)
        print(f"Screening against {len(class_ids)} class(es) ({', '.join(class_ids)}) with {workers} worker(s) "
              f"on {len(os.sched_getaffinity(0))} CPU(s) …", flush=True)
        result = screen(data, out, class_args, as_of, workers)
        if result["code"] != 0:
            raise SystemExit(f"screen exited with {result['code']}:\n{result['stderr']}")
        t = time.perf_counter()
        statuses = verify(out, n, seed, class_ids)
        checked = time.perf_counter() - t
        seconds, samples = result["seconds"], result["samples"]
        print(f"Screened in {seconds:,.0f} s ({seconds / 60:.1f} min): {n / seconds:,.0f} applicants/s, "
              f"{n * len(class_ids) / seconds:,.0f} determinations/s; results {out.stat().st_size / 1e6:,.0f} MB.")
        print(f"Checked in {checked:,.0f} s: exactly one row per applicant and class, in input order "
              f"({n * len(class_ids):,} rows); statuses: "
              + ", ".join(f"{s} {c:,}" for s, c in sorted(statuses.items())) + ".")
        print(f"Peak RSS (kernel high-water mark): main process {_mb(result['peak']['main'])}, largest worker "
              f"{_mb(result['peak']['worker'])}; {len(samples)} samples, one a second.")
        print("RSS over the run (main / largest worker, results written so far):")
        for tenth in range(1, 11):
            s = samples[min(len(samples) - 1, max(0, round(len(samples) * tenth / 10) - 1))]
            print(f"  {tenth * 10:>3}%  {s[0]:>7,.0f} s  {_mb(s[1]):>8} / {_mb(s[2]):>8}  {s[3] / 1e6:>8,.0f} MB")
        print(result["summary"].split("\n\n")[0])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="applicants to generate (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--class", dest="classes", action="append", metavar="ID",
                        help="class to screen against, repeated, or 'all' (default: the five seed classes)")
    parser.add_argument("--as-of", default="2024-06-30")
    parser.add_argument("--keep", type=Path, help="write the generated file and results here instead of a temp dir")
    args = parser.parse_args(argv)
    run(args.n, args.seed, args.workers, args.classes or SEED_CLASSES, args.as_of, args.keep)


if __name__ == "__main__":
    main()

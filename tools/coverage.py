#!/usr/bin/env python3
"""Render docs/rule-coverage.md from docs/rule-coverage.yaml.

The YAML holds the data of the coverage report (issue 7): the features that
minimum-qualification texts use, which of them the rule language supports
before and after the language extensions, and, for each of the 80 corpus
texts, the features it needs.  This script computes the verdicts (full,
partial, none) and writes the markdown report.

    python tools/coverage.py            # regenerate docs/rule-coverage.md
    python tools/coverage.py --check    # exit 1 if the markdown is stale

It needs only PyYAML and reads nothing but the YAML file, so the report can
be regenerated without the corpus.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "docs" / "rule-coverage.yaml"
REPORT = ROOT / "docs" / "rule-coverage.md"

VERDICTS = ("full", "partial", "none")
STAGES = ("before", "after")


class DataError(ValueError):
    """The coverage data is inconsistent."""


# ------------------------------------------------------------------ data

def load(path: Path = DATA) -> dict:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def problems(data: dict) -> list[str]:
    """Every inconsistency in the data, as sentences (empty when it is sound)."""
    out: list[str] = []
    groups = data.get("groups") or {}
    features = data.get("features") or {}
    if not features:
        return ["no features are defined"]
    for fid, feat in features.items():
        for key in ("group", "definition", "basis"):
            if not (feat or {}).get(key):
                out.append(f"feature {fid!r} has no {key}")
        if feat and feat.get("group") not in groups:
            out.append(f"feature {fid!r} names group {feat.get('group')!r}, which is not defined")
    newly = set(data.get("supported_after") or []) - set(data.get("supported_before") or [])
    for fid, feat in features.items():
        after = str((feat or {}).get("after") or "")
        if fid in newly and (not after or after.startswith("Still not supported")):
            out.append(f"feature {fid!r} is supported after but its `after` does not say how")
        if after.startswith("Still not supported") and fid in (data.get("supported_after") or []):
            out.append(f"feature {fid!r} is listed in supported_after but its `after` says it is still not supported")
    named: set[str] = set()
    for n, ext in enumerate(data.get("extensions") or [], 1):
        for key in ("commit", "summary", "features"):
            if not (ext or {}).get(key):
                out.append(f"extension {n} has no {key}")
        for fid in (ext or {}).get("features") or []:
            named.add(fid)
            if fid not in features:
                out.append(f"extension {n} names {fid!r}, which is not a defined feature")
    for fid in sorted(newly - named):
        out.append(f"feature {fid!r} is supported after but no extension names it")
    for stage in STAGES:
        listed = data.get(f"supported_{stage}")
        if not isinstance(listed, list):
            out.append(f"supported_{stage} is not a list")
            continue
        for fid in listed:
            if fid not in features:
                out.append(f"supported_{stage} names {fid!r}, which is not a defined feature")
        for fid, n in Counter(listed).items():
            if n > 1:
                out.append(f"supported_{stage} lists {fid!r} {n} times")
    texts = data.get("texts") or []
    if not texts:
        out.append("no texts are listed")
    for tid, n in Counter(t.get("id") for t in texts).items():
        if n > 1:
            out.append(f"text {tid!r} is listed {n} times")
    for t in texts:
        tid = t.get("id")
        for key in ("id", "class", "jurisdiction", "needs"):
            if not t.get(key):
                out.append(f"text {tid!r} has no {key}")
        needs = t.get("needs") or []
        for fid in needs:
            if fid not in features:
                out.append(f"text {tid!r} needs {fid!r}, which is not a defined feature")
        for fid, n in Counter(needs).items():
            if n > 1:
                out.append(f"text {tid!r} lists {fid!r} {n} times")
        for fid in t.get("central") or []:
            if fid not in needs:
                out.append(f"text {tid!r} has central feature {fid!r}, which it does not list in needs")
    return out


def supported(data: dict, stage: str) -> set[str]:
    return set(data[f"supported_{stage}"])


def missing(text: dict, support: set[str]) -> list[str]:
    """The features a text needs that are not supported, in the text's order."""
    return [f for f in text["needs"] if f not in support]


def verdict(text: dict, support: set[str]) -> str:
    """full: nothing missing; none: the central requirement cannot be written; partial: otherwise."""
    gaps = missing(text, support)
    if not gaps:
        return "full"
    if any(f not in support for f in text.get("central") or []):
        return "none"
    return "partial"


def gap_ranking(data: dict, support: set[str]) -> list[tuple[str, int, int, int]]:
    """Unsupported features needed by some text: (feature, texts blocked, texts where it is the only gap, texts needing it).

    Ordered by texts blocked, then by sole-gap texts, then by name.
    """
    blocked: Counter = Counter()
    sole: Counter = Counter()
    for t in data["texts"]:
        gaps = missing(t, support)
        blocked.update(gaps)
        if len(gaps) == 1:
            sole[gaps[0]] += 1
    needed = needed_by(data)
    rows = [(f, blocked[f], sole[f], needed[f]) for f in blocked]
    return sorted(rows, key=lambda r: (-r[1], -r[2], r[0]))


def greedy_order(data: dict, support: set[str], steps: int = 10) -> list[tuple[str, int, int]]:
    """Features to add one at a time, each chosen to make the most texts fully expressible.

    Returns (feature, texts newly full at this step, texts full in total after it).
    Ties go to the feature that blocks more texts, then to the name.
    """
    have = set(support)
    texts = data["texts"]
    full = sum(1 for t in texts if not missing(t, have))
    out = []
    for _ in range(steps):
        blocked = Counter(f for t in texts for f in missing(t, have))
        if not blocked:
            break
        best = None
        for f in sorted(blocked):
            gain = sum(1 for t in texts if missing(t, have) and not missing(t, have | {f}))
            key = (gain, blocked[f])
            if best is None or key > best[0]:
                best = (key, f)
        (gain, _), f = best
        have.add(f)
        full += gain
        out.append((f, gain, full))
    return out


def needed_by(data: dict) -> Counter:
    return Counter(f for t in data["texts"] for f in t["needs"])


def jurisdictions(data: dict) -> list[str]:
    seen: list[str] = []
    for t in data["texts"]:
        if t["jurisdiction"] not in seen:
            seen.append(t["jurisdiction"])
    return seen


# ---------------------------------------------------------------- render

def _table(header: list[str], rows: list[list[object]], align: list[str] | None = None) -> list[str]:
    align = align or ["l"] * len(header)
    marks = {"l": "---", "r": "---:", "c": ":---:"}
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(marks[a] for a in align) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


def _code(items: list[str]) -> str:
    return ", ".join(f"`{i}`" for i in items) if items else "-"


def _yes(flag: bool) -> str:
    return "yes" if flag else "**no**"


def render(data: dict) -> str:
    errors = problems(data)
    if errors:
        raise DataError("; ".join(errors))
    texts = data["texts"]
    features = data["features"]
    groups = data["groups"]
    sup = {s: supported(data, s) for s in STAGES}
    verdicts = {s: {t["id"]: verdict(t, sup[s]) for t in texts} for s in STAGES}
    need = needed_by(data)
    same = sup["before"] == sup["after"]
    n = len(texts)
    base = data.get("baseline_commit", "?")

    L: list[str] = []
    add = L.append
    add("# Rule-language coverage of the MQ corpus")
    add("")
    add("<!-- Generated by tools/coverage.py from docs/rule-coverage.yaml. Do not edit by hand: edit the YAML and "
        "run `python tools/coverage.py`. -->")
    add("")
    add(f"How much of the {n} real minimum-qualification texts in `{data.get('corpus', 'the corpus')}` the rule "
        "language (`eligibility/spec.py`, crediting in `eligibility/credit.py`, decisions in `eligibility/engine.py`) "
        "can express, which requirement features are missing, and how often each is needed (issue 7).")
    add("")
    add("## Method")
    add("")
    add(f"1. A fixed list of {len(features)} requirement *features* that MQ texts use was defined, each with a "
        "one-line definition (the [feature table](#features) below; the data is in `docs/rule-coverage.yaml`). "
        "Features are the patterns counted in this report.")
    add("2. Every text was read in full - the requirement block and its notes - and the features it needs were "
        "recorded, with a short note on anything unusual. The regex `patterns` tags of the corpus file were not used "
        "for this. Application procedure (questionnaires, forms, attachments), selective certification for some "
        "positions, examinations after screening and assignment-level placement are not minimum qualifications and "
        "are not counted.")
    add(f"3. *Supported before* is what the language supported end to end at commit `{base}`: a feature counts only "
        "if its schema field is also carried through crediting and the engine. Fields that no seed rule file "
        "exercised (experience hours, recency windows, class levels, may-file windows, substitutions) were checked "
        "by running probe rule files against an export of that commit. *Supported after* is the set after the "
        "[rule language extensions](#rule-language-extensions), each checked by reading the code and by rule-file "
        "examples run as tests.")
    add("4. `tools/coverage.py` computes the verdicts and every count below from the YAML; "
        "`python tools/coverage.py --check` fails when this file is stale, and `tests/test_coverage_report.py` "
        "checks that the YAML lists exactly the corpus ids and only defined features.")
    add("")
    add("### Verdicts")
    add("")
    add("- **full** - every feature the text needs is supported: a rule file can say everything the text says.")
    add("- **none** - the central experience/education requirement of the text cannot be expressed at all "
        "(the features it cannot be written without are listed as `central` in the YAML).")
    add("- **partial** - otherwise: the central requirement can be written, but something is missing "
        "(listed per text).")
    add("")
    if same:
        add("> `supported_after` is still equal to `supported_before`: no language extension has been recorded yet, "
            "so the *after* columns repeat the *before* ones.")
        add("")
    extensions = data.get("extensions") or []
    if extensions:
        add("### Rule language extensions")
        add("")
        add("The *after* columns count the features these commits made expressible (each is described under "
            "[Basis of the after status](#basis-of-the-after-status), with the rule-file examples that show it):")
        add("")
        for ext in extensions:
            add(f"- `{ext['commit']}`: {' '.join(str(ext['summary']).split())} - {_code(ext['features'])}.")
        add("")

    # -- summary
    add("## Summary")
    add("")
    rows = []
    for v in VERDICTS:
        b = sum(1 for x in verdicts["before"].values() if x == v)
        a = sum(1 for x in verdicts["after"].values() if x == v)
        rows.append([v, b, a, f"{a - b:+d}"])
    rows.append(["**total**", n, n, ""])
    L += _table(["Verdict", f"Before ({base})", "After", "Change"], rows, ["l", "r", "r", "r"])
    add("")
    add("By jurisdiction:")
    add("")
    rows = []
    for j in jurisdictions(data):
        ids = [t["id"] for t in texts if t["jurisdiction"] == j]
        counts = [sum(1 for i in ids if verdicts[s][i] == v) for s in STAGES for v in VERDICTS]
        rows.append([j, len(ids), *counts])
    L += _table(["Jurisdiction", "Texts", "Full before", "Partial before", "None before",
                 "Full after", "Partial after", "None after"], rows, ["l"] + ["r"] * 7)
    add("")

    # -- gaps
    add("## Most frequent gaps")
    add("")
    add("Unsupported features ranked by the number of texts they block (texts that need the feature). "
        "*Only gap* counts the texts for which it is the single missing feature, which become fully "
        "expressible when it alone is added.")
    add("")
    for stage in STAGES:
        if stage == "after" and same:
            break
        title = f"Before ({base})" if stage == "before" else "After the extensions"
        add(f"### {title}")
        add("")
        ranking = gap_ranking(data, sup[stage])
        rows = [[i, f"`{f}`", blocked, sole, groups[features[f]["group"]]]
                for i, (f, blocked, sole, _) in enumerate(ranking, 1)]
        L += _table(["Rank", "Feature", "Texts blocked", "Only gap", "Group"], rows, ["r", "l", "r", "r", "l"])
        add("")
    stage = "after"
    add("### Greedy order of extensions")
    add("")
    add("Starting from the *after* support, the feature that makes the most further texts fully expressible is "
        "added at each step (ties go to the feature that blocks more texts). Features are often needed together, "
        "so this order differs from the ranking.")
    add("")
    full_now = sum(1 for v in verdicts[stage].values() if v == "full")
    rows = [[0, "(as recorded after)", "", full_now]]
    rows += [[i, f"`{f}`", f"+{gain}", total] for i, (f, gain, total) in enumerate(greedy_order(data, sup[stage]), 1)]
    L += _table(["Step", "Feature added", "Texts newly full", "Texts full"], rows, ["r", "l", "r", "r"])
    add("")

    # -- features
    add("## Features")
    add("")
    add("How many texts need each feature, and whether the language supports it. The basis of each *before* "
        "status is given [after the tables](#basis-of-the-before-status).")
    add("")
    for gid, gname in groups.items():
        fids = [f for f in features if features[f]["group"] == gid]
        if not fids:
            continue
        add(f"### {gname}")
        add("")
        rows = [[f"`{f}`", need[f], _yes(f in sup["before"]), _yes(f in sup["after"]),
                 " ".join(str(features[f]["definition"]).split())] for f in fids]
        L += _table(["Feature", "Texts needing it", "Before", "After", "Definition"], rows,
                    ["l", "r", "c", "c", "l"])
        add("")
    add("### Basis of the before status")
    add("")
    for f, feat in features.items():
        add(f"- `{f}`: {' '.join(str(feat['basis']).split())}")
    add("")
    changed = [f for f, feat in features.items() if feat.get("after")]
    if changed:
        add("### Basis of the after status")
        add("")
        add("Features whose support changed, or that came closer, after the baseline:")
        add("")
        for f in changed:
            add(f"- `{f}`: {' '.join(str(features[f]['after']).split())}")
        add("")

    # -- texts
    add("## Texts")
    add("")
    add("Missing features are those needed and unsupported; *after* shows what is still missing once the "
        "extensions are recorded.")
    add("")
    rows = []
    for i, t in enumerate(texts, 1):
        mb, ma = missing(t, sup["before"]), missing(t, sup["after"])
        rows.append([i, f"`{t['id']}`", t["class"], t["jurisdiction"], verdicts["before"][t["id"]],
                     verdicts["after"][t["id"]], _code(mb), "same" if ma == mb else _code(ma)])
    L += _table(["#", "Id", "Class", "Jurisdiction", "Before", "After", "Missing before", "Missing after"], rows,
                ["r", "l", "l", "l", "l", "l", "l", "l"])
    add("")
    add("## Notes by text")
    add("")
    for t in texts:
        central = f" Central: {_code(t['central'])}." if t.get("central") else ""
        note = " ".join(str(t.get("note") or "").split())
        add(f"- `{t['id']}` ({t['class']}) - needs {_code(t['needs'])}.{central} {note}".rstrip())
    add("")
    return "\n".join(L)


# ------------------------------------------------------------------ main

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render the rule-language coverage report from its YAML data.")
    parser.add_argument("--check", action="store_true", help="exit 1 if the report is not up to date; write nothing")
    parser.add_argument("--data", type=Path, default=DATA, help=f"coverage data (default {DATA.relative_to(ROOT)})")
    parser.add_argument("--output", type=Path, default=REPORT, help=f"report (default {REPORT.relative_to(ROOT)})")
    args = parser.parse_args(argv)
    try:
        text = render(load(args.data))
    except (OSError, yaml.YAMLError, DataError) as exc:
        print(f"coverage: {exc}", file=sys.stderr)
        return 2
    if args.check:
        try:
            current = args.output.read_text(encoding="utf-8")
        except OSError:
            current = None
        if current != text:
            print(f"coverage: {args.output} is out of date; run `python tools/coverage.py`", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

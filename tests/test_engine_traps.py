"""durable_rules traps (DESIGN §8): each trap shown in raw durable_rules, then shown handled by the engine.

Raw demonstrations that crash the interpreter run in a subprocess.  Engine tests use
rules/la-1213 and the test-only class tests/data/rules_test/multi.yaml (several
nodes with equal thresholds, an hours alternative, a may-file window and an
equivalency clause).
"""

import dataclasses
import datetime as dt
import itertools
import json
import os
import resource
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from durable.engine import MessageNotHandledException, MessageObservedException, Ruleset
from hypothesis import given, settings
from hypothesis import strategies as st

from eligibility import EngineError, evaluate, load_rules, parse_candidates
from eligibility import engine as engine_module
from eligibility.credit import EPS, credit

from conftest import RULES

ROOT = Path(__file__).resolve().parent.parent
TEST_RULES = ROOT / "tests" / "data" / "rules_test"
COLLIDING = ("APP-1139599", "APP-1322382")
_names = itertools.count()


def raw_ruleset(definition: dict) -> Ruleset:
    return Ruleset(f"trap-test-{os.getpid()}-{next(_names)}", None, definition)


def run_raw(rs: Ruleset, fact: dict) -> None:
    handle = rs.assert_fact(fact)
    rs.do_actions(handle, lambda error, state: None)


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=300, cwd=ROOT)


@pytest.fixture(scope="module")
def la1213():
    return load_rules(RULES).get("la-1213")


@pytest.fixture(scope="module")
def multi():
    return load_rules(TEST_RULES).get("multi")


def person(cid: str, jobs=(), training=()):
    return parse_candidates({"id": cid, "employment": list(jobs), "training": list(training)})[0]


def csr(start, end=None, **extra):
    return {"employer": "City of Los Angeles", "title": "Customer Service Representative",
            "start": start, "end": end, **extra}


def compiled_for(loaded, as_of, cand=None):
    """The engine's compiled ruleset for ``loaded`` on ``as_of`` (compiled on first use)."""
    version = loaded.version_for(as_of)
    template = credit(cand or person("T"), version, loaded.policy, loaded.vocabulary, as_of)
    return engine_module.compiled((loaded.spec.id, version.version, loaded.content_hash), version, template), template


# ----------------------------------------------------- (a) colliding sids

def test_raw_session_ids_collide():
    """'APP-1139599' and 'APP-1322382' are one session to durable_rules: their facts join."""
    joined = []
    rs = raw_ruleset({"join": {"all": [{"a": {"t": "x"}}, {"b": {"t": "y"}}],
                               "run": lambda c: joined.append((c.a.sid, c.b.sid))}})
    run_raw(rs, {"sid": COLLIDING[0], "t": "x"})
    run_raw(rs, {"sid": COLLIDING[1], "t": "y"})
    assert joined == [COLLIDING]
    assert {f["sid"] for f in rs.get_facts(COLLIDING[1])} == set(COLLIDING)


def test_raw_other_session_ids_do_not_join():
    """The control: ids whose hashes differ keep their facts apart."""
    joined = []
    rs = raw_ruleset({"join": {"all": [{"a": {"t": "x"}}, {"b": {"t": "y"}}],
                               "run": lambda c: joined.append((c.a.sid, c.b.sid))}})
    run_raw(rs, {"sid": "APP-1139599", "t": "x"})
    run_raw(rs, {"sid": "APP-1139600", "t": "y"})
    assert joined == []


def dump(d):
    return d.model_dump(mode="json")


@pytest.mark.parametrize("case", ["la-1213", "multi"])
def test_colliding_candidate_ids_get_their_own_results(case, la1213, multi, monkeypatch):
    if case == "la-1213":
        loaded, as_of = la1213, dt.date(2016, 6, 30)
        first = person(COLLIDING[0], [csr("2014-01-01", "2015-12-31")])        # qualifies
        second = person(COLLIDING[1], [csr("2015-10-01", "2016-03-31")])       # 6 months: does not
    else:
        # each half of path 'any': had their facts joined, the second would qualify
        loaded, as_of = multi, dt.date(2022, 1, 1)
        first = person(COLLIDING[0], [{"employer": "Acme", "title": "Clerk", "start": "2019-01-01"}])
        second = person(COLLIDING[1], training=[{"subject": "Bookkeeping", "hours": 40}])
    together = [dump(evaluate(c, loaded, as_of)) for c in (first, second, first, second)]
    alone = {}
    for cand in (second, first):  # a fresh compiled ruleset each, in the other order
        monkeypatch.setattr(engine_module, "_COMPILED", {})
        alone[cand.id] = dump(evaluate(cand, loaded, as_of))
    assert together[0] == together[2] == alone[first.id]
    assert together[1] == together[3] == alone[second.id]
    assert alone[second.id]["status"] == "not_qualified"
    # la-1213: two years qualify; multi: surplus experience may make up for the course (equivalency)
    assert alone[first.id]["status"] == ("qualified" if case == "la-1213" else "review")


# ------------------------------------------------------- (b) live sessions

def test_raw_more_than_1024_live_sessions_raise_memory_error():
    result = run_python("""
        from durable.engine import Ruleset
        rs = Ruleset("sessions", None, {"r": {"all": [{"m": {"t": "x"}}], "run": lambda c: None}})
        for i in range(1100):
            try:
                handle = rs.assert_fact({"sid": f"s{i}", "t": "x"})
                rs.do_actions(handle, lambda e, s: None)
            except MemoryError:
                print("MemoryError at session", i)
                break
        else:
            print("no MemoryError")
    """)
    assert "MemoryError at session 1024" in result.stdout, result.stdout + result.stderr


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:  # not Linux: peak RSS is the best there is
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_five_thousand_candidates_in_one_process(la1213):
    """No MemoryError, every result right, and memory flat between evaluation 1,000 and 5,000."""
    as_of = dt.date(2016, 6, 30)
    ids = [*COLLIDING, *(f"APP-{1000000 + 7919 * i}" for i in range(4998))]
    marks = {}
    for i, cid in enumerate(ids):
        months = 12 + i % 24  # qualifies when i % 24 >= 12
        first_month = (as_of.year * 12 + as_of.month - 1) - months + 1
        start = dt.date(first_month // 12, first_month % 12 + 1, 1)
        d = evaluate(person(cid, [csr(start.isoformat(), as_of.isoformat())]), la1213, as_of)
        assert d.status == ("qualified" if months >= 24 else "not_qualified"), (i, cid)
        assert d.paths[0].requirements[0].found == pytest.approx(months)
        if i + 1 in (1000, 5000):
            marks[i + 1] = (_rss_mb(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    rss_growth = marks[5000][0] - marks[1000][0]
    peak_growth = marks[5000][1] - marks[1000][1]
    assert rss_growth < 30, f"RSS grew {rss_growth:.1f} MB between evaluation 1,000 and 5,000"
    assert peak_growth < 30, f"peak RSS grew {peak_growth:.1f} MB between evaluation 1,000 and 5,000"


# -------------------------------------------------- (c) action exceptions

def test_raw_exception_in_action_is_swallowed():
    def boom(c):
        raise RuntimeError("boom")

    rs = raw_ruleset({"r": {"all": [{"m": {"t": "x"}}], "run": boom}})
    completed = []
    handle = rs.assert_fact({"sid": "0", "t": "x"})
    rs.do_actions(handle, lambda error, state: completed.append(error))
    assert completed == [None]  # durable_rules reports success ...
    assert "boom" in rs.get_state("0")["exception"]  # ... and hides the error in the state


class _Exploding(dict):
    def __init__(self, node):
        super().__init__()
        self.node = node

    def __setitem__(self, key, value):
        if key == self.node:
            raise RuntimeError(f"boom in {key}")
        super().__setitem__(key, value)


def test_exception_in_an_action_raises_engine_error(multi, monkeypatch):
    as_of = dt.date(2022, 1, 1)
    cand = person("C-1", [{"employer": "Testland", "title": "Clerk", "start": "2020-01-01"}])
    good = dump(evaluate(cand, multi, as_of))

    class Result(engine_module.EngineResult):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.nodes = _Exploding("service.experience")

    monkeypatch.setattr(engine_module, "EngineResult", Result)
    with pytest.raises(EngineError, match="boom in service.experience") as info:
        evaluate(cand, multi, as_of)
    assert isinstance(info.value.__cause__, RuntimeError)
    monkeypatch.undo()
    assert dump(evaluate(cand, multi, as_of)) == good  # the failed run left nothing behind


def test_exception_while_recording_the_trace_raises_engine_error(la1213, monkeypatch):
    as_of = dt.date(2016, 6, 30)
    compiled, _ = compiled_for(la1213, as_of)
    monkeypatch.setattr(compiled, "_describe", {})  # every action now fails with KeyError
    with pytest.raises(EngineError, match="KeyError"):
        evaluate(person("C-2", [csr("2014-01-01")]), la1213, as_of)


# ------------------------------------------------- (d) false duplicates

def test_raw_equal_facts_are_refused_as_already_observed():
    rs = raw_ruleset({"r": {"all": [{"m": {"t": "req"}}], "run": lambda c: None}})
    fact = {"sid": "0", "t": "req", "v": 0.0}
    with pytest.raises(MessageObservedException):
        rs.assert_facts([dict(fact), dict(fact)])
    assert rs.get_facts("0") == [fact]  # one of the two is stored; the other is gone


def _spy(monkeypatch, compiled):
    """Record every fact the engine asserts: the batch and those asserted inside actions."""
    seen = {"batch": [], "actions": []}
    rs = compiled._ruleset
    real_batch, real_one = rs.assert_facts, rs.assert_fact
    monkeypatch.setattr(rs, "assert_facts", lambda facts: seen["batch"].extend(facts) or real_batch(facts))
    monkeypatch.setattr(rs, "assert_fact", lambda fact: seen["actions"].append(fact) or real_one(fact))
    return seen


def test_facts_with_equal_values_for_different_nodes_are_all_processed(multi, monkeypatch):
    """Nobody: every node is 0 against equal thresholds; the facts still differ and all get an outcome."""
    as_of = dt.date(2022, 1, 1)
    compiled, template = compiled_for(multi, as_of)
    seen = _spy(monkeypatch, compiled)
    d = evaluate(person("D-0"), multi, as_of)
    nodes = [r.node for p in d.paths for r in p.requirements]
    assert nodes == compiled.expected_nodes and len(nodes) == 6
    assert len(seen["batch"]) == len(nodes)
    assert len({n.required for n in template.nodes if n.kind == "experience" and n.parent is None}) == 1
    for group in ("batch", "actions"):
        encoded = [json.dumps(f, sort_keys=True) for f in seen[group]]
        assert len(set(encoded)) == len(encoded), f"equal facts in the {group}"
    for node in nodes:
        assert sum(1 for line in d.trace if line.startswith(f"{node}: ")) == 1, node


def test_a_lost_fact_raises_engine_error(multi, monkeypatch):
    as_of = dt.date(2022, 1, 1)
    compiled, _ = compiled_for(multi, as_of)
    real = compiled._ruleset.assert_facts
    monkeypatch.setattr(compiled._ruleset, "assert_facts", lambda facts: real(facts[:-1]))  # durable drops one
    with pytest.raises(EngineError, match=r"processed 5 of 6 facts; lost \['any.course'\]"):
        evaluate(person("D-1"), multi, as_of)


def test_equal_facts_reaching_durable_rules_raise_engine_error(multi, monkeypatch):
    as_of = dt.date(2022, 1, 1)
    compiled, _ = compiled_for(multi, as_of)
    real = compiled._ruleset.assert_facts
    monkeypatch.setattr(compiled._ruleset, "assert_facts", lambda facts: real([*facts, dict(facts[0])]))
    with pytest.raises(EngineError, match="refused a fact: Message has already been observed"):
        evaluate(person("D-2"), multi, as_of)
    monkeypatch.undo()
    assert evaluate(person("D-3"), multi, as_of).status == "not_qualified"


# ------------------------------------------------ (e) unhandled facts

def test_raw_fact_matching_no_rule_is_not_handled():
    rs = raw_ruleset({"r": {"all": [{"m": {"t": "req"}}], "run": lambda c: None}})
    with pytest.raises(MessageNotHandledException):
        rs.assert_fact({"sid": "0", "t": "other"})
    # in a batch the whole batch is refused while the matched fact stays stored
    with pytest.raises(MessageNotHandledException):
        rs.assert_facts([{"sid": "0", "t": "req", "v": 1}, {"sid": "0", "t": "other"}])
    assert rs.get_facts("0") == [{"sid": "0", "t": "req", "v": 1}]


def test_raw_deleting_a_session_of_a_ruleset_that_never_completed_an_action_crashes():
    """Why the engine completes one action per ruleset before any candidate (CompiledVersion._warm_up)."""
    result = run_python("""
        from durable.engine import MessageNotHandledException, Ruleset
        rs = Ruleset("fresh", None, {"r": {"all": [{"m": {"t": "req"}}], "run": lambda c: None}})
        try:
            rs.assert_facts([{"sid": "0", "t": "req"}, {"sid": "0", "t": "junk"}])
        except MessageNotHandledException:
            print("refused", flush=True)
        rs.delete_state("0")
        print("survived", flush=True)
    """)
    assert "refused" in result.stdout
    assert result.returncode != 0 and "survived" not in result.stdout, result.stdout + result.stderr


def test_a_refused_fact_raises_engine_error_even_on_a_fresh_ruleset():
    """The very first run of a compiled ruleset is refused: EngineError, no crash, and the next run is right."""
    result = run_python(f"""
        import datetime as dt
        from durable.engine import Ruleset
        from eligibility import EngineError, evaluate, load_rules, parse_candidates
        loaded = load_rules({str(TEST_RULES)!r}).get("multi")
        cand = parse_candidates({{"id": "E-1", "employment": [
            {{"employer": "Testland", "title": "Clerk", "start": "2020-01-01"}}]}})[0]
        real = Ruleset.assert_facts
        Ruleset.assert_facts = lambda self, facts: real(self, [*facts, {{"sid": "0", "t": "junk"}}])
        try:
            evaluate(cand, loaded, dt.date(2022, 1, 1))
            print("no error")
        except EngineError as exc:
            print("EngineError:", exc.args[0][:60], flush=True)
        Ruleset.assert_facts = real
        print("then:", evaluate(cand, loaded, dt.date(2022, 1, 1)).status, flush=True)
    """)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "EngineError: ruleset" in result.stdout and "refused a fact" in result.stdout
    assert "then: review" in result.stdout  # 24 months against 12, no course: equivalency review


def test_a_stray_fact_raises_engine_error(la1213, monkeypatch):
    as_of = dt.date(2016, 6, 30)
    compiled, _ = compiled_for(la1213, as_of)
    real = compiled._ruleset.assert_facts
    monkeypatch.setattr(compiled._ruleset, "assert_facts",
                        lambda facts: real([*facts, {"sid": engine_module.SESSION, "t": "stray"}]))
    with pytest.raises(EngineError, match="refused a fact: Could not handle message"):
        evaluate(person("E-2", [csr("2014-01-01")]), la1213, as_of)
    monkeypatch.undo()
    assert evaluate(person("E-3", [csr("2014-01-01")]), la1213, as_of).status == "qualified"


def test_raw_number_in_exponent_notation_silently_drops_facts():
    """A trap not in DESIGN §8: json.dumps writes 1e-05, and durable_rules loses that fact
    and every later fact of the batch without any exception."""
    fired = []
    rs = raw_ruleset({"r": {"all": [{"m": _and({"t": "req"}, {"$gte": {"v": 0}})}],
                            "run": lambda c: fired.append(c.m.i)}})
    handle = rs.assert_facts([{"sid": "0", "t": "req", "i": i, "v": v} for i, v in enumerate([1.0, 1e-05, 2.0])])
    rs.do_actions(handle, lambda error, state: None)
    assert fired == [0]
    assert [f["i"] for f in rs.get_facts("0")] == [0]


def _and(*parts):
    return {"$and": list(parts)}


def test_exponent_notation_loss_is_caught_by_the_outcome_count(multi):
    """The engine's count of outcomes against facts turns that silent loss into EngineError."""
    as_of = dt.date(2022, 1, 1)
    compiled, template = compiled_for(multi, as_of)
    nodes = [dataclasses.replace(n, value=5e-05 if n.node == "city.billing" else n.value) for n in template.nodes]
    assert json.dumps(round(5e-05, 9)) == "5e-05"
    with pytest.raises(EngineError, match=r"processed 1 of 6 facts"):
        compiled.run(dataclasses.replace(template, nodes=nodes))
    assert compiled.run(template).nodes.keys() == set(compiled.expected_nodes)  # and it still works


# Every node gets exactly one outcome, for any measured values, including values on
# the thresholds: the node rules partition the values, so no fact is ever unhandled.

def reference_outcome(n, fact):
    v, p, h = fact["v"], fact["p"], fact.get("h")
    if v >= n.required - EPS or (n.required_hours and h >= n.required_hours - EPS):
        return "met"
    if n.may_file:  # an education window: crediting has decided whether the candidate is inside it
        if fact["s"]:
            return "short"
    elif n.window and v >= n.required - n.window - EPS:
        return "short"
    return "review" if p >= n.required - EPS else "not_met"


def reference_paths(version, template, outcomes, tradeable):
    """{path: the path outcomes whose rules should fire}."""
    has_window = any(n.window or n.may_file for n in template.nodes)
    covers = set(version.equivalency.covers) if version.equivalency else set()
    paths = {}
    for path in version.paths:
        nodes = [n for n in template.nodes if n.path == path.id]
        outs = [outcomes[n.node] for n in nodes]
        fired = set()
        if all(o == "met" for o in outs):
            fired.add("qualified")
        if has_window and all(o in ("met", "short") for o in outs):
            fired.add("conditional")
        if all(o in ("met", "short", "review") for o in outs):
            fired.add("review")
        if any(n.requirement.id in covers for n in nodes) and all(
                outcomes[n.node] != "not_met" or tradeable[n.node] for n in nodes):
            fired.add("equivalent")
        paths[path.id] = fired
    return paths


def _values(required, window):
    edges = [required, required - EPS, required - 2 * EPS, required + EPS, 0.0, 2 * required]
    if window:
        edges += [required - window, required - window - EPS, required - window - 2 * EPS]
    # crediting never measures a value in (0, 1e-4) (one day at 1 hour a week is 8e-4 months);
    # such a number is written in exponent notation, see test_exponent_notation_...
    plain = st.floats(0, 3 * required, allow_nan=False).filter(lambda x: x == 0 or x >= 1e-4)
    return st.one_of(st.sampled_from(edges), plain)


@st.composite
def measured(draw, template, covered):
    out = []
    for n in template.nodes:
        v = draw(_values(n.required, n.window))
        p = max(v, draw(_values(n.required, n.window)))
        h = draw(_values(n.required_hours, None)) if n.required_hours else None
        out.append(dataclasses.replace(n, value=v, potential=p, hours_found=h,
                                       tradeable=n.node in covered and draw(st.booleans()),
                                       inside=n.may_file and draw(st.booleans())))
    return out


def test_every_node_gets_exactly_one_outcome(multi):
    as_of = dt.date(2022, 1, 1)
    compiled, template = compiled_for(multi, as_of)
    version = multi.version_for(as_of)
    covered = {n.node for n in template.nodes if n.requirement.id in version.equivalency.covers}
    assert any(n.window for n in template.nodes) and any(n.required_hours for n in template.nodes) and covered
    _check_partition(compiled, template, version, covered)


def test_every_node_gets_exactly_one_outcome_with_education_windows():
    """tests/data/rules_test/graduate.yaml: education may-file windows beside an experience window."""
    graduate = load_rules(TEST_RULES).get("graduate")
    as_of = dt.date(2022, 1, 1)
    compiled, template = compiled_for(graduate, as_of)
    assert any(n.may_file for n in template.nodes) and any(n.window for n in template.nodes)
    _check_partition(compiled, template, graduate.version_for(as_of), set())


def _check_partition(compiled, template, version, covered):
    """Random measured values (``covered``: nodes that may be tradeable) against the reference outcomes."""
    @settings(max_examples=200, deadline=None)
    @given(measured(template, covered))
    def check(nodes):
        facts = dataclasses.replace(template, nodes=nodes)
        res = compiled.run(facts)  # an unhandled or refused fact would raise EngineError
        sent = {n.node: {"v": round(n.value, 9), "p": round(max(n.potential, n.value), 9),
                         "h": round(n.hours_found or 0.0, 6), "s": int(n.inside)} for n in nodes}
        want = {n.node: reference_outcome(n, sent[n.node]) for n in nodes}
        assert res.nodes == want
        for n in nodes:
            assert res.trace.count(f"{n.node}: {want[n.node]}") == 1
            assert sum(1 for line in res.trace if line.startswith(f"{n.node}: ")) == 1
        fired = reference_paths(version, template, want, {n.node: n.tradeable for n in nodes})
        assert {p: res.paths.get(p, set()) for p in fired} == fired
        assert res.statuses == {"review" if o == "equivalent" else o for outs in fired.values() for o in outs}
        for p, outs in fired.items():
            want_blockers = [n.node for n in nodes if n.path == p and want[n.node] == "not_met"]
            assert sorted(res.blockers.get(p, [])) == sorted(want_blockers)

    check()

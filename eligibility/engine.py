"""The rule engine: a class version compiled to a durable_rules ruleset.

Crediting has already measured each requirement node; here the rules that
fire decide each node's outcome (met, short inside a may-file window, review,
not met), each path's outcome and the status.  durable_rules' traps (DESIGN
§8) shape this module:

* sessions are found by a 32-bit hash of their id, so candidates are never
  used as session ids: every candidate is evaluated alone in one fixed
  session whose state is deleted afterwards (which also keeps the count of
  live sessions at one, far from the 1,024 that raise MemoryError);
* no ``Host`` is created, so no background timer threads run: a ruleset is
  driven synchronously from the calling thread (use processes for
  parallelism);
* every asserted fact carries its node id, so no two facts are equal and
  none is refused as already observed; every fact matches a rule, so none is
  refused as not handled;
* exceptions in actions are caught by our own wrapper and re-raised after the
  run instead of being swallowed into the session state;
* there is no "which rules did not fire": each outcome has its own rule, and
  the count of node outcomes recorded must equal the count of facts asserted.

A node with a may-file window has a "short" outcome between not met and
met: for experience the window is a number of months below the requirement;
for education crediting decides (an expected completion date inside the
window, or few enough units missing) and the fact carries the answer as
``s`` (1 inside, 0 outside), so that the four outcomes stay disjoint.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field

from durable.engine import MessageNotHandledException, MessageObservedException, Ruleset

from .credit import EPS, CandidateFacts, NodeFacts
from .spec import Version

SESSION = "0"
PATH_PRECEDENCE = ("qualified", "conditional", "review", "equivalent")
_names = itertools.count()


class EngineError(RuntimeError):
    """The rule engine failed; never a judgement about the candidate."""


@dataclass
class EngineResult:
    nodes: dict[str, str] = field(default_factory=dict)
    paths: dict[str, set[str]] = field(default_factory=dict)
    blockers: dict[str, list[str]] = field(default_factory=dict)
    statuses: set[str] = field(default_factory=set)
    trace: list[str] = field(default_factory=list)

    def path_outcome(self, path: str) -> str:
        fired = self.paths.get(path, set())
        for outcome in PATH_PRECEDENCE:
            if outcome in fired:
                return outcome
        return "not_met"


def _and(*parts):
    return {"$and": list(parts)}


def _met(n: NodeFacts) -> dict:
    # durable_rules matches each branch of an $or separately, so a fact that
    # satisfied two branches would fire the rule twice: keep branches disjoint
    cond = {"$gte": {"v": n.required - EPS}}
    if n.required_hours:
        cond = {"$or": [cond, _and({"$lt": {"v": n.required - EPS}}, {"$gte": {"h": n.required_hours - EPS}})]}
    return cond


def _not_met(n: NodeFacts) -> list[dict]:
    parts = [{"$lt": {"v": n.required - EPS}}]
    if n.required_hours:
        parts.append({"$lt": {"h": n.required_hours - EPS}})
    return parts


class CompiledVersion:
    """One class version as a durable_rules ruleset, built once per process.

    The ruleset is shaped by the version's requirement nodes and thresholds;
    per-candidate facts only carry measured values, so one compiled ruleset
    serves every candidate.
    """

    def __init__(self, name: str, version: Version, template: CandidateFacts):
        self.name = name
        self.version = version
        self.expected_nodes = [n.node for n in template.nodes]
        self._sink: EngineResult | None = None
        self._errors: list[BaseException] = []
        definition: dict = {}
        self._describe: dict[str, str] = {}
        self._build(definition, template)
        self.rule_count = len(definition)
        self._ruleset = Ruleset(f"{name}#{next(_names)}", None, definition)
        self._warm_up()

    def _warm_up(self) -> None:
        """Complete one action in the session before any candidate is run.

        durable_rules crashes the process (free(): invalid size) when it
        deletes a session of a ruleset that has never completed an action,
        which is what ``run`` would do after a refused first batch.  A path
        fact always matches a status rule, so this cannot be refused.
        """
        self._sink = EngineResult()
        handle = self._ruleset.assert_fact({"sid": SESSION, "t": "path", "path": "", "r": "qualified"})
        self._ruleset.do_actions(handle, lambda e, s: None)
        self._ruleset.delete_state(SESSION)
        self._sink = None

    # -- compilation -----------------------------------------------------
    def _action(self, rule: str, record):
        def run(c):
            try:
                record(c)
                self._sink.trace.append(self._describe[rule])
            except BaseException as exc:  # durable_rules would swallow it
                self._errors.append(exc)
        return run

    def _rule(self, definition: dict, description: str, conditions: list[dict], record) -> None:
        name = f"r{len(definition)}"
        self._describe[name] = description
        definition[name] = {"all": conditions, "run": self._action(name, record)}

    def _build(self, definition: dict, template: CandidateFacts) -> None:
        for n in template.nodes:
            base = [{"t": "req"}, {"node": n.node}]
            window = n.window or 0.0
            if n.may_file:
                inside, below = [{"s": 1}], [{"s": 0}]
            elif window:
                inside = [{"$gte": {"v": n.required - window - EPS}}]
                below = [{"$lt": {"v": n.required - window - EPS}}]
            else:
                inside, below = [], []
            self._node_rule(definition, n, "met", [_and(*base, _met(n))])
            if inside:
                self._node_rule(definition, n, "short", [_and(*base, *_not_met(n), *inside)])
            self._node_rule(definition, n, "review",
                            [_and(*base, *_not_met(n), *below, {"$gte": {"p": n.required - EPS}})])
            self._node_rule(definition, n, "not_met",
                            [_and(*base, *_not_met(n), *below, {"$lt": {"p": n.required - EPS}})])
        by_path: dict[str, list[NodeFacts]] = {}
        for n in template.nodes:
            by_path.setdefault(n.path, []).append(n)
        has_window = any(n.window or n.may_file for n in template.nodes)
        covered = {n.path for n in template.nodes if self._covered(n)}
        for path, nodes in by_path.items():
            accepted = {"qualified": ["met"], "review": ["met", "short", "review"]}
            if has_window:
                accepted["conditional"] = ["met", "short"]
            for outcome, results in accepted.items():
                conds = [{f"n{i}": _and({"t": "out"}, {"node": n.node},
                                        {"$or": [{"r": r} for r in results]})} for i, n in enumerate(nodes)]
                self._path_rule(definition, path, outcome, conds)
            if path in covered:
                conds = [{f"n{i}": _and({"t": "out"}, {"node": n.node},
                                        {"$or": [{"r": "met"}, {"r": "short"}, {"r": "review"},
                                                 _and({"r": "not_met"}, {"c": 1})]})}
                         for i, n in enumerate(nodes)]
                self._path_rule(definition, path, "equivalent", conds)
            for n in nodes:
                self._rule(definition, f"path {path} is blocked: {n.node} not met",
                           [{"m": _and({"t": "out"}, {"node": n.node}, {"r": "not_met"})}],
                           lambda c, p=path, node=n.node: self._sink.blockers.setdefault(p, []).append(node))
        for outcome in PATH_PRECEDENCE:
            status = "review" if outcome == "equivalent" else outcome
            self._rule(definition, f"status {status}: a path is {outcome}",
                       [{"m": _and({"t": "path"}, {"r": outcome})}],
                       lambda c, s=status: self._sink.statuses.add(s))

    def _covered(self, n: NodeFacts) -> bool:
        eq = self.version.equivalency
        return bool(eq and n.requirement.id in eq.covers and (not eq.paths or n.path in eq.paths))

    def _node_rule(self, definition, n: NodeFacts, outcome: str, conditions) -> None:
        def record(c, node=n.node):
            self._sink.nodes[node] = outcome
            c.assert_fact({"t": "out", "node": node, "r": outcome, "c": c.m["c"], "sid": SESSION})
        self._rule(definition, f"{n.node}: {outcome}", [{"m": conditions[0]}], record)

    def _path_rule(self, definition, path: str, outcome: str, conditions) -> None:
        def record(c):
            self._sink.paths.setdefault(path, set()).add(outcome)
            c.assert_fact({"t": "path", "path": path, "r": outcome, "sid": SESSION})
        self._rule(definition, f"path {path}: {outcome}", conditions, record)

    # -- evaluation ------------------------------------------------------
    def run(self, facts: CandidateFacts) -> EngineResult:
        if [n.node for n in facts.nodes] != self.expected_nodes:
            raise EngineError(f"facts do not fit ruleset {self.name}")
        batch = []
        for i, n in enumerate(facts.nodes):
            fact = {"sid": SESSION, "t": "req", "i": i, "node": n.node, "v": round(n.value, 9),
                    "p": round(max(n.potential, n.value), 9), "c": int(n.tradeable)}
            if n.required_hours:
                fact["h"] = round(n.hours_found or 0.0, 6)
            if n.may_file:
                fact["s"] = int(n.inside)
            batch.append(fact)
        self._sink = result = EngineResult()
        self._errors = []
        failure: list = [None]
        try:
            handle = self._ruleset.assert_facts(batch)
            self._ruleset.do_actions(handle, lambda e, s: failure.__setitem__(0, e))
            state = self._ruleset.get_state(SESSION)
        except (MessageNotHandledException, MessageObservedException) as exc:
            raise EngineError(f"ruleset {self.name} refused a fact: {exc.message}") from None
        finally:
            self._ruleset.delete_state(SESSION)
            self._sink = None
        if failure[0] is not None:
            raise EngineError(f"ruleset {self.name} failed: {failure[0]}") from failure[0]
        if self._errors:
            raise EngineError(f"an action of ruleset {self.name} raised {self._errors[0]!r}") from self._errors[0]
        if "exception" in state:
            raise EngineError(f"ruleset {self.name} reported: {state['exception']}")
        if len(result.nodes) != len(batch):
            lost = sorted(set(self.expected_nodes) - set(result.nodes))
            raise EngineError(f"ruleset {self.name} processed {len(result.nodes)} of {len(batch)} facts; lost {lost}")
        return result


_COMPILED: dict[tuple, CompiledVersion] = {}


def compiled(key: tuple, version: Version, template: CandidateFacts) -> CompiledVersion:
    """The compiled ruleset for a class version (compiled on first use)."""
    found = _COMPILED.get(key)
    if found is None:
        found = _COMPILED[key] = CompiledVersion(json.dumps(key[:2]), version, template)
    return found

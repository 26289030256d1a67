"""`labcheck test-lab`: a lab's checks proved against its reference solution and declared mistakes.

Cases, each in a namespace of its own (labcheck-test-<lab>-<hex>, created and deleted here):
- empty namespace: every step graded once scores 0 % and no check says `error`;
- reference solution: solutions/<step>.sh in lab order, each step graded after its script: 100 %;
- each mistake of tests.yaml: its start, its setup, then the step graded until its outcomes match.
Scripts run with bash in a fresh folder (also FILES_DIR) with NAMESPACE, CONTEXT and KUBECONFIG set;
labcheck itself writes nothing but its namespaces (kube/writes.py).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from labcheck.core.record import dataclass
from labcheck.core.results import Outcome, RunResult
from labcheck.labtests import Expect, LabTests, Mistake
from labcheck.lint import solution_script
from labcheck.spec import Lab

SCRIPT_TIMEOUT = 300.0
# Setup commands: `kubectl` is the test namespace's (and context's), as a learner's would be.
PRELUDE = """set -euo pipefail
kubectl() { command "${KUBECTL:-kubectl}" ${CONTEXT:+--context "$CONTEXT"} --namespace "$NAMESPACE" "$@"; }
"""
EMPTY, SOLUTION = "empty namespace", "reference solution"


@dataclass(frozen=True)
class Row:
    """One check: what the case expects of it and what it said."""

    check: str  # step/check
    expected: str
    actual: str
    message: str
    ok: bool


@dataclass(frozen=True)
class CaseResult:
    name: str
    where: str  # tests.yaml:LINE for a mistake
    rows: tuple[Row, ...]
    problems: tuple[str, ...]  # scripts that failed, a score that is not what it must be
    seen: tuple[tuple[str, str], ...]  # (step/check, outcome) of every grading, for the warnings
    duration_s: float
    namespace: str

    @property
    def passed(self) -> bool:
        return not self.problems and all(r.ok for r in self.rows)


@dataclass(frozen=True)
class TestLabRun:
    lab_id: str
    context: str
    cases: tuple[CaseResult, ...]
    complete: bool  # every case ran (no -k): the warnings speak of the whole lab
    duration_s: float

    def outcomes(self) -> dict[str, set[str]]:
        seen: dict[str, set[str]] = {}
        for case in self.cases:
            for check, outcome in case.seen:
                seen.setdefault(check, set()).add(outcome)
        return seen

    def always_passed(self) -> list[str]:
        return [c for c, seen in self.outcomes().items() if seen == {"passed"}]

    def never_failed(self) -> list[tuple[str, list[str]]]:
        return [(c, sorted(seen)) for c, seen in self.outcomes().items()
                if "failed" not in seen and seen != {"passed"}]


def _said(check: Any) -> str:
    return f"{check.outcome.value} {check.message_id}".strip()


@dataclass
class Bench:
    """One cluster, one lab: runs the cases."""

    lab: Lab
    tests: LabTests
    cluster: Any  # labcheck.kube.KubeCluster
    context: str
    kubeconfig: str | None
    grade: Callable[[list[str], str, Path, float | None], RunResult]

    def namespace(self) -> str:
        return f"labcheck-test-{self.lab.id[:38]}-{secrets.token_hex(3)}"

    def run(self, name: str, mistake: Mistake | None, where: str) -> CaseResult:
        from labcheck.kube.writes import create_namespace, delete_namespace

        began, ns = time.monotonic(), self.namespace()
        create_namespace(self.cluster, ns)
        try:
            with tempfile.TemporaryDirectory(prefix="labcheck-test-") as folder:
                case = _Case(self, ns, Path(folder))
                if mistake is not None:
                    case.mistake(mistake)
                elif name == EMPTY:
                    case.empty()
                else:
                    case.solution()
        finally:
            delete_namespace(self.cluster, ns)
        return CaseResult(name, where, tuple(case.rows), tuple(case.problems), tuple(case.seen),
                          time.monotonic() - began, ns)


class _Case:
    def __init__(self, bench: Bench, ns: str, files: Path) -> None:
        self.bench, self.ns, self.files = bench, ns, files
        self.rows: list[Row] = []
        self.problems: list[str] = []
        self.seen: list[tuple[str, str]] = []

    def _grade(self, steps: list[str], wait: float | None) -> RunResult:
        result = self.bench.grade(steps, self.ns, self.files, wait)
        if result.cluster_problem is not None:
            raise ClusterProblem(result.cluster_problem.en)
        return result

    def _env(self) -> dict[str, str]:
        env = {**os.environ, "NAMESPACE": self.ns, "FILES_DIR": str(self.files),
               "CONTEXT": self.bench.context}
        if self.bench.kubeconfig:  # absolute: scripts run in the case's own folder
            env["KUBECONFIG"] = os.pathsep.join(str(Path(p).resolve()) for p in
                                                self.bench.kubeconfig.split(os.pathsep))
        return env

    def bash(self, args: list[str], what: str, stdin: str | None = None) -> bool:
        try:
            proc = subprocess.run(["bash", *args], cwd=self.files, env=self._env(), input=stdin,
                                  capture_output=True, text=True, errors="replace", timeout=SCRIPT_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.problems.append(f"{what} did not end within {SCRIPT_TIMEOUT:g}s")
            return False
        if proc.returncode != 0:
            tail = "\n".join((proc.stderr.strip() or proc.stdout.strip()).splitlines()[-5:])
            self.problems.append(f"{what} exited {proc.returncode}:\n{tail}")
            return False
        return True

    def solve(self, step: str) -> bool | None:
        """Run the step's reference solution: True if it ran, False if it failed, None if it has none."""
        script = solution_script(self.bench.lab.root, step)
        if not script.is_file():
            return None
        return self.bash([str(script.resolve())], f"solutions/{script.name}")  # run in another folder

    def empty(self) -> None:
        result = self._grade(list(self.bench.lab.spec.steps), 0)
        for c in result.checks:
            name = f"{c.step_id}/{c.check_id}"
            self.seen.append((name, c.outcome.value))
            if c.outcome is Outcome.ERROR:
                self.rows.append(Row(name, "not error", _said(c), c.message.en, False))
            elif c.outcome is Outcome.PASSED and c.points > 0:
                self.rows.append(Row(name, "not passed", _said(c), c.message.en, False))
        if result.score:
            self.problems.append(f"scored {result.score:g} of {result.max_score:g} points (expected 0 %)")

    def solution(self) -> None:
        lab = self.bench.lab
        for step in lab.spec.steps:
            ran = self.solve(step)
            if ran is False:
                return
            if ran is None:
                if any(c.needs_cluster for c in lab.step(step).checks):
                    self.problems.append(f"{step}: no solutions/{step}.sh (`labcheck lint` says so too)")
                    return
                continue  # nothing to run: graded with the mistakes and the empty namespace only
            result = self._grade([step], None)
            for c in result.checks:
                name = f"{c.step_id}/{c.check_id}"
                self.seen.append((name, c.outcome.value))
                if c.outcome is not Outcome.PASSED:
                    self.rows.append(Row(name, "passed", _said(c), c.message.en, False))

    def mistake(self, mistake: Mistake) -> None:
        lab, start = self.bench.lab, self.bench.tests.start_of(mistake)
        if start != "empty":
            index = lab.spec.steps.index(mistake.step) + (start == "solution")
            for step in lab.spec.steps[:index]:
                if self.solve(step) is False:
                    return
        if mistake.setup.manifests:
            items = {"apiVersion": "v1", "kind": "List", "items": mistake.setup.manifests}
            if not self.bash(["-c", PRELUDE + "kubectl apply -f -"], "setup.manifests", json.dumps(items)):
                return
        commands = mistake.setup.commands
        if commands and not self.bash(["-c", PRELUDE + commands], "setup.commands"):
            return
        expected = mistake.expected(lab.step(mistake.step))
        wait = mistake.wait if mistake.wait is not None else lab.spec.defaults.timeout
        deadline = time.monotonic() + wait
        while True:  # what a learner who checks again sees: kubelets and kube-proxy take a moment
            result = self._grade([mistake.step], 0)
            rows = [_row(mistake.step, c, expected[c.check_id]) for c in result.checks]
            if all(r.ok for r in rows) or time.monotonic() >= deadline:
                break
            time.sleep(1.0)
        self.rows = rows
        self.seen += [(f"{c.step_id}/{c.check_id}", c.outcome.value) for c in result.checks]


def _row(step: str, check: Any, expect: Expect) -> Row:
    ok = check.outcome.value == expect.outcome and expect.message in (None, check.message_id)
    return Row(f"{step}/{check.check_id}", expect.describe(), _said(check), check.message.en, ok)


class ClusterProblem(Exception):
    """The cluster could not be used for grading (every check would be `error`)."""

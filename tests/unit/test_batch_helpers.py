"""Plain-data runs for batch tests: a RunResult of the Pods lab with chosen outcomes per check."""

from __future__ import annotations

from pathlib import Path

from labcheck.batch.roster import Student, load_roster
from labcheck.core.i18n import Text
from labcheck.core.results import CheckResult, Outcome, RunResult, StepResult
from labcheck.loader import load_lab
from labcheck.spec import Lab

LAB = load_lab("pods")
STEPS = ["step-02", "step-04"]


def make_run(outcomes: dict[str, Outcome] | None = None, default: Outcome = Outcome.PASSED,
             lab: Lab = LAB, steps: list[str] = STEPS, problem: Text | None = None,
             evidence: dict[str, dict[str, str]] | None = None) -> RunResult:
    """`outcomes` by "step/check"; errors are ungraded, like the runner makes them."""
    outcomes = outcomes or {}
    built = []
    for step_id in steps:
        checks = []
        for spec in lab.step(step_id).checks:
            key = f"{step_id}/{spec.id}"
            outcome = outcomes.get(key, default)
            checks.append(CheckResult(step_id=step_id, check_id=spec.id, kind=spec.kind, title=spec.title,
                                      hint=spec.hint, points=spec.points, outcome=outcome,
                                      message=Text.same(f"{key} {outcome}"),
                                      graded=outcome is not Outcome.ERROR,
                                      evidence=(evidence or {}).get(key, {}), duration_s=0.5))
        built.append(StepResult(step_id, lab.step(step_id).title, tuple(checks), file=lab.step_file(step_id)))
    return RunResult(lab_id=lab.id, lab_title=lab.spec.title, steps=tuple(built),
                     pass_threshold=lab.spec.pass_threshold, namespace="ns", labcheck_version="0.1.0",
                     started_at="2026-11-20T10:00:00+00:00", duration_s=1.5, cluster_problem=problem)


def roster(tmp_path: Path, count: int) -> list[Student]:
    rows = "".join(f"s{i:02d},Student {i},lab-{i:02d}\n" for i in range(count))
    path = tmp_path / "roster.csv"
    path.write_text("id,name,namespace\n" + rows, encoding="utf-8")
    return load_roster(path)

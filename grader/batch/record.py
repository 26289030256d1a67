"""A student's graded run as plain JSON (students/<id>/record.json) and back.

Class outputs are rebuilt from these records, so `merge` and `--resume` need no cluster.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from labcheck.batch.roster import Student, describe
from labcheck.core.i18n import Text, msg
from labcheck.core.results import CheckResult, Outcome, RunResult, StepResult

if TYPE_CHECKING:
    from labcheck.spec import Lab

RECORD_FORMAT = "labcheck-record/1"


def _text(value: Any) -> Text:
    return Text.model_validate(value)


def _values(values: Any) -> dict[str, Any]:
    """Expected/actual values: words in the learner's language are {zh, en} (see core/results.py)."""
    return {k: v if isinstance(v, str) else v.model_dump() for k, v in values.items()}


def _read_values(values: Any) -> dict[str, str | Text]:
    return {k: v if isinstance(v, str) else _text(v) for k, v in (values or {}).items()}


def check_to_dict(c: CheckResult) -> dict[str, Any]:
    return {
        "step_id": c.step_id, "check_id": c.check_id, "kind": c.kind, "title": c.title.model_dump(),
        "hint": c.hint.model_dump() if c.hint else None, "points": c.points, "outcome": str(c.outcome),
        "message": c.message.model_dump(), "expected": _values(c.expected), "actual": _values(c.actual),
        "evidence": dict(c.evidence), "graded": c.graded, "internal": c.internal,
        "attempts": c.attempts, "duration_s": c.duration_s, "visibility": c.visibility,
        "offset_s": c.offset_s,
    }


def run_to_dict(run: RunResult) -> dict[str, Any]:
    return {
        "lab_id": run.lab_id, "lab_title": run.lab_title.model_dump(),
        "pass_threshold": run.pass_threshold, "context": run.context, "cluster": run.cluster,
        "namespace": run.namespace, "labcheck_version": run.labcheck_version,
        "started_at": run.started_at, "duration_s": run.duration_s,
        "cluster_problem": run.cluster_problem.model_dump() if run.cluster_problem else None,
        "identity": dict(run.identity),
        "steps": [{"step_id": s.step_id, "title": s.title.model_dump(), "file": s.file,
                   "checks": [check_to_dict(c) for c in s.checks]} for s in run.steps],
    }


def run_from_dict(data: dict[str, Any]) -> RunResult:
    steps = tuple(StepResult(s["step_id"], _text(s["title"]), tuple(
        CheckResult(step_id=c["step_id"], check_id=c["check_id"], kind=c["kind"], title=_text(c["title"]),
                    hint=_text(c["hint"]) if c.get("hint") else None, points=float(c["points"]),
                    outcome=Outcome(c["outcome"]), message=_text(c["message"]),
                    expected=_read_values(c.get("expected")), actual=_read_values(c.get("actual")),
                    evidence=c.get("evidence", {}), graded=bool(c.get("graded", True)),
                    internal=bool(c.get("internal", False)), attempts=int(c.get("attempts", 1)),
                    duration_s=float(c.get("duration_s", 0.0)),
                    visibility=str(c.get("visibility", "visible")), offset_s=float(c.get("offset_s", 0.0)))
        for c in s["checks"]), file=str(s.get("file", ""))) for s in data["steps"])
    problem = data.get("cluster_problem")
    return RunResult(
        lab_id=data["lab_id"], lab_title=_text(data["lab_title"]), steps=steps,
        pass_threshold=float(data["pass_threshold"]), context=data.get("context", ""),
        cluster=data.get("cluster", ""), namespace=data.get("namespace", ""),
        labcheck_version=data.get("labcheck_version", ""), started_at=data.get("started_at", ""),
        duration_s=float(data.get("duration_s", 0.0)),
        cluster_problem=_text(problem) if problem else None, identity=data.get("identity", {}),
    )


def ungraded_run(lab: Lab, step_ids: list[str], student: Student, problem: Text,
                 started_at: str = "", duration_s: float = 0.0) -> RunResult:
    """Every check `error` and ungraded: what a hung or crashed target is recorded as."""
    from labcheck import __version__

    steps = tuple(StepResult(step_id, lab.step(step_id).title, tuple(
        CheckResult(step_id=step_id, check_id=c.id, kind=c.kind, title=c.title, hint=c.hint,
                    points=c.points, outcome=Outcome.ERROR, message=problem, graded=False,
                    visibility=c.visibility)
        for c in lab.step(step_id).checks), file=lab.step_file(step_id)) for step_id in step_ids)
    return RunResult(lab_id=lab.id, lab_title=lab.spec.title, steps=steps,
                     pass_threshold=lab.spec.pass_threshold, context=student.context or "",
                     namespace=student.namespace or "", labcheck_version=__version__,
                     started_at=started_at, duration_s=duration_s, cluster_problem=problem)


def timeout_problem(seconds: float) -> Text:
    return msg("batch.timeout", seconds=f"{seconds:g}")


class StudentRecord:
    """One roster row and its run, as stored under --out."""

    def __init__(self, student: dict[str, Any], run: RunResult) -> None:
        self.student = student
        self.run = run

    @property
    def id(self) -> str:
        return str(self.student["id"])

    @property
    def index(self) -> int:
        return int(self.student.get("index", 0))

    @property
    def has_error(self) -> bool:
        return self.run.cluster_problem is not None or self.run.ungraded_points > 0

    def to_dict(self) -> dict[str, Any]:
        return {"format": RECORD_FORMAT, "student": self.student, "run": run_to_dict(self.run)}

    @classmethod
    def of(cls, student: Student, run: RunResult) -> StudentRecord:
        return cls(describe(student), run)


def read_record(path: Path) -> StudentRecord | None:
    """A record written by a finished student, or None if missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != RECORD_FORMAT:
            return None
        return StudentRecord(data["student"], run_from_dict(data["run"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None

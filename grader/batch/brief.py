"""What is kept of a graded student while a class is graded and its outputs are written.

A Brief is a few numbers and strings per student (its roster row, score flags, step points, JUnit
counts, start and duration), never its results: the runner keeps one per finished student, and the
class outputs are written in two passes over the students' record files (outputs.py), the first
of which makes the ClassHead from the Briefs: what the headers of the gradebook, the class JUnit
and the summary say before the first student's rows. So a class of 500 takes the memory of one
student's results, however large the class.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from labcheck.core.record import dataclass
from labcheck.core.results import Outcome

if TYPE_CHECKING:
    from labcheck.batch.record import StudentRecord
    from labcheck.core.i18n import Text


@dataclass(frozen=True)
class Brief:
    student: dict[str, Any]  # the roster row (id, name, email, sis_id, index)
    has_error: bool
    passed: bool
    lab_id: str
    lab_title: Text
    steps: tuple[tuple[str, float], ...]  # step id, its full points (graded or not)
    junit: tuple[int, int, int]  # tests, failures, errors as the class JUnit counts them
    started_at: str
    duration_s: float

    @property
    def id(self) -> str:
        return str(self.student["id"])

    @property
    def index(self) -> int:
        return int(self.student.get("index", 0))

    @classmethod
    def of(cls, record: StudentRecord) -> Brief:
        run = record.run
        checks = run.checks
        failures = sum(1 for c in checks if c.outcome in (Outcome.FAILED, Outcome.PENDING))
        errors = sum(1 for c in checks if c.outcome is Outcome.ERROR)
        return cls(student=dict(record.student), has_error=record.has_error, passed=run.passed,
                   lab_id=run.lab_id, lab_title=run.lab_title,
                   steps=tuple((s.step_id, s.total_points) for s in run.steps),
                   junit=(len(checks), failures, errors), started_at=run.started_at,
                   duration_s=run.duration_s)


class ClassWriter(Protocol):
    """One class output: its header is written from the ClassHead, then a student at a time."""

    def add(self, record: StudentRecord) -> None: ...

    def end(self) -> None: ...


@dataclass(frozen=True)
class ClassHead:
    """What the class outputs say before the first student: from every Brief, in roster order."""

    students: int
    lab_id: str | None  # None: no student at all
    lab_title: Text | None
    steps: list[str]  # every step of any student, in the order they first appear
    maxima: dict[str, float]  # each step's full points, from the first student who has it
    junit: dict[str, int]  # tests, failures, errors of the whole class
    wall: float  # seconds from the first start to the last end

    @classmethod
    def of(cls, briefs: Sequence[Brief]) -> ClassHead:
        maxima: dict[str, float] = {}
        totals = [0, 0, 0]
        for brief in briefs:
            for step_id, points in brief.steps:
                maxima.setdefault(step_id, points)
            totals = [a + b for a, b in zip(totals, brief.junit, strict=True)]
        first = briefs[0] if briefs else None
        return cls(students=len(briefs), lab_id=first.lab_id if first else None,
                   lab_title=first.lab_title if first else None, steps=list(maxima), maxima=maxima,
                   junit=dict(zip(("tests", "failures", "errors"), totals, strict=True)),
                   wall=class_wall(briefs))


def class_wall(briefs: Sequence[Brief]) -> float:
    """Wall-clock seconds from the first student's start to the last one's end (students are graded
    in parallel, so their times do not add up); the longest run when start times are unknown."""
    spans = []
    for brief in briefs:
        try:
            start = dt.datetime.fromisoformat(brief.started_at).timestamp()
        except ValueError:
            return max((b.duration_s for b in briefs), default=0.0)
        spans.append((start, start + brief.duration_s))
    if not spans:
        return 0.0
    return max(end for _, end in spans) - min(start for start, _ in spans)

"""What a student's own run may show: hidden checks leave only their count and points behind.

A check with `visibility: hidden` or `after_due_date` counts in an instructor's `labcheck grade` (and
goes to Gradescope with that visibility), but in `labcheck check` its title, message, expected vs
actual, evidence and hint are never printed: the step says how many hidden checks it has and what
they are worth, and its score is over the visible checks only (else the score would tell).
"""

from __future__ import annotations

from labcheck.core.record import replace
from labcheck.core.results import RunResult, StepResult


def _student_step(step: StepResult) -> StepResult:
    hidden = [c for c in step.checks if not c.visible]
    if not hidden:
        return step
    return replace(step, checks=tuple(c for c in step.checks if c.visible),
                               hidden_checks=step.hidden_checks + len(hidden),
                               hidden_points=step.hidden_points + sum(c.points for c in hidden))


def student_view(run: RunResult) -> RunResult:
    """The run as the student may see it (what every reporter of `labcheck check` reads)."""
    return replace(run, steps=tuple(_student_step(s) for s in run.steps))

"""Frozen result records: the one list every reporter reads."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import TYPE_CHECKING

from labcheck.core.record import dataclass, field

if TYPE_CHECKING:
    from labcheck.core.i18n import Text
    from labcheck.core.lang import Lang


class Outcome(enum.StrEnum):
    PASSED = "passed"  # done right
    FAILED = "failed"  # done wrong: expected vs actual says how
    PENDING = "pending"  # not done yet
    ERROR = "error"  # the cluster (or labcheck) could not answer: ungraded, never the learner's fault
    SKIPPED = "skipped"  # a dependency did not pass


class ExitCode(enum.IntEnum):
    OK = 0  # every check passed
    CHECKS_FAILED = 1  # some check failed, is pending or was skipped
    USAGE_ERROR = 2  # bad usage, bad spec, or the cluster could not answer
    INTERNAL_ERROR = 3  # a bug in labcheck




# Expected and actual values are plain data as the cluster shows it (an image, `Running`, `80`), or
# words in the learner's language (`assigned` / `已分配`) as a Text.
def localized(values: Mapping[str, str | Text], lang: Lang) -> dict[str, str]:
    """Expected/actual values in one language (reporters call this before anything else)."""
    return {k: v if isinstance(v, str) else v.get(lang) for k, v in values.items()}


@dataclass(frozen=True)
class Finding:
    """What one look at the cluster showed for one check."""

    outcome: Outcome
    message: Text  # one line
    # field -> what the lab expects (only the fields that matter)
    expected: Mapping[str, str | Text] = field(default_factory=dict)
    actual: Mapping[str, str | Text] = field(default_factory=dict)  # field -> what the cluster shows
    evidence: Mapping[str, str] = field(default_factory=dict)  # uids, node names, ... for receipts
    internal: bool = False  # an exception inside labcheck, not a cluster problem
    hint: Text | None = None  # replaces the check's own hint when the problem is another one (a broken file)


@dataclass(frozen=True)
class CheckResult:
    step_id: str
    check_id: str
    kind: str
    title: Text
    hint: Text | None
    points: float
    outcome: Outcome
    message: Text
    expected: Mapping[str, str | Text] = field(default_factory=dict)
    actual: Mapping[str, str | Text] = field(default_factory=dict)
    evidence: Mapping[str, str] = field(default_factory=dict)
    graded: bool = True  # False for error, and for skips caused by an error
    internal: bool = False
    attempts: int = 1
    duration_s: float = 0.0
    visibility: str = "visible"  # visible | hidden | after_due_date (the check's spec)
    offset_s: float = 0.0  # when the check started, seconds after the run did (wall-clock times)

    @property
    def visible(self) -> bool:
        """Shown in full to the student; hidden checks show only that they exist and their points."""
        return self.visibility == "visible"
    remembered: str = ""  # when it passed earlier (ISO 8601): this verdict is from the progress file

    @property
    def message_id(self) -> str:
        """Catalog id of the message (stable across languages and wording changes)."""
        return self.message.key

    @property
    def score(self) -> float:
        return self.points if self.outcome is Outcome.PASSED else 0.0

    @property
    def max_score(self) -> float:
        """Points this check counts for; ungraded checks count for nothing."""
        return self.points if self.graded else 0.0


def _worst(outcomes: list[Outcome]) -> Outcome:
    for outcome in (Outcome.ERROR, Outcome.FAILED, Outcome.PENDING, Outcome.SKIPPED):
        if outcome in outcomes:
            return outcome
    return Outcome.PASSED


@dataclass(frozen=True)
class StepResult:
    step_id: str
    title: Text
    checks: tuple[CheckResult, ...]
    file: str = ""  # the step's YAML (Lab.step_file), for JUnit readers that link to a file
    hidden_checks: int = 0  # checks left out of a student's view (core/visibility.py)
    hidden_points: float = 0.0  # and what they are worth

    @property
    def wall_s(self) -> float:
        """Seconds from the step's first check starting to its last one ending (they overlap)."""
        if not self.checks:
            return 0.0
        end = max(c.offset_s + c.duration_s for c in self.checks)
        return max(0.0, end - min(c.offset_s for c in self.checks))

    @property
    def score(self) -> float:
        return sum(c.score for c in self.checks)

    @property
    def max_score(self) -> float:
        return sum(c.max_score for c in self.checks)

    @property
    def total_points(self) -> float:
        return sum(c.points for c in self.checks)

    @property
    def ungraded_points(self) -> float:
        return self.total_points - self.max_score

    @property
    def outcome(self) -> Outcome:
        return _worst([c.outcome for c in self.checks])

    def count(self, outcome: Outcome) -> int:
        return sum(1 for c in self.checks if c.outcome is outcome)


@dataclass(frozen=True)
class RunResult:
    lab_id: str
    lab_title: Text
    steps: tuple[StepResult, ...]
    pass_threshold: float  # fraction of graded points needed to pass
    context: str = ""
    cluster: str = ""
    namespace: str = ""
    labcheck_version: str = ""
    started_at: str = ""  # ISO 8601, UTC
    duration_s: float = 0.0
    cluster_problem: Text | None = None  # one line when the cluster could not be used at all
    scenario_digest: str = ""  # sha256 over the lab's YAML: which version of the lab graded this
    identity: Mapping[str, str] = field(default_factory=dict)  # cluster identity for receipts

    @property
    def checks(self) -> tuple[CheckResult, ...]:
        return tuple(c for s in self.steps for c in s.checks)

    @property
    def score(self) -> float:
        return sum(s.score for s in self.steps)

    @property
    def max_score(self) -> float:
        return sum(s.max_score for s in self.steps)

    @property
    def ungraded_points(self) -> float:
        return sum(s.ungraded_points for s in self.steps)

    @property
    def percent(self) -> float:
        return 100.0 * self.score / self.max_score if self.max_score else 0.0

    @property
    def passed(self) -> bool:
        """Passed the threshold on graded points, with nothing left ungraded."""
        return (
            self.max_score > 0
            and self.ungraded_points == 0
            and self.score >= self.pass_threshold * self.max_score - 1e-9
        )

    @property
    def outcome(self) -> Outcome:
        return _worst([s.outcome for s in self.steps])

    @property
    def exit_code(self) -> ExitCode:
        if any(c.internal for c in self.checks):
            return ExitCode.INTERNAL_ERROR
        outcome = self.outcome
        if outcome is Outcome.ERROR or self.cluster_problem is not None:
            return ExitCode.USAGE_ERROR
        return ExitCode.OK if outcome is Outcome.PASSED else ExitCode.CHECKS_FAILED

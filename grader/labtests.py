"""tests.yaml beside a lab: the mistakes `labcheck test-lab` plays, and what each check must say then.

A mistake is one wrong way of doing a step: where it starts (an empty namespace, after the
reference solutions of the earlier steps, or after this step's own solution), a setup (shell
commands and/or manifests) and the outcomes it must produce. Every check of the step it does not
name must be `rest` (default `passed`: unchanged from the reference solution), except that checks
depending on one expected not to pass are expected `skipped`, as the runner skips them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator, model_validator

from labcheck.checks.base import ID_PATTERN
from labcheck.graph import topological_order
from labcheck.spec import StepSpec

TESTS_FILE = "tests.yaml"
SOLUTIONS_DIR = "solutions"
TESTS_SCHEMA_ID = "https://labcheck.dev/schema/labcheck.tests.schema.json"
Expected = Literal["passed", "failed", "pending", "skipped", "error"]
Start = Literal["empty", "previous", "solution"]


class Expect(BaseModel):
    """The outcome one check must have, and optionally the message id it must say it with."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    outcome: Expected = Field(description="passed, failed, pending, skipped or error.")
    message: str | None = Field(None, description="Message id the check must report (`pod.wrong_image`; "
                                                   "`labcheck explain` and docs/check-kinds.md list them).")

    @model_validator(mode="before")
    @classmethod
    def _from_plain_string(cls, value: Any) -> Any:
        return {"outcome": value} if isinstance(value, str) else value

    def describe(self) -> str:
        return self.outcome + (f" {self.message}" if self.message else "")


class Setup(BaseModel):
    """What the course author does instead of (or after) the reference solution."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    commands: str | None = Field(
        None, description="A bash script, run in a fresh folder (also $FILES_DIR, the learner's files) with "
                          "`kubectl` already pointed at the test namespace ($NAMESPACE) and context.")
    manifests: list[dict[str, Any]] = Field(
        default_factory=list, description="Objects applied (`kubectl apply`) in the test namespace before "
                                          "the commands run; they must not name a namespace.")

    @field_validator("manifests")
    @classmethod
    def _no_namespace(cls, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for obj in value:
            if not obj.get("kind") or not obj.get("apiVersion"):
                raise ValueError("every manifest needs apiVersion and kind")
            if (obj.get("metadata") or {}).get("namespace"):
                raise ValueError("a manifest must not set metadata.namespace: test-lab chooses the namespace")
            if obj.get("kind") == "Namespace":
                raise ValueError("test-lab makes the namespaces itself; a manifest cannot be a Namespace")
        return value

    @model_validator(mode="after")
    def _something(self) -> Setup:
        if not (self.commands or "").strip() and not self.manifests:
            raise ValueError("a setup needs commands or manifests")
        return self


class Mistake(BaseModel):
    """One wrong way of doing a step and what the step's checks must report then."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=200,
                      description="Name of the case (`test-lab -k` selects by it).")
    step: str = Field(pattern=ID_PATTERN, description="The step graded after the setup.")
    start: Start | None = Field(
        None, description="empty: the setup runs in an empty namespace; previous: after the reference "
                          "solutions of the earlier steps; solution: after this step's solution too "
                          "(default: the file's `start`).")
    setup: Setup = Field(description="What is done wrong.")
    expect: dict[str, Expect] = Field(
        min_length=1, description="check id -> outcome (or {outcome, message}); the other checks of the "
                                  "step must be `rest`, or skipped when a check they depend on does not "
                                  "pass.")
    rest: Expected = Field("passed", description="What every check not in `expect` must be (default: "
                                                 "passed, as after the reference solution).")
    wait: float | None = Field(None, ge=0, le=600, description="Seconds to keep grading until the outcomes "
                                                               "match (default: the lab's timeout).")

    def expected(self, step: StepSpec) -> dict[str, Expect]:
        """Every check of the step -> what it must be, in report order."""
        out: dict[str, Expect] = {}
        by_id = {c.id: c for c in step.checks}
        for check_id in topological_order(step):
            if check_id in self.expect:
                out[check_id] = self.expect[check_id]
            elif any(out[dep].outcome != "passed" for dep in by_id[check_id].depends_on if dep in out):
                out[check_id] = Expect(outcome="skipped")
            else:
                out[check_id] = Expect(outcome=self.rest)
        return {c.id: out[c.id] for c in step.checks}


class LabTests(BaseModel):
    """tests.yaml: the declared mistakes of a lab, each a case of `labcheck test-lab`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: Start = Field("previous", description="Where a mistake starts when it does not say (see `start` "
                                                 "of a mistake).")
    mistakes: list[Mistake] = Field(default_factory=list, description="The mistakes, in the order they run.")

    def start_of(self, mistake: Mistake) -> Start:
        return mistake.start or self.start

    @model_validator(mode="after")
    def _unique_names(self) -> LabTests:
        names = [m.name for m in self.mistakes]
        if len(set(names)) != len(names):
            twice = next(n for n in names if names.count(n) > 1)
            raise ValueError(f"two mistakes are named {twice!r}")
        return self


def load_tests(lab_root: str | Path) -> tuple[LabTests, Any] | None:
    """tests.yaml validated (SpecError naming file, line and field), with its line numbers; None if absent."""
    from labcheck.loader import load_yaml, validate

    path = Path(lab_root) / TESTS_FILE
    if not path.is_file():
        return None
    located = load_yaml(path)
    tests: LabTests = validate(LabTests, located, str(path))
    return tests, located


def labtests_schema_text() -> str:
    schema = TypeAdapter(LabTests).json_schema(ref_template="#/$defs/{model}")
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": TESTS_SCHEMA_ID,
              "title": "labcheck tests.yaml", **schema}
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"

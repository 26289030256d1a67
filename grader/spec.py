"""The lab format: lab.yaml plus one YAML file per step, validated by Pydantic models."""


from __future__ import annotations

from pathlib import Path

from labcheck.checks import AnyCheck
from labcheck.checks.base import ID_PATTERN
from labcheck.core.i18n import Text
from labcheck.core.model import BaseModel, ConfigDict, Field
from labcheck.labcache import lab_digest


class Defaults(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    timeout: float = Field(30.0, ge=0, le=3600, description="Seconds each check keeps polling.")
    interval: float = Field(1.0, gt=0, le=600, description="Seconds between two looks.")
    namespace: str = Field("default", description="Namespace graded when -n is not given.")


class LabSpec(BaseModel):
    """lab.yaml: what the lab is and which steps it has."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="Short id of the lab, used in reports (`pods`).", pattern=ID_PATTERN)
    title: Text = Field(description="Title of the lab (zh and en).")
    description: Text | None = Field(None, description="One paragraph on what the lab teaches.")
    steps: list[str] = Field(
        min_length=1,
        description="Step ids in lab order; step `step-02` is read from `step-02.yaml` beside lab.yaml.",
    )
    defaults: Defaults = Field(default_factory=Defaults, description="Defaults for every check.")
    pass_threshold: float = Field(
        1.0, ge=0, le=1, description="Fraction of the graded points needed to pass (0 to 1)."
    )


class StepSpec(BaseModel):
    """step-NN.yaml: one step of the lab and the checks that grade it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="Step id as learners type it (`step-04`); must match the file name.",
                    pattern=ID_PATTERN)
    title: Text = Field(description="Title of the step (zh and en).")
    summary: Text | None = Field(None, description="What the learner does in this step.")
    points: float | None = Field(
        None, ge=0, description="The step's total as the course states it; `labcheck lint` checks that "
                                "the points of its checks add up to it.")
    checks: list[AnyCheck] = Field(description="The checks, in the order they are reported.")


class Lab:
    """A loaded, cross-checked lab."""

    def __init__(self, spec: LabSpec, steps: dict[str, StepSpec], root: str) -> None:
        self.spec = spec
        self.steps = steps
        self.root = root
        self._digest: str | None = None
        self._builtin: bool | None = None

    @property
    def id(self) -> str:
        return self.spec.id

    def step(self, step_id: str) -> StepSpec:
        return self.steps[step_id]

    def step_file(self, step_id: str) -> str:
        """The step's YAML as a path a reader can find: as the lab was given, or for a built-in lab
        its place in labcheck's source tree (scenarios/pods/step-04.yaml)."""
        if self._builtin is None:  # resolve() stats every folder of both paths: once per lab
            from labcheck.loader import BUILTIN_LABS as builtin

            self._builtin = Path(self.root).resolve().parent == builtin.resolve()
        if self._builtin:
            return f"scenarios/{Path(self.root).name}/{step_id}.yaml"
        return (Path(self.root) / f"{step_id}.yaml").as_posix()

    def digest(self) -> str:
        """The lab's scenario digest, read once per loaded lab (batch grading asks per student)."""
        if self._digest is None:
            self._digest = lab_digest(self.root)
        return self._digest

"""`labcheck lint`: what a valid lab can still get wrong, found without a cluster.

`validate` is the schema; lint reads the lab as a course author's reviewer would: text left
untranslated, checks that fail without a hint, points that do not add up, dependencies that can
never pass, cluster steps without a reference solution, tests.yaml naming what does not exist.
Every problem is `file:line: field: what is wrong`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from labcheck.checks.base import CheckSpec
from labcheck.core.i18n import Text, catalog
from labcheck.core.record import dataclass
from labcheck.errors import SpecError
from labcheck.labtests import SOLUTIONS_DIR, TESTS_FILE, LabTests, load_tests
from labcheck.loader import TOP, Located, _format, load_lab, load_yaml
from labcheck.spec import Lab, StepSpec


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    field: str
    text: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.text}"


def lint_lab(path: str | Path) -> list[Problem]:
    """Problems in the lab at `path` (SpecError if it does not even load: `validate`'s errors)."""
    lab = load_lab(path)
    root = Path(lab.root)
    problems: list[Problem] = []
    lab_file = str(root / "lab.yaml")
    lab_lines = load_yaml(root / "lab.yaml")
    problems += _text(lab.spec.title, lab_file, lab_lines, ("title",), required=True)
    for step_id, step in lab.steps.items():
        source = str(root / f"{step_id}.yaml")
        located = load_yaml(root / f"{step_id}.yaml")
        problems += _step(step, source, located)
    problems += _solutions(lab, root)
    try:
        problems += _tests(lab, root)
    except SpecError as exc:
        problems += [_parse(line) for line in exc.lines]
    return problems


def _parse(line: str) -> Problem:
    file, number, rest = (line.split(":", 2) + ["", ""])[:3]
    field, _, text = rest.strip().partition(": ")
    return Problem(file, int(number) if number.isdigit() else 1, field, text or rest.strip())


def _text(text: Text | None, source: str, located: Located, path: tuple[Any, ...],
          required: bool = False) -> list[Problem]:
    where = (source, located.line_of(path), _format(path))
    if text is None:
        return [Problem(*where, "missing")] if required else []
    if not text.zh.strip() or not text.en.strip():
        return [Problem(*where, "empty in " + ("zh" if not text.zh.strip() else "en"))]
    if text.zh.strip() == text.en.strip():
        return [Problem(*where, "the same text in zh and en: give both languages ({zh: ..., en: ...})")]
    return []


def _step(step: StepSpec, source: str, located: Located) -> list[Problem]:
    problems = _text(step.title, source, located, ("title",), required=True)
    for i, check in enumerate(step.checks):
        problems += _text(check.title, source, located, ("checks", i, "title"), required=True)
        if check.hint is None:
            problems.append(Problem(source, located.line_of(("checks", i)), f"checks[{i}].hint",
                                    f"'{check.id}' can fail but has no hint: "
                                    "a learner is told nothing to do"))
        else:
            problems += _text(check.hint, source, located, ("checks", i, "hint"))
    total = sum(c.points for c in step.checks)
    if step.points is not None and abs(total - step.points) > 1e-9:
        problems.append(Problem(source, located.line_of(("points",)), "points",
                                f"the step is worth {step.points:g} but its checks add up to {total:g}"))
    elif total == 0:
        problems.append(Problem(source, located.line_of(("checks",)), "checks",
                                "the checks are worth 0 points together: the step can never be passed"))
    problems += _dependencies(step, source, located)
    return problems


def needs(check: CheckSpec) -> tuple[str, str, str] | None:
    """('present'|'absent', kind, name) a check needs of one named object to pass, if it needs one."""
    data = check.__dict__  # the kind's own fields, whatever the kind
    kind, name = data.get("kind"), data.get("name")
    if kind == "object_absent" and name and not data.get("label_selector"):
        return ("absent", str(data["object_kind"]), name)
    if kind == "object_exists" and name:
        return ("present", str(data["object_kind"]), name)
    if kind == "pod_state" and not data.get("accept_events_when_gone"):
        return ("present", "Pod", str(name))
    if kind in ("exec_output", "logs_contain"):
        return ("present", "Pod", str(data["pod"]))
    if kind in ("service_shape", "http_reachable"):
        return ("present", "Service", str(name or data.get("service", "")))
    return None


def _ancestors(step: StepSpec, check_id: str) -> list[str]:
    by_id = {c.id: c for c in step.checks}
    seen: list[str] = []
    todo = list(by_id[check_id].depends_on)
    while todo:
        dep = todo.pop()
        if dep not in seen and dep in by_id:
            seen.append(dep)
            todo.extend(by_id[dep].depends_on)
    return seen


def _dependencies(step: StepSpec, source: str, located: Located) -> list[Problem]:
    """A check that runs only when a check it depends on passed, but needs the opposite of it."""
    by_id = {c.id: c for c in step.checks}
    problems = []
    for i, check in enumerate(step.checks):
        mine = needs(check)
        for dep in _ancestors(step, check.id) if mine else []:
            theirs = needs(by_id[dep])
            if theirs and mine and theirs[1:] == mine[1:] and theirs[0] != mine[0]:
                problems.append(Problem(
                    source, located.line_of(("checks", i, "depends_on")), f"checks[{i}].depends_on",
                    f"'{check.id}' needs {mine[1]} {mine[2]} {mine[0]} but runs only after '{dep}' passed, "
                    f"which needs it {theirs[0]}: it can never pass"))
                break
    return problems


def cluster_steps(lab: Lab) -> list[str]:
    return [s for s in lab.spec.steps if any(c.needs_cluster for c in lab.step(s).checks)]


def solution_script(lab_root: str | Path, step_id: str) -> Path:
    return Path(lab_root) / SOLUTIONS_DIR / f"{step_id}.sh"


def _solutions(lab: Lab, root: Path) -> list[Problem]:
    lab_file, located = str(root / "lab.yaml"), load_yaml(root / "lab.yaml")
    problems = []
    for step_id in cluster_steps(lab):
        if not solution_script(root, step_id).is_file():
            i = lab.spec.steps.index(step_id)
            problems.append(Problem(lab_file, located.line_of(("steps", i)), f"steps[{i}]",
                                    f"{step_id} reads the cluster but has no reference solution "
                                    f"{SOLUTIONS_DIR}/{step_id}.sh (test-lab runs it)"))
    for script in sorted((root / SOLUTIONS_DIR).glob("*.sh")):
        if script.stem not in lab.steps:
            problems.append(Problem(str(script), 1, TOP, f"no step {script.stem} in lab.yaml"))
    return problems


def _tests(lab: Lab, root: Path) -> list[Problem]:
    loaded = load_tests(root)
    if loaded is None:
        return []
    tests, located = loaded
    source = str(root / TESTS_FILE)
    return list(tests_problems(tests, located, source, lab))


def tests_problems(tests: LabTests, located: Located, source: str, lab: Lab) -> list[Problem]:
    known = catalog()
    problems = []
    for i, mistake in enumerate(tests.mistakes):
        here = ("mistakes", i)
        if mistake.step not in lab.steps:
            problems.append(Problem(source, located.line_of(here + ("step",)), f"mistakes[{i}].step",
                                    f"no step '{mistake.step}' in the lab "
                                    f"(steps: {', '.join(lab.spec.steps)})"))
            continue
        checks = {c.id: c for c in lab.step(mistake.step).checks}
        for check_id, expect in mistake.expect.items():
            path = here + ("expect", check_id)
            field = _format(path)
            if check_id not in checks:
                problems.append(Problem(source, located.line_of(path), field,
                                        f"no check '{check_id}' in {mistake.step} "
                                        f"(checks: {', '.join(checks)})"))
                continue
            if expect.message and expect.message not in known:
                problems.append(Problem(source, located.line_of(path), field + ".message",
                                        f"no message id '{expect.message}' (labcheck has none of that name)"))
            if expect.outcome == "skipped" and not checks[check_id].depends_on:
                problems.append(Problem(source, located.line_of(path), field,
                                        f"'{check_id}' depends on nothing, so it is never skipped"))
        start = tests.start_of(mistake)
        if start != "empty" and mistake.step in cluster_steps(lab):
            earlier = lab.spec.steps[: lab.spec.steps.index(mistake.step) + (start == "solution")]
            missing = [s for s in earlier
                       if s in cluster_steps(lab) and not solution_script(lab.root, s).is_file()]
            if missing:
                problems.append(Problem(source, located.line_of(here + ("start",)), f"mistakes[{i}].start",
                                        f"'{start}' runs the solutions of {', '.join(missing)}, "
                                        "which do not exist"))
    return problems

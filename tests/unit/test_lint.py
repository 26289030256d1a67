"""`labcheck lint`: each finding names the file, line and field; exit 0 clean, 1 findings, 2 unloadable."""

from __future__ import annotations

from pathlib import Path

import pytest

from labcheck.lint import lint_lab
from labcheck.scaffold import new_lab
from tests.unit.test_cli import labcheck


@pytest.fixture
def lab(tmp_path: Path) -> Path:
    folder = new_lab("demo", tmp_path)
    (folder / "tests.yaml").unlink()  # the tests below write their own
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    return next(i for i, t in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in t)


def found(lab: Path) -> list[str]:
    return [str(p) for p in lint_lab(lab)]


def test_shipped_labs_and_the_scaffold_are_clean(lab: Path) -> None:
    assert found(Path("scenarios/pods")) == []
    assert found(Path("scenarios/sidecar")) == []
    assert found(lab) == []
    out = labcheck("lint", "scenarios/pods", "scenarios/sidecar")
    assert out.returncode == 0, out.stdout + out.stderr


def test_untranslated_title_and_missing_hint(lab: Path) -> None:
    step = lab / "step-01.yaml"
    edit(step, "      zh: 事件显示 Pod 被调度并启动\n      en: Events show the Pod was scheduled and started\n",
         "      Events show the Pod was scheduled and started\n")
    edit(step, "    title:\n      Events", "    title: Events")
    text = step.read_text(encoding="utf-8")
    step.write_text(text[:text.rindex("    hint:")], encoding="utf-8")  # web-events' hint
    assert found(lab) == [
        f"{step}:{line_of(step, 'title: Events')}: checks[1].title: the same text in zh and en: "
        "give both languages ({zh: ..., en: ...})",
        f"{step}:{line_of(step, '- id: web-events')}: checks[1].hint: 'web-events' can fail but has no hint: "
        "a learner is told nothing to do",
    ]


def test_points_must_add_up_to_the_step_total(lab: Path) -> None:
    step = lab / "step-01.yaml"
    edit(step, "summary:", "points: 4\nsummary:")
    assert found(lab) == [f"{step}:{line_of(step, 'points: 4')}: points: the step is worth 4 but its checks "
                          "add up to 3"]
    edit(step, "points: 4\n", "")
    edit(step, "    points: 2\n", "    points: 0\n")
    edit(step, "    depends_on: [web-running]\n", "    depends_on: [web-running]\n    points: 0\n")
    assert "the checks are worth 0 points together" in found(lab)[0]


def test_a_dependency_that_can_never_pass(lab: Path) -> None:
    step = lab / "step-01.yaml"
    with step.open("a", encoding="utf-8") as file:
        file.write("  - id: web-gone\n    kind: object_absent\n    object_kind: Pod\n    name: web\n"
                   "    depends_on: [web-events]\n    title: {zh: web 已删除, en: web is deleted}\n"
                   "    hint: {zh: 删除它, en: Delete it}\n")
    assert found(lab) == [f"{step}:{line_of(step, 'depends_on: [web-events]')}: checks[2].depends_on: "
                          "'web-gone' needs Pod web absent but runs only after 'web-running' passed, which "
                          "needs it present: it can never pass"]


def test_a_cluster_step_without_a_solution(lab: Path) -> None:
    (lab / "solutions" / "step-01.sh").rename(lab / "solutions" / "step-09.sh")
    assert found(lab) == [
        f"{lab / 'lab.yaml'}:{line_of(lab / 'lab.yaml', 'steps:')}: steps[0]: step-01 reads the cluster but has "
        "no reference solution solutions/step-01.sh (test-lab runs it)",
        f"{lab / 'solutions' / 'step-09.sh'}:1: (top level): no step step-09 in lab.yaml",
    ]
    out = labcheck("lint", str(lab))
    assert out.returncode == 1 and "steps[0]: step-01 reads the cluster" in out.stdout
    assert "2 problems found" in out.stderr


TESTS = """\
mistakes:
  - name: wrong image
    step: step-01
    setup: {commands: kubectl run web --image nginx:1.26}
    expect:
      web-running: {outcome: failed, message: pod.wrong_image}
      web-event: skipped
  - name: no such step
    step: step-02
    setup: {commands: "true"}
    expect: {web-running: pending}
  - name: bad message and a skip that cannot happen
    step: step-01
    setup: {commands: "true"}
    expect:
      web-running: {outcome: pending, message: pod.nope}
      web-events: pending
"""


def test_tests_yaml_ids_that_do_not_exist(lab: Path) -> None:
    tests = lab / "tests.yaml"
    tests.write_text(TESTS.replace("      web-events: pending", "      web-running2: skipped"), encoding="utf-8")
    edit(tests, "      web-running2: skipped", "      web-events: pending")
    edit(tests, "      web-running: {outcome: pending, message: pod.nope}",
         "      web-running: {outcome: skipped, message: pod.nope}")
    assert found(lab) == [
        f"{tests}:7: mistakes[0].expect.web-event: no check 'web-event' in step-01 (checks: web-running, web-events)",
        f"{tests}:9: mistakes[1].step: no step 'step-02' in the lab (steps: step-01)",
        f"{tests}:16: mistakes[2].expect.web-running.message: no message id 'pod.nope' (labcheck has none of that name)",
        f"{tests}:16: mistakes[2].expect.web-running: 'web-running' depends on nothing, so it is never skipped",
    ]


def test_tests_yaml_schema_errors_name_file_line_and_field(lab: Path) -> None:
    tests = lab / "tests.yaml"
    tests.write_text(TESTS.replace("outcome: failed", "outcome: broken"), encoding="utf-8")
    problems = found(lab)
    assert problems[0].startswith(f"{tests}:6: mistakes[0].expect.web-running.outcome: Input should be"), problems
    tests.write_text(TESTS.replace("    setup: {commands: \"true\"}\n", "    setup: {}\n", 1), encoding="utf-8")
    assert f"{tests}:10: mistakes[1].setup: a setup needs commands or manifests" in found(lab)


def test_lint_of_a_lab_that_does_not_load_is_exit_2(tmp_path: Path) -> None:
    out = labcheck("lint", str(tmp_path))
    assert out.returncode == 2 and "no lab.yaml there" in out.stderr and "Traceback" not in out.stderr

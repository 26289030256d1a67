"""`labcheck test-lab` without a cluster: a quiz-only lab (its checks read files, never the cluster),
with labcheck's namespace writes replaced by a record of them. The real runs: tests/e2e/test_test_lab.py."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema

from labcheck.kube import writes
from labcheck.reporters.junit import schema_path
from labcheck.testlab_run import exit_code, junit_report, prove, text_report
from tests.unit.test_cli import labcheck
from tests.unit.test_junit_consumers import jenkins_problems

LAB = """id: quiz
title: {zh: 测验, en: A quiz}
steps: [step-01]
"""
STEP = """id: step-01
title: {zh: 问题, en: Questions}
checks:
  - id: q1
    kind: quiz
    title: {zh: 问题一, en: Question one}
    hint: {zh: 再读一遍, en: Read it again}
    question: {zh: 选 a, en: Pick a}
    choices: [{id: a, text: {zh: 甲, en: A}}, {id: b, text: {zh: 乙, en: B}}]
    answer: [a]
  - id: q2
    kind: quiz
    title: {zh: 问题二, en: Question two}
    hint: {zh: 再读一遍, en: Read it again}
    question: {zh: 选 b, en: Pick b}
    choices: [{id: a, text: {zh: 甲, en: A}}, {id: b, text: {zh: 乙, en: B}}]
    answer: [b]
"""
TESTS = """mistakes:
  - name: first answer wrong
    step: step-01
    setup: {commands: 'printf "q1: b\\\\nq2: b\\\\n" > labcheck-answers.yaml'}
    expect:
      q1: {outcome: failed, message: quiz.wrong}
  - name: an expectation that is wrong
    step: step-01
    setup: {commands: 'printf "q1: a\\\\n" > "$FILES_DIR/labcheck-answers.yaml"'}
    expect:
      q2: {outcome: failed, message: quiz.wrong}
    wait: 0
"""
KUBECONFIG = """apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: abc}}]
contexts: [{name: ctx, context: {cluster: c, user: u}}]
current-context: ctx
"""


@pytest.fixture
def lab(tmp_path: Path) -> Path:
    folder = tmp_path / "quiz"
    (folder / "solutions").mkdir(parents=True)
    (folder / "lab.yaml").write_text(LAB, encoding="utf-8")
    (folder / "step-01.yaml").write_text(STEP, encoding="utf-8")
    (folder / "tests.yaml").write_text(TESTS, encoding="utf-8")
    (folder / "solutions" / "step-01.sh").write_text(
        'printf "q1: a\\nq2: b\\n" > "$FILES_DIR/labcheck-answers.yaml"\n', encoding="utf-8")
    return folder


@pytest.fixture
def namespaces(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    made: list[str] = []
    monkeypatch.setattr(writes, "create_namespace", lambda cluster, name: made.append(f"+{name}"))
    monkeypatch.setattr(writes, "delete_namespace", lambda cluster, name: made.append(f"-{name}"))
    return made


@pytest.fixture
def kubeconfig(tmp_path: Path) -> str:
    path = tmp_path / "kubeconfig"
    path.write_text(KUBECONFIG, encoding="utf-8")
    return str(path)


def test_cases_diff_and_warnings(lab: Path, namespaces: list[str], kubeconfig: str) -> None:
    run = prove(str(lab), kubeconfig, None, ())
    assert [(c.name, c.passed) for c in run.cases] == [
        ("empty namespace", True), ("reference solution", True), ("first answer wrong", True),
        ("an expectation that is wrong", False)]
    assert exit_code(run) == 1 and run.context == "ctx"
    # each case in a namespace of its own, made and deleted: labcheck-test-<lab>-<hex>
    assert len(namespaces) == 8 and all(n[1:].startswith("labcheck-test-quiz-") for n in namespaces)
    assert [n[0] for n in namespaces] == ["+", "-"] * 4 and len({n[1:] for n in namespaces}) == 4
    text = text_report(run)
    assert "FAILED  an expectation that is wrong  (" in text
    assert "___ an expectation that is wrong (tests.yaml:7) ___" in text
    assert "E step-01/q2  failed quiz.wrong  pending quiz.unanswered" in text, text
    assert "  step-01/q1  passed             passed quiz.ok" in text, text  # the rest: unchanged
    assert "step-01/q1: no case made it fail" not in text  # the first mistake did
    assert "step-01/q2: no case made it fail (it was passed, pending)" in text
    assert "=== quiz on context ctx: 3 passed, 1 failed, 1 warning in" in text


def test_junit_validates_and_carries_the_diff(lab: Path, namespaces: list[str], kubeconfig: str) -> None:
    """Readers as in tests/unit/test_junit_consumers.py: Jenkins' junit-10.xsd (jenkinsci/xunit-plugin
    src/main/resources/org/jenkinsci/plugins/xunit/types/model/xsd/junit-10.xsd at
    031e285ef3b60dee7aaf36e9096d7dcd95ffae83: no `file` or `line` on testcase) and the bundled XSD."""
    xml = junit_report(prove(str(lab), kubeconfig, None, ("wrong",)))
    xmlschema.XMLSchema(str(schema_path())).validate(xml)
    assert jenkins_problems(xml) == []
    cases = {c.get("name"): c for c in ET.fromstring(xml).iter("testcase")}
    assert list(cases) == ["first answer wrong", "an expectation that is wrong"]
    failure = cases["an expectation that is wrong"].find("failure")
    assert failure is not None and "E step-01/q2" in (failure.text or "")
    assert (failure.text or "").startswith("an expectation that is wrong (tests.yaml:7)")


def test_a_check_no_case_makes_fail_is_a_warning(lab: Path, namespaces: list[str], kubeconfig: str) -> None:
    (lab / "tests.yaml").unlink()
    text = text_report(prove(str(lab), kubeconfig, None, ()))
    assert "step-01/q1: no case made it fail (it was passed, pending)" in text, text
    assert " 2 warnings in" in text


def test_a_failing_solution_script_is_named(lab: Path, namespaces: list[str], kubeconfig: str) -> None:
    (lab / "solutions" / "step-01.sh").write_text("echo oops >&2\nexit 3\n", encoding="utf-8")
    run = prove(str(lab), kubeconfig, None, ("reference",))
    assert "solutions/step-01.sh exited 3:\n    oops" in text_report(run).replace("  oops", "    oops")


def test_refuses_to_write_without_allow_writes(lab: Path, kubeconfig: str) -> None:
    out = labcheck("test-lab", str(lab), "--kubeconfig", kubeconfig)
    assert out.returncode == 2 and "writes to the cluster: in context ctx" in out.stderr
    assert "labcheck-test-quiz-<hex>" in out.stderr and "--allow-writes" in out.stderr


def test_unreachable_cluster_and_unknown_case_are_exit_2(lab: Path, kubeconfig: str) -> None:
    out = labcheck("test-lab", str(lab), "--kubeconfig", kubeconfig, env={"LABCHECK_ALLOW_WRITES": "1"})
    assert out.returncode == 2 and "could not be used" in out.stderr and "Traceback" not in out.stderr
    out = labcheck("test-lab", str(lab), "--kubeconfig", kubeconfig, "--allow-writes", "-k", "nothing-like-it")
    assert out.returncode == 2 and "no case of quiz has that in its name" in out.stderr


def test_namespace_writes_refuse_other_namespaces() -> None:
    with pytest.raises(ValueError, match="only to namespaces named labcheck-test-"):
        writes.delete_namespace(object(), "default")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        writes.create_namespace(object(), "kube-system")  # type: ignore[arg-type]


def test_a_lab_given_by_a_relative_path(lab: Path, namespaces: list[str], kubeconfig: str,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The scripts run in each case's own folder: the lab's and the kubeconfig's paths still resolve."""
    monkeypatch.chdir(lab.parent)
    run = prove("quiz", "kubeconfig", None, ("reference",))
    assert [c.passed for c in run.cases] == [True], text_report(run)

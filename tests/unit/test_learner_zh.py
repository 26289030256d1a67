"""`--lang zh`: every word a learner reads is Chinese, expected/actual values too (issue 14: the report
said `期望：answer=one of a, b, c, d`, `selects Pod my-first-pod`, `valid YAML`, `assigned`).

Field names (`answer=`, `phase=`) and plain data (images, names, `Running`, numbers) stay as kubectl
shows them; the words around them are translated."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from labcheck.core.i18n import catalog
from labcheck.core.results import Outcome, RunResult, localized
from labcheck.errors import ClusterError
from tests.unit.fakes import FakeCluster, event, node, pod, service
from tests.unit.test_learner_verdicts import grade, text

# English words of the value catalog (and the examples) that must never reach a zh report.
ENGLISH = sorted({e["en"] for k, e in catalog().items() if k.startswith("value.") and e["en"] != e["zh"]}
                 | {"one of", "selects Pod", "valid YAML", "assigned", "running", "exit code", "line"}
                 | set(ClusterError.REASONS) | {"timeout", "unreachable"},
                 key=len, reverse=True)
WORD = re.compile("|".join(rf"(?<![\w-]){re.escape(w)}(?![\w-])" for w in ENGLISH))


def crash_looping() -> dict[str, Any]:
    p = pod()
    p["status"]["containerStatuses"][0]["state"] = {"terminated": {"exitCode": 1, "reason": "Error"}}
    p["status"]["containerStatuses"][0]["restartCount"] = 3
    return p


def init_failing() -> dict[str, Any]:
    p = pod(phase="Pending", ready=False)
    p["status"]["initContainerStatuses"] = [{"name": "setup", "restartCount": 2,
                                             "state": {"terminated": {"exitCode": 2, "reason": "Error"}}}]
    return p


def unschedulable() -> dict[str, Any]:
    p = pod(phase="Pending", ready=False, node=None, pod_ip=None)
    p["status"]["conditions"][0].update(reason="Unschedulable", message="0/1 nodes are available")
    return p


def forbidden() -> FakeCluster:
    cluster = FakeCluster({"Node": [node()]})
    cluster.errors["Pod"] = ClusterError("forbidden", "list pods: forbidden")
    return cluster


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return tmp_path


SCENARIOS: dict[str, Any] = {
    "quiz unanswered": lambda tmp: grade("step-01", files=tmp),
    "quiz broken file": lambda tmp: grade("step-01", files=write(tmp, "labcheck-answers.yaml", "a: [b\n")),
    "quiz not a mapping": lambda tmp: grade("step-01", files=write(tmp, "labcheck-answers.yaml", "- b\n")),
    "no node": lambda tmp: grade("step-04", FakeCluster({"Pod": [pod(node=None)]})),
    "no IP": lambda tmp: grade("step-04", FakeCluster({"Pod": [pod(pod_ip=None)]})),
    "unschedulable": lambda tmp: grade("step-04", FakeCluster({"Pod": [unschedulable()]})),
    "crash loop": lambda tmp: grade("step-04", FakeCluster({"Pod": [crash_looping()]})),
    "init failed": lambda tmp: grade("step-04", FakeCluster({"Pod": [init_failing()]})),
    "deleted, from Events": lambda tmp: grade("step-02", FakeCluster({"Node": [node()], "Event": [
        event("Pod", "my-first-pod", r, m) for r, m in (
            ("Scheduled", "Successfully assigned default/my-first-pod to n1"),
            ("Pulled", 'Container image "stacksimplify/kubenginx:1.0.0" already present'),
            ("Created", ""), ("Started", ""), ("Killing", ""))]})),
    "selector matches nothing": lambda tmp: grade("step-04", FakeCluster({
        "Pod": [pod()], "Service": [service(selector={"app": "x"})]})),
    "no selector": lambda tmp: grade("step-04", FakeCluster({"Pod": [pod()], "Service": [service(selector={})]})),
    "yaml is binary": lambda tmp: grade("step-06", FakeCluster({"Pod": [pod()], "Service": [service()]}),
                                        files=write(tmp, "my-first-pod.yaml", b"\xff\xfe\x00")),
    "yaml is a folder": lambda tmp: (tmp / "my-first-pod.yaml").mkdir() or grade(
        "step-06", FakeCluster({"Pod": [pod()], "Service": [service()]}), files=tmp),
    "yaml broken": lambda tmp: grade("step-06", FakeCluster({"Pod": [pod()], "Service": [service()]}),
                                     files=write(tmp, "my-first-pod.yaml", "kind: Pod\n  x: [\n")),
    "yaml empty": lambda tmp: grade("step-06", FakeCluster({"Pod": [pod()], "Service": [service()]}),
                                    files=write(tmp, "my-first-pod.yaml", "")),
    "forbidden": lambda tmp: grade("step-04", forbidden()),
    "node port unreachable": lambda tmp: grade("step-04", FakeCluster({
        "Node": [node(internal_ip="192.168.1.5")], "Pod": [pod()], "Service": [service()],
        "EndpointSlice": [{"metadata": {"namespace": "default", "labels": {
            "kubernetes.io/service-name": "my-first-service"}}, "endpoints": [{"conditions": {"ready": True}}]}]})),
}


@pytest.mark.parametrize("name", SCENARIOS)
def test_expected_and_actual_are_in_the_chosen_language(tmp_path: Path, name: str) -> None:
    result: RunResult = SCENARIOS[name](tmp_path)
    shown = [c for c in result.checks if c.expected or c.actual]
    assert shown, name
    for check in shown:
        for values in (check.expected, check.actual):
            for key, value in localized(values, "zh").items():
                assert not WORD.search(value), f"{name}: {check.check_id}: {key}={value}"
    report = text(result, "zh")
    lines = [line for line in report.splitlines() if line.strip().startswith(("期望：", "实际："))]
    for line in lines:
        assert not WORD.search(line), f"{name}: {line}"
    if any(c.outcome is not Outcome.PASSED for c in shown):  # the text report shows them only then
        assert lines, report
        english = text(result, "en")
        assert any(line.strip().startswith(("expected: ", "actual: ")) for line in english.splitlines())

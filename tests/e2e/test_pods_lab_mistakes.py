"""Common learner mistakes in the Pods lab on the real node, as the learner reads them.

The matrix of mistakes and their outcomes is data: scenarios/pods/tests.yaml, proved by
`labcheck test-lab` in tests/e2e/test_test_lab.py. What tests.yaml cannot say stays here: the
report a learner reads in both languages (hint, message, expected vs actual) for a failed and a
pending check, and a Pod made in another namespace than the graded one (test-lab only ever
touches its own namespace)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from labcheck.core.results import Outcome
from tests.e2e.learner import POD, Learner, check, outcomes, report

pytestmark = pytest.mark.cluster
IMAGE = "stacksimplify/kubenginx:1.0.0"


def wrong_port(learner: Learner) -> None:
    learner.run_pod()
    learner.kubectl("expose", "pod", POD, "--name=my-first-service", "--type=NodePort", "--port=8080",
                    "--target-port=80")


@dataclass(frozen=True)
class Case:
    name: str
    setup: Callable[[Learner], None]
    step: str
    check: str
    outcome: Outcome
    message_id: str
    wait: float = 0  # 0: one look; a crash loop is graded as a learner would, polling


CASES = [
    Case("image kubenginx:2.0.0", lambda lr: lr.run_pod("stacksimplify/kubenginx:2.0.0"), "step-02",
         "pod-running", Outcome.FAILED, "pod.wrong_image"),
    Case("typo in the Pod name", lambda lr: lr.run_pod(name="my-frist-pod"), "step-04", "pod-running",
         Outcome.PENDING, "nearby.near_miss"),
    Case("wrong port", wrong_port, "step-04", "service", Outcome.FAILED, "service.no_port"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_mistake(learner: Learner, case: Case) -> None:
    case.setup(learner)
    result = learner.grade(case.step, wait=case.wait)
    found = check(result, case.check)
    assert (found.outcome, found.message_id) == (case.outcome, case.message_id), (
        f"{found.message.en} | {outcomes(result)}")
    if case.outcome is not Outcome.PASSED:
        assert found.hint is not None
        for lang in ("en", "zh"):
            text = report(result, lang)
            assert found.hint.get(lang) in text, text
            assert found.message.get(lang).split(":")[0] in text
        if case.outcome is Outcome.FAILED:
            assert found.expected and found.actual  # expected vs actual for the fields that matter


def test_pod_made_in_another_namespace(learner: Learner) -> None:
    """The learner ran kubectl in another namespace than the one graded: say which one was looked at,
    where the Pod is, and the command that grades it there."""
    other = f"{learner.namespace}-x"
    learner.cluster.create_namespace(other)
    try:
        learner.cluster.kubectl("run", POD, "--image", IMAGE, namespace=other)
        result = learner.grade("step-04", wait=0)
        found = check(result, "pod-running")
        assert (found.outcome, found.message_id) == (Outcome.PENDING, "nearby.other_namespace")
        assert learner.namespace in found.message.en and learner.namespace in found.message.zh
        assert f"`labcheck step-04 -n {other}`" in found.message.en and f"-n {other}`" in found.message.zh
    finally:
        learner.cluster.kubectl("delete", "namespace", other, "--wait=false", check=False)

"""Mistakes in the later Pods-lab steps on the real node, as far as tests.yaml cannot say them.

Their outcomes and message ids (reachability, logs, exec, saved YAML, clean-up) are data in
scenarios/pods/tests.yaml, proved by `labcheck test-lab` (tests/e2e/test_test_lab.py). Here stays
what a message must say (the address knocked at, the status the app gave, the Service left over)
and a clean-up done in stages. (Exec forbidden: tests/e2e/test_least_privilege.py.)"""

from __future__ import annotations

import pytest

from labcheck.core.results import Outcome
from tests.e2e.learner import POD, Learner, check, outcomes, report

pytestmark = pytest.mark.cluster


def exposed(learner: Learner, *args: str) -> None:
    learner.run_pod(args=args)
    learner.kubectl("expose", "pod", POD, "--type=NodePort", "--port=80", "--name=my-first-service")


def assert_seen(learner: Learner, step: str, check_id: str, outcome: Outcome, message_id: str,
                wait: float = 0) -> str:
    """`wait` as a learner's run polls: kube-proxy takes a moment to open a new Service's node port."""
    result = learner.grade(step, wait=wait)
    found = check(result, check_id)
    assert (found.outcome, found.message_id) == (outcome, message_id), f"{found.message.en} | {outcomes(result)}"
    if outcome in (Outcome.FAILED, Outcome.PENDING):
        assert found.hint is not None
        for lang in ("en", "zh"):
            assert found.hint.get(lang) in report(result, lang)
    return found.message.en


def test_node_port_unreachable_is_an_error_naming_the_address(learner: Learner) -> None:
    """Nothing listens behind the node port (the app listens on 8080): kube-proxy forwards, the Pod
    refuses; labcheck says where it knocked and keeps the check ungraded."""
    exposed(learner, "--port", "8080")
    address = learner.node_url("my-first-service").split("/")[2]
    text = assert_seen(learner, "step-04", "service-answers", Outcome.ERROR, "http.unreachable", wait=5)
    assert address in text and "refused" in text


def test_app_answering_with_an_error_is_a_failure(learner: Learner) -> None:
    exposed(learner, "--status", "502")
    text = assert_seen(learner, "step-04", "service-answers", Outcome.FAILED, "http.wrong_status", wait=10)
    assert "502" in text


def test_clean_up_half_done(learner: Learner) -> None:
    exposed(learner)
    learner.kubectl("expose", "pod", POD, "--type=NodePort", "--port=81", "--target-port=80",
                    "--name=my-first-service2")
    learner.kubectl("expose", "pod", POD, "--type=NodePort", "--port=82", "--target-port=80", "--name=extra")
    learner.kubectl("delete", "svc", "my-first-service")
    assert_seen(learner, "step-07", "pod-deleted", Outcome.PENDING, "absent.present")  # Pod left
    learner.kubectl("delete", "pod", POD, "--wait=true")
    result = learner.grade("step-07", wait=0)
    assert outcomes(result) == {"step-07/pod-deleted": "passed", "step-07/service-deleted": "passed",
                                "step-07/service2-deleted": "pending", "step-07/nothing-left": "pending"}
    assert "extra" in check(result, "nothing-left").message.en
    learner.kubectl("delete", "svc", "my-first-service2", "extra")
    assert learner.grade("step-07", wait=0).percent == 100

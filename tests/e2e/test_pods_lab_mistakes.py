"""Common learner mistakes in the Pods lab, each on the real local control plane: the exact outcome,
the message id, and the hint the learner sees in both languages."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from grader.results import Outcome
from tests.e2e.learner import POD, Learner, check, outcomes, report

pytestmark = pytest.mark.cluster
IMAGE = "stacksimplify/kubenginx:1.0.0"


def crash_loop(learner: Learner, waiting: bool) -> None:
    """What the kubelet reports for a container that keeps exiting (kwok plays the kubelet)."""
    learner.run_pod()
    state = ({"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 40s restarting failed container"}}
             if waiting else {"running": {"startedAt": "2026-11-25T10:00:00Z"}})
    status = {"conditions": [{"type": "Ready", "status": "False", "reason": "ContainersNotReady"},
                             {"type": "ContainersReady", "status": "False"}],
              "containerStatuses": [{"name": POD, "image": IMAGE, "imageID": "", "ready": False,
                                     "restartCount": 4, "state": state,
                                     "lastState": {"terminated": {"exitCode": 1, "reason": "Error"}}}]}
    learner.kubectl("patch", "pod", POD, "--subresource=status", "--type=strategic",
                    "-p", json.dumps({"status": status}))


def unschedulable(learner: Learner) -> None:
    learner.kubectl("run", POD, "--image", IMAGE,
                    "--overrides", json.dumps({"spec": {"nodeSelector": {"disktype": "nvme-none"}}}))
    learner.cluster.wait_for("Unschedulable", lambda: "Unschedulable" in learner.kubectl(
        "get", "pod", POD, "-o", "jsonpath={.status.conditions[*].reason}").stdout)


def image_pull_fails(image: str) -> Callable[[Learner], None]:
    """The registry refuses the pull (rate limit, no such tag, no network)."""
    def setup(learner: Learner) -> None:
        learner.kubectl("run", POD, "--image", image, "--annotations", "labcheck.test/image-pull=fail")
        learner.cluster.wait_for("ImagePullBackOff", lambda: "BackOff" in learner.kubectl(
            "get", "pod", POD, "-o", "jsonpath={.status.containerStatuses[*].state.waiting.reason}").stdout)
    return setup


def expose(*extra: str, pod: bool = True) -> Callable[[Learner], None]:
    def setup(learner: Learner) -> None:
        if pod:
            learner.run_pod()
        learner.kubectl("expose", "pod", POD, "--name=my-first-service", *extra)
    return setup


def service2_without_target_port(learner: Learner) -> None:
    learner.run_pod()
    learner.kubectl("expose", "pod", POD, "--type=NodePort", "--port=81", "--name=my-first-service2")


def selector_matches_nothing(learner: Learner) -> None:
    learner.run_pod()
    learner.kubectl("create", "service", "nodeport", "my-first-service", "--tcp=80:80")


def service_before_pod_recreated(learner: Learner) -> None:
    expose("--type=NodePort", "--port=80")(learner)
    learner.kubectl("delete", "pod", POD, "--wait=true")
    learner.run_pod()


@dataclass(frozen=True)
class Case:
    name: str
    setup: Callable[[Learner], None]
    step: str
    check: str
    outcome: Outcome
    message_id: str


CASES = [
    Case("image nginx", lambda lr: lr.run_pod("nginx"), "step-02", "pod-running", Outcome.FAILED, "pod.wrong_image"),
    Case("image kubenginx:2.0.0", lambda lr: lr.run_pod("stacksimplify/kubenginx:2.0.0"), "step-02",
         "pod-running", Outcome.FAILED, "pod.wrong_image"),
    Case("image from ghcr", lambda lr: lr.run_pod("ghcr.io/stacksimplify/kubenginx:1.0.0"), "step-04",
         "pod-running", Outcome.PASSED, "pod.ok"),
    Case("image from a mirror", lambda lr: lr.run_pod("mirror.example.org/stacksimplify/kubenginx:1.0.0"),
         "step-04", "pod-running", Outcome.PASSED, "pod.ok"),
    Case("image by digest-less docker.io path", lambda lr: lr.run_pod("docker.io/stacksimplify/kubenginx:1.0.0"),
         "step-04", "pod-running", Outcome.PASSED, "pod.ok"),
    Case("typo in the Pod name", lambda lr: lr.run_pod(name="my-frist-pod"), "step-04", "pod-running",
         Outcome.PENDING, "pod.missing"),
    Case("Pending: no node fits", unschedulable, "step-04", "pod-running", Outcome.FAILED, "pod.unschedulable"),
    Case("ImagePullBackOff", image_pull_fails(IMAGE), "step-04", "pod-running", Outcome.FAILED, "pod.waiting"),
    Case("ImagePullBackOff of a tag that does not exist", image_pull_fails("stacksimplify/kubenginx:9.9.9"),
         "step-04", "pod-running", Outcome.FAILED, "pod.wrong_image"),
    Case("CrashLoopBackOff", lambda lr: crash_loop(lr, waiting=True), "step-04", "pod-running",
         Outcome.FAILED, "pod.waiting"),
    Case("Running but not Ready, restarted", lambda lr: crash_loop(lr, waiting=False), "step-04",
         "pod-running", Outcome.FAILED, "pod.not_ready_restarts"),
    Case("Service of type ClusterIP", expose("--port=80"), "step-04", "service", Outcome.FAILED,
         "service.wrong_type"),
    Case("Service of type LoadBalancer", expose("--type=LoadBalancer", "--port=80"), "step-04", "service",
         Outcome.FAILED, "service.wrong_type"),
    Case("wrong port", expose("--type=NodePort", "--port=8080", "--target-port=80"), "step-04", "service",
         Outcome.FAILED, "service.no_port"),
    Case("service2 without --target-port", service2_without_target_port, "step-04", "service2",
         Outcome.FAILED, "service.wrong_target_port"),
    Case("selector matches nothing", selector_matches_nothing, "step-04", "service", Outcome.FAILED,
         "service.selector_mismatch"),
    Case("Service made before the Pod was recreated", service_before_pod_recreated, "step-04", "service",
         Outcome.PASSED, "service.ok"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_mistake(learner: Learner, case: Case) -> None:
    case.setup(learner)
    result = learner.grade(case.step, wait=0)
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
    """The learner ran kubectl in another namespace than the one graded: say which one was looked at."""
    other = f"{learner.namespace}-x"
    learner.cluster.create_namespace(other)
    try:
        learner.cluster.kubectl("run", POD, "--image", IMAGE, namespace=other)
        result = learner.grade("step-04", wait=0)
        found = check(result, "pod-running")
        assert (found.outcome, found.message_id) == (Outcome.PENDING, "pod.missing")
        assert learner.namespace in found.message.en and learner.namespace in found.message.zh
    finally:
        learner.cluster.kubectl("delete", "namespace", other, "--wait=false", check=False)

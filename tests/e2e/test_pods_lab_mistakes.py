"""Common learner mistakes in the Pods lab, each on the real node (real kubelet, containerd, runc):
the exact outcome, the message id, and the hint the learner sees in both languages."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from labcheck.core.results import Outcome
from tests.e2e.learner import POD, Learner, check, outcomes, report

pytestmark = pytest.mark.cluster
IMAGE = "stacksimplify/kubenginx:1.0.0"


def crash_loop(learner: Learner) -> None:
    """The app exits 1 at once: the real kubelet restarts it (terminated Error, then CrashLoopBackOff)."""
    learner.run_pod(args=("--exit", "1"), wait=False)
    learner.cluster.wait_for("a restart", lambda: learner.kubectl(
        "get", "pod", POD, "-o", "jsonpath={.status.containerStatuses[0].restartCount}").stdout not in ("", "0"),
        timeout=60)


def not_ready_and_restarted(learner: Learner) -> None:
    """Readiness and liveness probes on a page that does not exist: never Ready, restarted by the kubelet."""
    probe = {"httpGet": {"path": "/healthz", "port": 80}, "periodSeconds": 1, "failureThreshold": 1}
    container = {"name": POD, "image": IMAGE, "readinessProbe": probe, "livenessProbe": probe}
    learner.kubectl("run", POD, "--image", IMAGE, "--overrides",
                    json.dumps({"spec": {"containers": [container]}}))
    learner.cluster.wait_for("a restart", lambda: learner.kubectl(
        "get", "pod", POD, "-o", "jsonpath={.status.containerStatuses[0].restartCount}").stdout not in ("", "0"),
        timeout=60)


def unschedulable(learner: Learner) -> None:
    learner.kubectl("run", POD, "--image", IMAGE,
                    "--overrides", json.dumps({"spec": {"nodeSelector": {"disktype": "nvme-none"}}}))
    learner.cluster.wait_for("Unschedulable", lambda: "Unschedulable" in learner.kubectl(
        "get", "pod", POD, "-o", "jsonpath={.status.conditions[*].reason}").stdout)


def image_pull_fails(image: str) -> Callable[[Learner], None]:
    """The pull fails (no registry is reachable from the suite's namespace): ErrImagePull, then
    ImagePullBackOff, as containerd words them. The lab's own image is pulled again with Always."""
    def setup(learner: Learner) -> None:
        learner.kubectl("run", POD, "--image", image, "--image-pull-policy=Always")
        learner.cluster.wait_for("ErrImagePull", lambda: "Image" in learner.kubectl(
            "get", "pod", POD, "-o", "jsonpath={.status.containerStatuses[*].state.waiting.reason}").stdout,
            timeout=60)
    return setup


def deployment_instead(learner: Learner) -> None:
    """`kubectl create deployment my-first-pod`: the real controller-manager makes my-first-pod-<hash>-<id>."""
    learner.kubectl("create", "deployment", POD, "--image", IMAGE)
    learner.cluster.wait_for("the Deployment's Pod", lambda: f"pod/{POD}-" in learner.kubectl(
        "get", "pods", "-o", "name").stdout)


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
    wait: float = 0  # 0: one look; a crash loop is graded as a learner would, polling


CASES = [
    Case("image nginx", image_pull_fails("nginx"), "step-02", "pod-running", Outcome.FAILED, "pod.wrong_image"),
    Case("image kubenginx:2.0.0", lambda lr: lr.run_pod("stacksimplify/kubenginx:2.0.0"), "step-02",
         "pod-running", Outcome.FAILED, "pod.wrong_image"),
    Case("image from ghcr", lambda lr: lr.run_pod("ghcr.io/stacksimplify/kubenginx:1.0.0"), "step-04",
         "pod-running", Outcome.PASSED, "pod.ok"),
    Case("image from a mirror", lambda lr: lr.run_pod("mirror.example.org/stacksimplify/kubenginx:1.0.0"),
         "step-04", "pod-running", Outcome.PASSED, "pod.ok"),
    Case("image by digest-less docker.io path", lambda lr: lr.run_pod("docker.io/stacksimplify/kubenginx:1.0.0"),
         "step-04", "pod-running", Outcome.PASSED, "pod.ok"),
    Case("typo in the Pod name", lambda lr: lr.run_pod(name="my-frist-pod"), "step-04", "pod-running",
         Outcome.PENDING, "nearby.near_miss"),
    Case("a Deployment instead of a bare Pod", deployment_instead, "step-04", "pod-running", Outcome.PENDING,
         "nearby.controller"),
    Case("Pending: no node fits", unschedulable, "step-04", "pod-running", Outcome.FAILED, "pod.unschedulable"),
    Case("ImagePullBackOff", image_pull_fails(IMAGE), "step-04", "pod-running", Outcome.FAILED, "pod.waiting"),
    Case("ImagePullBackOff of a tag that does not exist", image_pull_fails("stacksimplify/kubenginx:9.9.9"),
         "step-04", "pod-running", Outcome.FAILED, "pod.wrong_image"),
    Case("crash loop (exit 1)", crash_loop, "step-04", "pod-running", Outcome.FAILED, "pod.crashing", wait=20),
    Case("Running but not Ready, restarted", not_ready_and_restarted, "step-04",
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

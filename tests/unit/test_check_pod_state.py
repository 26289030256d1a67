import pytest
from pydantic import ValidationError

from labcheck.checks import pod_state
from labcheck.core.results import Outcome
from tests.unit.fakes import FakeCluster, context, event, pod

IMAGES = ["stacksimplify/kubenginx:1.0.0", "ghcr.io/stacksimplify/kubenginx:1.0.0"]


def spec(**kw: object) -> pod_state.Spec:
    base = {"id": "pod-running", "kind": "pod_state", "title": "t", "name": "my-first-pod",
            "images": IMAGES, "allow_mirrors": True}
    return pod_state.Spec.model_validate({**base, **kw})


def run(cluster: FakeCluster, **kw: object):  # type: ignore[no-untyped-def]
    return pod_state.evaluate(spec(**kw), context(cluster))


def test_running_ready_passes_with_evidence() -> None:
    f = run(FakeCluster({"Pod": [pod()]}))
    assert f.outcome is Outcome.PASSED
    assert f.evidence["node"] == "kwok-node-0" and f.evidence["uid"] == "uid-pod-1"
    assert "Ready" in f.message.en and "就绪" in f.message.zh


def test_missing_is_pending() -> None:
    assert run(FakeCluster()).outcome is Outcome.PENDING


@pytest.mark.parametrize("image", ["nginx", "stacksimplify/kubenginx:2.0.0", "kubenginx:2.0.0"])
def test_wrong_image_fails_with_expected_and_actual(image: str) -> None:
    f = run(FakeCluster({"Pod": [pod(image=image)]}))
    assert f.outcome is Outcome.FAILED
    assert f.actual["image"] == image and "stacksimplify/kubenginx:1.0.0" in f.expected["image"]


def test_mirror_accepted_only_when_allowed() -> None:
    cluster = FakeCluster({"Pod": [pod(image="ghcr.io/stacksimplify/kubenginx:1.0.0")]})
    assert run(cluster).outcome is Outcome.PASSED
    mirrored = FakeCluster({"Pod": [pod(image="mirror.example/stacksimplify/kubenginx:1.0.0")]})
    assert run(mirrored, allow_mirrors=False).outcome is Outcome.FAILED


@pytest.mark.parametrize("reason", ["ImagePullBackOff", "ErrImagePull", "CrashLoopBackOff"])
def test_waiting_reasons_fail(reason: str) -> None:
    f = run(FakeCluster({"Pod": [pod(phase="Pending", ready=False, waiting_reason=reason)]}))
    assert f.outcome is Outcome.FAILED and reason in f.message.en


def test_running_but_not_ready_with_restarts_fails() -> None:
    f = run(FakeCluster({"Pod": [pod(ready=False, restarts=3)]}))
    assert f.outcome is Outcome.FAILED and "3" in f.message.en


def test_running_not_ready_without_restarts_is_pending() -> None:
    assert run(FakeCluster({"Pod": [pod(ready=False)]})).outcome is Outcome.PENDING


def test_unschedulable_fails() -> None:
    p = pod(phase="Pending", ready=False, node=None, pod_ip=None)
    p["status"]["conditions"][0].update(reason="Unschedulable", message="0/1 nodes are available")
    f = run(FakeCluster({"Pod": [p]}))
    assert f.outcome is Outcome.FAILED and "0/1 nodes" in f.message.en


def test_creating_is_pending() -> None:
    p = pod(phase="Pending", ready=False, pod_ip=None, waiting_reason="ContainerCreating")
    assert run(FakeCluster({"Pod": [p]})).outcome is Outcome.PENDING


def test_gone_pod_passes_from_events_when_allowed() -> None:
    events = [event("Pod", "my-first-pod", r, m) for r, m in [
        ("Scheduled", "Successfully assigned default/my-first-pod to kwok-node-0"),
        ("Pulled", 'Successfully pulled image "stacksimplify/kubenginx:1.0.0" in 1s'),
        ("Started", "Started container my-first-pod"), ("Killing", "Stopping container")]]
    cluster = FakeCluster({"Event": events})
    f = run(cluster, accept_events_when_gone=True)
    assert f.outcome is Outcome.PASSED and f.evidence["node"] == "kwok-node-0"
    assert run(cluster).outcome is Outcome.PENDING


def test_gone_pod_with_wrong_image_in_events_is_pending() -> None:
    events = [event("Pod", "my-first-pod", "Pulled", 'Successfully pulled image "nginx"'),
              event("Pod", "my-first-pod", "Started", "Started")]
    f = run(FakeCluster({"Event": events}), accept_events_when_gone=True)
    assert f.outcome is Outcome.PENDING


def test_spec_rejects_unknown_fields() -> None:
    with pytest.raises(ValidationError):
        spec(port=80)

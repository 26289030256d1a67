"""What a real kubelet (v1.36, containerd 2.2, runc) reports, as plain data: the shapes seen on the
real node (tests/node) that kwok never produced, and the verdicts labcheck gives them. The same
cases run against real containers in tests/e2e/test_real_node_behaviour.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from labcheck.checks import exec_output, logs_contain, pod_state, service_shape
from labcheck.checks.base import default_container
from labcheck.core.answers import ExecResult
from labcheck.core.results import Outcome
from tests.unit.fakes import FakeCluster, context, pod, service

IMAGE = "stacksimplify/kubenginx:1.0.0"
RUNNING = {"running": {"startedAt": "2026-11-25T00:00:00Z"}}
CRASHED = {"terminated": {"exitCode": 1, "reason": "Error", "startedAt": "2026-11-25T00:01:00Z",
                          "finishedAt": "2026-11-25T00:01:00Z"}}


def two_containers(statuses: list[dict[str, Any]], annotations: dict[str, str] | None = None) -> dict[str, Any]:
    """Spec order web, then a-sidecar; the kubelet lists statuses by name (a-sidecar first)."""
    p = pod()
    p["metadata"]["annotations"] = annotations or {}
    p["spec"]["containers"] = [{"name": "web", "image": IMAGE}, {"name": "a-sidecar", "image": "busybox"}]
    p["status"]["containerStatuses"] = sorted(statuses, key=lambda s: s["name"])
    return p


def status(name: str, state: dict[str, Any], restarts: int = 0, last: dict[str, Any] | None = None,
           image: str = IMAGE) -> dict[str, Any]:
    return {"name": name, "image": image, "ready": "running" in state, "restartCount": restarts,
            "state": state, "lastState": last or {}}


def grade_pod(p: dict[str, Any], **kw: object) -> Any:
    spec = pod_state.Spec.model_validate({"id": "pod", "kind": "pod_state", "title": "t", "name": "my-first-pod",
                                          "images": [IMAGE], **kw})
    return pod_state.evaluate(spec, context(FakeCluster({"Pod": [p]})))


def test_statuses_are_matched_by_name_not_by_position() -> None:
    p = two_containers([status("web", CRASHED, 3), status("a-sidecar", RUNNING, image="busybox")])
    f = grade_pod(p)
    assert (f.outcome, f.message.key) == (Outcome.FAILED, "pod.crashing")
    assert "web" in f.message.en and "exit code 1" in f.message.en


def test_default_container_is_the_annotated_one_else_the_first() -> None:
    p = two_containers([])
    assert default_container(p) == "web"
    p["metadata"]["annotations"] = {"kubectl.kubernetes.io/default-container": "a-sidecar"}
    assert default_container(p) == "a-sidecar"
    p["metadata"]["annotations"] = {"kubectl.kubernetes.io/default-container": "no-such"}
    assert default_container(p) == "web"


def test_logs_and_exec_go_to_the_container_kubectl_would_pick() -> None:
    p = two_containers([status("web", RUNNING), status("a-sidecar", RUNNING, image="busybox")])
    cluster = FakeCluster({"Pod": [p]})
    cluster.logs[("my-first-pod", "web")] = '1.2.3.4 - - [x] "GET / HTTP/1.1" 200 5 "-" "curl" "-"\n'
    logs = logs_contain.Spec.model_validate({"id": "l", "kind": "logs_contain", "title": "t", "pod": "my-first-pod",
                                             "pattern": "GET /"})
    assert logs_contain.evaluate(logs, context(cluster)).outcome is Outcome.PASSED
    cluster.execs[("cat", "/x")] = ExecResult("<html>", "", 0)
    run = exec_output.Spec.model_validate({"id": "e", "kind": "exec_output", "title": "t", "pod": "my-first-pod",
                                           "command": ["cat", "/x"], "pattern": "html"})
    f = exec_output.evaluate(run, context(cluster))
    assert f.outcome is Outcome.PASSED and "my-first-pod/web" in f.message.en
    assert ("exec", "default", "my-first-pod", "web", ("cat", "/x")) in cluster.calls


def test_a_crash_loop_is_crashing_in_both_of_its_shapes() -> None:
    between = status("my-first-pod", CRASHED, restarts=2, last=CRASHED)
    backoff = status("my-first-pod", {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 2m40s"}},
                     restarts=5, last=CRASHED)
    for shape in (between, backoff):
        p = pod()
        p["status"]["containerStatuses"] = [shape]
        f = grade_pod(p)
        assert (f.outcome, f.message.key) == (Outcome.FAILED, "pod.crashing"), shape
        assert "exit code 1" in f.message.en and "退出码 1" in f.message.zh
        assert f.actual["restarts"] == str(shape["restartCount"])


def test_running_again_right_after_a_crash_is_not_yet_running() -> None:
    just_now = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=2)).isoformat().replace("+00:00", "Z")
    p = pod()
    p["status"]["containerStatuses"] = [status("my-first-pod", {"running": {"startedAt": just_now}}, restarts=1,
                                               last=CRASHED)]
    f = grade_pod(p)
    assert (f.outcome, f.message.key) == (Outcome.PENDING, "pod.restarted_recently")
    p["status"]["containerStatuses"][0]["state"] = RUNNING  # up for long: it recovered
    assert grade_pod(p).outcome is Outcome.PASSED


def test_a_failing_init_container_fails_with_its_reason() -> None:
    p = pod(phase="Pending", ready=False)
    p["spec"]["initContainers"] = [{"name": "setup", "image": "busybox"}]
    p["status"]["initContainerStatuses"] = [status("setup", CRASHED, restarts=2, last=CRASHED, image="busybox")]
    p["status"]["containerStatuses"] = [status("my-first-pod", {"waiting": {"reason": "PodInitializing"}})]
    f = grade_pod(p)
    assert (f.outcome, f.message.key) == (Outcome.FAILED, "pod.init_failed")
    assert "setup" in f.message.en and "exit code 1" in f.message.en


def test_a_named_target_port_is_resolved_through_the_pods_container_ports() -> None:
    p = pod()
    p["spec"]["containers"][0]["ports"] = [{"name": "http", "containerPort": 80}]
    svc = service(target_port="http", selector={"run": "my-first-pod"})
    spec = service_shape.Spec.model_validate({"id": "s", "kind": "service_shape", "title": "t",
                                              "name": "my-first-service", "type": "NodePort", "port": 80,
                                              "target_port": 80})
    f = service_shape.evaluate(spec, context(FakeCluster({"Pod": [p], "Service": [svc]})))
    assert f.message.key != "service.wrong_target_port", f.message.en
    p["spec"]["containers"][0]["ports"] = [{"name": "http", "containerPort": 8080}]
    f = service_shape.evaluate(spec, context(FakeCluster({"Pod": [p], "Service": [svc]})))
    assert (f.outcome, f.message.key) == (Outcome.FAILED, "service.wrong_target_port")


def grade_exec(p: dict[str, Any]) -> Any:
    cluster = FakeCluster({"Pod": [p]})
    cluster.execs[("cat", "/x")] = ExecResult("<html>", "", 0)
    spec = exec_output.Spec.model_validate({"id": "e", "kind": "exec_output", "title": "t", "pod": "my-first-pod",
                                            "command": ["cat", "/x"], "pattern": "html"})
    return exec_output.evaluate(spec, context(cluster)), cluster


def test_exec_into_a_crashed_container_fails_without_asking_the_kubelet() -> None:
    # a real kubelet answers the exec upgrade with HTTP 500 `container not found ("web")`
    p = two_containers([status("web", CRASHED, 2), status("a-sidecar", RUNNING, image="busybox")])
    f, cluster = grade_exec(p)
    assert (f.outcome, f.message.key) == (Outcome.FAILED, "exec.container_not_running")
    assert "Error, exit code 1" in f.message.en and "restarted 2 times" in f.message.en and f.message.zh
    assert not [c for c in cluster.calls if c[0] == "exec"]
    back_off = {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 10s restarting failed container"}}
    f, _ = grade_exec(two_containers([status("web", back_off, 3), status("a-sidecar", RUNNING, image="busybox")]))
    assert (f.outcome, f.message.key) == (Outcome.FAILED, "exec.container_not_running")
    assert "CrashLoopBackOff" in f.message.en


def test_exec_into_a_container_not_started_yet_is_pending() -> None:
    creating = {"waiting": {"reason": "ContainerCreating"}}
    f, _ = grade_exec(two_containers([status("web", creating), status("a-sidecar", RUNNING, image="busybox")]))
    assert (f.outcome, f.message.key) == (Outcome.PENDING, "exec.container_starting")


def test_a_refused_stream_upgrade_is_a_short_retryable_cluster_error() -> None:
    from labcheck.errors import transport_error

    class ApiException(Exception):
        pass

    raw = ("(0)\nReason: Handshake status 500 Internal Server Error -+-+- {'content-length': '25', "
           "'content-type': 'text/plain; charset=utf-8'} -+-+- container not found (\"web\")\n")
    error = transport_error(ApiException(raw), "exec in pod my-first-pod", "https://10.213.0.2:6443")
    assert (error.reason, error.retryable) == ("server_error", True)
    assert str(error).endswith('exec in pod my-first-pod: HTTP 500: container not found ("web")')
    assert "-+-+-" not in str(error) and "content-type" not in str(error)


def test_a_container_gone_while_its_status_still_says_running_fails_from_its_last_state() -> None:
    from labcheck.errors import ClusterError

    # seen in a batch on the real node: the status lags the crash, the kubelet already knows
    p = two_containers([status("web", RUNNING, 2, last=CRASHED), status("a-sidecar", RUNNING, image="busybox")])
    cluster = FakeCluster({"Pod": [p]})
    cluster.execs[("cat", "/x")] = ClusterError("server_error", 'exec in pod my-first-pod: HTTP 500: '
                                                'container not found ("web")', retryable=True)
    spec = exec_output.Spec.model_validate({"id": "e", "kind": "exec_output", "title": "t", "pod": "my-first-pod",
                                            "command": ["cat", "/x"], "pattern": "html"})
    f = exec_output.evaluate(spec, context(cluster))
    assert (f.outcome, f.message.key) == (Outcome.FAILED, "exec.container_not_running")
    assert "Error, exit code 1" in f.message.en and "restarted 2 times" in f.message.en
    cluster.execs[("cat", "/x")] = ClusterError("server_error", "exec in pod my-first-pod: HTTP 503: -")
    with pytest.raises(ClusterError):  # anything else is still the cluster not answering
        exec_output.evaluate(spec, context(cluster))

"""What a real kubelet does that kwok never did, each on the real node with real containers
(the same shapes as plain data: tests/unit/test_real_kubelet_statuses.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from labcheck.core.results import Outcome, RunResult
from labcheck.loader import load_lab
from labcheck.session import grade
from tests.e2e.learner import POD, Learner, check, outcomes

pytestmark = pytest.mark.cluster
IMAGE = "stacksimplify/kubenginx:1.0.0"
SLEEPER = ["/bin/sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]


def pod_manifest(containers: list[dict[str, Any]], annotations: dict[str, str] | None = None,
                 init: list[dict[str, Any]] | None = None, labels: dict[str, str] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": containers, "terminationGracePeriodSeconds": 2}
    if init:
        spec["initContainers"] = init
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": POD, "annotations": annotations or {}, "labels": labels or {"run": POD}},
            "spec": spec}


def web(name: str = "web", **extra: Any) -> dict[str, Any]:
    return {"name": name, "image": IMAGE, **extra}


def sidecar(name: str = "a-sidecar") -> dict[str, Any]:
    return {"name": name, "image": IMAGE, "command": SLEEPER}


def ready(learner: Learner) -> None:
    learner.kubectl("wait", "--for=condition=Ready", f"pod/{POD}", "--timeout=60s")


def open_pod_page(learner: Learner) -> None:
    """A browser on the Pod's own address (the suite's namespace routes the Pod CIDR to the bridge)."""
    learner.kubectl("expose", "pod", POD, "--type=NodePort", "--port=80", "--name=my-first-service")
    learner.open_node_port("my-first-service")


def test_logs_and_exec_follow_the_default_container_annotation(learner: Learner) -> None:
    learner.cluster.apply(pod_manifest([sidecar(), web()], {"kubectl.kubernetes.io/default-container": "web"}),
                          namespace=learner.namespace)
    ready(learner)
    open_pod_page(learner)
    result = learner.grade("step-05", wait=20)
    assert result.percent == 100, outcomes(result)
    # kubectl agrees: it reads the same container without being told
    assert "GET / HTTP/1.1" in learner.kubectl("logs", POD).stdout


def test_without_the_annotation_logs_and_exec_read_the_first_container_as_kubectl_does(learner: Learner) -> None:
    learner.cluster.apply(pod_manifest([sidecar("first"), web()]), namespace=learner.namespace)
    ready(learner)
    open_pod_page(learner)
    kubectl_logs = learner.kubectl("logs", POD)
    assert "GET /" not in kubectl_logs.stdout and 'Defaulted container "first"' in kubectl_logs.stderr
    result = learner.grade("step-05", wait=0)
    access, exec_check = check(result, "access-log"), check(result, "exec-index")
    assert (access.outcome, access.message_id) == (Outcome.PENDING, "logs.empty"), access.message.en
    assert "my-first-pod/first" in access.message.en
    assert exec_check.outcome is Outcome.PASSED  # the sidecar runs the same image: its page is there


def test_container_statuses_are_read_by_name(learner: Learner) -> None:
    """Spec order: web (crashing) then a-sidecar (fine); the kubelet lists a-sidecar first."""
    learner.cluster.apply(pod_manifest([web(args=["--exit", "1"]), sidecar()]), namespace=learner.namespace)
    learner.cluster.wait_for("web restarted", lambda: any(
        s["name"] == "web" and s.get("restartCount", 0) > 0
        for s in learner.cluster.get_json("pod", POD, namespace=learner.namespace)["status"].get(
            "containerStatuses", [])), timeout=60)
    statuses = learner.cluster.get_json("pod", POD, namespace=learner.namespace)["status"]["containerStatuses"]
    assert [s["name"] for s in statuses] == ["a-sidecar", "web"]
    found = check(learner.grade("step-04", wait=20), "pod-running")
    assert (found.outcome, found.message_id) == (Outcome.FAILED, "pod.crashing"), found.message.en
    assert "web" in found.message.en


def test_a_failing_init_container_is_a_failure_with_its_reason(learner: Learner) -> None:
    init = [{"name": "setup", "image": IMAGE, "command": ["/bin/sh", "-c", "echo no config >&2; exit 3"]}]
    learner.cluster.apply(pod_manifest([web(POD)], init=init), namespace=learner.namespace)
    learner.cluster.wait_for("the init container to fail", lambda: "terminated" in json.dumps(
        learner.cluster.get_json("pod", POD, namespace=learner.namespace)["status"].get(
            "initContainerStatuses", [])), timeout=60)
    found = check(learner.grade("step-04", wait=5), "pod-running")
    assert (found.outcome, found.message_id) == (Outcome.FAILED, "pod.init_failed"), found.message.en
    assert "setup" in found.message.en and "exit code 3" in found.message.en
    assert "setup" in found.message.zh


def test_image_never_pulled_says_so_in_containerds_words(learner: Learner) -> None:
    learner.kubectl("run", POD, "--image", "stacksimplify/kubenginx:1.0.0-missing", "--image-pull-policy=Never")
    learner.cluster.wait_for("ErrImageNeverPull", lambda: "ErrImageNeverPull" in learner.kubectl(
        "get", "pod", POD, "-o", "jsonpath={.status.containerStatuses[*].state.waiting.reason}").stdout, timeout=60)
    found = check(learner.grade("step-04", wait=0), "pod-running")
    assert found.outcome is Outcome.FAILED and "1.0.0-missing" in found.message.en


def test_a_named_target_port_passes_when_it_names_port_80(learner: Learner) -> None:
    learner.cluster.apply(pod_manifest([web(POD, ports=[{"name": "http", "containerPort": 80}])]),
                          namespace=learner.namespace)
    ready(learner)
    learner.kubectl("expose", "pod", POD, "--type=NodePort", "--port=80", "--target-port=http",
                    "--name=my-first-service")
    learner.open_node_port("my-first-service")
    result = learner.grade("step-04", wait=20)
    for check_id in ("pod-running", "service", "service-answers"):
        assert check(result, check_id).outcome is Outcome.PASSED, outcomes(result)


def _lab(tmp: Path, checks: list[dict[str, Any]]) -> Path:
    lab = tmp / "lab"
    lab.mkdir()
    (lab / "lab.yaml").write_text(yaml.safe_dump({"id": "real", "title": "real", "steps": ["step-01"],
                                                  "defaults": {"timeout": 10, "interval": 1}}))
    (lab / "step-01.yaml").write_text(yaml.safe_dump({"id": "step-01", "title": "t", "checks": checks}))
    return lab


def _grade(learner: Learner, lab: Path, wait: float = 0) -> RunResult:
    return grade(load_lab(str(lab)), ["step-01"], kubeconfig=str(learner.cluster.kubeconfig),
                 context=learner.cluster.context, namespace=learner.namespace, files_dir=learner.files, wait=wait)


def test_the_api_servers_own_503_is_the_cluster_not_answering_the_apps_503_is_a_failure(
        learner: Learner, tmp_path: Path) -> None:
    via_proxy = {"id": "proxy", "kind": "http_reachable", "service": "my-first-service", "via": "proxy",
                 "title": "the app answers through the API server"}
    lab = _lab(tmp_path, [via_proxy])
    learner.run_pod(args=("--port", "8080"))  # nothing listens on the Service's port 80
    learner.kubectl("expose", "pod", POD, "--port=80", "--name=my-first-service")
    learner.cluster.wait_for("an endpoint", lambda: learner.kubectl(
        "get", "endpointslices", "-l", "kubernetes.io/service-name=my-first-service",
        "-o", "jsonpath={.items[*].endpoints[*].addresses}").stdout != "", timeout=30)
    raw = learner.kubectl("get", "--raw",
                          f"/api/v1/namespaces/{learner.namespace}/services/my-first-service:80/proxy/", check=False)
    assert raw.returncode != 0 and "error trying to reach service" in raw.stderr  # what the API server says
    found = check(_grade(learner, lab), "proxy")
    assert found.outcome is Outcome.ERROR and "error trying to reach service" in found.message.en, found.message.en
    learner.kubectl("delete", "pod", POD, "--wait=true")
    learner.run_pod(args=("--status", "503"))
    found = check(_grade(learner, lab, wait=10), "proxy")
    assert (found.outcome, found.message_id) == (Outcome.FAILED, "http.wrong_status"), found.message.en


def test_exec_exit_codes_and_a_missing_binary(learner: Learner, tmp_path: Path) -> None:
    def exec_check(check_id: str, command: list[str]) -> dict[str, Any]:
        return {"id": check_id, "kind": "exec_output", "pod": POD, "command": command, "pattern": ".",
                "title": check_id}
    lab = _lab(tmp_path, [exec_check("missing-file", ["cat", "/nope"]),
                          exec_check("exit-7", ["sh", "-c", "exit 7"]),
                          exec_check("no-binary", ["/nonexistent-binary"])])
    learner.run_pod()
    kubectl = learner.kubectl("exec", POD, "--", "cat", "/nope", check=False)
    assert kubectl.returncode == 1 and "No such file or directory" in kubectl.stderr
    result = _grade(learner, lab)
    missing, seven, binary = (check(result, c) for c in ("missing-file", "exit-7", "no-binary"))
    assert (missing.outcome, missing.actual["exit_code"]) == (Outcome.FAILED, "1"), missing.message.en
    assert "No such file or directory" in missing.message.en
    assert (seven.outcome, seven.actual["exit_code"]) == (Outcome.FAILED, "7"), seven.message.en
    assert binary.outcome is Outcome.FAILED, binary.message.en
    assert "/nonexistent-binary" in binary.message.en and "no such file" in binary.message.en.lower()

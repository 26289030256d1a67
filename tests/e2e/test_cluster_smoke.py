"""Proves the local test cluster behaves like a real one for what the labs do (issue 3)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.cluster.binaries import versions
from tests.cluster.handle import KubeCluster

pytestmark = pytest.mark.cluster
REPO = Path(__file__).resolve().parents[2]
IMAGE = "stacksimplify/kubenginx:1.0.0"
KUBELET_REASONS = ["Scheduled", "Pulling", "Pulled", "Created", "Started"]


def run_first_pod(cluster: KubeCluster, namespace: str, name: str = "my-first-pod") -> dict[str, object]:
    cluster.kubectl("run", name, "--image", IMAGE, namespace=namespace)
    cluster.kubectl("wait", "--for=condition=Ready", f"pod/{name}", "--timeout=60s", namespace=namespace)
    pod: dict[str, object] = cluster.get_json("pod", name, namespace=namespace)
    return pod


def event_reasons(cluster: KubeCluster, namespace: str, name: str) -> list[str]:
    events = cluster.get_json("events", "--field-selector", f"involvedObject.name={name}",
                              namespace=namespace)
    return [e["reason"] for e in sorted(events["items"], key=lambda e: e["metadata"]["creationTimestamp"])]


def http_get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as resp:
        return str(resp.read().decode())


def test_api_server_is_the_pinned_release_with_a_ready_node(kube_cluster: KubeCluster) -> None:
    version = json.loads(kube_cluster.kubectl("version", "-o", "json").stdout)
    assert version["serverVersion"]["gitVersion"] == versions()["KUBERNETES_VERSION"]
    assert kube_cluster.apiserver_url.startswith("https://127.0.0.1:")
    nodes = kube_cluster.get_json("nodes")["items"]
    assert nodes
    node = nodes[0]
    ready = {c["type"]: c["status"] for c in node["status"]["conditions"]}["Ready"]
    assert ready == "True"
    assert {"type": "InternalIP", "address": "127.0.0.1"} in node["status"]["addresses"]


def test_pod_is_scheduled_and_started_with_kubelet_events(kube_cluster: KubeCluster, namespace: str) -> None:
    pod = run_first_pod(kube_cluster, namespace)
    status = pod["status"]
    assert isinstance(status, dict)
    assert status["phase"] == "Running"
    assert status["containerStatuses"][0]["ready"] is True
    assert status["containerStatuses"][0]["image"] == IMAGE
    assert status["podIP"].startswith("10.244.")
    kube_cluster.wait_for("kubelet events", lambda: set(KUBELET_REASONS) <= set(
        event_reasons(kube_cluster, namespace, "my-first-pod")))
    events = kube_cluster.get_json("events", namespace=namespace)["items"]
    messages = {e["reason"]: e["message"] for e in events}
    assert messages["Pulling"] == f'Pulling image "{IMAGE}"'
    assert messages["Pulled"].startswith(f'Successfully pulled image "{IMAGE}"')
    assert messages["Started"] == "Started container my-first-pod"


def test_delete_emits_killing(kube_cluster: KubeCluster, namespace: str) -> None:
    run_first_pod(kube_cluster, namespace)
    k = kube_cluster
    k.kubectl("delete", "pod", "my-first-pod", "--wait=true", "--timeout=60s", namespace=namespace)
    assert k.kubectl("get", "pod", "my-first-pod", namespace=namespace, check=False).returncode != 0
    k.wait_for("Killing event", lambda: "Killing" in event_reasons(k, namespace, "my-first-pod"))
    killing = [e for e in k.get_json("events", namespace=namespace)["items"] if e["reason"] == "Killing"]
    assert killing[0]["message"] == "Stopping container my-first-pod"


def test_image_pull_failure_can_be_simulated(kube_cluster: KubeCluster, namespace: str) -> None:
    kube_cluster.kubectl("run", "bad", "--image", "stacksimplify/kubenginx:9.9.9",
                         "--annotations", "labcheck.test/image-pull=fail", namespace=namespace)

    def waiting_reason() -> str:
        pod = kube_cluster.get_json("pod", "bad", namespace=namespace)
        statuses = pod["status"].get("containerStatuses", [])
        return str(statuses[0]["state"].get("waiting", {}).get("reason", "")) if statuses else ""

    kube_cluster.wait_for("ImagePullBackOff", lambda: waiting_reason() == "ImagePullBackOff")
    assert kube_cluster.get_json("pod", "bad", namespace=namespace)["status"]["phase"] == "Pending"
    assert "Failed" in event_reasons(kube_cluster, namespace, "bad")


def test_logs_default_and_per_pod(kube_cluster: KubeCluster, namespace: str) -> None:
    run_first_pod(kube_cluster, namespace)
    default = kube_cluster.kubectl("logs", "my-first-pod", namespace=namespace).stdout
    assert '"GET / HTTP/1.1" 200' in default
    line = '10.0.0.9 - - [01/Jan/2024:00:00:01 +0000] "GET /app1 HTTP/1.1" 404 153 "-" "curl/8.5.0" "-"'
    kube_cluster.write_pod_logs(namespace, "my-first-pod", [line])
    kube_cluster.wait_for("per-pod logs", lambda: kube_cluster.kubectl(
        "logs", "my-first-pod", namespace=namespace).stdout == line + "\n")


def test_exec_reads_the_prepared_files(kube_cluster: KubeCluster, namespace: str) -> None:
    run_first_pod(kube_cluster, namespace)
    page = "/usr/share/nginx/html/index.html"
    default = kube_cluster.kubectl("exec", "my-first-pod", "--", "cat", page, namespace=namespace).stdout
    assert "Welcome to Stack Simplify" in default
    kube_cluster.prepare_exec_dir(namespace, "my-first-pod", {page: "<h1>prepared by the test</h1>\n"})

    def cat() -> str:
        return kube_cluster.kubectl("exec", "my-first-pod", "--", "cat", page, namespace=namespace).stdout

    kube_cluster.wait_for("per-pod exec dir", lambda: cat() == "<h1>prepared by the test</h1>\n")
    listing = kube_cluster.kubectl("exec", "my-first-pod", "--", "ls", "/usr/share/nginx/html",
                                   namespace=namespace).stdout
    assert listing.split() == ["index.html"]


def test_port_forward_reaches_a_local_server(kube_cluster: KubeCluster, namespace: str) -> None:
    run_first_pod(kube_cluster, namespace)
    with kube_cluster.serve_http(body="from the pod\n") as server:
        kube_cluster.forward_pod_port(namespace, "my-first-pod", server.port, ports=[80])
        local = kube_cluster.serve_http()  # only to reserve a free local port
        port = local.port
        local.stop()
        cmd = [kube_cluster.kubectl_path, "--kubeconfig", str(kube_cluster.kubeconfig), "--context",
               kube_cluster.context, "-n", namespace, "port-forward", "pod/my-first-pod", f"{port}:80"]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert proc.stdout is not None
            assert "Forwarding from" in proc.stdout.readline()
            url = f"http://127.0.0.1:{port}/"
            kube_cluster.wait_for("forwarded answer", lambda: _answers(url, "from the pod"))
        finally:
            proc.terminate()
            proc.wait(timeout=10)
        assert server.hits >= 1


def _answers(url: str, text: str) -> bool:
    try:
        return text in http_get(url)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def test_nodeport_gets_endpoints_and_answers_via_helper(kube_cluster: KubeCluster, namespace: str) -> None:
    pod = run_first_pod(kube_cluster, namespace)
    kube_cluster.kubectl("expose", "pod", "my-first-pod", "--name", "my-first-service", "--type=NodePort",
                         "--port", "80", "--target-port", "80", namespace=namespace)

    def endpoint_ips() -> list[str]:
        slices = kube_cluster.get_json("endpointslices", "-l", "kubernetes.io/service-name=my-first-service",
                                       namespace=namespace)["items"]
        return [a for s in slices for e in s.get("endpoints") or [] for a in e["addresses"]]

    status = pod["status"]
    assert isinstance(status, dict)
    kube_cluster.wait_for("endpoints", lambda: endpoint_ips() == [status["podIP"]])
    node_port = kube_cluster.node_port(namespace, "my-first-service")
    url = f"http://127.0.0.1:{node_port}/"
    assert not _answers(url, "Stack Simplify")  # no kube-proxy: unreachable until a test serves it
    with kube_cluster.serve_node_port(namespace, "my-first-service") as server:
        assert "Welcome to Stack Simplify" in http_get(url)
        assert server.hits == 1
    assert not _answers(url, "Stack Simplify")


def test_audit_log_records_the_requests(kube_cluster: KubeCluster, namespace: str) -> None:
    run_first_pod(kube_cluster, namespace)
    kube_cluster.kubectl("logs", "my-first-pod", namespace=namespace)
    kube_cluster.kubectl("exec", "my-first-pod", "--", "ls", "/", namespace=namespace)
    kube_cluster.kubectl("delete", "pod", "my-first-pod", "--wait=false", namespace=namespace)

    def seen(**fields: str) -> bool:
        return bool(kube_cluster.audit_events(namespace=namespace, user_agent="kubectl/", **fields))

    kube_cluster.wait_for("audit entries", lambda: all([
        seen(verb="create", resource="pods", name="my-first-pod") or seen(verb="create", resource="pods"),
        seen(verb="get", resource="pods", name="my-first-pod", subresource="log"),
        seen(resource="pods", name="my-first-pod", subresource="exec"),  # kubectl >= 1.31: websocket GET
        seen(verb="delete", resource="pods", name="my-first-pod"),
    ]), timeout=10)
    scheduler = kube_cluster.audit_events(namespace=namespace, resource="pods", subresource="binding")
    assert scheduler and "kube-scheduler" in scheduler[0]["userAgent"]


def test_labcheck_grades_step_02_solution_full_marks(kube_cluster: KubeCluster, namespace: str) -> None:
    env = {**os.environ, "KUBECTL": kube_cluster.kubectl_path, "KUBECONFIG": str(kube_cluster.kubeconfig),
           "NAMESPACE": namespace}
    env.pop("LABCHECK_KUBECONFIG", None)
    solution = REPO / "scenarios" / "pods" / "solutions" / "step-02.sh"
    subprocess.run(["bash", str(solution)], env=env, check=True, capture_output=True, text=True, timeout=180)
    before = len(kube_cluster.audit_events(namespace=namespace))
    proc = subprocess.run(
        [sys.executable, "-m", "labcheck", "step-02", "--kubeconfig", str(kube_cluster.kubeconfig),
         "--context", kube_cluster.context, "-n", namespace, "-o", "json", "--lang", "en"],
        env=env, capture_output=True, text=True, timeout=120, cwd=REPO)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    assert report["percent"] == 100.0, json.dumps(report["steps"], indent=1)
    assert [c["status"] for c in report["steps"][0]["checks"]] == ["passed"] * 4
    time.sleep(0.2)
    components = ("kubectl/", "kube-", "kwok")  # everything else in the namespace is the grader
    grader = [e for e in kube_cluster.audit_events(namespace=namespace)[before:]
              if not e.get("userAgent", "").startswith(components)]
    assert grader, "the audit log shows no request from labcheck"
    assert {e["verb"] for e in grader} <= {"get", "list", "watch"}, "the grader must only read"
    assert {e["objectRef"]["resource"] for e in grader} >= {"pods", "events"}

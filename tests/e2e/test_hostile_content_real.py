"""Hostile content made by real containers on the real node (test_hostile_content.py has the kwok
variants: annotations and Event objects written by anyone with API access, of any size).

Pod `web` (the lab's image, busybox sh) prints megabytes of log lines through containerd's CRI
logging, a 2 MiB line (containerd splits it into partial lines), then the hostile text every
second: ANSI and terminal control sequences, C0/C1 controls, bidi overrides, XML breakers, invalid
UTF-8. It writes the same bytes and 4 MiB more into the page it serves, so `kubectl exec cat` and
an HTTP GET through kube-proxy answer junk. Pod `prober` has a readiness probe whose output is the
hostile text: the kubelet copies it into Unhealthy Events. labcheck's reports stay bounded and
escaped, and the verdicts right.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest
import xmlschema

from labcheck.kube import USER_AGENT
from tests.cluster.handle import KubeCluster
from tests.e2e.fault_lab import POD, SERVICE, XSD, write_lab
from tests.e2e.test_hostile_content import HOSTILE_BYTES, RAW, Hostile, run, strings

pytestmark = pytest.mark.cluster
IMAGE = "stacksimplify/kubenginx:1.0.0"
LOG_MB = 32
FILLER = (b"filler " * 20 + b"\n") * (512 * 1024 // 141)
# busybox only: the applets the image links, the rest through /bin/busybox
SCRIPT = f"""
i=0
while [ $i -lt {LOG_MB * 2} ]; do cat /hostile/filler; i=$((i + 1)); done
busybox head -c 2097152 /dev/zero | busybox tr '\\000' A; echo
cat /hostile/payload > /usr/share/nginx/html/index.html
busybox head -c 4194304 /dev/zero | busybox tr '\\000' B >> /usr/share/nginx/html/index.html
(while true; do cat /hostile/payload; sleep 1; done) &
exec /kubenginx
"""
CHECKS: list[dict[str, object]] = [
    {"id": "logs-match", "kind": "logs_contain", "pod": POD, "pattern": "EVIL", "title": "logs say EVIL"},
    {"id": "logs-miss", "kind": "logs_contain", "pod": POD, "pattern": "NEVER-THERE", "title": "logs"},
    {"id": "exec", "kind": "exec_output", "pod": POD, "command": ["cat", "/usr/share/nginx/html/index.html"],
     "pattern": "NEVER-THERE", "title": "exec"},
    {"id": "page", "kind": "http_reachable", "service": SERVICE, "via": "node_port", "body_pattern": "NEVER-THERE",
     "title": "the page"},
    {"id": "prober", "kind": "pod_state", "name": "prober", "accept_events_when_gone": True, "title": "prober ran"},
]
VERDICTS = {"logs-match": "passed", "logs-miss": "pending", "exec": "failed", "page": "failed", "prober": "failed"}


def _pod(name: str, command: list[str], probe: dict[str, object] | None = None) -> dict[str, object]:
    container: dict[str, object] = {"name": name, "image": IMAGE, "command": command, "ports": [{"containerPort": 80}],
                                    "volumeMounts": [{"name": "hostile", "mountPath": "/hostile"}]}
    if probe:
        container["readinessProbe"] = probe
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"run": name}},
            "spec": {"containers": [container], "terminationGracePeriodSeconds": 2,
                     "volumes": [{"name": "hostile", "configMap": {"name": "hostile"}}]}}


def _wait(what: str, ok: object, timeout: float = 120) -> None:
    assert callable(ok)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ok():
            return
        time.sleep(1)
    raise AssertionError(f"timed out waiting for {what}")


def _log_tail(cluster: KubeCluster, ns: str) -> bytes:
    """`kubectl logs --tail 3` as bytes: the container's invalid UTF-8 comes through as it was written."""
    return subprocess.run([cluster.kubectl_path, "--kubeconfig", str(cluster.kubeconfig), "--context", cluster.context,
                           "-n", ns, "logs", POD, "--tail", "3"], capture_output=True, timeout=30).stdout


@pytest.fixture(scope="module")
def hostile(real_cluster: KubeCluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hostile]:
    tmp = tmp_path_factory.mktemp("hostile-real")
    ns = f"hostile-{os.urandom(3).hex()}"
    real_cluster.create_namespace(ns)
    payload = (HOSTILE_BYTES + b"\n") * 3
    data = {"payload": payload, "filler": FILLER, "run.sh": SCRIPT.encode()}
    real_cluster.kubectl("create", "-f", "-", namespace=ns, input=json.dumps({  # too big for apply's annotation
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "hostile"},
        "binaryData": {k: base64.b64encode(v).decode() for k, v in data.items()}}))
    probe = {"exec": {"command": ["sh", "-c", "cat /hostile/payload; busybox head -c 50000 /dev/zero | "
                                  "busybox tr '\\000' y; exit 1"]}, "periodSeconds": 1, "failureThreshold": 1}
    real_cluster.apply([_pod(POD, ["sh", "/hostile/run.sh"]), _pod("prober", ["/kubenginx"], probe)], namespace=ns)
    real_cluster.kubectl("expose", "pod", POD, "--type", "NodePort", "--port", "80", "--name", SERVICE, namespace=ns)
    real_cluster.kubectl("wait", "--for=condition=Ready", f"pod/{POD}", "--timeout=90s", namespace=ns)
    # The kubelet rotates a container log past 10 MiB (checked every 10 s), and `kubectl logs` reads
    # only the current file: wait for that rotation, so every grade below sees the same log.
    node = real_cluster.node
    assert node is not None
    _wait("the kubelet's log rotation", lambda: list((node.root / "pod-logs").glob(f"{ns}_{POD}_*/{POD}/0.log.*")))
    _wait("the hostile log lines", lambda: b"EVIL" in _log_tail(real_cluster, ns))
    _wait("the prober's Unhealthy Event", lambda: "Unhealthy" in real_cluster.kubectl(
        "get", "events", "--field-selector", "involvedObject.name=prober", "-o", "jsonpath={.items[*].reason}",
        namespace=ns).stdout)
    real_cluster.kubectl("delete", "pod", "prober", "--wait=true", namespace=ns)
    yield Hostile(real_cluster, ns, write_lab(tmp / "lab", CHECKS), tmp)
    real_cluster.kubectl("delete", "namespace", ns, "--wait=false", check=False)


def test_real_containers_content_the_text_report_shows_escaped_and_bounded(hostile: Hostile) -> None:
    out, err, rss = run(hostile)
    assert "EVIL" in out and "red" in out  # the text is shown, cleaned, not dropped
    assert "Readiness probe failed" in out  # the kubelet's Event carrying the probe's output
    for raw in RAW:
        assert raw not in out and raw not in err, repr(raw)
    assert len(out) < 100_000
    assert rss < 250, f"{rss} MiB for {LOG_MB} MB of logs, a 4 MiB page and a 2 MiB log line"
    logs = [e["requestURI"] for e in hostile.cluster.audit_events(
        namespace=hostile.namespace, subresource="log", user_agent=USER_AGENT)]
    assert logs and all("tailLines=1000" in uri and "limitBytes=" in uri for uri in logs), logs


def test_real_containers_content_junit_is_schema_valid_and_json_verdicts_right(hostile: Hostile) -> None:
    junit, report = hostile.tmp / "hostile.xml", hostile.tmp / "hostile.json"
    out, _, _ = run(hostile, "-o", "junit", "--junit-xml", str(junit), "--json-report", str(report))
    schema = xmlschema.XMLSchema(str(XSD))
    for text in (junit.read_text(encoding="utf-8"), out):
        schema.validate(text)
        tree = ET.fromstring(text)
        assert tree.find(".//injected") is None  # no element smuggled in
        assert len(list(tree.iter("testcase"))) == len(CHECKS)
        assert "EVIL" in "".join(tree.itertext())
        for raw in RAW:
            assert raw not in text, repr(raw)
    data = json.loads(report.read_text(encoding="utf-8"))
    checks = {c["id"]: c["status"] for s in data["steps"] for c in s["checks"]}
    assert checks == VERDICTS
    for raw in RAW:
        assert not [t for t in strings(data) if raw in t], repr(raw)
    assert len(json.dumps(data, ensure_ascii=False)) < 200_000


def test_the_real_container_really_made_it(hostile: Hostile) -> None:
    """What labcheck was given is the containers' own: the log rotated by the kubelet with the long
    line split by containerd, invalid UTF-8 kept as bytes in the log file, the probe's output in
    the kubelet's Event (bounded by the kubelet)."""
    node = hostile.cluster.node
    assert node is not None
    files = sorted((node.root / "pod-logs").glob(f"{hostile.namespace}_{POD}_*/{POD}/0.log*"))
    assert len(files) == 2, files  # the current file and the one the kubelet rotated (past 10 MiB)
    rotated, current = files[1].read_bytes(), files[0].read_bytes()
    assert len(rotated) > LOG_MB * 1024 * 1024 > 100 * len(current)  # `kubectl logs` reads only current
    assert b" stdout P " + b"A" * 1000 in rotated  # containerd split the 2 MiB line into partial lines
    assert b"\xff\xfe\xc3\x28" in current  # invalid UTF-8 as the container wrote it
    events = hostile.cluster.get_json("events", namespace=hostile.namespace)["items"]
    unhealthy = [e["message"] for e in events if e["reason"] == "Unhealthy"]
    assert unhealthy and all(len(m) < 20_000 for m in unhealthy), [len(m) for m in unhealthy]
    assert "EVIL" in unhealthy[0]

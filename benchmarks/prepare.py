"""A class of N learners who did the Pods lab up to step 6, set up in bulk on the local control plane.

Each namespace ends as `scenarios/pods/solutions/step-02.sh` .. `step-06.sh` leave it (a Pod that
was deleted once and re-created, two NodePort Services, the access log, index.html for exec, the
saved YAML files, the quiz answers), but made with a few cluster-wide kubectl calls instead of a
dozen per learner, so 200 learners take seconds. kube-proxy + nginx are played by local HTTP
servers on 127.0.0.1:<nodePort>, as tests/e2e/learner.py does.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.cluster import kwok_config
from tests.cluster.handle import KubeCluster
from tests.cluster.http_server import LocalHttpServer
from tests.cluster.testenv import node_manifest
from tests.e2e.learner import ACCESS_LINE, INDEX_HTML, POD, SOLUTIONS

IMAGE = "stacksimplify/kubenginx:1.0.0"
LABEL = "labcheck.bench/class"
SERVICES = (("my-first-service", 80), ("my-first-service2", 81))


@dataclass
class Klass:
    cluster: KubeCluster
    tag: str
    root: Path
    namespaces: list[str]
    roster: Path
    files: Path
    node_ports: dict[tuple[str, str], int] = field(default_factory=dict)
    servers: list[LocalHttpServer] = field(default_factory=list)

    def close(self) -> None:
        # each server needs up to half a second to notice its shutdown: 1000 of them at once, not in turn
        stopping = [threading.Thread(target=server.stop) for server in self.servers]
        for thread in stopping:
            thread.start()
        for thread in stopping:
            thread.join()
        self.servers.clear()


def _free_ports(cluster: KubeCluster, count: int, start: int = 30000, stop: int = 32000) -> list[int]:
    """Ports no Service holds yet (namespaces still terminating keep theirs) and nothing listens on."""
    taken = {int(p) for p in cluster.kubectl("get", "services", "-A", "-o",
                                             "jsonpath={..nodePort}").stdout.split()}
    ports = []
    for port in range(start, stop):
        if port in taken:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        ports.append(port)
        if len(ports) == count:
            return ports
    raise RuntimeError(f"fewer than {count} free ports in {start}-{stop}")


def _pod(ns: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": POD, "namespace": ns, "labels": {"run": POD}},
            "spec": {"containers": [{"name": POD, "image": IMAGE}]}}


def _service(ns: str, name: str, port: int, node_port: int) -> dict[str, Any]:
    """What `kubectl expose pod my-first-pod --type=NodePort --port=P [--target-port=80]` creates."""
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": ns, "labels": {"run": POD}},
            "spec": {"type": "NodePort", "selector": {"run": POD},
                     "ports": [{"port": port, "targetPort": 80, "protocol": "TCP", "nodePort": node_port}]}}


def _apply(cluster: KubeCluster, docs: list[dict[str, Any]]) -> None:
    for i in range(0, len(docs), 400):
        proc = cluster.kubectl("apply", "--server-side", "-f", "-", input=yaml.safe_dump_all(docs[i:i + 400]),
                               timeout=300, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"kubectl apply failed: {proc.stderr[-2000:]}")


def _wait_pods(cluster: KubeCluster, namespaces: list[str], ready: bool, timeout: float = 180) -> None:
    wanted = set(namespaces)

    def count() -> int:
        data = cluster.get_json("pods", "-A", "--field-selector", f"metadata.name={POD}")
        ok = {p["metadata"]["namespace"] for p in data["items"]
              if any(c.get("type") == "Ready" and c.get("status") == "True"
                     for c in (p.get("status") or {}).get("conditions") or [])}
        present = {p["metadata"]["namespace"] for p in data["items"]}
        return len(ok & wanted) if ready else len(wanted - present)

    cluster.wait_for(f"{len(wanted)} pods {'Ready' if ready else 'gone'}",
                     lambda: count() == len(wanted), timeout=timeout, interval=0.5)


def prepare(cluster: KubeCluster, root: Path, students: int) -> Klass:
    tag = "c" + os.urandom(2).hex()  # a string in YAML, never a number
    namespaces = [f"bench-{tag}-s{i:03d}" for i in range(students)]
    klass = Klass(cluster, tag, root, namespaces, root / "roster.csv", root / "files")
    began = time.monotonic()
    # the test cluster's node takes 110 Pods (kubelet's default): a second kwok node takes the class
    node: Any = node_manifest(f"bench-node-{tag}")
    node["status"]["allocatable"]["pods"] = node["status"]["capacity"]["pods"] = str(students + 50)
    # the test cluster's Service range is a /24: 2 Services per learner need more (a ServiceCIDR adds it)
    cidr = {"apiVersion": "networking.k8s.io/v1", "kind": "ServiceCIDR",
            "metadata": {"name": "labcheck-bench"}, "spec": {"cidrs": ["10.96.0.0/20"]}}
    _apply(cluster, [node, cidr])
    _apply(cluster, [{"apiVersion": "v1", "kind": "Namespace",
                      "metadata": {"name": ns, "labels": {LABEL: tag}}} for ns in namespaces])
    cluster.wait_for("default serviceaccounts", lambda: len(
        set(cluster.kubectl("get", "serviceaccounts", "-A", "--field-selector", "metadata.name=default",
                            "-o", "jsonpath={.items[*].metadata.namespace}").stdout.split())
        & set(namespaces)) == len(namespaces), timeout=120, interval=0.5)
    # step 2: run, Ready, delete (Killing events); step 4: run again, expose twice
    _apply(cluster, [_pod(ns) for ns in namespaces])
    _wait_pods(cluster, namespaces, ready=True)
    cluster.kubectl("delete", "pods", "-A", "-l", f"run={POD}", "--field-selector", f"metadata.name={POD}",
                    "--wait=false", timeout=300)
    _wait_pods(cluster, namespaces, ready=False)
    ports = iter(_free_ports(cluster, len(namespaces) * len(SERVICES)))
    docs = [_pod(ns) for ns in namespaces]
    for ns in namespaces:
        for name, port in SERVICES:
            klass.node_ports[(ns, name)] = next(ports)
            docs.append(_service(ns, name, port, klass.node_ports[(ns, name)]))
    # step 5: nginx's access log and index.html, as kwok Logs/Exec objects
    for ns in namespaces:
        pod_dir = cluster.kwok.root / "pods" / ns / POD if cluster.kwok else root / "pods" / ns
        rootfs = pod_dir / "rootfs"
        (rootfs / "usr/share/nginx/html").mkdir(parents=True, exist_ok=True)
        (rootfs / "usr/share/nginx/html/index.html").write_text(INDEX_HTML)
        log = pod_dir / "_all.log"
        log.write_text(kwok_config.cri_log([ACCESS_LINE]))
        meta = {"name": POD, "namespace": ns}
        docs.append({"apiVersion": kwok_config.API, "kind": "Logs", "metadata": meta,
                     "spec": {"logs": [{"logsFile": str(log), "previousLogsFile": str(log)}]}})
        docs.append({"apiVersion": kwok_config.API, "kind": "Exec", "metadata": meta,
                     "spec": {"execs": [kwok_config.exec_target(rootfs)]}})
    _apply(cluster, docs)
    _wait_pods(cluster, namespaces, ready=True)
    for node_port in klass.node_ports.values():
        klass.servers.append(LocalHttpServer(port=node_port, body=INDEX_HTML))
    _wait_endpoints(cluster, klass)
    _write_files(cluster, klass)
    print(f"# prepared {students} namespaces in {time.monotonic() - began:.1f}s", flush=True)
    return klass


def _wait_endpoints(cluster: KubeCluster, klass: Klass) -> None:
    wanted = set(klass.node_ports)

    def ready() -> bool:
        data = cluster.get_json("endpointslices", "-A", "-l", "kubernetes.io/service-name")
        have = {(s["metadata"]["namespace"], s["metadata"]["labels"]["kubernetes.io/service-name"])
                for s in data["items"]
                if any((e.get("conditions") or {}).get("ready") for e in s.get("endpoints") or [])}
        return wanted <= have

    cluster.wait_for("ready endpoints", ready, timeout=120, interval=0.5)


def _write_files(cluster: KubeCluster, klass: Klass) -> None:
    """step 6 (`kubectl get ... -o yaml > file`), the quiz answers, and the roster."""
    answers = (SOLUTIONS / "quiz-answers.yaml").read_text(encoding="utf-8")
    objects: dict[tuple[str, str, str], Any] = {}
    data = json.loads(cluster.kubectl("get", "pods,services", "-A", "-l", f"run={POD}", "-o", "json",
                                      timeout=120).stdout)
    for obj in data["items"]:
        objects[(obj["kind"], obj["metadata"]["namespace"], obj["metadata"]["name"])] = obj
    rows = ["id,name,namespace"]
    for i, ns in enumerate(klass.namespaces):
        sid = f"s{i:03d}"
        folder = klass.files / sid
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "labcheck-answers.yaml").write_text(answers, encoding="utf-8")
        for kind, name, file in (("Pod", POD, "my-first-pod.yaml"),
                                 ("Service", "my-first-service", "my-first-service.yaml")):
            (folder / file).write_text(yaml.safe_dump(objects[(kind, ns, name)]), encoding="utf-8")
        rows.append(f"{sid},Learner {sid},{ns}")
    klass.roster.write_text("\n".join(rows) + "\n", encoding="utf-8")


def clean(cluster: KubeCluster, klass: Klass) -> None:
    klass.close()
    for ns in klass.namespaces:  # kwok deletes Pods slowly: gone at once, then the namespaces
        cluster.kubectl("delete", "pods", "--all", "--force", "--grace-period=0", namespace=ns, check=False)
    cluster.kubectl("delete", "namespaces", "-l", f"{LABEL}={klass.tag}", "--wait=false", check=False,
                    timeout=300)
    cluster.kubectl("delete", "node", f"bench-node-{klass.tag}", "--wait=false", check=False)

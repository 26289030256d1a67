"""Plain-data stand-ins for unit tests of check logic (never for tests that claim a cluster)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from labcheck.checks.base import EvalContext
from labcheck.core.answers import ExecResult, HttpResult


class FakeCluster:
    """Serves lists from a dict {kind: [objects]}; namespaced kinds are filtered by metadata.namespace."""

    def __init__(self, objects: dict[str, list[dict[str, Any]]] | None = None) -> None:
        self.objects = objects or {}
        self.logs: dict[tuple[str, str | None], str] = {}
        self.execs: dict[tuple[str, ...], ExecResult | Exception] = {}
        self.http: dict[str, HttpResult | Exception] = {}
        self.errors: dict[str, Exception] = {}  # kind -> raised by list()
        self.calls: list[tuple[Any, ...]] = []

    def list(self, kind: str, namespace: str | None) -> list[dict[str, Any]]:
        self.calls.append(("list", kind, namespace))
        if kind in self.errors:
            raise self.errors[kind]
        items = self.objects.get(kind, [])
        if namespace is None:
            return list(items)
        return [o for o in items if o.get("metadata", {}).get("namespace", "default") == namespace]

    def pod_logs(self, namespace: str, pod: str, container: str | None,
                 tail_lines: int, limit_bytes: int) -> str:
        self.calls.append(("logs", namespace, pod, container, tail_lines, limit_bytes))
        value: Any = self.logs.get((pod, container), self.logs.get((pod, None)))
        if isinstance(value, Exception):
            raise value
        return value or ""

    def exec(self, namespace: str, pod: str, container: str | None,
             command: list[str], timeout: float) -> ExecResult:
        self.calls.append(("exec", namespace, pod, container, tuple(command)))
        value = self.execs.get(tuple(command))
        if isinstance(value, Exception):
            raise value
        return value or ExecResult("", "command not found", 127)

    def _http(self, url: str) -> HttpResult:
        value = self.http.get(url)
        if isinstance(value, Exception):
            raise value
        if value is None:
            raise ConnectionRefusedError(f"connection refused: {url}")
        return value

    def proxy_get(self, namespace: str, service: str, port: int, path: str,
                  timeout: float) -> HttpResult:
        return self._http(f"proxy://{namespace}/{service}:{port}{path}")

    def port_forward_get(self, namespace: str, pod: str, port: int, path: str,
                         timeout: float) -> HttpResult:
        return self._http(f"portforward://{namespace}/{pod}:{port}{path}")

    def http_get(self, url: str, timeout: float) -> HttpResult:
        return self._http(url)


def context(cluster: FakeCluster, files_dir: Path | None = None, namespace: str = "default",
            http_get: Callable[[str, float], HttpResult] | None = None) -> EvalContext:
    return EvalContext(cluster=cluster, namespace=namespace, files_dir=files_dir or Path("."),
                       http_get=http_get or cluster.http_get)


def pod(name: str = "my-first-pod", namespace: str = "default", *, image: str =
        "stacksimplify/kubenginx:1.0.0", phase: str = "Running", ready: bool = True,
        restarts: int = 0, node: str | None = "kwok-node-0", pod_ip: str | None = "10.0.0.5",
        labels: dict[str, str] | None = None, uid: str = "uid-pod-1",
        waiting_reason: str | None = None) -> dict[str, Any]:
    """A Pod as the API returns it (the fields labcheck reads)."""
    state: dict[str, Any] = {"running": {"startedAt": "2026-11-25T00:00:00Z"}}
    if waiting_reason:
        state = {"waiting": {"reason": waiting_reason, "message": f"{waiting_reason} for {image}"}}
    status: dict[str, Any] = {
        "phase": phase,
        "conditions": [
            {"type": "PodScheduled", "status": "True" if node else "False"},
            {"type": "Ready", "status": "True" if ready else "False"},
        ],
        "containerStatuses": [{
            "name": name, "image": image, "ready": ready, "restartCount": restarts, "state": state,
        }],
    }
    if pod_ip:
        status["podIP"] = pod_ip
    spec: dict[str, Any] = {"containers": [{"name": name, "image": image}]}
    if node:
        spec["nodeName"] = node
    return {
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "uid": uid,
                     "labels": labels if labels is not None else {"run": name}},
        "spec": spec,
        "status": status,
    }


def node(name: str = "kwok-node-0", ready: bool = True, internal_ip: str = "127.0.0.1",
         external_ip: str | None = None) -> dict[str, Any]:
    addresses = [{"type": "InternalIP", "address": internal_ip}]
    if external_ip:
        addresses.append({"type": "ExternalIP", "address": external_ip})
    return {
        "kind": "Node",
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
        "status": {"conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
                   "addresses": addresses},
    }


def event(obj_kind: str, name: str, reason: str, message: str = "", namespace: str = "default",
          uid: str = "uid-pod-1", count: int = 1) -> dict[str, Any]:
    return {
        "kind": "Event",
        "metadata": {"name": f"{name}.{reason.lower()}", "namespace": namespace},
        "involvedObject": {"kind": obj_kind, "name": name, "namespace": namespace, "uid": uid},
        "reason": reason, "message": message, "type": "Normal", "count": count,
        "lastTimestamp": "2026-11-25T00:00:10Z",
    }


def service(name: str = "my-first-service", namespace: str = "default", *, type: str = "NodePort",
            port: int = 80, target_port: int | str | None = 80, node_port: int | None = 31234,
            selector: dict[str, str] | None = None, uid: str = "uid-svc-1") -> dict[str, Any]:
    """A Service as `kubectl expose pod my-first-pod` makes it (target_port None: not set)."""
    entry: dict[str, Any] = {"port": port, "protocol": "TCP"}
    if target_port is not None:
        entry["targetPort"] = target_port
    if node_port is not None and type != "ClusterIP":
        entry["nodePort"] = node_port
    return {
        "kind": "Service",
        "metadata": {"name": name, "namespace": namespace, "uid": uid, "labels": {"run": "my-first-pod"}},
        "spec": {"type": type, "ports": [entry], "clusterIP": "10.96.0.10",
                 "selector": selector if selector is not None else {"run": "my-first-pod"}},
    }


def endpoint_slice(service_name: str = "my-first-service", namespace: str = "default", *,
                   ready: list[bool | None] | None = None, port: int = 80) -> dict[str, Any]:
    """An EndpointSlice with one endpoint per entry of `ready` (None: the condition is unset)."""
    endpoints = [
        {"addresses": [f"10.0.0.{i + 5}"], "conditions": {} if r is None else {"ready": r},
         "targetRef": {"kind": "Pod", "name": f"pod-{i}", "namespace": namespace}}
        for i, r in enumerate(ready if ready is not None else [True])
    ]
    return {
        "kind": "EndpointSlice",
        "metadata": {"name": f"{service_name}-abcde", "namespace": namespace,
                     "labels": {"kubernetes.io/service-name": service_name}},
        "addressType": "IPv4", "endpoints": endpoints, "ports": [{"port": port, "protocol": "TCP"}],
    }

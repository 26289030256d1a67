"""What the `kube_cluster` fixture hands to tests: kubectl, the kubeconfig, and helpers that make a
kwok Pod behave like a real one (its logs, its files for `kubectl exec`, its port, its NodePort).

Helpers that need kwok raise NotSimulated on a real cluster (kind, LABCHECK_TEST_KUBECONFIG);
`cluster.simulated` tells which one a test got.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from tests.cluster import kwok_config
from tests.cluster.http_server import LocalHttpServer
from tests.cluster.procs import run_kubectl
from tests.cluster.testenv import KwokCluster

if TYPE_CHECKING:
    from tests.node.cluster import RealCluster

API = kwok_config.API


class NotSimulated(RuntimeError):
    """A kwok-only helper was used on a real cluster."""


@dataclass
class KubeCluster:
    kubeconfig: Path
    context: str
    kubectl_path: str
    kwok: KwokCluster | None = None  # None: a real cluster (kind, or any kubeconfig)
    node: RealCluster | None = None  # the suite's real node (tests/node)

    @classmethod
    def from_kwok(cls, kwok: KwokCluster) -> KubeCluster:
        return cls(kwok.kubeconfig, kwok.context, str(kwok.bins["kubectl"]), kwok)

    @classmethod
    def from_real(cls, node: RealCluster) -> KubeCluster:
        return cls(node.kubeconfig, node.context, str(node.bins["kubectl"]), node=node)

    @classmethod
    def from_kubeconfig(cls, kubeconfig: Path, context: str | None = None,
                        kubectl: str | None = None) -> KubeCluster:
        if context is None:
            context = str(yaml.safe_load(kubeconfig.read_text()).get("current-context") or "")
        return cls(kubeconfig, context, kubectl or shutil.which("kubectl") or "kubectl")

    @property
    def simulated(self) -> bool:
        return self.kwok is not None

    def _kwok(self) -> KwokCluster:
        if self.kwok is None:
            raise NotSimulated("this helper needs the local kwok cluster, not a real one")
        return self.kwok

    # -- the API -----------------------------------------------------------------------------
    def kubectl(self, *args: str, namespace: str | None = None, input: str | None = None,
                check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """kubectl against this cluster; CalledProcessError (with stdout/stderr) when check and it fails."""
        return run_kubectl(self.kubectl_path, self.kubeconfig, self.context, args, namespace=namespace,
                           input=input, check=check, timeout=timeout)

    def apply(self, obj: Any, namespace: str | None = None) -> None:
        docs = obj if isinstance(obj, list) else [obj]
        self.kubectl("apply", "-f", "-", namespace=namespace, input=yaml.safe_dump_all(docs))

    def get_json(self, *args: str, namespace: str | None = None) -> Any:
        return json.loads(self.kubectl("get", *args, "-o", "json", namespace=namespace).stdout)

    @property
    def apiserver_url(self) -> str:
        cfg = yaml.safe_load(self.kubeconfig.read_text())
        ctx = next(c["context"] for c in cfg["contexts"] if c["name"] == self.context)
        return str(next(c["cluster"]["server"] for c in cfg["clusters"] if c["name"] == ctx["cluster"]))

    @property
    def audit_log(self) -> Path:
        return self.node.audit_log if self.node else self._kwok().audit_log

    def wait_for(self, what: str, ok: Any, timeout: float = 30, interval: float = 0.2) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ok():
                return
            time.sleep(interval)
        raise TimeoutError(f"timed out after {timeout}s waiting for {what}")

    def create_namespace(self, name: str) -> None:
        self.kubectl("create", "namespace", name)
        # Pods cannot be created before the ServiceAccount controller made "default" (as on any cluster).
        self.wait_for(f"serviceaccount {name}/default", lambda: self.kubectl(
            "get", "serviceaccount", "default", namespace=name, check=False).returncode == 0)

    # -- audit -------------------------------------------------------------------------------
    def audit_events(self, *, verb: str | None = None, resource: str | None = None,
                     namespace: str | None = None, name: str | None = None, subresource: str | None = None,
                     user_agent: str | None = None) -> list[dict[str, Any]]:
        """Audit log entries (one per request, ResponseComplete) matching every given field."""
        out = []
        for line in self.audit_log.read_text().splitlines():
            if not line.strip():
                continue
            ev = json.loads(line)
            ref = ev.get("objectRef") or {}
            if ((verb is None or ev.get("verb") == verb)
                    and (resource is None or ref.get("resource") == resource)
                    and (namespace is None or ref.get("namespace") == namespace)
                    and (name is None or ref.get("name") == name)
                    and (subresource is None or ref.get("subresource") == subresource)
                    and (user_agent is None or user_agent in ev.get("userAgent", ""))):
                out.append(ev)
        return out

    # -- kwok: what a Pod "does" ---------------------------------------------------------------
    def _pod_dir(self, namespace: str, pod: str) -> Path:
        path = self._kwok().root / "pods" / namespace / pod
        path.mkdir(parents=True, exist_ok=True)
        return path

    def write_pod_logs(self, namespace: str, pod: str, lines: Iterable[str] | str,
                       container: str | None = None, stream: str = "stdout") -> Path:
        """What `kubectl logs` prints for the Pod (all its containers unless `container`): a CRI log file
        plus a kwok Logs object. Call again to replace the text."""
        text = [lines] if isinstance(lines, str) else list(lines)
        path = self._pod_dir(namespace, pod) / f"{container or '_all'}.log"
        path.write_text(kwok_config.cri_log(text, stream=stream))
        log: dict[str, Any] = {"logsFile": str(path), "previousLogsFile": str(path)}
        if container:
            log["containers"] = [container]
        self.apply(self._cr("Logs", namespace, pod, {"logs": [log]}))
        return path

    def prepare_exec_dir(self, namespace: str, pod: str, files: Mapping[str, str] | None = None) -> Path:
        """The directory `kubectl exec` runs in for this Pod, holding `files` ({relative path: text}).
        Absolute paths given to cat/ls/head/tail/grep/wc/stat/find/du/test map into it."""
        root = self._pod_dir(namespace, pod) / "rootfs"
        for rel, text in (files if files is not None else {
                "usr/share/nginx/html/index.html": kwok_config.DEFAULT_INDEX_HTML}).items():
            target = root / rel.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        root.mkdir(parents=True, exist_ok=True)
        self.apply(self._cr("Exec", namespace, pod, {"execs": [kwok_config.exec_target(root)]}))
        return root

    def forward_pod_port(self, namespace: str, pod: str, target_port: int,
                         ports: list[int] | None = None) -> None:
        """`kubectl port-forward` to this Pod's `ports` (all if None) reaches 127.0.0.1:target_port."""
        forward: dict[str, Any] = {"target": {"address": "127.0.0.1", "port": target_port}}
        if ports:
            forward["ports"] = ports
        self.apply(self._cr("PortForward", namespace, pod, {"forwards": [forward]}))

    @staticmethod
    def _cr(kind: str, namespace: str, name: str, spec: dict[str, Any]) -> dict[str, Any]:
        metadata = {"name": name, "namespace": namespace}
        return {"apiVersion": API, "kind": kind, "metadata": metadata, "spec": spec}

    # -- local servers -----------------------------------------------------------------------
    @staticmethod
    def serve_http(port: int = 0, body: str = kwok_config.DEFAULT_INDEX_HTML,
                   status: int = 200) -> LocalHttpServer:
        """A local HTTP server on 127.0.0.1:port (0 = free port); stop() it or use `with`."""
        return LocalHttpServer(port=port, body=body, status=status)

    def node_port(self, namespace: str, service: str, index: int = 0) -> int:
        svc = self.get_json("service", service, namespace=namespace)
        return int(svc["spec"]["ports"][index]["nodePort"])

    def serve_node_port(self, namespace: str, service: str, body: str = kwok_config.DEFAULT_INDEX_HTML,
                        status: int = 200) -> LocalHttpServer:
        """Makes http://127.0.0.1:<nodePort of the Service>/ answer, as kube-proxy would on a real node.
        kwok runs no kube-proxy: without this the NodePort is (realistically) unreachable."""
        self._kwok()
        return LocalHttpServer(port=self.node_port(namespace, service), body=body, status=status)

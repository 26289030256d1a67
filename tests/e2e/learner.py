"""A learner working through the Pods lab, and labcheck grading it.

The learner types the reference solutions (scenarios/pods/solutions/step-NN.sh) with the real
kubectl. On the real node (the `learner` fixture) everything is real: the container serves the page,
its access log comes from the browser's request through kube-proxy, exec runs in the container. On
the kwok cluster (kept for scale and for states on demand) the container's part is played by the
cluster's helpers. Grading is never mocked: labcheck reads the API server.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labcheck.core.i18n import Lang
from labcheck.core.results import CheckResult, RunResult
from labcheck.loader import load_lab
from labcheck.reporters import REPORTERS, ReportOptions
from labcheck.session import grade
from tests.cli_run import ROOT, labcheck
from tests.cluster.handle import KubeCluster
from tests.cluster.http_server import LocalHttpServer

SOLUTIONS = ROOT / "scenarios" / "pods" / "solutions"
POD = "my-first-pod"
ACCESS_LINE = '10.244.0.1 - - [25/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 615 "-" "Mozilla/5.0"'
INDEX_HTML = "<!DOCTYPE html>\n<html><body><h1>Welcome to Stack Simplify - Kubernetes Fundamentals</h1></body></html>\n"


@dataclass
class Learner:
    cluster: KubeCluster
    namespace: str
    files: Path  # the folder the learner saves files in (labcheck --files)
    servers: list[LocalHttpServer] = field(default_factory=list)

    # -- what the learner types ---------------------------------------------------------------
    def env(self) -> dict[str, str]:
        return {**os.environ, "KUBECTL": self.cluster.kubectl_path, "KUBECONFIG": str(self.cluster.kubeconfig),
                "NAMESPACE": self.namespace, "FILES_DIR": str(self.files)}

    def solve(self, step: str) -> subprocess.CompletedProcess[str]:
        """Run the reference solution of one step, then play what the container does."""
        if step in ("step-01", "step-03"):
            answers = (SOLUTIONS / "quiz-answers.yaml").read_text(encoding="utf-8")
            (self.files / "labcheck-answers.yaml").write_text(answers, encoding="utf-8")
            return subprocess.CompletedProcess([], 0, "", "")
        proc = subprocess.run(["bash", str(SOLUTIONS / f"{step}.sh")], env=self.env(), cwd=self.files,
                              capture_output=True, text=True, timeout=180)
        assert proc.returncode == 0, f"{step}.sh failed:\n{proc.stdout}\n{proc.stderr}"
        if step == "step-04":
            self.container_serves()
            self.browser_opens("my-first-service")
            self.browser_opens("my-first-service2")
        return proc

    def kubectl(self, *args: str, check: bool = True, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return self.cluster.kubectl(*args, namespace=self.namespace, check=check, input=stdin)

    def run_pod(self, image: str = "stacksimplify/kubenginx:1.0.0", name: str = POD, wait: bool = True,
                args: tuple[str, ...] = ()) -> None:
        """`kubectl run`; `args` go to the app (the real node's kubenginx: --exit N, --status N, --port P)."""
        self.kubectl("run", name, "--image", image, *(["--", *args] if args else []))
        if wait:
            self.kubectl("wait", "--for=condition=Ready", f"pod/{name}", "--timeout=60s")

    # -- what the container (and kube-proxy) would do on a real node --------------------------
    def container_serves(self, pod: str = POD) -> None:
        """nginx in the Pod: its index.html for `kubectl exec`, and its access log (kwok only: on
        the real node the container does it)."""
        if not self.cluster.simulated:
            return
        self.cluster.prepare_exec_dir(self.namespace, pod, {"usr/share/nginx/html/index.html": INDEX_HTML})
        self.cluster.write_pod_logs(self.namespace, pod, [ACCESS_LINE])

    def browser_opens(self, service: str, status: int = 200) -> LocalHttpServer | None:
        """The learner opens http://<node-ip>:<nodePort>/. On the real node a real GET (kube-proxy and
        the container answer, the container logs it); on kwok the test serves the NodePort itself."""
        if not self.cluster.simulated:
            assert status == 200, "on the real node the app decides the status (run_pod(args=('--status', ...)))"
            self.open_node_port(service)
            return None
        server = self.cluster.serve_node_port(self.namespace, service, body=INDEX_HTML, status=status)
        self.servers.append(server)
        return server

    def node_url(self, service: str) -> str:
        node = self.cluster.get_json("nodes")["items"][0]
        ip = next(a["address"] for a in node["status"]["addresses"] if a["type"] == "InternalIP")
        return f"http://{ip}:{self.cluster.node_port(self.namespace, service)}/"

    def open_node_port(self, service: str, timeout: float = 20) -> str:
        """A browser's GET on the node port (kube-proxy may take a moment to program a new Service)."""
        url, deadline, last = self.node_url(service), time.monotonic() + timeout, ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url, timeout=2) as answer:  # the node's address: in the suite's netns
                    return str(answer.read().decode())
            except OSError as e:
                last = str(e)
                time.sleep(0.3)
        raise AssertionError(f"{url} never answered: {last}")

    def close(self) -> None:
        for server in self.servers:
            server.stop()
        self.servers.clear()

    # -- labcheck ------------------------------------------------------------------------------
    def grade(self, *steps: str, wait: float | None = 0, namespace: str | None = None,
              context: str | None = None, lab: str = "pods") -> RunResult:
        """In-process grading, exactly what `labcheck STEP` does before it prints."""
        return grade(load_lab(lab), list(steps), kubeconfig=str(self.cluster.kubeconfig),
                     context=context or self.cluster.context, namespace=namespace or self.namespace,
                     files_dir=self.files, wait=wait)

    def labcheck(self, *args: str, env: dict[str, str] | None = None,
                 timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """The real command line in a subprocess (current context of the cluster's kubeconfig)."""
        cluster = {"KUBECTL": self.cluster.kubectl_path, "KUBECONFIG": str(self.cluster.kubeconfig)}
        return labcheck(*args, cwd=self.files, env={**cluster, **(env or {})}, timeout=timeout)


def outcomes(result: RunResult) -> dict[str, str]:
    """step/check -> outcome (check ids are unique within a step only)."""
    return {f"{c.step_id}/{c.check_id}": c.outcome.value for c in result.checks}


def check(result: RunResult, check_id: str, step: str | None = None) -> CheckResult:
    return next(c for c in result.checks if c.check_id == check_id and step in (None, c.step_id))


def report(result: RunResult, lang: Lang) -> str:
    return REPORTERS["text"](result, ReportOptions(lang=lang))


def json_report(proc: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(proc.stdout)
    return data

"""The kubernetes client versions pyproject.toml allows both work: the highest runs the whole suite
(the suite's venv resolves to it), the lowest runs exec and port-forward (all labcheck uses it for)
from a fresh venv against the local control plane.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml

from tests.cluster.handle import KubeCluster
from tests.e2e.learner import POD, Learner

pytestmark = pytest.mark.cluster
ROOT = Path(__file__).resolve().parents[2]
RANGE = re.search(r'"kubernetes>=([0-9.]+),<([0-9]+)"', (ROOT / "pyproject.toml").read_text())


def test_the_suite_runs_the_highest_allowed_client() -> None:
    assert RANGE is not None, "pyproject.toml states the kubernetes range as kubernetes>=LOW,<HIGH"
    major = int(version("kubernetes").split(".")[0])
    assert major == int(RANGE.group(2)) - 1, f"the suite's venv has kubernetes {version('kubernetes')}"


def _lab(folder: Path) -> Path:
    folder.mkdir()
    (folder / "lab.yaml").write_text(yaml.safe_dump({"id": "range", "title": "range", "steps": ["step-01"]}))
    checks = [{"id": "exec", "kind": "exec_output", "pod": POD, "command": ["cat", "/srv/index.html"],
               "pattern": "<h1>", "title": "exec"},
              {"id": "forward", "kind": "http_reachable", "service": "my-first-service", "via": "port_forward",
               "body_pattern": "forwarded page", "title": "port-forward"}]
    (folder / "step-01.yaml").write_text(yaml.safe_dump({"id": "step-01", "title": "range", "checks": checks}))
    return folder


def test_the_lowest_allowed_client_runs_exec_and_port_forward(kube_cluster: KubeCluster, namespace: str,
                                                             tmp_path: Path) -> None:
    assert RANGE is not None
    wheelhouse = os.environ.get("LABCHECK_WHEELHOUSE")
    if not wheelhouse:
        pytest.fail("LABCHECK_WHEELHOUSE is not set: run the suite with ./scripts/test", pytrace=False)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                          "--no-index", "--find-links", wheelhouse, str(ROOT), f"kubernetes=={RANGE.group(1)}"],
                         capture_output=True, text=True, timeout=900)
    assert pip.returncode == 0, pip.stderr[-3000:]
    learner = Learner(kube_cluster, namespace, tmp_path)
    learner.run_pod()
    learner.kubectl("expose", "pod", POD, "--type=NodePort", "--port=80", "--name=my-first-service")
    kube_cluster.prepare_exec_dir(namespace, POD, {"srv/index.html": "<h1>exec page</h1>"})
    with kube_cluster.serve_http(body="<h1>forwarded page</h1>") as server:
        kube_cluster.forward_pod_port(namespace, POD, server.port)
        proc = subprocess.run([str(venv / "bin" / "labcheck"), "step-01", "--lab", str(_lab(tmp_path / "lab")),
                               "--kubeconfig", str(kube_cluster.kubeconfig), "--context", kube_cluster.context,
                               "-n", namespace, "--wait", "10", "-o", "json"],
                              capture_output=True, text=True, timeout=120, env={**os.environ, "NO_COLOR": "1"})
    installed = subprocess.run([str(venv / "bin" / "python"), "-c",
                                "import importlib.metadata as m; print(m.version('kubernetes'))"],
                               capture_output=True, text=True, check=True).stdout.strip()
    assert installed == RANGE.group(1)
    report = json.loads(proc.stdout)
    statuses = {c["id"]: (c["status"], c["message"]) for s in report["steps"] for c in s["checks"]}
    assert statuses["exec"][0] == "passed", statuses
    assert statuses["forward"][0] == "passed", statuses

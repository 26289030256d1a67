"""The Pods lab on a real kind cluster (pytest-kind): real image pulls, real kubelet Events.

Skips without a Docker engine; CI runs it with `pytest -m kind` (see .github/workflows/test.yml).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cluster.handle import KubeCluster

pytestmark = pytest.mark.kind
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def kind_namespace(kind_kube: KubeCluster, request: pytest.FixtureRequest) -> Iterator[str]:
    name = f"kind-{request.node.name[:40].lower().replace('_', '-')}"
    kind_kube.create_namespace(name)
    yield name
    kind_kube.kubectl("delete", "namespace", name, "--wait=false", check=False)


def test_kind_node_ready(kind_kube: KubeCluster) -> None:
    kind_kube.kubectl("wait", "--for=condition=Ready", "nodes", "--all", "--timeout=180s")


def test_kind_step_02_solution_full_marks(kind_kube: KubeCluster, kind_namespace: str) -> None:
    env = {**os.environ, "KUBECTL": kind_kube.kubectl_path, "KUBECONFIG": str(kind_kube.kubeconfig),
           "NAMESPACE": kind_namespace}
    solution = REPO / "scenarios" / "pods" / "solutions" / "step-02.sh"
    done = subprocess.run(["bash", str(solution)], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    proc = subprocess.run(
        [sys.executable, "-m", "labcheck", "step-02", "--kubeconfig", str(kind_kube.kubeconfig),
         "--context", kind_kube.context, "-n", kind_namespace, "-o", "json", "--lang", "en"],
        env=env, capture_output=True, text=True, timeout=300, cwd=REPO)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads(proc.stdout)["percent"] == 100.0

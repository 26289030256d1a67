"""The second lab (scenarios/sidecar, public format only) graded on the real local control plane."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from labcheck.core.results import Outcome
from labcheck.loader import load_lab
from labcheck.session import grade
from tests.cluster.handle import KubeCluster
from tests.e2e.learner import ROOT, Learner, check, outcomes

pytestmark = pytest.mark.cluster
SOLUTIONS = ROOT / "scenarios" / "sidecar" / "solutions"
POD = "web-with-sidecar"


def run(learner: Learner, step: str) -> None:
    proc = subprocess.run(["bash", str(SOLUTIONS / f"{step}.sh")], env=learner.env(), capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


def graded(learner: Learner, step: str, wait: float = 20) -> dict[str, str]:
    result = grade(load_lab(ROOT / "scenarios" / "sidecar"), [step], kubeconfig=str(learner.cluster.kubeconfig),
                   context=learner.cluster.context, namespace=learner.namespace, files_dir=learner.files, wait=wait)
    return outcomes(result)


def test_sidecar_lab_reference_solution(kube_cluster: KubeCluster, namespace: str, tmp_path: Path) -> None:
    learner = Learner(kube_cluster, namespace, tmp_path)
    assert set(graded(learner, "step-01", wait=0).values()) <= {"pending", "skipped"}
    run(learner, "step-01")
    learner.kubectl("wait", "--for=condition=Ready", f"pod/{POD}", "--timeout=60s")
    # What the sidecar writes into the shared volume, as nginx's container sees it (kwok runs no
    # containers: the exec directory plays the shared emptyDir).
    kube_cluster.prepare_exec_dir(namespace, POD, {
        "usr/share/nginx/html/index.html": "<h1>written by the sidecar at Wed Nov 25</h1>\n"})
    assert set(graded(learner, "step-01").values()) == {"passed"}
    run(learner, "step-02")
    assert set(graded(learner, "step-02").values()) == {"passed"}


def test_sidecar_lab_names_a_missing_shared_volume(kube_cluster: KubeCluster, namespace: str,
                                                   tmp_path: Path) -> None:
    learner = Learner(kube_cluster, namespace, tmp_path)
    manifest = (SOLUTIONS / "step-01.sh").read_text(encoding="utf-8").split("<<'YAML'\n")[1].split("YAML\n")[0]
    no_mount = manifest.replace("      volumeMounts: [{name: html, mountPath: /data}]\n", "")
    learner.kubectl("apply", "-f", "-", stdin=no_mount)
    result = grade(load_lab(ROOT / "scenarios" / "sidecar"), ["step-01"], kubeconfig=str(kube_cluster.kubeconfig),
                   context=kube_cluster.context, namespace=namespace, files_dir=tmp_path, wait=0)
    shape = check(result, "pod-shape")
    assert shape.outcome is Outcome.FAILED and shape.message_id == "exists.fields"
    assert "spec.containers.*.volumeMounts.*.name" in shape.expected
    # Only one container mounts html (the API server added its own kube-api-access mounts to both).
    assert shape.actual["spec.containers.*.volumeMounts.*.name"].split(", ").count("html") == 1

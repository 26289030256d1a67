"""`labcheck STEP --receipt FILE` on the real node: the evidence an instructor gets."""

from __future__ import annotations

import json

import pytest

from tests.e2e.learner import Learner

pytestmark = pytest.mark.cluster


def test_receipt_names_the_cluster_and_the_objects(learner: Learner) -> None:
    kube_cluster, namespace, tmp_path = learner.cluster, learner.namespace, learner.files
    learner.run_pod()
    receipt = tmp_path / "receipt.json"
    proc = learner.labcheck("step-04", "-n", namespace, "--wait", "0", "--receipt", str(receipt))
    assert proc.returncode == 1, proc.stderr  # Services not made yet
    data = json.loads(receipt.read_text(encoding="utf-8"))
    kube_system = kube_cluster.get_json("namespace", "kube-system")["metadata"]["uid"]
    pod_uid = kube_cluster.get_json("pod", "my-first-pod", namespace=namespace)["metadata"]["uid"]
    assert data["cluster"]["kube_system_uid"] == kube_system
    assert data["namespace"] == namespace and data["lab"] == "pods"
    assert pod_uid in {o["uid"] for o in data["objects"]}
    assert data["scenario_digest"].startswith("sha256:") and len(data["scenario_digest"]) == 71

"""The second lab (scenarios/sidecar, public format only) graded on the real node: the sidecar
really writes the page into the shared emptyDir and nginx's container really serves it."""

from __future__ import annotations

import subprocess

import pytest

from labcheck.core.results import Outcome
from labcheck.loader import load_lab
from labcheck.session import grade
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


def test_sidecar_lab_reference_solution(learner: Learner) -> None:
    assert set(graded(learner, "step-01", wait=0).values()) <= {"pending", "skipped"}
    run(learner, "step-01")
    learner.kubectl("wait", "--for=condition=Ready", f"pod/{POD}", "--timeout=60s")
    assert set(graded(learner, "step-01").values()) == {"passed"}
    page = learner.kubectl("exec", POD, "-c", "web", "--", "cat", "/usr/share/nginx/html/index.html").stdout
    assert "written by the sidecar" in page
    run(learner, "step-02")
    # busybox's sh as the sidecar's PID 1 ignores SIGTERM, so the Pod takes its 30 s grace period to
    # go, as on any cluster: at first the clean-up is not done yet, a learner who checks again later passes
    assert set(graded(learner, "step-02", wait=0).values()) == {"pending"}
    learner.kubectl("wait", "--for=delete", f"pod/{POD}", "--timeout=90s")
    assert set(graded(learner, "step-02").values()) == {"passed"}


def test_sidecar_lab_names_a_missing_shared_volume(learner: Learner) -> None:
    manifest = (SOLUTIONS / "step-01.sh").read_text(encoding="utf-8").split("<<'YAML'\n")[1].split("YAML\n")[0]
    no_mount = manifest.replace("      volumeMounts: [{name: html, mountPath: /data}]\n", "")
    learner.kubectl("apply", "-f", "-", stdin=no_mount)
    result = grade(load_lab(ROOT / "scenarios" / "sidecar"), ["step-01"], kubeconfig=str(learner.cluster.kubeconfig),
                   context=learner.cluster.context, namespace=learner.namespace, files_dir=learner.files, wait=0)
    shape = check(result, "pod-shape")
    assert shape.outcome is Outcome.FAILED and shape.message_id == "exists.fields"
    assert "spec.containers.*.volumeMounts.*.name" in shape.expected
    # Only one container mounts html (the API server added its own kube-api-access mounts to both).
    assert shape.actual["spec.containers.*.volumeMounts.*.name"].split(", ").count("html") == 1

"""`labcheck test-lab` on the real node: the shipped labs prove themselves (their reference solutions
and the mistakes in their tests.yaml), and a planted wrong check fails with a diff naming it.

This is the Pods and sidecar labs' end-to-end matrix as data (scenarios/*/tests.yaml). What tests.yaml
cannot say stays a test function: another namespace than the graded one (test-lab only ever touches
its own namespace: test_pods_lab_mistakes.py), hints and messages as the report prints them in both
languages (test_pods_lab_mistakes*.py), --watch and contexts (test_pods_lab_solution.py)."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.cli_run import ROOT, labcheck
from tests.cluster.handle import KubeCluster

pytestmark = pytest.mark.cluster


def run_test_lab(cluster: KubeCluster, lab: Path | str, *args: str,
                 timeout: float = 1800) -> subprocess.CompletedProcess[str]:
    env = {"KUBECONFIG": str(cluster.kubeconfig), "KUBECTL": cluster.kubectl_path}
    return labcheck("test-lab", str(lab), "--context", cluster.context, "--allow-writes", *args,
                    env=env, timeout=timeout)


def leftovers(cluster: KubeCluster) -> list[str]:
    """test-lab's namespaces still Active (deleted ones are Terminating, or gone already)."""
    names = cluster.kubectl("get", "namespaces", "-o", "name").stdout.split()
    return [n for n in names if n.startswith("namespace/labcheck-test-")
            and cluster.kubectl("get", n, "-o", "jsonpath={.status.phase}", check=False).stdout == "Active"]


def test_the_sidecar_lab_proves_itself(real_cluster: KubeCluster) -> None:
    out = run_test_lab(real_cluster, ROOT / "scenarios" / "sidecar")
    print(out.stdout, out.stderr)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "PASSED  the sidecar does not mount the shared volume" in out.stdout
    assert " 4 passed, 0 failed" in out.stdout, out.stdout
    assert leftovers(real_cluster) == []


def test_the_pods_lab_proves_itself_and_names_the_check_that_never_fails(real_cluster: KubeCluster,
                                                                           tmp_path: Path) -> None:
    out = run_test_lab(real_cluster, "scenarios/pods", "--junit-xml", str(tmp_path / "junit.xml"))
    print(out.stdout, out.stderr)
    assert out.returncode == 0, out.stdout + out.stderr
    for case in ("empty namespace", "reference solution", "crash loop (exit 1)", "saved YAML of an earlier Pod"):
        assert f"PASSED  {case}  (" in out.stdout
    # the 0-point environment check: shown to learners, but no case can make it fail
    assert "step-02/nodes-ready: passed in every case: a check that never fails tests nothing" in out.stdout
    suite = ET.parse(tmp_path / "junit.xml").getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "0" and int(suite.get("tests") or 0) >= 27
    assert leftovers(real_cluster) == []


def test_a_planted_wrong_check_fails_with_a_diff(real_cluster: KubeCluster, tmp_path: Path) -> None:
    """A copy of the Pods lab whose Service check wants port 8080: the reference solution and the
    mistake that really uses 8080 both fail, each with the expected-vs-actual line of that check."""
    lab = tmp_path / "pods"
    shutil.copytree(ROOT / "scenarios" / "pods", lab)
    step = lab / "step-04.yaml"
    step.write_text(step.read_text(encoding="utf-8").replace("    port: 80\n", "    port: 8080\n", 1),
                    encoding="utf-8")
    out = run_test_lab(real_cluster, lab, "-k", "reference", "-k", "wrong port", "-o", "junit")
    assert out.returncode == 1, out.stdout + out.stderr
    assert "FAILED  reference solution" in out.stderr and "FAILED  wrong port" in out.stderr
    cases = {c.get("name"): c for c in ET.fromstring(out.stdout).iter("testcase")}
    reference = cases["reference solution"].find("failure")
    assert reference is not None and reference.text is not None
    assert "E step-04/service" in reference.text and "failed service.no_port" in reference.text, reference.text
    wrong = cases["wrong port"].find("failure")
    assert wrong is not None and wrong.text is not None
    line = next(x for x in wrong.text.splitlines() if x.startswith("E step-04/service "))
    assert "failed service.no_port" in line and "passed service.ok" in line, wrong.text
    text = run_test_lab(real_cluster, lab, "-k", "wrong port")
    print(text.stdout)
    assert text.returncode == 1 and " FAILURES " in text.stdout
    assert "___ wrong port (tests.yaml:" in text.stdout and "E step-04/service " in text.stdout


def test_a_new_lab_proves_itself_out_of_the_box(real_cluster: KubeCluster, tmp_path: Path) -> None:
    """The loop of docs/authors.md from `labcheck new-lab`: its solution and its one mistake pass."""
    assert labcheck("new-lab", "demo", "--dir", str(tmp_path)).returncode == 0
    assert labcheck("lint", str(tmp_path / "demo")).returncode == 0
    out = run_test_lab(real_cluster, tmp_path / "demo")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "PASSED  wrong image tag" in out.stdout and " 3 passed, 0 failed" in out.stdout

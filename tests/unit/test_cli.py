"""The CLI as a user runs it, in a subprocess, with no cluster."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.cli_run import ROOT, labcheck

UNREACHABLE_KUBECONFIG = {
    "apiVersion": "v1", "kind": "Config", "current-context": "nowhere",
    "clusters": [{"name": "nowhere", "cluster": {"server": "https://127.0.0.1:1"}}],
    "users": [{"name": "u", "user": {"token": "sekrit-token-0123456789abcdef"}}],
    "contexts": [{"name": "nowhere", "context": {"cluster": "nowhere", "user": "u"}}],
}


def test_list_explain_validate_schema_need_no_cluster() -> None:
    out = labcheck("list")
    assert out.returncode == 0, out.stderr
    assert "step-04" in out.stdout and "Pods" in out.stdout
    out = labcheck("explain", "step-04")
    assert out.returncode == 0, out.stderr
    assert "my-first-service" in out.stdout and "NodePort" in out.stdout
    out = labcheck("validate", "scenarios/pods")
    assert out.returncode == 0 and "valid" in out.stdout
    out = labcheck("schema")
    assert out.returncode == 0
    assert out.stdout == (ROOT / "scenarios/labcheck.schema.json").read_text(encoding="utf-8"), \
        "scenarios/labcheck.schema.json is stale: run `labcheck schema -o scenarios/labcheck.schema.json`"


def test_explain_in_chinese() -> None:
    out = labcheck("explain", "step-02", "--lang", "zh")
    assert out.returncode == 0 and "提示" in out.stdout


def test_validate_bad_lab_exits_2_with_location(tmp_path: Path) -> None:
    (tmp_path / "lab.yaml").write_text("id: x\ntitle: X\nsteps: [step-01]\n", encoding="utf-8")
    (tmp_path / "step-01.yaml").write_text(
        "id: step-01\ntitle: One\nchecks:\n  - id: a\n    kind: nodes_ready\n    title: A\n    port: 1\n",
        encoding="utf-8")
    out = labcheck("validate", str(tmp_path))
    assert out.returncode == 2
    assert out.stderr.strip() == f"{tmp_path}/step-01.yaml:7: checks[0].port: Extra inputs are not permitted"
    assert "Traceback" not in out.stderr


def test_unreachable_cluster_exits_2_with_reason_and_hint(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "config"
    kubeconfig.write_text(yaml.safe_dump(UNREACHABLE_KUBECONFIG), encoding="utf-8")
    junit = tmp_path / "out.xml"
    out = labcheck("step-02", "--junit-xml", str(junit), env={"KUBECONFIG": str(kubeconfig)})
    assert out.returncode == 2, out.stdout + out.stderr
    assert "Traceback" not in out.stderr
    assert "cannot reach the cluster of context 'nowhere'" in out.stderr
    assert "kubectl config use-context" in out.stderr
    assert junit.exists() and "<error" in junit.read_text(encoding="utf-8")
    assert "sekrit" not in out.stdout + out.stderr + junit.read_text(encoding="utf-8")


def test_no_kubeconfig_exits_2(tmp_path: Path) -> None:
    out = labcheck("step-02", env={"KUBECONFIG": str(tmp_path / "missing"), "HOME": str(tmp_path)})
    assert out.returncode == 2
    assert "no kubeconfig found" in out.stderr and "Traceback" not in out.stderr


def test_unknown_step_and_bad_option_exit_2() -> None:
    out = labcheck("step-99")
    assert out.returncode == 2 and "no step 'step-99'" in out.stderr
    out = labcheck("check", "step-02", "-o", "pdf")
    assert out.returncode == 2


def test_quiz_grades_without_a_cluster(tmp_path: Path) -> None:
    (tmp_path / "labcheck-answers.yaml").write_text(
        "pod-smallest-unit: b\npod-shared-network: a\nsidecar-pattern: c\n", encoding="utf-8")
    out = labcheck("step-01", "--files", str(tmp_path), "-o", "json",
                   env={"KUBECONFIG": str(tmp_path / "missing"), "HOME": str(tmp_path)})
    assert out.returncode == 1, out.stderr
    import json

    report = json.loads(out.stdout)
    statuses = {c["id"]: c["status"] for c in report["steps"][0]["checks"]}
    assert statuses == {"pod-smallest-unit": "passed", "pod-shared-network": "passed",
                        "sidecar-pattern": "failed"}

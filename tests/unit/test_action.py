"""The GitHub Action and the workflows: actionlint-clean, and the action's grading script works."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_workflows_pass_actionlint() -> None:
    proc = subprocess.run(["bash", str(ROOT / "scripts" / "actionlint")], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def action() -> dict[str, object]:
    data: dict[str, object] = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    return data


def test_action_metadata_is_complete() -> None:
    meta = action()
    runs = meta["runs"]
    assert isinstance(runs, dict) and runs["using"] == "composite"
    inputs = meta["inputs"]
    assert isinstance(inputs, dict)
    text = (ROOT / "action.yml").read_text(encoding="utf-8")
    for step in runs["steps"]:
        assert "uses" in step or step.get("shell") == "bash", step
    for name in inputs:
        assert f"inputs.{name}" in text, f"input {name} is never used"
        assert inputs[name].get("description"), name


def test_action_grading_script_writes_summary_junit_and_exit_code(tmp_path: Path) -> None:
    """The Grade step's script, run as the runner would (a quiz step needs no cluster)."""
    runs = action()["runs"]
    assert isinstance(runs, dict)
    script = next(s for s in runs["steps"] if s.get("id") == "grade")["run"]
    (tmp_path / "labcheck-answers.yaml").write_text("pod-smallest-unit: b\npod-shared-network: a\n"
                                                    "sidecar-pattern: a\n", encoding="utf-8")
    summary, output = tmp_path / "summary.md", tmp_path / "output"
    env = {**os.environ, "STEPS": "step-01", "LABCHECK_LAB": "pods",
           "LABCHECK_NAMESPACE": "", "LABCHECK_KUBECONFIG": "", "LABCHECK_FILES": str(tmp_path),
           "LABCHECK_LANG": "zh", "LABCHECK_WAIT": "0", "LABCHECK_JUNIT_XML": str(tmp_path / "j.xml"),
           "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(output)}
    bindir = Path(os.environ.get("VIRTUAL_ENV", ROOT / ".venv")) / "bin"
    env["PATH"] = f"{bindir}{os.pathsep}{env['PATH']}"
    proc = subprocess.run(["bash", "-e", "-c", script], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "exit-code=0" in output.read_text(encoding="utf-8")
    assert "|" in summary.read_text(encoding="utf-8")  # a Markdown table
    assert "<testsuite" in (tmp_path / "j.xml").read_text(encoding="utf-8")


def grading_script(tmp_path: Path, steps: str, extra: dict[str, str] | None = None) -> tuple[int, dict[str, str]]:
    runs = action()["runs"]
    assert isinstance(runs, dict)
    script = next(s for s in runs["steps"] if s.get("id") == "grade")["run"]
    output = tmp_path / "output"
    env = {**os.environ, "STEPS": steps, "LABCHECK_LAB": "pods", "LABCHECK_NAMESPACE": "",
           "LABCHECK_KUBECONFIG": "", "LABCHECK_FILES": str(tmp_path), "LABCHECK_LANG": "en",
           "LABCHECK_WAIT": "0", "LABCHECK_JUNIT_XML": str(tmp_path / "j.xml"), "RUNNER_TEMP": str(tmp_path),
           "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"), "GITHUB_OUTPUT": str(output), **(extra or {})}
    bindir = Path(os.environ.get("VIRTUAL_ENV", ROOT / ".venv")) / "bin"
    env["PATH"] = f"{bindir}{os.pathsep}{env['PATH']}"
    proc = subprocess.run(["bash", "-e", "-c", script], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    outputs = dict(line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines())
    return proc.returncode, outputs


def test_action_result_is_what_classroom_records(tmp_path: Path) -> None:
    """classroom-resources/autograding-grading-reporter (src/main.js at b953c1ac1a20594419b80aa5c921f9cfe00dee3d)
    base64-decodes <RUNNER>_RESULTS and JSON-parses it; src/notify-classroom.js (1549b907200d46ddfec568a6f9a0a552727eb2d5)
    records sum(tests[].score) out of max_score, and nothing when max_score is 0; main.js fails the job on
    status fail or error."""
    import base64
    import json

    (tmp_path / "labcheck-answers.yaml").write_text("pod-smallest-unit: b\npod-shared-network: c\n"
                                                    "sidecar-pattern: a\n", encoding="utf-8")
    code, outputs = grading_script(tmp_path, "step-01")
    assert code == 1 and outputs["exit-code"] == "1"
    result = json.loads(base64.b64decode(outputs["result"]).decode("utf-8"))
    assert result["version"] == 1 and result["status"] == "fail"
    assert result["max_score"] == 3 and sum(t["score"] for t in result["tests"]) == 2
    assert {t["status"] for t in result["tests"]} == {"pass", "fail"}
    assert all(set(t) >= {"name", "status", "score", "message"} for t in result["tests"])
    assert "answer=a" not in outputs["result"] and "answer=a" not in json.dumps(result)  # the right one

    # the cluster could not answer: no points recorded at all, never 0 of N
    (tmp_path / "nowhere.yaml").write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: x\nclusters: [{name: x, cluster: {server: "
        "'https://127.0.0.1:1'}}]\nusers: [{name: u, user: {token: t}}]\n"
        "contexts: [{name: x, context: {cluster: x, user: u}}]\n", encoding="utf-8")
    (tmp_path / "output").unlink()
    code, outputs = grading_script(tmp_path, "step-02", {"LABCHECK_KUBECONFIG": str(tmp_path / "nowhere.yaml")})
    assert code == 2
    result = json.loads(base64.b64decode(outputs["result"]).decode("utf-8"))
    assert result["status"] == "error" and result["max_score"] == 0
    assert all(t["score"] == 0 for t in result["tests"])


def test_action_test_lab_mode_lints_then_refuses_an_unreachable_cluster(tmp_path: Path) -> None:
    """mode test-lab: lint's verdict and test-lab's report land in the job summary, its exit code in
    the outputs (2: the cluster could not be used; no namespace was made anywhere)."""
    (tmp_path / "nowhere.yaml").write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: x\nclusters: [{name: x, cluster: {server: "
        "'https://127.0.0.1:1'}}]\nusers: [{name: u, user: {token: t}}]\n"
        "contexts: [{name: x, context: {cluster: x, user: u}}]\n", encoding="utf-8")
    extra = {"MODE": "test-lab", "LABCHECK_LAB": str(ROOT / "scenarios/sidecar"),
             "LABCHECK_KUBECONFIG": str(tmp_path / "nowhere.yaml")}
    code, outputs = grading_script(tmp_path, "all", extra)
    assert code == 2 and outputs["exit-code"] == "2"
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "scenarios/sidecar: no problems found" in summary and "could not be used" in summary

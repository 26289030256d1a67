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

"""Autograder hosts' results files, against their documented formats.

Gradescope: gradescope/autograder_samples docs/specs.md at 47aed8f8211d8101e86d38538e0306ad6d96b92c
    (score, execution_time, output, tests[].score/max_score/name/number/output/tags/visibility; the
    visibility values hidden, after_due_date, after_published, visible).
PrairieLearn: PrairieLearn/PrairieLearn docs/externalGrading.md at ae1ddf8d25b17b4554b76f9fa6a341aa4f9d6c0d
    ("Grading results": score in [0.0, 1.0]; gradable false awards no points and costs no attempt, with
    format_errors; tests[] with name, description, points, max_points, message, output; at most 1 MB).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

from labcheck.autograders import gradescope_results, prairielearn_results
from labcheck.core.i18n import Text
from labcheck.core.record import replace
from labcheck.core.results import Outcome, RunResult
from tests.cli_run import ROOT, labcheck
from tests.unit.test_batch_helpers import make_run

VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}


def with_hidden(run: RunResult) -> RunResult:
    step = run.steps[1]
    checks = (*step.checks[:-1], replace(step.checks[-1], visibility="hidden"))
    return replace(run, steps=(run.steps[0], replace(step, checks=checks)))


def test_gradescope_fields() -> None:
    run = with_hidden(make_run({"step-04/service": Outcome.FAILED}))
    data = gradescope_results(run, "en")
    assert data["execution_time"] == 1.5 and data["score"] == run.score
    tests = data["tests"]
    assert [t["number"] for t in tests[:2]] == ["2.1", "2.2"]
    assert [t["number"] for t in tests if t["name"].startswith("step-04")][:2] == ["4.1", "4.2"]
    assert len({t["number"] for t in tests}) == len(tests)
    for t, c in zip(tests, run.checks, strict=True):
        assert t["tags"] == [c.step_id, c.kind] and t["output_format"] == "md"
        assert t["visibility"] in VISIBILITY and t["status"] in ("passed", "failed")
        assert 0 <= t["score"] <= t["max_score"]
    assert tests[-1]["visibility"] == "hidden"
    failed = next(t for t in tests if " service:" in t["name"])
    assert failed["status"] == "failed" and "hint: " in failed["output"]
    assert abs(sum(t["score"] for t in tests) - data["score"]) < 1e-9
    json.dumps(data, allow_nan=False)


def test_gradescope_markdown_is_literal() -> None:
    run = make_run({"step-04/service": Outcome.FAILED})
    evil = replace(run.steps[1].checks[0], message=Text.same("[x](http://evil) **b** <img>"),
                               actual={"image": "a`b"})
    run = replace(run, steps=(run.steps[0], replace(
        run.steps[1], checks=(replace(evil, outcome=Outcome.FAILED), *run.steps[1].checks[1:]))))
    output = gradescope_results(run, "en")["tests"][len(run.steps[0].checks)]["output"]
    assert "](" not in output and "<img>" not in output and "\\*\\*b" in output
    assert "- actual: `image=a'b`" in output


def test_prairielearn_score_is_a_fraction_and_errors_are_not_gradable() -> None:
    run = make_run({"step-04/service": Outcome.FAILED, "step-04/service-answers": Outcome.SKIPPED})
    data = prairielearn_results(run, "en")
    total = sum(c.points for c in run.checks)
    assert data["gradable"] is True and 0 <= data["score"] <= 1
    assert abs(data["score"] - run.score / total) < 1e-6
    assert sum(t["points"] for t in data["tests"]) == run.score
    assert sum(t["max_points"] for t in data["tests"]) == total
    for t in data["tests"]:
        assert set(t) == {"name", "description", "points", "max_points", "message", "output"}
    broken = prairielearn_results(make_run(default=Outcome.ERROR, problem=Text.same("no cluster")), "en")
    assert broken["gradable"] is False and broken["score"] == 0 and broken["format_errors"]
    half = prairielearn_results(make_run({"step-04/service": Outcome.ERROR}), "en")
    assert half["gradable"] is False  # a partly ungraded attempt is not counted at all
    hidden = prairielearn_results(with_hidden(make_run()), "en")["tests"][-1]
    assert hidden["name"] == "hidden check" and hidden["message"] == hidden["output"] == ""
    assert len(json.dumps(data).encode()) < 1 << 20


def test_check_format_prairielearn_on_stdout(tmp_path: Path) -> None:
    (tmp_path / "labcheck-answers.yaml").write_text("pod-smallest-unit: b\npod-shared-network: c\n")
    proc = labcheck("check", "step-01", "--files", str(tmp_path), "--format", "prairielearn")
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    assert data["gradable"] is True and data["score"] == round(1 / 3, 6)
    proc = labcheck("check", "step-01", "--results-file", str(tmp_path / "x.json"))
    assert proc.returncode == 2 and "--results-file needs --format" in proc.stderr


def scripts() -> dict[str, str]:
    text = (ROOT / "docs" / "gradescope.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", text, re.S)
    found = {}
    for block in blocks:
        name = re.search(r"^# (setup\.sh|run_autograder):", block, re.M)
        if name:
            found[name.group(1)] = block
    assert set(found) == {"setup.sh", "run_autograder"}
    return found


def run_autograder(tmp_path: Path, env: dict[str, str]) -> dict[str, object]:
    (tmp_path / "run_autograder").write_text(scripts()["run_autograder"])
    bindir = Path(os.environ.get("VIRTUAL_ENV", ROOT / ".venv")) / "bin"
    full = {k: v for k, v in os.environ.items() if not k.startswith("LABCHECK_")}
    full.update({"AUTOGRADER": str(tmp_path), "LABCHECK": str(bindir / "labcheck"), **env})
    proc = subprocess.run(["bash", str(tmp_path / "run_autograder")], env=full, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data: dict[str, object] = json.loads((tmp_path / "results" / "results.json").read_text(encoding="utf-8"))
    return data


def test_gradescope_scripts_parse() -> None:
    for name, text in scripts().items():
        proc = subprocess.run(["bash", "-n"], input=text, capture_output=True, text=True)
        assert proc.returncode == 0, (name, proc.stderr)


def test_run_autograder_grades_a_receipt(tmp_path: Path) -> None:
    student = tmp_path / "student"
    student.mkdir()
    (student / "labcheck-answers.yaml").write_text("pod-smallest-unit: b\npod-shared-network: a\n"
                                                  "sidecar-pattern: c\n")
    made = labcheck("check", "step-01", "--files", str(student), "--receipt", str(student / "receipt.json"))
    assert made.returncode == 1, made.stderr
    (tmp_path / "submission").mkdir()
    (tmp_path / "submission" / "receipt.json").write_bytes((student / "receipt.json").read_bytes())
    data = run_autograder(tmp_path, {"LABCHECK_STEPS": "step-01"})
    tests = data["tests"]
    assert isinstance(tests, list) and [t["number"] for t in tests] == ["1.1", "1.2", "1.3"]
    assert data["score"] == 2 and [t["status"] for t in tests] == ["passed", "passed", "failed"]


def test_run_autograder_grades_the_students_cluster(tmp_path: Path) -> None:
    (tmp_path / "submission").mkdir()
    (tmp_path / "submission" / "kubeconfig.yaml").write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: x\nclusters: [{name: x, cluster: {server: "
        "'https://127.0.0.1:1'}}]\nusers: [{name: u, user: {token: t}}]\n"
        "contexts: [{name: x, context: {cluster: x, namespace: lab, user: u}}]\n")
    data = run_autograder(tmp_path, {"LABCHECK_STEPS": "step-02"})
    tests = data["tests"]
    assert isinstance(tests, list) and tests
    assert data["score"] == 0 and all(t["max_score"] == 0 for t in tests)  # ungraded, not zero of N
    assert all(str(t["output"]).startswith("ERROR: ungraded") for t in tests)
    assert "ERROR: ungraded" in str(data["output"])


def test_run_autograder_without_a_receipt_says_so(tmp_path: Path) -> None:
    (tmp_path / "submission").mkdir()
    data = run_autograder(tmp_path, {})
    assert data["score"] == 0 and "No labcheck receipt" in str(data["output"])

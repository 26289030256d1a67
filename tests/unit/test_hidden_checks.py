"""Hidden checks and quiz answers: what a student's own run, explain and an instructor's grade show.

The lab is quizzes only, so nothing needs a cluster.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from tests.cli_run import labcheck

SECRET = "SECRET-DETAIL"


def quiz(check_id: str, answer: str, visibility: str | None = None, points: float = 1) -> dict[str, object]:
    check: dict[str, object] = {
        "id": check_id, "kind": "quiz", "points": points,
        "title": {"en": f"{check_id} {SECRET if visibility else ''} title", "zh": f"{check_id} 标题"},
        "question": {"en": f"{SECRET if visibility else check_id} question?", "zh": "问题？"},
        "choices": [{"id": c, "text": f"choice {c}"} for c in "abc"],
        "answer": [answer],
        "hint": {"en": f"{SECRET} hint" if visibility else "re-read", "zh": "提示"},
    }
    if visibility:
        check["visibility"] = visibility
    return check


def make_lab(tmp_path: Path, checks: list[dict[str, object]]) -> Path:
    lab = tmp_path / "lab"
    lab.mkdir()
    (lab / "lab.yaml").write_text(yaml.safe_dump({"id": "quizlab", "title": "Quiz lab", "steps": ["step-01"]}))
    (lab / "step-01.yaml").write_text(yaml.safe_dump({"id": "step-01", "title": "Quiz", "checks": checks}))
    return lab


@pytest.fixture
def lab(tmp_path: Path) -> Path:
    checks = [quiz("q-visible", "b"), quiz("q-hidden", "c", "hidden", 2),
              quiz("q-later", "a", "after_due_date", 3)]
    root = make_lab(tmp_path, checks)
    answers = {"q-visible": "a", "q-hidden": "a", "q-later": "b"}  # all wrong
    (tmp_path / "labcheck-answers.yaml").write_text(yaml.safe_dump(answers))
    return root


@pytest.mark.parametrize("output", ["text", "json", "junit", "markdown"])
def test_student_run_shows_only_that_hidden_checks_exist(lab: Path, tmp_path: Path, output: str) -> None:
    proc = labcheck("check", "step-01", "--lab", str(lab), "--files", str(tmp_path), "-o", output, "--wait", "0")
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout
    assert SECRET not in out and "q-hidden" not in out and "q-later" not in out
    assert "answer=b" not in out  # the right answer of the visible quiz (was `expected: answer=b`)
    if output == "json":
        step = json.loads(out)["steps"][0]
        assert (step["hidden_checks"], step["hidden_points"]) == (2, 5)
        assert [c["id"] for c in step["checks"]] == ["q-visible"]
        assert step["checks"][0]["expected"] == {"answer": "one of a, b, c"}
        assert json.loads(out)["max_score"] == 1  # the score is over what the student sees
    elif output == "junit":
        props = {p.get("name"): p.get("value") for p in ET.fromstring(out).iter("property")}
        assert (props["hidden_checks"], props["hidden_points"]) == ("2", "5")
    else:
        assert "2 hidden check(s), 5 point(s): graded by your instructor" in out.replace("\\", "")
    zh = labcheck("check", "step-01", "--lab", str(lab), "--files", str(tmp_path), "--lang", "zh",
                  "-o", output, "--wait", "0")
    assert SECRET not in zh.stdout and "answer=b" not in zh.stdout


def test_explain_does_not_list_hidden_checks(lab: Path) -> None:
    proc = labcheck("explain", "step-01", "--lab", str(lab))
    assert proc.returncode == 0, proc.stderr
    assert SECRET not in proc.stdout and "q-hidden" not in proc.stdout
    assert "q-visible" in proc.stdout and "and 2 hidden check(s) (5 pts)" in proc.stdout
    assert "answer=" not in proc.stdout


def test_instructor_grade_reports_hidden_checks(lab: Path, tmp_path: Path) -> None:
    (tmp_path / "roster.csv").write_text("id,name,email,namespace\nana,Ana,ana@u.edu,lab-ana\n")
    files = tmp_path / "files" / "ana"
    files.mkdir(parents=True)
    (files / "labcheck-answers.yaml").write_text("q-visible: b\nq-hidden: c\nq-later: b\n")
    proc = labcheck("grade", "--roster", "roster.csv", "--lab", str(lab), "--files", "files", "--out", "r",
                    cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    report = json.loads((tmp_path / "r" / "students" / "ana" / "report.json").read_text())
    checks = {c["id"]: c for c in report["steps"][0]["checks"]}
    assert {k: (c["status"], c["visibility"]) for k, c in checks.items()} == {
        "q-visible": ("passed", "visible"), "q-hidden": ("passed", "hidden"),
        "q-later": ("failed", "after_due_date")}
    assert report["score"] == 3 and report["max_score"] == 6
    gradescope = json.loads((tmp_path / "r" / "students" / "ana" / "gradescope" / "results.json").read_text())
    assert [t.get("visibility", "visible") for t in gradescope["tests"]] == ["visible", "hidden", "after_due_date"]
    moodle = labcheck("merge", "r", "--out", "m", "--gradebook", "moodle", cwd=tmp_path)
    assert moodle.returncode == 1, moodle.stderr
    feedback = (tmp_path / "m" / "gradebook.csv").read_text()
    assert SECRET not in feedback and "1 hidden check(s) not passed" in feedback


def test_a_visible_check_cannot_depend_on_a_hidden_one(tmp_path: Path) -> None:
    visible = quiz("q-visible", "b") | {"depends_on": ["q-hidden"]}
    lab = make_lab(tmp_path, [quiz("q-hidden", "c", "hidden"), visible])
    proc = labcheck("validate", str(lab))
    assert proc.returncode == 2
    assert "checks[1].depends_on[0]: a visible check cannot depend on 'q-hidden', which is hidden" in proc.stderr

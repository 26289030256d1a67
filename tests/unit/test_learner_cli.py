"""What a learner meets on the command line before any cluster is involved (issue 14): report files
in folders that do not exist yet, `labcheck` alone, `--timeout 0`, `explain` and `list` layout."""

from __future__ import annotations

import json
from pathlib import Path

from labcheck.reporters.text import width
from tests.cli_run import ROOT, labcheck

ANSWERS = (ROOT / "scenarios" / "pods" / "solutions" / "quiz-answers.yaml").read_text(encoding="utf-8")


def no_cluster(tmp_path: Path) -> dict[str, str]:
    return {"KUBECONFIG": str(tmp_path / "missing"), "HOME": str(tmp_path)}


def quiz_files(tmp_path: Path) -> Path:
    files = tmp_path / "files"
    files.mkdir()
    (files / "labcheck-answers.yaml").write_text(ANSWERS, encoding="utf-8")
    return files


def test_report_files_into_folders_that_do_not_exist_are_made(tmp_path: Path) -> None:
    files = quiz_files(tmp_path)
    junit, report, receipt = (tmp_path / "out" / "ci" / "junit.xml", tmp_path / "json" / "r.json",
                              tmp_path / "receipts" / "me.json")
    out = labcheck("step-01", "--files", str(files), "--junit-xml", str(junit), "--json-report", str(report),
                   "--receipt", str(receipt), env=no_cluster(tmp_path))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "<testsuite" in junit.read_text(encoding="utf-8")
    assert json.loads(report.read_text(encoding="utf-8"))["passed"] is True
    assert json.loads(receipt.read_text(encoding="utf-8"))["lab"] == "pods"
    assert not list(tmp_path.rglob("*.tmp"))  # written whole, then renamed


def test_a_report_path_that_cannot_be_written_is_exit_2_before_grading(tmp_path: Path) -> None:
    files = quiz_files(tmp_path)
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    cases = [("--junit-xml", str(tmp_path)), ("--json-report", str(tmp_path / "a-file" / "r.json")),
             ("--receipt", str(tmp_path))]
    for option, path in cases:
        out = labcheck("step-01", "--files", str(files), option, path, env=no_cluster(tmp_path))
        assert out.returncode == 2, (option, out.stdout, out.stderr)
        assert "internal error" not in out.stderr and path in out.stderr, out.stderr
        assert out.stdout == ""  # refused at the start, nothing graded


def test_labcheck_alone_prints_the_help_and_exits_0() -> None:
    out = labcheck()
    assert out.returncode == 0, out.stderr
    assert "Usage: labcheck" in out.stdout and "labcheck step-02" in out.stdout


def test_explain_says_1_pt_and_2_pts() -> None:
    for lang, one, many in (("en", "(1 pt, events_evidence)", "(2 pts, pod_state)"),
                            ("zh", "（1 分，events_evidence）", "（2 分，pod_state）")):
        out = labcheck("explain", "step-02", "--lang", lang)
        assert out.returncode == 0, out.stderr
        assert one in out.stdout and many in out.stdout, out.stdout
        assert "1 pts" not in out.stdout


def test_list_keeps_the_score_column_whatever_the_title(tmp_path: Path) -> None:
    lab = tmp_path / "long"
    lab.mkdir()
    (lab / "lab.yaml").write_text("id: long\ntitle: Long\nsteps: [step-01, step-02]\n", encoding="utf-8")
    long_title = {"en": "A step title far too long to fit on one line of a terminal " * 3,
                  "zh": "一个非常非常长的步骤标题，在终端的一行里根本放不下" * 3}
    for step, title in (("step-01", long_title), ("step-02", {"en": "Short", "zh": "短"})):
        (lab / f"{step}.yaml").write_text(
            f"id: {step}\ntitle: {json.dumps(title, ensure_ascii=False)}\nchecks:\n"
            "  - {id: a, kind: nodes_ready, title: A, points: 1}\n", encoding="utf-8")
    for lang in ("en", "zh"):
        out = labcheck("list", "--lab", str(lab), "--lang", lang)
        assert out.returncode == 0, out.stderr
        rows = [line for line in out.stdout.splitlines() if line.startswith("step-")]
        assert len(rows) == 2 and len({width(r) for r in rows}) == 1, rows  # one column, both rows
        assert all(r.rstrip().endswith("]") for r in rows)
        assert ("1 check, 1 pt" if lang == "en" else "1 项检查，1 分") in rows[0]

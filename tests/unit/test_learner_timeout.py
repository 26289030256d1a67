"""`--timeout` as a learner uses it (issue 14): 0 means no limit, a time limit never prints a negative
time, never ungrades a quiz, and the footer blames the time limit, not the cluster."""

from __future__ import annotations

import re
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from labcheck.core.results import Outcome
from labcheck.errors import ClusterError
from labcheck.kube.client import KubeCluster
from labcheck.loader import load_lab
from labcheck.reporters import REPORTERS, ReportOptions
from labcheck.runner import RunOptions, run_lab
from labcheck.session import Connection, grade
from tests.cli_run import ROOT, labcheck
from tests.unit.fakes import FakeCluster, node
from tests.unit.test_runner import Clock

ANSWERS = (ROOT / "scenarios" / "pods" / "solutions" / "quiz-answers.yaml").read_text(encoding="utf-8")


def test_timeout_0_is_no_limit(tmp_path: Path) -> None:
    seen: list[float | None] = []

    def opener(kubeconfig: Any, context: Any, namespace: Any, default: str, deadline: float | None) -> Connection:
        seen.append(deadline)
        return Connection(FakeCluster({"Node": [node()]}), "ctx", "c", "default", None, {})

    result = grade(load_lab("pods"), ["step-02"], kubeconfig=None, context=None, namespace=None,
                   files_dir=tmp_path, wait=0, timeout=0, opener=opener)
    assert seen == [None]
    nodes = next(c for c in result.checks if c.check_id == "nodes-ready")
    assert nodes.outcome is Outcome.PASSED and nodes.graded


def test_timeout_0_on_the_command_line_grades_the_quiz(tmp_path: Path) -> None:
    (tmp_path / "labcheck-answers.yaml").write_text(ANSWERS, encoding="utf-8")
    out = labcheck("step-01", "--timeout", "0", "--files", str(tmp_path),
                   env={"KUBECONFIG": str(tmp_path / "missing"), "HOME": str(tmp_path)})
    assert out.returncode == 0, out.stdout + out.stderr
    assert "ungraded" not in out.stdout and "cluster" not in out.stdout.split("\n", 2)[-1]


def test_the_time_limit_message_never_shows_a_negative_time() -> None:
    cluster = KubeCluster(SimpleNamespace(server="https://x"), 5.0)  # type: ignore[arg-type]
    cluster.deadline, cluster.time_limit = time.monotonic() - 1.0, -0.0406  # as a late connection set it
    with pytest.raises(ClusterError) as info:
        cluster.budget("list pods", 5.0)
    assert "(0s, --timeout)" in info.value.message and not re.search(r"\(-\d", info.value.message)
    assert info.value.text is not None and info.value.text.key == "run.time_limit"


def test_a_quiz_is_graded_whatever_the_time_limit_and_the_footer_blames_the_limit(tmp_path: Path) -> None:
    (tmp_path / "labcheck-answers.yaml").write_text(ANSWERS, encoding="utf-8")
    clock = Clock()
    lab = load_lab("pods")
    cluster = FakeCluster({"Node": [node()]})
    result = run_lab(lab, ["step-01", "step-02"], cluster,
                     RunOptions(namespace="default", files_dir=tmp_path, time_limit=1.0, time_spent=2.0),
                     clock=clock, sleep=clock.sleep)
    quiz = [c for c in result.checks if c.step_id == "step-01"]
    assert all(c.outcome is Outcome.PASSED and c.graded for c in quiz)
    late = [c for c in result.checks if c.step_id == "step-02"]
    assert not any(c.graded for c in late) and result.ungraded_points == 4
    for lang, words, not_words in (("en", "time limit (--timeout)", "cluster could not answer"),
                                   ("zh", "时间上限（--timeout）", "集群无法应答")):
        text = REPORTERS["text"](result, ReportOptions(lang=lang))
        footer = text.split("\n\n")[-1]
        assert words in footer and not_words not in footer, footer
        assert not re.search(r"(?<![-\w])-\d", text), text

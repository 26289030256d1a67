"""Progress that survives the clean-up (issue 14): step 7 deletes what steps 4-6 graded, and a learner's
score must not go backwards for it; an instructor's `grade` never trusts the local file."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from labcheck import session
from labcheck.core.i18n import Lang
from labcheck.core.results import Outcome
from labcheck.loader import load_lab
from labcheck.progress import load, progress_path, state_dir
from labcheck.session import CheckRequest, Connection, run_check
from tests.cli_run import ROOT, labcheck
from tests.unit.fakes import FakeCluster, endpoint_slice, node, pod, service

ROOT_GRADER = ROOT / "grader"


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "no-kubeconfig"))  # the server part of the key: ""
    return tmp_path / "state"


def on(cluster: FakeCluster, monkeypatch: pytest.MonkeyPatch) -> None:
    def opener(*args: Any) -> Connection:
        return Connection(cluster, "ctx", "", "default", None, {})
    monkeypatch.setattr(session, "open_cluster", opener)


def check(capsys: pytest.CaptureFixture[str], *steps: str, output: str = "json", progress: bool = True,
          lang: Lang = "en", junit: str | None = None) -> tuple[int, str]:
    request = CheckRequest(steps=list(steps), all_steps=False, lab="pods", kubeconfig=None, context=None,
                           namespace=None, output=output, junit_xml=junit, json_report=None, lang=lang,
                           wait=0, files_dir=Path("."), color=False, progress=progress)
    code = int(run_check(request))
    return code, capsys.readouterr().out


def step_04_done() -> FakeCluster:
    cluster = FakeCluster({"Node": [node()], "Pod": [pod()],
                           "Service": [service(), service("my-first-service2", port=81, node_port=31235)],
                           "EndpointSlice": [endpoint_slice(), endpoint_slice("my-first-service2")]})
    for port in (31234, 31235):
        from labcheck.core.answers import HttpResult

        url = f"http://127.0.0.1:{port}/"
        cluster.http[url] = HttpResult(url, 200, "<html>")
    return cluster


def statuses(report: str) -> dict[str, tuple[str, bool]]:
    data = json.loads(report)
    return {c["id"]: (c["status"], c["remembered"]) for s in data["steps"] for c in s["checks"]}


def test_what_passed_before_the_clean_up_still_counts_and_says_so(
        state: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    cluster = step_04_done()
    on(cluster, monkeypatch)
    monkeypatch.setattr("labcheck.kube.http.http_get", cluster.http_get)
    code, out = check(capsys, "step-04")
    assert code == 0 and all(status == ("passed", False) for status in statuses(out).values()), out
    path = progress_path("pods", "default", "", "")
    saved = load(path)
    assert saved["scenario_digest"] == load_lab("pods").digest()
    assert saved["checks"]["step-04/pod-running"]["evidence"]["uid"] == "uid-pod-1"
    assert not list(path.parent.glob("*.tmp"))  # written whole, then renamed

    on(FakeCluster({"Node": [node()]}), monkeypatch)  # step 7: everything deleted
    code, out = check(capsys, "step-04")
    assert code == 0 and set(statuses(out).values()) == {("passed", True)}, out
    passed_at = json.loads(out)["steps"][0]["checks"][0]["passed_at"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", passed_at)
    for lang, words in (("en", "passed earlier ("), ("zh", "此前已通过（")):
        _, text = check(capsys, "step-04", output="text", lang=lang)
        assert words in text and "objects since deleted" in text if lang == "en" else words in text
        assert ("5 check(s) passed earlier" if lang == "en" else "5 项检查此前已通过") in text, text
        assert "100%" in text
    junit = tmp_path / "junit.xml"
    check(capsys, "step-04", junit=str(junit))
    assert junit.read_text(encoding="utf-8").count("<system-out>passed earlier (") == 5

    code, out = check(capsys, "step-04", progress=False)  # --no-progress: only what is there now
    assert code == 1 and statuses(out)["pod-running"] == ("pending", False)


def test_done_wrong_now_beats_passed_earlier(state: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    cluster = step_04_done()
    on(cluster, monkeypatch)
    monkeypatch.setattr("labcheck.kube.http.http_get", cluster.http_get)
    check(capsys, "step-04")
    wrong = step_04_done()
    wrong.objects["Service"][0]["spec"]["type"] = "ClusterIP"  # re-made differently: the object is back
    on(wrong, monkeypatch)
    _, out = check(capsys, "step-04")
    seen = statuses(out)
    assert seen["service"] == ("failed", False) and seen["pod-running"] == ("passed", False)


def test_an_instructors_grade_never_reads_the_progress_file(state: Path, capsys: pytest.CaptureFixture[str],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    cluster = step_04_done()
    on(cluster, monkeypatch)
    monkeypatch.setattr("labcheck.kube.http.http_get", cluster.http_get)
    check(capsys, "step-04")
    assert progress_path("pods", "default", "", "").exists()
    empty = FakeCluster({"Node": [node()]})
    result = session.grade(load_lab("pods"), ["step-04"], kubeconfig=None, context=None, namespace=None,
                           files_dir=Path("."), wait=0,
                           opener=lambda *a: Connection(empty, "ctx", "", "default", None, {}))
    assert not any(c.remembered for c in result.checks)
    assert found_outcome(result, "pod-running") is Outcome.PENDING
    for path in ROOT_GRADER.glob("batch/*.py"):  # batch grading goes through grade(), never progress
        assert "progress" not in re.findall(r"^\s*(?:from|import)\s+labcheck\.(\w+)", path.read_text(), re.M)


def found_outcome(result: Any, check_id: str) -> Outcome:
    return next(c.outcome for c in result.checks if c.check_id == check_id)  # type: ignore[no-any-return]


def test_labcheck_progress_shows_and_resets(state: Path, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cluster = step_04_done()
    on(cluster, monkeypatch)
    monkeypatch.setattr("labcheck.kube.http.http_get", cluster.http_get)
    check(capsys, "step-04")
    env = {"XDG_STATE_HOME": str(state), "KUBECONFIG": str(tmp_path / "no-kubeconfig"), "HOME": str(tmp_path)}
    out = labcheck("progress", env=env)
    assert out.returncode == 0, out.stderr
    assert "step-04/pod-running" in out.stdout and "step-04/service2-answers" in out.stdout
    assert str(state_dir()) in out.stdout or str(state) in out.stdout
    zh = labcheck("progress", "--lang", "zh", env=env)
    assert "通过" in zh.stdout
    out = labcheck("progress", "--reset", env=env)
    assert out.returncode == 0 and "progress cleared" in out.stdout
    assert not progress_path("pods", "default", "", "").exists()
    assert "no progress recorded yet" in labcheck("progress", env=env).stdout


def test_a_cluster_made_again_at_the_same_address_starts_with_no_progress(
        state: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """kind deleted and created again answers at the same address: another kube-system uid, another
    cluster, and what passed on the old one does not count on the new one."""
    import labcheck.progress as progress

    cluster = step_04_done()
    on(cluster, monkeypatch)
    monkeypatch.setattr("labcheck.kube.http.http_get", cluster.http_get)
    monkeypatch.setattr(progress, "cluster_of", lambda *a: ("", "uid-old"))
    assert check(capsys, "step-04")[0] == 0
    assert load(progress_path("pods", "default", "", ""))["cluster"]["kube_system_uid"] == "uid-old"
    on(FakeCluster({"Node": [node()]}), monkeypatch)
    assert set(statuses(check(capsys, "step-04")[1]).values()) == {("passed", True)}  # the same cluster
    monkeypatch.setattr(progress, "cluster_of", lambda *a: ("", "uid-new"))
    code, out = check(capsys, "step-04")
    assert code == 1 and statuses(out)["pod-running"] == ("pending", False)

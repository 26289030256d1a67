"""The Pods lab end to end on the real local control plane: the reference solution scores 100 % at
every step, in the middle of the lab and after it; an empty namespace scores 0 % and never `error`."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import xmlschema
import yaml

from labcheck.core.results import Outcome
from tests.e2e.learner import ROOT, Learner, check, json_report, outcomes, report

pytestmark = pytest.mark.cluster
STEPS = [f"step-0{i}" for i in range(1, 8)]
XSD = ROOT / "grader" / "data" / "junit.xsd"


def test_empty_namespace_scores_zero_with_pending_and_hints(learner: Learner) -> None:
    result = learner.grade(*STEPS)
    assert result.score == 0 and result.max_score > 0 and result.percent == 0
    assert result.exit_code == 1
    seen = {c.check_id: c.outcome for c in result.checks}
    assert Outcome.ERROR not in seen.values(), outcomes(result)
    assert Outcome.FAILED not in seen.values(), outcomes(result)
    for c in result.checks:
        if c.outcome is Outcome.PENDING:
            assert c.hint is not None, c.check_id
    assert check(result, "pod-running").outcome is Outcome.PENDING
    assert check(result, "pod-deleted", "step-07").outcome is Outcome.PENDING  # nothing was ever there
    for lang, word in (("en", "hint"), ("zh", "提示")):
        text = report(result, lang)
        assert word in text and "my-first-pod" in text


def test_reference_solution_passes_every_step_in_the_middle_and_after(learner: Learner) -> None:
    learner.solve("step-01")
    assert learner.grade("step-01").percent == 100

    learner.solve("step-02")  # ends with `kubectl delete pod`: graded from Event evidence
    step2 = learner.grade("step-02", wait=20)
    assert step2.percent == 100, outcomes(step2)
    assert "deleted" in check(step2, "pod-running").message.en

    learner.solve("step-03")
    learner.solve("step-04")
    step4 = learner.grade("step-04", wait=20)
    assert step4.percent == 100, outcomes(step4)
    assert learner.grade("step-07").outcome is Outcome.PENDING  # the lab is not over yet

    learner.solve("step-05")
    assert learner.grade("step-05", wait=20).percent == 100
    learner.solve("step-06")
    assert learner.grade("step-06", wait=20).percent == 100

    # Half-way: every step so far still passes, the clean-up step is still pending.
    middle = learner.labcheck("check", "--all", "-o", "junit", "-n", learner.namespace, "--wait", "0",
                              "--files", str(learner.files))
    assert middle.returncode == 1, middle.stderr
    xmlschema.XMLSchema(str(XSD)).validate(middle.stdout)
    done = learner.grade(*STEPS[:6], wait=5)
    assert done.percent == 100, outcomes(done)

    learner.solve("step-07")
    step7 = learner.labcheck("step-07", "-n", learner.namespace, "-o", "json", "--wait", "20")
    assert step7.returncode == 0, step7.stdout + step7.stderr
    assert json_report(step7)["percent"] == 100
    after = learner.grade("step-01", "step-02", "step-03", "step-07", wait=5)
    assert after.percent == 100, outcomes(after)  # step-02 still passes: the Events remember


def test_other_namespace_and_other_context(learner: Learner, tmp_path: Path) -> None:
    learner.run_pod()
    # A kubeconfig whose current context points nowhere; --context picks the real one.
    cfg = yaml.safe_load(learner.cluster.kubeconfig.read_text(encoding="utf-8"))
    cfg["clusters"].append({"name": "nowhere", "cluster": {"server": "https://127.0.0.1:1"}})
    cfg["contexts"].append({"name": "nowhere", "context": {"cluster": "nowhere",
                                                           "user": cfg["contexts"][0]["context"]["user"]}})
    cfg["current-context"] = "nowhere"
    other = tmp_path / "two-contexts.yaml"
    other.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    wrong = learner.labcheck("step-04", "-n", learner.namespace, "--wait", "0",
                             env={"KUBECONFIG": str(other)})
    assert wrong.returncode == 2 and "127.0.0.1:1" in wrong.stderr and "Traceback" not in wrong.stderr
    right = learner.labcheck("step-04", "-n", learner.namespace, "--wait", "0", "--context",
                             learner.cluster.context, "-o", "json", env={"KUBECONFIG": str(other)})
    statuses = {c["id"]: c["status"] for c in json_report(right)["steps"][0]["checks"]}
    assert statuses["pod-running"] == "passed" and statuses["service"] == "pending", statuses
    # A namespace set in the context is used when -n is not given.
    ctx = next(c for c in cfg["contexts"] if c["name"] == learner.cluster.context)
    ctx["context"]["namespace"] = learner.namespace
    cfg["current-context"] = learner.cluster.context
    other.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    by_ctx = learner.labcheck("step-04", "--wait", "0", "-o", "json", env={"KUBECONFIG": str(other)})
    assert json_report(by_ctx)["namespace"] == learner.namespace


def test_watch_rechecks_until_the_learner_is_done(learner: Learner) -> None:
    env = {**learner.env(), "LANG": "en_US.UTF-8"}
    watcher = subprocess.Popen(
        [sys.executable, "-m", "labcheck", "--watch", "step-02", "-n", learner.namespace, "--wait", "120"],
        env=env, cwd=learner.files, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(3)
        assert watcher.poll() is None, f"--watch gave up before the learner started: {watcher.communicate()}"
        learner.solve("step-02")
        out, err = watcher.communicate(timeout=120)
    finally:
        if watcher.poll() is None:
            watcher.kill()
    assert watcher.returncode == 0, out + err
    assert "waiting" in err and "not done yet" in err  # progress lines while it waited
    assert "5/5" in out or "100" in out

"""Issue 14 on the real node (real kubelet, containerd, kube-proxy): verdicts that need a container
that really crashes, a Pod really held by a finalizer, a node port that really refuses, a Service whose
first port is not the app's."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from labcheck.core.results import Outcome
from tests.e2e.learner import POD, Learner, check, json_report, outcomes, report

pytestmark = pytest.mark.cluster

IMAGE = "stacksimplify/kubenginx:1.0.0"
FINALIZER = "labcheck.test/hold"
STEPS = [f"step-0{i}" for i in range(1, 8)]


def crash_loop(learner: Learner) -> None:
    """The app exits 1 at once: the real kubelet restarts it (terminated Error, then CrashLoopBackOff)."""
    learner.run_pod(args=("--exit", "1"), wait=False)
    learner.cluster.wait_for("a restart", lambda: learner.kubectl(
        "get", "pod", POD, "-o", "jsonpath={.status.containerStatuses[0].restartCount}").stdout not in ("", "0"),
        timeout=60)


def test_a_pod_that_crash_looped_then_was_deleted_does_not_pass_from_its_events(learner: Learner) -> None:
    crash_loop(learner)
    learner.cluster.wait_for("a BackOff warning", lambda: "BackOff" in learner.kubectl(
        "get", "events", "--field-selector", f"involvedObject.name={POD}",
        "-o", "jsonpath={.items[*].reason}").stdout, timeout=90)
    learner.kubectl("delete", "pod", POD, "--wait=true")
    result = learner.grade("step-02", wait=0)
    ran = check(result, "pod-running")
    assert (ran.outcome, ran.message_id) == (Outcome.FAILED, "pod.gone_crashed"), (
        f"{ran.message.en} | {outcomes(result)}")
    assert "BackOff" in ran.message.en and "BackOff" in ran.message.zh
    assert "BackOff" in str(ran.actual["warnings"])
    for lang in ("en", "zh"):
        assert ran.message.get(lang) in report(result, lang)


@pytest.fixture
def held(learner: Learner) -> Iterator[Learner]:
    """my-first-pod, Running, then `kubectl delete` while a finalizer holds it: it stays, being deleted."""
    overrides = {"metadata": {"finalizers": [FINALIZER]}}
    learner.kubectl("run", POD, "--image", IMAGE, "--overrides", json.dumps(overrides))
    learner.kubectl("wait", "--for=condition=Ready", f"pod/{POD}", "--timeout=60s")
    learner.kubectl("expose", "pod", POD, "--type=NodePort", "--port=80", "--name=my-first-service")
    (learner.files / "my-first-pod.yaml").write_text(learner.kubectl("get", "pod", POD, "-o", "yaml").stdout,
                                                    encoding="utf-8")
    learner.kubectl("delete", "pod", POD, "--wait=false")
    learner.cluster.wait_for("a deletionTimestamp", lambda: learner.kubectl(
        "get", "pod", POD, "-o", "jsonpath={.metadata.deletionTimestamp}").stdout != "")
    try:
        yield learner
    finally:  # else the namespace could never be deleted
        learner.kubectl("patch", "pod", POD, "--type=merge", "-p", '{"metadata":{"finalizers":null}}',
                        check=False)


def test_a_pod_held_by_a_finalizer_is_being_deleted_in_every_step(held: Learner) -> None:
    seen = {}
    for step in ("step-04", "step-05", "step-06"):
        result = held.grade(step, wait=0)
        seen.update({f"{step}/{c.check_id}": (c, result) for c in result.checks})
    for key in ("step-04/pod-running", "step-05/access-log", "step-05/exec-index", "step-06/pod-live"):
        found, result = seen[key]
        assert (found.outcome, found.message_id) == (Outcome.PENDING, "object.terminating"), (
            key, found.message.en, outcomes(result))
        assert FINALIZER in found.message.en and FINALIZER in found.message.zh
        assert "正在被删除" in found.message.zh and "is being deleted" in found.message.en
        assert found.hint is not None and "finalizers\":null" in found.hint.en
    assert seen["step-06/pod-yaml"][0].outcome is Outcome.SKIPPED


def test_a_node_port_that_refuses_says_what_to_try_and_does_not_blame_the_cluster(learner: Learner) -> None:
    learner.run_pod(args=("--port", "8080"))  # kube-proxy forwards to port 80, where nothing listens
    learner.kubectl("expose", "pod", POD, "--type=NodePort", "--port=80", "--name=my-first-service")
    result = learner.grade("step-04", wait=5)
    answers = check(result, "service-answers")
    assert (answers.outcome, answers.graded, answers.message_id) == (Outcome.ERROR, False, "http.unreachable")
    assert "refused" in answers.message.en and "连接被拒绝" in answers.message.zh
    assert answers.hint is not None
    for lang, footer_words, never in (("en", "could not reach the node port", "cluster could not answer"),
                                      ("zh", "本机无法访问节点端口", "集群无法应答")):
        text = report(result, lang)
        assert answers.hint.get(lang) in text and "kubectl get nodes -o wide" in text
        footer = text.split("\n\n")[-1]
        assert footer_words in footer and never not in footer, footer


def test_a_service_whose_first_port_is_not_the_apps_still_answers(learner: Learner) -> None:
    """443 (nothing listens) then 80: the check means port 80 and opens port 80's node port."""
    learner.run_pod()
    service = {"apiVersion": "v1", "kind": "Service",
               "metadata": {"name": "my-first-service", "labels": {"run": POD}},
               "spec": {"type": "NodePort", "selector": {"run": POD}, "ports": [
                   {"name": "https", "port": 443, "targetPort": 443},
                   {"name": "http", "port": 80, "targetPort": 80}]}}
    learner.kubectl("apply", "-f", "-", stdin=json.dumps(service))
    node = learner.cluster.get_json("nodes")["items"][0]
    ip = next(a["address"] for a in node["status"]["addresses"] if a["type"] == "InternalIP")
    url = f"http://{ip}:{learner.cluster.node_port(learner.namespace, 'my-first-service', index=1)}/"

    def answers_on_80() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2) as page:  # the node: in the suite's netns
                return bool(page.status == 200)
        except OSError:
            return False

    learner.cluster.wait_for("port 80's node port", answers_on_80, timeout=30)
    result = learner.grade("step-04", wait=10)
    answers = check(result, "service-answers")
    assert answers.outcome is Outcome.PASSED, f"{answers.message.en} | {outcomes(result)}"
    assert answers.evidence["port"] == "80"


def test_progress_survives_the_clean_up(learner: Learner, tmp_path: Path) -> None:
    """The learner checks each step as they go; step 7 deletes what steps 4-6 graded. `check --all`
    afterwards scored 14/26 (53.8 %) with hints to re-create what was rightly deleted."""
    env = {"XDG_STATE_HOME": str(tmp_path / "state")}
    for step in STEPS[:6]:
        learner.solve(step)
        run = learner.labcheck(step, "-n", learner.namespace, "--wait", "20", env=env)
        assert run.returncode == 0, f"{step}:\n{run.stdout}{run.stderr}"
    learner.solve("step-07")
    after = learner.labcheck("check", "--all", "-n", learner.namespace, "--wait", "20", "-o", "json", env=env)
    assert after.returncode == 0, after.stdout + after.stderr
    data = json_report(after)
    assert data["percent"] == 100
    remembered = {f"{s['id']}/{c['id']}" for s in data["steps"] for c in s["checks"] if c["remembered"]}
    assert {"step-04/pod-running", "step-05/exec-index", "step-06/pod-live"} <= remembered, remembered
    assert not any(k.startswith(("step-01", "step-03", "step-07")) for k in remembered)  # graded now
    text = learner.labcheck("check", "--all", "-n", learner.namespace, "--wait", "0", "--lang", "zh", env=env)
    assert "此前已通过" in text.stdout and "100%" in text.stdout
    bare = learner.labcheck("check", "--all", "-n", learner.namespace, "--wait", "0", "--no-progress",
                            "-o", "json", env=env)
    assert bare.returncode == 1 and json_report(bare)["percent"] < 100
    shown = learner.labcheck("progress", "-n", learner.namespace, env=env)
    assert "step-04/pod-running" in shown.stdout

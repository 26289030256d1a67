"""`labcheck grade --roster` over a class on the real node: each learner's namespace holds real
containers (the reference solution, common mistakes, nothing), and each learner's verdicts and the
gradebook come out right. test_batch_roster.py grades 32 learners on kwok (scale, resume, shards)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from labcheck.loader import load_lab
from tests.cli_run import labcheck
from tests.cluster.handle import KubeCluster
from tests.e2e.learner import POD, Learner

pytestmark = pytest.mark.cluster
STEPS = ["step-04", "step-05"]
LAB = load_lab("pods")
POINTS = {s: {c.id: c.points for c in LAB.step(s).checks} for s in STEPS}
PASSED = {f"{s}/{c}": "passed" for s in STEPS for c in POINTS[s]}
EMPTY = {key: "skipped" if key.endswith("-answers") else "pending" for key in PASSED}  # answers need a Service
# What each learner did, and the verdicts that must come out (checks not named: as in EXPECTED's base)
KINDS = {
    "s0": "complete", "s1": "complete", "s2": "wrong-image", "s3": "crash-loop", "s4": "no-target-port",
    "s5": "status-502", "s6": "empty",
}
EXPECTED: dict[str, dict[str, str]] = {
    "complete": PASSED,
    "empty": EMPTY,
    "wrong-image": {"step-04/pod-running": "failed", "step-04/service": "pending"},
    "crash-loop": {"step-04/pod-running": "failed", "step-04/service": "pending",
                   "step-05/exec-index": "failed"},
    "no-target-port": {"step-04/pod-running": "passed", "step-04/service": "passed",
                       "step-04/service-answers": "passed", "step-04/service2": "failed",
                       "step-05/exec-index": "passed"},
    "status-502": {"step-04/pod-running": "passed", "step-04/service": "passed",
                   "step-04/service-answers": "failed", "step-05/exec-index": "passed"},
}
MESSAGES = {"wrong-image": ("pod-running", "image"), "crash-loop": ("pod-running", "keeps crashing"),
            "no-target-port": ("service2", "targetPort"), "status-502": ("service-answers", "502")}


@dataclass
class Class:
    cluster: KubeCluster
    root: Path
    roster: Path
    learners: dict[str, Learner]


def _play(learner: Learner, kind: str) -> None:
    if kind == "complete":
        learner.solve("step-04")
        learner.solve("step-05")
    elif kind == "wrong-image":
        learner.run_pod("stacksimplify/kubenginx:2.0.0")
    elif kind == "crash-loop":  # the real kubelet restarts it: wait for the first restart
        learner.run_pod(args=("--exit", "1"), wait=False)
        learner.cluster.wait_for("a restart", lambda: int(learner.kubectl(
            "get", "pod", POD, "-o", "jsonpath={.status.containerStatuses[0].restartCount}").stdout or 0) >= 1,
            timeout=90)
    elif kind == "no-target-port":
        learner.run_pod()
        learner.kubectl("expose", "pod", POD, "--type=NodePort", "--port=80", "--name=my-first-service")
        learner.kubectl("expose", "pod", POD, "--type=NodePort", "--port=81", "--name=my-first-service2")
    elif kind == "status-502":
        learner.run_pod(args=("--status", "502"))
        learner.kubectl("expose", "pod", POD, "--type=NodePort", "--port=80", "--name=my-first-service")


@pytest.fixture(scope="module")
def klass(real_cluster: KubeCluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Class]:
    root = tmp_path_factory.mktemp("real-class")
    tag = os.urandom(3).hex()
    learners: dict[str, Learner] = {}
    for sid in KINDS:
        ns = f"batch-{tag}-{sid}"
        real_cluster.create_namespace(ns)
        (root / "files" / sid).mkdir(parents=True)
        learners[sid] = Learner(real_cluster, ns, root / "files" / sid)
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda sid: _play(learners[sid], KINDS[sid]), KINDS))
    lines = ["id,name,email,kubeconfig,context,namespace"]
    lines += [f"{sid},Student {sid},{sid}@uni.example,{real_cluster.kubeconfig},{real_cluster.context},"
              f"{learner.namespace}" for sid, learner in learners.items()]
    roster = root / "roster.csv"
    roster.write_text("\n".join(lines) + "\n")
    yield Class(real_cluster, root, roster, learners)
    for learner in learners.values():
        learner.close()
        real_cluster.kubectl("delete", "namespace", learner.namespace, "--wait=false", check=False)


def grade(klass: Class, out: str) -> subprocess.CompletedProcess[str]:
    return labcheck("grade", "--roster", str(klass.roster), "--steps", ",".join(STEPS), "--out", out,
                    "--jobs", "4", "--timeout", "120", "--wait", "5", "--files", "files", cwd=klass.root,
                    timeout=600)


def test_a_class_on_the_real_node_each_learners_verdicts_and_the_gradebook(klass: Class) -> None:
    proc = grade(klass, "results")
    assert proc.returncode == 1, proc.stdout + proc.stderr  # graded, not everyone passed
    assert f"{len(KINDS)} students:" in proc.stdout, proc.stdout
    out = klass.root / "results"
    book = {row["id"]: row for row in csv.DictReader(io.StringIO((out / "gradebook.csv").read_text()))}
    assert list(book) == list(KINDS)
    for sid, kind in KINDS.items():
        report = json.loads((out / "students" / sid / "report.json").read_text())
        checks = {f"{s['id']}/{c['id']}": c for s in report["steps"] for c in s["checks"]}
        statuses = {key: c["status"] for key, c in checks.items()}
        wanted = EXPECTED[kind]
        assert {k: statuses[k] for k in wanted} == wanted, (sid, kind, statuses)
        assert "error" not in statuses.values(), (sid, statuses)
        if kind in MESSAGES:
            check_id, words = MESSAGES[kind]
            text = json.dumps(next(c for key, c in checks.items() if key.endswith(f"/{check_id}")))
            assert words in text, (sid, text)
        if kind == "crash-loop":  # no exec into a crashed container (the kubelet: HTTP 500 container not found)
            assert checks["step-05/exec-index"]["message_id"] == "exec.container_not_running", checks
        # the gradebook is the points of the passed checks, step by step
        for step in STEPS:
            earned = sum(POINTS[step][key.split("/")[1]] for key, v in statuses.items()
                         if v == "passed" and key.startswith(f"{step}/"))
            assert float(book[sid][step]) == earned, (sid, step, book[sid], statuses)
        assert float(book[sid]["total"]) == sum(float(book[sid][s]) for s in STEPS)
    full = sum(sum(p.values()) for p in POINTS.values())
    assert [float(book[s]["total"]) == full for s in KINDS] == [k == "complete" for k in KINDS.values()]
    assert float(book["s6"]["total"]) == 0

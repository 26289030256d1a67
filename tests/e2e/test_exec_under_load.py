"""A correct learner never fails under load: a class of correct learners (steps 1-6 of the Pods lab,
index.html served by kwok Exec objects, made in bulk as the benchmark makes them) graded several
times in a row with `labcheck grade --jobs 8`, every check of every learner passed each time.

Sized to run in about two minutes on the project's 2-core machine (100 learners x 3 rounds). The
issue's 500 learners (where learner s075's exec once FAILED with empty output in 2 of 4 runs) are
run by the benchmark: `python -m benchmarks --only batch --students 500` prints every outcome.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.prepare import Klass, clean, prepare
from tests.cli_run import labcheck
from tests.cluster.handle import KubeCluster

pytestmark = pytest.mark.cluster
LEARNERS, ROUNDS = 100, 3
STEPS = "step-01,step-02,step-03,step-04,step-05,step-06"  # step 7 is the clean-up, not done yet


@pytest.fixture(scope="module")
def klass(kube_cluster: KubeCluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Klass]:
    made = prepare(kube_cluster, tmp_path_factory.mktemp("load"), LEARNERS)
    yield made
    clean(kube_cluster, made)


def not_passed(out: Path) -> Counter[str]:
    counts: Counter[str] = Counter()
    records = sorted(out.glob("students/*/record.json"))
    assert len(records) == LEARNERS
    for record in records:
        for step in json.loads(record.read_text(encoding="utf-8"))["run"]["steps"]:
            for check in step["checks"]:
                if check["outcome"] != "passed":
                    counts[f"{record.parent.name} {step['step_id']}/{check['check_id']}={check['outcome']}"] += 1
    return counts


def test_every_correct_learner_passes_every_round(klass: Klass, kube_cluster: KubeCluster) -> None:
    env = {"KUBECONFIG": str(kube_cluster.kubeconfig)}
    for round_ in range(ROUNDS):
        out = klass.root / f"round-{round_}"
        proc = labcheck("grade", "--roster", str(klass.roster), "--steps", STEPS, "--out", str(out),
                        "--files", str(klass.files), "--jobs", "8", "--wait", "0",
                        cwd=klass.root, env=env, timeout=600)
        failures = not_passed(out)
        assert not failures, f"round {round_}: {dict(failures)}\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}"
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]

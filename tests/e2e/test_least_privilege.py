"""Least privilege and read-only by construction, on the real control plane.

A learner works through the whole Pods lab; after each step labcheck grades it as a ServiceAccount
bound to exactly `labcheck rbac --all` and scores 100 %. A second account without `pods/exec`
gets `error: forbidden` on the exec check only. Then the API server's audit log of everything the
grader's account did shows reads only (get/list/watch), plus the exec subresource.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from labcheck.core.results import Outcome, RunResult
from labcheck.kube import USER_AGENT
from labcheck.loader import load_lab
from labcheck.session import grade
from tests.cluster.handle import KubeCluster
from tests.e2e.grader_account import GraderAccount, grader_account
from tests.e2e.learner import Learner, check, outcomes

pytestmark = pytest.mark.cluster
STEPS = [f"step-0{i}" for i in range(1, 8)]
READS = {"get", "list", "watch"}
STREAMS = {"exec", "portforward"}  # WebSocket upgrades: authorized as `create`, audited as get/create


@pytest.fixture
def learner(kube_cluster: KubeCluster, namespace: str, tmp_path: Path) -> Iterator[Learner]:
    files = tmp_path / "files"
    files.mkdir()
    person = Learner(kube_cluster, namespace, files)
    yield person
    person.close()


def grade_as(account: GraderAccount, learner: Learner, step: str, wait: float = 20) -> RunResult:
    return grade(load_lab("pods"), [step], kubeconfig=str(account.kubeconfig), context=None,
                 namespace=learner.namespace, files_dir=learner.files, wait=wait)


def test_full_lab_as_exactly_the_printed_role_is_read_only(learner: Learner, tmp_path: Path) -> None:
    cluster = learner.cluster
    account = grader_account(cluster, learner.namespace, tmp_path / "grader.kubeconfig")
    rules = [rule for doc in account.rbac for rule in doc.get("rules", [])]  # type: ignore[attr-defined]
    granted = {verb for rule in rules for verb in rule["verbs"]}
    assert granted <= READS | {"create"}, rules
    assert all(set(r["resources"]) <= {"pods/exec", "pods/portforward"} for r in rules if "create" in r["verbs"])
    no_exec = grader_account(cluster, learner.namespace, tmp_path / "no-exec.kubeconfig", "step-05",
                             without=["pods/exec"], service_account="no-exec")

    for step in STEPS:
        learner.solve(step)
        result = grade_as(account, learner, step)
        assert result.percent == 100 and result.exit_code == 0, f"{step}: {outcomes(result)}"
        if step == "step-05":
            denied = grade_as(no_exec, learner, step, wait=0)
            exec_check = check(denied, "exec-index")
            assert exec_check.outcome is Outcome.ERROR and not exec_check.graded, exec_check.message.en
            assert "forbidden" in exec_check.message.en
            assert check(denied, "access-log").outcome is Outcome.PASSED
            assert denied.exit_code == 2

    seen = requests_of(cluster, account.username)
    assert {e["verb"] for e in seen} >= {"get", "list"}
    writes = [e for e in seen if e["verb"] not in READS and sub(e) not in STREAMS]
    assert not writes, [(e["verb"], e["requestURI"]) for e in writes]
    assert {e["userAgent"] for e in seen} == {USER_AGENT}  # REST and WebSocket requests alike
    assert any(sub(e) == "exec" for e in seen)
    logs = [e["requestURI"] for e in seen if sub(e) == "log"]
    assert logs and all("limitBytes=" in uri and "tailLines=" in uri for uri in logs), logs
    # and nobody else wrote as labcheck: every request with its user agent is a read or a stream
    ours = [e for e in cluster.audit_events(namespace=learner.namespace, user_agent=USER_AGENT)
            if e["verb"] not in READS and sub(e) not in STREAMS]
    assert not ours, [(e["verb"], e["requestURI"], e["user"]["username"]) for e in ours]


def sub(event: dict[str, Any]) -> str:
    return str((event.get("objectRef") or {}).get("subresource", ""))


def requests_of(cluster: KubeCluster, username: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def some() -> bool:
        found[:] = [e for e in cluster.audit_events() if e.get("user", {}).get("username") == username]
        return bool(found)

    cluster.wait_for(f"audit entries of {username}", some, timeout=10)
    return found

"""The fault matrix: whatever goes wrong between labcheck and the cluster, every check ends as
`error` (ungraded) with a clear reason, the JUnit file is still written and XSD-valid, the exit
code is 2, and the run ends within its bound (the subprocess timeout only guards against a hang).

The session's shared cluster is never harmed: a killed or slow API server is a FaultProxy in
front of it, a hanging exec is a named pipe, a hanging port-forward a server that never answers.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import xmlschema

from tests.cluster.handle import KubeCluster
from tests.e2e.fault_lab import WAITING, XSD, labcheck, prepare, release_fifo, write_lab
from tests.e2e.faults import FaultProxy, SilentServer, kubeconfig_for
from tests.e2e.grader_account import grader_account

pytestmark = pytest.mark.cluster
SCHEMA = xmlschema.XMLSchema(str(XSD))


@dataclass
class Env:
    cluster: KubeCluster
    namespace: str
    lab: Path  # step-01: every kind of read; step-02: streams that never answer
    waiting_lab: Path  # step-01: checks that keep polling (nothing there yet)
    tmp: Path
    wrong_ca: bytes

    def kubeconfig(self, name: str, **changes: Any) -> Path:
        return kubeconfig_for(self.cluster.kubeconfig, self.tmp / f"{name}.kubeconfig", **changes)


@pytest.fixture(scope="module")
def env(kube_cluster: KubeCluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    tmp = tmp_path_factory.mktemp("faults")
    namespace = f"faults-{os.urandom(3).hex()}"
    kube_cluster.create_namespace(namespace)
    silent = SilentServer()
    root = prepare(kube_cluster, namespace, forward_port=silent.port)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=not-the-cluster-ca", "-keyout", str(tmp / "ca.key"), "-out", str(tmp / "ca.crt")],
                   check=True, capture_output=True, timeout=60)
    yield Env(kube_cluster, namespace, write_lab(tmp / "lab"), write_lab(tmp / "waiting", WAITING), tmp,
              (tmp / "ca.crt").read_bytes())
    release_fifo(root)
    silent.stop()
    kube_cluster.kubectl("delete", "namespace", namespace, "--wait=false", check=False)


@dataclass
class Run:
    proc: subprocess.CompletedProcess[str]
    checks: dict[str, dict[str, Any]]  # id -> the JSON report's check

    def messages(self) -> str:
        return " | ".join(c["message"] for c in self.checks.values())


def grade(env: Env, kubeconfig: Path, *args: str, step: str = "step-01", lab: Path | None = None,
          namespace: str | None = None) -> Run:
    junit, report = env.tmp / "junit.xml", env.tmp / "report.json"
    for path in (junit, report):
        path.unlink(missing_ok=True)
    proc = labcheck(step, "--lab", str(lab or env.lab), "--kubeconfig", str(kubeconfig), "-n",
                    namespace or env.namespace, "--junit-xml", str(junit), "--json-report", str(report), *args,
                    cwd=env.tmp, timeout=90)
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    SCHEMA.validate(str(junit))
    data = json.loads(report.read_text(encoding="utf-8"))
    return Run(proc, {c["id"]: c for s in data["steps"] for c in s["checks"]})


def assert_ungraded(run: Run, *reason: str) -> None:
    """Exit 2; every check `error` (or skipped because of one), ungraded; the reason is named."""
    assert run.proc.returncode == 2, run.proc.stdout + run.proc.stderr
    for check in run.checks.values():
        assert check["status"] in ("error", "skipped") and not check["graded"], check
    errors = " | ".join(c["message"] for c in run.checks.values() if c["status"] == "error")
    assert errors and any(r.lower() in errors.lower() for r in reason), errors


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- before the first request succeeds ------------------------------------------------------------
Setup = Callable[[Env, contextlib.ExitStack], tuple[Path, list[str]]]


def _proxy(env: Env, stack: contextlib.ExitStack, mode: str, delay: float = 0.0) -> str:
    return stack.enter_context(FaultProxy(env.cluster.apiserver_url, mode, delay)).url  # type: ignore[arg-type]


CASES: dict[str, tuple[Setup, tuple[str, ...]]] = {
    "not-listening": (lambda e, s: (e.kubeconfig("down", server=f"https://127.0.0.1:{closed_port()}"), []),
                      ("cannot connect",)),
    "tls-wrong-ca": (lambda e, s: (e.kubeconfig("tls", ca_pem=e.wrong_ca), []), ("TLS verification failed",)),
    "invalid-token": (lambda e, s: (e.kubeconfig("token", user={"token": "labcheck-invalid-token-0123456789"}), []),
                      ("Unauthorized",)),
    "dns": (lambda e, s: (e.kubeconfig("dns", server="https://labcheck-no-such-host.invalid:6443"), []),
            ("cannot resolve",)),
    "slow-timeout": (lambda e, s: (e.kubeconfig("slow", server=_proxy(e, s, "delay", 60)), ["--timeout", "4"]),
                     ("did not answer in time", "time limit")),
    "slow-wait-only": (lambda e, s: (e.kubeconfig("slow2", server=_proxy(e, s, "delay", 60)), ["--wait", "2"]),
                       ("did not answer in time",)),
    "hangs-timeout": (lambda e, s: (e.kubeconfig("hang", server=_proxy(e, s, "hang")), ["--timeout", "4"]),
                      ("did not answer in time", "time limit")),
}


@pytest.mark.parametrize("case", list(CASES))
def test_cluster_fault_is_an_error_for_every_check(env: Env, case: str) -> None:
    setup, reason = CASES[case]
    with contextlib.ExitStack() as stack:
        kubeconfig, args = setup(env, stack)
        run = grade(env, kubeconfig, *args)
    assert_ungraded(run, *reason)
    assert "labcheck:" in run.proc.stderr  # the cluster problem, once, on stderr too


def test_namespace_that_does_not_exist(env: Env) -> None:
    run = grade(env, env.kubeconfig("ok"), namespace="no-such-namespace-here")
    assert_ungraded(run, "namespace 'no-such-namespace-here' does not exist")


# -- in the middle of a run -------------------------------------------------------------------------
def test_api_server_killed_mid_run(env: Env) -> None:
    with FaultProxy(env.cluster.apiserver_url) as proxy:
        proxy.kill_after(2.0)  # the first looks succeed (pending), then every connection is cut
        run = grade(env, env.kubeconfig("killed", server=proxy.url), "--wait", "6", lab=env.waiting_lab)
    assert proxy.connections >= 1
    assert_ungraded(run, "cannot connect", "closed the connection")
    assert "TLS" not in run.messages()  # a cut connection is not a certificate problem


def test_api_server_slow_mid_run_ends_by_the_time_limit(env: Env) -> None:
    with FaultProxy(env.cluster.apiserver_url) as proxy:
        def slow_down() -> None:
            proxy.delay, proxy.mode = 60.0, "delay"

        threading.Timer(1.5, slow_down).start()
        run = grade(env, env.kubeconfig("slowed", server=proxy.url), "--timeout", "5", lab=env.waiting_lab)
    assert run.proc.returncode == 2, run.proc.stdout + run.proc.stderr
    statuses = {c["status"] for c in run.checks.values()}
    assert statuses <= {"error", "pending"} and "error" in statuses, run.checks  # pending: the last look
    assert "did not answer in time" in run.messages() or "time limit" in run.messages()


def test_rbac_forbids_one_kind_the_others_still_grade(env: Env) -> None:
    account = grader_account(env.cluster, env.namespace, env.tmp / "no-services.kubeconfig", "step-01",
                             lab=str(env.lab), without=["services"], service_account="no-services")
    run = grade(env, account.kubeconfig, "--wait", "2")
    assert run.proc.returncode == 2, run.proc.stdout + run.proc.stderr
    service = run.checks.pop("service")
    assert service["status"] == "error" and not service["graded"] and "forbidden" in service["message"]
    assert {c["status"] for c in run.checks.values()} == {"passed"}, run.checks


def test_exec_and_port_forward_streams_that_never_answer(env: Env) -> None:
    run = grade(env, env.kubeconfig("streams"), "--wait", "4", "--timeout", "20", step="step-02")
    assert_ungraded(run, "no answer within")
    assert {c["status"] for c in run.checks.values()} == {"error"}, run.checks
    assert "exec in pod web" in run.checks["exec-hangs"]["message"]
    assert "port-forward to pod web:80" in run.checks["forward-hangs"]["message"]

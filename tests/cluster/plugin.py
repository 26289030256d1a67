"""pytest plugin: the local kwok cluster (`kube_cluster`, `namespace`) and the kind path (`kind_kube`).

- `@pytest.mark.cluster` tests use `kube_cluster` (one cluster per session, ~5 s to start warm) and
  `namespace` (a fresh namespace per test, deleted afterwards). If the control plane is not built,
  or the cluster does not come up within --cluster-timeout, they FAIL (never skip) with the reason.
  LABCHECK_TEST_KUBECONFIG=path reuses a running cluster (`python -m tests.cluster.testenv up`
  prints it); a kubeconfig of any other cluster works too, without the kwok-only helpers.
- `@pytest.mark.kind` tests use `kind_kube`: a real kind cluster through pytest-kind's `kind_cluster`.
  They skip, saying why, when no Docker engine answers (as on the dev machine); CI runs them with
  `pytest -m kind`.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from tests.cluster.binaries import Binaries, MissingBinaries
from tests.cluster.handle import KubeCluster
from tests.cluster.testenv import ClusterStartError, KwokCluster

_started: dict[str, float] = {}
_kept: dict[str, str] = {}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("labcheck cluster")
    group.addoption("--cluster-timeout", type=float, default=120.0,
                    help="seconds the local kwok cluster may take to come up (default 120)")
    group.addoption("--keep-kwok-cluster", action="store_true",
                    help="leave the local kwok cluster running after the session (prints its kubeconfig)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "cluster: needs the real local control plane (tests/cluster)")
    config.addinivalue_line("markers",
                            "kind: runs on a real kind cluster (pytest-kind); skips without Docker")


@cache
def docker_problem() -> str | None:
    """None if a Docker engine answers, else why not."""
    docker = shutil.which("docker")
    if docker is None:
        return "no docker command"
    try:
        proc = subprocess.run([docker, "info", "--format", "{{.ServerVersion}}"],
                              capture_output=True, text=True, timeout=20)
    except subprocess.TimeoutExpired:
        return "`docker info` timed out"
    if proc.returncode != 0:
        return "no Docker engine: " + (proc.stderr.strip().splitlines() or ["docker info failed"])[-1]
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    kind_items = [i for i in items if i.get_closest_marker("kind")]
    if kind_items and (problem := docker_problem()):
        skip = pytest.mark.skip(reason=f"kind tests need Docker ({problem}); they run in CI (pytest -m kind)")
        for item in kind_items:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def kube_cluster(request: pytest.FixtureRequest) -> Iterator[KubeCluster]:
    """The session's cluster: kwok + the real control plane from ~/.cache/labcheck-testenv."""
    reuse = os.environ.get("LABCHECK_TEST_KUBECONFIG")
    if reuse:
        path = Path(reuse).expanduser()
        if not path.exists():
            pytest.fail(f"LABCHECK_TEST_KUBECONFIG={reuse}: no such file", pytrace=False)
        kwok = KwokCluster.attach(path)
        yield KubeCluster.from_kwok(kwok) if kwok else KubeCluster.from_kubeconfig(path)
        return
    try:
        bins = Binaries.from_versions().require()
    except MissingBinaries as e:
        pytest.fail(str(e), pytrace=False)
    timeout = request.config.getoption("--cluster-timeout")
    KwokCluster.reap_orphans()
    cluster = KwokCluster(bins=bins)
    try:
        cluster.start(timeout=timeout)
    except ClusterStartError as first:  # one more try (e.g. a port taken between pick and bind)
        cluster = KwokCluster(bins=bins)
        try:
            cluster.start(timeout=timeout)
        except ClusterStartError as second:
            pytest.fail(f"{first}\n\n=== second attempt ===\n{second}", pytrace=False)
    _started["seconds"] = cluster.startup_seconds
    try:
        yield KubeCluster.from_kwok(cluster)
    finally:
        if request.config.getoption("--keep-kwok-cluster"):
            cluster.save_state(keep=True)
            _kept["kubeconfig"] = str(cluster.kubeconfig)
        else:
            cluster.stop()


def _namespace_name(test_name: str) -> str:
    base = re.sub(r"[^a-z0-9-]+", "-", test_name.lower()).strip("-")[:48].strip("-") or "t"
    return f"{base}-{secrets.token_hex(3)}"


def fresh_namespace(cluster: KubeCluster, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh namespace for one test (its default ServiceAccount exists), deleted afterwards."""
    name = _namespace_name(request.node.name)
    cluster.create_namespace(name)
    try:
        yield name
    finally:
        cluster.kubectl("delete", "namespace", name, "--wait=false", "--ignore-not-found", check=False)


@pytest.fixture
def namespace(kube_cluster: KubeCluster, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh namespace on the kwok cluster."""
    yield from fresh_namespace(kube_cluster, request)


@pytest.fixture(scope="session")
def kind_kube(request: pytest.FixtureRequest) -> KubeCluster:
    """A real kind cluster (pytest-kind's `kind_cluster`), with the same interface as kube_cluster."""
    if problem := docker_problem():
        pytest.skip(f"kind needs Docker ({problem})")
    kind = request.getfixturevalue("kind_cluster")
    kubectl = request.config.getoption("kind_kubectl_bin") or shutil.which("kubectl")
    if not kubectl:
        kind.ensure_kubectl()  # pytest-kind downloads its pinned kubectl
        kubectl = str(kind.kubectl_path)
    return KubeCluster.from_kubeconfig(Path(kind.kubeconfig_path), kubectl=str(kubectl))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if "seconds" in _started:
        terminalreporter.write_line(f"kwok test cluster: started in {_started['seconds']:.1f}s")
    if "kubeconfig" in _kept:
        terminalreporter.write_line(
            f"kwok test cluster kept: export LABCHECK_TEST_KUBECONFIG={_kept['kubeconfig']}")

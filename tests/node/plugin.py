"""pytest plugin: the real node (`real_cluster`, `real_namespace`).

One real-node cluster per session, started on first use inside the suite's network namespace
(scripts/hermetic). If it cannot start (not root, not isolated, parts not built), the tests that
use it FAIL with the reason, never skip.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cluster.binaries import MissingBinaries
from tests.cluster.handle import KubeCluster
from tests.cluster.plugin import fresh_namespace
from tests.node.cluster import RealCluster, RealClusterStartError, containerd_bin
from tests.node.netns import NotIsolated

_started: dict[str, float] = {}
# The node's cgroups (/<node>) and its name are machine-wide: two test sessions on one machine
# (worktrees, a developer beside CI) take turns instead of tearing down each other's node.
LOCK = Path("/run/lock/labcheck-real-node.lock")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("labcheck cluster").addoption(
        "--real-nodes", type=int, default=1, choices=(1, 2),
        help="real nodes in the session's real-node cluster (default 1; the others join from network "
             "namespaces of their own)")


@pytest.fixture(scope="session")
def real_cluster(request: pytest.FixtureRequest) -> Iterator[KubeCluster]:
    """Control plane + one real node (kubelet, containerd, runc, kube-proxy), real containers
    (`--real-nodes 2`: a second node too)."""
    if os.geteuid() != 0:
        pytest.fail("the real node needs root (kubelet, containerd and runc); CI runs as root", pytrace=False)
    if not (containerd_bin() / "containerd").exists():
        pytest.fail(f"containerd is not built in {containerd_bin()}: run `bash tests/node/build.sh` "
                    "or ./scripts/test", pytrace=False)
    LOCK.parent.mkdir(parents=True, exist_ok=True)
    lock = LOCK.open("w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    request.addfinalizer(lock.close)
    cluster = RealCluster(nodes=request.config.getoption("--real-nodes"))
    try:
        cluster.start(timeout=request.config.getoption("--cluster-timeout"))
    except (MissingBinaries, NotIsolated, RealClusterStartError) as e:
        pytest.fail(str(e), pytrace=False)
    _started["seconds"], _started["nodes"] = cluster.startup_seconds, len(cluster.runs)
    try:
        yield KubeCluster.from_real(cluster)
    finally:
        cluster.stop()


@pytest.fixture
def real_namespace(real_cluster: KubeCluster, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh namespace on the real node."""
    yield from fresh_namespace(real_cluster, request)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if "seconds" in _started:
        terminalreporter.write_line(
            f"real node (kubelet, containerd, runc, kube-proxy) test cluster ({_started['nodes']:g} node(s)): "
            f"started in {_started['seconds']:.1f}s; "
            "the Pods lab suite ran on it with real containers")
    if "two nodes" in _started:
        terminalreporter.write_line(f"two real nodes (the second in a network namespace of its own): started in "
                                    f"{_started['two nodes']:.1f}s")

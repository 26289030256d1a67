"""The real node's lifecycle: one start (control plane + node) in a network namespace of its own,
and a stop that leaves nothing behind: processes, containers, mounts, cgroups, devices, the
namespace, and the global sysctls kubelet changes."""

from __future__ import annotations

import os
import secrets
import subprocess
from pathlib import Path

import pytest

from tests.cluster.procs import cmdline
from tests.node import netns
from tests.node.cluster import KUBELET_SYSCTLS, RealCluster, read_sysctls
from tests.node.config import Layout
from tests.node.teardown import CGROUP_ROOT

pytestmark = pytest.mark.cluster


def _ours(root: Path) -> list[str]:
    return [line for pid in os.listdir("/proc") if pid.isdigit() and str(root) in (line := cmdline(int(pid)))]


def test_a_second_cluster_in_its_own_namespace_starts_and_leaves_nothing_behind(tmp_path: Path) -> None:
    name = f"labcheck-lc-{secrets.token_hex(3)}"
    prefix = netns.named(name)
    layout = Layout(node=f"labcheck-node-{secrets.token_hex(2)}")
    before = read_sysctls()
    cluster = RealCluster(tmp_path / "rc", prefix=prefix, layout=layout)
    try:
        cluster.start(timeout=150)
        assert netns.default_route(prefix) == ""  # its own namespace: no way out either
        cluster.kubectl("run", "web", "--image", "stacksimplify/kubenginx:1.0.0")
        cluster.kubectl("wait", "--for=condition=Ready", "pod/web", "--timeout=60s")
        assert read_sysctls()["vm.overcommit_memory"] == "1"  # kubelet set it
        assert list(CGROUP_ROOT.glob(f"*/{layout.node}/kubepods"))
    finally:
        cluster.stop(remove=False)
        netns.delete_named(name)
    assert _ours(cluster.root) == []
    assert str(cluster.root) not in Path("/proc/self/mountinfo").read_text()
    assert list(CGROUP_ROOT.glob(f"*/{layout.node}")) == []
    assert read_sysctls() == before and set(before) == set(KUBELET_SYSCTLS)
    assert not Path(f"/run/netns/{name}").exists()
    runc = subprocess.run(["runc", "--root", str(cluster.root / "runc" / "k8s.io"), "list", "-q"],
                          capture_output=True, text=True, timeout=30)
    assert runc.stdout.strip() == ""
    teardown = (cluster.root / "logs" / "teardown.log").read_text()
    assert "containers:" in teardown and "cgroups:" in teardown

"""The real node's lifecycle: one start (control plane + node) in a network namespace of its own,
and a stop that leaves nothing behind: processes, containers, mounts, cgroups, devices, the
namespace, and the global sysctls kubelet changes. Then two nodes (the second in a network
namespace of its own): Pods on each reach each other, a NodePort on node 2 reaches a Pod on node 1,
labcheck grades a learner whose Pod runs on node 2, and a stop leaves nothing of either node."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli_run import labcheck
from tests.cluster.procs import cmdline
from tests.e2e.learner import POD, SOLUTIONS
from tests.node import netns
from tests.node.cluster import KUBELET_SYSCTLS, RealCluster, RealClusterStartError, read_sysctls
from tests.node.config import Layout
from tests.node.plugin import _started
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


# -- two nodes: the second in a network namespace of its own, joined by a veth pair -------------
@dataclass
class TwoNodes:
    cluster: RealCluster
    name: str  # the cluster's network namespace
    prefix: tuple[str, ...]
    before: dict[str, str]
    here: list[str]  # the suite's own devices before (the session's real node may have an lcn1a too)
    stopped: bool = False

    def kubectl(self, *args: str, namespace: str | None = None) -> str:
        return self.cluster.kubectl(*args, namespace=namespace).stdout

    def inside(self, *argv: str, env: dict[str, str] | None = None,
               timeout: float = 180) -> subprocess.CompletedProcess[str]:
        """A command in the cluster's namespace (the API server and node addresses exist only there)."""
        return subprocess.run([*self.prefix, *argv], capture_output=True, text=True, timeout=timeout, env=env)

    def get(self, url: str) -> str:
        fetch = f"import urllib.request as u; print(u.urlopen({url!r}, timeout=3).read().decode())"
        for _ in range(40):  # kube-proxy takes a moment to program a new Service
            proc = self.inside(sys.executable, "-c", fetch, timeout=30)
            if proc.returncode == 0:
                return proc.stdout
            time.sleep(0.5)
        raise AssertionError(f"{url} never answered: {proc.stderr[-500:]}")

    def stop(self) -> None:
        if not self.stopped:
            self.stopped = True
            self.cluster.stop(remove=False)
            netns.delete_named(self.name)


@pytest.fixture(scope="module")
def two_nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwoNodes]:
    name = f"labcheck-2n-{secrets.token_hex(3)}"
    prefix = netns.named(name)
    before = read_sysctls()
    cluster = RealCluster(tmp_path_factory.mktemp("two-nodes") / "rc", prefix=prefix,
                          layout=Layout(node=f"labcheck-node-{secrets.token_hex(2)}-0"), nodes=2)
    nodes = TwoNodes(cluster, name, prefix, before, netns.devices())
    try:
        cluster.start(timeout=180)
    except RealClusterStartError as e:
        netns.delete_named(name)
        pytest.fail(str(e), pytrace=False)
    _started["two nodes"] = cluster.startup_seconds
    yield nodes
    nodes.stop()


def _pod_on(nodes: TwoNodes, pod: str, node: str) -> str:
    """A kubenginx Pod pinned to `node`; its IP."""
    nodes.kubectl("run", pod, "--image", "stacksimplify/kubenginx:1.0.0", "--port", "80",
                  "--overrides", json.dumps({"spec": {"nodeName": node}}))
    nodes.kubectl("wait", "--for=condition=Ready", f"pod/{pod}", "--timeout=60s")
    return nodes.kubectl("get", "pod", pod, "-o", "jsonpath={.status.podIP}")


def test_two_nodes_are_ready_with_a_pod_on_each_that_reach_each_other(two_nodes: TwoNodes) -> None:
    first, second = two_nodes.cluster.node_names
    nodes = json.loads(two_nodes.kubectl("get", "nodes", "-o", "json"))["items"]
    addresses = {n["metadata"]["name"]: n["status"]["addresses"][0]["address"] for n in nodes}
    assert addresses == {first: "10.213.0.2", second: "10.213.1.2"}
    assert netns.default_route(two_nodes.cluster.runs[1].prefix) == ""  # node 2's namespace: no way out
    a, b = _pod_on(two_nodes, "a", first), _pod_on(two_nodes, "b", second)
    assert a.startswith("10.214.0.") and b.startswith("10.214.1.")
    for pod, peer in (("a", b), ("b", a)):  # Pod to Pod across the nodes, both ways (busybox wget)
        page = two_nodes.kubectl("exec", pod, "--", "wget", "-q", "-O", "-", f"http://{peer}/")
        assert "Welcome to Stack Simplify" in page
    logs = two_nodes.kubectl("logs", "b")  # the API server reaches node 2's kubelet: logs from b
    assert f'{a} - - [' in logs and '"GET / HTTP/1.1" 200' in logs


def test_a_node_port_on_node_2_reaches_a_pod_on_node_1_through_kube_proxy(two_nodes: TwoNodes) -> None:
    first, _ = two_nodes.cluster.node_names
    _pod_on(two_nodes, "only-on-1", first)
    two_nodes.kubectl("expose", "pod", "only-on-1", "--type", "NodePort", "--port", "80", "--name", "np")
    port = two_nodes.kubectl("get", "svc", "np", "-o", "jsonpath={.spec.ports[0].nodePort}")
    assert "Welcome to Stack Simplify" in two_nodes.get(f"http://10.213.1.2:{port}/")
    # node 2's kube-proxy masqueraded the request: the Pod on node 1 saw node 2's address
    assert '10.213.1.2 - - [' in two_nodes.kubectl("logs", "only-on-1")


def test_labcheck_grades_a_learner_whose_pod_is_on_the_second_node(two_nodes: TwoNodes, tmp_path: Path) -> None:
    first, second = two_nodes.cluster.node_names
    namespace = "learner-on-2"
    two_nodes.kubectl("create", "namespace", namespace)
    two_nodes.kubectl("cordon", first)  # the scheduler has only node 2 left for the learner's Pods
    kubectl = str(two_nodes.cluster.bins["kubectl"])
    env = {**os.environ, "KUBECTL": kubectl, "KUBECONFIG": str(two_nodes.cluster.kubeconfig),
           "NAMESPACE": namespace, "FILES_DIR": str(tmp_path)}
    runner = [*two_nodes.prefix, sys.executable, "-m", "labcheck"]
    try:
        for step in ("step-02", "step-04", "step-05"):
            solved = two_nodes.inside("bash", str(SOLUTIONS / f"{step}.sh"), env=env)
            assert solved.returncode == 0, solved.stdout + solved.stderr
            if step == "step-04":
                where = two_nodes.kubectl("get", "pod", POD, "-o", "jsonpath={.spec.nodeName}", namespace=namespace)
                assert where == second
            graded = labcheck(step, "-n", namespace, "-o", "json", "--wait", "20", cwd=tmp_path,
                              env={"KUBECONFIG": str(two_nodes.cluster.kubeconfig), "KUBECTL": kubectl},
                              runner=runner)
            assert graded.returncode == 0, graded.stdout[-3000:] + graded.stderr[-3000:]
            assert json.loads(graded.stdout)["percent"] == 100
    finally:
        two_nodes.kubectl("uncordon", first)


def test_down_leaves_nothing_behind_for_both_nodes(two_nodes: TwoNodes) -> None:
    cluster, runs = two_nodes.cluster, two_nodes.cluster.runs
    node_ns = runs[1].netns
    assert Path(f"/run/netns/{node_ns}").exists()
    two_nodes.stop()
    assert _ours(cluster.root) == []
    assert str(cluster.root) not in Path("/proc/self/mountinfo").read_text()
    for run in runs:
        assert list(CGROUP_ROOT.glob(f"*/{run.node.name}")) == []
        listed = subprocess.run(["runc", "--root", str(run.root / "runc" / "k8s.io"), "list", "-q"],
                                capture_output=True, text=True, timeout=30)
        assert listed.stdout.strip() == ""
    assert read_sysctls() == two_nodes.before
    assert not Path(f"/run/netns/{two_nodes.name}").exists() and not Path(f"/run/netns/{node_ns}").exists()
    assert netns.devices() == two_nodes.here  # the veth pair lived in the cluster's namespaces only

"""The node's parts (containerd, kubelet, kube-proxy), once per node of a RealCluster.

Node 0 lives in the cluster's root and network namespace. Node i (a second node on demand) has its
own folder (`<root>/node-<i>`: containerd root, state and socket, runc root, kubelet root-dir, CNI
config and host-local range), its own cgroupRoot (/<name>), Pod range and CNI bridge, and its own
network namespace joined to the first by a veth pair (tests.node.netns.join_node), where its
kube-proxy owns the iptables rules. Its processes' logs are `logs/<part>-<i>.log`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tests.node import config, teardown
from tests.node.pki import Pki, add_node

if TYPE_CHECKING:
    from tests.node.cluster import RealCluster

CNI_BIN = "/usr/lib/cni"
PARTS = ("containerd", "kubelet", "kube-proxy")


@dataclass(frozen=True)
class NodeRun:
    """Where one node's parts run."""

    node: config.Node
    root: Path
    prefix: tuple[str, ...]  # how to enter its network namespace
    netns: str = ""  # its own namespace's name (node i >= 1)

    @property
    def socket(self) -> Path:
        return self.root / "containerd" / "containerd.sock"

    def part(self, name: str) -> str:
        """The process name in the cluster's pids and logs."""
        return name if self.node.index == 0 else f"{name}-{self.node.index}"


def node_run(cluster: RealCluster, node: config.Node, netns_name: str = "") -> NodeRun:
    if node.index == 0:
        return NodeRun(node, cluster.root, cluster.prefix)
    return NodeRun(node, cluster.root / f"node-{node.index}", ("nsenter", f"--net=/run/netns/{netns_name}"),
                   netns_name)


def start_node(cluster: RealCluster, run: NodeRun, pki: Pki, images: Path, deadline: float) -> None:
    """containerd up with the images imported, the cgroupRoot made, then kubelet and kube-proxy."""
    lay, node, root = cluster.layout, run.node, run.root
    for d in ("kubelet", "pod-logs", "cni", "containerd"):
        (root / d).mkdir(parents=True, exist_ok=True)
    kubelet_kc = cluster.root / f"{run.part('kubelet')}.kubeconfig"
    stem = "kubelet" if node.index == 0 else f"kubelet-{node.name}"
    if node.index:
        add_node(pki, node.name, node.ip)
    kubelet_kc.write_text(config.kubeconfig(lay.apiserver_url, pki.ca, pki.crt(stem), pki.key(stem), "kubelet"))
    (root / "resolv.conf").write_text("nameserver 127.0.0.1\n")
    (root / "cni" / "10-labcheck.conflist").write_text(config.cni_conflist(node, root))
    (root / "containerd.toml").write_text(config.containerd_toml(root, root / "cni", CNI_BIN))
    (root / "kubelet.yaml").write_text(config.kubelet_config(lay, node, root, pki, run.socket))
    (root / "kube-proxy.yaml").write_text(
        config.kube_proxy_config(lay, node, cluster.root / "kube-proxy.kubeconfig"))
    cluster.spawn(run.part("containerd"), [str(cluster.containerd / "containerd"), "--config",
                                           str(root / "containerd.toml")], run.prefix, path_first=cluster.containerd)
    cluster.wait(deadline, f"containerd of {node.name}", run.socket.exists)
    cluster.ctr("images", "import", "--platform", "linux/amd64", str(images), run=run)
    teardown.make_cgroups(node.name)
    b = cluster.bins
    cluster.spawn(run.part("kubelet"), [str(b["kubelet"]), "--config", str(root / "kubelet.yaml"),
                                        "--kubeconfig", str(kubelet_kc), "--root-dir", str(root / "kubelet"),
                                        "--hostname-override", node.name, "--node-ip", node.ip, "--v", "1"],
                  run.prefix)
    cluster.spawn(run.part("kube-proxy"), [str(b["kube-proxy"]), "--config", str(root / "kube-proxy.yaml")],
                  run.prefix)


def stop_nodes(cluster: RealCluster, runs: list[NodeRun], log: teardown.PhaseLog) -> None:
    """Every node's kubelet and kube-proxy, containers, shims and containerd (the control plane
    goes after, then mounts, cgroups and the network: RealCluster.stop)."""
    with log("kubelet, kube-proxy"):
        cluster.terminate([run.part(n) for run in runs for n in ("kube-proxy", "kubelet")])
    with log("containers"):
        for run in runs:
            teardown.remove_containers(run.root / "runc", run.prefix)
    with log("shims"):
        cluster.terminate_pids([pid for run in runs for pid in teardown.shims_of(run.socket)])
    with log("containerd"):
        cluster.terminate([run.part("containerd") for run in runs])

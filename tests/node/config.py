"""The node's configuration files: containerd (2.x schema), CNI, kubelet, kube-proxy, kubeconfigs.

Every path is under the cluster's own root; the settings are the ones ../shared/notes/real-node.md
found necessary on this kind of machine (restrict_oom_score_adj above all: the machine's
capability set lacks CAP_SYS_RESOURCE, and without it no sandbox starts).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import yaml

from tests.node.images import PAUSE_IMAGE
from tests.node.pki import Pki


@dataclass(frozen=True)
class Layout:
    """Addresses of one cluster: they exist only on devices inside the cluster's network namespace."""

    node: str = "labcheck-node-0"
    node_ip: str = "10.213.0.2"
    node_cidr: str = "10.213.0.0/24"
    pod_cidr: str = "10.214.0.0/24"
    service_cidr: str = "10.215.0.0/24"
    service_ip: str = "10.215.0.1"  # the kubernetes Service
    dns_ip: str = "10.215.0.10"  # no DNS server runs; kubelet wants one named
    apiserver_port: int = 6443
    etcd_port: int = 2379
    etcd_peer_port: int = 2380
    kubelet_port: int = 10250
    cni_bridge: str = "lcbr0"
    cluster_cidr: str = "10.214.0.0/16"  # every node's Pod range (kube-proxy's clusterCIDR)

    @property
    def apiserver_url(self) -> str:
        return f"https://{self.node_ip}:{self.apiserver_port}"

    def nodes(self, count: int) -> list[Node]:
        """The first node lives in the cluster's namespace; node i (i >= 1) in one of its own, on
        the routed subnet 10.213.i.0/24 (10.213.i.1 is the first namespace's end of the veth pair)
        with the Pods in 10.214.i.0/24."""
        first = Node(self.node, self.node_ip, self.node_cidr, self.pod_cidr, self.cni_bridge, 0)
        base = self.node[:-2] if self.node.endswith("-0") else self.node
        return [first, *(Node(f"{base}-{i}", f"10.213.{i}.2", f"10.213.{i}.0/24", f"10.214.{i}.0/24",
                              f"lcbr{i}", i) for i in range(1, count))]


@dataclass(frozen=True)
class Node:
    """One node's names and addresses (its Pod range, CNI bridge, cgroupRoot /<name>)."""

    name: str
    ip: str
    cidr: str  # the node subnet its address is on
    pod_cidr: str
    bridge: str
    index: int

    @property
    def gateway(self) -> str:
        """Its peer's address in the first namespace (node i >= 1)."""
        return self.ip.rsplit(".", 1)[0] + ".1"


def containerd_toml(root: Path, cni_conf: Path, cni_bin: str) -> str:
    return f'''version = 3
root = "{root}/containerd/root"
state = "{root}/containerd/state"
disabled_plugins = ["io.containerd.nri.v1.nri", "io.containerd.tracing.processor.v1.otlp",
                    "io.containerd.internal.v1.tracing"]

[grpc]
  address = "{root}/containerd/containerd.sock"

[ttrpc]
  address = "{root}/containerd/containerd.sock.ttrpc"

[plugins."io.containerd.cri.v1.images"]
  snapshotter = "overlayfs"
  [plugins."io.containerd.cri.v1.images".pinned_images]
    sandbox = "{PAUSE_IMAGE}"

[plugins."io.containerd.cri.v1.runtime"]
  enable_selinux = false
  restrict_oom_score_adj = true
  disable_apparmor = true
  netns_mounts_under_state_dir = true
  [plugins."io.containerd.cri.v1.runtime".containerd]
    default_runtime_name = "runc"
    [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "{root}/runc"
  [plugins."io.containerd.cri.v1.runtime".cni]
    bin_dirs = ["{cni_bin}"]
    conf_dir = "{cni_conf}"
'''


def cni_conflist(node: Node, root: Path) -> str:
    return json.dumps({
        "cniVersion": "1.0.0", "name": "labcheck",
        "plugins": [
            {"type": "bridge", "bridge": node.bridge, "isGateway": True, "ipMasq": False,
             "hairpinMode": True,
             "ipam": {"type": "host-local", "dataDir": str(root / "cni-ipam"),
                      "ranges": [[{"subnet": node.pod_cidr}]], "routes": [{"dst": "0.0.0.0/0"}]}},
            {"type": "portmap", "capabilities": {"portMappings": True}},
            {"type": "loopback"},
        ],
    }, indent=2)


def kubeconfig(server: str, ca: Path, cert: Path, key: Path, user: str) -> str:
    return yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": user,
        "clusters": [{"name": "labcheck-real", "cluster": {"server": server, "certificate-authority": str(ca)}}],
        "users": [{"name": user, "user": {"client-certificate": str(cert), "client-key": str(key)}}],
        "contexts": [{"name": user, "context": {"cluster": "labcheck-real", "user": user}}],
    })


def kubelet_config(layout: Layout, node: Node, root: Path, pki: Pki, socket: Path) -> str:
    serving = "kubelet-serving" if node.index == 0 else f"kubelet-serving-{node.name}"
    return yaml.safe_dump({
        "apiVersion": "kubelet.config.k8s.io/v1beta1", "kind": "KubeletConfiguration",
        "containerRuntimeEndpoint": f"unix://{socket}",
        "cgroupDriver": "cgroupfs", "cgroupRoot": f"/{node.name}",
        "failCgroupV1": False, "failSwapOn": False,
        "address": node.ip, "port": layout.kubelet_port, "readOnlyPort": 0,
        "healthzBindAddress": "127.0.0.1", "healthzPort": 10248,
        "tlsCertFile": str(pki.crt(serving)), "tlsPrivateKeyFile": str(pki.key(serving)),
        "authentication": {"anonymous": {"enabled": False}, "webhook": {"enabled": True},
                           "x509": {"clientCAFile": str(pki.ca)}},
        "authorization": {"mode": "Webhook"},
        "clusterDNS": [layout.dns_ip], "clusterDomain": "cluster.local",
        "podLogsDir": str(root / "pod-logs"), "resolvConf": str(root / "resolv.conf"),
        "evictionHard": {"memory.available": "1Mi", "nodefs.available": "1%", "imagefs.available": "1%"},
        "imageGCHighThresholdPercent": 100, "imageGCLowThresholdPercent": 99,
        "serializeImagePulls": False, "syncFrequency": "10s", "fileCheckFrequency": "10s",
        "nodeStatusUpdateFrequency": "5s", "staticPodPath": "", "enableServer": True,
        "protectKernelDefaults": False, "makeIPTablesUtilChains": True,
        "localStorageCapacityIsolation": False,
    })


def kube_proxy_config(layout: Layout, node: Node, kubeconfig_path: Path) -> str:
    return yaml.safe_dump({
        "apiVersion": "kubeproxy.config.k8s.io/v1alpha1", "kind": "KubeProxyConfiguration",
        "clientConnection": {"kubeconfig": str(kubeconfig_path)},
        "mode": "iptables", "clusterCIDR": layout.cluster_cidr, "hostnameOverride": node.name,
        "bindAddress": node.ip,
        "healthzBindAddress": "127.0.0.1:10256", "metricsBindAddress": "127.0.0.1:10249",
        "conntrack": {"maxPerCore": 0, "min": 0},
        "nodePortAddresses": [node.cidr],
    })

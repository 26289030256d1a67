"""The kwokctl configuration of the test cluster: one multi-document YAML for `kwokctl --config`.

- KwokctlConfiguration: binary runtime, every binary from the local cache (kwokctl's defaults are
  download URLs), 127.0.0.1 only, audit policy, the namespaced Logs/Exec/PortForward kinds as CRDs
  (tests create them per Pod at run time), and component patches: kwok's node IP 127.0.0.1 and the
  exec shim on its PATH; the API server reaches "kubelets" (kwok) by InternalIP.
- Stages (kwok/stages.yaml): a custom set replaces kwok's defaults, so it carries them over.
- ClusterLogs/ClusterExec/ClusterPortForward: cluster-wide defaults for every Pod, read by kwok from
  its config file at start; per-Pod Logs/Exec/PortForward objects override them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from tests.cluster.binaries import HERE, Binaries
from tests.cluster.kwok_events import add_kubelet_events

KWOK_DIR = HERE / "kwok"
STAGES = KWOK_DIR / "stages.yaml"
AUDIT_POLICY = KWOK_DIR / "audit-policy.yaml"
EXEC_SHIM = KWOK_DIR / "exec-shim.sh"
SHIMMED_COMMANDS = ("cat", "ls", "head", "tail", "grep", "wc", "stat", "find", "du", "test")
NAMESPACED_CRDS = ["Logs", "Exec", "PortForward"]
API = "kwok.x-k8s.io/v1alpha1"

DEFAULT_INDEX_HTML = (
    "<!DOCTYPE html>\n<html>\n<body style=\"background-color:lightgoldenrodyellow;\">\n"
    "<h1>Welcome to Stack Simplify</h1>\n<p>Kubernetes Fundamentals Demo</p>\n"
    "<p>Application Version: V1</p>\n</body>\n</html>\n"
)
DEFAULT_LOG_LINES = [
    '127.0.0.1 - - [01/Jan/2024:00:00:00 +0000] "GET / HTTP/1.1" 200 178 "-" "curl/8.5.0" "-"',
]


def cri_log(lines: list[str], stream: str = "stdout", ts: str = "2024-01-01T00:00:00.000000000Z") -> str:
    """Lines in the CRI container log format kubelet (and kwok) read: `<time> <stream> F <text>`."""
    return "".join(f"{ts} {stream} F {line}\n" for line in lines)


def install_exec_shim(shim_dir: Path) -> None:
    """Links the shim under each harmless command name (see kwok/exec-shim.sh)."""
    shim_dir.mkdir(parents=True, exist_ok=True)
    for name in SHIMMED_COMMANDS:
        link = shim_dir / name
        if not link.exists():
            link.symlink_to(EXEC_SHIM)


def exec_target(root: Path) -> dict[str, Any]:
    """An Exec/ClusterExec `local` target: run in `root`, with the shim mapping absolute paths into it."""
    return {"local": {"workDir": str(root), "envs": [{"name": "LABCHECK_EXEC_ROOT", "value": str(root)}]}}


# kwokctl picks its ports counting down from 32767: the same ones for clusters started together, and
# inside the NodePort range. The test cluster sets them all (see procs.free_ports).
PORT_OPTIONS = ("kubeApiserverPort", "etcdPort", "etcdPeerPort", "kwokControllerPort",
                "kubeControllerManagerPort", "kubeSchedulerPort")


def kwokctl_configuration(bins: Binaries, root: Path, shim_dir: Path, ports: dict[str, int] | None = None,
                          apiserver_args: dict[str, str] | None = None) -> dict[str, Any]:
    real_path = os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin")
    options: dict[str, Any] = {
        "runtime": "binary",
        "bindAddress": "127.0.0.1",
        "kubeVersion": bins.kubernetes_version,
        "etcdVersion": bins.etcd_version,
        "kwokVersion": bins.kwok_version,
        "kubeApiserverBinary": str(bins["kube-apiserver"]),
        "kubeControllerManagerBinary": str(bins["kube-controller-manager"]),
        "kubeSchedulerBinary": str(bins["kube-scheduler"]),
        "kubectlBinary": str(bins["kubectl"]),
        "etcdBinary": str(bins["etcd"]),
        "kwokControllerBinary": str(bins["kwok"]),
        "cacheDir": str(root / "cache"),
        "kubeAuditPolicy": str(AUDIT_POLICY),
        "enableCRDs": NAMESPACED_CRDS,
        "quietPull": True,
        **(ports or {}),
    }
    return {
        "apiVersion": "config.kwok.x-k8s.io/v1alpha1",
        "kind": "KwokctlConfiguration",
        "options": options,
        "componentsPatches": [
            {
                "name": "kwok-controller",
                "extraArgs": [{"key": "node-ip", "value": "127.0.0.1", "override": True},
                              # Pod IPs apart from the Service CIDR (kwok's default overlaps it)
                              {"key": "cidr", "value": "10.244.0.1/16"}],
                "extraEnvs": [
                    {"name": "PATH", "value": f"{shim_dir}{os.pathsep}{real_path}"},
                    {"name": "LABCHECK_REAL_PATH", "value": real_path},
                ],
            },
            {
                "name": "kube-apiserver",
                "extraArgs": [{"key": "kubelet-preferred-address-types", "value": "InternalIP,Hostname"},
                              # the suite's network namespace has no default route to take one from
                              {"key": "advertise-address", "value": "127.0.0.1"},
                              *({"key": k, "value": v} for k, v in (apiserver_args or {}).items())],
            },
        ],
    }


def defaults(root: Path, forward_port: int) -> list[dict[str, Any]]:
    """Cluster-wide logs/exec/port-forward for every Pod, backed by files under `root/default`."""
    base = root / "default"
    html = base / "exec" / "usr" / "share" / "nginx" / "html"
    html.mkdir(parents=True, exist_ok=True)
    (html / "index.html").write_text(DEFAULT_INDEX_HTML)
    log = base / "container.log"
    log.write_text(cri_log(DEFAULT_LOG_LINES))
    return [
        {"apiVersion": API, "kind": "ClusterLogs", "metadata": {"name": "labcheck-default"},
         "spec": {"logs": [{"logsFile": str(log), "previousLogsFile": str(log)}]}},
        {"apiVersion": API, "kind": "ClusterExec", "metadata": {"name": "labcheck-default"},
         "spec": {"execs": [exec_target(base / "exec")]}},
        {"apiVersion": API, "kind": "ClusterPortForward", "metadata": {"name": "labcheck-default"},
         "spec": {"forwards": [{"target": {"address": "127.0.0.1", "port": forward_port}}]}},
    ]


class _Dumper(yaml.SafeDumper):
    """Multi-line strings (the Stage templates) as readable literal blocks."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def write_config(path: Path, bins: Binaries, root: Path, shim_dir: Path, forward_port: int,
                 ports: dict[str, int] | None = None, apiserver_args: dict[str, str] | None = None) -> Path:
    docs: list[Any] = [kwokctl_configuration(bins, root, shim_dir, ports, apiserver_args)]
    docs += add_kubelet_events([d for d in yaml.safe_load_all(STAGES.read_text()) if d])
    docs += defaults(root, forward_port)
    path.write_text(yaml.dump_all([d for d in docs if d], Dumper=_Dumper, sort_keys=False))
    return path

"""A disposable cluster with a real node: etcd, kube-apiserver, controller-manager and scheduler
(the same binaries as the kwok cluster), containerd + runc, kubelet and kube-proxy, all inside a
network namespace with no route off the machine (tests.node.netns).

    cluster = RealCluster(root).start()   # ~10 s warm; RealClusterStartError with each log's tail
    RealCluster(root, nodes=2)            # a second node in a namespace of its own (tests.node.nodes)
    cluster.kubectl("get", "pods", "-A")
    cluster.stop()                        # nothing left: processes, containers, mounts, cgroups,
                                          # devices, and the sysctls kubelet changes restored
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tests.cluster.binaries import Binaries, versions
from tests.cluster.kwok_config import AUDIT_POLICY
from tests.cluster.procs import alive, run_kubectl, terminate
from tests.node import config, netns, teardown
from tests.node.images import build_images
from tests.node.nodes import PARTS, NodeRun, node_run, start_node, stop_nodes
from tests.node.pki import make_pki

STATE_FILE = "realnode.json"
KUBELET_SYSCTLS = ("vm.overcommit_memory", "kernel.panic", "kernel.panic_on_oops")
CONTROL_PLANE = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler")


class RealClusterStartError(RuntimeError):
    """The cluster did not come up; the message carries the last log lines of every component."""


def testenv_cache() -> Path:
    return Path(os.environ.get("LABCHECK_TESTENV_CACHE") or Path.home() / ".cache" / "labcheck-testenv")


def cache_dir() -> Path:
    """Where the node's PKI and images are kept between runs."""
    return testenv_cache() / "realnode"


def containerd_bin() -> Path:
    return testenv_cache() / f"containerd-{versions()['CONTAINERD_VERSION']}" / "bin"


def read_sysctls() -> dict[str, str]:
    return {k: Path("/proc/sys", *k.split(".")).read_text().strip() for k in KUBELET_SYSCTLS}


class RealCluster:
    def __init__(self, root: Path | None = None, prefix: tuple[str, ...] = (),
                 layout: config.Layout | None = None, bins: Binaries | None = None, nodes: int = 1,
                 netns_names: dict[int, str] | None = None) -> None:
        self.bins = bins or Binaries.from_versions()
        self.root = root or Path(tempfile.mkdtemp(prefix="labcheck-real-"))
        self.prefix = prefix  # how to enter the network namespace ((): already inside it)
        self.layout = layout or config.Layout()
        self.kubeconfig = self.root / "kubeconfig"
        self.context = "labcheck-admin"
        self.audit_log = self.root / "logs" / "audit.log"
        self.containerd = containerd_bin()
        self.pids: dict[str, int] = {}
        self.sysctls: dict[str, str] = {}
        self.startup_seconds = 0.0
        # node i >= 1 gets a network namespace of its own, named after the cluster's folder
        tag = secrets.token_hex(3)
        self.netns_names = netns_names or {i: f"labcheck-{tag}-n{i}" for i in range(1, nodes)}
        self.runs = [node_run(self, node, self.netns_names.get(node.index, ""))
                     for node in self.layout.nodes(nodes)]

    # -- commands ---------------------------------------------------------------------------
    def kubectl(self, *args: str, namespace: str | None = None, input: str | None = None,
                check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """kubectl inside the cluster's network namespace (the node's address exists only there)."""
        kubectl = " ".join([*self.prefix, str(self.bins["kubectl"])]) if self.prefix else str(self.bins["kubectl"])
        return run_kubectl(kubectl, self.kubeconfig, self.context, args, namespace=namespace,
                           input=input, check=check, timeout=timeout)

    def ctr(self, *args: str, timeout: float = 60, run: NodeRun | None = None) -> subprocess.CompletedProcess[str]:
        """ctr against one node's containerd (the first node's unless `run` says)."""
        run = run or self.runs[0]
        return subprocess.run([*run.prefix, str(self.containerd / "ctr"), "--address", str(run.socket),
                               "-n", "k8s.io", *args], capture_output=True, text=True, timeout=timeout, check=True)

    @property
    def socket(self) -> Path:
        return self.runs[0].socket

    @property
    def node_names(self) -> list[str]:
        return [run.node.name for run in self.runs]

    # -- lifecycle --------------------------------------------------------------------------
    def start(self, timeout: float = 180) -> RealCluster:
        began = time.monotonic()
        deadline = began + timeout
        self.bins.require()
        netns.require_isolated(self.prefix)
        try:
            self._start(deadline)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, TimeoutError, OSError) as e:
            report = self.diagnostics(e)
            self.stop(remove=False)
            raise RealClusterStartError(report) from None
        self.startup_seconds = time.monotonic() - began
        self.save_state()
        return self

    def _start(self, deadline: float) -> None:
        lay, root = self.layout, self.root
        for d in ("logs", "etcd"):
            (root / d).mkdir(parents=True, exist_ok=True)
        cache = cache_dir()
        pki = make_pki(cache, lay.node, lay.node_ip, lay.service_ip)
        images = build_images(cache)
        netns.setup_node_network(lay.node_ip, int(lay.node_cidr.split("/")[1]), self.prefix)
        for run in self.runs[1:]:
            netns.join_node(run.netns, run.node.index, run.node.ip, run.node.gateway, run.node.pod_cidr, self.prefix)
        self.sysctls = read_sysctls()
        self.save_state()
        kc = {}
        for user, stem in (("labcheck-admin", "admin"), ("controller-manager", "controller-manager"),
                           ("scheduler", "scheduler"), ("kube-proxy", "kube-proxy")):
            kc[user] = root / f"{stem}.kubeconfig"
            kc[user].write_text(config.kubeconfig(lay.apiserver_url, pki.ca, pki.crt(stem), pki.key(stem), user))
        shutil.copy(kc["labcheck-admin"], self.kubeconfig)
        b = self.bins
        etcd_url = f"http://127.0.0.1:{lay.etcd_port}"
        self.spawn("etcd", [str(b["etcd"]), "--name", "labcheck", "--data-dir", str(root / "etcd"),
                             "--listen-client-urls", etcd_url, "--advertise-client-urls", etcd_url,
                             "--listen-peer-urls", f"http://127.0.0.1:{lay.etcd_peer_port}",
                             "--initial-advertise-peer-urls", f"http://127.0.0.1:{lay.etcd_peer_port}",
                             "--initial-cluster", f"labcheck=http://127.0.0.1:{lay.etcd_peer_port}",
                             "--unsafe-no-fsync", "--log-level", "warn"])
        self.spawn("kube-apiserver", [
            str(b["kube-apiserver"]), "--etcd-servers", etcd_url, "--bind-address", "0.0.0.0",
            "--advertise-address", lay.node_ip, "--secure-port", str(lay.apiserver_port),
            "--service-cluster-ip-range", lay.service_cidr, "--allow-privileged=true",
            "--tls-cert-file", str(pki.crt("apiserver")), "--tls-private-key-file", str(pki.key("apiserver")),
            "--client-ca-file", str(pki.ca), "--authorization-mode", "Node,RBAC",
            "--enable-admission-plugins", "NodeRestriction",
            "--service-account-issuer", "https://kubernetes.default.svc.cluster.local",
            "--service-account-key-file", str(pki.dir / "sa.pub"),
            "--service-account-signing-key-file", str(pki.key("sa")),
            "--kubelet-client-certificate", str(pki.crt("apiserver-kubelet-client")),
            "--kubelet-client-key", str(pki.key("apiserver-kubelet-client")),
            "--kubelet-certificate-authority", str(pki.ca),
            "--kubelet-preferred-address-types", "InternalIP,Hostname",
            "--audit-policy-file", str(AUDIT_POLICY), "--audit-log-path", str(self.audit_log),
            "--audit-log-maxsize", "200", "--profiling=false"])
        self.wait(deadline, "the API server", lambda: self._ok("get", "--raw", "/readyz"))
        self.spawn("kube-controller-manager", [
            str(b["kube-controller-manager"]), "--kubeconfig", str(kc["controller-manager"]),
            "--service-account-private-key-file", str(pki.key("sa")), "--root-ca-file", str(pki.ca),
            "--cluster-signing-cert-file", str(pki.ca), "--cluster-signing-key-file", str(pki.key("ca")),
            "--use-service-account-credentials", "--leader-elect=false", "--bind-address", "127.0.0.1",
            "--controllers", "*,-cloud-node-lifecycle,-service-lb-controller,-node-route-controller"])
        self.spawn("kube-scheduler", [str(b["kube-scheduler"]), "--kubeconfig", str(kc["scheduler"]),
                                       "--leader-elect=false", "--bind-address", "127.0.0.1"])
        for run in self.runs:
            start_node(self, run, pki, images, deadline)
        ready = 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'
        for name in self.node_names:
            self.wait(deadline, f"node {name} Ready", lambda n=name: self._out("get", "node", n, "-o", ready) == "True")
        self.wait(deadline, "serviceaccount default/default",
                   lambda: self._ok("get", "serviceaccount", "default", "-n", "default"))

    def spawn(self, name: str, argv: list[str], prefix: tuple[str, ...] | None = None,
              path_first: Path | None = None) -> None:
        env = dict(os.environ)
        if path_first:
            env["PATH"] = f"{path_first}{os.pathsep}{env.get('PATH', '')}"
        log = (self.root / "logs" / f"{name}.log").open("ab")
        proc = subprocess.Popen([*(self.prefix if prefix is None else prefix), *argv], stdout=log, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True, cwd=self.root)
        self.pids[name] = proc.pid
        self.save_state()

    def _ok(self, *args: str) -> bool:
        return self._out(*args) is not None

    def _out(self, *args: str) -> str | None:
        """kubectl's output, None when it fails or hangs (a starting API server on a busy machine
        can take longer than one probe: the start's own deadline decides)."""
        try:
            proc = self.kubectl(*args, check=False, timeout=10)
        except subprocess.TimeoutExpired:
            return None
        return proc.stdout.strip() if proc.returncode == 0 else None

    def wait(self, deadline: float, what: str, ok: object) -> None:
        assert callable(ok)
        while time.monotonic() < deadline:
            dead = [n for n, p in self.pids.items() if not alive(p) or _zombie(p)]
            if dead:
                raise TimeoutError(f"{', '.join(dead)} exited while waiting for {what}")
            if ok():
                return
            time.sleep(0.2)
        raise TimeoutError(f"timed out waiting for {what}")

    def terminate(self, names: list[str]) -> None:
        self.terminate_pids([self.pids[n] for n in names if n in self.pids])

    @staticmethod
    def terminate_pids(pids: list[int]) -> None:
        terminate(pids, grace=1)  # disposable data: no graceful shutdown needed

    def stop(self, remove: bool = True) -> None:
        """Everything down; each phase's time goes to logs/teardown.log."""
        log = teardown.PhaseLog(self.root / "logs" / "teardown.log")
        stop_nodes(self, self.runs, log)
        with log("control plane"):
            self.terminate(list(CONTROL_PLANE))
        with log("mounts"):
            teardown.unmount_under(self.root)
        with log("cgroups"):
            for run in self.runs:
                teardown.remove_cgroups(run.node.name)
        with log("network, sysctls"):
            for run in self.runs[1:]:
                netns.part_node(run.netns, run.node.index, self.prefix)
            netns.teardown_node_network(self.layout.cni_bridge, self.prefix)
            teardown.restore_sysctls(self.sysctls)
        if remove:
            shutil.rmtree(self.root, ignore_errors=True)

    def diagnostics(self, error: BaseException) -> str:
        out = [f"the real-node test cluster in {self.root} did not come up: {error}"]
        if isinstance(error, subprocess.CalledProcessError):
            out.append(f"--- {' '.join(map(str, error.cmd))}\n{error.stdout}\n{error.stderr}")
        for name in [*CONTROL_PLANE, *(run.part(p) for run in self.runs for p in PARTS)]:
            log = self.root / "logs" / f"{name}.log"
            if log.exists():
                tail = log.read_text(errors="replace").splitlines()[-30:]
                out.append(f"--- {name} (last 30 lines of {log})\n" + "\n".join(tail))
        return "\n".join(out)

    # -- state (for `down` and orphan clean-up) -----------------------------------------------
    def save_state(self) -> None:
        state = {"root": str(self.root), "prefix": list(self.prefix), "node": self.layout.node, "pids": self.pids,
                 "sysctls": self.sysctls, "owner_pid": os.getpid(), "nodes": len(self.runs),
                 "netns": {str(i): name for i, name in self.netns_names.items()}}
        (self.root / STATE_FILE).write_text(json.dumps(state))

    @classmethod
    def attach(cls, root: Path) -> RealCluster | None:
        state_file = root / STATE_FILE
        if not state_file.exists():
            return None
        state = json.loads(state_file.read_text())
        cluster = cls(root=Path(state["root"]), prefix=tuple(state["prefix"]),
                      layout=config.Layout(node=state.get("node", config.Layout.node)), nodes=state.get("nodes", 1),
                      netns_names={int(i): n for i, n in state.get("netns", {}).items()})
        cluster.pids = {k: int(v) for k, v in state["pids"].items()}
        cluster.sysctls = dict(state["sysctls"])
        return cluster


def _zombie(pid: int) -> bool:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    return False

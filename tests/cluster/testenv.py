"""A disposable local cluster: the real kube-apiserver, controller-manager, scheduler and etcd from
the local cache, with kwok simulating a Node and its Pods (`kwokctl create cluster --runtime binary`).

    cluster = KwokCluster()
    cluster.start()            # ~10-20 s warm; raises ClusterStartError with kwokctl's logs
    cluster.kubectl("get", "nodes")
    cluster.stop()             # kwokctl delete cluster; every process is gone afterwards

`python -m tests.cluster.testenv up` keeps one running (prints LABCHECK_TEST_KUBECONFIG for the
fixture to reuse); `python -m tests.cluster.testenv down DIR` removes it.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from tests.cluster import kwok_config
from tests.cluster.binaries import Binaries
from tests.cluster.procs import alive, cmdline, free_ports, run_kubectl, terminate

COMPONENTS = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok-controller")
NODE_NAME = "kwok-node-0"
STATE_FILE = "testenv.json"


class ClusterStartError(RuntimeError):
    """The cluster did not come up in time; the message carries the components' logs."""


def node_manifest(name: str = NODE_NAME) -> dict[str, object]:
    """A kwok-managed Node; kwok fills in conditions (Ready), daemonEndpoints and nodeInfo."""
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "annotations": {"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
            "labels": {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                       "kubernetes.io/arch": "amd64", "type": "kwok"},
        },
        "status": {
            "addresses": [{"type": "InternalIP", "address": "127.0.0.1"},
                          {"type": "Hostname", "address": name}],
            "allocatable": {"cpu": "32", "memory": "256Gi", "pods": "110"},
            "capacity": {"cpu": "32", "memory": "256Gi", "pods": "110"},
        },
    }


class KwokCluster:
    def __init__(self, root: Path | None = None, name: str | None = None,
                 bins: Binaries | None = None) -> None:
        self.bins = bins or Binaries.from_versions()
        self.root = root or Path(tempfile.mkdtemp(prefix="labcheck-kwok-"))
        self.name = name or f"labcheck-{os.getpid()}-{secrets.token_hex(3)}"
        self.workdir = self.root / "kwok"
        self.kubeconfig = self.root / "kubeconfig"
        self.context = f"kwok-{self.name}"
        self.cluster_dir = self.workdir / "clusters" / self.name
        self.audit_log = self.cluster_dir / "logs" / "audit.log"
        self.forward_port = 0
        self.startup_seconds = 0.0
        self.apiserver_args: dict[str, str] = {}  # extra kube-apiserver flags (e.g. watch-cache: false)

    # -- commands ---------------------------------------------------------------------------
    def env(self) -> dict[str, str]:
        return {**os.environ, "KWOK_WORKDIR": str(self.workdir), "KUBECONFIG": str(self.kubeconfig)}

    def kwokctl(self, *args: str, timeout: float = 120,
                check: bool = True) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bins["kwokctl"]), "--name", self.name, *args]
        return subprocess.run(cmd, env=self.env(), capture_output=True, text=True, timeout=timeout,
                              check=check)

    def kubectl(self, *args: str, namespace: str | None = None, input: str | None = None,
                check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """The cached kubectl against this cluster; CalledProcessError (with stderr) on failure."""
        return run_kubectl(str(self.bins["kubectl"]), self.kubeconfig, self.context, args, namespace=namespace,
                           input=input, check=check, timeout=timeout)

    def apply(self, obj: object | list[object], namespace: str | None = None) -> None:
        docs = obj if isinstance(obj, list) else [obj]
        self.kubectl("apply", "-f", "-", namespace=namespace, input=yaml.safe_dump_all(docs))

    @property
    def apiserver_url(self) -> str:
        cfg = yaml.safe_load(self.kubeconfig.read_text())
        return str(cfg["clusters"][0]["cluster"]["server"])

    # -- lifecycle --------------------------------------------------------------------------
    def start(self, timeout: float = 120) -> KwokCluster:
        self.bins.require()
        began = time.monotonic()
        deadline = began + timeout
        self.root.mkdir(parents=True, exist_ok=True)
        shim_dir = self.root / "shim"
        kwok_config.install_exec_shim(shim_dir)
        self.forward_port, *ports = free_ports(1 + len(kwok_config.PORT_OPTIONS))
        self._start_default_web()
        config = kwok_config.write_config(self.root / "kwokctl.yaml", self.bins, self.root, shim_dir,
                                          self.forward_port, dict(zip(kwok_config.PORT_OPTIONS, ports,
                                                                      strict=True)), self.apiserver_args)
        self.save_state()
        try:
            self.kwokctl("create", "cluster", "--config", str(config), "--runtime", "binary",
                         "--kubeconfig", str(self.kubeconfig), "--timeout", f"{int(timeout)}s",
                         timeout=max(5.0, deadline - time.monotonic()))
            self.apply(node_manifest())
            ready = 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'
            self._wait(deadline, "node Ready",
                       lambda: self._jsonpath("get", "node", NODE_NAME, "-o", ready) == "True")
            self._wait(deadline, "serviceaccount default/default", lambda: self._jsonpath(
                "get", "serviceaccount", "default", "-n", "default", "-o", "name") != "")
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, TimeoutError) as e:
            report = self.diagnostics(e)
            self.stop()
            raise ClusterStartError(report) from None
        self.startup_seconds = time.monotonic() - began
        return self

    def _jsonpath(self, *args: str) -> str:
        proc = self.kubectl(*args, check=False, timeout=10)
        return proc.stdout.strip() if proc.returncode == 0 else ""

    @staticmethod
    def _wait(deadline: float, what: str, ok: object) -> None:
        assert callable(ok)
        while time.monotonic() < deadline:
            if ok():
                return
            time.sleep(0.2)
        raise TimeoutError(f"timed out waiting for {what}")

    def _start_default_web(self) -> None:
        """The default port-forward target: a detached static server for the default nginx page."""
        html = self.root / "default" / "exec" / "usr" / "share" / "nginx" / "html"
        html.mkdir(parents=True, exist_ok=True)
        (html / "index.html").write_text(kwok_config.DEFAULT_INDEX_HTML)
        log = (self.root / "default-web.log").open("w")
        proc = subprocess.Popen(
            [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "--directory", str(html),
             str(self.forward_port)], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        (self.root / "default-web.pid").write_text(str(proc.pid))

    def component_pids(self) -> list[int]:
        pids = []
        for f in sorted((self.cluster_dir / "pids").glob("*.pid")) + [self.root / "default-web.pid"]:
            try:
                pids.append(int(f.read_text().strip()))
            except (OSError, ValueError):
                continue
        return pids

    def stop(self, remove: bool = True) -> None:
        """kwokctl delete cluster, then make sure no component (or the default web server) survives."""
        # Stop our processes all at once (kwokctl stops them one by one, gracefully: ~7 s); only
        # pids whose command line names this cluster's directory, in case a pid was reused.
        terminate([p for p in self.component_pids() if str(self.root) in cmdline(p)])
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.kwokctl("delete", "cluster", timeout=60, check=False)
        if remove:
            shutil.rmtree(self.root, ignore_errors=True)

    def diagnostics(self, error: BaseException) -> str:
        out = [f"the kwok test cluster {self.name} did not come up: {error}"]
        if isinstance(error, subprocess.CalledProcessError):
            out.append(f"--- {' '.join(map(str, error.cmd))}\n{error.stdout}\n{error.stderr}")
        for component in COMPONENTS:
            try:
                logs = self.kwokctl("logs", component, timeout=10, check=False)
                text = (logs.stdout + logs.stderr).splitlines()[-40:]
            except subprocess.TimeoutExpired:
                text = ["(kwokctl logs timed out)"]
            out.append(f"--- kwokctl logs {component} (last 40 lines)\n" + "\n".join(text))
        return "\n".join(out)

    # -- reuse ------------------------------------------------------------------------------
    def save_state(self, keep: bool = False) -> None:
        """testenv.json: how to find the cluster again; `keep` = left running on purpose (`up`)."""
        state = {"name": self.name, "root": str(self.root), "forward_port": self.forward_port,
                 "owner_pid": os.getpid(), "keep": keep}
        (self.root / STATE_FILE).write_text(json.dumps(state))

    @classmethod
    def reap_orphans(cls) -> list[str]:
        """Stops test clusters whose pytest process died without tearing them down (killed run).
        Clusters kept on purpose (`up`, --keep-kwok-cluster) are left alone."""
        reaped = []
        for state_file in Path(tempfile.gettempdir()).glob(f"labcheck-kwok-*/{STATE_FILE}"):
            try:
                state = json.loads(state_file.read_text())
            except (OSError, ValueError):
                continue
            if state.get("keep", True) or alive(int(state.get("owner_pid", 0))):
                continue
            found = cls.attach(state_file.parent / "kubeconfig")
            if found is not None:
                found.stop()
                reaped.append(found.name)
        return reaped

    @classmethod
    def attach(cls, kubeconfig: Path) -> KwokCluster | None:
        """The cluster `up` left running, from its kubeconfig path; None if it is not ours."""
        state_file = kubeconfig.parent / STATE_FILE
        if not state_file.exists():
            return None
        state = json.loads(state_file.read_text())
        cluster = cls(root=Path(state["root"]), name=state["name"])
        cluster.forward_port = int(state["forward_port"])
        return cluster


def main(argv: list[str]) -> int:
    if argv[:1] == ["up"]:
        root = Path(argv[1]) if len(argv) > 1 else None
        cluster = KwokCluster(root=root).start()
        cluster.save_state(keep=True)
        print(f"# started in {cluster.startup_seconds:.1f}s; remove with: "
              f"python -m tests.cluster.testenv down {cluster.root}")
        print(f"export LABCHECK_TEST_KUBECONFIG={cluster.kubeconfig}")
        return 0
    if argv[:1] == ["down"] and len(argv) == 2:
        found = KwokCluster.attach(Path(argv[1]) / "kubeconfig")
        if found is None:
            print(f"no test cluster in {argv[1]}", file=sys.stderr)
            return 1
        found.stop()
        return 0
    print("usage: python -m tests.cluster.testenv up [DIR] | down DIR", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

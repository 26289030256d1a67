"""labcheck reaches clusters exactly as the real kubectl does: every row of parity/cases.yaml is run
through both (the kubectl the test environment builds, the API server's version) against the
local control plane, and must end the same: the same user in the same namespace, as the API
server's audit log records it, or the same kind of refusal. A new case is one row of data.
"""

from __future__ import annotations

import base64
import json
import os
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.cluster.handle import KubeCluster
from tests.e2e.parity.proxies import proxies
from tests.e2e.parity.world import (
    LAB_STEP,
    Run,
    World,
    kubeconfig_text,
    run_tool,
    stanzas,
    start_prefix_proxy,
)

pytestmark = pytest.mark.cluster
CASES: list[dict[str, Any]] = yaml.safe_load((Path(__file__).parent / "parity" / "cases.yaml").read_text())
RESULTS: dict[str, tuple[str, str]] = {}
RBAC = """
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: parity-reader}
rules:
- {apiGroups: [""], resources: [configmaps, namespaces], verbs: [get, list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: parity-reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: parity-reader}
subjects:
- {kind: ServiceAccount, name: alice, namespace: parity}
- {kind: ServiceAccount, name: bob, namespace: parity}
"""


def _admin(cluster: KubeCluster) -> tuple[str, bytes, dict[str, Any]]:
    cfg = yaml.safe_load(cluster.kubeconfig.read_text())
    ctx = next(c for c in cfg["contexts"] if c["name"] == cluster.context)["context"]
    stanza = next(c for c in cfg["clusters"] if c["name"] == ctx["cluster"])["cluster"]
    user = next(u for u in cfg["users"] if u["name"] == ctx["user"])["user"]
    ca = (base64.b64decode(stanza["certificate-authority-data"]) if "certificate-authority-data" in stanza
          else Path(stanza["certificate-authority"]).read_bytes())
    admin = {}
    for key in ("client-certificate", "client-key"):
        admin[f"{key}-data"] = user.get(f"{key}-data") or base64.b64encode(Path(user[key]).read_bytes()).decode()
    return str(stanza["server"]).rstrip("/"), ca, admin


@pytest.fixture(scope="module")
def world(kube_cluster: KubeCluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("parity")
    for ns in ("parity", "parity-a", "parity-b"):
        kube_cluster.kubectl("create", "namespace", ns, check=False)
    for sa in ("alice", "bob"):
        kube_cluster.kubectl("create", "serviceaccount", sa, namespace="parity", check=False)
    kube_cluster.kubectl("apply", "-f", "-", input=RBAC)
    tokens = {sa: kube_cluster.kubectl("create", "token", sa, "--duration=2h", namespace="parity").stdout.strip()
              for sa in ("alice", "bob")}
    server, ca, admin = _admin(kube_cluster)
    (root / "lab").mkdir()
    (root / "lab" / "lab.yaml").write_text(yaml.safe_dump({
        "id": "parity", "title": "Parity", "steps": ["step-01"],
        "defaults": {"timeout": 5, "interval": 0.5, "namespace": "default"}}))
    (root / "lab" / "step-01.yaml").write_text(yaml.safe_dump(LAB_STEP))
    world = World(kube_cluster, root, server, ca, admin, tokens)
    prefix = start_prefix_proxy(world, root)
    with proxies({"kube.parity.test"}) as (connect, socks):
        world.proxy_port, world.socks_port = connect.port, socks.port
        world.proxy_logs = [connect.seen, socks.seen]
        stanzas(world)
        yield world
    prefix.terminate()
    prefix.wait(timeout=10)
    table = os.environ.get("LABCHECK_PARITY_TABLE")
    if table:
        rows = ["| case | kubectl | labcheck |", "|---|---|---|"]
        rows += [f"| {name} | {k} | {lab} |" for name, (k, lab) in RESULTS.items()]
        Path(table).write_text("\n".join(rows) + "\n")


def _fill(value: str, world: World) -> str:
    return value.replace("{proxy}", str(world.proxy_port)).replace("{socks}", str(world.socks_port)) \
        .replace("{port}", world.port)


def _files(world: World, case: dict[str, Any], folder: Path) -> list[str]:
    paths = []
    for index, spec in enumerate(case.get("files") or []):
        here = folder / f"f{index}"
        here.mkdir(parents=True)
        path = here / "config"
        if spec == "missing":
            paths.append(str(path))
            continue
        if spec == "empty":
            path.write_text("")
        elif spec == "broken":
            path.write_text("apiVersion: v1\nclusters: [\n  - name: c\n")
        else:
            if spec.get("support", True):
                world.write_support_files(here)
            doc = yaml.safe_load(kubeconfig_text(world, spec))
            if "clusters" in spec:
                doc["clusters"] = [{"name": n, "cluster": world.clusters[n]} for n in spec["clusters"]]
            if "users" in spec:
                doc["users"] = [{"name": n, "user": world.users[n]} for n in spec["users"]]
            path.write_text(yaml.safe_dump(doc, sort_keys=False))
        paths.append(str(path))
    return paths


def _in_cluster(world: World, case: dict[str, Any], folder: Path) -> tuple[list[str], dict[str, str]]:
    """Both tools in a mount namespace of their own, with a service account mounted where a Pod has it."""
    account = folder / "serviceaccount"
    account.mkdir()
    (account / "token").write_text(world.tokens["alice"])
    (account / "ca.crt").write_bytes(world.ca_pem)
    (account / "namespace").write_text(case["in_cluster"]["namespace"])
    script = ("mount -t tmpfs tmpfs /run && mkdir -p /run/secrets/kubernetes.io && "
              f"cp -r {shlex.quote(str(account))} /run/secrets/kubernetes.io/serviceaccount && exec \"$@\"")
    host, port = world.server.split("://", 1)[1].rsplit(":", 1)
    return (["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh"],
            {"KUBERNETES_SERVICE_HOST": host, "KUBERNETES_SERVICE_PORT": port})


def _run_both(world: World, case: dict[str, Any], folder: Path) -> tuple[Run, Run]:
    paths = _files(world, case, folder)
    env = {k: _fill(str(v), world) for k, v in (case.get("env") or {}).items()}
    wrap: list[str] = []
    if "in_cluster" in case:
        wrap, extra = _in_cluster(world, case, folder)
        env.update(extra)
    explicit = paths[case["explicit"]] if "explicit" in case else None
    kubeconfig_env = os.pathsep.join(paths) if paths and explicit is None else None
    if explicit is not None and case["explicit"] == 1:  # --kubeconfig beside a KUBECONFIG naming the other
        kubeconfig_env = paths[0]
    runs = [run_tool(world, tool, folder / tool, kubeconfig_env=kubeconfig_env, explicit=explicit,
                     context=case.get("context"), env=env, wrap=wrap) for tool in ("kubectl", "labcheck")]
    return runs[0], runs[1]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_labcheck_reaches_the_cluster_as_kubectl_does(world: World, case: dict[str, Any],
                                                      tmp_path: Path) -> None:
    kubectl, labcheck = _run_both(world, case, tmp_path)
    RESULTS[case["name"]] = (kubectl.outcome, labcheck.outcome)
    if case.get("differs"):
        pytest.xfail(case["differs"])
    assert labcheck.outcome == kubectl.outcome, (
        f"kubectl: {kubectl.outcome}\n{kubectl.output[-1500:]}\nlabcheck: {labcheck.outcome}\n{labcheck.output[-1500:]}")
    if kubectl.plugin_infos and not kubectl.outcome.startswith("refused") and "expired" not in case["name"]:
        # what the plugin was told is the same; kubectl runs a failing plugin once per request
        assert len(labcheck.plugin_infos) == len(kubectl.plugin_infos) == 1, "one plugin run per run"
        assert yaml.safe_load(labcheck.plugin_infos[0]) == yaml.safe_load(kubectl.plugin_infos[0])


def test_a_missing_plugin_shows_its_install_hint_as_kubectl_does(world: World, tmp_path: Path) -> None:
    case = next(c for c in CASES if c["name"] == "exec plugin that is not installed")
    kubectl, labcheck = _run_both(world, case, tmp_path)
    for run in (kubectl, labcheck):
        assert "install it with: apt install parity-plugin" in run.output
        assert "labcheck-parity-no-such-plugin" in run.output


def test_a_failing_plugin_speaks_to_the_user_through_stderr(world: World, tmp_path: Path) -> None:
    case = next(c for c in CASES if c["name"] == "exec plugin that fails")
    kubectl, labcheck = _run_both(world, case, tmp_path)
    for run in (kubectl, labcheck):
        assert "plugin says: cannot log you in" in run.output


def _exec_kubeconfig(world: World, folder: Path, namespace: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    world.write_support_files(folder)
    ref = "ca-file/exec-expiring" + (f"/{namespace}" if namespace else "")
    path = folder / "config"
    path.write_text(kubeconfig_text(world, {"current": "c", "contexts": {"c": ref}}))
    return path


def _labcheck(world: World, *args: str, cwd: Path, log: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LABCHECK_", "KUBECONFIG"))}
    env.update({"PARITY_LOG": str(log), "NO_COLOR": "1", "HOME": str(cwd)})
    return subprocess.run([sys.executable, "-m", "labcheck", *args, "--lab", str(world.root / "lab")], cwd=cwd,
                          env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300)


def _runs(log: Path) -> int:
    return len([line for line in log.read_text().splitlines() if line.strip()]) if log.exists() else 0


def test_one_plugin_run_per_run_however_long_it_polls(world: World, tmp_path: Path) -> None:
    """A token that expires within 5 minutes is still good for 2: kubectl runs the plugin once,
    and so does labcheck while it polls a pending check for 3 s and writes a receipt."""
    config = _exec_kubeconfig(world, tmp_path / "kc", "parity-a")
    log = tmp_path / "plugin.log"
    proc = _labcheck(world, "step-01", "--kubeconfig", str(config), "--wait", "3", "--receipt",
                     str(tmp_path / "receipt.json"), cwd=tmp_path, log=log)
    assert proc.returncode == 1, proc.stdout + proc.stderr  # polled, still not done: the probe never exists
    assert _runs(log) == 1


def test_a_class_sharing_an_exec_plugin_kubeconfig_is_graded_with_one_plugin_run(
        world: World, tmp_path: Path) -> None:
    students = [f"s{i}" for i in range(10)]
    for index, sid in enumerate(students):
        ns = f"parity-{sid}"
        world.cluster.kubectl("create", "namespace", ns, check=False)
        if index % 2 == 0:
            world.cluster.kubectl("create", "configmap", "parity-probe", namespace=ns, check=False)
    config = _exec_kubeconfig(world, tmp_path / "kc")
    rows = ["id,name,kubeconfig,namespace"] + [f"{sid},Student {sid},{config},parity-{sid}" for sid in students]
    (tmp_path / "roster.csv").write_text("\n".join(rows) + "\n")
    log = tmp_path / "plugin.log"
    proc = _labcheck(world, "grade", "--roster", "roster.csv", "--steps", "step-01", "--out", "out", "--wait", "0",
                     cwd=tmp_path, log=log)
    assert proc.returncode == 1, proc.stdout + proc.stderr  # half the class is not done: graded, not errors
    outcomes = {}
    for sid in students:
        report = json.loads((tmp_path / "out" / "students" / sid / "report.json").read_text())
        outcomes[sid] = [c["status"] for s in report["steps"] for c in s["checks"]]
    assert outcomes == {sid: ["passed" if i % 2 == 0 else "pending"] for i, sid in enumerate(students)}
    assert _runs(log) == 1

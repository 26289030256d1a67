"""`labcheck --watch` against `kubectl wait --for=condition=Ready`, started the same way in the same run.

Each run: a Pod held back from scheduling (a scheduling gate: no kubelet, kwok or garbage
collector touches it), so it stays Pending until this script writes its status. Both commands are
started and left to settle (labcheck has printed what it waits for, then one more second); then
one PUT to the Pod's status makes it Running and Ready. Latency = each process's exit after that
PUT returned (so both include the same share of the API server's fan-out, and their own exit).
Requests: from the audit log, for one run and for a Pod that never gets Ready (`--idle` seconds),
with --watch and with polling.

    .venv/bin/python -m benchmarks.watch_latency [--runs 9] [--idle 30] [--kubeconfig DIR/kubeconfig]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks.measure import AuditWindow
from benchmarks.run import base_env, labcheck_cmd

LAB = "id: bench\ntitle: {zh: 基准, en: Bench}\nsteps: [step-01]\n"
STEP = """\
id: step-01
title: {zh: 就绪, en: Ready}
checks:
  - id: pod-ready
    kind: pod_state
    name: bench
    images: [nginx:1.27]
    require_node: false
    title: {zh: Pod 就绪, en: Pod is Ready}
"""
POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "bench"},
       "spec": {"schedulingGates": [{"name": "labcheck.bench/hold"}],
                "containers": [{"name": "bench", "image": "nginx:1.27"}]}}


def ready_status(started: str) -> dict[str, Any]:
    return {"phase": "Running", "podIP": "10.244.9.9", "hostIP": "127.0.0.1", "startTime": started,
            "conditions": [{"type": t, "status": "True", "lastTransitionTime": started}
                           for t in ("PodScheduled", "Initialized", "ContainersReady", "Ready")],
            "containerStatuses": [{"name": "bench", "image": "nginx:1.27", "imageID": "", "ready": True,
                                   "started": True, "restartCount": 0,
                                   "state": {"running": {"startedAt": started}}}]}


def make_ready(rest: Any, namespace: str) -> float:
    """One PUT of the Pod's status; perf_counter() when the API server answered."""
    path = f"/api/v1/namespaces/{namespace}/pods/bench"
    status, body = rest.get(path, [], 10)
    assert status == 200, body[:300]
    pod = json.loads(body)
    pod["status"] = ready_status(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    status, body = rest.request("PUT", path + "/status", [], 10, body=json.dumps(pod).encode())
    assert status == 200, body[:300]
    return time.perf_counter()


def start(cmd: list[str], env: dict[str, str], exits: dict[str, float], name: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def wait() -> None:
        proc.wait()
        exits[name] = time.perf_counter()

    threading.Thread(target=wait, daemon=True).start()
    return proc


def one_run(cluster: Any, rest: Any, lab: Path, kubectl: str, audit: Path, index: int) -> dict[str, float]:
    ns = f"watch-bench-{os.getpid()}-{index}"
    cluster.create_namespace(ns)
    cluster.apply(POD, namespace=ns)
    env = {**base_env(), "KUBECONFIG": str(cluster.kubeconfig)}
    window = AuditWindow(audit)
    window.start()
    exits: dict[str, float] = {}
    procs = {
        "labcheck": start([*labcheck_cmd(), "--watch", "--wait", "60", "--no-progress", "--lab", str(lab),
                           "step-01", "-n", ns], env, exits, "labcheck"),
        "kubectl": start([kubectl, "wait", "--for=condition=Ready", "pod/bench", "-n", ns, "--timeout=60s"],
                         env, exits, "kubectl"),
    }
    # labcheck says what it waits for once its first look is done (its list made, its watch open);
    # kubectl wait starts in a tenth of that: a second more and both are waiting
    assert procs["labcheck"].stderr is not None
    procs["labcheck"].stderr.readline()
    time.sleep(1.0)
    ready = make_ready(rest, ns)
    deadline = time.monotonic() + 60
    while len(exits) < 2 and time.monotonic() < deadline:
        time.sleep(0.005)
    for name, proc in procs.items():
        out, err = proc.communicate()
        assert proc.returncode == 0, f"{name}: {out}{err}"
    grader = [e for e in window.requests() if (e.get("objectRef") or {}).get("namespace") == ns]
    cluster.kubectl("delete", "namespace", ns, "--wait=false")
    return {"labcheck": exits["labcheck"] - ready, "kubectl": exits["kubectl"] - ready,
            "labcheck_requests": len(grader)}


def idle_requests(cluster: Any, lab: Path, audit: Path, seconds: float, watch: bool) -> int:
    """labcheck's requests while the Pod stays Pending for `seconds`: with --watch, or polling."""
    ns = f"watch-idle-{os.getpid()}-{int(watch)}"
    cluster.create_namespace(ns)
    cluster.apply(POD, namespace=ns)
    window = AuditWindow(audit)
    window.start()
    mode = ["--watch"] if watch else []
    subprocess.run([*labcheck_cmd(), *mode, "--wait", f"{seconds:g}", "--no-progress", "--lab", str(lab),
                    "step-01", "-n", ns], env={**base_env(), "KUBECONFIG": str(cluster.kubeconfig)},
                   capture_output=True, text=True, timeout=seconds + 60)
    count = len(window.requests())
    cluster.kubectl("delete", "namespace", ns, "--wait=false")
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.watch_latency", description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--idle", type=float, default=30.0, help="seconds of the never-Ready comparison")
    parser.add_argument("--kubeconfig", type=Path, default=None)
    args = parser.parse_args(argv)
    from labcheck.kube import connect
    from tests.cluster.handle import KubeCluster
    from tests.cluster.testenv import KwokCluster

    kwok = KwokCluster.attach(args.kubeconfig) if args.kubeconfig else KwokCluster().start()
    assert kwok is not None
    cluster = KubeCluster.from_kwok(kwok)
    lab = Path(tempfile.mkdtemp(prefix="labcheck-watch-bench-"))
    (lab / "lab.yaml").write_text(LAB)
    (lab / "step-01.yaml").write_text(STEP)
    rest = connect(str(cluster.kubeconfig), None)[0].rest
    try:
        one_run(cluster, rest, lab, cluster.kubectl_path, kwok.audit_log, 0)  # warm-up
        runs = [one_run(cluster, rest, lab, cluster.kubectl_path, kwok.audit_log, i + 1)
                for i in range(args.runs)]
        for key in ("labcheck", "kubectl"):
            values = sorted(r[key] for r in runs)
            print(f"{key:9} exit after Ready: median {statistics.median(values):.3f}s "
                  f"(min {values[0]:.3f}, max {values[-1]:.3f}, {len(values)} runs)")
        per_run = statistics.median(r["labcheck_requests"] for r in runs)
        print(f"labcheck --watch requests per run: {per_run:g}")
        watched = idle_requests(cluster, lab, kwok.audit_log, args.idle, watch=True)
        polled = idle_requests(cluster, lab, kwok.audit_log, args.idle, watch=False)
        print(f"requests over {args.idle:g}s of a Pod never Ready: --watch {watched}, polling {polled} "
              f"(10 minutes: --watch ~{watched} + one re-watch per 5-10 min, "
              f"polling ~{polled * 600 / args.idle:.0f})")
    finally:
        if not args.kubeconfig:
            kwok.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

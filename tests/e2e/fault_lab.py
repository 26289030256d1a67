"""A small lab and a prepared namespace for the reliability tests (faults, hostile content, batch).

step-01 reads every way labcheck reads: lists (Pods, Events, Services), logs and exec.
step-02 only streams: an exec whose command never ends and a port-forward whose target never
answers. The namespace holds Pod `web` (running; its logs, its files for exec) and Service
`web-svc` selecting it.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import yaml

from tests.cli_run import ROOT
from tests.cli_run import labcheck as labcheck  # re-exported for the fault tests
from tests.cluster.handle import KubeCluster

XSD = ROOT / "grader" / "data" / "junit.xsd"
POD, SERVICE = "web", "web-svc"
INDEX = "<h1>hello from web</h1>\n"
FIFO = "srv/never"  # a named pipe in the exec dir: `cat /srv/never` waits for a writer forever

STEP_01 = [
    {"id": "pod-running", "kind": "pod_state", "name": POD, "title": "web runs"},
    {"id": "pod-events", "kind": "events_evidence", "name": POD, "reasons": ["Scheduled", "Started"],
     "title": "web was scheduled and started"},
    {"id": "service", "kind": "object_exists", "object_kind": "Service", "name": SERVICE,
     "title": "web-svc exists"},
    {"id": "logs", "kind": "logs_contain", "pod": POD, "pattern": "GET /", "title": "web logged a GET"},
    {"id": "exec", "kind": "exec_output", "pod": POD, "command": ["cat", "/usr/share/nginx/html/index.html"],
     "pattern": "<h1>", "title": "web serves a page"},
]
# Checks that are still waiting (nothing there yet) when a fault strikes mid-run.
WAITING = [
    {"id": "later-pod", "kind": "pod_state", "name": "later", "title": "later runs"},
    {"id": "later-service", "kind": "object_exists", "object_kind": "Service", "name": "later-svc",
     "title": "later-svc exists"},
]
STEP_02 = [
    {"id": "exec-hangs", "kind": "exec_output", "pod": POD, "command": ["cat", f"/{FIFO}"], "pattern": ".",
     "exec_timeout": 3, "title": "exec answers"},
    {"id": "forward-hangs", "kind": "http_reachable", "service": SERVICE, "via": "port_forward",
     "request_timeout": 3, "title": "port-forward answers"},
]


def write_lab(root: Path, step_01: list[dict[str, object]] | None = None) -> Path:
    """The lab folder (lab.yaml, step-01.yaml, step-02.yaml) under `root`."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "lab.yaml").write_text(yaml.safe_dump({
        "id": "faults", "title": "Faults", "steps": ["step-01", "step-02"],
        "defaults": {"timeout": 10, "interval": 0.5, "namespace": "default"}}), encoding="utf-8")
    for step, checks in (("step-01", step_01 or STEP_01), ("step-02", STEP_02)):
        (root / f"{step}.yaml").write_text(yaml.safe_dump({"id": step, "title": step, "checks": checks}),
                                           encoding="utf-8")
    return root


def prepare(cluster: KubeCluster, namespace: str, forward_port: int | None = None) -> Path:
    """Pod web (Ready, logs, exec dir with a never-ending pipe) and Service web-svc; the exec root."""
    cluster.kubectl("run", POD, "--image", "nginx:1.27", "--port", "80", namespace=namespace)
    cluster.kubectl("expose", "pod", POD, "--port", "80", "--name", SERVICE, namespace=namespace)
    cluster.kubectl("wait", "--for=condition=Ready", f"pod/{POD}", "--timeout=60s", namespace=namespace)
    cluster.write_pod_logs(namespace, POD, ['10.0.0.1 - - "GET / HTTP/1.1" 200 615'])
    root = cluster.prepare_exec_dir(namespace, POD, {"usr/share/nginx/html/index.html": INDEX})
    (root / FIFO).parent.mkdir(parents=True, exist_ok=True)
    if not (root / FIFO).exists():
        os.mkfifo(root / FIFO)
    if forward_port is not None:
        cluster.forward_pod_port(namespace, POD, forward_port, ports=[80])
    return root


def release_fifo(root: Path) -> None:
    """Let a `cat` still blocked on the pipe finish (kwok may not end it when the stream closes)."""
    with contextlib.suppress(OSError):  # no reader left (ENXIO), or no pipe
        os.close(os.open(root / FIFO, os.O_WRONLY | os.O_NONBLOCK))

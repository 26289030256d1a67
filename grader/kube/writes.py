"""The only writes labcheck makes: `labcheck test-lab` creates and deletes its own namespaces.

Every name must start with TEST_PREFIX and carry the managed-by label, and a namespace is deleted
only when labcheck's label is on it: whatever else is on the cluster, labcheck never touches it.
"""

from __future__ import annotations

import json
import time
from urllib.parse import quote

from labcheck.errors import ClusterError, status_error, transport_error
from labcheck.kube.client import KubeCluster

TEST_PREFIX = "labcheck-test-"
MANAGED_BY = ("app.kubernetes.io/managed-by", "labcheck-test-lab")


def _ours(name: str) -> None:
    if not name.startswith(TEST_PREFIX):
        raise ValueError(f"labcheck writes only to namespaces named {TEST_PREFIX}*, not {name!r}")


def _send(cluster: KubeCluster, method: str, path: str, what: str, body: object = None) -> tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    cluster.requests += 1
    try:
        return cluster.rest.request(method, path, [], cluster.timeout, None, data)
    except ClusterError:
        raise
    except Exception as exc:  # urllib3 and ssl errors come in many classes
        raise transport_error(exc, what, cluster.server) from None


def create_namespace(cluster: KubeCluster, name: str, ready_within: float = 60.0) -> None:
    """Create the namespace, then wait until its default ServiceAccount exists (Pods need it)."""
    _ours(name)
    what = f"create namespace {name}"
    manifest = {"apiVersion": "v1", "kind": "Namespace",
                "metadata": {"name": name, "labels": {MANAGED_BY[0]: MANAGED_BY[1]}}}
    status, body = _send(cluster, "POST", "/api/v1/namespaces", what, manifest)
    if not 200 <= status < 300:
        raise status_error(status, body, what)
    deadline = time.monotonic() + ready_within
    path = f"/api/v1/namespaces/{quote(name)}/serviceaccounts/default"
    while True:
        try:
            cluster.get_json(path, None, f"serviceaccount {name}/default")
            return
        except ClusterError as exc:
            if exc.reason != "not_found" or time.monotonic() > deadline:
                raise
        time.sleep(0.2)


def delete_namespace(cluster: KubeCluster, name: str) -> None:
    """Delete one of labcheck's test namespaces (not waiting for it to go); gone already is fine."""
    _ours(name)
    path = f"/api/v1/namespaces/{quote(name)}"
    try:
        found = cluster.get_json(path, None, f"namespace {name}")
    except ClusterError as exc:
        if exc.reason == "not_found":
            return
        raise
    labels = (found.get("metadata") or {}).get("labels") or {}
    if labels.get(MANAGED_BY[0]) != MANAGED_BY[1]:
        raise ClusterError("other", f"namespace {name} was not made by labcheck test-lab: left alone")
    status, body = _send(cluster, "DELETE", path, f"delete namespace {name}",
                         {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"})
    if not 200 <= status < 300 and status != 404:
        raise status_error(status, body, f"delete namespace {name}")

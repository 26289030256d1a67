"""Batch grading of many namespaces in one cluster: one connection and shared cluster-wide lists.

Students of a roster who share a cluster (same kubeconfig and context) share one connection,
one version check and, per kind, one list across all namespaces (field selector: not the
system namespaces the roster does not name) instead of one list per student. A list is
reused while it is younger than the lab's poll interval, so no student ever sees older data
than one round of their own polling would; with one look (--wait 0) each list is fetched once
for the whole batch round (in pages of 500: one list still). The same list answers a student's
look across all namespaces (checks/nearby.py: "your Pod is in namespace X") by every object's
metadata (not the system namespaces'), so a class of unfinished learners is not one cluster-wide
list each. The lists are kept packed (batch/snapshot.py): memory flat in the class size. A
cluster-wide list the account may not make (RBAC on namespaces only) falls back to per-namespace
lists for that kind.
"""

from __future__ import annotations

import builtins
import threading
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from labcheck.batch.snapshot import Snapshot
from labcheck.core.answers import ExecResult, HttpResult
from labcheck.core.i18n import msg
from labcheck.core.kinds import kind_info
from labcheck.errors import ClusterError
from labcheck.session import Connection

if TYPE_CHECKING:
    from labcheck.kube import KubeCluster, Target

SYSTEM_NAMESPACES = ("kube-system", "kube-public", "kube-node-lease")
MIN_STUDENTS = 2  # fewer students on a cluster: per-namespace lists cost less
ERROR_AGE = 0.25  # seconds a failed cluster-wide list stands for the students who wait on it


class SharedCluster:
    """One cluster's connection and its cluster-wide lists, for every student graded on it."""

    def __init__(self, cluster: KubeCluster, target: Target, namespaces: Iterable[str],
                 max_age: float) -> None:
        self.cluster = cluster
        self.target = target
        self.namespaces = set(namespaces)
        self.max_age = max_age
        self.field_selector = ",".join(f"metadata.namespace!={ns}" for ns in SYSTEM_NAMESPACES
                                       if ns not in self.namespaces)
        self.per_namespace: set[str] = set()  # kinds the account may not list cluster-wide
        self._snapshots: dict[str, Snapshot] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def _kind_lock(self, kind: str) -> threading.Lock:
        with self._lock:
            return self._locks.setdefault(kind, threading.Lock())

    def snapshot(self, kind: str) -> Snapshot:
        """The kind across the roster's namespaces, fetched once per `max_age` for everyone."""
        with self._kind_lock(kind):  # one fetch in flight per kind; the others wait and reuse it
            found = self._snapshots.get(kind)
            # a failed list is asked again soon (the runner looks again), whatever max_age says
            if found is not None and time.monotonic() - found.taken <= (
                    self.max_age if found.error is None else min(self.max_age, ERROR_AGE)):
                return found
            taken = time.monotonic()
            selector = self.field_selector if kind_info(kind).namespaced else ""
            try:
                found = Snapshot.of_pages(taken, kind, self.cluster.list_pages(kind, None, selector),
                                          self.namespaces)
            except ClusterError as exc:
                found = Snapshot(taken, error=exc)
            self._snapshots[kind] = found
            return found

    def list(self, kind: str, namespace: str | None, own: KubeCluster) -> list[dict[str, Any]]:
        namespaced = kind_info(kind).namespaced
        outside = namespace is not None and namespace not in self.namespaces
        if namespaced and (kind in self.per_namespace or outside):
            return own.list(kind, namespace)
        found = self.snapshot(kind)
        if found.error is not None:
            if namespaced and found.error.reason == "forbidden":
                self.per_namespace.add(kind)
                return own.list(kind, namespace)
            raise found.error
        if namespaced and namespace is None:  # every student who looks elsewhere: one list, not one each
            return found.everywhere()
        return found.in_namespace(namespace if namespaced else None)

    def namespace_exists(self, namespace: str, own: KubeCluster) -> bool | None:
        found = self.snapshot("Namespace")
        if found.error is not None:
            return own.namespace_exists(namespace)
        return any(n["metadata"].get("name") == namespace for n in found.cluster_scoped)


class StudentCluster:
    """What one student's run reads: shared lists; its own logs, exec and HTTP (under its deadline)."""

    def __init__(self, shared: SharedCluster, own: KubeCluster) -> None:
        self.shared = shared
        self.own = own

    def list(self, kind: str, namespace: str | None) -> list[dict[str, Any]]:
        return self.shared.list(kind, namespace, self.own)

    def pod_logs(self, namespace: str, pod: str, container: str | None,
                 tail_lines: int, limit_bytes: int) -> str:
        return self.own.pod_logs(namespace, pod, container, tail_lines, limit_bytes)

    def exec(self, namespace: str, pod: str, container: str | None,
             command: builtins.list[str], timeout: float) -> ExecResult:
        return self.own.exec(namespace, pod, container, command, timeout)

    def proxy_get(self, namespace: str, service: str, port: int, path: str, timeout: float) -> HttpResult:
        return self.own.proxy_get(namespace, service, port, path, timeout)

    def port_forward_get(self, namespace: str, pod: str, port: int, path: str,
                         timeout: float) -> HttpResult:
        return self.own.port_forward_get(namespace, pod, port, path, timeout)


class SharedClusters:
    """`grade(opener=...)` for a roster: students on the same cluster share a SharedCluster."""

    def __init__(self, targets: dict[tuple[str | None, str | None], builtins.list[str | None]],
                 max_age: float) -> None:
        self.targets = targets  # (kubeconfig, context) -> the students' namespaces (None: the context's)
        self.max_age = max_age
        self._shared: dict[tuple[str | None, str | None], SharedCluster | Connection] = {}
        self._lock = threading.Lock()

    def _open(self, kubeconfig: str | None, context: str | None,
              default_namespace: str) -> SharedCluster | Connection:
        from labcheck.kube import connect

        key = (kubeconfig, context)
        with self._lock:
            if key in self._shared:
                return self._shared[key]
            try:
                cluster, target = connect(kubeconfig, context)
            except ClusterError as exc:
                problem = msg("cluster.config", message=exc.message)
                self._shared[key] = Connection(None, context or "", "", default_namespace, problem, {})
                return self._shared[key]
            try:
                cluster.version()
            except ClusterError as exc:  # the whole class on this cluster is ungraded, at once
                problem = msg("cluster.unreachable", context=target.context, server=target.server,
                              message=exc.message)
                self._shared[key] = Connection(None, target.context, target.cluster, default_namespace,
                                               problem, {})
                return self._shared[key]
            namespaces = [ns or target.namespace or default_namespace for ns in self.targets[key]]
            self._shared[key] = SharedCluster(cluster, target, namespaces, self.max_age)
            return self._shared[key]

    def __call__(self, kubeconfig: str | None, context: str | None, namespace: str | None,
                 default_namespace: str, deadline: float | None = None) -> Connection:
        from labcheck.kube import KubeCluster
        from labcheck.session import checked_connection, open_cluster

        if len(self.targets.get((kubeconfig, context), [])) < MIN_STUDENTS:
            return open_cluster(kubeconfig, context, namespace, default_namespace, deadline)
        shared = self._open(kubeconfig, context, default_namespace)
        if isinstance(shared, Connection):
            ns = namespace or default_namespace
            return Connection(None, shared.context, shared.cluster_name, ns, shared.problem, {})
        target, base = shared.target, shared.cluster
        own = KubeCluster(base.rest, base.timeout)  # the same connection, this student's deadline
        if deadline is not None:
            own.deadline, own.time_limit = deadline, deadline - time.monotonic()
        ns = namespace or target.namespace or default_namespace
        return checked_connection(StudentCluster(shared, own), target, ns,
                                  lambda: shared.namespace_exists(ns, own))

"""What checks read during a run: the lists shared by all checks of a round (or, with --watch, the
watched lists), and a record of what each look read, so the runner knows which looks a change makes due.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any

from labcheck.checks.base import ClusterReader
from labcheck.core.answers import ExecResult, HttpResult
from labcheck.core.kinds import kind_info
from labcheck.errors import ClusterError


class CachedCluster:
    """One list per kind per namespace per round (with --watch: the watched lists, kube/watch.py);
    logs, exec and HTTP are never cached. Records what each evaluation read (`begin`)."""

    def __init__(self, inner: ClusterReader, hub: Any = None) -> None:
        self.inner = inner
        self.hub = hub
        self._lists: dict[tuple[str, str | None], list[dict[str, Any]] | ClusterError] = {}
        self.reads: set[tuple[str, str | None]] = set()
        self.requested = False  # logs, exec or HTTP: nothing a watch can tell changed

    def refresh(self) -> None:
        self._lists.clear()

    def begin(self) -> None:
        self.reads, self.requested = set(), False

    def list(self, kind: str, namespace: str | None) -> list[dict[str, Any]]:
        key = (kind, namespace)
        if self.hub is not None:
            self.reads.add((kind, namespace if kind_info(kind).namespaced else None))
            return list(self.hub.list(kind, namespace))
        self.reads.add(key)
        if key not in self._lists:
            try:
                self._lists[key] = self.inner.list(kind, namespace)
            except ClusterError as exc:
                self._lists[key] = exc
        value = self._lists[key]
        if isinstance(value, ClusterError):
            raise value
        return value

    def pod_logs(self, namespace: str, pod: str, container: str | None,
                 tail_lines: int, limit_bytes: int) -> str:
        self.requested = True
        return self.inner.pod_logs(namespace, pod, container, tail_lines, limit_bytes)

    def exec(self, namespace: str, pod: str, container: str | None,
             command: builtins.list[str], timeout: float) -> ExecResult:
        self.requested = True
        return self.inner.exec(namespace, pod, container, command, timeout)

    def proxy_get(self, namespace: str, service: str, port: int, path: str, timeout: float) -> HttpResult:
        self.requested = True
        return self.inner.proxy_get(namespace, service, port, path, timeout)

    def port_forward_get(self, namespace: str, pod: str, port: int, path: str,
                         timeout: float) -> HttpResult:
        self.requested = True
        return self.inner.port_forward_get(namespace, pod, port, path, timeout)


def tracked(http_get: Callable[[str, float], HttpResult] | None,
            cached: CachedCluster | None) -> Callable[[str, float], HttpResult] | None:
    """Plain HTTP (NodePorts) through `cached`'s record: a look that used it re-runs on its interval."""
    if http_get is None or cached is None:
        return http_get
    get = http_get

    def tracked_get(url: str, seconds: float) -> HttpResult:
        cached.requested = True
        return get(url, seconds)

    return tracked_get


class NoCluster:
    """Stands in when there is no cluster: only checks with needs_cluster=False run against it."""

    def _fail(self, *args: Any, **kwargs: Any) -> Any:
        raise ClusterError("config", "no cluster")

    list = pod_logs = exec = proxy_get = port_forward_get = _fail

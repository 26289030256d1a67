"""KubeCluster: what checks read from a real API server, each request within the run's budget."""

from __future__ import annotations

import builtins
import json
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from labcheck import __version__
from labcheck.core.answers import ExecResult, HttpResult
from labcheck.core.kinds import kind_info
from labcheck.errors import ClusterError, status_error, transport_error

if TYPE_CHECKING:
    import threading
    from collections.abc import Callable, Iterator

    from labcheck.core.i18n import Text
    from labcheck.kube.transport import RestClient
    from labcheck.kube.watch import WatchHub


PAGE_SIZE = 500
USER_AGENT = f"labcheck/{__version__}"


def _api_server_status(body: bytes) -> bool:
    try:
        data = json.loads(body[:65536])
    except ValueError:
        return False
    return isinstance(data, dict) and data.get("kind") == "Status" and data.get("apiVersion") == "v1"


class KubeCluster:
    """A ClusterReader over a real API server."""

    def __init__(self, rest: RestClient, request_timeout: float) -> None:
        self.rest = rest
        self.timeout = request_timeout
        self.server = rest.server
        self.requests = 0  # how many API requests this run made (benchmarks read it)
        self.deadline: float | None = None  # time.monotonic() when the run's time limit is over
        self.time_limit = 0.0  # that limit in seconds (--timeout), for the message

    def budget(self, what: str, timeout: float) -> float:
        """`timeout`, cut to what is left of the run's time limit (ClusterError when nothing is)."""
        if self.deadline is None:
            return timeout
        left = self.deadline - time.monotonic()
        if left <= 0.05:
            from labcheck.core.i18n import msg

            limit = f"{max(self.time_limit, 0.0):g}"
            raise ClusterError("timeout", f"{what}: the time limit of the run ({limit}s, --timeout) is over",
                               text=msg("run.time_limit", seconds=limit))
        return min(timeout, left)

    def _get_raw(self, path: str, query: list[tuple[str, Any]] | None = None,
                 what: str = "", timeout: float | None = None,
                 max_body: int | None = None) -> tuple[int, bytes]:
        what = what or path
        seconds = self.budget(what, timeout or self.timeout)
        self.requests += 1
        try:
            return self.rest.get(path, query or [], seconds, max_body)
        except ClusterError:
            raise
        except Exception as exc:  # urllib3 and ssl errors come in many classes
            raise transport_error(exc, what, self.server) from None

    def get_json(self, path: str, query: list[tuple[str, Any]] | None = None,
                 what: str = "", timeout: float | None = None) -> dict[str, Any]:
        status, body = self._get_raw(path, query, what, timeout)
        if not 200 <= status < 300:
            raise status_error(status, body, what or path)
        try:
            data = json.loads(body)
        except ValueError:
            raise ClusterError("server_error", f"{what or path}: the answer is not JSON") from None
        return data if isinstance(data, dict) else {}

    def list(self, kind: str, namespace: str | None, field_selector: str = "") -> list[dict[str, Any]]:
        """Every object of a kind in a namespace (None: all namespaces), page by page."""
        return [item for page in self.list_pages(kind, namespace, field_selector) for item in page]

    def list_pages(self, kind: str, namespace: str | None,
                   field_selector: str = "") -> Iterator[builtins.list[dict[str, Any]]]:
        """`list` one page (PAGE_SIZE objects) at a time: a class's list need not be held whole."""
        info = kind_info(kind)
        path = info.list_path(namespace)
        what = f"list {info.plural}" + (f" in namespace {namespace}" if info.namespaced and namespace else "")
        token = ""
        while True:
            query: list[tuple[str, Any]] = [("limit", PAGE_SIZE)]
            if field_selector:
                query.append(("fieldSelector", field_selector))
            if token:
                query.append(("continue", token))
            data = self.get_json(path, query, what)
            items: builtins.list[dict[str, Any]] = data.get("items") or []
            for item in items:
                item.setdefault("kind", kind)
            yield items
            token = (data.get("metadata") or {}).get("continue") or ""
            if not token:
                return

    def watch_hub(self, note: Callable[[Text], None] | None = None, poll_interval: float = 1.0,
                  cond: threading.Condition | None = None) -> WatchHub:
        """Watched lists of this cluster (kube/watch.py), for --watch and the board."""
        from labcheck.kube.watch import KubeSource, WatchHub

        return WatchHub(KubeSource(self), note, poll_interval, cond=cond)

    def pod_logs(self, namespace: str, pod: str, container: str | None,
                 tail_lines: int, limit_bytes: int) -> str:
        query: list[tuple[str, Any]] = [("tailLines", tail_lines), ("limitBytes", limit_bytes)]
        if container:
            query.append(("container", container))
        path = f"/api/v1/namespaces/{quote(namespace)}/pods/{quote(pod)}/log"
        status, body = self._get_raw(path, query, f"logs of pod {pod}", max_body=limit_bytes)
        if not 200 <= status < 300:
            raise status_error(status, body, f"logs of pod {pod}")
        return body[:limit_bytes].decode("utf-8", errors="replace")

    def proxy_get(self, namespace: str, service: str, port: int, path: str, timeout: float) -> HttpResult:
        url = f"/api/v1/namespaces/{quote(namespace)}/services/{quote(service)}:{port}/proxy{path}"
        what = f"proxy to service {service}:{port}"
        status, body = self._get_raw(url, None, what, timeout, max_body=65536)
        if status in (401, 403) or (status >= 500 and _api_server_status(body)):
            # the API server's own Status ("error trying to reach service: ...", "no endpoints
            # available"): the cluster did not get an answer; the app's own 503 is an HTML page
            raise status_error(status, body, what)
        return HttpResult(url=f"{self.server}{url}", status=status,
                          body=body[:65536].decode("utf-8", errors="replace"))

    def exec(self, namespace: str, pod: str, container: str | None,
             command: builtins.list[str], timeout: float) -> ExecResult:
        timeout = self.budget(f"exec in pod {pod}", timeout)
        self.requests += 1
        try:
            from labcheck.kube.streams import run_exec

            return run_exec(self.rest, namespace, pod, container, command, timeout)
        except ClusterError:
            raise
        except Exception as exc:
            raise transport_error(exc, f"exec in pod {pod}", self.server) from None

    def port_forward_get(self, namespace: str, pod: str, port: int, path: str,
                         timeout: float) -> HttpResult:
        timeout = self.budget(f"port-forward to pod {pod}:{port}", timeout)
        self.requests += 1
        try:
            from labcheck.kube.streams import run_port_forward_get

            return run_port_forward_get(self.rest, namespace, pod, port, path, timeout)
        except ClusterError:
            raise
        except Exception as exc:
            raise transport_error(exc, f"port-forward to pod {pod}:{port}", self.server) from None

    def version(self, timeout: float = 5.0) -> dict[str, Any]:
        return self.get_json("/version", None, "API server version", timeout)

    def namespace_exists(self, namespace: str) -> bool | None:
        """True/False, or None when the user may not read namespaces (then we cannot tell)."""
        try:
            self.get_json(f"/api/v1/namespaces/{quote(namespace)}", None, f"namespace {namespace}")
            return True
        except ClusterError as exc:
            if exc.reason == "not_found":
                return False
            if exc.reason == "forbidden":
                return None
            raise

    def identity(self) -> dict[str, str]:
        """Cluster identity for receipts: the kube-system namespace uid and the server version."""
        out = {"server": self.server}
        try:
            out["git_version"] = str(self.version().get("gitVersion", ""))
            ns = self.get_json("/api/v1/namespaces/kube-system", None, "namespace kube-system")
            out["kube_system_uid"] = str(ns.get("metadata", {}).get("uid", ""))
        except ClusterError:
            pass
        return out




"""Cluster access: the only module that imports `kubernetes` (lazily: it is slow to import).

Reads raw JSON through the client's REST layer (no model deserialization), follows
kubectl's rules for KUBECONFIG, contexts and in-cluster config, and turns every failure
into a ClusterError with a one-line reason that never carries credentials.
"""

from __future__ import annotations

import builtins
import contextlib
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import yaml

from checks.base import ExecResult, HttpResult
from grader import __version__
from grader.errors import ClusterError, scrub, status_error, transport_error
from grader.kinds import kind_info

if TYPE_CHECKING:
    from grader.rest import RestClient

PAGE_SIZE = 500
USER_AGENT = f"labcheck/{__version__}"


@dataclass(frozen=True)
class Target:
    """Where to grade: the resolved context, its cluster and default namespace."""

    context: str
    cluster: str
    server: str
    namespace: str | None  # the context's namespace, if it sets one


def _config_error(message: str) -> ClusterError:
    return ClusterError("config", message)


def _not_yaml(exc: yaml.YAMLError) -> ClusterError:
    """A kubeconfig that is not YAML. PyYAML's message quotes the broken line: secrets, maybe."""
    mark = getattr(exc, "problem_mark", None)
    where = f" near line {mark.line + 1}" if mark is not None else ""
    return _config_error(f"cannot load kubeconfig: not valid YAML{where}")


@contextlib.contextmanager
def _logged() -> Iterator[list[str]]:
    """What this thread logs meanwhile, kept from stderr (the kubernetes client's config loader logs
    with the root logger; its first call would also print every later record, secrets included)."""
    messages: list[str] = []
    thread = threading.get_ident()

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.thread == thread:
                messages.append(record.getMessage())

    root, keep = logging.getLogger(), Keep(logging.WARNING)
    root.addHandler(keep)
    try:
        yield messages
    finally:
        root.removeHandler(keep)


def connect(kubeconfig: str | None = None, context: str | None = None,
            request_timeout: float = 10.0) -> tuple[KubeCluster, Target]:
    """Load credentials the way kubectl does; no request is made yet.

    Common kubeconfigs get plain GETs (grader/rest.py) and the kubernetes client, slow to import,
    only if the run needs exec or port-forward; any other kubeconfig gets the client at once."""
    from grader.rest import load

    try:
        plain = load(kubeconfig, context, USER_AGENT)
    except yaml.YAMLError as exc:
        raise _not_yaml(exc) from None
    if plain is None:
        api, target = _kubernetes_client(kubeconfig, context)
        return KubeCluster(api, request_timeout), target
    target = Target(plain.context, plain.cluster, plain.client.server, plain.namespace)
    return KubeCluster(None, request_timeout, plain.client,
                       lambda: _kubernetes_client(kubeconfig, plain.context)[0]), target


def _kubernetes_client(kubeconfig: str | None, context: str | None) -> tuple[Any, Target]:
    from kubernetes import config as kconfig
    from kubernetes.client import ApiClient, Configuration
    from kubernetes.config.config_exception import ConfigException

    cfg = Configuration()
    paths = kubeconfig or os.environ.get("KUBECONFIG") or str(Path("~/.kube/config").expanduser())
    files = [p for p in paths.split(os.pathsep) if p and Path(p).expanduser().exists()]
    try:
        if files:
            joined = os.pathsep.join(files)
            contexts, active = kconfig.list_kube_config_contexts(config_file=joined)
            chosen = next((c for c in contexts if c["name"] == context), None) if context else active
            if chosen is None:
                names = ", ".join(c["name"] for c in contexts) or "none"
                raise _config_error(f"context '{context}' is not in {joined} (contexts: {names})")
            with _logged() as logged:  # the client logs a failing exec plugin's stderr and goes on
                kconfig.load_kube_config(config_file=joined, context=chosen["name"], client_configuration=cfg)
            if logged:
                raise _config_error(f"cannot load kubeconfig: {scrub(logged[0])}")
            ctx = chosen.get("context") or {}
            target = Target(chosen["name"], str(ctx.get("cluster", "")), cfg.host, ctx.get("namespace"))
        elif os.environ.get("KUBERNETES_SERVICE_HOST"):
            kconfig.load_incluster_config(client_configuration=cfg)
            ns_file = Path("/var/run/secrets/kubernetes.io/serviceaccount/namespace")
            namespace = ns_file.read_text().strip() if ns_file.exists() else None
            target = Target("in-cluster", "in-cluster", cfg.host, namespace)
        else:
            raise _config_error(f"no kubeconfig found (looked at {paths}) and not running in a cluster")
    except ConfigException as exc:
        raise _config_error(f"cannot load kubeconfig: {scrub(str(exc))}") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise _config_error(f"cannot load kubeconfig: {type(exc).__name__}: {scrub(str(exc))}") from None
    except yaml.YAMLError as exc:
        raise _not_yaml(exc) from None
    from urllib3.util import Retry

    # No second try inside a request: on a slow API server it would double the wait past the
    # run's time limit. A failed look is retryable; the runner looks again on its next round.
    cfg.retries = Retry(total=0, redirect=False)
    _patch_websocket()
    api = ApiClient(cfg)
    api.user_agent = USER_AGENT  # the audit log tells labcheck's requests apart
    return api, target


class KubeCluster:
    """A ClusterReader over a real API server."""

    def __init__(self, api_client: Any, request_timeout: float, rest: RestClient | None = None,
                 make_api: Callable[[], Any] | None = None) -> None:
        self._api = api_client
        self._make_api = make_api
        self._api_lock = threading.Lock()
        self.rest = rest  # plain GETs; None: every request through the kubernetes client
        self.timeout = request_timeout
        self.server = rest.server if rest is not None else str(api_client.configuration.host)
        self.requests = 0  # how many API requests this run made (benchmarks read it)
        self.deadline: float | None = None  # time.monotonic() when the run's time limit is over
        self.time_limit = 0.0  # that limit in seconds, for the message

    def budget(self, what: str, timeout: float) -> float:
        """`timeout`, cut to what is left of the run's time limit (ClusterError when nothing is)."""
        if self.deadline is None:
            return timeout
        left = self.deadline - time.monotonic()
        if left <= 0.05:
            limit = f"{self.time_limit:.3g}s"
            raise ClusterError("timeout", f"{what}: the time limit of the run ({limit}) is over")
        return min(timeout, left)

    @property
    def api(self) -> Any:
        """The kubernetes ApiClient, made on first use (exec, port-forward, uncommon kubeconfigs)."""
        with self._api_lock:
            if self._api is None:
                assert self._make_api is not None
                try:
                    self._api = self._make_api()
                except ClusterError as exc:
                    raise ClusterError(exc.reason, exc.message) from None
            return self._api

    def _get_raw(self, path: str, query: list[tuple[str, Any]] | None = None,
                 what: str = "", timeout: float | None = None) -> tuple[int, bytes]:
        what = what or path
        seconds = self.budget(what, timeout or self.timeout)
        self.requests += 1
        try:
            if self.rest is not None:
                return self.rest.get(path, query or [], seconds)
            params = self.api.param_serialize(method="GET", resource_path=path, query_params=query or [],
                                              header_params={"Accept": "application/json, */*"},
                                              auth_settings=["BearerToken"])
            response = self.api.call_api(*params, _request_timeout=seconds)
            return int(response.status), bytes(response.read() or b"")
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
        info = kind_info(kind)
        path = info.list_path(namespace)
        what = f"list {info.plural}" + (f" in namespace {namespace}" if info.namespaced and namespace else "")
        items: list[dict[str, Any]] = []
        token = ""
        while True:
            query: list[tuple[str, Any]] = [("limit", PAGE_SIZE)]
            if field_selector:
                query.append(("fieldSelector", field_selector))
            if token:
                query.append(("continue", token))
            data = self.get_json(path, query, what)
            for item in data.get("items") or []:
                item.setdefault("kind", kind)
                items.append(item)
            token = (data.get("metadata") or {}).get("continue") or ""
            if not token:
                return items

    def pod_logs(self, namespace: str, pod: str, container: str | None,
                 tail_lines: int, limit_bytes: int) -> str:
        query: list[tuple[str, Any]] = [("tailLines", tail_lines), ("limitBytes", limit_bytes)]
        if container:
            query.append(("container", container))
        path = f"/api/v1/namespaces/{quote(namespace)}/pods/{quote(pod)}/log"
        status, body = self._get_raw(path, query, f"logs of pod {pod}")
        if not 200 <= status < 300:
            raise status_error(status, body, f"logs of pod {pod}")
        return body[:limit_bytes].decode("utf-8", errors="replace")

    def proxy_get(self, namespace: str, service: str, port: int, path: str, timeout: float) -> HttpResult:
        url = f"/api/v1/namespaces/{quote(namespace)}/services/{quote(service)}:{port}/proxy{path}"
        status, body = self._get_raw(url, None, f"proxy to service {service}:{port}", timeout)
        if status in (401, 403):
            raise status_error(status, body, f"proxy to service {service}:{port}")
        return HttpResult(url=f"{self.server}{url}", status=status,
                          body=body[:65536].decode("utf-8", errors="replace"))

    def exec(self, namespace: str, pod: str, container: str | None,
             command: builtins.list[str], timeout: float) -> ExecResult:
        timeout = self.budget(f"exec in pod {pod}", timeout)
        self.requests += 1
        try:
            return _run_exec(self.api, namespace, pod, container, command, timeout)
        except ClusterError:
            raise
        except Exception as exc:
            raise transport_error(exc, f"exec in pod {pod}", self.server) from None

    def port_forward_get(self, namespace: str, pod: str, port: int, path: str,
                         timeout: float) -> HttpResult:
        timeout = self.budget(f"port-forward to pod {pod}:{port}", timeout)
        self.requests += 1
        try:
            return _run_port_forward_get(self.api, namespace, pod, port, path, timeout)
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


# Exec and port-forward go through the API server's WebSocket endpoints.
MAX_OUTPUT = 1 << 20
_websocket = threading.local()  # the timeout of the WebSocket this thread is about to open


def _patch_websocket() -> None:
    """kubernetes.stream opens its WebSocket with no timeout (an API server that accepts the
    connection and never answers would hang labcheck for good) and without our User-Agent."""
    from kubernetes.stream import ws_client

    base = ws_client.WebSocket  # type: ignore[attr-defined]
    if getattr(base, "labcheck", False):
        return

    class _WebSocket(base):  # type: ignore[misc, valid-type]
        labcheck = True

        def connect(self, url: str, **options: Any) -> None:
            options.setdefault("timeout", getattr(_websocket, "timeout", 30.0))
            options["header"] = [*options.get("header", []), f"User-Agent: {USER_AGENT}"]
            super().connect(url, **options)

    ws_client.WebSocket = _WebSocket  # type: ignore[attr-defined]


def _run_exec(api_client: Any, namespace: str, pod: str, container: str | None,
             command: builtins.list[str], timeout: float) -> ExecResult:
    from kubernetes.client import CoreV1Api
    from kubernetes.stream import stream

    kwargs: dict[str, Any] = {"command": command, "stdout": True, "stderr": True, "stdin": False,
                              "tty": False, "_preload_content": False}
    if container:
        kwargs["container"] = container
    _websocket.timeout = timeout
    client = stream(CoreV1Api(api_client).connect_get_namespaced_pod_exec, pod, namespace, **kwargs)
    stdout: list[str] = []
    stderr: list[str] = []
    size = 0
    deadline = time.monotonic() + timeout
    try:
        while client.is_open() and time.monotonic() < deadline and size < MAX_OUTPUT:
            client.update(timeout=min(1.0, max(0.05, deadline - time.monotonic())))
            # timeout=0: the read_* defaults wait for the next frame, forever if the command hangs
            for chunks, chunk in ((stdout, client.read_stdout(timeout=0)),
                                  (stderr, client.read_stderr(timeout=0))):
                if chunk:
                    chunks.append(chunk)
                    size += len(chunk)
        if size >= MAX_OUTPUT:  # enough read: judge that much, the exit code is unknown
            code, problem = None, ""
        elif client.is_open():
            raise ClusterError("timeout", f"exec in pod {pod}: no answer within {timeout:g}s",
                               retryable=True)
        else:
            code, problem = exec_status(client.read_channel(ERROR_CHANNEL))
    finally:
        client.close()
    if problem:
        stderr.append(problem)
    return ExecResult("".join(stdout)[:MAX_OUTPUT], "".join(stderr)[:MAX_OUTPUT], code)


ERROR_CHANNEL = 3  # the exec protocol's status channel


def exec_status(raw: str) -> tuple[int | None, str]:
    """Exit code and problem from the exec status channel.

    The kubelet says NonZeroExitCode with an ExitCode cause; other runtimes (and kwok) say only
    "Internal error occurred: ... exit status 1", or cannot start the command at all (126).
    """
    if not raw.strip():
        return None, ""
    try:
        status = json.loads(raw)
    except ValueError:
        return None, raw.strip()
    if status.get("status") == "Success":
        return 0, ""
    for cause in (status.get("details") or {}).get("causes") or []:
        if cause.get("reason") == "ExitCode" and str(cause.get("message", "")).isdigit():
            return int(cause["message"]), ""
    message = str(status.get("message", "")).strip()
    found = re.search(r"exit (?:status|code) (\d+)", message)
    return (int(found.group(1)) if found else 126), message


def _run_port_forward_get(api_client: Any, namespace: str, pod: str, port: int, path: str,
                         timeout: float) -> HttpResult:
    from kubernetes.client import CoreV1Api
    from kubernetes.stream import portforward

    _websocket.timeout = timeout
    forward = portforward(CoreV1Api(api_client).connect_get_namespaced_pod_portforward, pod, namespace,
                          ports=str(port))
    try:
        sock = forward.socket(port)
        sock.settimeout(timeout)
        request = f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        sock.sendall(request.encode())
        data = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(data) < MAX_OUTPUT:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                break
            except OSError:
                break
            if not chunk:
                break
            data += chunk
            if _complete(data):
                break
        error = forward.error(port)
        if not data:
            raise ClusterError("stream", f"port-forward to pod {pod}:{port}: "
                               f"{error or f'no answer within {timeout:g}s'}", retryable=True)
    finally:
        forward.close()
    head, _, body = data.partition(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0].decode("latin-1")
    try:
        status = int(status_line.split()[1])
    except (IndexError, ValueError):
        raise ClusterError("stream", f"port-forward to pod {pod}:{port}: not an HTTP answer") from None
    return HttpResult(url=f"port-forward://{namespace}/{pod}:{port}{path}", status=status,
                      body=body[:65536].decode("utf-8", errors="replace"))


def _complete(data: bytes) -> bool:
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            try:
                return len(body) >= int(value.strip())
            except ValueError:
                return False
    return False

"""Exec and port-forward through the API server's WebSocket endpoints (kubernetes.stream)."""

from __future__ import annotations

import builtins
import json
import re
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from labcheck.core.answers import ExecResult, HttpResult
from labcheck.errors import ClusterError

if TYPE_CHECKING:
    from labcheck.kube.transport import RestClient

MAX_OUTPUT = 1 << 20
_websocket = threading.local()  # the RestClient and timeout of the WebSocket this thread is about to open
_clients_lock = threading.Lock()


def api_client(rest: RestClient) -> Any:
    """A kubernetes ApiClient for exec and port-forward: it only frames the WebSocket protocol.
    Its socket comes from `rest` (our proxy, TLS and credentials); it never loads a kubeconfig."""
    with _clients_lock:
        if rest.stream_api is None:
            from kubernetes.client import ApiClient, Configuration

            _patch_websocket()
            rest.stream_api = ApiClient(Configuration(host=rest.server))
        return rest.stream_api


def _patch_websocket() -> None:
    """kubernetes.stream opens its WebSocket itself; ours opens the socket (with no timeout the
    client would hang on an API server that accepts and never answers) and sends our headers."""
    from kubernetes.stream import ws_client

    base = ws_client.WebSocket  # type: ignore[attr-defined]
    if getattr(base, "labcheck", False):
        return

    class _WebSocket(base):  # type: ignore[misc, valid-type]
        labcheck = True

        def connect(self, url: str, **options: Any) -> None:
            rest: RestClient = _websocket.rest
            timeout = float(getattr(_websocket, "timeout", 30.0))
            sock = rest.open(timeout)
            sock.settimeout(timeout)
            header = [h for h in options.get("header", []) if not h.lower().startswith("authorization:")]
            header += [f"{name}: {value}" for name, value in rest.headers() if name != "Accept"]
            options.update(socket=sock, header=header, timeout=timeout)
            for key in ("http_proxy_host", "http_proxy_port", "http_no_proxy", "http_proxy_auth"):
                options.pop(key, None)
            super().connect(url, **options)

    ws_client.WebSocket = _WebSocket  # type: ignore[attr-defined]


def run_exec(rest: RestClient, namespace: str, pod: str, container: str | None,
             command: builtins.list[str], timeout: float) -> ExecResult:
    from kubernetes.client import CoreV1Api
    from kubernetes.stream import stream

    kwargs: dict[str, Any] = {"command": command, "stdout": True, "stderr": True, "stdin": False,
                              "tty": False, "_preload_content": False}
    if container:
        kwargs["container"] = container
    _websocket.rest, _websocket.timeout = rest, timeout
    client = stream(CoreV1Api(api_client(rest)).connect_get_namespaced_pod_exec, pod, namespace, **kwargs)
    try:
        return read_exec(client, pod, timeout)
    finally:
        client.close()


class ExecStream(Protocol):
    """What read_exec needs of kubernetes.stream's WSClient (a fake in the unit tests)."""

    def is_open(self) -> bool: ...
    def update(self, timeout: float = 0) -> None: ...
    def read_channel(self, channel: int, timeout: float = 0) -> str: ...


def read_exec(client: ExecStream, pod: str, timeout: float,
              clock: Callable[[], float] = time.monotonic) -> ExecResult:
    """Output and exit code of one exec stream. A stream that ends without the status the API
    server always sends last is the cluster not answering (seen under load): with nothing read it
    is a retryable ClusterError, never the learner's empty output."""
    stdout: list[str] = []
    stderr: list[str] = []
    size = 0

    def drain() -> None:
        nonlocal size
        # timeout=0: the read_* defaults wait for the next frame, forever if the command hangs.
        # Each read may take in every frame waiting (the close too): buffered output is read even
        # once the stream is closed, else a close that came with the last frame would drop it.
        for chunks, channel in ((stdout, STDOUT_CHANNEL), (stderr, STDERR_CHANNEL)):
            chunk = client.read_channel(channel, timeout=0)
            if chunk:
                chunks.append(chunk)
                size += len(chunk)

    deadline = clock() + timeout
    while client.is_open() and clock() < deadline and size < MAX_OUTPUT:
        client.update(timeout=min(1.0, max(0.05, deadline - clock())))
        drain()
    drain()
    complete = True
    if size >= MAX_OUTPUT:  # enough read: judge that much, the exit code is unknown
        code, problem = None, ""
    elif client.is_open():
        raise ClusterError("timeout", f"exec in pod {pod}: no answer within {timeout:g}s", retryable=True)
    else:
        raw = client.read_channel(ERROR_CHANNEL, timeout=0)
        if not raw.strip() and not size:
            raise ClusterError("stream", f"exec in pod {pod}: the stream ended with no output and no exit "
                               "status", retryable=True)
        code, problem = exec_status(raw)
        complete = bool(raw.strip())
    if problem:
        stderr.append(problem)
    return ExecResult("".join(stdout)[:MAX_OUTPUT], "".join(stderr)[:MAX_OUTPUT], code, complete)


STDOUT_CHANNEL, STDERR_CHANNEL = 1, 2
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
    if found:
        return int(found.group(1)), message
    # containerd/runc: "Internal error occurred: error executing command in container: failed to exec
    # in container: failed to start exec "<id>": OCI runtime exec failed: exec failed: unable to start
    # container process: exec: "/x": stat /x: no such file or directory": keep what the learner needs
    _, marker, why = message.rpartition("unable to start container process: ")
    return 126, (why.strip() if marker else message)


def run_port_forward_get(rest: RestClient, namespace: str, pod: str, port: int, path: str,
                         timeout: float) -> HttpResult:
    from kubernetes.client import CoreV1Api
    from kubernetes.stream import portforward

    _websocket.rest, _websocket.timeout = rest, timeout
    forward = portforward(CoreV1Api(api_client(rest)).connect_get_namespaced_pod_portforward, pod, namespace,
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

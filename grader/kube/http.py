"""Plain HTTP from where labcheck runs (NodePorts), with short reasons when nothing answers.

Environment proxies are ignored on purpose: HTTP_PROXY would send node-IP requests to a
corporate proxy that cannot reach the cluster, and the learner would see the proxy's error.
A redirect is an answer in itself: its status is reported, never followed elsewhere.
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from labcheck.core.answers import HttpResult, Unreachable, reason_of
from labcheck.kube.dial import wire_name
from labcheck.kube.wire import Connection

MAX_BODY = 64 * 1024
USER_AGENT = "labcheck"


def _connection(scheme: str, host: str, port: int | None, timeout: float) -> Connection:
    if scheme not in ("http", "https"):
        raise Unreachable(host, f"unsupported URL scheme {scheme!r}")
    default = 443 if scheme == "https" else 80

    def dial(timeout: float) -> socket.socket:
        sock = socket.create_connection((wire_name(host), port or default), timeout=timeout)
        if scheme == "http":
            return sock
        import ssl

        try:
            return ssl.create_default_context().wrap_socket(sock, server_hostname=host)
        except BaseException:
            sock.close()
            raise

    return Connection(host, port or default, default, dial, timeout)


def http_get(url: str, timeout: float) -> HttpResult:
    """GET url. Any HTTP answer (404, 503 too) is an HttpResult; no answer raises Unreachable."""
    parts = urlsplit(url)
    address = parts.netloc
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection = _connection(parts.scheme, parts.hostname or "", parts.port, timeout)
        try:
            response = connection.request("GET", path, [("User-Agent", USER_AGENT), ("Connection", "close")])
            body = response.read(MAX_BODY).decode("utf-8", errors="replace")
            return HttpResult(url=url, status=int(response.status), body=body)
        finally:
            connection.close()
    except (OSError, ValueError) as exc:
        raise Unreachable(address, reason_of(exc)) from exc

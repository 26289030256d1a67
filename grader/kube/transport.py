"""Requests to the API server (GETs, and test-lab's namespace writes) and sockets for its
WebSockets, from a resolved context.

One keep-alive connection per thread: a run's requests share one TLS handshake. Credentials are
asked for per request (cached: an exec plugin runs once per expiry window, a tokenFile is reread
every minute); a 401 makes the next request fetch them again, as client-go does.
"""

from __future__ import annotations

import base64
import socket
import ssl
import threading
from typing import Any
from urllib.parse import urlencode, urlsplit

from labcheck.kube.credentials import Credentials
from labcheck.kube.dial import open_socket, ssl_context, wire_name
from labcheck.kube.kubeconfig import config_error
from labcheck.kube.proxy import Proxy, proxy_for
from labcheck.kube.resolve import Resolved
from labcheck.kube.wire import Connection, RemoteDisconnected, Response

_STALE = (RemoteDisconnected, BrokenPipeError, ConnectionResetError, ConnectionAbortedError)


MAX_IDLE = 16  # idle connections kept per client (batch: --jobs students at once)


class RestClient:
    def __init__(self, resolved: Resolved, user_agent: str) -> None:
        parts = urlsplit(resolved.server)
        self.resolved = resolved
        self.server = resolved.server
        self.https = parts.scheme == "https"
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (443 if self.https else 80)
        self.prefix = parts.path.rstrip("/")
        self.user_agent = user_agent
        cluster = resolved.cluster
        self.proxy: Proxy | None = proxy_for(resolved.server, cluster.get("proxy-url"))
        self.credentials = Credentials(resolved)
        self.server_name = str(cluster.get("tls-server-name") or "") or self.host
        self._ca = self._ca_pem(cluster)
        self._insecure = cluster.get("insecure-skip-tls-verify") is True
        if self._insecure and self._ca:
            raise config_error("specifying a root certificates file with the insecure flag is not allowed")
        self._tls: tuple[bytes, ssl.SSLContext] | None = None
        self._tls_lock = threading.Lock()
        self._idle: list[Connection] = []  # keep-alive connections no request holds
        self._idle_lock = threading.Lock()
        self.stream_api: Any = None  # the kubernetes ApiClient exec and port-forward use (streams.py)
        if self.https and not self.credentials.uses_plugin:
            self.ssl_context()  # a bad CA or key pair is a config error now, not at the first request

    @staticmethod
    def _ca_pem(cluster: dict[str, Any]) -> bytes | None:
        if cluster.get("certificate-authority-data"):
            return base64.b64decode(cluster["certificate-authority-data"])
        path = cluster.get("certificate-authority")
        if path:
            try:
                with open(path, "rb") as file:
                    return file.read()
            except OSError as exc:
                why = exc.strerror or exc
                raise config_error(f"unable to read certificate-authority {path}: {why}") from None
        return None

    def ssl_context(self) -> ssl.SSLContext:
        cert = self.credentials.client_cert()  # an exec plugin's may change when it runs again
        with self._tls_lock:
            if self._tls is None or self._tls[0] != cert:
                try:
                    self._tls = (cert, ssl_context(self._ca, self._insecure, cert))
                except ssl.SSLError as exc:
                    what = "the client certificate and key" if cert else "the certificate authority"
                    raise config_error(f"cannot use {what} of the kubeconfig: {exc.reason or exc}") from None
            return self._tls[1]

    def open(self, timeout: float) -> socket.socket:
        """A socket to the API server, TLS done when the server is https."""
        sock = open_socket(self.host, self.port, self.proxy, timeout)
        if not self.https:
            return sock
        try:
            return self.ssl_context().wrap_socket(sock, server_hostname=wire_name(self.server_name))
        except BaseException:
            sock.close()
            raise

    def headers(self) -> list[tuple[str, str]]:
        out = [("Accept", "application/json, */*"), ("User-Agent", self.user_agent)]
        out += list(self.credentials.headers().items())
        out += [("Impersonate-Group", g) for g in self.credentials.impersonated_groups()]
        return out

    def _new_connection(self, timeout: float) -> Connection:
        """A connection over a socket this client dials (proxy, TLS and all) at its first request."""
        return Connection(self.host, self.port, 443 if self.https else 80, self.open, timeout)

    def _connection(self, timeout: float, fresh: bool = False) -> tuple[Connection, bool]:
        """An idle keep-alive connection, whichever thread used it last (a batch grades each
        student in a thread of its own: per-thread connections cost a TLS handshake each), or a new one."""
        with self._idle_lock:
            conn = self._idle.pop() if self._idle and not fresh else None
        if conn is not None:
            conn.timeout = timeout
            if conn.sock is not None:
                conn.sock.settimeout(timeout)
            return conn, True
        return self._new_connection(timeout), False

    def _release(self, conn: Connection) -> None:
        with self._idle_lock:
            if len(self._idle) < MAX_IDLE:
                self._idle.append(conn)
                return
        conn.close()

    def get(self, path: str, query: list[tuple[str, Any]], timeout: float,
            max_body: int | None = None) -> tuple[int, bytes]:
        """Status and body (at most `max_body` bytes of it, whatever the server sends: a server that
        ignores limitBytes cannot make labcheck hold more); transport failures raise."""
        return self.request("GET", path, query, timeout, max_body)

    def request(self, method: str, path: str, query: list[tuple[str, Any]], timeout: float,
                max_body: int | None = None, body: bytes | None = None) -> tuple[int, bytes]:
        """Any verb; only `labcheck test-lab` sends one other than GET (kube/writes.py)."""
        url = self.prefix + path + (f"?{urlencode(query)}" if query else "")
        for attempt in (1, 2):
            conn, reused = self._connection(timeout, fresh=attempt == 2)  # never two stale ones in a row
            try:
                extra = [("Content-Type", "application/json")] if body is not None else []
                response = conn.request(method, url, self.headers() + extra, body)
                answer = response.read() if max_body is None else response.read(max_body)
                if response.will_close or not response.isclosed():  # cut short: the rest is not read
                    conn.close()
                else:
                    self._release(conn)
                if response.status == 401:
                    self.credentials.unauthorized()
                return response.status, answer
            except _STALE:
                conn.close()
                if not reused or attempt == 2:  # an idle keep-alive connection the server closed
                    raise
            except BaseException:
                conn.close()
                raise
        raise AssertionError("unreachable")

    def stream(self, path: str, query: list[tuple[str, Any]], timeout: float,
               read_timeout: float) -> tuple[int, Response, Connection]:
        """A GET whose body is read as it comes (a watch), on a connection of its own: `timeout`
        for the answer's headers, `read_timeout` for each read after. Close the connection when done
        (shutting its socket down also ends a read blocked in another thread)."""
        url = self.prefix + path + (f"?{urlencode(query)}" if query else "")
        conn = self._new_connection(timeout)
        try:
            response = conn.request("GET", url, self.headers())
            if response.status == 401:
                self.credentials.unauthorized()
            if conn.sock is not None:
                conn.sock.settimeout(read_timeout)
            return response.status, response, conn
        except BaseException:
            conn.close()
            raise

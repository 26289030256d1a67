"""GET requests to the API server without the `kubernetes` package (it takes ~0.3 s to import).

Reads the kubeconfig shapes most clusters use: client certificate and key (data or files),
bearer token (or tokenFile), basic auth, the CA (data or file) or insecure-skip-tls-verify.
Anything else (exec plugins, auth providers, proxies, impersonation, several kubeconfig files,
in-cluster accounts) gives None and grader/kube/ uses the kubernetes client instead.
One keep-alive connection per thread: a run's requests share one TLS handshake.
"""

from __future__ import annotations

import base64
import http.client
import os
import ssl
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

_CLUSTER_KEYS = {"server", "certificate-authority", "certificate-authority-data", "insecure-skip-tls-verify",
                 "extensions"}
_USER_KEYS = {"client-certificate", "client-certificate-data", "client-key", "client-key-data", "token",
              "tokenFile", "username", "password", "extensions"}
_PROXY_VARS = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")
_STALE = (http.client.RemoteDisconnected, http.client.CannotSendRequest, BrokenPipeError,
          ConnectionResetError, ConnectionAbortedError)


@dataclass(frozen=True)
class Plain:
    """What a kubeconfig context resolved to."""

    client: RestClient
    context: str
    cluster: str
    namespace: str | None


class RestClient:
    def __init__(self, server: str, context: ssl.SSLContext | None, headers: dict[str, str]) -> None:
        parts = urlsplit(server)
        self.server = server
        self.https = parts.scheme == "https"
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (443 if self.https else 80)
        self.prefix = parts.path.rstrip("/")
        self.ssl_context = context
        self.headers = headers
        self._local = threading.local()

    def _connection(self, timeout: float) -> tuple[http.client.HTTPConnection, bool]:
        conn: http.client.HTTPConnection | None = getattr(self._local, "conn", None)
        if conn is not None:
            conn.timeout = timeout
            if conn.sock is not None:
                conn.sock.settimeout(timeout)
            return conn, True
        if self.https:
            conn = http.client.HTTPSConnection(self.host, self.port, timeout=timeout,
                                               context=self.ssl_context)
        else:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        self._local.conn = conn
        return conn, False

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            conn.close()

    def get(self, path: str, query: list[tuple[str, Any]], timeout: float,
            max_body: int | None = None) -> tuple[int, bytes]:
        """Status and body (at most `max_body` bytes of it, whatever the server sends: a server that
        ignores limitBytes cannot make labcheck hold more); transport failures raise."""
        url = self.prefix + path + (f"?{urlencode(query)}" if query else "")
        for attempt in (1, 2):
            conn, reused = self._connection(timeout)
            try:
                conn.request("GET", url, headers=self.headers)
                response = conn.getresponse()
                body = response.read() if max_body is None else response.read(max_body)
                if response.will_close or not response.isclosed():  # cut short: the rest is not read
                    self._drop()
                return response.status, body
            except _STALE:
                self._drop()
                if not reused or attempt == 2:  # an idle keep-alive connection the server closed
                    raise
            except BaseException:
                self._drop()
                raise
        raise AssertionError("unreachable")


def _read(value: str, base: Path) -> bytes:
    path = Path(value).expanduser()
    return (path if path.is_absolute() else base / path).read_bytes()


def _ssl_context(cluster: dict[str, Any], user: dict[str, Any], base: Path) -> ssl.SSLContext:
    # A kubeconfig that names its CA trusts that CA only, as kubectl does (and the system store,
    # ~40 ms to load, is not read); without one, the system's CAs.
    own_ca = cluster.get("certificate-authority-data") or cluster.get("certificate-authority")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT) if own_ca else ssl.create_default_context()
    if cluster.get("insecure-skip-tls-verify"):
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    elif cluster.get("certificate-authority-data"):
        ctx.load_verify_locations(cadata=base64.b64decode(cluster["certificate-authority-data"]).decode())
    elif cluster.get("certificate-authority"):
        ctx.load_verify_locations(cadata=_read(cluster["certificate-authority"], base).decode())
    cert = (base64.b64decode(user["client-certificate-data"]) if user.get("client-certificate-data")
            else _read(user["client-certificate"], base) if user.get("client-certificate") else None)
    key = (base64.b64decode(user["client-key-data"]) if user.get("client-key-data")
           else _read(user["client-key"], base) if user.get("client-key") else None)
    if cert and key:
        _load_cert_chain(ctx, cert + b"\n" + key)
    return ctx


def _load_cert_chain(ctx: ssl.SSLContext, pem: bytes) -> None:
    """ssl wants a file: on Linux an anonymous in-memory one, so a read-only filesystem (the Job's
    readOnlyRootFilesystem) works and the key never touches a disk; elsewhere a 0600 temp file."""
    if hasattr(os, "memfd_create"):
        fd = os.memfd_create("labcheck-client-cert", os.MFD_CLOEXEC)
        try:
            view = memoryview(pem)
            while view:
                view = view[os.write(fd, view):]
            ctx.load_cert_chain(f"/proc/self/fd/{fd}")
        finally:
            os.close(fd)
        return
    with tempfile.NamedTemporaryFile(prefix="labcheck-", suffix=".pem") as file:  # 0600, gone at once
        file.write(pem)
        file.flush()
        ctx.load_cert_chain(file.name)


def _named(items: Any, name: str) -> dict[str, Any] | None:
    for item in items or []:
        if isinstance(item, dict) and item.get("name") == name:
            return item
    return None


_cache: dict[tuple[str, float, str | None, str], Plain | None] = {}
_cache_lock = threading.Lock()


def load(kubeconfig: str | None, context: str | None, user_agent: str) -> Plain | None:
    """The chosen context as a RestClient, or None when only the kubernetes client can handle it."""
    if any(os.environ.get(v) for v in _PROXY_VARS):
        return None
    paths = kubeconfig or os.environ.get("KUBECONFIG") or str(Path("~/.kube/config").expanduser())
    files = [p for p in paths.split(os.pathsep) if p and Path(p).expanduser().exists()]
    if len(files) != 1:
        return None
    path = Path(files[0]).expanduser().resolve()
    key = (str(path), path.stat().st_mtime, context, user_agent)
    with _cache_lock:
        if key not in _cache:
            try:
                _cache[key] = _load(path, context, user_agent)
            except (OSError, ValueError, TypeError, KeyError, AttributeError, ssl.SSLError):
                _cache[key] = None  # the kubernetes client reports it in its words
        return _cache[key]


def _load(path: Path, context: str | None, user_agent: str) -> Plain | None:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    config = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 (a safe loader)
    name = context or config.get("current-context")
    chosen = _named(config.get("contexts"), str(name)) if name else None
    if chosen is None:
        return None
    ctx = chosen.get("context") or {}
    cluster = (_named(config.get("clusters"), str(ctx.get("cluster"))) or {}).get("cluster") or {}
    named_user = _named(config.get("users"), str(ctx.get("user"))) if ctx.get("user") else None
    user = (named_user or {}).get("user") or {}
    if not cluster.get("server") or set(cluster) - _CLUSTER_KEYS or set(user) - _USER_KEYS:
        return None
    headers = {"Accept": "application/json, */*", "User-Agent": user_agent}
    token = user.get("token") or (_read(user["tokenFile"], path.parent).decode().strip()
                                  if user.get("tokenFile") else "")
    if token:
        headers["Authorization"] = f"Bearer {token}"
    elif user.get("username") and user.get("password"):
        basic = base64.b64encode(f"{user['username']}:{user['password']}".encode()).decode()
        headers["Authorization"] = f"Basic {basic}"
    server = str(cluster["server"])
    tls = _ssl_context(cluster, user, path.parent) if server.startswith("https://") else None
    return Plain(RestClient(server, tls, headers), str(name), str(ctx.get("cluster", "")),
                 ctx.get("namespace"))

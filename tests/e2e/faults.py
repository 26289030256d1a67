"""Faults between labcheck and the cluster, without touching the session's shared cluster.

`FaultProxy` is a TCP proxy on 127.0.0.1 in front of the API server (TLS passes through it
untouched, so the kubeconfig's CA and credentials still work): it can pass traffic, delay every
answer, swallow connections without a word, or "die" (stop listening and cut every open
connection), as an API server killed mid-run would. `SilentServer` accepts TCP connections and
never answers (a port-forward target that hangs). `kubeconfig_for` writes a kubeconfig of the
session's cluster with the server, CA or credentials replaced.
"""

from __future__ import annotations

import base64
import contextlib
import select
import socket
import threading
import time
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml

Mode = Literal["pass", "delay", "hang"]


class FaultProxy:
    def __init__(self, upstream: str, mode: Mode = "pass", delay: float = 0.0) -> None:
        parts = urlsplit(upstream if "//" in upstream else f"//{upstream}")
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 443)
        self.mode: Mode = mode
        self.delay = delay
        self.connections = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._alive = True
        threading.Thread(target=self._accept, daemon=True, name="fault-proxy").start()

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.kill()

    def kill(self) -> None:
        """The API server dies: no more listening, every open connection cut."""
        self._alive = False
        with contextlib.suppress(OSError):
            self._listener.close()
        self.cut()

    def cut(self) -> None:
        """Every open connection dropped (a NAT or load balancer forgetting them); still listening."""
        with self._lock:
            for sock in list(self._open):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._open.clear()

    def kill_after(self, seconds: float) -> None:
        timer = threading.Timer(seconds, self.kill)
        timer.daemon = True
        timer.start()

    def _track(self, sock: socket.socket) -> None:
        with self._lock:
            if not self._alive:
                sock.close()
                raise OSError("proxy is dead")
            self._open.add(sock)

    def _accept(self) -> None:
        while self._alive:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            self._track(client)
            if self.mode == "hang":
                while self._alive and client.recv(65536):
                    pass  # read and say nothing
                return
            upstream = socket.create_connection(self.upstream, timeout=5)
            upstream.settimeout(None)
            self._track(upstream)
            self._pump(client, upstream)
        except OSError:
            pass
        finally:
            with self._lock:
                for sock in list(self._open):
                    if sock is client:
                        self._open.discard(sock)
            with contextlib.suppress(OSError):
                client.close()

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        try:
            while self._alive:
                ready, _, _ = select.select([client, upstream], [], [], 0.5)
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    if sock is upstream and self.mode == "delay":
                        time.sleep(self.delay)  # every answer (each TLS record batch) comes late
                    (client if sock is upstream else upstream).sendall(data)
        finally:
            with self._lock:
                self._open.discard(upstream)
            with contextlib.suppress(OSError):
                upstream.close()


class SilentServer:
    """Accepts TCP connections on 127.0.0.1 and never answers (until stopped)."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._clients: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True, name="silent-server").start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            self._clients.append(client)

    def stop(self) -> None:
        for sock in [self._listener, *self._clients]:
            with contextlib.suppress(OSError):
                sock.close()

    def __enter__(self) -> SilentServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def kubeconfig_for(source: Path, path: Path, *, server: str | None = None, ca_pem: bytes | None = None,
                   user: dict[str, Any] | None = None, namespace: str | None = None) -> Path:
    """A one-context copy of `source` (its current context), CA inlined, with the parts replaced."""
    cfg = yaml.safe_load(source.read_text(encoding="utf-8"))
    ctx = next(c for c in cfg["contexts"] if c["name"] == cfg["current-context"])["context"]
    cluster = dict(next(c for c in cfg["clusters"] if c["name"] == ctx["cluster"])["cluster"])
    creds = dict(next(u for u in cfg["users"] if u["name"] == ctx["user"])["user"])
    for key in ("certificate-authority", "client-certificate", "client-key"):
        holder = cluster if key == "certificate-authority" else creds
        if key in holder:
            holder[f"{key}-data"] = base64.b64encode(Path(holder.pop(key)).read_bytes()).decode()
    if server is not None:
        cluster["server"] = server
    if ca_pem is not None:
        cluster["certificate-authority-data"] = base64.b64encode(ca_pem).decode()
    if user is not None:
        creds = user
    context: dict[str, Any] = {"cluster": "c", "user": "u"}
    if namespace:
        context["namespace"] = namespace
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "fault",
        "clusters": [{"name": "c", "cluster": cluster}], "users": [{"name": "u", "user": creds}],
        "contexts": [{"name": "fault", "context": context}]}), encoding="utf-8")
    return path

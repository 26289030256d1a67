"""Two small loopback proxies for the kubectl-parity cases: HTTP CONNECT and SOCKS5 (no auth).

Each records the targets it was asked for, so a case can tell whether a request went through it.
Host names in `aliases` resolve to 127.0.0.1 at the proxy (a name nothing else can resolve, the
way a corporate proxy resolves names the laptop cannot).
"""

from __future__ import annotations

import contextlib
import select
import socket
import socketserver
import struct
import threading
from collections.abc import Iterator


def _pipe(a: socket.socket, b: socket.socket) -> None:
    sockets = [a, b]
    while True:
        readable, _, _ = select.select(sockets, [], [], 30)
        if not readable:
            return
        for sock in readable:
            data = sock.recv(65536)
            if not data:
                return
            (b if sock is a else a).sendall(data)


class _Base(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, handler: type[socketserver.BaseRequestHandler], aliases: set[str]) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.aliases = aliases
        self.seen: list[str] = []

    def dial(self, host: str, port: int) -> socket.socket:
        self.seen.append(f"{host}:{port}")
        return socket.create_connection(("127.0.0.1" if host in self.aliases else host, port), timeout=10)

    @property
    def port(self) -> int:
        return int(self.server_address[1])


class _Connect(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        server: _Base = self.server  # type: ignore[assignment]
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.request.recv(4096)
            if not chunk:
                return
            head += chunk
        method, target = head.split(b" ", 2)[:2]
        if method != b"CONNECT":
            self.request.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            return
        host, _, port = target.decode().rpartition(":")
        try:
            upstream = server.dial(host.strip("[]"), int(port))
        except OSError:
            self.request.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            return
        with upstream:
            self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            _pipe(self.request, upstream)


class _Socks5(socketserver.BaseRequestHandler):
    def _read(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = self.request.recv(size - len(data))
            if not chunk:
                raise ConnectionError("closed")
            data += chunk
        return data

    def handle(self) -> None:
        server: _Base = self.server  # type: ignore[assignment]
        _, count = self._read(2)
        self._read(count)
        self.request.sendall(b"\x05\x00")
        _, _, _, kind = self._read(4)
        if kind == 1:
            host = socket.inet_ntoa(self._read(4))
        elif kind == 3:
            host = self._read(self._read(1)[0]).decode()
        else:
            host = socket.inet_ntop(socket.AF_INET6, self._read(16))
        (port,) = struct.unpack(">H", self._read(2))
        try:
            upstream = server.dial(host, port)
        except OSError:
            self.request.sendall(b"\x05\x05\x00\x01\x00\x00\x00\x00\x00\x00")
            return
        with upstream:
            self.request.sendall(b"\x05\x00\x00\x01\x7f\x00\x00\x01\x00\x00")
            _pipe(self.request, upstream)


@contextlib.contextmanager
def proxies(aliases: set[str]) -> Iterator[tuple[_Base, _Base]]:
    """(connect, socks5) proxies on loopback, for the duration."""
    servers = (_Base(_Connect, aliases), _Base(_Socks5, aliases))
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers]
    for thread in threads:
        thread.start()
    try:
        yield servers
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()

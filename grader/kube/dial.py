"""A connected socket to the API server: directly, through an HTTP(S) CONNECT proxy or SOCKS5,
then TLS with the kubeconfig's trust (its CA only, when it names one; tls-server-name).

Plain GETs (transport.py) and the WebSockets of exec and port-forward (streams.py) both dial
here, so both take the same route with the same trust.
"""

from __future__ import annotations

import base64
import ipaddress
import os
import socket
import ssl
import struct
from typing import Any

from labcheck.errors import ProxyFailed
from labcheck.kube.proxy import Proxy


def wire_name(host: str) -> Any:
    """A host name as the resolver and TLS take it: an ASCII name as bytes, which skips the IDNA
    codec (and the stringprep tables it imports, ~2 ms of a start) for names that need none."""
    return host.encode("ascii") if host.isascii() else host


def open_socket(host: str, port: int, proxy: Proxy | None, timeout: float) -> socket.socket:
    if proxy is None:
        return socket.create_connection((wire_name(host), port), timeout=timeout)
    try:
        sock = socket.create_connection((wire_name(proxy.host), proxy.port), timeout=timeout)
    except OSError as exc:
        raise ProxyFailed(f"cannot connect to the proxy {proxy}: {exc.strerror or exc}") from None
    try:
        if proxy.scheme == "https":
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=proxy.host)
        if proxy.scheme == "socks5":
            _socks5(sock, host, port, proxy)
        else:
            _connect(sock, host, port, proxy)
    except BaseException:
        sock.close()
        raise
    return sock


def _connect(sock: socket.socket, host: str, port: int, proxy: Proxy) -> None:
    target = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    lines = [f"CONNECT {target} HTTP/1.1", f"Host: {target}"]
    if proxy.username or proxy.password:
        pair = base64.b64encode(f"{proxy.username}:{proxy.password}".encode()).decode()
        lines.append(f"Proxy-Authorization: Basic {pair}")
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(4096)
        if not chunk:
            raise ProxyFailed(f"the proxy {proxy} closed the connection before answering CONNECT")
        head += chunk
        if len(head) > 65536:
            raise ProxyFailed(f"the proxy {proxy} sent no end of headers")
    status = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
    if len(status) < 2 or status[1] != "200":
        said = " ".join(status[1:]).strip() or "nothing"
        raise ProxyFailed(f"the proxy {proxy} refused to connect to {target}: {said}")


def _socks5(sock: socket.socket, host: str, port: int, proxy: Proxy) -> None:
    """RFC 1928 CONNECT, no auth or username/password (RFC 1929), the host name resolved by the proxy."""
    methods = b"\x00\x02" if proxy.username else b"\x00"
    sock.sendall(b"\x05" + bytes([len(methods)]) + methods)
    reply = _exactly(sock, 2, proxy)
    if reply[0] != 5 or reply[1] == 0xFF:
        raise ProxyFailed(f"the SOCKS proxy {proxy} accepts none of labcheck's authentication methods")
    if reply[1] == 2:
        user, password = proxy.username.encode(), proxy.password.encode()
        sock.sendall(b"\x01" + bytes([len(user)]) + user + bytes([len(password)]) + password)
        if _exactly(sock, 2, proxy)[1] != 0:
            raise ProxyFailed(f"the SOCKS proxy {proxy} refused the username and password")
    try:
        address = ipaddress.ip_address(host)
        dest = (b"\x01" if address.version == 4 else b"\x04") + address.packed
    except ValueError:
        dest = b"\x03" + bytes([len(host.encode())]) + host.encode()
    sock.sendall(b"\x05\x01\x00" + dest + struct.pack(">H", port))
    head = _exactly(sock, 4, proxy)
    if head[1] != 0:
        raise ProxyFailed(f"the SOCKS proxy {proxy} could not connect to {host}:{port} (reply {head[1]})")
    size = {1: 4, 4: 16}.get(head[3]) or _exactly(sock, 1, proxy)[0]
    _exactly(sock, size + 2, proxy)


def _exactly(sock: socket.socket, size: int, proxy: Proxy) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ProxyFailed(f"the SOCKS proxy {proxy} closed the connection")
        data += chunk
    return data


def ssl_context(ca_pem: bytes | None, insecure: bool, client_pem: bytes) -> ssl.SSLContext:
    """Only the kubeconfig's CA when it gives one (kubectl's rule); the system's CAs otherwise."""
    if insecure:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    elif ca_pem:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(cadata=ca_pem.decode("ascii", errors="replace"))
    else:
        ctx = ssl.create_default_context()
    ctx.set_alpn_protocols(["http/1.1"])
    if client_pem:
        load_cert_chain(ctx, client_pem)
    return ctx


def load_cert_chain(ctx: ssl.SSLContext, pem: bytes) -> None:
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
    import tempfile

    with tempfile.NamedTemporaryFile(prefix="labcheck-", suffix=".pem") as file:  # 0600, gone at once
        file.write(pem)
        file.flush()
        ctx.load_cert_chain(file.name)

"""HTTP/1.1 over a socket labcheck dialled: the requests to the API server and to learners' apps.

http.client imports the email package to read headers, ~13 ms of a ~150 ms start-up. What is
read here is what a Go server (the API server, kube-proxy) or a learner's web server sends: a
status line, headers, a body by Content-Length, chunked, or until the connection closes; 1xx
answers skipped; keep-alive unless either side says close. Anything else is ProtocolError.
"""

from __future__ import annotations

import io
import socket
from collections.abc import Callable

MAX_LINE = 64 * 1024
MAX_HEADERS = 200


class ProtocolError(OSError):
    """The other side answered, but not in HTTP/1.x."""

    reason = "not an HTTP answer"  # labcheck.core.answers.reason_of


class RemoteDisconnected(ConnectionResetError):
    """Closed before the status line: on a kept-alive connection, the server let it go idle."""

    reason = "closed without an answer"


class Response:
    def __init__(self, reader: io.BufferedReader, method: str) -> None:
        self._file = reader
        while True:
            self.version, self.status, self.reason = self._status_line()
            self.headers = self._headers()
            if not 100 <= self.status < 200 or self.status == 101:
                break  # 100 Continue, 103 Early Hints: the answer is still to come
        connection = self.headers.get("connection", "").lower()
        old = self.version == "HTTP/1.0" and "keep-alive" not in connection
        self.will_close = "close" in connection or old
        self._chunked = "chunked" in self.headers.get("transfer-encoding", "").lower()
        self._left: int | None = None  # body bytes still to read; None: until the connection closes
        if method == "HEAD" or self.status in (204, 304) or 100 <= self.status < 200:
            self._left = 0
        elif self._chunked:
            self._left = 0  # of the current chunk
        elif "content-length" in self.headers:
            try:
                self._left = int(self.headers["content-length"])
            except ValueError:
                raise ProtocolError(f"bad Content-Length {self.headers['content-length']!r}") from None
            if self._left < 0:
                raise ProtocolError("negative Content-Length")
        else:
            self.will_close = True
        self._done = self._left == 0 and not self._chunked
        self._pending = b""  # decoded body read ahead by readline

    def _line(self) -> bytes:
        line = self._file.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            raise ProtocolError("header line too long")
        return line

    def _status_line(self) -> tuple[str, int, str]:
        line = self._line()
        if not line:
            raise RemoteDisconnected("Remote end closed connection without response")
        parts = line.decode("iso-8859-1").rstrip("\r\n").split(None, 2)
        status_ok = len(parts) >= 2 and parts[1].isdigit() and len(parts[1]) == 3
        if not status_ok or not parts[0].startswith("HTTP/1."):
            raise ProtocolError(f"not an HTTP status line: {line[:40]!r}")
        return parts[0], int(parts[1]), parts[2] if len(parts) > 2 else ""

    def _headers(self) -> dict[str, str]:
        headers: dict[str, str] = {}
        for _ in range(MAX_HEADERS):
            line = self._line()
            if line in (b"\r\n", b"\n", b""):
                return headers
            name, sep, value = line.decode("iso-8859-1").partition(":")
            if not sep:
                raise ProtocolError(f"bad header line {line[:40]!r}")
            key = name.strip().lower()
            headers[key] = f"{headers[key]}, {value.strip()}" if key in headers else value.strip()
        raise ProtocolError("too many headers")

    def _chunk(self, amt: int) -> bytes:
        """Up to amt bytes of the body as it comes, b"" at its end."""
        if self._done:
            return b""
        if self._chunked and self._left == 0:
            size = self._line().split(b";", 1)[0].strip()
            try:
                self._left = int(size, 16)
            except ValueError:
                raise ProtocolError(f"bad chunk size {size[:20]!r}") from None
            if self._left == 0:
                while self._line() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                self._done = True
                return b""
        want = amt if self._left is None else min(amt, self._left)
        data = self._file.read1(want) if want else b""
        if not data:
            if self._left is None:
                self._done = True
                return b""
            raise ProtocolError(f"connection closed with {self._left} bytes of the answer still to come")
        if self._left is not None:
            self._left -= len(data)
            if self._left == 0:
                if self._chunked:
                    self._line()  # the CRLF after a chunk
                else:
                    self._done = True
        return data

    def read(self, amt: int | None = None) -> bytes:
        out = [self._pending[:amt] if amt is not None else self._pending]
        self._pending = self._pending[len(out[0]):]
        size = len(out[0])
        while amt is None or size < amt:
            data = self._chunk(65536 if amt is None else min(65536, amt - size))
            if not data:
                break
            out.append(data)
            size += len(data)
        return b"".join(out)

    def readline(self) -> bytes:
        """One line of the body (a watch event), b"" at its end."""
        while b"\n" not in self._pending:
            data = self._chunk(65536)
            if not data:
                line, self._pending = self._pending, b""
                return line
            self._pending += data
        line, _, self._pending = self._pending.partition(b"\n")
        return line + b"\n"

    def isclosed(self) -> bool:
        return self._done and not self._pending


class Connection:
    """One HTTP/1.1 connection, dialled on first use by `dial(timeout)`."""

    def __init__(self, host: str, port: int, default_port: int, dial: Callable[[float], socket.socket],
                 timeout: float) -> None:
        shown = f"[{host}]" if ":" in host else host
        self.host_header = shown if port == default_port else f"{shown}:{port}"
        self.dial, self.timeout = dial, timeout
        self.sock: socket.socket | None = None
        self._reader: io.BufferedReader | None = None

    def request(self, method: str, target: str, headers: list[tuple[str, str]],
                body: bytes | None = None) -> Response:
        lines = [f"{method} {target} HTTP/1.1", f"Host: {self.host_header}"]
        lines += [f"{name}: {value}" for name, value in headers]
        if body is not None:
            lines.append(f"Content-Length: {len(body)}")
        if any(ord(c) <= 0x20 or c == "\x7f" for c in target) or any(
                c in name + value for name, value in headers for c in "\r\n\0"):
            raise ValueError("a header or the URL holds a control character")  # as http.client refuses
        if self.sock is None or self._reader is None:
            self.sock = self.dial(self.timeout)
            self._reader = self.sock.makefile("rb")
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b""))
        return Response(self._reader, method)

    def close(self) -> None:
        sock, reader, self.sock, self._reader = self.sock, self._reader, None, None
        if reader is not None:
            reader.close()
        if sock is not None:
            sock.close()

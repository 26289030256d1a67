"""What a look at the cluster got back: exec output, an HTTP answer (any status), or why none came."""

from __future__ import annotations

import errno
import http.client
import socket
import ssl
import urllib.error
from dataclasses import dataclass


@dataclass(frozen=True)
class ExecResult:
    stdout: str
    stderr: str
    exit_code: int | None  # None when the stream ended without a status
    complete: bool = True  # False: the stream ended before the API server's final status


@dataclass(frozen=True)
class HttpResult:
    url: str
    status: int
    body: str


class Unreachable(OSError):
    """Nothing answered over HTTP at `address` (host:port); `reason` is a few words."""

    def __init__(self, address: str, reason: str) -> None:
        super().__init__(f"{address} {reason}")
        self.address = address
        self.reason = reason


_ERRNO_REASONS = {
    errno.ECONNREFUSED: "refused",
    errno.ECONNRESET: "connection reset",
    errno.EHOSTUNREACH: "host unreachable",
    errno.ENETUNREACH: "network unreachable",
    errno.ETIMEDOUT: "timed out",
    errno.EADDRNOTAVAIL: "address not available",
}


def reason_of(exc: BaseException) -> str:
    """A few words on why a connection failed: "refused", "timed out", "no such host", ..."""
    if isinstance(exc, Unreachable):
        return exc.reason
    if isinstance(exc, urllib.error.URLError) and isinstance(exc.reason, BaseException):
        return reason_of(exc.reason)
    if isinstance(exc, ConnectionRefusedError):
        return "refused"
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, socket.gaierror):
        return "no such host"
    if isinstance(exc, ssl.SSLError):
        return "TLS error"
    if isinstance(exc, http.client.RemoteDisconnected):
        return "closed without an answer"
    if isinstance(exc, http.client.HTTPException):
        return "not an HTTP answer"
    if isinstance(exc, OSError) and exc.errno in _ERRNO_REASONS:
        return _ERRNO_REASONS[exc.errno]
    text = str(getattr(exc, "reason", "") or exc or type(exc).__name__)
    return " ".join(text.split())[:80]

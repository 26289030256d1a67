"""What a look at the cluster got back: exec output, an HTTP answer (any status), or why none came."""

from __future__ import annotations

import errno
import sys
from typing import Any

from labcheck.core.record import dataclass


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


def _module(name: str) -> Any:
    """A network module only if something imported it: an exception of a module nobody loaded
    cannot be at hand, and `labcheck list` or a quiz need none of them (they cost ~15 ms)."""
    return sys.modules.get(name)


def reason_of(exc: BaseException) -> str:
    """A few words on why a connection failed: "refused", "timed out", "no such host", ..."""
    urllib_error, socket, ssl, http_client = (
        _module(n) for n in ("urllib.error", "socket", "ssl", "http.client"))
    if isinstance(exc, Unreachable):
        return exc.reason
    own = type(exc).__dict__.get("reason")  # labcheck.kube.wire's errors say it themselves
    if isinstance(exc, OSError) and isinstance(own, str):
        return own
    if urllib_error and isinstance(exc, urllib_error.URLError) and isinstance(exc.reason, BaseException):
        return reason_of(exc.reason)
    if isinstance(exc, ConnectionRefusedError):
        return "refused"
    if isinstance(exc, TimeoutError):
        return "timed out"
    if socket and isinstance(exc, socket.gaierror):
        return "no such host"
    if ssl and isinstance(exc, ssl.SSLError):
        return "TLS error"
    if http_client and isinstance(exc, http_client.RemoteDisconnected):
        return "closed without an answer"
    if http_client and isinstance(exc, http_client.HTTPException):
        return "not an HTTP answer"
    if isinstance(exc, OSError) and exc.errno in _ERRNO_REASONS:
        return _ERRNO_REASONS[exc.errno]
    text = str(getattr(exc, "reason", "") or exc or type(exc).__name__)
    return " ".join(text.split())[:80]

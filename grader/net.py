"""Plain HTTP from where labcheck runs (NodePorts), with short reasons when nothing answers.

Environment proxies are ignored on purpose: HTTP_PROXY would send node-IP requests to a
corporate proxy that cannot reach the cluster, and the learner would see the proxy's error.
"""

from __future__ import annotations

import errno
import http.client
import socket
import ssl
import urllib.error
import urllib.request
from typing import IO, Any
from urllib.parse import urlsplit

from checks.base import HttpResult

MAX_BODY = 64 * 1024
USER_AGENT = "labcheck"


class Unreachable(OSError):
    """Nothing answered over HTTP at `address` (host:port); `reason` is a few words."""

    def __init__(self, address: str, reason: str) -> None:
        super().__init__(f"{address} {reason}")
        self.address = address
        self.reason = reason


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer in itself: report its status instead of following it elsewhere."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())

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


def _read(stream: IO[bytes]) -> str:
    return stream.read(MAX_BODY).decode("utf-8", errors="replace")


def http_get(url: str, timeout: float) -> HttpResult:
    """GET url. Any HTTP answer (404, 503 too) is an HttpResult; no answer raises Unreachable."""
    address = urlsplit(url).netloc
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        try:
            with _OPENER.open(request, timeout=timeout) as response:
                return HttpResult(url=url, status=int(response.status), body=_read(response))
        except urllib.error.HTTPError as exc:
            with exc:
                return HttpResult(url=url, status=int(exc.code), body=_read(exc))
    except (OSError, http.client.HTTPException) as exc:  # URLError is an OSError
        raise Unreachable(address, reason_of(exc)) from exc

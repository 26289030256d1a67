"""Errors that end a check as `error`, or the whole run with exit code 2, with a clear reason."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from labcheck.core.i18n import Text


class LabcheckError(Exception):
    """Base class: a problem reported to the user without a traceback."""


class SpecError(LabcheckError):
    """A lab or step file is invalid. `lines` are `file:line: field: problem` strings."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


class ClusterError(LabcheckError):
    """The cluster could not answer. `reason` is one of REASONS; `message` is one line, no secrets."""

    REASONS = ("unreachable", "tls", "unauthorized", "forbidden", "not_found", "timeout",
               "server_error", "config", "stream", "other")

    def __init__(self, reason: str, message: str, *, retryable: bool = False,
                 text: Text | None = None) -> None:
        super().__init__(message)
        self.reason = reason if reason in self.REASONS else "other"
        self.message = message
        self.retryable = retryable
        self.text = text  # a localized message, when the raiser has one

    def __str__(self) -> str:
        return f"{self.reason}: {self.message}"


# Turning HTTP and transport failures into ClusterErrors that carry no credentials (the patterns
# are compiled by re's cache at the first failure, not at every start).
_SECRET_PATTERNS = [
    r"(?i)(bearer|token|password|authorization)[\"']?\s*[:=]?\s*[\"']?[A-Za-z0-9._~+/=-]{8,}",
    r"eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*",  # JWTs
    r"-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----",
]


def scrub(text: str) -> str:
    for pattern in _SECRET_PATTERNS:
        text = re.sub(pattern, "[redacted]", text)
    return text.replace("\n", " ").strip()[:500]


def status_error(status: int, body: bytes | str | None, what: str) -> ClusterError:
    detail = ""
    try:
        data = json.loads(body or b"{}")
        detail = str(data.get("message", "")) if isinstance(data, dict) else ""
    except (ValueError, TypeError):
        detail = ""
    if status == 400 and b"HTTP request to an HTTPS server" in (body if isinstance(body, bytes) else b""):
        detail = "the server speaks https, but the kubeconfig's server URL says http (or has no scheme)"
    detail = scrub(detail) or f"HTTP {status}"
    reasons = {401: ("unauthorized", False), 403: ("forbidden", False), 404: ("not_found", False),
               429: ("server_error", True)}
    reason, retry = reasons.get(status, ("server_error", status >= 500))
    return ClusterError(reason, f"{what}: {detail}", retryable=retry)


# A connection cut by the server or on the way (an API server killed mid-request, a proxy).
_CLOSED = ("eof occurred", "unexpected_eof", "unexpected eof", "connection reset", "connection aborted",
           "remotedisconnected", "broken pipe", "connection to remote host was lost",
           "socket is already closed")


# websocket-client's refusal: "Handshake status 500 Internal Server Error -+-+- {headers} -+-+- body"
_HANDSHAKE = r"Handshake status (\d{3})[^\n]*? -\+-\+- \{[^}]*\} -\+-\+- (.*)"  # compiled when needed


class ProxyFailed(OSError):
    """The proxy on the way to the API server refused or failed; the message names it (no password)."""


def transport_error(exc: BaseException, what: str, server: str) -> ClusterError:
    if isinstance(exc, ProxyFailed):
        return ClusterError("unreachable", f"{what}: {exc}", retryable=True)
    text = f"{type(exc).__name__}: {exc}"
    lowered = text.lower()
    if "certificate" in lowered or "hostname mismatch" in lowered:
        return ClusterError("tls", f"{what}: TLS verification failed talking to {server}")
    if any(word in lowered for word in _CLOSED):  # also mid-handshake: not a certificate problem
        return ClusterError("unreachable", f"{what}: {server} closed the connection", retryable=True)
    if "Handshake status 403" in text:
        return ClusterError("forbidden", f"{what}: forbidden")
    if "Handshake status 401" in text:
        return ClusterError("unauthorized", f"{what}: unauthorized")
    if "Handshake status 404" in text:
        return ClusterError("not_found", f"{what}: not found")
    refused = re.search(_HANDSHAKE, text, re.S)
    if refused:  # the stream's upgrade refused; a kubelet's 500 `container not found ("c")`: it just stopped
        code, body = int(refused.group(1)), scrub(refused.group(2)).strip()[:200]
        return ClusterError("server_error", f"{what}: HTTP {code}: {body or '-'}", retryable=code >= 500)
    if "timed out" in text.lower() or "Timeout" in text:
        return ClusterError("timeout", f"{what}: {server} did not answer in time", retryable=True)
    if "Name or service not known" in text or "nodename nor servname" in text or "NameResolution" in text:
        return ClusterError("unreachable", f"{what}: cannot resolve the API server host in {server}")
    if "Temporary failure in name resolution" in text:  # no DNS server answered (offline, sandboxed)
        return ClusterError("unreachable", f"{what}: cannot resolve the API server host in {server} "
                                           "(no DNS server answered)", retryable=True)
    if "refused" in text.lower() or "NewConnectionError" in text:
        return ClusterError("unreachable", f"{what}: cannot connect to {server}", retryable=True)
    if "SSL" in text:
        return ClusterError("tls", f"{what}: TLS handshake with {server} failed")
    if "MaxRetryError" in text:
        return ClusterError("unreachable", f"{what}: cannot connect to {server}", retryable=True)
    return ClusterError("other", f"{what}: {scrub(text)[:200]}", retryable=True)

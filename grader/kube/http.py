"""Plain HTTP from where labcheck runs (NodePorts), with short reasons when nothing answers.

Environment proxies are ignored on purpose: HTTP_PROXY would send node-IP requests to a
corporate proxy that cannot reach the cluster, and the learner would see the proxy's error.
A redirect is an answer in itself: its status is reported, never followed elsewhere.
http.client alone (not urllib.request, which costs start-up time and brings proxies and
redirects that are both turned off here).
"""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

from labcheck.core.answers import HttpResult, Unreachable, reason_of

MAX_BODY = 64 * 1024
USER_AGENT = "labcheck"


def _connection(scheme: str, host: str, port: int | None, timeout: float) -> http.client.HTTPConnection:
    if scheme == "https":
        import ssl

        return http.client.HTTPSConnection(host, port, timeout=timeout, context=ssl.create_default_context())
    if scheme != "http":
        raise Unreachable(host, f"unsupported URL scheme {scheme!r}")
    return http.client.HTTPConnection(host, port, timeout=timeout)


def http_get(url: str, timeout: float) -> HttpResult:
    """GET url. Any HTTP answer (404, 503 too) is an HttpResult; no answer raises Unreachable."""
    parts = urlsplit(url)
    address = parts.netloc
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection = _connection(parts.scheme, parts.hostname or "", parts.port, timeout)
        try:
            connection.request("GET", path, headers={"User-Agent": USER_AGENT, "Connection": "close"})
            response = connection.getresponse()
            body = response.read(MAX_BODY).decode("utf-8", errors="replace")
            return HttpResult(url=url, status=int(response.status), body=body)
        finally:
            connection.close()
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise Unreachable(address, reason_of(exc)) from exc

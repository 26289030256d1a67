"""Plain HTTP from where labcheck runs (NodePorts), with short reasons when nothing answers.

Environment proxies are ignored on purpose: HTTP_PROXY would send node-IP requests to a
corporate proxy that cannot reach the cluster, and the learner would see the proxy's error.
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from typing import IO, Any
from urllib.parse import urlsplit

from labcheck.core.answers import HttpResult, Unreachable, reason_of

MAX_BODY = 64 * 1024
USER_AGENT = "labcheck"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer in itself: report its status instead of following it elsewhere."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())

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

"""Which proxy a request to the API server goes through, by Go's rules (kubectl is Go).

A cluster's `proxy-url` is used as it is (http, https or socks5). Otherwise HTTPS_PROXY (or
HTTP_PROXY for an http:// server) from the environment, upper or lower case, unless NO_PROXY
matches the host (golang.org/x/net/http/httpproxy): loopback and `localhost` are never sent
to an environment proxy, so kind and minikube work behind a corporate proxy. ALL_PROXY is not
read (Go does not read it either).
"""

from __future__ import annotations

import ipaddress
import os
from urllib.parse import unquote, urlsplit

from labcheck.core.record import dataclass
from labcheck.kube.kubeconfig import config_error

SCHEMES = ("http", "https", "socks5")


@dataclass(frozen=True)
class Proxy:
    scheme: str
    host: str
    port: int
    username: str
    password: str

    def __str__(self) -> str:  # never the password
        return f"{self.scheme}://{self.host}:{self.port}"


def parse_proxy(url: str, where: str) -> Proxy:
    if "://" not in url:
        url = "http://" + url  # Go's httpproxy: a bare host:port is an http proxy
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise config_error(f'{where}: proxy URL scheme "{scheme}" not supported; use http, https, or socks5')
    if not parts.hostname:
        raise config_error(f"{where}: the proxy URL has no host")
    try:
        port = parts.port or {"http": 80, "https": 443, "socks5": 1080}[scheme]
    except ValueError:
        raise config_error(f"{where}: the proxy URL's port is not a number") from None
    return Proxy(scheme, parts.hostname, port, unquote(parts.username or ""), unquote(parts.password or ""))


def _env(name: str) -> str:
    return os.environ.get(name) or os.environ.get(name.lower()) or ""


def proxy_for(server: str, proxy_url: str | None) -> Proxy | None:
    """The proxy for requests to `server`, or None to connect directly."""
    if proxy_url:
        return parse_proxy(proxy_url, "the cluster's proxy-url")
    parts = urlsplit(server)
    name = "HTTPS_PROXY" if parts.scheme == "https" else "HTTP_PROXY"
    value = _env(name)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if not value or not _use_proxy(parts.hostname or "", port):
        return None
    return parse_proxy(value, f"the {name} environment variable")


def _use_proxy(host: str, port: int) -> bool:
    host = host.lower().strip("[]")
    if host == "localhost":
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None and address.is_loopback:
        return False
    for entry in (e.strip().lower() for e in _env("NO_PROXY").split(",")):
        if not entry:
            continue
        if entry == "*":
            return False
        if "/" in entry and address is not None:
            try:
                if address in ipaddress.ip_network(entry, strict=False):
                    return False
            except ValueError:
                pass
            continue
        match_host, _, match_port = entry.rpartition(":") if entry.count(":") == 1 else (entry, "", "")
        if match_port and match_port != str(port):
            continue
        match_host = match_host.strip("[]")
        if address is not None:
            try:
                if address == ipaddress.ip_address(match_host):
                    return False
            except ValueError:
                pass
            continue
        if match_host.startswith("*."):
            match_host = match_host[1:]
        if match_host.startswith("."):  # subdomains only
            if host.endswith(match_host):
                return False
        elif host == match_host or host.endswith("." + match_host):
            return False
    return True

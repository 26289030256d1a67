"""The context to grade, checked as kubectl checks it (clientcmd/validation.go, client_config.go),
or the in-cluster account when there is no kubeconfig (merged_client_builder.go, in-cluster)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from labcheck.core.record import dataclass
from labcheck.kube.kubeconfig import Merged, config_error, load_merged

SERVICE_ACCOUNT = Path("/var/run/secrets/kubernetes.io/serviceaccount")
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_INTERACTIVE = ("Never", "IfAvailable", "Always")


@dataclass(frozen=True)
class Resolved:
    """One context's cluster, user and namespace, every path absolute."""

    context: str
    cluster_name: str
    server: str
    namespace: str | None  # the context's (in-cluster: POD_NAMESPACE, then the account's)
    cluster: dict[str, Any]
    user: dict[str, Any]
    user_name: str
    in_cluster: bool = False

    @property
    def https(self) -> bool:
        return urlsplit(self.server).scheme == "https"


def resolve(kubeconfig: str | None, context: str | None) -> Resolved:
    merged = load_merged(kubeconfig)
    if merged.empty and not kubeconfig and not context and in_cluster_possible():
        return in_cluster()
    name = context or merged.current_context
    if merged.empty:
        looked = ", ".join(str(p) for p in merged.files) or os.environ.get("KUBECONFIG") or "~/.kube/config"
        raise config_error(f"no kubeconfig found (looked at {looked}) and not running in a cluster")
    if not name:
        raise config_error("the kubeconfig has no current context: choose one with --context "
                           "or `kubectl config use-context NAME`")
    chosen = merged.contexts.get(name)
    if chosen is None:
        names = ", ".join(sorted(merged.contexts)) or "none"
        raise config_error(f'context "{name}" does not exist (contexts: {names})')
    ctx = chosen.data
    cluster_name, user_name = str(ctx.get("cluster") or ""), str(ctx.get("user") or "")
    errors = _validate_context(name, ctx, merged)
    cluster = merged.clusters[cluster_name].data if cluster_name in merged.clusters else {}
    user = merged.users[user_name].data if user_name in merged.users else {}
    errors += validate_user(user_name, user) + validate_cluster(cluster_name, cluster)
    if errors:
        raise config_error("invalid configuration: " + (errors[0] if len(errors) == 1
                                                         else "[" + ", ".join(errors) + "]"))
    return Resolved(name, cluster_name, normal_server(str(cluster["server"])),
                    ctx.get("namespace") or None, cluster, user, user_name)


def normal_server(server: str) -> str:
    """A server without a scheme is http, credentials and CA unused: kubectl decides that from the
    server alone, before it reads the CA (client_config.go, IsConfigTransportTLS)."""
    parts = urlsplit(server)
    if not parts.scheme or not parts.netloc:
        parts = urlsplit("http://" + server)
    return parts._replace(scheme=parts.scheme.lower(), query="", fragment="").geturl()


def _validate_context(name: str, ctx: dict[str, Any], merged: Merged) -> list[str]:
    errors = []
    for key, table in (("user", merged.users), ("cluster", merged.clusters)):
        value = ctx.get(key)
        if not value:
            errors.append(f'{key} was not specified for context "{name}"')
        elif value not in table:
            errors.append(f'{key} "{value}" was not found for context "{name}"')
    namespace = ctx.get("namespace")
    if namespace and (len(namespace) > 63 or not _DNS_LABEL.match(namespace)):
        errors.append(f'namespace "{namespace}" for context "{name}" does not conform to the kubernetes '
                      "DNS_LABEL rules")
    return errors


def validate_cluster(name: str, cluster: dict[str, Any]) -> list[str]:
    if not any(v not in (None, "", False, []) for v in cluster.values()):
        return ["cluster has no server defined"]
    errors = []
    if not cluster.get("server"):
        errors.append(f'no server found for cluster "{name}"')
    proxy = cluster.get("proxy-url")
    if proxy:
        scheme = urlsplit(proxy).scheme
        if scheme not in ("http", "https", "socks5"):
            errors.append(f"invalid 'proxy-url' \"{proxy}\" for cluster \"{name}\": proxy URL scheme "
                          f'"{scheme}" not supported; use http, https, or socks5')
    if cluster.get("certificate-authority") and cluster.get("certificate-authority-data"):
        errors.append(f"certificate-authority-data and certificate-authority are both specified for {name}. "
                      "certificate-authority-data will override.")
    if cluster.get("certificate-authority") and not os.access(cluster["certificate-authority"], os.R_OK):
        errors.append(f"unable to read certificate-authority {cluster['certificate-authority']} for {name}")
    return errors


def validate_user(name: str, user: dict[str, Any]) -> list[str]:
    errors, methods = [], []
    if user.get("token"):
        methods.append("token")
    if user.get("username") or user.get("password"):
        methods.append("basicAuth")
    if user.get("client-certificate") or user.get("client-certificate-data"):
        if user.get("client-certificate") and user.get("client-certificate-data"):
            errors.append(f"client-cert-data and client-cert are both specified for {name}. "
                          "client-cert-data will override.")
        if user.get("client-key") and user.get("client-key-data"):
            errors.append(f"client-key-data and client-key are both specified for {name}; "
                          "client-key-data will override")
        if not (user.get("client-key") or user.get("client-key-data")):
            errors.append(f"client-key-data or client-key must be specified for {name} to use the "
                          "clientCert authentication method.")
        for key, label in (("client-certificate", "client-cert"), ("client-key", "client-key")):
            if user.get(key) and not os.access(user[key], os.R_OK):
                errors.append(f"unable to read {label} {user[key]} for {name}")
    plugin = user.get("exec")
    if plugin is not None:
        if user.get("auth-provider") is not None:
            errors.append(f"authProvider cannot be provided in combination with an exec plugin for {name}")
        if not plugin.get("command"):
            errors.append(f"command must be specified for {name} to use exec authentication plugin")
        if not plugin.get("apiVersion"):
            errors.append(f"apiVersion must be specified for {name} to use exec authentication plugin")
        if any(not isinstance(e, dict) or not e.get("name") for e in plugin.get("env") or []):
            errors.append(f"env variable name must be specified for {name} to use exec authentication plugin")
        mode = interactive_mode(plugin)
        if not mode:
            errors.append(f"interactiveMode must be specified for {name} to use exec authentication plugin")
        elif mode not in _INTERACTIVE:
            errors.append(f'invalid interactiveMode for {name}: "{mode}"')
    if len(methods) > 1:
        errors.append(f"more than one authentication method found for {name}; found [{' '.join(methods)}], "
                      "only one is allowed")
    if (user.get("as-uid") or user.get("as-groups") or user.get("as-user-extra")) and not user.get("as"):
        errors.append(f"requesting uid, groups or user-extra for {name} without impersonating a user")
    return errors


def interactive_mode(plugin: dict[str, Any]) -> str:
    """v1beta1 defaults to IfAvailable (api/v1 defaults.go); v1 must say."""
    mode = str(plugin.get("interactiveMode") or "")
    if not mode and str(plugin.get("apiVersion", "")).endswith("/v1beta1"):
        return "IfAvailable"
    return mode


def in_cluster_possible() -> bool:
    token = SERVICE_ACCOUNT / "token"
    return bool(os.environ.get("KUBERNETES_SERVICE_HOST") and os.environ.get("KUBERNETES_SERVICE_PORT")
                and token.is_file())


def in_cluster() -> Resolved:
    host, port = os.environ["KUBERNETES_SERVICE_HOST"], os.environ["KUBERNETES_SERVICE_PORT"]
    server = f"https://[{host}]:{port}" if ":" in host else f"https://{host}:{port}"
    cluster: dict[str, Any] = {"server": server}
    if (SERVICE_ACCOUNT / "ca.crt").is_file():
        cluster["certificate-authority"] = str(SERVICE_ACCOUNT / "ca.crt")
    namespace = os.environ.get("POD_NAMESPACE") or None
    if namespace is None and (SERVICE_ACCOUNT / "namespace").is_file():
        namespace = (SERVICE_ACCOUNT / "namespace").read_text().strip() or None
    return Resolved("in-cluster", "in-cluster", server, namespace, cluster,
                    {"tokenFile": str(SERVICE_ACCOUNT / "token")}, "in-cluster", in_cluster=True)

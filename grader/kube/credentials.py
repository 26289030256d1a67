"""Who labcheck is to the API server, by client-go's precedence (client_config.go, transport/).

Only over https: for an http:// server kubectl sends no credentials, and neither does labcheck.
A token beats basic auth and an exec plugin; a tokenFile is reread every minute (as client-go's
cached file token source), so a projected service-account token keeps working in `--watch`.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from pathlib import Path
from typing import Any

from labcheck.kube import exec_plugin
from labcheck.kube.kubeconfig import config_error
from labcheck.kube.resolve import Resolved

TOKEN_FILE_PERIOD = 60.0
_REMOVED = {
    "gcp": 'The gcp auth plugin has been removed.\nPlease use the "gke-gcloud-auth-plugin" kubectl/client-go '
           "credential plugin instead.\nSee https://cloud.google.com/blog/products/containers-kubernetes/"
           "kubectl-auth-changes-in-gke for further details",
    "azure": "The azure auth plugin has been removed.\nPlease use the https://github.com/Azure/kubelogin "
             "kubectl/client-go credential plugin instead.\nSee https://kubernetes.io/docs/reference/"
             "access-authn-authz/authentication/#client-go-credential-plugins for further details",
}


class Credentials:
    """Headers and client certificate for each request; the plugin runs when they are first needed."""

    def __init__(self, resolved: Resolved) -> None:
        self.resolved = resolved
        self.user: dict[str, Any] = resolved.user if resolved.https else {}
        self._file_token: tuple[float, str] | None = None
        self._lock = threading.Lock()
        self._static_cert = self._read_static_cert()
        provider = self.user.get("auth-provider")
        if isinstance(provider, dict):
            self._check_provider(provider)
        if self.user.get("tokenFile") and not self.user.get("token"):
            self._token_file(str(self.user["tokenFile"]), "")  # unreadable: refused now, as kubectl does

    @property
    def uses_plugin(self) -> bool:
        return self.user.get("exec") is not None and not self._static_auth()

    def _static_auth(self) -> bool:
        u = self.user
        return bool(u.get("token") or u.get("tokenFile") or u.get("username") or u.get("password")
                    or u.get("client-certificate") or u.get("client-certificate-data"))

    def _read_static_cert(self) -> bytes:
        u = self.user
        cert = (base64.b64decode(u["client-certificate-data"]) if u.get("client-certificate-data")
                else _read(u["client-certificate"]) if u.get("client-certificate") else b"")
        key = (base64.b64decode(u["client-key-data"]) if u.get("client-key-data")
               else _read(u["client-key"]) if u.get("client-key") else b"")
        return cert.rstrip(b"\n") + b"\n" + key if cert and key else b""

    def _check_provider(self, provider: dict[str, Any]) -> None:
        name = str(provider.get("name") or "")
        if name in _REMOVED:
            raise config_error(_REMOVED[name])
        if name != "oidc":
            raise config_error(f'no Auth Provider found for name "{name}"')
        token = str((provider.get("config") or {}).get("id-token") or "")
        if not token:
            raise config_error("the oidc auth-provider has no id-token: log in with kubectl once "
                               "(it fetches one), or use the kubelogin credential plugin")
        if _jwt_expired(token):
            raise config_error("the oidc auth-provider's id-token has expired: labcheck does not refresh it "
                               "(kubectl does, from idp-issuer-url): run any kubectl command once, "
                               "or use the kubelogin credential plugin")

    def _bearer(self) -> str:
        u = self.user
        token = str(u.get("token") or "")
        if u.get("tokenFile"):
            token = self._token_file(str(u["tokenFile"]), token)
        if token:
            return token
        provider = u.get("auth-provider")
        if isinstance(provider, dict):
            return str((provider.get("config") or {}).get("id-token") or "")
        if self.uses_plugin:
            return exec_plugin.exec_credential(u["exec"], self.resolved.cluster).token
        return ""

    def _token_file(self, path: str, fallback: str) -> str:
        with self._lock:
            if self._file_token is not None and time.monotonic() - self._file_token[0] < TOKEN_FILE_PERIOD:
                return self._file_token[1]
            try:
                token = Path(path).read_text(encoding="utf-8").strip()
            except OSError as exc:
                if fallback:
                    return fallback
                raise config_error(f"cannot read tokenFile {path}: {exc.strerror or exc}") from None
            self._file_token = (time.monotonic(), token)
            return token

    def headers(self) -> dict[str, str]:
        out: dict[str, str] = {}
        bearer = self._bearer()
        if bearer:
            out["Authorization"] = f"Bearer {bearer}"
        elif self.user.get("username") or self.user.get("password"):
            pair = f"{self.user.get('username') or ''}:{self.user.get('password') or ''}"
            out["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        if self.user.get("as"):
            out["Impersonate-User"] = str(self.user["as"])
        if self.user.get("as-uid"):
            out["Impersonate-Uid"] = str(self.user["as-uid"])
        return out

    def impersonated_groups(self) -> list[str]:
        return [str(g) for g in self.user.get("as-groups") or []]

    def client_cert(self) -> bytes:
        """PEM certificate and key for TLS, or b""."""
        if self._static_cert:
            return self._static_cert
        if self.uses_plugin and not self.user.get("token"):
            return exec_plugin.exec_credential(self.user["exec"], self.resolved.cluster).cert_pem
        return b""

    def unauthorized(self) -> None:
        if self.uses_plugin:
            exec_plugin.forget(self.user["exec"], self.resolved.cluster)
        with self._lock:
            self._file_token = None


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise config_error(f"cannot read {path}: {exc.strerror or exc}") from None


def _jwt_expired(token: str) -> bool:
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return bool(claims.get("exp")) and float(claims["exp"]) < time.time() + 10
    except (IndexError, ValueError, TypeError):
        return False

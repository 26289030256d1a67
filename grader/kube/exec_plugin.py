"""client-go credential plugins (`users[].user.exec`), run as client-go runs them
(plugin/pkg/client/auth/exec).

The plugin gets KUBERNETES_EXEC_INFO (with the cluster and its CA data when provideClusterInfo
says so), the terminal only when interactive (decided from stdin), and labcheck's stderr, so a
device-code prompt reaches the user. Its credential is kept until its expirationTimestamp, for
the whole process: every student of a batch who shares the kubeconfig shares one run of it.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from labcheck.core.record import dataclass
from labcheck.kube.kubeconfig import config_error
from labcheck.kube.resolve import interactive_mode

_VERSIONS = ("client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1")
INSTALL_HELP = ("It looks like you are trying to use a client-go credential plugin that is not installed.\n"
                "To learn more about this feature, consult the documentation available at:\n"
                "      https://kubernetes.io/docs/reference/access-authn-authz/authentication/"
                "#client-go-credential-plugins")


@dataclass(frozen=True)
class ExecCredential:
    token: str
    cert_pem: bytes  # client certificate and key, or b""
    expires: float | None  # time.time(); None: never

    def fresh(self) -> bool:
        return self.expires is None or time.time() < self.expires


_cache: dict[str, ExecCredential] = {}
_locks: dict[str, threading.Lock] = {}
_guard = threading.Lock()


def exec_credential(plugin: dict[str, Any], cluster: dict[str, Any]) -> ExecCredential:
    """The plugin's credential: cached while fresh, otherwise the plugin is run (once, whoever asks)."""
    key = json.dumps([plugin, cluster if plugin.get("provideClusterInfo") else None], sort_keys=True)
    with _guard:
        lock = _locks.setdefault(key, threading.Lock())
    with lock:
        found = _cache.get(key)
        if found is not None and found.fresh():
            return found
        _cache[key] = _run(plugin, cluster)
        return _cache[key]


def forget(plugin: dict[str, Any], cluster: dict[str, Any]) -> None:
    """The server said 401: the next request runs the plugin again (client-go does the same)."""
    key = json.dumps([plugin, cluster if plugin.get("provideClusterInfo") else None], sort_keys=True)
    with _guard:
        _cache.pop(key, None)


def _interactive(plugin: dict[str, Any]) -> bool:
    mode = interactive_mode(plugin)
    terminal = sys.stdin is not None and sys.stdin.isatty()
    if mode == "Always" and not terminal:
        raise config_error("exec plugin cannot support interactive mode: standard input is not a terminal")
    return mode != "Never" and terminal


def _exec_info(plugin: dict[str, Any], cluster: dict[str, Any], interactive: bool) -> str:
    spec: dict[str, Any] = {"interactive": interactive}
    if plugin.get("provideClusterInfo"):
        info: dict[str, Any] = {"server": cluster.get("server", "")}
        for key in ("tls-server-name", "insecure-skip-tls-verify", "proxy-url", "disable-compression"):
            if cluster.get(key):
                info[key] = cluster[key]
        ca = cluster.get("certificate-authority-data")
        if not ca and cluster.get("certificate-authority"):
            ca = base64.b64encode(Path(cluster["certificate-authority"]).read_bytes()).decode()
        if ca:
            info["certificate-authority-data"] = ca
        info["config"] = None  # client-go sends the (raw) extension, null when there is none
        for ext in cluster.get("extensions") or []:
            if isinstance(ext, dict) and ext.get("name") == "client.authentication.k8s.io/exec":
                info["config"] = ext.get("extension")
        spec["cluster"] = info
    return json.dumps({"kind": "ExecCredential", "apiVersion": plugin["apiVersion"], "spec": spec})


def _run(plugin: dict[str, Any], cluster: dict[str, Any]) -> ExecCredential:
    version, command = str(plugin["apiVersion"]), str(plugin["command"])
    if version not in _VERSIONS:
        raise config_error(f'exec plugin: invalid apiVersion "{version}"')
    interactive = _interactive(plugin)
    env = dict(os.environ)
    env.update({str(e["name"]): str(e.get("value", "")) for e in plugin.get("env") or []})
    env["KUBERNETES_EXEC_INFO"] = _exec_info(plugin, cluster, interactive)
    import shutil  # here: only an exec plugin needs these (they cost start-up time)
    import subprocess

    found = command if "/" in command else shutil.which(command, path=env.get("PATH"))
    if not found or not os.path.isfile(found):
        hint = f"\n\n{plugin['installHint']}" if plugin.get("installHint") else ""
        raise config_error(f"exec: executable {command} not found\n\n{INSTALL_HELP}{hint}")
    try:
        done = subprocess.run([found, *[str(a) for a in plugin.get("args") or []]], env=env,
                              stdin=None if interactive else subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=None, check=False)
    except OSError as exc:
        raise config_error(f"exec: {exc.strerror or exc}") from None
    if done.returncode != 0:
        raise config_error(f"exec: executable {command} failed with exit code {done.returncode}")
    return _decode(done.stdout, version)


def _decode(stdout: bytes, version: str) -> ExecCredential:
    try:
        data = json.loads(stdout)
    except ValueError:
        raise config_error("exec plugin: decoding stdout: not JSON") from None
    if not isinstance(data, dict) or data.get("kind") != "ExecCredential":
        raise config_error("exec plugin: decoding stdout: not an ExecCredential")
    if data.get("apiVersion") != version:
        raise config_error(f"exec plugin is configured to use API version {version}, plugin returned "
                           f"version {data.get('apiVersion')}")
    status = data.get("status")
    if not isinstance(status, dict):
        raise config_error("exec plugin didn't return a status field")
    token, cert, key = (str(status.get(k) or "") for k in ("token", "clientCertificateData", "clientKeyData"))
    if not (token or cert or key):
        raise config_error("exec plugin didn't return a token or cert/key pair")
    if bool(cert) != bool(key):
        raise config_error("exec plugin returned only certificate or key, not both")
    expires = None
    if status.get("expirationTimestamp"):
        try:
            stamp = str(status["expirationTimestamp"]).replace("Z", "+00:00")
            expires = datetime.fromisoformat(stamp).timestamp()
        except ValueError:
            raise config_error("exec plugin: decoding stdout: expirationTimestamp is not a time") from None
    pem = (cert.rstrip("\n") + "\n" + key).encode() if cert else b""
    return ExecCredential(token, pem, expires)

"""The world the kubectl-parity cases run in: identities, cluster and user stanzas, and the two runs.

Both tools do the same thing (list ConfigMaps in their namespace: `kubectl get configmaps`, and a
one-check lab for labcheck); the API server's audit log says who asked and in which namespace.
A run that reaches no server is classified from what the tool printed: config, credentials, tls,
unreachable. An outcome is a short string, so a case compares two strings.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.cluster.handle import KubeCluster

PLUGIN = '''import datetime, json, os, sys
info = os.environ.get("KUBERNETES_EXEC_INFO", "")
if os.environ.get("PARITY_LOG"):
    with open(os.environ["PARITY_LOG"], "a") as log:
        log.write(info + "\\n")
if os.environ.get("PLUGIN_MODE") == "fail":
    print("plugin says: cannot log you in", file=sys.stderr)
    sys.exit(1)
status = {"token": os.environ["PLUGIN_TOKEN"]}
if os.environ.get("PLUGIN_EXPIRES_IN"):
    at = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=int(os.environ["PLUGIN_EXPIRES_IN"]))
    status["expirationTimestamp"] = at.strftime("%Y-%m-%dT%H:%M:%SZ")
print(json.dumps({"apiVersion": json.loads(info)["apiVersion"], "kind": "ExecCredential", "status": status}))
'''
LAB_STEP = {"id": "step-01", "title": "probe", "checks": [{
    "id": "probe", "title": "probe", "kind": "object_exists", "object_kind": "ConfigMap", "name": "parity-probe"}]}


@dataclass
class World:
    cluster: KubeCluster
    root: Path
    server: str  # https://127.0.0.1:PORT
    ca_pem: bytes
    admin: dict[str, Any]  # the admin's user stanza (client certificate data)
    tokens: dict[str, str]  # service account name -> token
    proxy_port: int = 0
    socks_port: int = 0
    prefix_url: str = ""  # `kubectl proxy --api-prefix=/k8s/` (http, the admin's credentials)
    proxy_logs: list[list[str]] = field(default_factory=list)  # what each proxy was asked to connect to
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    clusters: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def port(self) -> str:
        return self.server.rsplit(":", 1)[1]

    def ca_data(self) -> str:
        return base64.b64encode(self.ca_pem).decode()

    def write_support_files(self, folder: Path) -> None:
        """The files stanzas name by relative path, beside each kubeconfig (each file its own)."""
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "ca.crt").write_bytes(self.ca_pem)
        certs = folder / "certs"
        certs.mkdir(exist_ok=True)
        (certs / "admin.crt").write_bytes(base64.b64decode(self.admin["client-certificate-data"]))
        (certs / "admin.key").write_bytes(base64.b64decode(self.admin["client-key-data"]))
        (folder / "alice.token").write_text(self.tokens["alice"] + "\n")
        (folder / "plugin").write_text(f"#!{sys.executable}\n{PLUGIN}")
        (folder / "plugin").chmod(0o755)


def kubeconfig_text(world: World, spec: dict[str, Any]) -> str:
    """A kubeconfig from a case's file spec: {current, contexts: {name: "cluster/user[/namespace]"}}."""
    clusters, users, contexts = {}, {}, []
    for name, ref in (spec.get("contexts") or {}).items():
        cluster, user, *rest = str(ref).split("/")
        context: dict[str, Any] = {"cluster": cluster, "user": user}
        if rest:
            context["namespace"] = rest[0]
        contexts.append({"name": name, "context": context})
        clusters[cluster] = world.clusters[cluster]
        users[user] = world.users[user]
    doc: dict[str, Any] = {"apiVersion": "v1", "kind": "Config", "current-context": spec.get("current", ""),
                           "clusters": [{"name": k, "cluster": v} for k, v in clusters.items()],
                           "users": [{"name": k, "user": v} for k, v in users.items()], "contexts": contexts}
    return yaml.safe_dump(doc, sort_keys=False)


@dataclass(frozen=True)
class Run:
    outcome: str
    output: str  # stdout + stderr
    plugin_infos: tuple[str, ...]  # KUBERNETES_EXEC_INFO of each plugin run


def run_tool(world: World, tool: str, workdir: Path, *, kubeconfig_env: str | None, explicit: str | None,
             context: str | None, env: dict[str, str], wrap: list[str]) -> Run:
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / f"{tool}.plugin.log"
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("LABCHECK_", "KUBECONFIG", "KUBERNETES_", "POD_NAMESPACE"))
            and k.lower() not in ("https_proxy", "http_proxy", "no_proxy", "all_proxy")}
    base.update({"HOME": str(workdir), "LANG": "C.UTF-8", "NO_COLOR": "1", "PARITY_LOG": str(log), **env})
    if kubeconfig_env is not None:
        base["KUBECONFIG"] = kubeconfig_env
    flags = (["--kubeconfig", explicit] if explicit else []) + (["--context", context] if context else [])
    if tool == "kubectl":
        # no --request-timeout: any override makes kubectl's config "not the default" and it then
        # skips the in-cluster account (merged_client_builder.go IsDefaultConfig)
        command = [world.cluster.kubectl_path, "get", "configmaps", *flags]
    else:
        command = [sys.executable, "-m", "labcheck", "step-01", "--lab", str(world.root / "lab"), "--wait", "0",
                   "--timeout", "15", *flags]
    audit = world.cluster.audit_log
    offset = audit.stat().st_size
    asked = sum(len(log) for log in world.proxy_logs)
    proc = subprocess.run([*wrap, *command], env=base, cwd=workdir, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, errors="replace", timeout=60)
    with audit.open("rb") as file:
        file.seek(offset)
        events = [json.loads(line) for line in file.read().decode().splitlines() if line.strip()]
    mine = [e for e in events if str(e.get("userAgent", "")).startswith(f"{tool}/")]
    infos = tuple(line for line in log.read_text().splitlines() if line.strip()) if log.exists() else ()
    output = proc.stdout + proc.stderr
    via = " (via the proxy)" if sum(len(log) for log in world.proxy_logs) > asked else ""
    return Run(classify(tool, output, mine) + via, output, infos)


def classify(tool: str, output: str, events: list[dict[str, Any]]) -> str:
    lists = [e for e in events if e.get("verb") == "list" and (e.get("objectRef") or {}).get("resource") == "configmaps"]
    codes = [int((e.get("responseStatus") or {}).get("code", 0)) for e in events]
    # the first list: labcheck lists once more, across namespaces, to say where a missing object is
    if lists and int(lists[0]["responseStatus"]["code"]) != 401:
        first = lists[0]
        user = (first.get("impersonatedUser") or first.get("user") or {}).get("username", "?")
        return f"{user} in {first['objectRef'].get('namespace')}"
    if 401 in codes:
        return "refused: unauthorized"
    text = output.lower()
    if "badrequest" in text or "server speaks https" in text:
        return "refused: bad request (http to an https server)"
    if "exec plugin" in text or "exec: " in text or "getting credentials" in text:
        return "refused: credentials"
    transport = (("unable to connect to the server" in text or "the connection to the server" in text)
                 if tool == "kubectl" else "cannot reach the cluster" in text)
    if transport:
        return "refused: tls" if any(w in text for w in ("x509", "tls", "certificate")) else "refused: unreachable"
    return "refused: config"


def start_prefix_proxy(world: World, folder: Path) -> subprocess.Popen[str]:
    """`kubectl proxy --api-prefix=/k8s/`: a server URL with a path, over http."""
    proc = subprocess.Popen([world.cluster.kubectl_path, "--kubeconfig", str(world.cluster.kubeconfig),
                             "--context", world.cluster.context, "proxy", "--port=0", "--api-prefix=/k8s/"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=folder)
    assert proc.stdout is not None
    line = proc.stdout.readline()  # "Starting to serve on 127.0.0.1:PORT"
    world.prefix_url = f"http://{line.strip().rsplit(' ', 1)[1]}/k8s"
    return proc


def stanzas(world: World) -> None:
    """The clusters and users the cases name (relative paths resolve beside each kubeconfig)."""
    s, ca = world.server, world.ca_data()
    host_port = s.split("://", 1)[1]
    world.clusters = {
        "good": {"server": s, "certificate-authority-data": ca},
        "ca-file": {"server": s, "certificate-authority": "ca.crt"},
        "localhost": {"server": f"https://localhost:{world.port}", "certificate-authority-data": ca},
        "upper": {"server": f"HTTPS://{host_port}", "certificate-authority-data": ca},
        "slash": {"server": s + "/", "certificate-authority-data": ca},
        "no-scheme": {"server": host_port, "certificate-authority-data": ca},
        "insecure": {"server": s, "insecure-skip-tls-verify": True},
        "insecure-quoted": {"server": s, "insecure-skip-tls-verify": "false", "certificate-authority-data": ca},
        "insecure-and-ca": {"server": s, "insecure-skip-tls-verify": True, "certificate-authority-data": ca},
        "ca-file-and-data": {"server": s, "certificate-authority": "ca.crt", "certificate-authority-data": ca},
        "ca-missing-file": {"server": s, "certificate-authority": "nope/ca.crt"},
        "system-cas": {"server": s},
        "name-ok": {"server": s, "certificate-authority-data": ca, "tls-server-name": "localhost"},
        "name-wrong": {"server": s, "certificate-authority-data": ca, "tls-server-name": "wrong.parity.test"},
        "dead": {"server": "https://127.0.0.1:1", "certificate-authority-data": ca},
        "no-server": {"certificate-authority-data": ca},
        "proxy-url": {"server": s, "certificate-authority-data": ca,
                      "proxy-url": f"http://127.0.0.1:{world.proxy_port}"},
        "socks": {"server": s, "certificate-authority-data": ca,
                  "proxy-url": f"socks5://127.0.0.1:{world.socks_port}"},
        "dead-proxy-url": {"server": s, "certificate-authority-data": ca, "proxy-url": "http://127.0.0.1:1"},
        "bad-proxy-scheme": {"server": s, "certificate-authority-data": ca, "proxy-url": "ftp://127.0.0.1:21"},
        "named": {"server": f"https://kube.parity.test:{world.port}", "certificate-authority-data": ca,
                  "tls-server-name": "localhost"},
        "prefix": {"server": world.prefix_url},
        "prefix-slash": {"server": world.prefix_url + "/"},
    }
    admin = world.admin
    plugin = {"apiVersion": "client.authentication.k8s.io/v1", "command": "./plugin", "interactiveMode": "Never",
              "env": [{"name": "PLUGIN_TOKEN", "value": world.tokens["alice"]}]}
    world.users = {
        "admin": admin,
        "admin-files": {"client-certificate": "certs/admin.crt", "client-key": "certs/admin.key"},
        "alice": {"token": world.tokens["alice"]},
        "bob": {"token": world.tokens["bob"]},
        "alice-file": {"tokenFile": "alice.token"},
        "missing-file": {"tokenFile": "nope.token"},
        "token-and-bogus-file": {"token": world.tokens["alice"], "tokenFile": "nope.token"},
        "token-and-basic": {"token": world.tokens["alice"], "username": "u", "password": "p"},
        "cert-no-key": {"client-certificate-data": admin["client-certificate-data"]},
        "anonymous": {},
        "impersonate": {**admin, "as": "system:serviceaccount:parity:bob"},
        "exec-v1": {"exec": plugin},
        "exec-v1-no-mode": {"exec": {k: v for k, v in plugin.items() if k != "interactiveMode"}},
        "exec-v1beta1": {"exec": {**{k: v for k, v in plugin.items() if k != "interactiveMode"},
                                  "apiVersion": "client.authentication.k8s.io/v1beta1"}},
        "exec-v1alpha1": {"exec": {**plugin, "apiVersion": "client.authentication.k8s.io/v1alpha1"}},
        "exec-always": {"exec": {**plugin, "interactiveMode": "Always"}},
        "exec-expiring": {"exec": {**plugin, "env": [*plugin["env"], {"name": "PLUGIN_EXPIRES_IN", "value": "120"}]}},
        "exec-expired": {"exec": {**plugin, "env": [*plugin["env"], {"name": "PLUGIN_EXPIRES_IN", "value": "-60"}]}},
        "exec-cluster-info": {"exec": {**plugin, "provideClusterInfo": True}},
        "exec-fails": {"exec": {**plugin, "env": [*plugin["env"], {"name": "PLUGIN_MODE", "value": "fail"}]}},
        "exec-missing": {"exec": {**plugin, "command": "labcheck-parity-no-such-plugin",
                                  "installHint": "install it with: apt install parity-plugin"}},
        "exec-and-token": {"token": world.tokens["bob"], "exec": plugin},
        "gcp": {"auth-provider": {"name": "gcp", "config": {"access-token": "x"}}},
        "azure": {"auth-provider": {"name": "azure", "config": {}}},
        "unknown-provider": {"auth-provider": {"name": "parity", "config": {}}},
        "quoted-bool": {"exec": {**plugin, "provideClusterInfo": "true"}},
    }

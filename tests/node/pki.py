"""The cluster's certificates, made with openssl (EC P-256: quick to make), cached by what they name.

One CA signs everything: the API server's serving cert (Service IP, node IP, localhost), the clients
(admin and the API server's kubelet client in system:masters, controller-manager, scheduler, the
kubelet as system:node:<node>, kube-proxy) and the kubelet's serving cert; plus the service-account
signing key pair.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

CLIENTS = {  # file stem -> subject
    "admin": "/O=system:masters/CN=labcheck-admin",
    "apiserver-kubelet-client": "/O=system:masters/CN=kube-apiserver-kubelet-client",
    "controller-manager": "/CN=system:kube-controller-manager",
    "scheduler": "/CN=system:kube-scheduler",
    "kube-proxy": "/CN=system:kube-proxy",
}


@dataclass(frozen=True)
class Pki:
    dir: Path

    def crt(self, name: str) -> Path:
        return self.dir / f"{name}.crt"

    def key(self, name: str) -> Path:
        return self.dir / f"{name}.key"

    @property
    def ca(self) -> Path:
        return self.crt("ca")


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, text=True, timeout=60)


def _key(name: str, cwd: Path) -> None:
    _openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", f"{name}.key",
             cwd=cwd)


def _signed(name: str, subject: str, cwd: Path, sans: list[str] | None = None, serving: bool = False) -> None:
    _key(name, cwd)
    ext = cwd / f"{name}.ext"
    usage = "serverAuth" if serving else "clientAuth"
    lines = ["basicConstraints=CA:FALSE", "keyUsage=critical,digitalSignature,keyEncipherment",
             f"extendedKeyUsage={usage}"]
    if sans:
        lines.append("subjectAltName=" + ",".join(sans))
    ext.write_text("\n".join(lines) + "\n")
    _openssl("req", "-new", "-key", f"{name}.key", "-subj", subject, "-out", f"{name}.csr", cwd=cwd)
    _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
             "-days", "3650", "-extfile", ext.name, "-out", f"{name}.crt", cwd=cwd)


def make_pki(cache: Path, node: str, node_ip: str, service_ip: str) -> Pki:
    """The PKI for one cluster layout; reused from `cache` when the same names were made before."""
    key = hashlib.sha256(f"{node}|{node_ip}|{service_ip}|v1".encode()).hexdigest()[:16]
    final = cache / f"pki-{key}"
    if (final / ".complete").exists():
        return Pki(final)
    work = cache / f"pki-{key}.tmp"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    _key("ca", work)
    _openssl("req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=labcheck-test-ca", "-days", "3650",
             "-out", "ca.crt", cwd=work)
    _key("sa", work)
    _openssl("pkey", "-in", "sa.key", "-pubout", "-out", "sa.pub", cwd=work)
    names = ["kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local",
             "localhost", node]
    sans = [f"DNS:{n}" for n in names] + [f"IP:{ip}" for ip in ("127.0.0.1", service_ip, node_ip)]
    _signed("apiserver", "/CN=kube-apiserver", work, sans, serving=True)
    _signed("kubelet-serving", f"/CN={node}", work, [f"DNS:{node}", f"IP:{node_ip}"], serving=True)
    _signed("kubelet", f"/O=system:nodes/CN=system:node:{node}", work)
    for stem, subject in CLIENTS.items():
        _signed(stem, subject, work)
    (work / ".complete").write_text("ok\n")
    shutil.rmtree(final, ignore_errors=True)
    work.rename(final)
    return Pki(final)


def add_node(pki: Pki, node: str, node_ip: str) -> Pki:
    """Another node's kubelet client (system:node:<node>) and serving certs, signed by the same CA
    into the same folder (`kubelet-<node>`, `kubelet-serving-<node>`); made once per name and address."""
    stamp = pki.dir / f"node-{node}-{node_ip}.complete"
    if not stamp.exists():
        _signed(f"kubelet-serving-{node}", f"/CN={node}", pki.dir, [f"DNS:{node}", f"IP:{node_ip}"], serving=True)
        _signed(f"kubelet-{node}", f"/O=system:nodes/CN=system:node:{node}", pki.dir)
        stamp.write_text("ok\n")
    return pki

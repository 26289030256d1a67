"""Secrets from kubeconfigs never leak: a recognizable token, password and client key planted in
kubeconfigs that fail in every way (401, TLS, unreachable, broken YAML, a failing exec plugin) never
appear in any report (text, JSON, JUnit, Markdown), stderr, receipt, or batch output.
"""

from __future__ import annotations

import base64
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cluster.handle import KubeCluster
from tests.e2e.fault_lab import labcheck, prepare, write_lab
from tests.e2e.faults import kubeconfig_for

pytestmark = pytest.mark.cluster
TAG = os.urandom(4).hex()
TOKEN = f"plantedtoken{TAG}Zq9"
PASSWORD = f"plantedpassword{TAG}Xk7"
PLUGIN_SAYS = f"token: {TOKEN} password={PASSWORD}"


@pytest.fixture(scope="module")
def planted(kube_cluster: KubeCluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[
        tuple[Path, dict[str, Path], list[str], str]]:
    tmp = tmp_path_factory.mktemp("secrets")
    namespace = f"secrets-{TAG}"
    kube_cluster.create_namespace(namespace)
    prepare(kube_cluster, namespace)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=planted",
                    "-keyout", str(tmp / "k.pem"), "-out", str(tmp / "c.pem")], check=True, capture_output=True,
                   timeout=60)
    key_pem = (tmp / "k.pem").read_bytes()
    key_data = base64.b64encode(key_pem).decode()
    body = "".join(key_pem.decode().splitlines()[1:-1])
    secrets = [TOKEN, PASSWORD, body[100:140], key_data[200:240]]
    cert = {"client-certificate-data": base64.b64encode((tmp / "c.pem").read_bytes()).decode(),
            "client-key-data": key_data}
    source = kube_cluster.kubeconfig
    configs = {
        "token-401": kubeconfig_for(source, tmp / "a.kubeconfig", user={"token": TOKEN}),
        "token-wrong-ca": kubeconfig_for(source, tmp / "b.kubeconfig", user={"token": TOKEN},
                                         ca_pem=(tmp / "c.pem").read_bytes()),
        "token-unreachable": kubeconfig_for(source, tmp / "c.kubeconfig", user={"token": TOKEN},
                                            server="https://127.0.0.1:1"),
        "password": kubeconfig_for(source, tmp / "d.kubeconfig", user={"username": "admin", "password": PASSWORD}),
        "client-key": kubeconfig_for(source, tmp / "e.kubeconfig", user=cert),
        "exec-plugin": kubeconfig_for(source, tmp / "f.kubeconfig", user={"exec": {
            "apiVersion": "client.authentication.k8s.io/v1", "command": "sh", "interactiveMode": "Never",
            "args": ["-c", f"echo '{PLUGIN_SAYS}' >&2; exit 1"]}}),
    }
    broken = tmp / "g.kubeconfig"  # YAML that breaks right after the secrets: parsers quote the line
    broken.write_text(configs["token-401"].read_text().replace(
        "  user:\n", f"  user:\n    password: {PASSWORD}\n    x: [token: {TOKEN}\n", 1))
    configs["broken-yaml"] = broken
    yield write_lab(tmp / "lab"), configs, secrets, namespace
    kube_cluster.kubectl("delete", "namespace", namespace, "--wait=false", check=False)


def leaks(secrets: list[str], *texts: str) -> list[str]:
    return [s for s in secrets for t in texts if s in t]


def files_text(root: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted(root.rglob("*"))
                     if p.is_file() and p.suffix != ".kubeconfig")


def test_no_secret_in_any_report_stderr_or_receipt(planted: tuple[Path, dict[str, Path], list[str], str]) -> None:
    lab, configs, secrets, namespace = planted
    for name, config in configs.items():
        out = lab.parent / f"out-{name}"
        out.mkdir()
        texts: list[str] = []
        for fmt in ("text", "json", "junit", "markdown"):
            proc = labcheck("step-01", "--lab", str(lab), "--kubeconfig", str(config), "-n", namespace, "-o", fmt,
                            "--wait", "0", "--timeout", "20", "-v", "--junit-xml", str(out / "j.xml"),
                            "--json-report", str(out / "r.json"), "--receipt", str(out / "receipt.json"),
                            cwd=out)
            assert proc.returncode == 2, f"{name}: {proc.stdout[-1500:]}{proc.stderr[-1500:]}"
            assert "Traceback" not in proc.stderr
            texts += [proc.stdout, own_stderr(proc.stderr), files_text(out)]
        assert not leaks(secrets, *texts), f"{name} leaks {leaks(secrets, *texts)}"


def own_stderr(stderr: str) -> str:
    """labcheck's stderr without the exec plugin's own lines: kubectl passes a plugin's stderr
    through (a device-code prompt must reach the user), and so does labcheck; what labcheck
    itself writes must still hold no secret."""
    return "\n".join(line for line in stderr.splitlines() if line != PLUGIN_SAYS)


def test_no_secret_in_batch_outputs(planted: tuple[Path, dict[str, Path], list[str], str]) -> None:
    lab, configs, secrets, namespace = planted
    root = lab.parent / "batch"
    root.mkdir()
    rows = ["id,name,kubeconfig,namespace"] + [f"{name},Student {name},{path},{namespace}"
                                               for name, path in configs.items()]
    (root / "roster.csv").write_text("\n".join(rows) + "\n")
    proc = labcheck("grade", "--roster", "roster.csv", "--lab", str(lab), "--steps", "step-01", "--out", "out",
                    "--wait", "0", "--timeout", "30", cwd=root, timeout=180)
    assert proc.returncode == 2, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert len(list((root / "out" / "students").iterdir())) == len(configs)
    assert PLUGIN_SAYS in proc.stderr  # once: one plugin run for the students who share its kubeconfig
    assert not leaks(secrets, proc.stdout, own_stderr(proc.stderr), files_text(root / "out"))

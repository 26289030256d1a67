"""grader/kube/: the loader's rules on plain data (the differential suite against kubectl is
tests/e2e/test_kubectl_parity.py): merging, paths, field types, proxies, tokenFile, plugins, TLS."""

from __future__ import annotations

import base64
import contextlib
import http.server
import json
import ssl
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest
import yaml

from labcheck.errors import ClusterError
from labcheck.kube import credentials, exec_plugin
from labcheck.kube.dial import ssl_context
from labcheck.kube.proxy import proxy_for
from labcheck.kube.resolve import resolve
from labcheck.kube.transport import RestClient


def write(path: Path, current: str, contexts: dict[str, tuple[str, str]], clusters: dict[str, object],
          users: dict[str, object]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({
        "current-context": current,
        "contexts": [{"name": n, "context": {"cluster": c, "user": u}} for n, (c, u) in contexts.items()],
        "clusters": [{"name": n, "cluster": c} for n, c in clusters.items()],
        "users": [{"name": n, "user": u} for n, u in users.items()]}))
    return path


SERVER = {"server": "https://127.0.0.1:6443", "insecure-skip-tls-verify": True}


def test_first_file_wins_and_paths_resolve_against_their_own_file(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    a = write(tmp_path / "a" / "config", "one", {"one": ("k", "u")}, {"k": SERVER}, {"u": {"tokenFile": "t"}})
    b = write(tmp_path / "b" / "config", "two", {"two": ("k", "u")},
              {"k": {"server": "https://other:1", "certificate-authority": "ca.crt"}}, {"u": {"token": "b"}})
    monkeypatch.setenv("KUBECONFIG", f"{tmp_path / 'missing'}:{a}:{b}")
    resolved = resolve(None, None)
    assert (resolved.context, resolved.server) == ("one", "https://127.0.0.1:6443")
    assert resolved.user == {"tokenFile": str(tmp_path / "a" / "t")}
    other = resolve(None, "two")  # the cluster and user named k and u come from the first file
    assert other.server == "https://127.0.0.1:6443"


def test_a_quoted_bool_is_refused_with_file_line_and_field(tmp_path: Path) -> None:
    path = write(tmp_path / "config", "c", {"c": ("k", "u")},
                 {"k": {"server": "https://x", "insecure-skip-tls-verify": "false"}}, {"u": {}})
    with pytest.raises(ClusterError) as caught:
        resolve(str(path), None)
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if "insecure" in text)
    assert caught.value.message == (f"cannot load kubeconfig {path}, line {line}: "
                                    "clusters[0].cluster.insecure-skip-tls-verify must be true or false, "
                                    "not a string ('false')")


def test_an_explicit_kubeconfig_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ClusterError, match="does not exist"):
        resolve(str(tmp_path / "typo"), None)


@pytest.mark.parametrize(("server", "env", "expected"), [
    ("https://127.0.0.1:6443", {"HTTPS_PROXY": "http://p:3128"}, None),
    ("https://localhost:6443", {"https_proxy": "http://p:3128"}, None),
    ("https://[::1]:6443", {"HTTPS_PROXY": "http://p:3128"}, None),
    ("https://k.example.com:6443", {"HTTPS_PROXY": "http://p:3128"}, "http://p:3128"),
    ("https://k.example.com:6443", {"HTTPS_PROXY": "p:3128"}, "http://p:3128"),
    ("https://k.example.com:6443", {"HTTPS_PROXY": "http://p:3128", "NO_PROXY": "example.com"}, None),
    ("https://example.com:6443", {"HTTPS_PROXY": "http://p:3128", "NO_PROXY": ".example.com"}, "http://p:3128"),
    ("https://10.1.2.3:6443", {"HTTPS_PROXY": "http://p:3128", "NO_PROXY": "10.0.0.0/8"}, None),
    ("https://10.1.2.3:6443", {"HTTPS_PROXY": "http://p:3128", "NO_PROXY": "10.1.2.3:443"}, "http://p:3128"),
    ("https://k.example.com:6443", {"HTTPS_PROXY": "http://p:3128", "NO_PROXY": "*"}, None),
    ("http://k.example.com:8080", {"HTTPS_PROXY": "http://p:3128"}, None),
    ("https://k.example.com:6443", {"ALL_PROXY": "socks5://p:1080"}, None),
])
def test_environment_proxies_follow_go(server: str, env: dict[str, str], expected: str | None,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    found = proxy_for(server, None)
    assert (str(found) if found else None) == expected


def test_proxy_url_wins_over_no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "*")
    assert str(proxy_for("https://127.0.0.1:6443", "socks5://user:pw@p:1080")) == "socks5://p:1080"


def test_token_file_is_reread_after_a_minute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "t").write_text("first\n")
    path = write(tmp_path / "config", "c", {"c": ("k", "u")}, {"k": SERVER}, {"u": {"tokenFile": "t"}})
    client = RestClient(resolve(str(path), None), "labcheck/test")
    assert client.credentials.headers()["Authorization"] == "Bearer first"
    (tmp_path / "t").write_text("second\n")
    assert client.credentials.headers()["Authorization"] == "Bearer first"  # within the minute
    monkeypatch.setattr(credentials, "TOKEN_FILE_PERIOD", 0.0)
    assert client.credentials.headers()["Authorization"] == "Bearer second"


def test_no_credentials_over_http(tmp_path: Path) -> None:
    path = write(tmp_path / "config", "c", {"c": ("k", "u")}, {"k": {"server": "http://127.0.0.1:8001"}},
                 {"u": {"token": "secret"}})
    assert RestClient(resolve(str(path), None), "labcheck/test").credentials.headers() == {}


def test_a_plugin_credential_is_kept_until_it_expires(tmp_path: Path) -> None:
    plugin = tmp_path / "plugin"
    plugin.write_text(f"#!{sys.executable}\nimport json, os\nopen({str(tmp_path / 'runs')!r}, 'a').write('x')\n"
                      "print(json.dumps({'apiVersion': 'client.authentication.k8s.io/v1', 'kind': 'ExecCredential',"
                      " 'status': {'token': 'tok', 'expirationTimestamp': os.environ['EXPIRES']}}))\n")
    plugin.chmod(0o755)
    for expires, runs in (("2099-01-01T00:00:00Z", 1), ("2000-01-01T00:00:00Z", 3)):
        (tmp_path / "runs").write_text("")
        config = {"apiVersion": "client.authentication.k8s.io/v1", "command": str(plugin),
                  "interactiveMode": "Never", "env": [{"name": "EXPIRES", "value": expires}]}
        for _ in range(3):
            assert exec_plugin.exec_credential(config, {"server": "https://x"}).token == "tok"
        assert len((tmp_path / "runs").read_text()) == runs


def test_a_missing_plugin_gives_its_install_hint() -> None:
    config = {"apiVersion": "client.authentication.k8s.io/v1", "command": "labcheck-no-such-plugin",
              "interactiveMode": "Never", "installHint": "brew install it"}
    with pytest.raises(ClusterError) as caught:
        exec_plugin.exec_credential(config, {})
    assert "executable labcheck-no-such-plugin not found" in caught.value.message
    assert caught.value.message.endswith("brew install it")


def test_in_cluster_namespace_from_pod_namespace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from labcheck.kube import resolve as module

    (tmp_path / "token").write_text("tok")
    (tmp_path / "namespace").write_text("from-file")
    monkeypatch.setattr(module, "SERVICE_ACCOUNT", tmp_path)
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "none"))
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", "443")
    assert resolve(None, None).namespace == "from-file"
    monkeypatch.setenv("POD_NAMESPACE", "from-env")
    found = resolve(None, None)
    assert (found.namespace, found.server, found.in_cluster) == ("from-env", "https://10.0.0.1:443", True)


def _openssl_cert(tmp_path: Path, name: str) -> None:
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-subj", f"/CN={name}", "-days", "1", "-keyout", str(tmp_path / f"{name}.key"),
                    "-out", str(tmp_path / f"{name}.crt")], check=True, capture_output=True, timeout=60)


def test_a_kubeconfig_ca_is_the_only_ca_trusted(tmp_path: Path) -> None:
    _openssl_cert(tmp_path, "labcheck-test-ca")
    ctx = ssl_context((tmp_path / "labcheck-test-ca.crt").read_bytes(), False, b"")
    assert [dict(c["subject"][0])["commonName"] for c in ctx.get_ca_certs()] == ["labcheck-test-ca"]
    assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname


def test_client_cert_needs_no_writable_temp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In the instructors' Job (readOnlyRootFilesystem) there is no writable /tmp: the client
    certificate is loaded from memory (found on the real node)."""
    _openssl_cert(tmp_path, "student")

    def no_temp(*args: object, **kwargs: object) -> None:
        raise FileNotFoundError("No usable temporary directory found")

    monkeypatch.setattr(tempfile, "NamedTemporaryFile", no_temp)
    pem = (tmp_path / "student.crt").read_bytes() + (tmp_path / "student.key").read_bytes()
    assert ssl_context(None, True, pem) is not None


def test_a_server_ignoring_limit_bytes_cannot_make_labcheck_hold_more(tmp_path: Path) -> None:
    body = b"x" * (8 << 20)

    class Everything(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(ConnectionError):  # labcheck hangs up once it has its limit
                self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Everything)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        path = write(tmp_path / "config", "c", {"c": ("k", "u")},
                     {"k": {"server": f"http://127.0.0.1:{server.server_address[1]}"}}, {"u": {}})
        client = RestClient(resolve(str(path), None), "labcheck/test")
        status, got = client.get("/api/v1/namespaces/d/pods/p/log", [("limitBytes", 1 << 20)], 10, max_body=1 << 20)
        assert status == 200 and len(got) == 1 << 20
        status, again = client.get("/api/v1/namespaces", [], 10, max_body=16)  # a fresh connection works
        assert status == 200 and len(again) == 16
    finally:
        server.shutdown()


def test_exec_info_json_is_what_client_go_sends(tmp_path: Path) -> None:
    ca = base64.b64encode(b"CA").decode()
    info = json.loads(exec_plugin._exec_info(
        {"apiVersion": "client.authentication.k8s.io/v1", "provideClusterInfo": True},
        {"server": "https://k:6443", "certificate-authority-data": ca}, False))
    assert info == {"kind": "ExecCredential", "apiVersion": "client.authentication.k8s.io/v1",
                    "spec": {"interactive": False, "cluster": {"server": "https://k:6443",
                                                               "certificate-authority-data": ca, "config": None}}}

"""grader/rest.py: which kubeconfigs get plain GETs, and which fall back to the kubernetes client."""

import base64
import ssl
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml

from labcheck import rest
from labcheck.rest import load


def kubeconfig(tmp_path: Path, user: dict[str, object], cluster: dict[str, object] | None = None) -> str:
    path = tmp_path / "config"
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "c",
        "contexts": [{"name": "c", "context": {"cluster": "k", "user": "u", "namespace": "lab1"}}],
        "clusters": [{"name": "k", "cluster": cluster or {"server": "https://127.0.0.1:6443",
                                                          "insecure-skip-tls-verify": True}}],
        "users": [{"name": "u", "user": user}],
    }))
    return str(path)


def test_token_kubeconfig_is_plain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HTTPS_PROXY", raising=False)
    plain = load(kubeconfig(tmp_path, {"token": "abc"}), None, "labcheck/test")
    assert plain is not None and plain.context == "c" and plain.namespace == "lab1"
    assert plain.client.headers["Authorization"] == "Bearer abc"
    assert plain.client.headers["User-Agent"] == "labcheck/test"
    assert (plain.client.host, plain.client.port, plain.client.https) == ("127.0.0.1", 6443, True)


@pytest.mark.parametrize("user", [{"exec": {"command": "aws"}}, {"auth-provider": {"name": "oidc"}},
                                  {"token": "abc", "as": "someone"}])
def test_other_auth_falls_back(tmp_path: Path, user: dict[str, object]) -> None:
    assert load(kubeconfig(tmp_path, user), None, "labcheck/test") is None


def test_proxy_unknown_context_and_missing_file_fall_back(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    path = kubeconfig(tmp_path, {"token": "abc"})
    assert load(path, "other", "labcheck/test") is None
    assert load(str(tmp_path / "missing"), None, "labcheck/test") is None
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy:3128")
    assert load(path, None, "labcheck/test") is None


def test_client_cert_data_needs_no_writable_temp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In the instructors' Job (readOnlyRootFilesystem) there is no writable /tmp: the client
    certificate from `client-certificate-data` is loaded from memory (found on the real node)."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-subj", "/CN=student", "-days", "1", "-keyout", str(tmp_path / "k.pem"),
                    "-out", str(tmp_path / "c.pem")], check=True, capture_output=True, timeout=60)

    def no_temp(*args: object, **kwargs: object) -> None:
        raise FileNotFoundError("No usable temporary directory found in ['/tmp', '/var/tmp', '/usr/tmp', '/']")

    monkeypatch.setattr(tempfile, "NamedTemporaryFile", no_temp)
    user = {"client-certificate-data": base64.b64encode((tmp_path / "c.pem").read_bytes()).decode(),
            "client-key-data": base64.b64encode((tmp_path / "k.pem").read_bytes()).decode()}
    ctx = rest._ssl_context({"insecure-skip-tls-verify": True}, user, tmp_path)
    assert ctx is not None


def test_a_server_ignoring_limit_bytes_cannot_make_labcheck_hold_more() -> None:
    """Logs are asked for with limitBytes; a server (or a proxy) that sends everything anyway is
    read only that far, on a loopback server of the test's own."""
    import http.server
    import threading

    body = b"x" * (8 << 20)

    class Everything(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Everything)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = rest.RestClient(f"http://127.0.0.1:{server.server_address[1]}", None, {})
        status, got = client.get("/api/v1/namespaces/d/pods/p/log", [("limitBytes", 1 << 20)], 10, max_body=1 << 20)
        assert status == 200 and len(got) == 1 << 20
        status, again = client.get("/api/v1/namespaces", [], 10, max_body=16)  # a fresh connection works
        assert status == 200 and len(again) == 16
    finally:
        server.shutdown()


def test_a_kubeconfig_ca_is_the_only_ca_trusted(tmp_path: Path) -> None:
    """kubectl trusts only the kubeconfig's CA when it names one; the system store stays out."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-subj", "/CN=labcheck-test-ca", "-days", "1", "-keyout", str(tmp_path / "ca.key"),
                    "-out", str(tmp_path / "ca.crt")], check=True, capture_output=True, timeout=60)
    ctx = rest._ssl_context({"certificate-authority": "ca.crt"}, {}, tmp_path)
    assert [dict(c["subject"][0])["commonName"] for c in ctx.get_ca_certs()] == ["labcheck-test-ca"]
    assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname
    data = base64.b64encode((tmp_path / "ca.crt").read_bytes()).decode()
    assert len(rest._ssl_context({"certificate-authority-data": data}, {}, tmp_path).get_ca_certs()) == 1

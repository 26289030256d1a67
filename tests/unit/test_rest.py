"""grader/rest.py: which kubeconfigs get plain GETs, and which fall back to the kubernetes client."""

from pathlib import Path

import pytest
import yaml

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

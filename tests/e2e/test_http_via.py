"""http_reachable through port-forward and the API server proxy, on the real local control plane."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from labcheck.core.results import Outcome
from labcheck.loader import load_lab
from labcheck.session import grade
from tests.cluster.handle import KubeCluster
from tests.e2e.learner import POD, Learner, check

pytestmark = pytest.mark.cluster


def lab(folder: Path) -> Path:
    folder.mkdir()
    (folder / "lab.yaml").write_text(yaml.safe_dump({"id": "via", "title": "via", "steps": ["step-01"]}))
    checks = [{"id": via.replace("_", "-"), "kind": "http_reachable", "service": "my-first-service", "via": via,
               "body_pattern": "forwarded page", "title": via} for via in ("port_forward", "proxy")]
    (folder / "step-01.yaml").write_text(yaml.safe_dump({"id": "step-01", "title": "via", "checks": checks}))
    return folder


def test_port_forward_reaches_the_pod_and_a_refused_proxy_is_an_error(
        kube_cluster: KubeCluster, namespace: str, tmp_path: Path) -> None:
    learner = Learner(kube_cluster, namespace, tmp_path)
    learner.run_pod()
    learner.kubectl("expose", "pod", POD, "--type=NodePort", "--port=80", "--name=my-first-service")
    with kube_cluster.serve_http(body="<h1>forwarded page</h1>") as server:
        kube_cluster.forward_pod_port(namespace, POD, server.port)
        result = grade(load_lab(lab(tmp_path / "via")), ["step-01"], kubeconfig=str(kube_cluster.kubeconfig),
                       context=kube_cluster.context, namespace=namespace, files_dir=tmp_path, wait=5)
    forwarded = check(result, "port-forward")
    assert forwarded.outcome is Outcome.PASSED, forwarded.message.en
    # The local API server refuses to proxy to Pod IPs it cannot route to (no CNI under kwok): that is
    # the cluster not answering, so `error` (ungraded), never the learner's fault.
    proxied = check(result, "proxy")
    assert proxied.outcome is Outcome.ERROR and not proxied.graded, proxied.message.en

"""The watch engine on the local control plane: a resourceVersion too old to watch from (410 ->
relist), a dropped connection (reconnect from the last resourceVersion, no relist), a grader who
may list but not watch (polling, said once), and `labcheck --watch step-02` while the learner types
the step: one verdict, from one list per kind and watches."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from labcheck.kube import connect
from labcheck.kube.watch import KubeSource, WatchHub
from tests.cluster.handle import KubeCluster
from tests.cluster.testenv import KwokCluster
from tests.e2e.faults import FaultProxy, kubeconfig_for
from tests.e2e.grader_account import grader_account
from tests.e2e.learner import Learner


def hub_for(kubeconfig: Path, source: type[KubeSource] = KubeSource) -> WatchHub:
    cluster, _ = connect(str(kubeconfig), None)
    return WatchHub(source(cluster))


def names(hub: WatchHub, namespace: str) -> list[str]:
    return sorted(o["metadata"]["name"] for o in hub.list("ConfigMap", namespace))


def wait_until(what: str, ok: Any, timeout: float, state: Any = dict) -> float:
    start = time.monotonic()
    while not ok():
        assert time.monotonic() - start < timeout, f"{what}: {state()}"
        time.sleep(0.02)
    return time.monotonic() - start


class TooOld(KubeSource):
    """Watches first from resourceVersion 1, long compacted out of the API server's watch cache."""

    first = True

    def watch(self, kind: str, namespace: str | None, resource_version: str) -> Any:
        if self.first:
            self.first, resource_version = False, "1"
        return super().watch(kind, namespace, resource_version)


@pytest.fixture(scope="module")
def uncached() -> Iterator[KubeCluster]:
    """A cluster of its own whose API server has no watch cache: watches are served by etcd, so a
    resourceVersion etcd compacted away is too old (the session's cluster keeps every version since
    its start in its watch cache)."""
    cluster = KwokCluster()
    cluster.apiserver_args = {"watch-cache": "false"}
    cluster.start()
    try:
        yield KubeCluster.from_kwok(cluster)
    finally:
        cluster.stop()


def compact_etcd(cluster: KubeCluster) -> None:
    """etcd forgets every revision before now (the API server does it every 5 minutes): a watch from
    an older resourceVersion gets 410 Gone. Through etcd's JSON gateway on the kwok cluster's etcd."""
    config = next(yaml.safe_load_all((cluster._kwok().root / "kwokctl.yaml").read_text()))
    base = f"http://127.0.0.1:{config['options']['etcdPort']}/v3/kv"
    with urllib.request.urlopen(urllib.request.Request(f"{base}/range", b'{"key": "AA=="}')) as answer:
        revision = json.load(answer)["header"]["revision"]
    body = json.dumps({"revision": revision, "physical": True}).encode()
    with urllib.request.urlopen(urllib.request.Request(f"{base}/compaction", body), timeout=10) as answer:
        assert answer.status == 200


def test_a_resource_version_too_old_relists(uncached: KubeCluster) -> None:
    namespace = "default"
    uncached.kubectl("create", "configmap", "before", namespace=namespace)
    compact_etcd(uncached)
    hub = hub_for(uncached.kubeconfig, TooOld)
    try:
        assert names(hub, namespace) == ["before", "kube-root-ca.crt"]
        informer = hub.informers[("ConfigMap", namespace)]
        wait_until("410 Gone, then a relist", lambda: informer.relists == 1 and informer.lists == 2, 10,
                   lambda: {k: v for k, v in vars(informer).items() if k not in ("objects", "source")})
        uncached.kubectl("create", "configmap", "after-relist", namespace=namespace)
        wait_until("the watch after the relist sees it", lambda: "after-relist" in names(hub, namespace), 2)
    finally:
        hub.close()


def test_a_dropped_connection_watches_again_from_where_it_was(kube_cluster: KubeCluster, namespace: str,
                                                               tmp_path: Path) -> None:
    with FaultProxy(kube_cluster.apiserver_url) as proxy:
        hub = hub_for(kubeconfig_for(kube_cluster.kubeconfig, tmp_path / "kubeconfig", server=proxy.url))
        try:
            names(hub, namespace)
            informer = hub.informers[("ConfigMap", namespace)]
            wait_until("watching", lambda: informer._stream is not None, 5)
            kube_cluster.kubectl("create", "configmap", "before-cut", namespace=namespace)
            wait_until("seen", lambda: "before-cut" in names(hub, namespace), 2)
            proxy.cut()
            kube_cluster.kubectl("create", "configmap", "during-cut", namespace=namespace)
            wait_until("seen after the reconnect", lambda: "during-cut" in names(hub, namespace), 10)
            assert informer.reconnects >= 1 or informer.watches >= 2
            assert informer.lists == 1 and informer.relists == 0  # resumed from its resourceVersion
        finally:
            hub.close()


def _watch_while_solving(learner: Learner, kubeconfig: Path | None = None) -> Any:
    out: dict[str, Any] = {}
    args = ["--watch", "--wait", "90", "step-02", "-n", learner.namespace]
    if kubeconfig is not None:
        args += ["--kubeconfig", str(kubeconfig)]
    thread = threading.Thread(target=lambda: out.setdefault("proc", learner.labcheck(*args, timeout=120)))
    thread.start()
    time.sleep(1.5)  # labcheck is watching before the learner starts
    learner.solve("step-02")
    thread.join(120)
    return out["proc"]


def test_watch_prints_the_verdict_once_from_watches(kwok_learner: Learner) -> None:
    proc = _watch_while_solving(kwok_learner)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("step-02") == 1, proc.stdout  # one report, one verdict
    assert "listing every" not in proc.stderr
    lines = [line.split(":", 1)[-1] for line in proc.stderr.splitlines() if line.strip()]
    assert all(a != b for a, b in zip(lines, lines[1:], strict=False)), proc.stderr  # nothing said twice
    cluster, ns = kwok_learner.cluster, kwok_learner.namespace
    lists = cluster.audit_events(verb="list", resource="pods", namespace=ns, user_agent="labcheck")
    watches = cluster.audit_events(verb="watch", resource="pods", namespace=ns, user_agent="labcheck")
    assert len(lists) == 1 and len(watches) >= 1, (lists, watches)  # not one list a second


def test_a_grader_who_may_not_watch_polls_and_says_so_once(kwok_learner: Learner, tmp_path: Path) -> None:
    account = grader_account(kwok_learner.cluster, kwok_learner.namespace, tmp_path / "grader.kubeconfig",
                             "step-02", without_verbs=["watch"])
    proc = _watch_while_solving(kwok_learner, account.kubeconfig)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stderr.count("listing every") == 1, proc.stderr
    assert "cannot watch" not in proc.stdout

"""grader/batch/shared.py: one cluster-wide list per kind for a whole class, and its fallbacks."""

from __future__ import annotations

import builtins
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from labcheck.batch.shared import SharedCluster
from labcheck.errors import ClusterError
from labcheck.kube import KubeCluster, Target
from labcheck.kube.client import PAGE_SIZE


class FakeKube:
    def __init__(self, items: dict[str, list[dict[str, Any]]], forbidden: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        self.items, self.forbidden = items, forbidden
        self.calls: list[tuple[str, str | None, str]] = []

    def list(self, kind: str, namespace: str | None, field_selector: str = "") -> list[dict[str, Any]]:
        self.calls.append((kind, namespace, field_selector))
        if namespace is None and kind in self.forbidden:
            raise ClusterError("forbidden", f"list {kind}: forbidden")
        return [i for i in self.items.get(kind, []) if namespace in (None, i["metadata"].get("namespace"))]

    def list_pages(self, kind: str, namespace: str | None,
                   field_selector: str = "") -> Iterator[builtins.list[dict[str, Any]]]:
        yield self.list(kind, namespace, field_selector)


def obj(name: str, namespace: str | None = None) -> dict[str, Any]:
    return {"metadata": {"name": name, **({"namespace": namespace} if namespace else {})}}


def shared(kube: FakeKube) -> SharedCluster:
    return SharedCluster(kube, Target("c", "c", "https://x", None), ["a", "b"], max_age=60)  # type: ignore[arg-type]


def test_one_list_serves_every_namespace_and_drops_others() -> None:
    kube = FakeKube({"Pod": [obj("p1", "a"), obj("p2", "b"), obj("sys", "kube-system"), obj("x", "other")],
                     "Node": [obj("n1")]})
    cluster = shared(kube)
    assert [p["metadata"]["name"] for p in cluster.list("Pod", "a", kube)] == ["p1"]  # type: ignore[arg-type]
    assert [p["metadata"]["name"] for p in cluster.list("Pod", "b", kube)] == ["p2"]  # type: ignore[arg-type]
    assert [n["metadata"]["name"] for n in cluster.list("Node", None, kube)] == ["n1"]  # type: ignore[arg-type]
    pod_calls = [c for c in kube.calls if c[0] == "Pod"]
    assert len(pod_calls) == 1 and pod_calls[0][1] is None
    assert "metadata.namespace!=kube-system" in pod_calls[0][2]


def test_forbidden_cluster_wide_falls_back_to_the_namespace() -> None:
    kube = FakeKube({"Pod": [obj("p1", "a")]}, forbidden={"Pod"})
    cluster = shared(kube)
    assert [p["metadata"]["name"] for p in cluster.list("Pod", "a", kube)] == ["p1"]  # type: ignore[arg-type]
    cluster.list("Pod", "b", kube)  # type: ignore[arg-type]
    assert kube.calls == [("Pod", None, cluster.field_selector), ("Pod", "a", ""), ("Pod", "b", "")]


def test_other_errors_reach_every_student() -> None:
    kube = FakeKube({})
    kube.list = lambda *a, **k: (_ for _ in ()).throw(ClusterError("timeout", "slow", retryable=True))  # type: ignore[method-assign]
    cluster = shared(kube)
    for ns in ("a", "b"):
        try:
            cluster.list("Pod", ns, kube)  # type: ignore[arg-type]
        except ClusterError as exc:
            assert exc.reason == "timeout"
        else:
            raise AssertionError("no error")


def test_a_class_asking_at_once_makes_one_list_per_kind() -> None:
    """With one look (--wait 0: max_age infinite) each kind is listed exactly once per batch round,
    however many students ask for it at the same moment."""
    kube = FakeKube({"Pod": [obj("p1", "a")], "Service": [obj("s1", "b")], "Namespace": [obj("a"), obj("b")]})
    real_list = kube.list
    start = threading.Barrier(24)

    def slow_list(kind: str, namespace: str | None, field_selector: str = "") -> list[dict[str, Any]]:
        time.sleep(0.05)  # long enough for every other student to ask while it is in flight
        return real_list(kind, namespace, field_selector)

    kube.list = slow_list  # type: ignore[method-assign]
    cluster = SharedCluster(kube, Target("c", "c", "https://x", None), ["a", "b"],  # type: ignore[arg-type]
                            max_age=float("inf"))

    def student(i: int) -> tuple[int, int, bool | None]:
        ns = "ab"[i % 2]
        start.wait()
        pods = cluster.list("Pod", ns, kube)  # type: ignore[arg-type]
        services = cluster.list("Service", ns, kube)  # type: ignore[arg-type]
        return len(pods), len(services), cluster.namespace_exists(ns, kube)  # type: ignore[arg-type]

    with ThreadPoolExecutor(max_workers=24) as pool:
        seen = list(pool.map(student, range(24)))
    assert seen == [(1, 0, True), (0, 1, True)] * 12
    assert Counter(kind for kind, _, _ in kube.calls) == {"Pod": 1, "Service": 1, "Namespace": 1}


class PagedRest:
    """A REST client serving `total` Services in pages of `limit`, counting its GETs."""

    server = "https://x"

    def __init__(self, total: int) -> None:
        self.items = [{"metadata": {"name": f"svc-{i}", "namespace": "ab"[i % 2]}} for i in range(total)]
        self.gets: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def get(self, path: str, query: list[tuple[str, Any]], timeout: float,
            max_body: int | None = None) -> tuple[int, bytes]:
        params = dict(query)
        with self.lock:
            self.gets.append({"path": path, **params})
        time.sleep(0.02)
        start, limit = int(params.get("continue") or 0), int(params["limit"])
        rest = start + limit < len(self.items)
        meta = {"continue": str(start + limit)} if rest else {}
        return 200, json.dumps({"items": self.items[start:start + limit], "metadata": meta}).encode()


def test_a_paged_list_is_one_list_for_the_whole_class() -> None:
    """What the audit log shows at 500 learners (1001 Services: 3 requests) is one list in 3 pages."""
    rest = PagedRest(2 * PAGE_SIZE + 1)
    kube = KubeCluster(rest, 10.0)  # type: ignore[arg-type]
    cluster = SharedCluster(kube, Target("c", "c", rest.server, None), ["a", "b"], max_age=float("inf"))
    with ThreadPoolExecutor(max_workers=16) as pool:
        sizes = list(pool.map(lambda i: len(cluster.list("Service", "ab"[i % 2], kube)), range(16)))
    assert sizes == [PAGE_SIZE + 1, PAGE_SIZE] * 8
    assert [g.get("continue") for g in rest.gets] == [None, str(PAGE_SIZE), str(2 * PAGE_SIZE)]
    assert {g["path"] for g in rest.gets} == {"/api/v1/services"}


def test_looking_in_every_namespace_reuses_the_class_list() -> None:
    """checks/nearby.py asks for a kind in all namespaces when a learner's object is missing: the class's
    one list answers it (every object's metadata), not a list per learner."""
    pods = [obj("p1", "a"), {"metadata": {"name": "p2", "namespace": "default", "uid": "u2",
                                          "creationTimestamp": "2026-12-01T10:00:00Z"}, "spec": {"big": "x"}},
            obj("p3", "b")]
    kube = FakeKube({"Pod": pods})
    cluster = shared(kube)
    for _ in range(5):  # five learners whose Pod is missing
        everywhere = cluster.list("Pod", None, kube)  # type: ignore[arg-type]
        assert [(p["metadata"]["name"], p["metadata"].get("namespace")) for p in everywhere] == [
            ("p1", "a"), ("p2", "default"), ("p3", "b")]
    assert everywhere[1] == {"kind": "Pod", "metadata": {"name": "p2", "namespace": "default", "uid": "u2",
                                                         "creationTimestamp": "2026-12-01T10:00:00Z"}}
    assert cluster.list("Pod", "a", kube) == [obj("p1", "a")]  # type: ignore[arg-type]
    assert [c[:2] for c in kube.calls] == [("Pod", None)]


def test_each_student_reads_its_own_copy_of_the_packed_list() -> None:
    """The round's lists are kept as JSON text (batch/snapshot.py), so a student's check that changed an
    object it read could not change what the next student reads."""
    kube = FakeKube({"Pod": [{"metadata": {"name": "p1", "namespace": "a"}, "status": {"phase": "Running"},
                              "note": "中文 ✓"}]})
    cluster = shared(kube)
    first = cluster.list("Pod", "a", kube)  # type: ignore[arg-type]
    first[0]["status"]["phase"] = "Changed"
    again = cluster.list("Pod", "a", kube)  # type: ignore[arg-type]
    assert again == [{"metadata": {"name": "p1", "namespace": "a"}, "status": {"phase": "Running"},
                      "note": "中文 ✓"}]
    assert cluster.list("Pod", "b", kube) == [] and len(kube.calls) == 1  # type: ignore[arg-type]

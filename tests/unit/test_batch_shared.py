"""grader/batch/shared.py: one cluster-wide list per kind for a whole class, and its fallbacks."""

from typing import Any

from labcheck.batch.shared import SharedCluster
from labcheck.errors import ClusterError
from labcheck.kube import Target


class FakeKube:
    def __init__(self, items: dict[str, list[dict[str, Any]]], forbidden: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        self.items, self.forbidden = items, forbidden
        self.calls: list[tuple[str, str | None, str]] = []

    def list(self, kind: str, namespace: str | None, field_selector: str = "") -> list[dict[str, Any]]:
        self.calls.append((kind, namespace, field_selector))
        if namespace is None and kind in self.forbidden:
            raise ClusterError("forbidden", f"list {kind}: forbidden")
        return [i for i in self.items.get(kind, []) if namespace in (None, i["metadata"].get("namespace"))]


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

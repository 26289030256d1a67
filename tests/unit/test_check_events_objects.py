from labcheck.checks import events_evidence, nodes_ready, object_absent, object_exists
from labcheck.core.results import Outcome
from tests.unit.fakes import FakeCluster, context, event, node, pod


def ev_spec(reasons: list[str]) -> events_evidence.Spec:
    return events_evidence.Spec(id="e", kind="events_evidence", title="t",  # type: ignore[arg-type]
                                name="my-first-pod", reasons=reasons)


def test_events_all_reasons_of_one_incarnation() -> None:
    old = [event("Pod", "my-first-pod", r, uid="old") for r in ("Scheduled", "Started", "Killing")]
    new = [event("Pod", "my-first-pod", r, uid="new") for r in ("Scheduled", "Started")]
    cluster = FakeCluster({"Event": old + new})
    assert events_evidence.evaluate(ev_spec(["Killing"]), context(cluster)).outcome is Outcome.PASSED
    f = events_evidence.evaluate(ev_spec(["Scheduled", "Pulled"]), context(cluster))
    assert f.outcome is Outcome.PENDING and "Pulled" in f.message.en


def test_events_none_is_pending_and_warning_fails() -> None:
    assert events_evidence.evaluate(ev_spec(["Started"]), context(FakeCluster())).outcome is Outcome.PENDING
    warn = event("Pod", "my-first-pod", "Failed", "Failed to pull image \"kubenginx:2.0.0\"")
    warn["type"] = "Warning"
    cluster = FakeCluster({"Event": [event("Pod", "my-first-pod", "Scheduled"), warn]})
    f = events_evidence.evaluate(ev_spec(["Started"]), context(cluster))
    assert f.outcome is Outcome.FAILED and "kubenginx:2.0.0" in f.message.en


def test_events_other_namespace_ignored() -> None:
    cluster = FakeCluster({"Event": [event("Pod", "my-first-pod", "Started", namespace="other")]})
    assert events_evidence.evaluate(ev_spec(["Started"]), context(cluster)).outcome is Outcome.PENDING


def test_nodes_ready() -> None:
    spec = nodes_ready.Spec(id="n", kind="nodes_ready", title="t", min_ready=2)  # type: ignore[arg-type]
    cluster = FakeCluster({"Node": [node("a"), node("b", ready=False)]})
    f = nodes_ready.evaluate(spec, context(cluster))
    assert f.outcome is Outcome.FAILED and "b" in f.message.en
    cluster.objects["Node"].append(node("c"))
    assert nodes_ready.evaluate(spec, context(cluster)).outcome is Outcome.PASSED
    assert nodes_ready.evaluate(spec, context(FakeCluster())).outcome is Outcome.FAILED


def test_object_exists_by_name_and_selector() -> None:
    cluster = FakeCluster({"Pod": [pod(labels={"app": "web"})]})
    by_name = object_exists.Spec.model_validate(
        {"id": "x", "kind": "object_exists", "title": "t", "object_kind": "Pod", "name": "my-first-pod"})
    assert object_exists.evaluate(by_name, context(cluster)).outcome is Outcome.PASSED
    by_label = object_exists.Spec.model_validate(
        {"id": "x", "kind": "object_exists", "title": "t", "object_kind": "Pod",
         "label_selector": "app=db"})
    assert object_exists.evaluate(by_label, context(cluster)).outcome is Outcome.PENDING
    assert object_exists.evaluate(by_name, context(cluster, namespace="x")).outcome is Outcome.PENDING


def absent(**kw: object) -> object_absent.Spec:
    return object_absent.Spec.model_validate(
        {"id": "x", "kind": "object_absent", "title": "t", "object_kind": "Pod", "name": "my-first-pod", **kw})


def test_object_absent_states() -> None:
    live = FakeCluster({"Pod": [pod()]})
    f = object_absent.evaluate(absent(), context(live))
    assert f.outcome is Outcome.PENDING and "my-first-pod" in f.message.en
    terminating = pod()
    terminating["metadata"]["deletionTimestamp"] = "2026-11-25T00:00:00Z"
    f = object_absent.evaluate(absent(), context(FakeCluster({"Pod": [terminating]})))
    assert f.outcome is Outcome.PENDING and "being deleted" in f.message.en
    assert object_absent.evaluate(absent(), context(FakeCluster())).outcome is Outcome.PASSED


def test_object_absent_requires_evidence() -> None:
    spec = absent(require_evidence=True)
    assert object_absent.evaluate(spec, context(FakeCluster())).outcome is Outcome.PENDING
    cluster = FakeCluster({"Event": [event("Pod", "my-first-pod", "Killing")]})
    assert object_absent.evaluate(spec, context(cluster)).outcome is Outcome.PASSED


def test_object_absent_ignores_names() -> None:
    svc = {"metadata": {"name": "kubernetes", "namespace": "default"}}
    spec = object_absent.Spec.model_validate({"id": "x", "kind": "object_absent", "title": "t",
                                              "object_kind": "Service", "label_selector": "",
                                              "ignore_names": ["kubernetes"]})
    assert object_absent.evaluate(spec, context(FakeCluster({"Service": [svc]}))).outcome is Outcome.PASSED

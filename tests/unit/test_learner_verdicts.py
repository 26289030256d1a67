"""Wrong or misleading verdicts a learner met walking through the Pods lab (issue 14), each graded the
way `labcheck STEP` does it (run_lab on the built-in lab) and read in both languages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from labcheck.checks import http_reachable, manifest_file
from labcheck.core.answers import HttpResult
from labcheck.core.i18n import Lang
from labcheck.core.results import CheckResult, Outcome, RunResult
from labcheck.errors import ClusterError
from labcheck.loader import load_lab
from labcheck.reporters import REPORTERS, ReportOptions
from labcheck.runner import RunOptions, run_lab
from tests.unit.fakes import FakeCluster, context, endpoint_slice, event, node, pod, service
from tests.unit.test_runner import Clock

LANGS: tuple[Lang, ...] = ("en", "zh")


def grade(step: str, cluster: FakeCluster | None = None, files: Path = Path("."), **options: Any) -> RunResult:
    clock = Clock()
    cluster = cluster or FakeCluster()
    options.setdefault("http_get", cluster.http_get)
    return run_lab(load_lab("pods"), [step], cluster,
                   RunOptions(namespace="default", files_dir=files, wait=0, **options),
                   clock=clock, sleep=clock.sleep)


def found(result: RunResult, check_id: str) -> CheckResult:
    return next(c for c in result.checks if c.check_id == check_id)


def text(result: RunResult, lang: Lang) -> str:
    return REPORTERS["text"](result, ReportOptions(lang=lang))


def test_a_broken_answers_file_shows_the_file_hint_only(tmp_path: Path) -> None:
    (tmp_path / "labcheck-answers.yaml").write_text("pod-smallest-unit: b\n  pod-shared-network: a\n",
                                                    encoding="utf-8")
    result = grade("step-01", files=tmp_path)
    spec_hints = {c.id: c.hint for c in load_lab("pods").step("step-01").checks}
    for check in result.checks:
        assert check.outcome is Outcome.FAILED and check.message_id == "quiz.bad_yaml"
        assert check.hint is not None and check.hint != spec_hints[check.check_id]
    for lang in LANGS:
        report = text(result, lang)
        assert "labcheck-answers.yaml:2" in report
        assert all(hint is not None and hint.get(lang) not in report for hint in spec_hints.values()), report
        assert "`pod-smallest-unit: b`" in report and ("Tab" in report or "tabs" in report)
    (tmp_path / "labcheck-answers.yaml").write_text("- b\n", encoding="utf-8")
    not_mapping = found(grade("step-01", files=tmp_path), "pod-smallest-unit")
    assert not_mapping.message_id == "quiz.not_mapping" and not_mapping.hint is not None
    assert not_mapping.hint.key == "quiz.file_hint"


def test_an_image_given_by_digest_only_says_a_digest_cannot_match_a_tag() -> None:
    digest = "stacksimplify/kubenginx@sha256:" + "ab" * 32
    result = grade("step-04", FakeCluster({"Pod": [pod(image=digest)]}))
    check = found(result, "pod-running")
    assert (check.outcome, check.message_id) == (Outcome.FAILED, "pod.digest_only")
    for lang, words in (("en", "cannot be matched to a tag"), ("zh", "摘要无法对应到标签")):
        message = check.message.get(lang)
        assert words in message and digest in message
        assert "`kubectl run my-first-pod --image stacksimplify/kubenginx:1.0.0`" in message
        assert "jsonpath='{.status.containerStatuses[0].imageID}'" in message


def test_clean_up_finds_a_left_over_service_by_its_selector_not_only_its_labels() -> None:
    """`kubectl run my-first-pod --expose --port 80` makes a Service with no labels, selecting the Pod."""
    exposed = service("my-first-pod", type="ClusterIP")
    exposed["metadata"].pop("labels")
    other = service("unrelated", selector={"app": "web"})
    other["metadata"].pop("labels")
    default = service("kubernetes", type="ClusterIP", selector={})
    default["metadata"].pop("labels")
    gone = [event("Pod", "my-first-pod", "Killing")]
    result = grade("step-07", FakeCluster({"Service": [exposed, other, default], "Event": gone}))
    check = found(result, "nothing-left")
    assert (check.outcome, check.message_id) == (Outcome.PENDING, "absent.present")
    assert check.actual == {"left": "my-first-pod"}
    result = grade("step-07", FakeCluster({"Service": [other, default], "Event": gone}))
    assert found(result, "nothing-left").outcome is Outcome.PASSED


def two_port_service() -> dict[str, Any]:
    svc = service()
    svc["spec"]["ports"] = [{"name": "https", "port": 443, "targetPort": 443, "nodePort": 30443, "protocol": "TCP"},
                            {"name": "http", "port": 80, "targetPort": 80, "nodePort": 31080, "protocol": "TCP"}]
    return svc


def test_http_on_a_service_with_several_ports_tries_the_port_the_app_answers_on() -> None:
    """443 then 80, the app answers on the port-80 node port: the first port is not the one meant."""
    cluster = FakeCluster({"Service": [two_port_service()], "Node": [node(internal_ip="192.168.1.5")]})
    cluster.http["http://192.168.1.5:31080/"] = HttpResult("http://192.168.1.5:31080/", 200, "<html>")
    spec = http_reachable.Spec.model_validate({"id": "x", "kind": "http_reachable", "title": "t",
                                               "service": "my-first-service"})
    finding = http_reachable.evaluate(spec, context(cluster))
    assert finding.outcome is Outcome.PASSED and finding.evidence["port"] == "80", finding.message.en
    step = load_lab("pods").step("step-04")
    assert {c.id: getattr(c, "port", None) for c in step.checks if c.kind == "http_reachable"} == {
        "service-answers": 80, "service2-answers": 81}  # the lab names the port each check means


def test_an_unreachable_node_port_says_what_was_tried_and_what_to_try_ready_nodes_first() -> None:
    nodes = [node("old", ready=False, internal_ip="10.0.0.9"), node("new", internal_ip="192.168.1.5")]
    cluster = FakeCluster({"Service": [service()], "Node": nodes})
    spec = http_reachable.Spec.model_validate({"id": "x", "kind": "http_reachable", "title": "t",
                                               "service": "my-first-service"})
    finding = http_reachable.evaluate(spec, context(cluster))
    assert (finding.outcome, finding.message.key) == (Outcome.ERROR, "http.unreachable")
    assert "tried 192.168.1.5:31234 refused; 10.0.0.9:31234 refused (NotReady)" in finding.message.en
    assert "192.168.1.5:31234 连接被拒绝；10.0.0.9:31234 连接被拒绝（未就绪）" in finding.message.zh
    assert "节点端口 31234" in finding.message.zh
    assert finding.hint is not None
    for lang in LANGS:
        hint = finding.hint.get(lang)
        for words in ("`kubectl get nodes -o wide`", "`minikube service my-first-service --url`",
                      "extraPortMappings", "`kubectl port-forward service/my-first-service 8080:80`"):
            assert words in hint, (lang, words)


def test_an_unreachable_node_port_stays_ungraded_without_blaming_the_cluster() -> None:
    cluster = FakeCluster({"Node": [node(internal_ip="192.168.1.5")], "Pod": [pod()],
                           "Service": [service(), service("my-first-service2", port=81, node_port=31235)],
                           "EndpointSlice": [endpoint_slice(), endpoint_slice("my-first-service2")]})
    result = grade("step-04", cluster)
    answers = found(result, "service-answers")
    assert (answers.outcome, answers.graded, answers.message_id) == (Outcome.ERROR, False, "http.unreachable")
    assert answers.hint is not None and answers.hint.key == "http.unreachable_hint"
    for lang, right, wrong in (("en", "could not reach the node port", "cluster could not answer"),
                               ("zh", "本机无法访问节点端口", "集群无法应答")):
        report = text(result, lang)
        footer = report.split("\n\n")[-1]
        assert right in footer and wrong not in footer, footer
        assert answers.hint.get(lang) in report


def held_pod() -> dict[str, Any]:
    """A Running, Ready Pod being deleted and held by a finalizer (`kubectl delete` returned, it stays)."""
    held = pod()
    held["metadata"].update(deletionTimestamp="2026-12-01T10:00:00Z", finalizers=["example.com/hold"])
    return held


def test_a_pod_being_deleted_reads_the_same_in_every_check(tmp_path: Path) -> None:
    """Step 5 said "Pod my-first-pod is Running, not Running yet" (expected and actual phase=Running) and
    step 6 passed: every check that reads the Pod now says it is being deleted, and none passes."""
    live = held_pod()
    (tmp_path / "my-first-pod.yaml").write_text(
        f"apiVersion: v1\nkind: Pod\nmetadata: {{name: my-first-pod, uid: {live['metadata']['uid']}}}\n"
        "spec: {containers: [{name: my-first-pod, image: 'stacksimplify/kubenginx:1.0.0'}]}\n", encoding="utf-8")
    cluster = FakeCluster({"Node": [node()], "Pod": [live], "Service": [service()],
                           "EndpointSlice": [endpoint_slice()]})
    cluster.logs[("my-first-pod", None)] = '10.0.0.1 - - "GET / HTTP/1.1" 200 615'
    seen: dict[str, CheckResult] = {}
    for step in ("step-04", "step-05", "step-06"):
        result = grade(step, cluster, files=tmp_path)
        seen.update({f"{step}/{c.check_id}": c for c in result.checks})
    reads_the_pod = ["step-04/pod-running", "step-04/service", "step-05/access-log", "step-05/exec-index",
                     "step-06/pod-live"]
    for key in reads_the_pod:
        check = seen[key]
        assert (check.outcome, check.message_id) == (Outcome.PENDING, "object.terminating"), (
            key, check.outcome, check.message.en)
        assert check.hint is not None and check.hint.key == "object.terminating_hint"
        for lang, words in (("en", "is being deleted (since 2026-12-01T10:00:00Z), held by finalizers "
                                   "example.com/hold"),
                            ("zh", "正在被删除（自 2026-12-01T10:00:00Z 起），被 finalizer example.com/hold 阻止删除")):
            assert words in check.message.get(lang)
            assert "Running" not in check.message.get(lang)
        assert check.expected == {"deletionTimestamp": "-"}
    assert seen["step-06/pod-yaml"].outcome is Outcome.SKIPPED  # it needs pod-live first
    yaml_check = load_lab("pods").step("step-06").checks[2]
    alone = manifest_file.evaluate(yaml_check, context(cluster, tmp_path))  # type: ignore[arg-type]
    assert alone.message.key == "object.terminating"


def crash_then_delete_events(*warnings: str) -> list[dict[str, Any]]:
    reasons = [("Scheduled", "Successfully assigned default/my-first-pod to n1"),
               ("Pulled", 'Container image "stacksimplify/kubenginx:1.0.0" already present on machine'),
               ("Created", "Created container my-first-pod"), ("Started", "Started container my-first-pod")]
    events = [event("Pod", "my-first-pod", r, m) for r, m in reasons]
    for reason in warnings:
        warning = event("Pod", "my-first-pod", reason, f"{reason}: Back-off restarting failed container")
        warning["type"] = "Warning"
        events.append(warning)
    return [*events, event("Pod", "my-first-pod", "Killing", "Stopping container my-first-pod")]


def test_a_pod_that_crash_looped_then_was_deleted_did_not_run_correctly() -> None:
    for warning in ("BackOff", "Failed", "Unhealthy", "OOMKilling"):
        result = grade("step-02", FakeCluster({"Node": [node()], "Event": crash_then_delete_events(warning)}))
        ran = found(result, "pod-running")
        assert (ran.outcome, ran.message_id) == (Outcome.FAILED, "pod.gone_crashed"), (warning, ran.message.en)
        assert warning in ran.message.en and warning in ran.message.zh
        assert ran.actual == {"warnings": warning}
        assert found(result, "pod-deleted").outcome is Outcome.PASSED  # created and deleted: still true
    clean = grade("step-02", FakeCluster({"Node": [node()], "Event": crash_then_delete_events()}))
    assert found(clean, "pod-running").message_id == "pod.gone_ran" and clean.percent == 100


def test_a_pod_in_another_namespace_says_which_and_how_to_grade_it() -> None:
    cluster = FakeCluster({"Pod": [pod(namespace="lab")], "Node": [node()]})
    result = grade("step-02", cluster)
    ran = found(result, "pod-running")
    assert (ran.outcome, ran.message_id) == (Outcome.PENDING, "nearby.other_namespace")
    assert "Pod my-first-pod is not in namespace default, but exists in namespace lab: " \
           "run `labcheck step-02 -n lab`" in ran.message.en
    assert "`labcheck step-02 -n lab`" in ran.message.zh and "命名空间 lab 中有" in ran.message.zh


def test_where_a_pod_is_is_looked_up_once_and_not_at_all_when_it_is_there() -> None:
    cluster = FakeCluster({"Pod": [pod()], "Node": [node()]})
    grade("step-04", cluster)
    assert ("list", "Pod", None) not in cluster.calls  # nothing missing: no extra list
    refusing = FakeCluster({"Node": [node()]})
    original = refusing.list

    def namespaced_only(kind: str, namespace: str | None) -> list[dict[str, Any]]:
        if kind == "Pod" and namespace is None:
            refusing.calls.append(("list", kind, namespace))
            raise ClusterError("forbidden", "pods is forbidden at the cluster scope")
        return original(kind, namespace)

    refusing.list = namespaced_only  # type: ignore[method-assign]
    result = grade("step-05", refusing)
    assert {c.message_id for c in result.checks} == {"logs.no_pod", "exec.no_pod"}  # no hint, no error
    assert refusing.calls.count(("list", "Pod", None)) == 1  # refused once: not asked again


def test_a_near_miss_name_is_named() -> None:
    typo = service("my-frist-service")
    result = grade("step-04", FakeCluster({"Pod": [pod()], "Service": [typo], "Node": [node()]}))
    svc = found(result, "service")
    assert (svc.outcome, svc.message_id) == (Outcome.PENDING, "nearby.near_miss")
    assert "found Service my-frist-service: did you mean my-first-service?" in svc.message.en
    assert "找到了 Service my-frist-service：是不是想写 my-first-service？" in svc.message.zh
    upper = grade("step-04", FakeCluster({"Pod": [pod("My-First-Pod")], "Node": [node()]}))
    assert found(upper, "pod-running").message_id == "nearby.near_miss"
    # the lab's own other names are not typos: my-first-service is not "my-first-service2 misspelt"
    only_first = grade("step-04", FakeCluster({"Pod": [pod()], "Service": [service()], "Node": [node()]}))
    assert found(only_first, "service2").message_id == "service.missing"


def test_a_pod_made_by_a_deployment_is_not_the_bare_pod_the_step_asks_for() -> None:
    made = pod("my-first-pod-7c9f98d49b-x2x4q", labels={"app": "my-first-pod", "pod-template-hash": "7c9f98d49b"})
    made["metadata"]["ownerReferences"] = [{"kind": "ReplicaSet", "name": "my-first-pod-7c9f98d49b",
                                            "controller": True}]
    result = grade("step-04", FakeCluster({"Pod": [made], "Node": [node()]}))
    ran = found(result, "pod-running")
    assert (ran.outcome, ran.message_id) == (Outcome.PENDING, "nearby.controller")
    assert ("Pod my-first-pod-7c9f98d49b-x2x4q was made by Deployment my-first-pod; this step asks for a bare "
            "Pod named my-first-pod (`kubectl run my-first-pod ...`)") in ran.message.en
    assert "由 Deployment my-first-pod 创建" in ran.message.zh


def test_a_quiz_answer_under_a_near_miss_key_is_named(tmp_path: Path) -> None:
    (tmp_path / "labcheck-answers.yaml").write_text(
        "pod_smallest_unit: b\nPod-Shared-Network: a\nsidecar-patern: a\n", encoding="utf-8")
    result = grade("step-01", files=tmp_path)
    for check_id, key, answer in (("pod-smallest-unit", "pod_smallest_unit", "b"),
                                  ("pod-shared-network", "Pod-Shared-Network", "a"),
                                  ("sidecar-pattern", "sidecar-patern", "a")):
        check = found(result, check_id)
        assert (check.outcome, check.message_id) == (Outcome.PENDING, "quiz.near_key"), check.message.en
        assert f"but there is `{key}`: did you mean `{check_id}`? (write the key exactly: " \
               f"`{check_id}: {answer}`)" in check.message.en
        assert f"但有 `{key}`" in check.message.zh


def test_the_other_namespace_named_is_the_newest_object_not_one_being_deleted() -> None:
    old, new, going = pod(namespace="old"), pod(namespace="new"), pod(namespace="going")
    old["metadata"]["creationTimestamp"] = "2026-12-01T09:00:00Z"
    new["metadata"]["creationTimestamp"] = "2026-12-01T10:00:00Z"
    going["metadata"].update(creationTimestamp="2026-12-01T11:00:00Z", deletionTimestamp="2026-12-01T11:01:00Z")
    ran = found(grade("step-04", FakeCluster({"Pod": [old, going, new], "Node": [node()]})), "pod-running")
    assert "`labcheck step-04 -n new`" in ran.message.en, ran.message.en

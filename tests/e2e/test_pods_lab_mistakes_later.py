"""Mistakes in the later Pods-lab steps on the real node: reachability, logs, exec,
saved YAML and half-done clean-up. (Exec forbidden: tests/e2e/test_least_privilege.py.)"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from labcheck.core.results import Outcome
from tests.e2e.learner import POD, Learner, check, outcomes, report

pytestmark = pytest.mark.cluster


def exposed(learner: Learner, *args: str) -> None:
    learner.run_pod(args=args)
    learner.kubectl("expose", "pod", POD, "--type=NodePort", "--port=80", "--name=my-first-service")


def assert_seen(learner: Learner, step: str, check_id: str, outcome: Outcome, message_id: str,
                wait: float = 0) -> str:
    """`wait` as a learner's run polls: kube-proxy takes a moment to open a new Service's node port."""
    result = learner.grade(step, wait=wait)
    found = check(result, check_id)
    assert (found.outcome, found.message_id) == (outcome, message_id), f"{found.message.en} | {outcomes(result)}"
    if outcome in (Outcome.FAILED, Outcome.PENDING):
        assert found.hint is not None
        for lang in ("en", "zh"):
            assert found.hint.get(lang) in report(result, lang)
    return found.message.en


def test_node_port_unreachable_is_an_error_naming_the_address(learner: Learner) -> None:
    """Nothing listens behind the node port (the app listens on 8080): kube-proxy forwards, the Pod
    refuses; labcheck says where it knocked and keeps the check ungraded."""
    exposed(learner, "--port", "8080")
    address = learner.node_url("my-first-service").split("/")[2]
    text = assert_seen(learner, "step-04", "service-answers", Outcome.ERROR, "http.unreachable", wait=5)
    assert address in text and "refused" in text


def test_app_answering_with_an_error_is_a_failure(learner: Learner) -> None:
    exposed(learner, "--status", "502")
    text = assert_seen(learner, "step-04", "service-answers", Outcome.FAILED, "http.wrong_status", wait=10)
    assert "502" in text


def test_app_answering_passes(learner: Learner) -> None:
    exposed(learner)
    learner.browser_opens("my-first-service")
    assert_seen(learner, "step-04", "service-answers", Outcome.PASSED, "http.ok")


def test_logs_without_an_access_line_are_not_done_yet(learner: Learner) -> None:
    learner.run_pod()  # nobody opened the page: the container has logged no request
    assert_seen(learner, "step-05", "access-log", Outcome.PENDING, "logs.no_match")


def test_exec_that_fails_is_a_failure(learner: Learner) -> None:
    learner.run_pod()
    learner.kubectl("exec", POD, "--", "rm", "/usr/share/nginx/html/index.html")
    assert_seen(learner, "step-05", "exec-index", Outcome.FAILED, "exec.exit_code")


def save(learner: Learner, name: str, text: str) -> None:
    (learner.files / name).write_text(text, encoding="utf-8")


SavedYaml = Callable[[Learner], None]
YAML_CASES: list[tuple[str, SavedYaml, str]] = [
    ("not YAML", lambda lr: save(lr, "my-first-pod.yaml", "apiVersion: v1\nkind: Pod\n  metadata: [oops\n"),
     "manifest.bad_yaml"),
    ("another object", lambda lr: save(lr, "my-first-pod.yaml",
                                       lr.kubectl("get", "svc", "my-first-service", "-o", "yaml").stdout),
     "manifest.wrong_object"),
]


@pytest.mark.parametrize(("what", "write", "message_id"), YAML_CASES, ids=[c[0] for c in YAML_CASES])
def test_saved_yaml_mistakes(learner: Learner, what: str, write: SavedYaml, message_id: str) -> None:
    exposed(learner)
    write(learner)
    assert_seen(learner, "step-06", "pod-yaml", Outcome.FAILED, message_id)


def test_saved_yaml_of_an_earlier_pod_is_stale(learner: Learner) -> None:
    exposed(learner)
    save(learner, "my-first-pod.yaml", learner.kubectl("get", "pod", POD, "-o", "yaml").stdout)
    learner.kubectl("delete", "pod", POD, "--wait=true")
    learner.run_pod()
    assert_seen(learner, "step-06", "pod-yaml", Outcome.FAILED, "manifest.stale")


def test_clean_up_half_done(learner: Learner) -> None:
    exposed(learner)
    learner.kubectl("expose", "pod", POD, "--type=NodePort", "--port=81", "--target-port=80",
                    "--name=my-first-service2")
    learner.kubectl("expose", "pod", POD, "--type=NodePort", "--port=82", "--target-port=80", "--name=extra")
    learner.kubectl("delete", "svc", "my-first-service")
    assert_seen(learner, "step-07", "pod-deleted", Outcome.PENDING, "absent.present")  # Pod left
    learner.kubectl("delete", "pod", POD, "--wait=true")
    result = learner.grade("step-07", wait=0)
    assert outcomes(result) == {"step-07/pod-deleted": "passed", "step-07/service-deleted": "passed",
                                "step-07/service2-deleted": "pending", "step-07/nothing-left": "pending"}
    assert "extra" in check(result, "nothing-left").message.en
    learner.kubectl("delete", "svc", "my-first-service2", "extra")
    assert learner.grade("step-07", wait=0).percent == 100

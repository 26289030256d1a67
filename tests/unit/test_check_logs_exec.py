import pytest
from pydantic import ValidationError

from labcheck.checks import exec_output, logs_contain
from labcheck.core.answers import ExecResult
from labcheck.core.results import Finding, Outcome
from labcheck.errors import ClusterError
from tests.unit.fakes import FakeCluster, context, pod

ACCESS = '10.244.0.1 - - [25/Nov/2026:00:00:10 +0000] "GET / HTTP/1.1" 200 612 "-" "curl/8.5.0" "-"'
STARTUP = "/docker-entrypoint.sh: Configuration complete; ready for start up"
PATTERN = '"GET [^"]* HTTP/[0-9.]+" [0-9]{3}'


def logs_spec(**kw: object) -> logs_contain.Spec:
    base = {"id": "access-log", "kind": "logs_contain", "title": "t", "pod": "my-first-pod",
            "pattern": PATTERN}
    return logs_contain.Spec.model_validate({**base, **kw})


def logs(cluster: FakeCluster, **kw: object) -> Finding:
    return logs_contain.evaluate(logs_spec(**kw), context(cluster))


def test_logs_match_passes_with_first_line() -> None:
    cluster = FakeCluster({"Pod": [pod()]})
    cluster.logs[("my-first-pod", "my-first-pod")] = f"{STARTUP}\n{ACCESS}\n{ACCESS}\n"
    f = logs(cluster)
    assert f.outcome is Outcome.PASSED and f.actual == {"matches": "2"}
    assert f.evidence["first_match"] == ACCESS and f.evidence["uid"] == "uid-pod-1"
    assert ("logs", "default", "my-first-pod", "my-first-pod", 1000, 1 << 20) in cluster.calls


def test_logs_no_match_is_pending_with_last_line() -> None:
    cluster = FakeCluster({"Pod": [pod()]})
    cluster.logs[("my-first-pod", "my-first-pod")] = f"starting\n{STARTUP} " + "y" * 300
    f = logs(cluster)
    assert f.outcome is Outcome.PENDING
    assert f.actual["matches"] == "0" and f.actual["last_line"].startswith("/docker-entrypoint.sh")
    assert len(f.actual["last_line"]) == 120 and f.actual["last_line"].endswith("…")


def test_logs_too_few_matches_and_empty_are_pending() -> None:
    cluster = FakeCluster({"Pod": [pod()]})
    cluster.logs[("my-first-pod", "my-first-pod")] = ACCESS
    assert logs(cluster, min_matches=2).outcome is Outcome.PENDING
    cluster.logs[("my-first-pod", "my-first-pod")] = ""
    f = logs(cluster)
    assert f.outcome is Outcome.PENDING and "empty" in f.message.en


def test_logs_missing_or_starting_pod_is_pending_without_reading_logs() -> None:
    assert logs(FakeCluster()).outcome is Outcome.PENDING
    cluster = FakeCluster({"Pod": [pod(phase="Pending", ready=False)]})
    assert logs(cluster).outcome is Outcome.PENDING
    assert not [c for c in cluster.calls if c[0] == "logs"]


def test_logs_container_selection() -> None:
    cluster = FakeCluster({"Pod": [pod()]})
    cluster.logs[("my-first-pod", "my-first-pod")] = ACCESS
    assert logs(cluster, container="my-first-pod", tail_lines=50).outcome is Outcome.PASSED
    assert cluster.calls[-1] == ("logs", "default", "my-first-pod", "my-first-pod", 50, 1 << 20)
    f = logs(cluster, container="sidecar")
    assert f.outcome is Outcome.FAILED and f.actual == {"containers": "my-first-pod"}


def test_logs_cluster_error_propagates() -> None:
    cluster = FakeCluster({"Pod": [pod()]})
    cluster.logs[("my-first-pod", "my-first-pod")] = ClusterError("forbidden", "logs of pod my-first-pod: forbidden")  # type: ignore[assignment]
    with pytest.raises(ClusterError):
        logs(cluster)


@pytest.mark.parametrize("bad", [{"pattern": "(unclosed"}, {"tail_lines": 0}, {"tail_lines": 100_001},
                                 {"limit_bytes": 1 << 30}, {"min_matches": 0}])
def test_logs_spec_rejects_bad_fields(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        logs_spec(**bad)


def test_logs_bad_regex_error_is_clear() -> None:
    with pytest.raises(ValidationError, match="invalid regular expression '\\(unclosed'"):
        logs_spec(pattern="(unclosed")


# exec_output

CAT = ["cat", "/usr/share/nginx/html/index.html"]


def exec_spec(**kw: object) -> exec_output.Spec:
    base = {"id": "exec-index", "kind": "exec_output", "title": "t", "pod": "my-first-pod",
            "command": CAT, "pattern": "(?i)<(html|body|h1)"}
    return exec_output.Spec.model_validate({**base, **kw})


def run_exec(cluster: FakeCluster, **kw: object) -> Finding:
    return exec_output.evaluate(exec_spec(**kw), context(cluster))


def test_exec_output_matches_passes() -> None:
    cluster = FakeCluster({"Pod": [pod()]})
    cluster.execs[tuple(CAT)] = ExecResult("<!DOCTYPE html>\n<html>\n<body><h1>Welcome</h1>", "", 0)
    f = run_exec(cluster)
    assert f.outcome is Outcome.PASSED and f.evidence["match"] == "<html"
    assert "cat /usr/share/nginx/html/index.html" in f.message.en


def test_exec_nonzero_exit_fails_with_code_and_stderr() -> None:
    cluster = FakeCluster({"Pod": [pod()]})
    cluster.execs[tuple(CAT)] = ExecResult("", "cat: /usr/share/nginx/html/index.html: No such file\n", 1)
    f = run_exec(cluster)
    assert f.outcome is Outcome.FAILED
    assert f.expected == {"exit_code": "0"}
    assert f.actual == {"exit_code": "1", "stderr": "cat: /usr/share/nginx/html/index.html: No such file"}


def test_exec_unknown_command_fails() -> None:
    f = run_exec(FakeCluster({"Pod": [pod()]}), command=["bash", "-c", "nope"])
    assert f.outcome is Outcome.FAILED and f.actual["exit_code"] == "127"


def test_exec_output_mismatch_fails_with_first_line() -> None:
    cluster = FakeCluster({"Pod": [pod()]})
    cluster.execs[tuple(CAT)] = ExecResult("\nplain text page\nsecond line\n", "", 0)
    f = run_exec(cluster)
    assert f.outcome is Outcome.FAILED
    assert f.expected == {"output": "(?i)<(html|body|h1)"} and f.actual == {"output": "plain text page"}
    cluster.execs[tuple(CAT)] = ExecResult("", "", 0)
    f = run_exec(cluster)
    assert f.outcome is Outcome.FAILED and "(nothing)" in f.message.en and "（无输出）" in f.message.zh


def test_exec_without_exit_status_is_judged_by_output() -> None:
    cluster = FakeCluster({"Pod": [pod()]})
    cluster.execs[tuple(CAT)] = ExecResult("<html>", "", None)
    assert run_exec(cluster).outcome is Outcome.PASSED


def test_exec_stream_that_ends_with_nothing_is_the_cluster_not_answering() -> None:
    """A correct learner must never fail: no status and no output is `error` (looked at again), not `failed`."""
    cluster = FakeCluster({"Pod": [pod()]})
    cluster.execs[tuple(CAT)] = ExecResult("", "", None)
    f = run_exec(cluster)
    assert f.outcome is Outcome.ERROR and "ended with no exit status" in f.message.en


def test_exec_missing_or_not_running_pod_is_pending() -> None:
    assert run_exec(FakeCluster()).outcome is Outcome.PENDING
    cluster = FakeCluster({"Pod": [pod(phase="Pending", ready=False)]})
    f = run_exec(cluster)
    assert f.outcome is Outcome.PENDING and f.actual == {"phase": "Pending"}
    assert not [c for c in cluster.calls if c[0] == "exec"]
    terminating = pod()
    terminating["metadata"]["deletionTimestamp"] = "2026-11-25T00:01:00Z"
    assert run_exec(FakeCluster({"Pod": [terminating]})).outcome is Outcome.PENDING


def test_exec_container_passed_through_and_checked() -> None:
    cluster = FakeCluster({"Pod": [pod()]})
    cluster.execs[tuple(CAT)] = ExecResult("<html>", "", 0)
    assert run_exec(cluster, container="my-first-pod").outcome is Outcome.PASSED
    assert cluster.calls[-1] == ("exec", "default", "my-first-pod", "my-first-pod", tuple(CAT))
    assert run_exec(cluster, container="nginx").outcome is Outcome.FAILED


def test_exec_forbidden_propagates() -> None:
    cluster = FakeCluster({"Pod": [pod()]})
    cluster.execs[tuple(CAT)] = ClusterError("forbidden", "exec in pod my-first-pod: forbidden")
    with pytest.raises(ClusterError):
        run_exec(cluster)


@pytest.mark.parametrize("bad", [{"command": []}, {"command": [""]}, {"command": "cat /etc/hosts"},
                                 {"pattern": "[a-"}, {"exec_timeout": 0}])
def test_exec_spec_rejects_bad_fields(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        exec_spec(**bad)


def test_exec_status_channel_variants() -> None:
    from labcheck.kube import exec_status

    assert exec_status('{"metadata":{},"status":"Success"}') == (0, "")
    kubelet = ('{"status":"Failure","reason":"NonZeroExitCode","details":{"causes":'
               '[{"reason":"ExitCode","message":"2"}]},"message":"command terminated with non-zero exit code"}')
    assert exec_status(kubelet) == (2, "")
    kwok = ('{"status":"Failure","reason":"InternalError","message":"Internal error occurred: error executing '
            'command in container: cmd wait: cat /x: exit status 1"}')
    assert exec_status(kwok)[0] == 1
    missing = '{"status":"Failure","reason":"InternalError","message":"exec: \\"cat\\": executable file not found"}'
    assert exec_status(missing) == (126, 'exec: "cat": executable file not found')
    # containerd 2.2 + runc 1.1 on the real node (tests/e2e/test_real_node_behaviour.py)
    oci = ('{"status":"Failure","reason":"InternalError","message":"Internal error occurred: error executing '
           'command in container: failed to exec in container: failed to start exec \\"3f2a\\": OCI runtime exec '
           'failed: exec failed: unable to start container process: exec: \\"/nonexistent-binary\\": stat '
           '/nonexistent-binary: no such file or directory: unknown"}')
    assert exec_status(oci) == (126, 'exec: "/nonexistent-binary": stat /nonexistent-binary: '
                                     'no such file or directory: unknown')
    assert exec_status("") == (None, "")

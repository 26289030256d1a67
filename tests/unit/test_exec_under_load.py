"""A correct learner never fails because the cluster did not answer an exec: the stream is read to
its end (output that came with the close included), a stream that ends without the API server's
status is the cluster's doing (`error`, asked again, even with --wait 0), never `failed`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from labcheck.core.answers import ExecResult
from labcheck.core.results import Outcome
from labcheck.errors import ClusterError
from labcheck.kube.streams import ERROR_CHANNEL, STDOUT_CHANNEL, read_exec
from labcheck.loader import load_lab
from labcheck.runner import RunOptions, run_lab
from tests.unit.fakes import FakeCluster, pod
from tests.unit.test_loader import LAB, make_lab
from tests.unit.test_runner import Clock

SUCCESS = '{"metadata":{},"status":"Success"}'
HTML = "<html><body><h1>Welcome</h1></body></html>\n"


class FakeStream:
    """kubernetes.stream's WSClient on plain data: each update() takes in the next batch of frames
    (channel, data), and None in a batch is the close frame, as a loaded API server sends them."""

    def __init__(self, batches: list[list[tuple[int, str] | None]]) -> None:
        self.batches: Iterator[list[tuple[int, str] | None]] = iter(batches)
        self.channels: dict[int, str] = {}
        self.open = True

    def is_open(self) -> bool:
        return self.open

    def update(self, timeout: float = 0) -> None:
        if not self.open:
            return
        for frame in next(self.batches, []):
            if frame is None:
                self.open = False
                return
            channel, data = frame
            self.channels[channel] = self.channels.get(channel, "") + data

    def read_channel(self, channel: int, timeout: float = 0) -> str:
        if channel not in self.channels:
            self.update(timeout)
        return self.channels.pop(channel, "")


def test_output_that_came_with_the_close_is_read() -> None:
    """The frame with the page, the status and the close arrive in one batch while stderr is read."""
    stream = FakeStream([[], [], [(STDOUT_CHANNEL, HTML), (ERROR_CHANNEL, SUCCESS), None]])
    assert read_exec(stream, "my-first-pod", 10) == ExecResult(HTML, "", 0)


def test_close_without_status_or_output_is_a_retryable_cluster_error() -> None:
    with pytest.raises(ClusterError) as info:
        read_exec(FakeStream([[None]]), "my-first-pod", 10)
    assert info.value.retryable and info.value.reason == "stream"
    assert "no output and no exit status" in info.value.message


def test_close_without_status_after_some_output_is_marked_incomplete() -> None:
    result = read_exec(FakeStream([[(STDOUT_CHANNEL, "<ht")], [None]]), "my-first-pod", 10)
    assert result == ExecResult("<ht", "", None, complete=False)


def test_stream_still_open_at_the_deadline_is_a_retryable_timeout() -> None:
    now = [0.0]

    def clock() -> float:
        now[0] += 1.0
        return now[0]

    with pytest.raises(ClusterError) as info:
        read_exec(FakeStream([[]] * 100), "my-first-pod", 5, clock=clock)
    assert info.value.retryable and info.value.reason == "timeout"


STEP = """\
id: step-01
title: {zh: 一, en: One}
checks:
  - id: exec
    kind: exec_output
    pod: web
    command: [cat, /usr/share/nginx/html/index.html]
    pattern: "<h1>"
    title: {zh: 页面, en: Page}
"""
COMMAND = ("cat", "/usr/share/nginx/html/index.html")


class FlakyCluster(FakeCluster):
    """Answers the exec with `answers` in turn, then with the page."""

    def __init__(self, answers: list[ExecResult | Exception]) -> None:
        super().__init__({"Pod": [pod("web")]})
        self.answers = answers

    def exec(self, namespace: str, pod: str, container: str | None, command: list[str],
             timeout: float) -> ExecResult:
        self.calls.append(("exec", namespace, pod, container, tuple(command)))
        if self.answers:
            answer = self.answers.pop(0)
            if isinstance(answer, Exception):
                raise answer
            return answer
        return ExecResult(HTML, "", 0)


def grade(tmp_path: Path, cluster: FakeCluster, wait: float | None) -> tuple[Outcome, int, float]:
    lab = load_lab(make_lab(tmp_path, STEP, LAB))
    clock = Clock()
    result = run_lab(lab, ["step-01"], cluster, RunOptions(namespace="default", wait=wait),
                     clock=clock, sleep=clock.sleep)
    check = result.checks[0]
    return check.outcome, check.attempts, clock.now


EMPTY_CLOSE = ClusterError("stream", "exec in pod web: the stream ended with no output and no exit status",
                           retryable=True)


@pytest.mark.parametrize("wait", [0.0, None])
@pytest.mark.parametrize("answers", [
    [EMPTY_CLOSE],
    [EMPTY_CLOSE, EMPTY_CLOSE],
    [ExecResult("", "", None)],
    [ExecResult("<ht", "", None, complete=False)],
])
def test_a_correct_learner_passes_when_the_cluster_answers_on_a_later_look(
        tmp_path: Path, answers: list[ExecResult | Exception], wait: float | None) -> None:
    outcome, attempts, _ = grade(tmp_path, FlakyCluster(list(answers)), wait)
    assert outcome is Outcome.PASSED and attempts == len(answers) + 1


def test_a_cluster_that_never_answers_is_an_ungraded_error_never_failed(tmp_path: Path) -> None:
    cluster = FlakyCluster([EMPTY_CLOSE] * 50)
    outcome, attempts, now = grade(tmp_path, cluster, 0.0)
    assert outcome is Outcome.ERROR and attempts == 3 and now < 2  # a few quick looks, then it stands


def test_a_stream_that_times_out_is_not_asked_again_past_the_wait(tmp_path: Path) -> None:
    """A look that spent its time waiting already used the wait: --wait 0 stays one look."""
    lab = load_lab(make_lab(tmp_path, STEP, LAB))
    clock = Clock()
    slow = ClusterError("timeout", "exec in pod web: no answer within 10s", retryable=True)

    class Slow(FlakyCluster):
        def exec(self, namespace: str, pod: str, container: str | None, command: list[str],
                 timeout: float) -> ExecResult:
            clock.now += 10
            raise slow

    result = run_lab(lab, ["step-01"], Slow([]), RunOptions(namespace="default", wait=0),
                     clock=clock, sleep=clock.sleep)
    assert result.checks[0].outcome is Outcome.ERROR and result.checks[0].attempts == 1

from pathlib import Path

from labcheck.core.i18n import Text
from labcheck.core.results import ExitCode, Outcome
from labcheck.errors import ClusterError
from labcheck.loader import load_lab
from labcheck.runner import RunOptions, run_lab
from tests.unit.fakes import FakeCluster, node, pod
from tests.unit.test_loader import STEP, make_lab


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.01)


def run(tmp_path: Path, cluster: FakeCluster | None, wait: float | None = None, problem: Text | None = None):  # type: ignore[no-untyped-def]
    lab = load_lab(make_lab(tmp_path))
    clock = Clock()
    result = run_lab(lab, ["step-01"], cluster, RunOptions(namespace="default", wait=wait),
                     cluster_problem=problem, clock=clock, sleep=clock.sleep)
    return result, clock


def outcomes(result) -> dict[str, Outcome]:  # type: ignore[no-untyped-def]
    return {c.check_id: c.outcome for c in result.checks}


def test_all_pass_in_one_round(tmp_path: Path) -> None:
    cluster = FakeCluster({"Node": [node()], "Pod": [pod("web")]})
    result, clock = run(tmp_path, cluster)
    assert outcomes(result) == {"nodes": Outcome.PASSED, "pod": Outcome.PASSED}
    assert result.exit_code is ExitCode.OK and result.percent == 100
    assert clock.now == 0.0  # no sleeping when a single look is enough
    assert cluster.calls.count(("list", "Pod", "default")) == 1
    assert result.steps[0].file.endswith("/step-01.yaml")  # JUnit's testsuite@file


def test_polls_until_timeout_and_reports_last_seen(tmp_path: Path) -> None:
    cluster = FakeCluster({"Node": [node()]})
    result, clock = run(tmp_path, cluster)
    assert outcomes(result)["pod"] is Outcome.PENDING
    assert 30 <= clock.now < 32  # the default timeout
    assert result.checks[1].attempts >= 30
    assert result.exit_code is ExitCode.CHECKS_FAILED


def test_wait_zero_is_one_look(tmp_path: Path) -> None:
    cluster = FakeCluster({"Node": [node()]})
    result, clock = run(tmp_path, cluster, wait=0)
    assert clock.now == 0.0 and result.checks[1].attempts == 1


def test_dependency_failure_skips(tmp_path: Path) -> None:
    cluster = FakeCluster({"Node": [], "Pod": [pod("web")]})
    result, _ = run(tmp_path, cluster, wait=0)
    assert outcomes(result) == {"nodes": Outcome.FAILED, "pod": Outcome.SKIPPED}
    assert result.checks[1].graded and result.score == 0 and result.max_score == 2


def test_forbidden_is_ungraded_error_and_skips_dependents_ungraded(tmp_path: Path) -> None:
    cluster = FakeCluster({"Pod": [pod("web")]})
    cluster.errors["Node"] = ClusterError("forbidden", "list nodes: forbidden")
    result, clock = run(tmp_path, cluster)
    assert outcomes(result) == {"nodes": Outcome.ERROR, "pod": Outcome.SKIPPED}
    assert "forbidden" in result.checks[0].message.en
    assert not result.checks[0].graded and not result.checks[1].graded
    assert result.max_score == 0 and result.ungraded_points == 2
    assert result.exit_code is ExitCode.USAGE_ERROR and clock.now == 0.0


def test_no_cluster_gives_errors_with_the_reason(tmp_path: Path) -> None:
    problem = Text.same("cannot reach the cluster")
    result, _ = run(tmp_path, None, problem=problem)
    assert outcomes(result)["nodes"] is Outcome.ERROR
    assert result.checks[0].message == problem and result.exit_code is ExitCode.USAGE_ERROR


def test_bug_in_a_check_is_internal_error(tmp_path: Path) -> None:
    cluster = FakeCluster({"Node": [{"bad": "data"}], "Pod": [pod("web")]})
    result, _ = run(tmp_path, cluster, wait=0)
    assert result.checks[0].outcome is Outcome.ERROR and result.checks[0].internal
    assert result.exit_code is ExitCode.INTERNAL_ERROR


def test_time_limit_keeps_the_last_look_and_never_runs_over(tmp_path: Path) -> None:
    """--timeout: a pending check keeps what it last saw; the run ends at the limit, not later."""
    cluster = FakeCluster({"Node": [node()]})  # the Pod never comes
    lab = load_lab(make_lab(tmp_path))
    clock = Clock()
    result = run_lab(lab, ["step-01"], cluster, RunOptions(namespace="default", time_limit=3.0),
                     clock=clock, sleep=clock.sleep)
    assert outcomes(result) == {"nodes": Outcome.PASSED, "pod": Outcome.PENDING}
    assert clock.now <= 3.0 + 1.0  # at most one interval past the limit, never the lab's 30 s
    assert all(c.graded for c in result.checks)


def test_time_limit_before_the_first_look_is_an_ungraded_error(tmp_path: Path) -> None:
    cluster = FakeCluster({"Node": [node()], "Pod": [pod("web")]})
    lab = load_lab(make_lab(tmp_path))
    clock = Clock()
    result = run_lab(lab, ["step-01"], cluster, RunOptions(namespace="default", time_limit=1.0, time_spent=2.0),
                     clock=clock, sleep=clock.sleep)
    assert outcomes(result)["nodes"] is Outcome.ERROR  # and what depends on it is skipped
    assert not any(c.graded for c in result.checks) and result.exit_code is ExitCode.USAGE_ERROR
    assert "time limit" in result.checks[0].message.en


class CountingClock(Clock):
    def __init__(self) -> None:
        super().__init__()
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(seconds, 0.0)  # a zero sleep takes no time: a busy loop would spin here
        if len(self.sleeps) > 1000:
            raise AssertionError(f"busy waiting: {len(self.sleeps)} sleeps, the last ones {self.sleeps[-5:]}")


def test_no_busy_waiting_while_a_check_others_depend_on_is_still_polling(tmp_path: Path) -> None:
    """The Pod never comes; `pod` polls for 5 s (1 s apart) and `later` depends on it: about one
    sleep per interval, none of them a spin, and one look per interval."""
    step = STEP.replace("    depends_on: [nodes]\n", "") + (
        "  - id: later\n    kind: pod_state\n    name: other\n    title: {zh: 后, en: Later}\n"
        "    depends_on: [pod]\n")
    lab = load_lab(make_lab(tmp_path, step))
    clock = CountingClock()
    cluster = FakeCluster({"Node": [node()]})
    result = run_lab(lab, ["step-01"], cluster, RunOptions(namespace="default", wait=5), clock=clock,
                     sleep=clock.sleep)
    assert outcomes(result) == {"nodes": Outcome.PASSED, "pod": Outcome.PENDING, "later": Outcome.SKIPPED}
    assert len(clock.sleeps) <= 7, clock.sleeps
    assert sum(1 for s in clock.sleeps if s <= 0) <= 1, clock.sleeps
    assert result.checks[1].attempts <= 7

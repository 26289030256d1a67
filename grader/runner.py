"""Run a lab's checks: poll each until it passes or its timeout, in dependency order.

All checks of a run are evaluated round by round, and every round shares one list per kind
per namespace, so ten checks on one Pod cost one request per round.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from labcheck import __version__
from labcheck.cached import CachedCluster, NoCluster, tracked
from labcheck.checks import EVALUATORS
from labcheck.checks.base import CheckSpec, ClusterReader, EvalContext
from labcheck.core.answers import HttpResult
from labcheck.core.i18n import Text, msg
from labcheck.core.record import dataclass, field
from labcheck.core.results import CheckResult, Finding, Outcome, RunResult, StepResult
from labcheck.errors import ClusterError
from labcheck.graph import topological_order
from labcheck.spec import Lab


@dataclass(frozen=True)
class RunOptions:
    namespace: str
    files_dir: Path = Path(".")
    wait: float | None = None  # caps every check's timeout; 0 = one look
    watch: float | None = None  # --watch: every check keeps looking this long (until it passes)
    context: str = ""
    cluster_name: str = ""
    http_get: Callable[[str, float], HttpResult] | None = None
    time_limit: float | None = None  # --timeout: seconds for the whole run, whatever the checks say
    time_spent: float = 0.0  # seconds of that limit already used before run_lab (connecting)
    note: Callable[[Text], None] | None = None  # says once that watching fell back to polling


@dataclass
class _State:
    step_id: str
    spec: CheckSpec
    deadline: float
    interval: float
    finding: Finding | None = None
    final: bool = False
    graded: bool = True
    attempts: int = 0
    retryable: bool = False
    started: float = 0.0
    finished: float = 0.0
    next_look: float = 0.0
    deps: list[_State] = field(default_factory=list)
    reads: frozenset[tuple[str, str | None]] = frozenset()  # the lists its last look read
    requested: bool = True  # its last look asked for logs, exec or HTTP (re-run on its interval)


def _evaluate(spec: CheckSpec, ctx: EvalContext) -> tuple[Finding, bool]:
    """A finding, and whether an error is worth another look."""
    try:
        finding: Finding = EVALUATORS[spec.kind](spec, ctx)  # type: ignore[attr-defined]
        # An error a check reports itself (e.g. nothing answered on the NodePort yet) may clear up:
        # kube-proxy can take a moment to open a new port. Look again until the deadline.
        return finding, finding.outcome is Outcome.ERROR
    except ClusterError as exc:
        text = exc.text or msg("run.cluster_error", reason=exc.reason, message=exc.message)
        return Finding(Outcome.ERROR, text, actual={"error": msg(f"value.error.{exc.reason}")}), exc.retryable
    except Exception as exc:  # a bug in a check must not take the whole report down
        return Finding(Outcome.ERROR, msg("run.internal", error=f"{type(exc).__name__}: {exc}"),
                       internal=True), False


ProgressFn = Callable[[float, list[tuple[str, CheckSpec, Finding | None]]], None]


def run_lab(lab: Lab, step_ids: list[str], cluster: ClusterReader | None, options: RunOptions,
            cluster_problem: Text | None = None, progress: ProgressFn | None = None,
            clock: Callable[[], float] = time.monotonic,
            sleep: Callable[[float], None] = time.sleep) -> RunResult:
    started_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    start = clock()
    # --watch on a real API server: watched lists; a check looks again when what it read changed
    watched = getattr(cluster, "watch_hub", None) if options.watch is not None else None
    hub = watched(options.note) if watched is not None else None
    cached = CachedCluster(cluster, hub) if cluster is not None else None
    ctx = EvalContext(cluster=cached or NoCluster(), namespace=options.namespace,
                      files_dir=options.files_dir, http_get=tracked(options.http_get, cached))

    ctx.extra["lab_names"] = frozenset(  # what checks/nearby.py never calls a typo
        str(value) for s in lab.steps.values() for c in s.checks
        for value in (getattr(c, f, None) for f in ("name", "service", "pod", "selects_pod")) if value
    ) | {c.id for s in lab.steps.values() for c in s.checks if getattr(c, "kind", "") == "quiz"}
    defaults = lab.spec.defaults
    limit = options.time_limit
    run_end = start + limit - options.time_spent if limit is not None else float("inf")
    order: list[_State] = []
    for step_id in step_ids:
        step = lab.step(step_id)
        by_id: dict[str, _State] = {}
        specs = {c.id: c for c in step.checks}
        for check_id in topological_order(step):
            spec = specs[check_id]
            timeout = spec.timeout if spec.timeout is not None else defaults.timeout
            if options.watch is not None:
                timeout = options.watch
            elif options.wait is not None:
                timeout = min(timeout, options.wait)
            if spec.needs_cluster:  # a local file (a quiz) is read at once, whatever --timeout says
                timeout = max(0.0, min(timeout, run_end - start))
            state = _State(step_id, spec, start + timeout, spec.interval or defaults.interval)
            state.deps = [by_id[d] for d in spec.depends_on]
            by_id[check_id] = state
            order.append(state)

    seen = 0  # the watches' version the checks last looked at
    while True:
        if cached is not None:
            cached.refresh()
        if hub is not None:
            seen = _look_again(order, hub, seen)
        for state in order:
            if state.final:
                continue
            over = state.spec.needs_cluster and clock() >= run_end
            if over and state.finding is not None:  # the last look stands
                _out_of_time(state, limit or 0, clock())
                continue
            if clock() < state.next_look:
                continue
            if any(not d.final for d in state.deps):
                continue
            blocking = [d for d in state.deps if d.finding is None or d.finding.outcome is not Outcome.PASSED]
            if not state.started:
                state.started = clock()
            if blocking:
                state.final, state.finished = True, clock()
                state.graded = all(d.graded and d.finding and d.finding.outcome is not Outcome.ERROR
                                   for d in blocking)
                state.finding = Finding(Outcome.SKIPPED, msg("run.skipped", deps=", ".join(
                    d.spec.id for d in blocking)))
                continue
            if state.spec.needs_cluster and cached is None:
                state.finding = Finding(Outcome.ERROR, cluster_problem or msg("run.no_cluster"))
                state.final, state.graded, state.finished = True, False, clock()
                continue
            if over:
                _out_of_time(state, limit or 0, clock())
                continue
            ctx.extra["step"] = state.step_id  # for hints that name the command to run
            if cached is not None:
                cached.begin()
            looked = clock()
            state.finding, state.retryable = _evaluate(state.spec, ctx)
            if cached is not None:
                state.reads, state.requested = frozenset(cached.reads), cached.requested
            state.attempts += 1
            now = clock()
            # watched: a check that only read lists looks again when they change (or at its deadline)
            state.next_look = now + state.interval if hub is None or state.requested else state.deadline
            outcome = state.finding.outcome
            if _answer_again(state, now - looked, now, run_end):
                state.next_look = now + RETRY_DELAY
            elif (outcome is Outcome.PASSED or not state.spec.polls or now >= state.deadline
                    or state.finding.internal or (outcome is Outcome.ERROR and not state.retryable)):
                state.final, state.finished = True, now
                state.graded = outcome is not Outcome.ERROR
        waiting = [s for s in order if not s.final]
        if not waiting:
            break
        if progress is not None:
            progress(clock() - start, [(s.step_id, s.spec, s.finding) for s in waiting])
        # A check waiting on another's verdict has no look of its own due: only the checks that can
        # look decide when to wake (else a dependant's next_look of 0 would spin the loop).
        wake = min((s.next_look for s in waiting if all(d.final for d in s.deps)), default=run_end)
        if hub is not None:
            hub.wait(seen, max(0.0, min(wake, run_end) - clock()))
        else:
            sleep(max(0.0, min(wake, run_end) - clock()))
    if hub is not None:
        hub.close()

    steps = []
    for step_id in step_ids:
        step = lab.step(step_id)
        states = {s.spec.id: s for s in order if s.step_id == step_id}
        steps.append(StepResult(step_id, step.title, tuple(
            _record(states[c.id], start) for c in step.checks), file=lab.step_file(step_id)))
    return RunResult(
        lab_id=lab.id, lab_title=lab.spec.title, steps=tuple(steps),
        pass_threshold=lab.spec.pass_threshold, context=options.context,
        cluster=options.cluster_name, namespace=options.namespace, labcheck_version=__version__,
        started_at=started_at, duration_s=round(clock() - start, 3), cluster_problem=cluster_problem,
    )


def _look_again(order: list[_State], hub: Any, seen: int) -> int:
    """Checks whose lists changed since `seen` are due now; the version they will see."""
    version: int = hub.version
    changed = hub.changed_since(seen)
    for state in order:
        if not state.final and state.reads & changed:
            state.next_look = 0.0
    return version


RETRY_LOOKS, RETRY_DELAY, QUICK_LOOK = 3, 0.5, 2.0


def _answer_again(state: _State, took: float, now: float, run_end: float) -> bool:
    """A cluster that did not answer at once (an exec stream closed empty under load) is asked again
    a few times even past the check's wait (--wait 0 included): its error is not the learner's.
    A look that spent its time waiting (a timeout) is not repeated beyond the wait."""
    finding = state.finding
    return (finding is not None and finding.outcome is Outcome.ERROR and state.retryable
            and not finding.internal and state.spec.needs_cluster and now < run_end
            and took < QUICK_LOOK and state.attempts < RETRY_LOOKS
            and (now >= state.deadline or not state.spec.polls))


def _out_of_time(state: _State, limit: float, now: float) -> None:
    """The run's time limit is over: the last look stands; a check never looked at is ungraded."""
    if state.finding is None:
        state.finding = Finding(Outcome.ERROR, msg("run.time_limit", seconds=f"{limit:g}"),
                                actual={"error": msg("value.error.timeout")})
        state.started = state.started or now
    state.final, state.finished = True, now
    state.graded = state.finding.outcome is not Outcome.ERROR


def _record(state: _State, run_start: float) -> CheckResult:
    finding = state.finding
    assert finding is not None
    spec = state.spec
    return CheckResult(
        step_id=state.step_id, check_id=spec.id, kind=spec.kind,  # type: ignore[attr-defined]
        title=spec.title, hint=finding.hint or spec.hint, points=spec.points, outcome=finding.outcome,
        message=finding.message, expected=dict(finding.expected), actual=dict(finding.actual),
        evidence=dict(finding.evidence), graded=state.graded, internal=finding.internal,
        attempts=state.attempts, duration_s=round(max(0.0, state.finished - state.started), 3),
        visibility=spec.visibility, offset_s=round(max(0.0, state.started - run_start), 3),
    )

"""One `labcheck check`: load the lab, reach the cluster, run, report, pick the exit code."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from labcheck.core.i18n import Lang, Text, msg, tr
from labcheck.core.record import dataclass, replace
from labcheck.core.results import ExitCode, RunResult
from labcheck.errors import ClusterError, LabcheckError
from labcheck.spec import Lab

if TYPE_CHECKING:
    from labcheck.core.answers import HttpResult


@dataclass(frozen=True)
class CheckRequest:
    steps: list[str]
    all_steps: bool
    lab: str
    kubeconfig: str | None
    context: str | None
    namespace: str | None
    output: str
    junit_xml: str | None
    json_report: str | None
    lang: Lang
    wait: float | None
    files_dir: Path
    color: bool
    watch: float | None = None
    verbose: bool = False
    receipt: str | None = None
    timeout: float | None = None  # the whole run, seconds
    results_format: str | None = None  # gradescope | prairielearn | classroom: that host's results
    results_file: str | None = None  # where they go (else stdout, instead of the report)
    progress: bool = True  # read and write the learner's progress file (grader/progress.py)


def resolve_steps(lab: Lab, steps: list[str], all_steps: bool) -> list[str]:
    if all_steps or not steps:
        if not all_steps:
            raise LabcheckError("name a step (e.g. labcheck step-02) or use --all; "
                                f"steps: {', '.join(lab.spec.steps)}")
        return list(lab.spec.steps)
    for step in steps:
        if step not in lab.steps:
            raise LabcheckError(tr("cli.unknown_step", "en", step=step, lab=lab.id,
                                   steps=", ".join(lab.spec.steps)))
    return list(dict.fromkeys(steps))


@dataclass
class Connection:
    cluster: object | None
    context: str
    cluster_name: str
    namespace: str
    problem: Text | None
    identity: dict[str, str]


def open_cluster(kubeconfig: str | None, context: str | None, namespace: str | None,
                 default_namespace: str, deadline: float | None = None) -> Connection:
    """Connect and make one cheap request; a cluster that can't be used becomes `problem`.
    With `deadline` (time.monotonic()) no request of this run goes past it."""
    from labcheck.kube import connect

    try:
        cluster, target = connect(kubeconfig, context)
        if deadline is not None:
            cluster.deadline = deadline
    except ClusterError as exc:
        return Connection(None, context or "", "", namespace or default_namespace,
                          msg("cluster.config", message=exc.message), {})
    ns = namespace or target.namespace or default_namespace
    return checked_connection(cluster, target, ns, lambda: cluster.namespace_exists(ns))


def checked_connection(reader: Any, target: Any, ns: str,
                       namespace_exists: Callable[[], bool | None]) -> Connection:
    """The connection if the namespace can be read; else the one-line problem that makes every
    check `error`. One cheap request proves the server answers (a 403 answers too)."""
    try:
        exists = namespace_exists()
    except ClusterError as exc:
        if exc.text is not None and exc.text.key == "run.time_limit":  # --timeout, not the cluster
            return Connection(None, target.context, target.cluster, ns, exc.text, {})
        return Connection(None, target.context, target.cluster, ns,
                          msg("cluster.unreachable", context=target.context, server=target.server,
                              message=exc.message), {})
    if exists is False:
        return Connection(None, target.context, target.cluster, ns,
                          msg("cluster.no_namespace", namespace=ns, context=target.context), {})
    return Connection(reader, target.context, target.cluster, ns, None, {"server": target.server})


Opener = Callable[[str | None, str | None, str | None, str, float | None], Connection]


def _progress(lang: Lang, always: bool = False) -> Any:
    """A one-line live view on a terminal; with --watch, also one line per change when piped."""
    tty = sys.stderr.isatty()
    if not tty and not always:
        return None
    last: list[str] = [""]

    def show(elapsed: float, waiting: list[Any]) -> None:
        visible = [w for w in waiting if w[1].visibility == "visible"]  # never a hidden check's title
        first = visible[0][1].title.get(lang) if visible else ""
        line = tr("cli.waiting", lang, elapsed=int(elapsed), count=len(waiting), first=first)
        if tty:
            sys.stderr.write("\r\033[K" + line[:200])
        elif line.split(":", 1)[-1] != last[0]:  # piped: only when what is missing changes
            sys.stderr.write(line[:200] + "\n")
            last[0] = line.split(":", 1)[-1]
        sys.stderr.flush()

    return show


def grade(lab: Lab, step_ids: list[str], *, kubeconfig: str | None, context: str | None,
          namespace: str | None, files_dir: Path, wait: float | None,
          watch: float | None = None, progress: Any = None, timeout: float | None = None,
          opener: Opener | None = None, note: Callable[[Text], None] | None = None) -> RunResult:
    """Grade steps of one target (a cluster + namespace); never raises for cluster problems.

    `timeout` bounds the whole run: no request outlives it, and checks still unfinished then
    keep their last look (or end as `error`, ungraded, if they never had one). `opener` stands in
    for open_cluster (batch grading shares connections and lists: grader/batch/shared.py)."""
    from labcheck.runner import RunOptions, run_lab

    if timeout is not None and timeout <= 0:
        timeout = None  # --timeout 0: no limit (as coreutils' `timeout 0`)
    began = time.monotonic()
    deadline = began + timeout if timeout is not None else None
    needs_cluster = any(c.needs_cluster for s in step_ids for c in lab.step(s).checks)
    conn = Connection(None, context or "", "", namespace or lab.spec.defaults.namespace, None, {})
    if needs_cluster:
        conn = (opener or open_cluster)(kubeconfig, context, namespace, lab.spec.defaults.namespace, deadline)
        if timeout is not None and hasattr(conn.cluster, "time_limit"):
            conn.cluster.time_limit = timeout  # what the learner gave, for messages

    def get(url: str, seconds: float) -> HttpResult:  # plain HTTP never outlives the run either
        from labcheck.kube.http import http_get  # here: a quiz step imports no network code

        if deadline is not None:
            seconds = max(0.1, min(seconds, deadline - time.monotonic()))
        return http_get(url, seconds)

    options = RunOptions(namespace=conn.namespace, files_dir=files_dir, wait=wait, watch=watch,
                         context=conn.context, cluster_name=conn.cluster_name, http_get=get,
                         time_limit=timeout, time_spent=time.monotonic() - began, note=note)
    result = run_lab(lab, step_ids, conn.cluster, options,  # type: ignore[arg-type]
                     cluster_problem=conn.problem, progress=progress)
    return replace(result, scenario_digest=lab.digest())


def autograder_results(result: RunResult, host: str, lang: Lang) -> str:
    import json

    from labcheck.autograders import classroom_result, gradescope_results, prairielearn_results

    make = {"gradescope": gradescope_results, "prairielearn": prairielearn_results,
            "classroom": classroom_result}
    data = make[host](result, lang)
    return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


_REPORTER_MODULES = {"text": "labcheck.reporters.text", "json": "labcheck.reporters.json_report",
                     "junit": "labcheck.reporters.junit", "markdown": "labcheck.reporters.markdown"}


def run_check(request: CheckRequest) -> ExitCode:
    from labcheck.core.visibility import student_view
    from labcheck.files import prepare_output, write_output
    from labcheck.loader import load_lab
    from labcheck.reporters import REPORTERS, ReportOptions

    lab = load_lab(request.lab, cache=True)
    step_ids = resolve_steps(lab, request.steps, request.all_steps)
    outputs = {"--junit-xml": request.junit_xml, "--json-report": request.json_report,
               "--receipt": request.receipt}
    for option, path in outputs.items():
        if path:
            prepare_output(path, option)  # a path that cannot be written: exit 2 before grading
    progress = _progress(request.lang, always=request.watch is not None)
    if request.watch is not None:  # imported while nothing happens, not after the change (~20 ms)
        import importlib

        importlib.import_module(_REPORTER_MODULES[request.output])
        lab.digest()
    result = grade(lab, step_ids, kubeconfig=request.kubeconfig, context=request.context,
                   namespace=request.namespace, files_dir=request.files_dir, wait=request.wait,
                   watch=request.watch, progress=progress, timeout=request.timeout,
                   note=lambda text: print(f"labcheck: {text.get(request.lang)}", file=sys.stderr))
    if progress is not None and sys.stderr.isatty():
        sys.stderr.write("\r\033[K")
    if request.progress:  # the learner's own run only: grade() and batch grading never read it
        from labcheck.progress import cluster_of, remember

        needs_cluster = any(c.needs_cluster for s in step_ids for c in lab.step(s).checks)
        server, uid = cluster_of(request.kubeconfig, request.context) if needs_cluster else ("", "")
        result = remember(result, server, uid)
    report = ReportOptions(lang=request.lang, color=request.color, verbose=request.verbose)
    shown = student_view(result)  # reports never show hidden checks
    if request.results_format is not None:  # hidden checks: by the host's visibility, or redacted
        results = autograder_results(result, request.results_format, request.lang)
        if request.results_file:
            from labcheck.files import write_text

            try:
                write_text(Path(request.results_file), results)
            except OSError as exc:
                raise LabcheckError(f"{request.results_file}: cannot write: {exc.strerror or exc}") from None
        else:
            sys.stdout.write(results)
    if request.results_format is None or request.results_file:
        sys.stdout.write(REPORTERS[request.output](shown, report))
    if request.junit_xml:
        write_output(request.junit_xml, REPORTERS["junit"](shown, report), "--junit-xml")
    if request.json_report:
        write_output(request.json_report, REPORTERS["json"](shown, report), "--json-report")
    if request.receipt:  # all checks: the instructor's `collect` grades hidden ones from it too
        from labcheck.receipts import write_receipt

        try:
            write_receipt(request.receipt, result, lab, kubeconfig=request.kubeconfig,
                          context=request.context)
        except OSError as exc:
            raise LabcheckError(f"--receipt {request.receipt}: cannot write: "
                                f"{exc.strerror or type(exc).__name__}") from None
    if result.cluster_problem is not None:
        sys.stderr.write(f"labcheck: {result.cluster_problem.get(request.lang)}\n"
                         f"{tr('cluster.hint', request.lang)}\n")
    # a bug in a hidden check still says so (exit 3); otherwise the exit code matches what is shown
    return result.exit_code if result.exit_code is ExitCode.INTERNAL_ERROR else shown.exit_code

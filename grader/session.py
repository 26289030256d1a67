"""One `labcheck check`: load the lab, reach the cluster, run, report, pick the exit code."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from grader.errors import ClusterError, LabcheckError
from grader.i18n import Lang, Text, msg, tr
from grader.results import ExitCode, RunResult
from grader.spec import Lab


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
                 default_namespace: str) -> Connection:
    """Connect and make one cheap request; a cluster that can't be used becomes `problem`."""
    from grader.kube import connect

    try:
        cluster, target = connect(kubeconfig, context)
    except ClusterError as exc:
        return Connection(None, context or "", "", namespace or default_namespace,
                          msg("cluster.config", message=exc.message), {})
    ns = namespace or target.namespace or default_namespace
    try:
        cluster.version()
        exists = cluster.namespace_exists(ns)
    except ClusterError as exc:
        return Connection(None, target.context, target.cluster, ns,
                          msg("cluster.unreachable", context=target.context, server=target.server,
                              message=exc.message), {})
    if exists is False:
        return Connection(None, target.context, target.cluster, ns,
                          msg("cluster.no_namespace", namespace=ns, context=target.context), {})
    return Connection(cluster, target.context, target.cluster, ns, None, {"server": target.server})


def _progress(lang: Lang):  # type: ignore[no-untyped-def]
    if not sys.stderr.isatty():
        return None

    def show(elapsed: float, waiting: list) -> None:  # type: ignore[type-arg]
        first = waiting[0][1].title.get(lang) if waiting else ""
        line = tr("cli.waiting", lang, elapsed=int(elapsed), count=len(waiting), first=first)
        sys.stderr.write("\r\033[K" + line[:200])
        sys.stderr.flush()

    return show


def run_check(request: CheckRequest) -> ExitCode:
    from grader.loader import load_lab
    from grader.net import http_get
    from grader.reporters import REPORTERS, ReportOptions
    from grader.runner import RunOptions, run_lab

    lab = load_lab(request.lab)
    step_ids = resolve_steps(lab, request.steps, request.all_steps)
    needs_cluster = any(c.needs_cluster for s in step_ids for c in lab.step(s).checks)
    conn = Connection(None, request.context or "", "", request.namespace or
                      lab.spec.defaults.namespace, None, {})
    if needs_cluster:
        conn = open_cluster(request.kubeconfig, request.context, request.namespace,
                            lab.spec.defaults.namespace)
    options = RunOptions(namespace=conn.namespace, files_dir=request.files_dir, wait=request.wait,
                         context=conn.context, cluster_name=conn.cluster_name, http_get=http_get)
    progress = _progress(request.lang)
    result: RunResult = run_lab(lab, step_ids, conn.cluster, options,  # type: ignore[arg-type]
                                cluster_problem=conn.problem, progress=progress)
    if progress is not None:
        sys.stderr.write("\r\033[K")
    report = ReportOptions(lang=request.lang, color=request.color)
    sys.stdout.write(REPORTERS[request.output](result, report))
    if request.junit_xml:
        Path(request.junit_xml).write_text(REPORTERS["junit"](result, report), encoding="utf-8")
    if request.json_report:
        Path(request.json_report).write_text(REPORTERS["json"](result, report), encoding="utf-8")
    if conn.problem is not None:
        sys.stderr.write(f"labcheck: {conn.problem.get(request.lang)}\n"
                         f"{tr('cluster.hint', request.lang)}\n")
    return result.exit_code

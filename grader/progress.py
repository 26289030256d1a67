"""A learner's progress, kept on their machine so that it survives the lab's own clean-up.

Step 7 deletes what steps 4-6 graded; a learner's score must not go backwards for it. Every
`labcheck check` records, per check that passed, when and on what evidence (object uids), with the
cluster, namespace, lab and scenario digest, in one JSON file per cluster + namespace + lab under
the XDG state folder. A later run shows a check that is *not done* now but passed earlier as
"passed earlier", counted, and marked as remembered; a check the cluster shows done *wrong* now
(the object is back, but different) keeps today's verdict. Only the learner's own `check` reads the
file: an instructor's `grade` never does (grader/batch never imports this module).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
from pathlib import Path
from typing import Any

from labcheck.core.i18n import Lang, msg, register_messages, tr
from labcheck.core.record import replace
from labcheck.core.results import CheckResult, Outcome, RunResult, StepResult
from labcheck.core.sha import sha256
from labcheck.files import write_json

PROGRESS_FORMAT = "labcheck-progress/1"

register_messages({
    "progress.remembered": {
        "en": "passed earlier ({when}), objects since deleted (remembered in your progress file; "
              "`labcheck progress` shows it)",
        "zh": "此前已通过（{when}），相关对象此后已删除（记录在本机进度文件中；`labcheck progress` 可查看）",
    },
    "progress.none": {"en": "no progress recorded yet for lab {lab} in namespace {namespace} ({file})",
                      "zh": "实验 {lab} 在命名空间 {namespace} 中还没有进度记录（{file}）"},
    "progress.header": {"en": "progress of lab {lab} in namespace {namespace} on {cluster} ({file}):",
                        "zh": "实验 {lab} 在集群 {cluster} 的命名空间 {namespace} 中的进度（{file}）："},
    "progress.entry": {"en": "  ✓ {step}/{check}  passed {when}", "zh": "  ✓ {step}/{check}  于 {when} 通过"},
    "progress.reset": {"en": "progress cleared: {file}", "zh": "进度已清除：{file}"},
    "progress.stale": {"en": "  (recorded for another version of the lab: not counted)",
                       "zh": "  （记录的是该实验的另一个版本：不计分）"},
})


def state_dir() -> Path:
    """$XDG_STATE_HOME/labcheck/progress, else ~/.local/state/labcheck/progress (the XDG default)."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path("~/.local/state").expanduser())
    return Path(base) / "labcheck" / "progress"


def progress_path(lab_id: str, namespace: str, cluster: str, server: str) -> Path:
    """One file per cluster + namespace + lab: a readable name, and a digest that tells clusters apart."""
    key = sha256(json.dumps([server, cluster, namespace, lab_id]).encode()).hexdigest()[:12]
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{lab_id}-{namespace}")[:80]
    return state_dir() / f"{safe}-{key}.json"


def path_for(result: RunResult, server: str) -> Path:
    return progress_path(result.lab_id, result.namespace, result.cluster, server)


def load(path: Path) -> dict[str, Any]:
    """The progress file, or an empty one when it is missing or unreadable (it is only a memory)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) and data.get("format") == PROGRESS_FORMAT else {}


def _entries(data: dict[str, Any], digest: str) -> dict[str, dict[str, Any]]:
    checks = data.get("checks") if data.get("scenario_digest") == digest else None
    return {str(k): v for k, v in (checks or {}).items() if isinstance(v, dict) and v.get("passed_at")}


def _when(stamp: str) -> str:
    try:
        return dt.datetime.fromisoformat(stamp).astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return stamp


def _remembered(check: CheckResult, entry: dict[str, Any]) -> CheckResult:
    evidence = {str(k): str(v) for k, v in (entry.get("evidence") or {}).items()}
    return replace(check, outcome=Outcome.PASSED, graded=True, hint=None,
                               message=msg("progress.remembered", when=_when(str(entry["passed_at"]))),
                               expected={}, actual={}, evidence=evidence,
                               remembered=str(entry["passed_at"]))


def apply(result: RunResult, data: dict[str, Any]) -> RunResult:
    """Checks not done now (pending, or skipped for it) that passed earlier count as passed, marked
    `remembered`; a failed check (the object is there, and wrong) or an ungraded one keeps its verdict."""
    entries = _entries(data, result.scenario_digest)
    if not entries:
        return result
    steps = []
    for step in result.steps:
        checks = tuple(
            _remembered(c, entries[f"{c.step_id}/{c.check_id}"])
            if c.outcome in (Outcome.PENDING, Outcome.SKIPPED) and c.graded
            and f"{c.step_id}/{c.check_id}" in entries else c
            for c in step.checks)
        steps.append(StepResult(step.step_id, step.title, checks))
    return replace(result, steps=tuple(steps))


def record(result: RunResult, data: dict[str, Any], now: str | None = None,
           server: str = "", uid: str = "") -> dict[str, Any]:
    """The progress after this run: every check that passed on the cluster now (not from memory) is
    stored with its evidence; what passed before stays."""
    stamp = now or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    entries = _entries(data, result.scenario_digest)
    for c in result.checks:
        if c.outcome is Outcome.PASSED and not c.remembered:
            entries[f"{c.step_id}/{c.check_id}"] = {"passed_at": stamp, "evidence": dict(c.evidence)}
    return {
        "format": PROGRESS_FORMAT, "lab": result.lab_id, "namespace": result.namespace,
        "cluster": {"name": result.cluster, "context": result.context, "server": server,
                    "kube_system_uid": uid},
        "scenario_digest": result.scenario_digest, "labcheck_version": result.labcheck_version,
        "updated_at": stamp, "checks": dict(sorted(entries.items())),
    }


def cluster_of(kubeconfig: str | None, context: str | None) -> tuple[str, str]:
    """The API server of the kube context and the cluster's kube-system namespace uid (one GET; ""
    when it cannot be read): a cluster deleted and made again at the same address is another cluster."""
    from labcheck.errors import ClusterError
    from labcheck.kube import connect

    try:
        cluster, target = connect(kubeconfig, context)
    except ClusterError:
        return "", ""
    try:
        namespace = cluster.get_json("/api/v1/namespaces/kube-system", None, "namespace kube-system", 5.0)
    except ClusterError:
        return target.server, ""
    return target.server, str((namespace.get("metadata") or {}).get("uid") or "")


def remember(result: RunResult, server: str, uid: str = "") -> RunResult:
    """`labcheck check` without --no-progress: count what passed earlier, then save what passes now."""
    path = path_for(result, server)
    data = load(path)
    known = str((data.get("cluster") or {}).get("kube_system_uid") or "")
    if uid and known and uid != known:  # the same address, another cluster: what passed there is gone
        data = {}
    shown = apply(result, data)
    if any(c.outcome is Outcome.PASSED and not c.remembered for c in result.checks):
        with contextlib.suppress(OSError):  # a read-only home: grading still works, only memory is lost
            write_json(path, record(result, data, server=server, uid=uid))
    return shown


def show_or_reset(lab_name: str, kubeconfig: str | None, context: str | None, namespace: str | None,
                  lang: Lang, reset: bool) -> str:
    """`labcheck progress [--reset]`: the file of the kube context's cluster and namespace (no request)."""
    from labcheck.errors import ClusterError
    from labcheck.kube import connect
    from labcheck.loader import load_lab

    lab = load_lab(lab_name)
    try:
        target = connect(kubeconfig, context)[1]
        cluster, server, ns = target.cluster, target.server, namespace or target.namespace
    except ClusterError:
        cluster, server, ns = "", "", namespace
    ns = ns or lab.spec.defaults.namespace
    path = progress_path(lab.id, ns, cluster, server)
    if reset:
        path.unlink(missing_ok=True)
        return tr("progress.reset", lang, file=path)
    data = load(path)
    if not data.get("checks"):
        return tr("progress.none", lang, lab=lab.id, namespace=ns, file=path)
    lines = [tr("progress.header", lang, lab=lab.id, namespace=ns, cluster=cluster or "-", file=path)]
    lines += [tr("progress.entry", lang, step=key.split("/")[0], check=key.split("/", 1)[-1],
                 when=_when(str(entry.get("passed_at", ""))))
              for key, entry in sorted((data.get("checks") or {}).items())]
    if data.get("scenario_digest") != lab.digest():
        lines.append(tr("progress.stale", lang))
    return "\n".join(lines)

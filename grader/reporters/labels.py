"""Every word a reporter prints, as message ids in Chinese and English.

Reporters never hard-code learner-facing text: they call `label(...)`/`tr(...)` with an id from
here. Symbols (✓ ✗ … ! ↷) are the same in both languages and live in `SYMBOLS`.
"""

from __future__ import annotations

from labcheck.core.i18n import Lang, register_messages, tr
from labcheck.core.results import CheckResult, Outcome, RunResult

SYMBOLS: dict[Outcome, str] = {
    Outcome.PASSED: "✓",
    Outcome.FAILED: "✗",
    Outcome.PENDING: "…",
    Outcome.ERROR: "!",
    Outcome.SKIPPED: "↷",
}

MESSAGES: dict[str, dict[Lang, str]] = {
    # outcome words
    "report.outcome.passed": {"en": "passed", "zh": "通过"},
    "report.outcome.failed": {"en": "failed", "zh": "未通过"},
    "report.outcome.pending": {"en": "not done yet", "zh": "尚未完成"},
    "report.outcome.error": {"en": "ungraded (cluster error)", "zh": "未评分（集群错误）"},
    "report.outcome.skipped": {"en": "skipped", "zh": "已跳过"},
    # counts per outcome, for the footer
    "report.count.passed": {"en": "{n} passed", "zh": "{n} 项通过"},
    "report.count.failed": {"en": "{n} failed", "zh": "{n} 项未通过"},
    "report.count.pending": {"en": "{n} not done yet", "zh": "{n} 项尚未完成"},
    "report.count.error": {"en": "{n} ungraded", "zh": "{n} 项未评分"},
    "report.count.skipped": {"en": "{n} skipped", "zh": "{n} 项已跳过"},
    # field labels and the "label: value" line around them
    "report.kv": {"en": "{label}: {value}", "zh": "{label}：{value}"},
    "report.expected": {"en": "expected", "zh": "期望"},
    "report.actual": {"en": "actual", "zh": "实际"},
    "report.hint": {"en": "hint", "zh": "提示"},
    "report.evidence": {"en": "evidence", "zh": "证据"},
    "report.message": {"en": "message", "zh": "说明"},
    "report.score": {"en": "score", "zh": "得分"},
    "report.status": {"en": "status", "zh": "状态"},
    "report.check": {"en": "check", "zh": "检查项"},
    "report.points": {"en": "points", "zh": "分数"},
    "report.lab": {"en": "lab", "zh": "实验"},
    "report.step": {"en": "step", "zh": "步骤"},
    "report.context": {"en": "context", "zh": "上下文"},
    "report.cluster": {"en": "cluster", "zh": "集群"},
    "report.namespace": {"en": "namespace", "zh": "命名空间"},
    "report.started": {"en": "started", "zh": "开始时间"},
    "report.not_set": {"en": "(not set)", "zh": "（未设置）"},
    "report.absent": {"en": "(none)", "zh": "（无）"},
    "report.attempts": {"en": "{attempts} look(s) in {seconds}s",
                        "zh": "检查 {attempts} 次，用时 {seconds} 秒"},
    "report.ungraded_mark": {"en": "ungraded", "zh": "未评分"},
    # the summary
    "report.summary": {"en": "{score}/{max} points ({percent}%) — {verdict}",
                       "zh": "{score}/{max} 分（{percent}%）— {verdict}"},
    "report.verdict.passed": {"en": "passed", "zh": "通过"},
    "report.verdict.not_yet": {"en": "not yet", "zh": "尚未通过"},
    "report.threshold": {"en": "passing needs {percent}% of the graded points",
                         "zh": "及格需要已评分部分的 {percent}%"},
    "report.ungraded": {"en": "{points} point(s) ungraded because the cluster could not answer",
                        "zh": "{points} 分未评分，因为集群无法应答"},
    "report.ungraded_reason": {"en": "{points} point(s) ungraded because the cluster could not answer: "
                                     "{reason}",
                               "zh": "{points} 分未评分，因为集群无法应答：{reason}"},
    "report.ungraded_note": {"en": "Ungraded checks never count against you: fix the cluster and run again.",
                             "zh": "未评分的检查不会扣分：请修复集群后重新运行。"},
    "report.ungraded.time": {"en": "{points} point(s) ungraded because the run's time limit (--timeout) "
                                   "was over before they were checked",
                             "zh": "{points} 分未评分，因为在检查之前本次运行的时间上限（--timeout）已到"},
    "report.ungraded.network": {"en": "{points} point(s) ungraded because this machine could not reach the "
                                      "node port (see the hint above)",
                                "zh": "{points} 分未评分，因为本机无法访问节点端口（见上面的提示）"},
    "report.ungraded_note.other": {"en": "Ungraded checks never count against you: run again once that is "
                                         "sorted out.",
                                   "zh": "未评分的检查不会扣分：解决之后重新运行即可。"},
    "report.remembered": {"en": "{n} check(s) passed earlier and count from your progress file "
                                "(labcheck progress; --no-progress grades only what is there now)",
                          "zh": "{n} 项检查此前已通过，按本机进度文件计分"
                                "（labcheck progress 可查看；--no-progress 只按集群当前状态评分）"},
    "report.left": {"en": "still to do: {checks}", "zh": "仍需完成：{checks}"},
    "report.all_done": {"en": "Everything checked passes. Well done!", "zh": "所有检查均已通过，做得好！"},
    "report.no_checks": {"en": "no checks were run", "zh": "没有运行任何检查"},
    "report.hidden": {"en": "{count} hidden check(s), {points} point(s): graded by your instructor",
                      "zh": "{count} 项隐藏检查，共 {points} 分：由老师评分"},
    # JUnit / Markdown only
    "report.junit.case": {"en": "{id}: {title}", "zh": "{id}：{title}"},
    "report.md.title": {"en": "labcheck: {title}", "zh": "labcheck：{title}"},
}

register_messages(MESSAGES)

OUTCOME_IDS: dict[Outcome, str] = {o: f"report.outcome.{o.value}" for o in Outcome}
COUNT_IDS: dict[Outcome, str] = {o: f"report.count.{o.value}" for o in Outcome}


# Why a check is ungraded, by the id of its message: the cluster unless one of these says otherwise.
UNGRADED_CAUSES: dict[str, str] = {
    "run.time_limit": "time",
    "http.unreachable": "network",
    "http.no_addresses": "network",
}


def ungraded_lines(result: RunResult, lang: Lang) -> list[str]:
    """The footer lines on ungraded points: one per cause (the cluster, --timeout, the network path to
    a node port), then a note on what to do. A skipped check counts under its step's first error."""
    causes: dict[str, float] = {}
    for step in result.steps:
        errors = [c for c in step.checks if not c.graded and c.outcome is Outcome.ERROR]
        step_cause = UNGRADED_CAUSES.get(errors[0].message_id, "cluster") if errors else "cluster"
        for c in step.checks:
            if not c.graded:
                cause = (UNGRADED_CAUSES.get(c.message_id, "cluster") if c.outcome is Outcome.ERROR
                         else step_cause)
                causes[cause] = causes.get(cause, 0.0) + c.points
    if result.cluster_problem is not None and not UNGRADED_CAUSES.get(result.cluster_problem.key):
        causes.pop("cluster", None)
        lines = [label("ungraded_reason", lang, points=num(result.ungraded_points - sum(causes.values())),
                       reason=result.cluster_problem.get(lang))]
        lines += [label(f"ungraded.{cause}", lang, points=num(p)) for cause, p in causes.items()]
        return [*lines, label("ungraded_note", lang)]
    if result.cluster_problem is not None:  # e.g. the time limit was over before the first request
        cause = UNGRADED_CAUSES[result.cluster_problem.key]
        causes = {cause: result.ungraded_points}
    lines = [label("ungraded" if cause == "cluster" else f"ungraded.{cause}", lang, points=num(points))
             for cause, points in causes.items() if points]
    note = "ungraded_note" if "cluster" in causes else "ungraded_note.other"
    return [*lines, label(note, lang)] if lines else []


def shows_hint(check: CheckResult) -> bool:
    """The lab's hint is for a check not done (right); an error shows a hint only when labcheck wrote
    it for that very problem (a catalog message: what to try when a node port cannot be reached)."""
    if check.hint is None:
        return False
    return check.outcome in (Outcome.FAILED, Outcome.PENDING) or (
        check.outcome is Outcome.ERROR and bool(check.hint.key))


def label(key: str, lang: Lang, **params: object) -> str:
    """One reporter label (`report.` is prepended when missing)."""
    return tr(key if key.startswith("report.") else f"report.{key}", lang, **params)


def outcome_word(outcome: Outcome, lang: Lang) -> str:
    return tr(OUTCOME_IDS[outcome], lang)


def kv(name: str, value: str, lang: Lang) -> str:
    """`expected: image=nginx` / `期望：image=nginx` (name is a label id)."""
    return tr("report.kv", lang, label=label(name, lang), value=value)


def num(value: float) -> str:
    """Points and seconds as people write them: 2, 1.5, 0.33."""
    rounded = round(float(value), 2)
    if rounded != rounded or rounded in (float("inf"), float("-inf")):
        return "?"
    return f"{rounded:g}" if rounded != 0 else "0"


def percent(value: float) -> str:
    return f"{round(float(value), 1):.1f}".removesuffix(".0")

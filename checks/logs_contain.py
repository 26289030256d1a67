"""logs_contain: a regular expression appears in a container's logs (a bounded tail of them).

No match reads as "not done yet": the log line usually appears once the learner does the
step (opens the app, runs the command), not because something was done wrong.
"""

from __future__ import annotations

import re
from typing import Literal

from labcheck.checks.base import (
    CheckSpec,
    EvalContext,
    being_deleted,
    container_names,
    default_container,
    one_line,
    valid_regex,
)
from labcheck.checks.nearby import where_is
from labcheck.core.i18n import msg, register_messages
from labcheck.core.model import Field, field_validator
from labcheck.core.results import Finding, Outcome

register_messages({
    # what this kind checks, for `labcheck explain` in the learner's language
    "kind.logs_contain": {"en": "A pattern appears in a container's logs.",
                          "zh": "容器日志中出现指定内容。"},
    "logs.no_pod": {"en": "Pod {pod} does not exist yet", "zh": "Pod {pod} 还不存在"},
    "logs.not_started": {
        "en": "Pod {pod} is {phase}: no logs yet",
        "zh": "Pod {pod} 处于 {phase} 状态：还没有日志",
    },
    "logs.no_container": {
        "en": "Pod {pod} has no container {container} (containers: {containers})",
        "zh": "Pod {pod} 中没有容器 {container}（现有容器：{containers}）",
    },
    "logs.empty": {
        "en": "the logs of {target} are empty; waiting for a line matching {pattern}",
        "zh": "{target} 的日志为空；等待出现匹配 {pattern} 的行",
    },
    "logs.no_match": {
        "en": "{count} of the last {lines} log lines of {target} match {pattern} (need {min}); "
              "last line: {last}",
        "zh": "{target} 最近 {lines} 行日志中有 {count} 行匹配 {pattern}（需要 {min} 行）；最后一行：{last}",
    },
    "logs.ok": {
        "en": "{count} log lines of {target} match {pattern}, first: {first}",
        "zh": "{target} 有 {count} 行日志匹配 {pattern}，第一行：{first}",
    },
})


class Spec(CheckSpec):
    kind: Literal["logs_contain"] = Field(description="A regular expression appears in a container's logs.")
    pod: str = Field(description="Pod name.")
    container: str | None = Field(None, description="Container name (default: the Pod's only container).")
    pattern: str = Field(description="Regular expression (Python syntax) searched in each log line.")
    min_matches: int = Field(1, ge=1, le=100_000, description="At least this many lines must match.")
    tail_lines: int = Field(1000, ge=1, le=100_000, description="Read only the last this many lines.")
    limit_bytes: int = Field(1 << 20, ge=1024, le=16 << 20, description="Read at most this many bytes.")

    @field_validator("pattern")
    @classmethod
    def _regex(cls, value: str) -> str:
        return valid_regex(value)


def evaluate(spec: Spec, ctx: EvalContext) -> Finding:
    pod = ctx.get("Pod", spec.pod)
    if pod is None:
        missing = where_is(ctx, "Pod", spec.pod) or msg("logs.no_pod", pod=spec.pod)
        return Finding(Outcome.PENDING, missing, {"pod": spec.pod}, {"pod": "-"})
    evidence = {"uid": str(pod["metadata"].get("uid", ""))}
    deleting = being_deleted("Pod", pod)
    if deleting:
        return deleting
    names = container_names(pod)
    if spec.container is not None and spec.container not in names:
        return Finding(Outcome.FAILED,
                       msg("logs.no_container", pod=spec.pod, container=spec.container,
                           containers=", ".join(names) or "-"),
                       {"container": spec.container}, {"containers": ", ".join(names) or "-"}, evidence)
    phase = str(pod.get("status", {}).get("phase", "Pending"))
    if phase == "Pending":  # the log endpoint answers 400 until a container has started
        return Finding(Outcome.PENDING, msg("logs.not_started", pod=spec.pod, phase=phase),
                       {"phase": "Running"}, {"phase": phase}, evidence)
    container = spec.container or default_container(pod)  # as kubectl picks it
    target = spec.pod + (f"/{container}" if spec.container or len(names) > 1 else "")
    text = ctx.cluster.pod_logs(ctx.namespace, spec.pod, container, spec.tail_lines, spec.limit_bytes)
    lines = text.splitlines()
    rx = re.compile(spec.pattern)
    matches = [line for line in lines if rx.search(line)]
    expected = {"matches": f">= {spec.min_matches}"}
    actual = {"matches": str(len(matches))}
    if not lines:
        return Finding(Outcome.PENDING, msg("logs.empty", target=target, pattern=spec.pattern),
                       expected, actual, evidence)
    if len(matches) < spec.min_matches:
        last = one_line(lines[-1]) or "-"
        return Finding(Outcome.PENDING,
                       msg("logs.no_match", count=len(matches), lines=len(lines), target=target,
                           pattern=spec.pattern, min=spec.min_matches, last=last),
                       expected, {**actual, "last_line": last}, evidence)
    first = one_line(matches[0])
    return Finding(Outcome.PASSED,
                   msg("logs.ok", count=len(matches), target=target, pattern=spec.pattern, first=first),
                   expected, actual, {**evidence, "first_match": first})

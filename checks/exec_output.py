"""exec_output: a command run in the container prints what the step expects.

labcheck runs the command itself, so the check proves the container can be exec'ed into
and shows the expected content, not that the learner once typed it.
"""

from __future__ import annotations

import re
import shlex
from typing import Any, Literal

from labcheck.checks.base import (
    CheckSpec,
    EvalContext,
    being_deleted,
    container_names,
    container_status,
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
    "kind.exec_output": {"en": "A command run in the container prints the expected output.",
                         "zh": "在容器中运行的命令输出预期内容。"},
    "exec.no_pod": {"en": "Pod {pod} does not exist yet", "zh": "Pod {pod} 还不存在"},
    "exec.not_running": {
        "en": "Pod {pod} is {phase}, not Running yet",
        "zh": "Pod {pod} 处于 {phase} 状态，还没有运行",
    },
    "exec.no_container": {
        "en": "Pod {pod} has no container {container} (containers: {containers})",
        "zh": "Pod {pod} 中没有容器 {container}（现有容器：{containers}）",
    },
    "exec.container_not_running": {
        "en": "container {container} of Pod {pod} is not running ({state}, restarted {restarts} times): "
              "there is nothing to run `{command}` in",
        "zh": "Pod {pod} 的容器 {container} 没有在运行（{state}，已重启 {restarts} 次）："
              "无法在其中执行 `{command}`",
    },
    "exec.container_starting": {
        "en": "container {container} of Pod {pod} has not started yet ({state})",
        "zh": "Pod {pod} 的容器 {container} 还没有启动（{state}）",
    },
    "exec.exit_code": {
        "en": "`{command}` in {target} exited with code {code}: {stderr}",
        "zh": "在 {target} 中执行 `{command}` 的退出码为 {code}：{stderr}",
    },
    "exec.no_match": {
        "en": "`{command}` in {target} printed {first}, expected output matching {pattern}",
        "zh": "在 {target} 中执行 `{command}` 输出 {first}，应匹配 {pattern}",
    },
    "exec.empty": {"en": "(nothing)", "zh": "（无输出）"},
    "exec.no_answer": {
        "en": "`{command}` in {target}: the stream ended with no exit status "
              "(the cluster did not answer; looking again)",
        "zh": "在 {target} 中执行 `{command}`：数据流结束，没有退出状态（集群没有应答；将再次尝试）",
    },
    "exec.ok": {
        "en": "`{command}` in {target} printed {match}",
        "zh": "在 {target} 中执行 `{command}` 输出了 {match}",
    },
})


class Spec(CheckSpec):
    kind: Literal["exec_output"] = Field(description="A command run in the container prints matching output.")
    pod: str = Field(description="Pod name.")
    container: str | None = Field(None, description="Container name (default: the Pod's first container).")
    command: list[str] = Field(
        min_length=1, description="Command and arguments, run without a shell: [cat, /etc/hostname]."
    )
    pattern: str = Field(description="Regular expression (Python syntax) searched in the standard output.")
    exec_timeout: float = Field(10.0, gt=0, le=300, description="Seconds the command may run.")

    @field_validator("pattern")
    @classmethod
    def _regex(cls, value: str) -> str:
        return valid_regex(value)

    @field_validator("command")
    @classmethod
    def _program(cls, value: list[str]) -> list[str]:
        if not value[0].strip():
            raise ValueError("the first item (the program) is empty")
        return value


def evaluate(spec: Spec, ctx: EvalContext) -> Finding:
    pod = ctx.get("Pod", spec.pod)
    if pod is None:
        missing = where_is(ctx, "Pod", spec.pod) or msg("exec.no_pod", pod=spec.pod)
        return Finding(Outcome.PENDING, missing, {"pod": spec.pod}, {"pod": "-"})
    evidence = {"uid": str(pod["metadata"].get("uid", ""))}
    deleting = being_deleted("Pod", pod)
    if deleting:
        return deleting
    phase = str(pod.get("status", {}).get("phase", "Pending"))
    if phase != "Running":
        return Finding(Outcome.PENDING, msg("exec.not_running", pod=spec.pod, phase=phase),
                       {"phase": "Running"}, {"phase": phase}, evidence)
    names = container_names(pod)
    if spec.container is not None and spec.container not in names:
        return Finding(Outcome.FAILED,
                       msg("exec.no_container", pod=spec.pod, container=spec.container,
                           containers=", ".join(names) or "-"),
                       {"container": spec.container}, {"containers": ", ".join(names) or "-"}, evidence)
    container = spec.container or default_container(pod)  # as kubectl picks it
    target = spec.pod + (f"/{container}" if spec.container or len(names) > 1 else "")
    command = shlex.join(spec.command)
    stopped = _not_running(spec.pod, container, pod, command, evidence)
    if stopped:
        return stopped
    try:
        result = ctx.cluster.exec(ctx.namespace, spec.pod, container, spec.command, spec.exec_timeout)
    except Exception as error:  # a ClusterError (checks sit below labcheck.errors)
        # the status still said running (the kubelet reports a crash a moment later): the kubelet's
        # own answer, not the cluster failing to answer
        if "container not found" not in str(error):
            raise
        status = container_status(pod, container)
        return _stopped(spec.pod, container, status, status.get("lastState") or {}, command, evidence)
    if result.exit_code is None and not result.stdout and not result.stderr:
        # seen under load: the API server closed the stream before anything came; not the learner's
        # doing, so ungraded, and the runner looks again within the check's time
        return Finding(Outcome.ERROR, msg("exec.no_answer", command=command, target=target),
                       {"exit_code": "0"}, {"exit_code": "-", "output": "-"}, evidence)
    if result.exit_code not in (0, None):  # None: the stream ended without a status; judge the output
        stderr = one_line(result.stderr) or "-"
        return Finding(Outcome.FAILED,
                       msg("exec.exit_code", command=command, target=target, code=result.exit_code,
                           stderr=stderr),
                       {"exit_code": "0"}, {"exit_code": str(result.exit_code), "stderr": stderr}, evidence)
    found = re.search(spec.pattern, result.stdout)
    if found is None and not result.complete:
        # the stream broke before the status: what came may be a part, so the cluster, not the learner
        return Finding(Outcome.ERROR, msg("exec.no_answer", command=command, target=target),
                       {"output": spec.pattern}, {"exit_code": "-", "output": "-"}, evidence)
    if found is None:
        first_line = next((line for line in result.stdout.splitlines() if line.strip()), "")
        first = one_line(first_line) or msg("exec.empty")
        return Finding(Outcome.FAILED,
                       msg("exec.no_match", command=command, target=target, first=first,
                           pattern=spec.pattern),
                       {"output": spec.pattern}, {"output": one_line(first_line) or "-"}, evidence)
    matched = one_line(found.group(0)) or "-"
    return Finding(Outcome.PASSED, msg("exec.ok", command=command, target=target, match=matched),
                   {"output": spec.pattern}, {"output": matched}, {**evidence, "match": matched})


STARTING = ("ContainerCreating", "PodInitializing")


def _not_running(name: str, container: str | None, pod: dict[str, Any], command: str,
                 evidence: dict[str, str]) -> Finding | None:
    """A container that is not running cannot be exec'ed into: a real kubelet answers the upgrade
    with HTTP 500 `container not found`."""
    status = container_status(pod, container)
    state = status.get("state") or {}
    return None if "running" in state else _stopped(name, container, status, state, command, evidence)


def _stopped(name: str, container: str | None, status: dict[str, Any], state: dict[str, Any], command: str,
             evidence: dict[str, str]) -> Finding:
    """Crashed or backing off is the learner's Pod failing; not started yet is pending."""
    waiting, terminated = state.get("waiting") or {}, state.get("terminated")
    if not status or waiting.get("reason") in STARTING or (not terminated and not status.get("restartCount")):
        shown = str(waiting.get("reason") or "-")
        return Finding(Outcome.PENDING,
                       msg("exec.container_starting", pod=name, container=container, state=shown),
                       {"state": "running"}, {"state": shown}, evidence)
    if terminated is not None:
        shown = f"{terminated.get('reason') or 'Terminated'}, exit code {terminated.get('exitCode', '?')}"
    else:
        shown = str(waiting.get("reason") or "Waiting")
    restarts = status.get("restartCount", 0)
    return Finding(Outcome.FAILED,
                   msg("exec.container_not_running", pod=name, container=container, state=shown,
                       restarts=restarts, command=command),
                   {"state": "running"}, {"state": shown, "restarts": str(restarts)}, evidence)

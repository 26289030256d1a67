"""pod_state: a Pod runs the right image, is Running and Ready, on a node, with an IP.

"Running" alone is not enough: a crash-looping container is Running between restarts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from labcheck.checks.base import (
    CheckSpec,
    EvalContext,
    being_deleted,
    container_status,
    default_container,
    one_line,
)
from labcheck.checks.events_evidence import events_about, image_from_events, node_from_events
from labcheck.checks.images import matches_any, parse_image
from labcheck.checks.nearby import where_is
from labcheck.checks.pod_status import (
    FAILING_WAIT_REASONS,
    STABLE_SECONDS,
    condition,
    crashing,
    init_failure,
    restarted_recently,
)
from labcheck.core.i18n import Text, msg, register_messages
from labcheck.core.model import Field
from labcheck.core.results import Finding, Outcome

register_messages({
    # what this kind checks, for `labcheck explain` in the learner's language
    "kind.pod_state": {"en": "A Pod's state: image, phase, Ready, node, IP.",
                       "zh": "Pod 的状态：镜像、阶段、就绪、节点、IP。"},
    "pod.missing": {"en": "Pod {name} does not exist yet in namespace {namespace}",
                    "zh": "命名空间 {namespace} 中还没有 Pod {name}"},
    "pod.gone_ran": {
        "en": "Pod {name} was deleted; Events show it ran image {image} on {node}",
        "zh": "Pod {name} 已删除；事件显示它曾在 {node} 上运行镜像 {image}",
    },
    "pod.gone_crashed": {
        "en": "Pod {name} was deleted, and its Events show it did not run correctly: {reason}: {message}",
        "zh": "Pod {name} 已删除，但它的事件显示它没有正常运行：{reason}：{message}",
    },
    "pod.wrong_image": {
        "en": "Pod {name} runs image {actual}, expected {expected}",
        "zh": "Pod {name} 使用的镜像是 {actual}，应为 {expected}",
    },
    "pod.digest_only": {
        "en": "Pod {name} runs image {actual}, pinned by digest only: a digest cannot be matched to a tag, "
              "so labcheck cannot tell whether it is {expected}. Run the image by its tag "
              "(`kubectl run {name} --image {first}`), or see which digest the tag has with "
              "`kubectl get pod {name} -o jsonpath='{{.status.containerStatuses[0].imageID}}'` "
              "after running it by tag",
        "zh": "Pod {name} 的镜像 {actual} 只用摘要（digest）指定：摘要无法对应到标签，"
              "labcheck 无法判断它是否为 {expected}。"
              "请按标签运行镜像（`kubectl run {name} --image {first}`）；"
              "想知道该标签对应的摘要，按标签运行后用 "
              "`kubectl get pod {name} -o jsonpath='{{.status.containerStatuses[0].imageID}}'` 查看",
    },
    "pod.waiting": {
        "en": "container {container} is waiting: {reason}: {message}",
        "zh": "容器 {container} 处于等待状态：{reason}：{message}",
    },
    "pod.crashing": {
        "en": "container {container} keeps crashing: exit code {code} ({reason}), restarted {restarts} times",
        "zh": "容器 {container} 反复崩溃：退出码 {code}（{reason}），已重启 {restarts} 次",
    },
    "pod.restarted_recently": {
        "en": "container {container} restarted {restarts} times after exit code {code}; running again for "
              "{seconds}s: waiting until it stays up {stable}s",
        "zh": "容器 {container} 因退出码 {code} 已重启 {restarts} 次；重新运行了 {seconds} 秒："
              "等待它稳定运行 {stable} 秒",
    },
    "pod.init_failed": {
        "en": "Pod {name} cannot start: init container {container} failed: {problem} "
              "(restarted {restarts} times)",
        "zh": "Pod {name} 无法启动：初始化容器 {container} 失败：{problem}（已重启 {restarts} 次）",
    },
    "pod.unschedulable": {
        "en": "Pod {name} cannot be scheduled: {message}",
        "zh": "Pod {name} 无法调度：{message}",
    },
    "pod.phase": {"en": "Pod {name} is {actual}, expected {expected}",
                  "zh": "Pod {name} 的状态是 {actual}，应为 {expected}"},
    "pod.not_ready_restarts": {
        "en": "Pod {name} is {phase} but not Ready, and restarted {restarts} times",
        "zh": "Pod {name} 处于 {phase} 但未就绪，已重启 {restarts} 次",
    },
    "pod.not_ready": {"en": "Pod {name} is {phase} but not Ready yet",
                      "zh": "Pod {name} 处于 {phase}，但还未就绪"},
    "pod.restarts": {"en": "container restarted {restarts} times, at most {max} allowed",
                     "zh": "容器已重启 {restarts} 次，最多允许 {max} 次"},
    "pod.no_node": {"en": "Pod {name} is not on a node yet", "zh": "Pod {name} 还没有被分配到节点"},
    "pod.no_ip": {"en": "Pod {name} has no IP yet", "zh": "Pod {name} 还没有 IP"},
    "pod.ok": {"en": "Pod {name} is {phase} and Ready on {node} ({ip}), image {image}",
               "zh": "Pod {name} 在 {node} 上 {phase} 且就绪（{ip}），镜像 {image}"},
})

class Spec(CheckSpec):
    kind: Literal["pod_state"] = Field(description="A Pod's state: image, phase, Ready, node, IP.")
    name: str = Field(description="Pod name.")
    container: str | None = Field(None, description="Container to look at (default: the one kubectl picks: "
                                                     "the default-container annotation, else the first).")
    images: list[str] = Field(
        default_factory=list,
        description="Accepted images (any of them). `nginx` equals `docker.io/library/nginx:latest`; "
                    "a digest must match the Pod's image or imageID.",
    )
    allow_mirrors: bool = Field(
        False, description="Accept any registry serving the same repository path and tag (mirrors)."
    )
    phase: str = Field("Running", description="Expected Pod phase.")
    ready: bool = Field(True, description="The Pod's Ready condition must be True.")
    max_restarts: int | None = Field(None, ge=0, description="At most this many container restarts.")
    require_node: bool = Field(True, description="The Pod must be assigned to a node.")
    require_ip: bool = Field(True, description="The Pod must have an IP.")
    accept_events_when_gone: bool = Field(
        False,
        description="If the Pod was deleted, Events showing it started (with an accepted image) pass.",
    )


def _container_image(pod: dict[str, Any], container: str | None) -> str:
    for c in pod.get("spec", {}).get("containers") or []:
        if c.get("name") == container:
            return str(c.get("image", ""))
    return ""


# Warnings about a Pod that mean it did not run correctly: a crash loop (BackOff), a failed start or
# pull (Failed), failing probes (Unhealthy), the kernel's OOM killer (OOMKilling).
RAN_BADLY = ("BackOff", "Failed", "Unhealthy", "OOMKilling")


def _from_events(spec: Spec, ctx: EvalContext) -> Finding | None:
    for uid, events in reversed(events_about(ctx, "Pod", spec.name).items()):
        if not any(e.get("reason") == "Started" for e in events):
            continue
        image = image_from_events(events) or "?"
        if spec.images and not matches_any(image, spec.images, allow_mirrors=spec.allow_mirrors):
            continue
        node = node_from_events(events) or "?"
        warnings = [e for e in events if e.get("type") == "Warning" and e.get("reason") in RAN_BADLY]
        if warnings:  # it started, but then crashed or failed its probes: not "ran correctly"
            first = warnings[0]
            return Finding(Outcome.FAILED, msg("pod.gone_crashed", name=spec.name, reason=first.get("reason"),
                                               message=one_line(str(first.get("message", ""))) or "-"),
                           {"warnings": "-"},
                           {"warnings": ", ".join(dict.fromkeys(str(e.get("reason")) for e in warnings))},
                           {"uid": uid, "node": node, "image": image})
        return Finding(Outcome.PASSED, msg("pod.gone_ran", name=spec.name, image=image, node=node),
                       {"pod": msg("value.ran")}, {"pod": msg("value.deleted"), "image": image},
                       {"uid": uid, "node": node, "image": image})
    return None


def evaluate(spec: Spec, ctx: EvalContext) -> Finding:
    name = spec.name
    pod = ctx.get("Pod", name)
    if pod is None or pod["metadata"].get("deletionTimestamp"):
        if spec.accept_events_when_gone:
            found = _from_events(spec, ctx)
            if found:
                return found
        deleting = being_deleted("Pod", pod)
        if deleting:
            return deleting
        text = where_is(ctx, "Pod", name) or msg("pod.missing", name=name, namespace=ctx.namespace)
        return Finding(Outcome.PENDING, text, {"pod": name}, {"pod": "-"})
    status = pod.get("status", {})
    container = spec.container or default_container(pod)
    cstatus = container_status(pod, container)
    image = _container_image(pod, container)
    phase = str(status.get("phase", "Unknown"))
    node, ip = pod.get("spec", {}).get("nodeName"), status.get("podIP")
    restarts = int(cstatus.get("restartCount", 0))
    actual = {"image": image, "phase": phase, "ready": str(condition(pod, "Ready").get("status")),
              "restarts": str(restarts), "node": str(node or "-"), "podIP": str(ip or "-")}
    evidence = {"uid": str(pod["metadata"].get("uid", "")), "node": str(node or ""),
                "podIP": str(ip or ""), "image": image, "imageID": str(cstatus.get("imageID", ""))}

    def verdict(outcome: Outcome, text_key: str, want: dict[str, str | Text], **params: object) -> Finding:
        shown = {k: v for k, v in actual.items() if k in want} if want else actual  # fields that matter
        return Finding(outcome, msg(text_key, name=name, **params), want, shown, evidence)

    if spec.images and not matches_any(image, spec.images, allow_mirrors=spec.allow_mirrors,
                                       image_id=cstatus.get("imageID")):
        wanted = " | ".join(spec.images)
        ref = parse_image(image)
        if ref.digest and not ref.tag:  # `nginx@sha256:...`: not wrong, just not comparable to a tag
            return verdict(Outcome.FAILED, "pod.digest_only", {"image": wanted}, actual=image,
                           expected=wanted, first=spec.images[0])
        return verdict(Outcome.FAILED, "pod.wrong_image", {"image": wanted}, actual=image, expected=wanted)
    init = init_failure(pod)
    if init:
        return Finding(Outcome.FAILED, msg("pod.init_failed", name=name, container=init[0], problem=init[1],
                                           restarts=init[2]),
                       {"init": msg("value.completed")},
                       {"init": Text.same(f"{init[0]}: ") + init[1], "restarts": str(init[2])}, evidence)
    crash = crashing(cstatus)
    if crash:
        return Finding(Outcome.FAILED, msg("pod.crashing", container=container or "?", code=crash[0],
                                           reason=crash[1], restarts=restarts),
                       {"state": msg("value.running")},
                       {"state": msg("value.exit_code", code=crash[0], reason=crash[1]),
                                              "restarts": str(restarts)}, evidence)
    recent = restarted_recently(cstatus, dt.datetime.now(dt.UTC))
    if recent:
        return Finding(Outcome.PENDING, msg("pod.restarted_recently", container=container or "?",
                                            code=recent[0], restarts=restarts, seconds=int(recent[1]),
                                            stable=STABLE_SECONDS),
                       {"state": msg("value.running_at_least", seconds=STABLE_SECONDS)},
                       {"state": msg("value.running_for", seconds=int(recent[1])), "restarts": str(restarts)},
                       evidence)
    waiting = (cstatus.get("state") or {}).get("waiting") or {}
    if waiting.get("reason") in FAILING_WAIT_REASONS:
        return Finding(Outcome.FAILED,
                       msg("pod.waiting", container=cstatus.get("name", "?"), reason=waiting["reason"],
                           message=str(waiting.get("message", "")).strip() or "-"),
                       {"state": msg("value.running")}, {"image": image, "state": str(waiting["reason"]),
                                              "restarts": str(restarts)}, evidence)
    scheduled = condition(pod, "PodScheduled")
    if scheduled.get("status") == "False" and scheduled.get("reason") == "Unschedulable":
        return verdict(Outcome.FAILED, "pod.unschedulable", {"node": msg("value.assigned")},
                       message=str(scheduled.get("message", "")).strip())
    if phase != spec.phase:
        outcome = Outcome.FAILED if phase in ("Failed", "Succeeded") else Outcome.PENDING
        return verdict(outcome, "pod.phase", {"phase": spec.phase}, actual=phase, expected=spec.phase)
    if spec.ready and condition(pod, "Ready").get("status") != "True":
        if restarts > 0:
            return verdict(Outcome.FAILED, "pod.not_ready_restarts", {"ready": "True"},
                           phase=phase, restarts=restarts)
        return verdict(Outcome.PENDING, "pod.not_ready", {"ready": "True"}, phase=phase)
    if spec.max_restarts is not None and restarts > spec.max_restarts:
        return Finding(Outcome.FAILED, msg("pod.restarts", restarts=restarts, max=spec.max_restarts),
                       {"restarts": f"<= {spec.max_restarts}"}, {"restarts": str(restarts)}, evidence)
    if spec.require_node and not node:
        return verdict(Outcome.PENDING, "pod.no_node", {"node": msg("value.assigned")})
    if spec.require_ip and not ip:
        return verdict(Outcome.PENDING, "pod.no_ip", {"podIP": msg("value.assigned")})
    return verdict(Outcome.PASSED, "pod.ok", {}, phase=phase, node=node or "-", ip=ip or "-", image=image)

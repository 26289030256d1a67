"""events_evidence: Events show what happened to an object, even after it was deleted.

Events outlive their object (about an hour by default), so a step that ends with
`kubectl delete` can still be graded from them.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from labcheck.checks.base import CheckSpec, EvalContext
from labcheck.core.i18n import msg, register_messages
from labcheck.core.kinds import check_kind_name
from labcheck.core.model import Field, field_validator
from labcheck.core.results import Finding, Outcome

register_messages({
    # what this kind checks, for `labcheck explain` in the learner's language
    "kind.events_evidence": {"en": "Events show what happened to an object.",
                             "zh": "事件记录显示对象经历了哪些过程。"},
    "events.none": {
        "en": "no Events about {kind}/{name} in namespace {namespace}: it was not created here yet "
              "(or over an hour ago)",
        "zh": "命名空间 {namespace} 中没有关于 {kind}/{name} 的事件：还没有创建（或已超过一小时）",
    },
    "events.missing": {
        "en": "{kind}/{name} has Events {seen}; still missing: {missing}",
        "zh": "{kind}/{name} 已有事件 {seen}；还缺：{missing}",
    },
    "events.warning": {
        "en": "{kind}/{name}: {reason}: {message}",
        "zh": "{kind}/{name}：{reason}：{message}",
    },
    "events.ok": {
        "en": "Events show {kind}/{name}: {reasons}",
        "zh": "事件显示 {kind}/{name}：{reasons}",
    },
})

# Warnings that mean "done wrong" rather than "not finished yet".
FAILURE_REASONS = {"Failed", "BackOff", "FailedScheduling", "ErrImagePull", "InspectFailed",
                   "ErrImageNeverPull", "FailedCreatePodSandBox"}
_IMAGE_IN_MESSAGE = re.compile(r'[Ii]mage "([^"]+)"')


class Spec(CheckSpec):
    kind: Literal["events_evidence"] = Field(
        description="Events prove an object went through the given reasons (works after a delete)."
    )
    object_kind: str = Field("Pod", description="Kind of the object the Events are about.")
    name: str = Field(description="Name of the object.")
    reasons: list[str] = Field(
        min_length=1,
        description="Event reasons that must all appear for one incarnation (uid) of the object, "
                    "e.g. [Scheduled, Pulled, Created, Started] or [Killing].",
    )

    @field_validator("object_kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        return check_kind_name(value)


def _when(event: dict[str, Any]) -> str:
    return str(event.get("lastTimestamp") or event.get("eventTime") or
               event.get("metadata", {}).get("creationTimestamp") or "")


def events_about(ctx: EvalContext, kind: str, name: str) -> dict[str, list[dict[str, Any]]]:
    """Events about kind/name in the namespace, grouped by the object's uid, oldest first."""
    by_uid: dict[str, list[dict[str, Any]]] = {}
    for event in ctx.cluster.list("Event", ctx.namespace):
        involved = event.get("involvedObject") or event.get("regarding") or {}
        if involved.get("kind") == kind and involved.get("name") == name:
            by_uid.setdefault(str(involved.get("uid", "")), []).append(event)
    for events in by_uid.values():
        events.sort(key=_when)
    return dict(sorted(by_uid.items(), key=lambda item: _when(item[1][-1])))


def image_from_events(events: list[dict[str, Any]]) -> str | None:
    """The image kubelet pulled or found, from Pulling/Pulled messages."""
    for event in reversed(events):
        if event.get("reason") in ("Pulled", "Pulling"):
            found = _IMAGE_IN_MESSAGE.search(str(event.get("message", "")))
            if found:
                return found.group(1)
    return None


def node_from_events(events: list[dict[str, Any]]) -> str | None:
    for event in events:
        if event.get("reason") == "Scheduled":
            found = re.search(r" to (\S+)$", str(event.get("message", "")).strip())
            if found:
                return found.group(1)
    return None


def evaluate(spec: Spec, ctx: EvalContext) -> Finding:
    names = {"kind": spec.object_kind, "name": spec.name, "namespace": ctx.namespace}
    expected = {"events": ", ".join(spec.reasons)}
    groups = events_about(ctx, spec.object_kind, spec.name)
    if not groups:
        return Finding(Outcome.PENDING, msg("events.none", **names), expected, {"events": "-"})
    # The newest incarnation that has every reason wins; otherwise report on the newest.
    for uid, events in reversed(groups.items()):
        seen = {str(e.get("reason")) for e in events}
        if all(reason in seen for reason in spec.reasons):
            evidence = {"uid": uid, "reasons": ",".join(sorted(seen))}
            node = node_from_events(events)
            if node:
                evidence["node"] = node
            return Finding(Outcome.PASSED, msg("events.ok", reasons=", ".join(spec.reasons), **names),
                           expected, {"events": ", ".join(sorted(seen))}, evidence)
    uid, events = list(groups.items())[-1]
    seen_list = sorted({str(e.get("reason")) for e in events})
    actual = {"events": ", ".join(seen_list)}
    last = events[-1]
    if last.get("type") == "Warning" and last.get("reason") in FAILURE_REASONS:
        return Finding(Outcome.FAILED,
                       msg("events.warning", reason=last.get("reason"),
                           message=str(last.get("message", "")).strip(), **names),
                       expected, actual, {"uid": uid})
    missing = [r for r in spec.reasons if r not in seen_list]
    return Finding(Outcome.PENDING,
                   msg("events.missing", seen=", ".join(seen_list), missing=", ".join(missing), **names),
                   expected, actual, {"uid": uid})

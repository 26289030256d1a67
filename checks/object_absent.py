"""object_absent: objects are gone now (clean-up steps).

With `require_evidence`, "gone" passes only when Events show the object existed here,
so an untouched namespace reads as "not done yet" instead of "cleaned up".
"""

from __future__ import annotations

import re
from typing import Any, Literal

from labcheck.checks.base import CheckSpec, EvalContext, SelectorMixin
from labcheck.checks.events_evidence import events_about
from labcheck.core.i18n import msg, register_messages
from labcheck.core.kinds import check_kind_name, kind_info
from labcheck.core.model import Field, field_validator, model_validator
from labcheck.core.results import Finding, Outcome

register_messages({
    # what this kind checks, for `labcheck explain` in the learner's language
    "kind.object_absent": {"en": "Objects of a Kubernetes kind are gone now.",
                           "zh": "某类 Kubernetes 对象现在已不存在。"},
    "absent.present": {
        "en": "still there: {kind} {names}",
        "zh": "仍然存在：{kind} {names}",
    },
    "absent.terminating": {
        "en": "being deleted: {kind} {names}",
        "zh": "正在删除：{kind} {names}",
    },
    "absent.never_created": {
        "en": "{kind} {target} is not there, and no Events show it was ever created here",
        "zh": "{kind} {target} 不存在，也没有事件表明它曾在这里创建过",
    },
    "absent.ok": {
        "en": "{kind} {target} is gone",
        "zh": "{kind} {target} 已删除",
    },
})


class Spec(CheckSpec, SelectorMixin):
    kind: Literal["object_absent"] = Field(description="Objects of a Kubernetes kind are gone now.")
    object_kind: str = Field(description="Kubernetes kind, e.g. Pod, Service.")
    ignore_names: list[str] = Field(
        default_factory=list, description="Names that may stay (e.g. the `kubernetes` Service)."
    )
    require_evidence: bool = Field(
        False,
        description="Pass only if Events show the named object existed (so an empty namespace is "
                    "'not done yet', not 'cleaned up'). Needs `name`.",
    )
    selecting: str | None = Field(
        None,
        description="Also count as left-over any object whose spec.selector selects Pods with these labels "
                    "(`run=my-first-pod`), labelled or not: `kubectl run --expose` makes a Service without "
                    "labels.",
    )
    evidence_reasons: list[str] = Field(
        default_factory=list,
        description="With require_evidence: one of these Event reasons must appear (any, if empty).",
    )

    @field_validator("object_kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        return check_kind_name(value)

    @field_validator("selecting")
    @classmethod
    def _labels(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[\w./-]+=[\w./-]*(,[\w./-]+=[\w./-]*)*", value):
            raise ValueError("give labels as key=value[,key=value]")
        return value

    @model_validator(mode="after")
    def _target(self) -> Spec:
        if self.require_evidence and self.name is None:
            raise ValueError("require_evidence needs `name`")
        return self


def _selects_labels(obj: dict[str, Any], labels: str) -> bool:
    """obj's own selector (a Service's spec.selector) picks Pods labelled `labels`; empty picks none."""
    selector = (obj.get("spec") or {}).get("selector")
    if isinstance(selector, dict) and isinstance(selector.get("matchLabels"), dict):
        selector = selector["matchLabels"]  # Deployments, ReplicaSets, Jobs
    if not isinstance(selector, dict) or not selector:
        return False
    wanted = dict(term.split("=", 1) for term in labels.split(",") if "=" in term)
    return all(wanted.get(str(k)) == str(v) for k, v in selector.items())


def _left_over(spec: Spec, obj: dict[str, Any]) -> bool:
    by_name_or_labels = spec.name is not None or spec.label_selector is not None or spec.selecting is None
    if by_name_or_labels and spec.selects(obj):
        return True
    return spec.selecting is not None and _selects_labels(obj, spec.selecting)


def evaluate(spec: Spec, ctx: EvalContext) -> Finding:
    info = kind_info(spec.object_kind)
    left = [o for o in ctx.cluster.list(spec.object_kind, ctx.namespace if info.namespaced else None)
            if _left_over(spec, o) and o["metadata"]["name"] not in spec.ignore_names]
    names = ", ".join(sorted(o["metadata"]["name"] for o in left))
    expected = {"left": "-"}
    if left:
        terminating = all(o["metadata"].get("deletionTimestamp") for o in left)
        key = "absent.terminating" if terminating else "absent.present"
        return Finding(Outcome.PENDING, msg(key, kind=spec.object_kind, names=names),
                       expected, {"left": names})
    target = spec.describe()
    if spec.require_evidence and spec.name is not None:
        groups = events_about(ctx, spec.object_kind, spec.name)
        reasons = {str(e.get("reason")) for events in groups.values() for e in events}
        wanted = set(spec.evidence_reasons)
        if not groups or (wanted and not wanted & reasons):
            return Finding(Outcome.PENDING,
                           msg("absent.never_created", kind=spec.object_kind, target=target),
                           {"events": ", ".join(sorted(wanted)) or msg("value.any")},
                           {"events": ", ".join(sorted(reasons)) or "-"})
        evidence = {"uids": ",".join(sorted(groups)), "reasons": ",".join(sorted(reasons))}
        return Finding(Outcome.PASSED, msg("absent.ok", kind=spec.object_kind, target=target),
                       expected, {"left": "-"}, evidence)
    return Finding(Outcome.PASSED, msg("absent.ok", kind=spec.object_kind, target=target),
                   expected, {"left": "-"})

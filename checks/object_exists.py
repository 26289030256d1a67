"""object_exists: objects of any kind exist now, picked by name or label selector."""

from __future__ import annotations

from typing import Literal

from labcheck.checks.base import CheckSpec, EvalContext, SelectorMixin, being_deleted
from labcheck.checks.fieldpath import FieldMatch
from labcheck.checks.nearby import where_is
from labcheck.core.i18n import msg, register_messages
from labcheck.core.kinds import check_kind_name, kind_info
from labcheck.core.model import Field, field_validator, model_validator
from labcheck.core.results import Finding, Outcome

register_messages({
    # what this kind checks, for `labcheck explain` in the learner's language
    "kind.object_exists": {"en": "Objects of a Kubernetes kind exist now.",
                           "zh": "某类 Kubernetes 对象现在存在。"},
    "exists.none": {
        "en": "no {kind} {target} in {where} yet",
        "zh": "{where}中还没有 {kind} {target}",
    },
    "exists.too_few": {
        "en": "{count} {kind} {target} in {where}, expected at least {min_count}",
        "zh": "{where}中有 {count} 个 {kind} {target}，至少需要 {min_count} 个",
    },
    "exists.ok": {
        "en": "{kind} {names} exists",
        "zh": "{kind} {names} 已存在",
    },
    "exists.fields": {
        "en": "{kind} {name} exists but {count} field(s) differ: {paths}",
        "zh": "{kind} {name} 存在，但有 {count} 个字段不符合要求：{paths}",
    },
    "where.namespace": {"en": "namespace {namespace}", "zh": "命名空间 {namespace} "},
    "where.cluster": {"en": "the cluster", "zh": "集群"},
})


class Spec(CheckSpec, SelectorMixin):
    kind: Literal["object_exists"] = Field(description="Objects of a Kubernetes kind exist now.")
    object_kind: str = Field(description="Kubernetes kind, e.g. Pod, Service, ConfigMap, Deployment.")
    min_count: int = Field(1, ge=1, description="At least this many objects must match.")
    fields: list[FieldMatch] = Field(
        default_factory=list,
        description="Conditions every matching object must meet, e.g. "
                    "{path: spec.volumes.*.emptyDir} or {path: spec.containers.*.image, pattern: nginx}.",
    )

    @field_validator("object_kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        return check_kind_name(value)

    @model_validator(mode="after")
    def _has_target(self) -> Spec:
        if self.name is None and self.label_selector is None:
            raise ValueError("give `name` or `label_selector`")
        return self


def evaluate(spec: Spec, ctx: EvalContext) -> Finding:
    info = kind_info(spec.object_kind)
    matching = [o for o in ctx.cluster.list(spec.object_kind, ctx.namespace if info.namespaced else None)
                if spec.selects(o)]
    found = [o for o in matching if not o["metadata"].get("deletionTimestamp")]
    deleting = [o for o in matching if o not in found]
    names = sorted(o["metadata"]["name"] for o in found)
    place = msg("where.namespace", namespace=ctx.namespace) if info.namespaced else msg("where.cluster")
    expected = {"count": f">= {spec.min_count}"}
    actual = {"count": str(len(found))}
    if len(found) < spec.min_count:
        going = being_deleted(spec.object_kind, deleting[0]) if deleting else None
        if going:
            return going
        key = "exists.none" if not found else "exists.too_few"
        text = msg(key, kind=spec.object_kind, target=spec.describe(), where=place, count=len(found),
                   min_count=spec.min_count)
        if not found and spec.name is not None and info.namespaced:
            text = where_is(ctx, spec.object_kind, spec.name) or text
        return Finding(Outcome.PENDING, text, expected, actual)
    for obj in found:
        results = [(m.path, *m.check(obj)) for m in spec.fields]
        wrong = [r for r in results if not r[1]]
        if wrong:
            name = obj["metadata"]["name"]
            return Finding(Outcome.FAILED,
                           msg("exists.fields", kind=spec.object_kind, name=name, count=len(wrong),
                               paths=", ".join(r[0] for r in wrong)),
                           {r[0]: r[2] for r in wrong}, {r[0]: r[3] for r in wrong},
                           {"uid": str(obj["metadata"].get("uid", ""))})
    evidence = {f"uid/{o['metadata']['name']}": str(o["metadata"].get("uid", "")) for o in found}
    return Finding(Outcome.PASSED, msg("exists.ok", kind=spec.object_kind, names=", ".join(names)),
                   expected, actual, evidence)

"""Say where a missing object is: "does not exist yet" is the start of an answer, not all of it.

When a named object is not in the graded namespace, look around once: a Pod a controller made
with the expected name as prefix, a near-miss name in the namespace (a typo, other case), then the
same name in another namespace. The first two come from the list the check already made; the third
is one extra list across namespaces, made only when something is missing, and skipped for good
when RBAC does not allow it (a grader with a namespaced Role).
"""

from __future__ import annotations

from typing import Any

from labcheck.checks.base import EvalContext
from labcheck.core.i18n import Text, msg, register_messages

register_messages({
    "nearby.other_namespace": {
        "en": "{kind} {name} is not in namespace {namespace}, but exists in namespace {other}: "
              "run `labcheck {step} -n {other}` (or make it in {namespace})",
        "zh": "命名空间 {namespace} 中没有 {kind} {name}，但命名空间 {other} 中有：运行 "
              "`labcheck {step} -n {other}`（或者在 {namespace} 中创建它）",
    },
    "nearby.near_miss": {
        "en": "{kind} {name} does not exist yet in namespace {namespace}; found {kind} {found}: "
              "did you mean {name}?",
        "zh": "命名空间 {namespace} 中还没有 {kind} {name}；找到了 {kind} {found}：是不是想写 {name}？",
    },
    "nearby.controller": {
        "en": "Pod {found} was made by {owner_kind} {owner}; this step asks for a bare Pod named {name} "
              "(`kubectl run {name} ...`)",
        "zh": "Pod {found} 是由 {owner_kind} {owner} 创建的；本步骤要求一个名为 {name} 的独立 Pod"
              "（`kubectl run {name} ...`）",
    },
})

MAX_DISTANCE = 2  # edits; fewer for short names (`q` and `x` are one edit apart, and unrelated)


def distance(a: str, b: str, limit: int = MAX_DISTANCE) -> int:
    """Levenshtein distance, or limit + 1 as soon as it is known to be larger."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def near_miss(name: str, candidates: list[str], taken: frozenset[str] = frozenset()) -> str | None:
    """The closest other name within MAX_DISTANCE edits (case ignored), if any; names in `taken` (the
    lab's own: my-first-service is not a typo of my-first-service2) never count."""
    limit = min(MAX_DISTANCE, len(name) // 4)
    scored = sorted((distance(name.lower(), c.lower(), limit), c) for c in candidates
                    if c != name and c not in taken)
    return scored[0][1] if scored and scored[0][0] <= limit else None


def _owner(pod: dict[str, Any]) -> tuple[str, str] | None:
    """(kind, name) of the controller that made a Pod; a ReplicaSet of a Deployment names the Deployment."""
    meta = pod.get("metadata") or {}
    for ref in meta.get("ownerReferences") or []:
        if not ref.get("controller"):
            continue
        kind, name = str(ref.get("kind", "")), str(ref.get("name", ""))
        template_hash = (meta.get("labels") or {}).get("pod-template-hash")
        if kind == "ReplicaSet" and template_hash and name.endswith(f"-{template_hash}"):
            return "Deployment", name[: -len(template_hash) - 1]
        return kind, name
    return None


def _elsewhere(ctx: EvalContext, kind: str, name: str) -> str | None:
    """The other namespace with `kind` `name` in it, the newest such object first (the one the learner
    just made; one being deleted never counts); None if none, or not allowed."""
    refused: set[str] = ctx.extra.setdefault("nearby_refused", set())
    if kind in refused:
        return None
    try:
        everywhere = ctx.cluster.list(kind, None)
    except Exception:  # a ClusterError (forbidden for a namespaced grader, ...): a hint is not worth an error
        refused.add(kind)
        return None
    found = [o["metadata"] for o in everywhere if o.get("metadata", {}).get("name") == name
             and o["metadata"].get("namespace") not in (None, ctx.namespace)
             and not o["metadata"].get("deletionTimestamp")]
    found.sort(key=lambda meta: str(meta.get("creationTimestamp", "")), reverse=True)
    return str(found[0]["namespace"]) if found else None


def where_is(ctx: EvalContext, kind: str, name: str) -> Text | None:
    """What to tell a learner whose `kind` `name` is not in the graded namespace, or None."""
    here = ctx.cluster.list(kind, ctx.namespace)
    names = [str(o.get("metadata", {}).get("name", "")) for o in here]
    if kind == "Pod":
        for obj in here:
            found, owner = names[here.index(obj)], _owner(obj)
            if owner and found.startswith(f"{name}-"):
                return msg("nearby.controller", found=found, owner_kind=owner[0], owner=owner[1], name=name)
    close = near_miss(name, names, ctx.extra.get("lab_names", frozenset()))
    if close:
        return msg("nearby.near_miss", kind=kind, name=name, namespace=ctx.namespace, found=close)
    other = _elsewhere(ctx, kind, name)
    if other:
        return msg("nearby.other_namespace", kind=kind, name=name, namespace=ctx.namespace, other=other,
                   step=ctx.extra.get("step", "STEP"))
    return None

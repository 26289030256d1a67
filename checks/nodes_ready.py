"""nodes_ready: the cluster has enough nodes whose Ready condition is True."""

from __future__ import annotations

from typing import Any, Literal

from labcheck.checks.base import CheckSpec, EvalContext, match_labels
from labcheck.core.i18n import msg, register_messages
from labcheck.core.model import Field
from labcheck.core.results import Finding, Outcome

register_messages({
    # what this kind checks, for `labcheck explain` in the learner's language
    "kind.nodes_ready": {"en": "Nodes are Ready (by their Ready condition).",
                         "zh": "节点处于就绪状态（Ready 条件）。"},
    "nodes_ready.none": {
        "en": "the cluster has no nodes{selector}",
        "zh": "集群中没有节点{selector}",
    },
    "nodes_ready.too_few": {
        "en": "{ready} of {total} nodes Ready; at least {min_ready} needed (not ready: {not_ready})",
        "zh": "{total} 个节点中 {ready} 个就绪；至少需要 {min_ready} 个（未就绪：{not_ready}）",
    },
    "nodes_ready.count": {
        "en": "{total} nodes, expected exactly {count}",
        "zh": "有 {total} 个节点，应当正好 {count} 个",
    },
    "nodes_ready.ok": {
        "en": "{ready} of {total} nodes Ready: {names}",
        "zh": "{total} 个节点中 {ready} 个就绪：{names}",
    },
})


class Spec(CheckSpec):
    kind: Literal["nodes_ready"] = Field(description="Nodes are Ready (by their Ready condition).")
    min_ready: int = Field(1, ge=0, description="At least this many nodes must be Ready.")
    count: int | None = Field(
        None, ge=0, description="If set, the cluster must have exactly this many nodes."
    )
    label_selector: str | None = Field(None, description="Only nodes with these labels (`a=b,c`).")


def node_ready(node: dict[str, Any]) -> bool:
    for cond in node.get("status", {}).get("conditions") or []:
        if cond.get("type") == "Ready":
            return bool(cond.get("status") == "True")
    return False


def evaluate(spec: Spec, ctx: EvalContext) -> Finding:
    nodes = [n for n in ctx.cluster.list("Node", None)
             if match_labels(spec.label_selector, n.get("metadata", {}).get("labels"))]
    names = [n["metadata"]["name"] for n in nodes]
    ready = [n["metadata"]["name"] for n in nodes if node_ready(n)]
    not_ready = sorted(set(names) - set(ready))
    actual = {"nodes": str(len(nodes)), "ready": str(len(ready))}
    evidence = {"nodes": ",".join(sorted(names))}
    if not nodes:
        sel = f" ({spec.label_selector})" if spec.label_selector else ""
        return Finding(Outcome.FAILED, msg("nodes_ready.none", selector=sel),
                       {"ready": f">= {spec.min_ready}"}, actual, evidence)
    if spec.count is not None and len(nodes) != spec.count:
        return Finding(Outcome.FAILED, msg("nodes_ready.count", total=len(nodes), count=spec.count),
                       {"nodes": str(spec.count)}, actual, evidence)
    if len(ready) < spec.min_ready:
        return Finding(
            Outcome.FAILED,
            msg("nodes_ready.too_few", ready=len(ready), total=len(nodes), min_ready=spec.min_ready,
                not_ready=", ".join(not_ready) or "-"),
            {"ready": f">= {spec.min_ready}"}, actual, evidence,
        )
    return Finding(Outcome.PASSED,
                   msg("nodes_ready.ok", ready=len(ready), total=len(nodes), names=", ".join(ready)),
                   actual=actual, evidence=evidence)

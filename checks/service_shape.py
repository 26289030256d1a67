"""service_shape: a Service has the right type and ports, selects the Pod, and has ready endpoints.

`kubectl expose --port=81` without `--target-port` sends traffic to the container's port 81,
so targetPort is checked on its own: the Service exists and looks fine, yet nothing answers.
"""

from __future__ import annotations

from typing import Any, Literal

from labcheck.checks.base import CheckSpec, EvalContext, being_deleted, match_labels, resolve_port
from labcheck.checks.nearby import where_is
from labcheck.core.i18n import Text, msg, register_messages
from labcheck.core.model import Field, field_validator
from labcheck.core.results import Finding, Outcome

register_messages({
    # what this kind checks, for `labcheck explain` in the learner's language
    "kind.service_shape": {"en": "A Service's type, ports, selector and ready endpoints.",
                           "zh": "Service 的类型、端口、选择器和就绪的端点。"},
    "service.missing": {"en": "Service {name} does not exist yet in namespace {namespace}",
                        "zh": "命名空间 {namespace} 中还没有 Service {name}"},
    "service.wrong_type": {
        "en": "Service {name} is {actual}, expected {expected}",
        "zh": "Service {name} 的类型是 {actual}，应为 {expected}",
    },
    "service.no_port": {
        "en": "Service {name} has no port {port} (ports: {ports})",
        "zh": "Service {name} 没有端口 {port}（现有端口：{ports}）",
    },
    "service.wrong_target_port": {
        "en": "Service {name} port {port} sends traffic to targetPort {actual}, expected {expected}",
        "zh": "Service {name} 的端口 {port} 把流量转发到 targetPort {actual}，应为 {expected}",
    },
    "service.no_node_port": {
        "en": "Service {name} port {port} has no nodePort",
        "zh": "Service {name} 的端口 {port} 没有 nodePort",
    },
    "service.node_port_range": {
        "en": "Service {name} port {port} has nodePort {actual}, expected {low}-{high}",
        "zh": "Service {name} 的端口 {port} 的 nodePort 是 {actual}，应在 {low}-{high} 之间",
    },
    "service.no_selector": {
        "en": "Service {name} has no selector, so it sends traffic to no Pod",
        "zh": "Service {name} 没有 selector，不会把流量转发给任何 Pod",
    },
    "service.pod_missing": {
        "en": "Pod {pod} that Service {name} should select does not exist yet",
        "zh": "Service {name} 应选中的 Pod {pod} 还不存在",
    },
    "service.selector_mismatch": {
        "en": "Service {name} selector {selector} does not select Pod {pod} (labels {labels}); "
              "it selects: {selected}",
        "zh": "Service {name} 的 selector {selector} 没有选中 Pod {pod}（标签 {labels}）；"
              "它选中的是：{selected}",
    },
    "service.nothing": {"en": "nothing", "zh": "无"},
    "service.endpoints": {
        "en": "Service {name} has {ready} ready endpoints, at least {min} needed",
        "zh": "Service {name} 有 {ready} 个就绪端点，至少需要 {min} 个",
    },
    "service.ok": {
        "en": "Service {name} is {type}, ports {ports}, {ready} ready endpoints",
        "zh": "Service {name} 类型为 {type}，端口 {ports}，{ready} 个就绪端点",
    },
})

ServiceType = Literal["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"]


class Spec(CheckSpec):
    kind: Literal["service_shape"] = Field(
        description="A Service's type, ports, selector and ready endpoints."
    )
    name: str = Field(description="Service name.")
    type: ServiceType | None = Field(None, description="Expected spec.type.")
    port: int | None = Field(
        None, ge=1, le=65535, description="The Service must have a port with this number."
    )
    target_port: int | str | None = Field(
        None,
        description="Expected targetPort of that port (the first port if `port` is not set); a number "
                    "or a container port name. Without --target-port, kubectl expose sets it to `port`.",
    )
    node_port_range: tuple[int, int] = Field(
        (30000, 32767),
        description="With type NodePort: every checked port has a nodePort in [min, max].",
    )
    selects_pod: str | None = Field(None, description="Name of a Pod the Service selector must select.")
    min_ready_endpoints: int = Field(
        0, ge=0, description="At least this many ready endpoints in the Service's EndpointSlices."
    )

    @field_validator("node_port_range")
    @classmethod
    def _valid_range(cls, value: tuple[int, int]) -> tuple[int, int]:
        low, high = value
        if not 1 <= low <= high <= 65535:
            raise ValueError("give [min, max] with 1 <= min <= max <= 65535")
        return value


def _named_port_resolves(ctx: EvalContext, svc: dict[str, Any], target: object, expected: object) -> bool:
    """`targetPort: http` is right when the Pods the Service selects name port 80 `http`."""
    selector = selector_text(dict(svc.get("spec", {}).get("selector") or {}))
    if not selector or str(target).isdigit():
        return False
    pods = [p for p in ctx.cluster.list("Pod", ctx.namespace)
            if match_labels(selector, p["metadata"].get("labels"))]
    resolved = {resolve_port(p, target) for p in pods} - {None}
    return bool(resolved) and all(str(r) == str(expected) for r in resolved)


def describe_ports(ports: list[dict[str, Any]]) -> str:
    """Like `kubectl get svc`: 80:31234/TCP, plus the targetPort: `80:31234/TCP->80`."""
    out = []
    for p in ports:
        node_port = f":{p['nodePort']}" if p.get("nodePort") else ""
        target = p.get("targetPort", p.get("port"))
        out.append(f"{p.get('port')}{node_port}/{p.get('protocol', 'TCP')}->{target}")
    return ", ".join(out) or "-"


def selector_text(selector: dict[str, str]) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(selector.items()))


def ready_endpoints(ctx: EvalContext, service: str) -> list[str]:
    """Ready endpoints (address or Pod name) from the Service's EndpointSlices; nil ready counts as ready."""
    seen: list[str] = []
    for eps in ctx.cluster.list("EndpointSlice", ctx.namespace):
        if (eps.get("metadata", {}).get("labels") or {}).get("kubernetes.io/service-name") != service:
            continue
        for endpoint in eps.get("endpoints") or []:
            if (endpoint.get("conditions") or {}).get("ready") is False:
                continue
            # Dual-stack Services have one slice per IP family: count each Pod once.
            key = str((endpoint.get("targetRef") or {}).get("name")
                      or ",".join(endpoint.get("addresses") or []))
            if key not in seen:
                seen.append(key)
    return seen


def evaluate(spec: Spec, ctx: EvalContext) -> Finding:
    name = spec.name
    svc = ctx.get("Service", name)
    if svc is None:
        text = where_is(ctx, "Service", name) or msg("service.missing", name=name, namespace=ctx.namespace)
        return Finding(Outcome.PENDING, text, {"service": name}, {"service": "-"})
    s = svc.get("spec", {})
    svc_type = str(s.get("type", "ClusterIP"))
    ports: list[dict[str, Any]] = list(s.get("ports") or [])
    evidence = {"uid": str(svc["metadata"].get("uid", "")), "type": svc_type,
                "clusterIP": str(s.get("clusterIP", "")), "ports": describe_ports(ports)}

    def failed(key: str, want: dict[str, str | Text], have: dict[str, str | Text],
               **params: object) -> Finding:
        return Finding(Outcome.FAILED, msg(key, name=name, **params), want, have, evidence)

    if spec.type is not None and svc_type != spec.type:
        return failed("service.wrong_type", {"type": spec.type}, {"type": svc_type},
                      expected=spec.type, actual=svc_type)
    checked = ports
    if spec.port is not None:
        checked = [p for p in ports if p.get("port") == spec.port]
        if not checked:
            return failed("service.no_port", {"port": str(spec.port)}, {"ports": describe_ports(ports)},
                          port=spec.port, ports=describe_ports(ports))
    if spec.target_port is not None and checked:
        entry = checked[0]
        target = entry.get("targetPort", entry.get("port"))
        if str(target) != str(spec.target_port) and not _named_port_resolves(ctx, svc, target,
                                                                              spec.target_port):
            return failed("service.wrong_target_port", {"target_port": str(spec.target_port)},
                          {"target_port": str(target)}, port=entry.get("port"),
                          expected=spec.target_port, actual=target)
    if spec.type == "NodePort":
        low, high = spec.node_port_range
        for entry in checked:
            node_port = entry.get("nodePort")
            if not node_port:
                return failed("service.no_node_port", {"node_port": f"{low}-{high}"}, {"node_port": "-"},
                              port=entry.get("port"))
            if not low <= int(node_port) <= high:
                return failed("service.node_port_range", {"node_port": f"{low}-{high}"},
                              {"node_port": str(node_port)}, port=entry.get("port"), actual=node_port,
                              low=low, high=high)
    if spec.selects_pod is not None:
        selector: dict[str, str] = dict(s.get("selector") or {})
        if not selector:
            return failed("service.no_selector", {"selector": msg("value.selects_pod", pod=spec.selects_pod)},
                          {"selector": "-"})
        pod = ctx.get("Pod", spec.selects_pod)
        if pod is None:
            text = where_is(ctx, "Pod", spec.selects_pod) or msg("service.pod_missing", name=name,
                                                                              pod=spec.selects_pod)
            return Finding(Outcome.PENDING, text, {"pod": spec.selects_pod}, {"pod": "-"}, evidence)
        deleting = being_deleted("Pod", pod, evidence)
        if deleting:
            return deleting
        wanted = selector_text(selector)
        labels = pod["metadata"].get("labels") or {}
        if not match_labels(wanted, labels):
            selected = [p["metadata"]["name"] for p in ctx.cluster.list("Pod", ctx.namespace)
                        if match_labels(wanted, p["metadata"].get("labels"))]
            return failed("service.selector_mismatch",
                          {"selector": msg("value.selects_pod", pod=spec.selects_pod)},
                          {"selector": wanted}, selector=wanted, pod=spec.selects_pod,
                          labels=selector_text(labels) or "-",
                          selected=", ".join(selected) or msg("service.nothing"))
        evidence["pod_uid"] = str(pod["metadata"].get("uid", ""))
    ready = ready_endpoints(ctx, name) if spec.min_ready_endpoints else []
    if len(ready) < spec.min_ready_endpoints:
        return Finding(Outcome.PENDING,
                       msg("service.endpoints", name=name, ready=len(ready), min=spec.min_ready_endpoints),
                       {"ready_endpoints": f">= {spec.min_ready_endpoints}"},
                       {"ready_endpoints": str(len(ready))}, evidence)
    if ready:
        evidence["endpoints"] = ",".join(ready)
    return Finding(Outcome.PASSED, msg("service.ok", name=name, type=svc_type, ports=describe_ports(ports),
                                       ready=len(ready)), evidence=evidence)

"""http_reachable: the app answers over HTTP through a Service, the way the learner opened it.

"Nothing answered" (node_port) is an error, not a failure: the learner's machine may simply
not reach the nodes (firewall, NAT). An answer with the wrong status is the app's doing: failed.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from labcheck.checks.base import CheckSpec, EvalContext, match_labels, one_line, resolve_port, valid_regex
from labcheck.checks.nearby import where_is
from labcheck.checks.service_shape import selector_text
from labcheck.core.answers import HttpResult, Unreachable, reason_of
from labcheck.core.i18n import Text, msg, register_messages
from labcheck.core.model import Field, field_validator
from labcheck.core.results import Finding, Outcome

register_messages({
    # what this kind checks, for `labcheck explain` in the learner's language
    "kind.http_reachable": {"en": "The app answers over HTTP.",
                            "zh": "应用能通过 HTTP 访问。"},
    "http.no_service": {"en": "Service {name} does not exist yet", "zh": "Service {name} 还不存在"},
    "http.no_port": {"en": "Service {name} has no port {port}", "zh": "Service {name} 没有端口 {port}"},
    "http.no_node_port": {
        "en": "Service {name} is {type} and has no nodePort to open from outside the cluster",
        "zh": "Service {name} 的类型是 {type}，没有可从集群外访问的 nodePort",
    },
    "http.unsupported": {
        "en": "labcheck cannot make plain HTTP requests from here",
        "zh": "labcheck 在这里无法发出普通 HTTP 请求",
    },
    "http.no_addresses": {
        "en": "no node has an address of type {types}",
        "zh": "没有节点具有 {types} 类型的地址",
    },
    "http.unreachable": {
        "en": "nothing answered from this machine on node port {node_port} of Service {name}: tried {tried}. "
              "That is the network path from here to the nodes, not your work",
        "zh": "从本机访问 Service {name} 的节点端口 {node_port} 没有任何应答：尝试了 {tried}。"
              "这是本机到节点的网络路径问题，不是你的操作有误",
    },
    "http.unreachable_hint": {
        "en": "labcheck tried each node's {types} address, Ready nodes first. Open the page from where a "
              "node can be reached: the node's address from `kubectl get nodes -o wide`; on minikube "
              "`minikube service {name} --url`; on kind the node port must be in the cluster's "
              "extraPortMappings; anywhere `kubectl port-forward service/{name} 8080:{port}` and then "
              "http://localhost:8080. The check stays ungraded (never counted against you) until it gets an "
              "answer.",
        "zh": "labcheck 依次尝试了每个节点的 {types} 地址（先试 Ready 的节点）。"
              "请在能访问节点的地方打开页面："
              "节点地址见 `kubectl get nodes -o wide`；minikube 上用 `minikube service {name} --url`；"
              "kind 需要在集群的 extraPortMappings 中映射该节点端口；任何集群都可以先运行 "
              "`kubectl port-forward service/{name} 8080:{port}`，再打开 http://localhost:8080。"
              "在得到应答之前，这项检查不评分（不会扣分）。",
    },
    "http.not_ready_node": {"en": " (NotReady)", "zh": "（未就绪）"},
    "http.no_selector": {
        "en": "Service {name} has no selector, so no Pod to forward to",
        "zh": "Service {name} 没有 selector，没有可转发的 Pod",
    },
    "http.no_pod": {
        "en": "no Running Pod is selected by Service {name} ({selector}) yet",
        "zh": "还没有被 Service {name}（{selector}）选中的 Running 状态的 Pod",
    },
    "http.named_port": {
        "en": "Service {name} targets port '{port}', but Pod {pod} declares no container port of that name",
        "zh": "Service {name} 的目标端口是 '{port}'，但 Pod {pod} 没有声明这个名字的容器端口",
    },
    "http.wrong_status": {
        "en": "{url} answered HTTP {actual}, expected {expected}",
        "zh": "{url} 返回 HTTP {actual}，应为 {expected}",
    },
    "http.wrong_body": {
        "en": "{url} answered, but the body does not match {pattern}",
        "zh": "{url} 有应答，但响应内容不匹配 {pattern}",
    },
    "http.ok": {"en": "{url} answered HTTP {status}", "zh": "{url} 返回 HTTP {status}"},
})

Via = Literal["node_port", "proxy", "port_forward"]
AddressType = Literal["InternalIP", "ExternalIP", "Hostname", "InternalDNS", "ExternalDNS"]


class Spec(CheckSpec):
    kind: Literal["http_reachable"] = Field(
        description="The app answers an HTTP GET through a Service (nodePort, API proxy or port-forward)."
    )
    service: str = Field(description="Service name.")
    port: int | None = Field(None, ge=1, le=65535,
                             description="Service port (default: every port in turn, the first that answers "
                                         "as expected passes).")
    via: Via = Field(
        "node_port",
        description="node_port: http://<node address>:<nodePort> from where labcheck runs; proxy: the "
                    "API server's service proxy; port_forward: a port-forward to a selected Pod.",
    )
    path: str = Field("/", pattern=r"^/", description="Path to GET, starting with '/'.")
    expect_status: int = Field(200, ge=100, le=599, description="Expected HTTP status.")
    body_pattern: str | None = Field(None, description="A regular expression the body must contain.")
    address_types: list[AddressType] = Field(
        default_factory=lambda: list[AddressType](["InternalIP", "ExternalIP"]), min_length=1,
        description="With node_port: node address types to try, in this order.",
    )
    request_timeout: float = Field(3.0, gt=0, le=60, description="Seconds to wait for each answer.")

    @field_validator("body_pattern")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        return None if value is None else valid_regex(value)


def _reason(words: str) -> Text:
    """reason_of's few words in the learner's language (other words, e.g. from the OS, as they are)."""
    try:
        return msg(f"value.net.{words}")
    except KeyError:
        return Text.same(words)


def _ready(node: dict[str, Any]) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in node.get("status", {}).get("conditions") or [])


def node_addresses(ctx: EvalContext, types: list[AddressType]) -> list[tuple[str, bool]]:
    """(address, node Ready) of the allowed types: Ready nodes before NotReady ones, and within each
    every node's first type, then the next type."""
    nodes = ctx.cluster.list("Node", None)
    out: list[tuple[str, bool]] = []
    for ready in (True, False):
        for wanted in types:
            for node in (n for n in nodes if _ready(n) is ready):
                for addr in node.get("status", {}).get("addresses") or []:
                    if (addr.get("type") == wanted and addr.get("address")
                            and addr["address"] not in (a for a, _ in out)):
                        out.append((str(addr["address"]), ready))
    return out


def _judge(spec: Spec, result: HttpResult, evidence: dict[str, str]) -> Finding:
    evidence = {**evidence, "url": result.url, "status": str(result.status)}
    body = one_line(result.body) or "-"
    if result.status != spec.expect_status:
        return Finding(Outcome.FAILED, msg("http.wrong_status", url=result.url, actual=result.status,
                                           expected=spec.expect_status),
                       {"status": str(spec.expect_status)}, {"status": str(result.status), "body": body},
                       evidence)
    if spec.body_pattern is not None and not re.search(spec.body_pattern, result.body):
        return Finding(Outcome.FAILED, msg("http.wrong_body", url=result.url, pattern=spec.body_pattern),
                       {"body": spec.body_pattern}, {"body": body}, evidence)
    return Finding(Outcome.PASSED, msg("http.ok", url=result.url, status=result.status),
                   evidence=evidence)


def _via_node_port(spec: Spec, ctx: EvalContext, svc: dict[str, Any], entry: dict[str, Any],
                   evidence: dict[str, str]) -> Finding:
    node_port = entry.get("nodePort")
    if not node_port:
        svc_type = str(svc.get("spec", {}).get("type", "ClusterIP"))
        return Finding(Outcome.FAILED, msg("http.no_node_port", name=spec.service, type=svc_type),
                       {"type": "NodePort"}, {"type": svc_type}, evidence)
    if ctx.http_get is None:
        return Finding(Outcome.ERROR, msg("http.unsupported"), evidence=evidence)
    addresses = node_addresses(ctx, spec.address_types)
    if not addresses:
        return Finding(Outcome.ERROR, msg("http.no_addresses", types=" | ".join(spec.address_types)),
                       evidence=evidence)
    tried: list[Text] = []
    for address, ready in addresses:
        host = f"[{address}]" if ":" in address else address
        try:
            result = ctx.http_get(f"http://{host}:{node_port}{spec.path}", spec.request_timeout)
        except OSError as exc:
            where = exc.address if isinstance(exc, Unreachable) else f"{host}:{node_port}"
            attempt = Text.same(f"{where} ") + _reason(reason_of(exc))
            tried.append(attempt if ready else attempt + msg("http.not_ready_node"))
            continue
        return _judge(spec, result, evidence)
    joined = Text(zh="；".join(t.zh for t in tried), en="; ".join(t.en for t in tried))
    hint = msg("http.unreachable_hint", types=" | ".join(spec.address_types), name=spec.service,
               port=entry.get("port"))
    text = msg("http.unreachable", tried=joined, node_port=node_port, name=spec.service)
    return Finding(Outcome.ERROR, text, actual={"error": msg("value.error.unreachable")},
                   evidence={**evidence, "tried": joined.en}, hint=hint)


def _via_port_forward(spec: Spec, ctx: EvalContext, svc: dict[str, Any], entry: dict[str, Any],
                      evidence: dict[str, str]) -> Finding:
    selector = selector_text(dict(svc.get("spec", {}).get("selector") or {}))
    if not selector:
        return Finding(Outcome.FAILED, msg("http.no_selector", name=spec.service),
                       {"selector": msg("value.set")}, {"selector": "-"}, evidence)
    pods = [p for p in ctx.cluster.list("Pod", ctx.namespace)
            if match_labels(selector, p["metadata"].get("labels"))
            and p.get("status", {}).get("phase") == "Running"
            and not p["metadata"].get("deletionTimestamp")]
    if not pods:
        return Finding(Outcome.PENDING, msg("http.no_pod", name=spec.service, selector=selector),
                       {"pods": "Running"}, {"pods": "-"}, evidence)
    pod = pods[0]
    pod_name = str(pod["metadata"]["name"])
    target = entry.get("targetPort", entry.get("port"))
    port = resolve_port(pod, target)
    if port is None:
        return Finding(Outcome.FAILED, msg("http.named_port", name=spec.service, port=target, pod=pod_name),
                       {"target_port": str(target)}, {"container_ports": "-"}, evidence)
    evidence = {**evidence, "pod": pod_name, "pod_uid": str(pod["metadata"].get("uid", ""))}
    return _judge(spec, ctx.cluster.port_forward_get(ctx.namespace, pod_name, port, spec.path,
                                                     spec.request_timeout), evidence)


def _try_port(spec: Spec, ctx: EvalContext, svc: dict[str, Any], entry: dict[str, Any],
              evidence: dict[str, str]) -> Finding:
    evidence = {**evidence, "port": str(entry.get("port"))}
    if spec.via == "node_port":
        return _via_node_port(spec, ctx, svc, entry, evidence)
    if spec.via == "port_forward":
        return _via_port_forward(spec, ctx, svc, entry, evidence)
    result = ctx.cluster.proxy_get(ctx.namespace, spec.service, int(entry["port"]), spec.path,
                                   spec.request_timeout)
    return _judge(spec, result, evidence)


def evaluate(spec: Spec, ctx: EvalContext) -> Finding:
    svc = ctx.get("Service", spec.service)
    if svc is None:
        text = where_is(ctx, "Service", spec.service) or msg("http.no_service", name=spec.service)
        return Finding(Outcome.PENDING, text, {"service": spec.service}, {"service": "-"})
    ports: list[dict[str, Any]] = list(svc.get("spec", {}).get("ports") or [])
    entries = [p for p in ports if spec.port is None or p.get("port") == spec.port]
    evidence = {"service_uid": str(svc["metadata"].get("uid", ""))}
    if not entries:
        return Finding(Outcome.FAILED, msg("http.no_port", name=spec.service, port=spec.port or "-"),
                       {"port": str(spec.port or "any")},
                       {"ports": ", ".join(str(p.get("port")) for p in ports) or "-"}, evidence)
    # No port named: any port of the Service may be the app's (`443` then `80` is common), so each is
    # tried in order and the first that answers as expected wins; else the first real answer, else
    # the first port's finding.
    findings: list[Finding] = []
    for entry in entries:
        finding = _try_port(spec, ctx, svc, entry, evidence)
        if finding.outcome is Outcome.PASSED:
            return finding
        findings.append(finding)
    answered = [f for f in findings if "status" in f.evidence]
    return (answered or findings)[0]

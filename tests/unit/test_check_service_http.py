from typing import Any

import pytest
from pydantic import ValidationError

from labcheck.checks import http_reachable, service_shape
from labcheck.core.answers import HttpResult, Unreachable
from labcheck.core.results import Finding, Outcome
from labcheck.errors import ClusterError
from tests.unit.fakes import FakeCluster, context, endpoint_slice, node, pod, service


def svc_spec(**kw: object) -> service_shape.Spec:
    base = {"id": "service", "kind": "service_shape", "title": "t", "name": "my-first-service",
            "type": "NodePort", "port": 80, "target_port": 80, "selects_pod": "my-first-pod",
            "min_ready_endpoints": 1}
    return service_shape.Spec.model_validate({**base, **kw})


def shape(cluster: FakeCluster, **kw: object) -> Finding:
    return service_shape.evaluate(svc_spec(**kw), context(cluster))


def healthy(**svc: Any) -> FakeCluster:
    return FakeCluster({"Service": [service(**svc)], "Pod": [pod()], "EndpointSlice": [endpoint_slice()]})


def test_service_as_exposed_passes_with_evidence() -> None:
    f = shape(healthy())
    assert f.outcome is Outcome.PASSED, f.message.en
    assert f.evidence["uid"] == "uid-svc-1" and f.evidence["pod_uid"] == "uid-pod-1"
    assert "80:31234/TCP" in f.message.en and "NodePort" in f.message.zh


def test_missing_service_is_pending() -> None:
    f = shape(FakeCluster({"Pod": [pod()]}))
    assert f.outcome is Outcome.PENDING and "my-first-service" in f.message.en


def test_wrong_type_fails_with_expected_and_actual() -> None:
    f = shape(healthy(type="ClusterIP"))
    assert f.outcome is Outcome.FAILED
    assert f.expected == {"type": "NodePort"} and f.actual == {"type": "ClusterIP"}


def test_missing_port_fails_listing_ports() -> None:
    f = shape(healthy(port=8080, target_port=80))
    assert f.outcome is Outcome.FAILED
    assert f.expected == {"port": "80"} and "8080" in f.actual["ports"]


def test_port_81_without_target_port_fails_on_target_port() -> None:
    # kubectl expose --port=81 without --target-port: targetPort is 81 (here also left unset)
    for target in (81, None):
        cluster = FakeCluster({"Service": [service("my-first-service2", port=81, target_port=target)],
                               "Pod": [pod()], "EndpointSlice": [endpoint_slice("my-first-service2")]})
        f = shape(cluster, name="my-first-service2", port=81)
        assert f.outcome is Outcome.FAILED
        assert f.expected == {"target_port": "80"} and f.actual == {"target_port": "81"}


def test_named_target_port_compares_as_text() -> None:
    assert shape(healthy(target_port="http"), target_port="http").outcome is Outcome.PASSED


def test_node_port_out_of_range_or_missing_fails() -> None:
    f = shape(healthy(node_port=8080))
    assert f.outcome is Outcome.FAILED and f.actual == {"node_port": "8080"}
    assert f.expected == {"node_port": "30000-32767"}
    assert shape(healthy(node_port=None)).outcome is Outcome.FAILED
    assert shape(healthy(node_port=8080), node_port_range=[8000, 9000]).outcome is Outcome.PASSED


def test_no_selector_fails() -> None:
    f = shape(healthy(selector={}))
    assert f.outcome is Outcome.FAILED and f.actual == {"selector": "-"}


def test_selector_matching_nothing_fails_showing_selector() -> None:
    f = shape(healthy(selector={"app": "web"}))
    assert f.outcome is Outcome.FAILED
    assert f.actual == {"selector": "app=web"}
    assert "app=web" in f.message.en and "run=my-first-pod" in f.message.en and "nothing" in f.message.en


def test_selector_matching_another_pod_names_it() -> None:
    cluster = healthy(selector={"run": "other"})
    cluster.objects["Pod"].append(pod("other", uid="u2"))
    f = shape(cluster)
    assert f.outcome is Outcome.FAILED and "selects: other" in f.message.en


def test_selected_pod_missing_is_pending() -> None:
    cluster = FakeCluster({"Service": [service()], "EndpointSlice": [endpoint_slice()]})
    assert shape(cluster).outcome is Outcome.PENDING


def test_endpoints_not_ready_is_pending() -> None:
    cluster = healthy()
    cluster.objects["EndpointSlice"] = [endpoint_slice(ready=[False])]
    f = shape(cluster)
    assert f.outcome is Outcome.PENDING and f.actual == {"ready_endpoints": "0"}
    cluster.objects["EndpointSlice"] = [endpoint_slice("some-other-service")]
    assert shape(cluster).outcome is Outcome.PENDING


def test_endpoint_ready_unset_counts_and_dual_stack_counts_once() -> None:
    cluster = healthy()
    cluster.objects["EndpointSlice"] = [endpoint_slice(ready=[None]), endpoint_slice(ready=[True])]
    f = shape(cluster, min_ready_endpoints=1)
    assert f.outcome is Outcome.PASSED and f.evidence["endpoints"] == "pod-0"
    assert shape(cluster, min_ready_endpoints=2).outcome is Outcome.PENDING


def test_list_error_propagates() -> None:
    cluster = healthy()
    cluster.errors["Service"] = ClusterError("forbidden", "list services: forbidden")
    with pytest.raises(ClusterError):
        shape(cluster)


@pytest.mark.parametrize("bad", [{"type": "Nodeport"}, {"node_port_range": [32767, 30000]},
                                 {"port": 0}, {"targetPort": 80}])
def test_service_spec_rejects_bad_fields(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        svc_spec(**bad)


# http_reachable

URL = "http://192.168.1.5:31234/"


def http_spec(**kw: object) -> http_reachable.Spec:
    base = {"id": "service-answers", "kind": "http_reachable", "title": "t", "service": "my-first-service"}
    return http_reachable.Spec.model_validate({**base, **kw})


def reach(cluster: FakeCluster, **kw: object) -> Finding:
    return http_reachable.evaluate(http_spec(**kw), context(cluster))


def web(**svc: Any) -> FakeCluster:
    return FakeCluster({"Service": [service(**svc)], "Pod": [pod()],
                        "Node": [node("n1", internal_ip="192.168.1.5", external_ip="203.0.113.7"),
                                 node("n2", internal_ip="192.168.1.6")]})


def test_node_port_answer_passes() -> None:
    cluster = web()
    cluster.http[URL] = HttpResult(URL, 200, "<html><h1>Welcome to Stack Simplify</h1></html>")
    f = reach(cluster, body_pattern="Stack Simplify")
    assert f.outcome is Outcome.PASSED and f.evidence["url"] == URL and "200" in f.message.en


def test_node_port_tries_next_address() -> None:
    cluster = web()
    url2 = "http://192.168.1.6:31234/"
    cluster.http[URL] = Unreachable("192.168.1.5:31234", "timed out")
    cluster.http[url2] = HttpResult(url2, 200, "ok")
    f = reach(cluster)
    assert f.outcome is Outcome.PASSED and f.evidence["url"] == url2


def test_node_port_unreachable_everywhere_is_error_naming_addresses() -> None:
    cluster = web()
    cluster.http[URL] = Unreachable("192.168.1.5:31234", "refused")
    cluster.http["http://203.0.113.7:31234/"] = Unreachable("203.0.113.7:31234", "timed out")
    f = reach(cluster)  # 192.168.1.6 is not configured: the fake refuses the connection
    assert f.outcome is Outcome.ERROR
    assert "192.168.1.5:31234 refused; 192.168.1.6:31234 refused; 203.0.113.7:31234 timed out" in f.message.en
    assert "203.0.113.7" in f.message.zh and f.evidence["tried"].count(";") == 2


def test_only_allowed_address_types_are_tried() -> None:
    f = reach(web(), address_types=["ExternalIP"])
    assert f.outcome is Outcome.ERROR
    assert "203.0.113.7:31234" in f.message.en and "192.168.1.5" not in f.message.en
    f = reach(web(), address_types=["Hostname"])
    assert f.outcome is Outcome.ERROR and "Hostname" in f.message.en


def test_app_answering_502_fails_with_status() -> None:
    cluster = web()
    page = "<html>\n<head><title>502 Bad Gateway</title></head>\n" + "x" * 300
    cluster.http[URL] = HttpResult(URL, 502, page)
    f = reach(cluster)
    assert f.outcome is Outcome.FAILED
    assert f.expected == {"status": "200"} and f.actual["status"] == "502"
    assert "\n" not in f.actual["body"] and len(f.actual["body"]) <= 120
    assert f.actual["body"].startswith("<html> <head><title>502 Bad Gateway")


def test_body_mismatch_fails() -> None:
    cluster = web()
    cluster.http[URL] = HttpResult(URL, 200, "Welcome to nginx!")
    f = reach(cluster, body_pattern="Stack Simplify")
    assert f.outcome is Outcome.FAILED and f.expected == {"body": "Stack Simplify"}
    assert f.actual["body"] == "Welcome to nginx!"


def test_cluster_ip_service_with_node_port_fails_naming_type() -> None:
    f = reach(web(type="ClusterIP"))
    assert f.outcome is Outcome.FAILED
    assert f.actual == {"type": "ClusterIP"} and "ClusterIP" in f.message.en


def test_no_plain_http_is_error() -> None:
    ctx = context(web())
    ctx.http_get = None
    f = http_reachable.evaluate(http_spec(), ctx)
    assert f.outcome is Outcome.ERROR


def test_missing_service_pending_and_missing_port_fails() -> None:
    assert reach(FakeCluster()).outcome is Outcome.PENDING
    f = reach(web(), port=81)
    assert f.outcome is Outcome.FAILED and f.actual == {"ports": "80"}


def test_ipv6_address_is_bracketed() -> None:
    cluster = FakeCluster({"Service": [service()], "Node": [node(internal_ip="fd00::5")]})
    cluster.http["http://[fd00::5]:31234/healthz"] = HttpResult("http://[fd00::5]:31234/healthz", 200, "")
    assert reach(cluster, path="/healthz").outcome is Outcome.PASSED


def test_via_proxy() -> None:
    cluster = web(type="ClusterIP")
    cluster.http["proxy://default/my-first-service:80/"] = HttpResult("proxy", 200, "hi")
    assert reach(cluster, via="proxy").outcome is Outcome.PASSED
    cluster.http["proxy://default/my-first-service:80/"] = HttpResult("proxy", 503, "no endpoints")
    assert reach(cluster, via="proxy").outcome is Outcome.FAILED
    cluster.http["proxy://default/my-first-service:80/"] = ClusterError("forbidden", "proxy: forbidden")
    with pytest.raises(ClusterError):
        reach(cluster, via="proxy")


def test_via_port_forward_maps_target_port() -> None:
    cluster = web(port=81, target_port=80)
    cluster.http["portforward://default/my-first-pod:80/"] = HttpResult("pf", 200, "hi")
    f = reach(cluster, via="port_forward")
    assert f.outcome is Outcome.PASSED and f.evidence["pod"] == "my-first-pod"


def test_via_port_forward_named_port() -> None:
    cluster = web(target_port="http")
    cluster.objects["Pod"][0]["spec"]["containers"][0]["ports"] = [{"name": "http", "containerPort": 8080}]
    cluster.http["portforward://default/my-first-pod:8080/"] = HttpResult("pf", 200, "hi")
    assert reach(cluster, via="port_forward").outcome is Outcome.PASSED
    cluster.objects["Pod"][0]["spec"]["containers"][0]["ports"] = []
    f = reach(cluster, via="port_forward")
    assert f.outcome is Outcome.FAILED and "http" in f.message.en


def test_via_port_forward_needs_a_running_selected_pod() -> None:
    cluster = web()
    cluster.objects["Pod"] = [pod(phase="Pending", ready=False)]
    assert reach(cluster, via="port_forward").outcome is Outcome.PENDING
    assert reach(web(selector={}), via="port_forward").outcome is Outcome.FAILED


@pytest.mark.parametrize("bad", [{"via": "curl"}, {"path": "index.html"}, {"body_pattern": "("},
                                 {"expect_status": 42}, {"address_types": []}])
def test_http_spec_rejects_bad_fields(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        http_spec(**bad)

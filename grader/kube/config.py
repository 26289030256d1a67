"""connect(): the chosen context as a KubeCluster and its Target, resolved as kubectl resolves it."""

from __future__ import annotations

from labcheck.core.record import dataclass
from labcheck.kube.client import USER_AGENT, KubeCluster
from labcheck.kube.resolve import resolve
from labcheck.kube.transport import RestClient


@dataclass(frozen=True)
class Target:
    """Where to grade: the resolved context, its cluster and default namespace."""

    context: str
    cluster: str
    server: str
    namespace: str | None  # the context's namespace, if it sets one


def connect(kubeconfig: str | None = None, context: str | None = None,
            request_timeout: float = 10.0) -> tuple[KubeCluster, Target]:
    """Load credentials the way kubectl does (ClusterError "config" when it would refuse too).
    No request is made yet; an exec plugin runs at the first request."""
    resolved = resolve(kubeconfig, context)
    rest = RestClient(resolved, USER_AGENT)
    target = Target(resolved.context, resolved.cluster_name, resolved.server, resolved.namespace)
    return KubeCluster(rest, request_timeout), target

"""The Kubernetes kinds labcheck can read, and where the API serves them.

A static table instead of API discovery: discovery costs a dozen requests per run.
"""

from __future__ import annotations

from labcheck.core.record import dataclass


@dataclass(frozen=True)
class KindInfo:
    kind: str
    group_version: str  # "v1" for the core group
    plural: str
    namespaced: bool

    def list_path(self, namespace: str | None) -> str:
        base = "/api/v1" if self.group_version == "v1" else f"/apis/{self.group_version}"
        if self.namespaced and namespace:
            return f"{base}/namespaces/{namespace}/{self.plural}"
        return f"{base}/{self.plural}"


_TABLE = [
    ("Pod", "v1", "pods", True),
    ("Service", "v1", "services", True),
    ("Endpoints", "v1", "endpoints", True),
    ("Event", "v1", "events", True),
    ("ConfigMap", "v1", "configmaps", True),
    ("Secret", "v1", "secrets", True),
    ("ServiceAccount", "v1", "serviceaccounts", True),
    ("PersistentVolumeClaim", "v1", "persistentvolumeclaims", True),
    ("ReplicationController", "v1", "replicationcontrollers", True),
    ("ResourceQuota", "v1", "resourcequotas", True),
    ("LimitRange", "v1", "limitranges", True),
    ("Node", "v1", "nodes", False),
    ("Namespace", "v1", "namespaces", False),
    ("PersistentVolume", "v1", "persistentvolumes", False),
    ("EndpointSlice", "discovery.k8s.io/v1", "endpointslices", True),
    ("Deployment", "apps/v1", "deployments", True),
    ("ReplicaSet", "apps/v1", "replicasets", True),
    ("StatefulSet", "apps/v1", "statefulsets", True),
    ("DaemonSet", "apps/v1", "daemonsets", True),
    ("Job", "batch/v1", "jobs", True),
    ("CronJob", "batch/v1", "cronjobs", True),
    ("Ingress", "networking.k8s.io/v1", "ingresses", True),
    ("NetworkPolicy", "networking.k8s.io/v1", "networkpolicies", True),
    ("Role", "rbac.authorization.k8s.io/v1", "roles", True),
    ("RoleBinding", "rbac.authorization.k8s.io/v1", "rolebindings", True),
    ("HorizontalPodAutoscaler", "autoscaling/v2", "horizontalpodautoscalers", True),
    ("StorageClass", "storage.k8s.io/v1", "storageclasses", False),
]

KINDS: dict[str, KindInfo] = {row[0]: KindInfo(*row) for row in _TABLE}


def kind_info(kind: str) -> KindInfo:
    try:
        return KINDS[kind]
    except KeyError:
        known = ", ".join(sorted(KINDS))
        raise ValueError(f"unknown kind {kind!r}; known kinds: {known}") from None


def check_kind_name(kind: str) -> str:
    """Pydantic validator helper: accept only kinds in the table."""
    kind_info(kind)
    return kind

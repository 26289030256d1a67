"""`labcheck rbac`: the least-privilege Role and ClusterRole for grading chosen steps.

The grader only reads: `get`/`list`/`watch` on the kinds its checks read (`watch` for `--watch`
and the board, which wait on watches; never on subresources), `pods/log` for logs,
and `pods/exec` / `pods/portforward` (`create`, which the WebSocket upgrade is authorized as,
plus `get`) only when such checks are enabled.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import yaml

from labcheck.core.kinds import kind_info
from labcheck.spec import Lab

READ = ("get", "list", "watch")
STREAM = ("create", "get")

# kind of check -> the Kubernetes kinds (or "kind/subresource") it reads, from its spec
_FIXED: dict[str, tuple[str, ...]] = {
    "nodes_ready": ("Node",),
    "pod_state": ("Pod", "Event"),
    "events_evidence": ("Event",),
    "service_shape": ("Service", "Pod", "EndpointSlice"),
    "logs_contain": ("Pod", "Pod/log"),
    "exec_output": ("Pod", "Pod/exec"),
    "quiz": (),
}
_VIA = {"node_port": ("Service", "Node"), "proxy": ("Service", "Service/proxy"),
        "port_forward": ("Service", "Pod", "Pod/portforward")}


def reads_of(check: Any) -> tuple[str, ...]:
    """What one check reads, e.g. ("Pod", "Pod/log")."""
    if check.kind in _FIXED:
        return _FIXED[check.kind]
    if check.kind == "http_reachable":
        return _VIA[str(check.via)]
    kinds: tuple[str, ...] = (str(check.object_kind),) if hasattr(check, "object_kind") else ()
    if getattr(check, "require_evidence", False):
        kinds += ("Event",)
    return kinds


def _rules(reads: set[str], namespaced: bool) -> list[dict[str, Any]]:
    grouped: dict[tuple[str, tuple[str, ...]], set[str]] = defaultdict(set)
    for item in sorted(reads):
        kind, _, sub = item.partition("/")
        info = kind_info(kind)
        if info.namespaced != namespaced:
            continue
        group = "" if info.group_version == "v1" else info.group_version.split("/")[0]
        resource = f"{info.plural}/{sub}" if sub else info.plural
        verbs = STREAM if sub in ("exec", "portforward") else ("get",) if sub else READ
        grouped[(group, verbs)].add(resource)
    return [{"apiGroups": [group], "resources": sorted(resources), "verbs": list(verbs)}
            for (group, verbs), resources in sorted(grouped.items())]


def manifests(lab: Lab, step_ids: list[str], namespace: str, name: str,
              service_account: str | None, user: str | None) -> str:
    reads = {r for s in step_ids for c in lab.step(s).checks for r in reads_of(c)}
    if service_account:
        subject = {"kind": "ServiceAccount", "name": service_account, "namespace": namespace}
    else:
        subject = {"kind": "User", "name": user or name, "apiGroup": "rbac.authorization.k8s.io"}
    docs: list[dict[str, Any]] = []
    if service_account:
        docs.append({"apiVersion": "v1", "kind": "ServiceAccount",
                     "metadata": {"name": service_account, "namespace": namespace}})
    role_ref = {"apiGroup": "rbac.authorization.k8s.io", "name": name}
    docs += [
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
         "metadata": {"name": name, "namespace": namespace}, "rules": _rules(reads, True)},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
         "metadata": {"name": name, "namespace": namespace},
         "roleRef": {**role_ref, "kind": "Role"}, "subjects": [subject]},
    ]
    # Cluster-scoped reads: nodes when checks need them, and the namespace itself (preflight:
    # "does the namespace exist"; without it labcheck still grades, it just cannot tell).
    cluster_rules = _rules(reads, False) + [{"apiGroups": [""], "resources": ["namespaces"],
                                            "resourceNames": [namespace, "kube-system"],
                                            "verbs": ["get"]}]
    docs += [
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
         "metadata": {"name": f"{name}-{namespace}"}, "rules": cluster_rules},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
         "metadata": {"name": f"{name}-{namespace}"},
         "roleRef": {**role_ref, "kind": "ClusterRole", "name": f"{name}-{namespace}"},
         "subjects": [subject]},
    ]
    header = (f"# labcheck rbac: read-only access to grade {', '.join(step_ids)} of lab {lab.id} "
              f"in namespace {namespace}\n")
    return header + yaml.safe_dump_all(docs, sort_keys=False, explicit_start=True)

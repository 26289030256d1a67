"""A ServiceAccount bound to exactly what `labcheck rbac` prints (optionally minus some resources),
and a kubeconfig that logs in as it with a short-lived token: labcheck graded with least privilege.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from tests.cluster.handle import KubeCluster
from tests.e2e.fault_lab import labcheck
from tests.e2e.faults import kubeconfig_for


@dataclass(frozen=True)
class GraderAccount:
    kubeconfig: Path
    username: str  # as the API server's audit log names it
    rbac: list[dict[str, object]]  # the documents applied


def grader_account(cluster: KubeCluster, namespace: str, path: Path, *steps: str, lab: str = "pods",
                   without: Iterable[str] = (), service_account: str = "grader",
                   without_verbs: Iterable[str] = ()) -> GraderAccount:
    """Apply `labcheck rbac STEPS` (all steps when none) for `service_account`, minus `without`
    (resources) and `without_verbs`."""
    chosen = list(steps) or ["--all"]
    proc = labcheck("rbac", *chosen, "--lab", lab, "-n", namespace, "--service-account", service_account,
                    "--name", f"{service_account}-{namespace}", cwd=path.parent)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    drop, drop_verbs = set(without), set(without_verbs)
    docs = [d for d in yaml.safe_load_all(proc.stdout) if d]
    for doc in docs:
        if "rules" in doc:
            for rule in doc["rules"]:
                rule["resources"] = [r for r in rule["resources"] if r not in drop]
                rule["verbs"] = [v for v in rule["verbs"] if v not in drop_verbs]
            doc["rules"] = [r for r in doc["rules"] if r["resources"] and r["verbs"]]
    cluster.apply(docs, namespace=namespace)
    token = cluster.kubectl("create", "token", service_account, "--duration", "1h",
                            namespace=namespace).stdout.strip()
    kubeconfig_for(cluster.kubeconfig, path, user={"token": token}, namespace=namespace)
    return GraderAccount(path, f"system:serviceaccount:{namespace}:{service_account}", docs)

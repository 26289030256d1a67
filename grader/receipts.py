"""Receipts: what a student's own run saw, written as JSON for the instructor to collect.

A receipt records the cluster identity (the kube-system namespace uid), object uids, node
names, timestamps, the labcheck version and a digest of the lab's YAML files. It helps spot
copying (two students, one cluster or one Pod); it proves nothing a student could forge.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from labcheck.core.results import RunResult
from labcheck.files import write_json

if TYPE_CHECKING:
    from labcheck.spec import Lab

RECEIPT_FORMAT = "labcheck-receipt/1"
OBJECT_KINDS = {"pod_state": "Pod", "exec_output": "Pod", "logs_contain": "Pod", "service_shape": "Service",
                "pod_uid": "Pod"}  # check kind (or evidence key) -> what the uid belongs to


def _objects_and_nodes(run: RunResult) -> tuple[list[dict[str, str]], list[str]]:
    objects: dict[tuple[str, str], dict[str, str]] = {}
    nodes: set[str] = set()
    for c in run.checks:
        for key, value in c.evidence.items():
            if not value:
                continue
            if "uid" in key:
                for uid in str(value).split(","):
                    if uid.strip():
                        what = OBJECT_KINDS.get(key, OBJECT_KINDS.get(c.kind, c.kind))
                        objects.setdefault((what, uid.strip()), {"what": what, "uid": uid.strip(),
                                                                 "check": f"{c.step_id}/{c.check_id}"})
            elif key in ("node", "nodes"):
                nodes.update(n.strip() for n in str(value).split(",") if n.strip())
    return list(objects.values()), sorted(nodes)


def build_receipt(run: RunResult, digest: str, identity: Mapping[str, str],
                  finished_at: str | None = None) -> dict[str, Any]:
    objects, nodes = _objects_and_nodes(run)
    return {
        "format": RECEIPT_FORMAT,
        "labcheck_version": run.labcheck_version,
        "lab": run.lab_id,
        "steps": [s.step_id for s in run.steps],
        "scenario_digest": digest,
        "cluster": {k: str(v) for k, v in identity.items()},
        "context": run.context,
        "namespace": run.namespace,
        "started_at": run.started_at,
        "finished_at": finished_at or dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "score": run.score,
        "max_score": run.max_score,
        # a check counted from the learner's progress file says when it passed: collect checks that time
        "checks": [{"step": c.step_id, "check": c.check_id, "kind": c.kind, "outcome": str(c.outcome),
                    "graded": c.graded, "evidence": dict(c.evidence),
                    **({"passed_earlier_at": c.remembered} if c.remembered else {})} for c in run.checks],
        "objects": objects,
        "nodes": nodes,
    }


def cluster_identity(kubeconfig: str | None, context: str | None) -> dict[str, str]:
    """The cluster's identity, or {} when it cannot be read (the receipt then says so by omission)."""
    from labcheck.errors import ClusterError
    from labcheck.kube import connect

    try:
        cluster, _target = connect(kubeconfig, context)
        return cluster.identity()
    except ClusterError:
        return {}


def write_receipt(path: str | Path, run: RunResult, lab: Lab, *, kubeconfig: str | None,
                  context: str | None) -> None:
    """`labcheck check --receipt FILE`: one receipt for the run that was just graded."""
    identity = dict(run.identity) or cluster_identity(kubeconfig, context)
    write_json(Path(path), build_receipt(run, lab.digest(), identity))

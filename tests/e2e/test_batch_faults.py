"""Batch grading of 50 targets where a third fail in different ways (API server unreachable, broken
or missing kubeconfig, forbidden, missing namespace, a slow API server): every student gets a
record, in roster order, the graded ones with their right score, the others `ERROR` with a reason.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest
import xmlschema

from tests.cluster.handle import KubeCluster
from tests.e2e.fault_lab import XSD, labcheck, prepare, write_lab
from tests.e2e.faults import FaultProxy, kubeconfig_for

pytestmark = pytest.mark.cluster
KINDS = (["done"] * 17 + ["empty"] * 16 + ["unreachable"] * 4 + ["broken-kubeconfig"] * 2 + ["no-kubeconfig"]
         + ["forbidden"] * 4 + ["no-namespace"] * 3 + ["slow"] * 3)
REASONS = {"unreachable": "cannot connect", "broken-kubeconfig": "not valid YAML", "no-kubeconfig": "does not exist",
           "forbidden": "forbidden", "no-namespace": "does not exist", "slow": "in time"}


def test_fifty_students_a_third_failing_lose_nothing(kube_cluster: KubeCluster, tmp_path: Path) -> None:
    assert len(KINDS) == 50 and sum(k not in ("done", "empty") for k in KINDS) >= 17
    tag = os.urandom(3).hex()
    done, empty = f"batch-done-{tag}", f"batch-empty-{tag}"
    for ns in (done, empty):
        kube_cluster.create_namespace(ns)
    prepare(kube_cluster, done)
    kube_cluster.kubectl("create", "serviceaccount", "nobody", namespace=empty)
    token = kube_cluster.kubectl("create", "token", "nobody", namespace=empty).stdout.strip()
    source = kube_cluster.kubeconfig
    configs = {
        "good": kubeconfig_for(source, tmp_path / "good.kubeconfig"),
        "unreachable": kubeconfig_for(source, tmp_path / "down.kubeconfig", server="https://127.0.0.1:1"),
        "forbidden": kubeconfig_for(source, tmp_path / "nobody.kubeconfig", user={"token": token}),
        "no-kubeconfig": tmp_path / "missing.kubeconfig",
    }
    (tmp_path / "broken.kubeconfig").write_text("apiVersion: v1\nclusters: [oops\n")
    configs["broken-kubeconfig"] = tmp_path / "broken.kubeconfig"
    lab = write_lab(tmp_path / "lab")
    with FaultProxy(kube_cluster.apiserver_url, "delay", 60) as slow:
        configs["slow"] = kubeconfig_for(source, tmp_path / "slow.kubeconfig", server=slow.url)
        rows = ["id,name,kubeconfig,namespace"]
        for i, kind in enumerate(KINDS):
            config = configs.get(kind, configs["good"])
            namespace = {"done": done, "no-namespace": f"gone-{tag}-{i}"}.get(kind, empty)
            rows.append(f"s{i:02d},Student {i} ({kind}),{config},{namespace}")
        (tmp_path / "roster.csv").write_text("\n".join(rows) + "\n")
        proc = labcheck("grade", "--roster", "roster.csv", "--lab", str(lab), "--steps", "step-01", "--out", "out",
                        "--jobs", "8", "--wait", "0", "--timeout", "30", cwd=tmp_path, timeout=300)
    for ns in (done, empty):
        kube_cluster.kubectl("delete", "namespace", ns, "--wait=false", check=False)
    assert proc.returncode == 2, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    out = tmp_path / "out"
    book = list(csv.DictReader(io.StringIO((out / "gradebook.csv").read_text())))
    assert [row["id"] for row in book] == [f"s{i:02d}" for i in range(50)]  # everyone, in roster order
    schema = xmlschema.XMLSchema(str(XSD))
    for i, (row, kind) in enumerate(zip(book, KINDS, strict=True)):
        folder = out / "students" / f"s{i:02d}"
        schema.validate(str(folder / "junit.xml"))
        report = json.loads((folder / "report.json").read_text())
        messages = " | ".join(c["message"] for s in report["steps"] for c in s["checks"])
        if kind == "done":
            assert row["total"] == "5", (kind, row, messages)
        elif kind == "empty":
            assert row["total"] == "0", (kind, row, messages)
        else:
            assert row["total"] == "ERROR", (kind, row, messages)
            assert REASONS[kind] in messages, (kind, messages)
    schema.validate(str(out / "junit.xml"))

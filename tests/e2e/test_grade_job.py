"""The instructors' indexed Job for real: labcheck's image (built here from Debian's packages and
the wheel, no registry) runs deploy/grade-job.yaml (4 shards) and deploy/merge-job.yaml on the real
node, grading learners in other namespaces of the same cluster; the merged gradebook equals one
`labcheck grade` run from outside the cluster."""

from __future__ import annotations

import base64
import csv
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.cli_run import ROOT, labcheck
from tests.cluster.handle import KubeCluster
from tests.node.cluster import cache_dir
from tests.node.labcheck_image import build_labcheck_image

pytestmark = pytest.mark.cluster
STUDENTS = ("s1", "s2", "s3", "s4")


def _embedded_kubeconfig(cluster: KubeCluster, namespace: str) -> str:
    """The admin kubeconfig with its files inlined (the Pod sees only the Secret) and a namespace."""
    cfg = yaml.safe_load(cluster.kubeconfig.read_text())
    for entry, keys in ((cfg["clusters"][0]["cluster"], ("certificate-authority",)),
                        (cfg["users"][0]["user"], ("client-certificate", "client-key"))):
        for key in keys:
            entry[f"{key}-data"] = base64.b64encode(Path(entry.pop(key)).read_bytes()).decode()
    cfg["contexts"][0]["context"]["namespace"] = namespace
    return yaml.safe_dump(cfg)


def _learners(cluster: KubeCluster, suffix: str) -> dict[str, str]:
    """s1, s2 did step 4 (Pod and both Services), s3 only ran the Pod, s4 nothing."""
    namespaces = {}
    for sid in STUDENTS:
        ns = f"job-{sid}-{suffix}"
        cluster.create_namespace(ns)
        namespaces[sid] = ns
    for sid in ("s1", "s2", "s3"):
        cluster.kubectl("run", "my-first-pod", "--image", "stacksimplify/kubenginx:1.0.0", namespace=namespaces[sid])
    for sid in ("s1", "s2", "s3"):
        cluster.kubectl("wait", "--for=condition=Ready", "pod/my-first-pod", "--timeout=60s",
                        namespace=namespaces[sid])
    for sid in ("s1", "s2"):
        cluster.kubectl("expose", "pod", "my-first-pod", "--type=NodePort", "--port=80", "--name=my-first-service",
                        namespace=namespaces[sid])
        cluster.kubectl("expose", "pod", "my-first-pod", "--type=NodePort", "--port=81", "--target-port=80",
                        "--name=my-first-service2", namespace=namespaces[sid])
    return namespaces


def _roster(folder: Path, cluster: KubeCluster, namespaces: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rows = ["id,name,kubeconfig"]
    for sid, ns in namespaces.items():
        (folder / f"{sid}.kubeconfig").write_text(_embedded_kubeconfig(cluster, ns))
        rows.append(f"{sid},Student {sid},{sid}.kubeconfig")
    (folder / "roster.csv").write_text("\n".join(rows) + "\n")
    return folder / "roster.csv"


def _gradebook(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return next(out.glob("labcheck-*.whl"))


def test_the_indexed_job_and_the_merge_job_grade_the_class_like_one_local_run(
        real_cluster: KubeCluster, wheel: Path, tmp_path: Path) -> None:
    node = real_cluster.node
    assert node is not None
    wheelhouse = os.environ.get("LABCHECK_WHEELHOUSE")
    assert wheelhouse, "run with ./scripts/test (it makes the wheelhouse)"
    node.ctr("images", "import", "--platform", "linux/amd64",
             str(build_labcheck_image(cache_dir(), wheel, Path(wheelhouse))), timeout=300)
    suffix = secrets.token_hex(3)
    namespaces = _learners(real_cluster, suffix)
    roster = _roster(tmp_path / "roster", real_cluster, namespaces)

    # The results volume: a PersistentVolume on the node for the manifest's claim (no provisioner here).
    results = node.root / f"results-{suffix}"
    results.mkdir(mode=0o777)
    results.chmod(0o777)
    ns = f"labcheck-{suffix}"
    real_cluster.create_namespace(ns)
    real_cluster.apply({"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": f"results-{suffix}"},
                        "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteMany"],
                                 "storageClassName": "", "hostPath": {"path": str(results)},
                                 "claimRef": {"namespace": ns, "name": "labcheck-results"}}})
    real_cluster.kubectl("create", "secret", "generic", "labcheck-roster", f"--from-file={roster.parent}",
                         namespace=ns)
    try:
        real_cluster.kubectl("apply", "-f", str(ROOT / "deploy" / "grade-job.yaml"), namespace=ns)
        done = real_cluster.kubectl("wait", "--for=condition=complete", "job/labcheck-grade", "--timeout=300s",
                                    namespace=ns, check=False, timeout=320)
        assert done.returncode == 0, _job_report(real_cluster, ns)
        real_cluster.kubectl("apply", "-f", str(ROOT / "deploy" / "merge-job.yaml"), namespace=ns)
        merged = real_cluster.kubectl("wait", "--for=condition=complete", "job/labcheck-merge", "--timeout=120s",
                                      namespace=ns, check=False, timeout=140)
        assert merged.returncode == 0, _job_report(real_cluster, ns)
        pods = real_cluster.get_json("pods", "-l", "app.kubernetes.io/component=grade", namespace=ns)["items"]
        assert sorted(p["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"] for p in pods) == [
            "0", "1", "2", "3"]
        assert sorted(p.name for p in results.iterdir()) == ["merged", "shard-0", "shard-1", "shard-2", "shard-3"]

        local = labcheck("grade", "--roster", str(roster), "--steps", "all", "--out", str(tmp_path / "local"),
                         "--jobs", "8", "--timeout", "300", "--lang", "en", "--exit-zero", cwd=tmp_path, timeout=400)
        assert local.returncode == 0, local.stdout[-2000:] + local.stderr[-2000:]
        in_cluster, outside = _gradebook(results / "merged" / "gradebook.csv"), _gradebook(
            tmp_path / "local" / "gradebook.csv")
        assert in_cluster == outside, _errors(results / "merged")
        totals = {row["id"]: row for row in in_cluster}
        assert set(totals) == set(STUDENTS)
        assert float(totals["s1"]["step-04"]) > float(totals["s3"]["step-04"]) > float(totals["s4"]["step-04"])
    finally:
        real_cluster.kubectl("delete", "namespace", ns, *(namespaces.values()), "--wait=false", check=False)
        real_cluster.kubectl("delete", "pv", f"results-{suffix}", "--wait=false", check=False)


def _errors(folder: Path) -> str:
    """The messages of ungraded checks in a results folder (what went wrong inside the cluster)."""
    out = []
    for path in sorted(folder.rglob("*.json")):
        text = path.read_text(errors="replace")
        out += [f"{path.relative_to(folder)}: {line.strip()[:300]}" for line in text.splitlines()
                if '"message"' in line and ("cannot" in line or "error" in line.lower())][:5]
    return "\n".join(out[:40])


def _job_report(cluster: KubeCluster, ns: str) -> str:
    out = [cluster.kubectl("get", "jobs,pods,pvc", "-o", "wide", namespace=ns, check=False).stdout]
    for pod in cluster.get_json("pods", namespace=ns)["items"]:
        name = pod["metadata"]["name"]
        out.append(f"--- {name}\n" + cluster.kubectl("logs", name, "--tail=30", namespace=ns, check=False).stdout)
    out.append(cluster.kubectl("get", "events", namespace=ns, check=False).stdout)
    return "\n".join(out)

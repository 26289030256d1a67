"""Batch grading on the real local control plane: a class of 32 (namespaces in one cluster), every
output checked, resume, shards + merge equal to one run, receipts collected, the Job manifest."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import xmlschema
import yaml

from labcheck.loader import load_lab
from labcheck.receipts import write_receipt
from tests.cli_run import ROOT
from tests.cli_run import labcheck as run_labcheck
from tests.cluster.handle import KubeCluster
from tests.e2e.learner import Learner

pytestmark = pytest.mark.cluster
XSD = ROOT / "grader" / "data" / "junit.xsd"
STEPS = ["step-01", "step-04"]
LAB = load_lab("pods")
MAX = {s: sum(c.points for c in LAB.step(s).checks) for s in STEPS}
COMPLETE, PARTIAL, EMPTY = 10, 10, 10


@dataclass
class Class:
    cluster: KubeCluster
    root: Path
    roster: Path
    kinds: dict[str, str]  # student id -> complete, partial, empty, unreachable, bad-kubeconfig
    learners: dict[str, Learner]


def labcheck(*args: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return run_labcheck(*args, cwd=cwd, timeout=timeout)  # a whole class takes longer than one student


@pytest.fixture(scope="module")
def klass(kube_cluster: KubeCluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Class]:
    root = tmp_path_factory.mktemp("class")
    tag = os.urandom(3).hex()
    order = ["complete"] * COMPLETE + ["partial"] * PARTIAL + ["empty"] * EMPTY
    kinds = {f"s{i:02d}": kind for i, kind in enumerate([*order, "unreachable", "bad-kubeconfig"])}
    learners: dict[str, Learner] = {}

    def set_up(sid: str) -> None:
        ns = f"batch-{tag}-{sid}"
        kube_cluster.create_namespace(ns)
        files = root / "files" / sid
        files.mkdir(parents=True)
        learner = Learner(kube_cluster, ns, files)
        learners[sid] = learner
        if kinds[sid] == "complete":
            learner.solve("step-01")
            learner.solve("step-04")
        elif kinds[sid] == "partial":  # the Pod and the first Service, not the second
            learner.run_pod()
            learner.kubectl("expose", "pod", "my-first-pod", "--type=NodePort", "--port=80",
                            "--name=my-first-service")
            learner.browser_opens("my-first-service")

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(set_up, [s for s, k in kinds.items() if k in ("complete", "partial", "empty")]))
    nowhere = root / "nowhere.kubeconfig"
    nowhere.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "nowhere",
        "clusters": [{"name": "nowhere", "cluster": {"server": "https://127.0.0.1:1"}}],
        "users": [{"name": "u", "user": {"token": "not-a-real-token-0123456789"}}],
        "contexts": [{"name": "nowhere", "context": {"cluster": "nowhere", "user": "u"}}]}))
    broken = root / "broken.kubeconfig"
    broken.write_text("apiVersion: v1\nclusters: [this is not\n")
    lines = ["id,name,email,kubeconfig,context,namespace"]
    for sid, kind in kinds.items():
        if kind == "unreachable":
            lines.append(f"{sid},Unreachable Ursula,,{nowhere},,lab")
        elif kind == "bad-kubeconfig":
            lines.append(f"{sid},Broken <b>Bea</b>,,{broken},,lab")
        else:
            lines.append(f"{sid},Student {sid},{sid}@uni.example,{kube_cluster.kubeconfig},"
                         f"{kube_cluster.context},{learners[sid].namespace}")
    roster = root / "roster.csv"
    roster.write_text("\n".join(lines) + "\n")
    yield Class(kube_cluster, root, roster, kinds, learners)
    for learner in learners.values():
        learner.close()
        kube_cluster.kubectl("delete", "namespace", learner.namespace, "--wait=false", check=False)


def grade(klass: Class, out: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return labcheck("grade", "--roster", str(klass.roster), "--steps", ",".join(STEPS), "--out", out,
                    "--jobs", "8", "--timeout", "120", "--wait", "5", "--files", "files", *extra,
                    cwd=klass.root)


def table(path: Path) -> dict[str, dict[str, str]]:
    return {row["id"]: row for row in csv.DictReader(io.StringIO(path.read_text()))}


def test_a_class_of_32_every_output(klass: Class) -> None:
    proc = grade(klass, "results")
    assert proc.returncode == 2, proc.stdout + proc.stderr  # two students could not be graded
    assert "32 students:" in proc.stdout and "2 ungraded" in proc.stdout, proc.stdout
    out = klass.root / "results"
    book = table(out / "gradebook.csv")
    assert list(book) == list(klass.kinds)
    for sid, kind in klass.kinds.items():
        row = book[sid]
        if kind == "complete":
            assert (row["step-01"], row["step-04"]) == (f"{MAX['step-01']:g}", f"{MAX['step-04']:g}"), row
            assert row["total"] == f"{MAX['step-01'] + MAX['step-04']:g}"
        elif kind == "partial":
            assert row["step-01"] == "0" and 0 < float(row["step-04"]) < MAX["step-04"], row
            assert row["total"] == row["step-04"]
        elif kind == "empty":
            assert (row["step-01"], row["step-04"], row["total"]) == ("0", "0", "0"), row
        else:
            assert row["step-04"] == "ERROR" and row["total"] == "ERROR", row
    schema = xmlschema.XMLSchema(str(XSD))
    for sid, kind in klass.kinds.items():
        folder = out / "students" / sid
        schema.validate(str(folder / "junit.xml"))
        report = json.loads((folder / "report.json").read_text())
        assert report["namespace"] or kind in ("unreachable", "bad-kubeconfig")
        gs = json.loads((folder / "gradescope" / "results.json").read_text())
        assert abs(sum(t["score"] for t in gs["tests"]) - gs["score"]) < 1e-9
        graded_max = sum(t["max_score"] for t in gs["tests"])
        assert abs(graded_max + gs["extra_data"]["ungraded_points"] - sum(MAX.values())) < 1e-9
        if kind == "complete":
            assert gs["score"] == graded_max == sum(MAX.values())
            assert all(t["status"] == "passed" for t in gs["tests"])
    schema.validate(str(out / "junit.xml"))
    suites = ET.parse(out / "junit.xml").getroot().findall("testsuite")
    assert [s.get("name") for s in suites] == list(klass.kinds)
    assert int(suites[-1].get("errors", "0")) > 0 and suites[0].get("failures") == "0"
    page = (out / "summary.html").read_text()
    assert "<script" not in page and "Broken &lt;b&gt;Bea&lt;/b&gt;" in page
    assert "2 students could not be graded" in page and page.count('<td class="err">') >= 4
    render_if_chromium(out / "summary.html", klass.root / "summary.png")


def render_if_chromium(page: Path, png: Path) -> None:
    browser = next((shutil.which(b) for b in ("chromium", "chromium-browser") if shutil.which(b)), None)
    if browser is None:
        return  # Chromium is not installed here; the page is checked as text above
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={png}",
                    "--window-size=1280,2000", page.as_uri()], capture_output=True, timeout=120, check=True)
    assert png.stat().st_size > 10_000


def test_resume_and_shards_merged_equal_one_run(klass: Class) -> None:
    first = grade(klass, "whole")
    assert first.returncode == 2, first.stderr
    again = grade(klass, "whole", "--resume")
    assert "resuming: 30 students already graded" in again.stderr, again.stderr
    whole = (klass.root / "whole" / "gradebook.csv").read_text()
    assert again.returncode == 2 and whole == (klass.root / "results" / "gradebook.csv").read_text()
    for index in range(3):  # s30 (unreachable) is in shard 0 and s31 (bad kubeconfig) in shard 1
        shard = grade(klass, "results-{shard}", "--shard", f"{index}/3")
        assert shard.returncode == (2 if index < 2 else 1), shard.stdout + shard.stderr
    merged = labcheck("merge", "results-0", "results-1", "results-2", "--out", "merged", cwd=klass.root)
    assert merged.returncode == 2 and "32 students:" in merged.stdout, merged.stdout + merged.stderr
    assert (klass.root / "merged" / "gradebook.csv").read_text() == whole
    ids = [s.get("name") for s in ET.parse(klass.root / "merged" / "junit.xml").getroot()]
    assert ids == list(klass.kinds)


def test_one_look_lists_each_kind_once_for_the_whole_class(klass: Class) -> None:
    """--wait 0: the 30 students on the cluster cost one /version and, per kind, one list across all
    namespaces (a page after the first, `continue=`, is the same list), then their own logs and execs."""
    from labcheck.kube.client import USER_AGENT

    start = klass.cluster.audit_log.stat().st_size
    proc = labcheck("grade", "--roster", str(klass.roster), "--steps", ",".join(STEPS), "--out", "one-look",
                    "--jobs", "8", "--timeout", "120", "--wait", "0", "--files", "files", cwd=klass.root)
    assert proc.returncode == 2, proc.stdout + proc.stderr

    def grader_events() -> list[dict[str, Any]]:
        with klass.cluster.audit_log.open("rb") as f:
            f.seek(start)
            lines = f.read().splitlines()
        return [json.loads(line) for line in lines if USER_AGENT.encode() in line]

    def lists() -> Counter[str]:
        return Counter(e["objectRef"]["resource"] for e in grader_events() if e["verb"] == "list"
                       and "continue=" not in e["requestURI"])

    kinds = {"pods", "services", "endpointslices", "nodes", "namespaces"}  # what step-04 reads
    klass.cluster.wait_for("the grader's lists in the audit log", lambda: set(lists()) >= kinds, timeout=10)
    time.sleep(1)  # the audit log is written as requests end: let any late one arrive
    assert lists() == {kind: 1 for kind in lists()} and set(lists()) >= kinds, lists()
    events = grader_events()
    assert not [e["requestURI"] for e in events if e["verb"] == "list" and e["objectRef"].get("namespace")]
    assert sum(1 for e in events if e["requestURI"] == "/version") == 1


def test_collect_flags_a_copied_receipt_and_a_tampered_digest(klass: Class) -> None:
    from labcheck.session import grade as grade_one

    receipts = klass.root / "receipts"
    for sid in ("s00", "s01", "s10"):
        learner = klass.learners[sid]
        run = grade_one(LAB, STEPS, kubeconfig=str(klass.cluster.kubeconfig), context=klass.cluster.context,
                        namespace=learner.namespace, files_dir=learner.files, wait=5)
        write_receipt(receipts / f"{sid}.json", run, LAB, kubeconfig=str(klass.cluster.kubeconfig),
                      context=klass.cluster.context)
    s00 = json.loads((receipts / "s00.json").read_text())
    assert s00["cluster"]["kube_system_uid"] and any(o["what"] == "Pod" for o in s00["objects"])
    shutil.copy(receipts / "s00.json", receipts / "s02.json")  # s02 hands in s00's receipt
    s10 = json.loads((receipts / "s10.json").read_text())
    s10["scenario_digest"] = "sha256:" + "f" * 64
    (receipts / "s10.json").write_text(json.dumps(s10))
    proc = labcheck("collect", "receipts", "--roster", str(klass.roster), "--steps", ",".join(STEPS),
                    "--shared-cluster", "--out", "collected", cwd=klass.root)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    flagged = {tuple(line.split(": ")[:2]) for line in proc.stdout.splitlines() if ": " in line}
    assert {("s00", "shared_object"), ("s02", "shared_object"), ("s10", "digest")} <= flagged, proc.stdout
    assert not any(sid == "s01" for sid, _ in flagged)
    book = table(klass.root / "collected" / "gradebook.csv")
    assert book["s00"]["total"] == f"{sum(MAX.values()):g}" and book["s05"]["total"] == ""
    own = labcheck("collect", "receipts", "--roster", str(klass.roster), "--steps", ",".join(STEPS),
                   "--out", "collected2", cwd=klass.root)
    assert "shared_cluster" in own.stdout


def test_job_manifests_pass_a_server_side_dry_run(kube_cluster: KubeCluster, namespace: str) -> None:
    for name in ("grade-job.yaml", "merge-job.yaml"):
        proc = kube_cluster.kubectl("apply", "--dry-run=server", "-f", str(ROOT / "deploy" / name),
                                    namespace=namespace)
        assert "(server dry run)" in proc.stdout, proc.stdout + proc.stderr
    docs = list(yaml.safe_load_all((ROOT / "deploy" / "grade-job.yaml").read_text()))
    job = next(d for d in docs if d["kind"] == "Job")
    assert job["spec"]["completionMode"] == "Indexed"
    env = {e["name"]: e["value"] for e in job["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["LABCHECK_SHARDS"] == str(job["spec"]["completions"])

"""Receipts and `collect`: scores from the instructor's lab, flags for copied or tampered receipts."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from labcheck.batch.collect import collect, flags_csv, parse_time
from labcheck.batch.gradebook import GradebookOptions, gradebook_csv
from labcheck.core.record import replace
from labcheck.core.results import Outcome
from labcheck.receipts import build_receipt
from labcheck.spec import lab_digest as scenario_digest
from tests.unit.test_batch_helpers import LAB, STEPS, make_run, roster

DIGEST = scenario_digest(LAB.root)


def receipt(n: int, finished: str = "2026-11-20T10:30:00+00:00", **changes: object) -> dict[str, object]:
    evidence = {"step-04/pod-running": {"uid": f"pod-uid-{n}", "node": "kwok-node-0"},
                "step-02/nodes-ready": {"nodes": "kwok-node-0,kwok-node-1"}}
    run = make_run({"step-04/service2": Outcome.FAILED, "step-04/service2-answers": Outcome.SKIPPED}
                   if n % 2 else None, evidence=evidence)
    data = build_receipt(run, DIGEST, {"kube_system_uid": f"cluster-{n}", "server": "https://10.0.0.1:6443"},
                         finished_at=finished)
    data.update(changes)
    return data


def test_scenario_digest_covers_the_yaml_files(tmp_path: Path) -> None:
    lab = tmp_path / "lab"
    lab.mkdir()
    (lab / "lab.yaml").write_text("id: x\n")
    (lab / "notes.md").write_text("not part of the scenario")
    first = scenario_digest(lab)
    (lab / "notes.md").write_text("changed")
    assert scenario_digest(lab) == first and first.startswith("sha256:")
    (lab / "lab.yaml").write_text("id: y\n")
    assert scenario_digest(lab) != first


def test_receipt_has_the_evidence() -> None:
    data = receipt(1)
    assert data["format"] == "labcheck-receipt/1" and data["scenario_digest"] == DIGEST
    assert data["cluster"] == {"kube_system_uid": "cluster-1", "server": "https://10.0.0.1:6443"}
    assert {"what": "Pod", "uid": "pod-uid-1", "check": "step-04/pod-running"} in data["objects"]
    assert data["nodes"] == ["kwok-node-0", "kwok-node-1"]
    assert data["steps"] == STEPS and data["finished_at"] == "2026-11-20T10:30:00+00:00"


def test_collect_flags_copies_tampering_and_late_receipts(tmp_path: Path) -> None:
    students = roster(tmp_path, 7)
    folder = tmp_path / "receipts"
    (folder / "s01").mkdir(parents=True)
    files = {
        "s00.json": receipt(0, score=999),  # claimed points are ignored
        "s01/receipt.json": receipt(1),
        "s02.json": receipt(1),  # s01's receipt, submitted again by s02
        "s03.json": receipt(3, scenario_digest="sha256:" + "0" * 64),
        "s04.json": receipt(4, finished="2026-12-01T00:00:00Z"),
        "s05.json": {"format": "something else"},
        "stranger.json": receipt(9),
    }
    for name, data in files.items():
        (folder / name).write_text(json.dumps(data))
    records, missing, flags, unknown = collect(
        folder, students, LAB, STEPS, DIGEST, window_start=parse_time("2026-11-19T00:00"),
        window_end=parse_time("2026-11-27T23:59+00:00"))
    kinds = sorted((f.student, f.kind) for f in flags)
    assert kinds == [("s01", "shared_cluster"), ("s01", "shared_object"), ("s02", "shared_cluster"),
                     ("s02", "shared_object"), ("s03", "digest"), ("s04", "window"), ("s05", "unreadable")]
    by = {(f.student, f.kind): f.message.en for f in flags}
    assert by[("s02", "shared_object")] == "same Pod uid pod-uid-1 as s01"
    assert by[("s01", "shared_cluster")] == "same cluster (kube-system uid cluster-1) as s02"
    assert by[("s03", "digest")] == \
        f"scenario digest sha256:{'0' * 64} differs from the instructor's {DIGEST}"
    assert "outside the window" in by[("s04", "window")]
    assert [m["id"] for m in missing] == ["s05", "s06"]
    assert [p.name for p in unknown] == ["stranger.json"]
    assert [r.id for r in records] == ["s00", "s01", "s02", "s03", "s04"]
    full = make_run().max_score
    table = list(csv.reader(io.StringIO(gradebook_csv(records, GradebookOptions(), missing))))
    assert table[1][-1] == f"{full:g}"  # s00: recomputed, not 999
    assert float(table[2][-1]) < full  # s01 failed service2
    assert table[6:] == [["s05", "Student 5", "", "", ""], ["s06", "Student 6", "", "", ""]]
    assert flags_csv(flags, "zh").splitlines()[0] == "student,flag,message"
    shared = collect(folder, students, LAB, STEPS, DIGEST, shared_cluster_ok=True)[2]
    assert ("s01", "shared_cluster") not in {(f.student, f.kind) for f in shared}


def test_collect_reads_submitted_junit_files(tmp_path: Path) -> None:
    """JUnit from `labcheck STEP --junit-xml`: outcomes, digest and time, scored with the instructor's lab."""

    from labcheck.reporters import REPORTERS, ReportOptions

    students = roster(tmp_path, 3)
    folder = tmp_path / "junit"
    folder.mkdir()
    failed = {"step-04/service2": Outcome.FAILED, "step-04/service2-answers": Outcome.SKIPPED}
    good = replace(make_run(), scenario_digest=DIGEST)
    partial = replace(make_run(failed), scenario_digest=DIGEST)
    tampered = replace(make_run(), scenario_digest="sha256:" + "1" * 64)
    for sid, run in (("s00", good), ("s01", partial), ("s02", tampered)):
        (folder / f"{sid}.xml").write_text(REPORTERS["junit"](run, ReportOptions(lang="zh")), encoding="utf-8")
    (folder / "s02-notes.xml").write_text("<html>not junit</html>", encoding="utf-8")
    records, missing, flags, unknown = collect(folder, students, LAB, STEPS, DIGEST)
    assert [r.id for r in records] == ["s00", "s01", "s02"] and missing == []
    assert [p.name for p in unknown] == ["s02-notes.xml"]
    assert sorted((f.student, f.kind) for f in flags) == [("s02", "digest")]
    scores = {r.id: r.run.score for r in records}
    assert scores["s00"] == good.score and scores["s01"] < good.score
    bad = folder / "s01"
    bad.mkdir()
    (bad / "broken.xml").write_text("<testsuites><testsuite", encoding="utf-8")
    flags = collect(folder, students, LAB, STEPS, DIGEST)[2]
    assert ("s01", "unreadable") in {(f.student, f.kind) for f in flags}


def test_collect_verifies_progress_a_receipt_counted(tmp_path: Path) -> None:
    """A check the student's progress file counted as passed earlier counts in `collect` only when
    it passed inside the assignment window; otherwise it is not done, and flagged."""

    students = roster(tmp_path, 2)
    folder = tmp_path / "receipts"
    folder.mkdir()
    for n, when in ((0, "2026-11-20T09:00:00+00:00"), (1, "2026-10-01T09:00:00+00:00")):
        run = make_run()
        steps = tuple(replace(s, checks=tuple(
            replace(c, remembered=when) if c.check_id == "pod-running" else c for c in s.checks))
            for s in run.steps)
        data = build_receipt(replace(run, steps=steps), DIGEST, {"kube_system_uid": f"c-{n}"},
                             finished_at="2026-11-20T10:30:00+00:00")
        assert any(c.get("passed_earlier_at") == when for c in data["checks"])  # type: ignore[attr-defined]
        (folder / f"s0{n}.json").write_text(json.dumps(data))
    records, _, flags, _ = collect(folder, students, LAB, STEPS, DIGEST,
                                   window_start=parse_time("2026-11-19T00:00"),
                                   window_end=parse_time("2026-11-27T23:59+00:00"))
    outcome = {r.id: {c.check_id: c for c in r.run.checks}["pod-running"] for r in records}
    assert outcome["s00"].outcome is Outcome.PASSED and outcome["s00"].remembered
    assert "passed earlier" in outcome["s00"].message.en
    assert outcome["s01"].outcome is Outcome.PENDING and "not counted" in outcome["s01"].message.en
    assert {(f.student, f.kind) for f in flags} == {("s01", "window")}  # pod-running is in two steps

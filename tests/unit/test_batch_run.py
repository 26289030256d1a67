"""grade_roster with a stand-in grade function: deadlines, crashes, resume, shards + merge."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

import pytest

from labcheck.batch.gradebook import GradebookOptions
from labcheck.batch.outputs import RecordFiles, merge_results, read_records, write_batch_meta, write_class
from labcheck.batch.roster import Student, shard
from labcheck.batch.run import BatchOptions, grade_roster
from labcheck.core.results import Outcome, RunResult
from labcheck.errors import LabcheckError
from tests.unit.test_batch_helpers import LAB, STEPS, make_run, roster

RELEASE = threading.Event()


def fake_grade(student: Student) -> RunResult:
    number = int(student.id[1:])
    if student.id == "s03":
        RELEASE.wait(30)  # a cluster that hangs
    if student.id == "s04":
        raise RuntimeError("boom")
    if number % 3 == 0:
        return make_run({"step-04/service": Outcome.FAILED, "step-04/service-answers": Outcome.SKIPPED})
    return make_run()


def test_hung_and_crashing_students_end_as_error_and_the_others_are_kept(tmp_path: Path) -> None:
    students = roster(tmp_path, 12)
    out = tmp_path / "out"
    start = time.monotonic()
    briefs = grade_roster(LAB, STEPS, students, BatchOptions(out=out, jobs=4, timeout=1.0), fake_grade,
                          stream=io.StringIO())
    assert time.monotonic() - start < 10
    RELEASE.set()
    assert [b.id for b in briefs] == [s.id for s in students]
    assert {b.id for b in briefs if b.has_error} == {"s03", "s04"}
    records = read_records(out)  # the runner keeps no results: they are on disk
    assert [r.id for r in records] == [s.id for s in students]
    errors = {r.id: r for r in records if r.has_error}
    assert set(errors) == {"s03", "s04"}
    assert "within 1s" in errors["s03"].run.cluster_problem.en  # type: ignore[union-attr]
    assert "RuntimeError: boom" in errors["s04"].run.cluster_problem.en  # type: ignore[union-attr]
    assert all(c.outcome is Outcome.ERROR and not c.graded for c in errors["s03"].run.checks)
    assert records[1].run.passed and not records[0].run.passed
    for s in students:
        folder = out / "students" / s.id
        assert {p.name for p in folder.iterdir()} >= {"record.json", "junit.xml", "report.json", "gradescope"}


def test_resume_skips_graded_students_and_retries_ungraded_ones(tmp_path: Path) -> None:
    students = roster(tmp_path, 6)
    out = tmp_path / "out"
    calls: list[str] = []

    def first(student: Student) -> RunResult:
        calls.append(student.id)
        if student.id == "s02":
            return make_run(default=Outcome.ERROR)
        return make_run()

    grade_roster(LAB, STEPS, students, BatchOptions(out=out, jobs=1, timeout=None), first,
                 stream=io.StringIO())
    (out / "students" / "s05" / "record.json").unlink()  # as if interrupted before s05 was written
    (out / "students" / "s04" / "record.json").write_text("{half a fi")  # or while writing it
    calls.clear()

    def second(student: Student) -> RunResult:
        calls.append(student.id)
        return make_run()

    stream = io.StringIO()
    briefs = grade_roster(LAB, STEPS, students, BatchOptions(out=out, jobs=2, resume=True), second,
                          stream=stream)
    assert sorted(calls) == ["s02", "s04", "s05"]
    assert "3 students already graded" in stream.getvalue()
    assert [b.id for b in briefs] == [s.id for s in students] and not any(b.has_error for b in briefs)


def test_shards_merged_equal_one_run(tmp_path: Path) -> None:
    RELEASE.set()
    students = roster(tmp_path, 31)
    options = GradebookOptions(points_row=True)

    def grade(student: Student) -> RunResult:
        if student.id == "s03":
            return make_run(default=Outcome.ERROR)
        return fake_grade(student) if student.id != "s04" else make_run()

    whole = tmp_path / "whole"
    meta = {"lab": "pods", "steps": STEPS, "scenario_digest": "sha256:x"}
    write_batch_meta(whole, {**meta, "students": [s.id for s in students]})
    grade_roster(LAB, STEPS, students, BatchOptions(out=whole), grade, stream=io.StringIO())
    write_class(whole, RecordFiles(whole), options, "en")
    shards = []
    for index in range(3):
        part = shard(students, index, 3)
        folder = tmp_path / f"results-{index}"
        write_batch_meta(folder, {**meta, "shard": [index, 3], "students": [s.id for s in part]})
        grade_roster(LAB, STEPS, part, BatchOptions(out=folder, jobs=3), grade, stream=io.StringIO())
        shards.append(folder)
    merged = tmp_path / "merged"
    copied, missing = merge_results(shards, merged)
    write_class(merged, RecordFiles(merged, set(copied)), options, "en")
    assert missing == [] and sorted(copied) == [s.id for s in students]
    for name in ("gradebook.csv", "junit.xml"):
        assert (merged / name).read_text() == (whole / name).read_text(), name
    with pytest.raises(LabcheckError, match="s00 is in both"):
        merge_results([shards[0], shards[0]], tmp_path / "again")
    write_batch_meta(shards[2], {**meta, "scenario_digest": "sha256:y", "students": []})
    with pytest.raises(LabcheckError, match="scenario_digest"):
        merge_results(shards, tmp_path / "mixed")

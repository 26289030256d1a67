"""The class outputs streamed from the record files: byte for byte what the runner wrote when it kept
every student in memory (tests/unit/data/batch-class/, made at 215ee6b), and never more than one
student's results held at a time, by the runner or by the class pass."""

from __future__ import annotations

import gc
import io
import weakref
from pathlib import Path

import pytest

import labcheck.batch.outputs as outputs
import labcheck.batch.run as run
from labcheck.batch.outputs import RecordFiles, read_records, write_class
from labcheck.batch.outputs import write_student as real_write
from labcheck.batch.record import StudentRecord
from labcheck.batch.record import read_record as real_read
from labcheck.batch.run import BatchOptions, grade_roster
from labcheck.core.i18n import Lang
from tests.unit.batch_class import FORMS, GOLDEN, MISSING, NOW, grade, roster
from tests.unit.test_batch_helpers import LAB, STEPS

LEFT_OUT = {"plain-en": [], "canvas-en": ["s99"], "moodle-zh": ["s05", "s06", "s99"]}
FILES = ("gradebook.csv", "junit.xml", "summary.html")


def assert_golden(out: Path, form: str) -> None:
    for name in FILES:
        assert (out / name).read_bytes() == (GOLDEN / form / name).read_bytes(), f"{form}/{name}"


@pytest.mark.parametrize("form", list(FORMS))
def test_streamed_class_outputs_equal_the_in_memory_ones(tmp_path: Path, form: str) -> None:
    students = roster(tmp_path)
    out = tmp_path / "out"
    briefs = grade_roster(LAB, STEPS, students, BatchOptions(out=out, jobs=3), grade, stream=io.StringIO())
    options, lang = FORMS[form]
    write_class(out, RecordFiles(out, known=briefs), options, lang, MISSING, now=NOW)  # as `grade` does
    assert_golden(out, form)
    written = write_class(out, RecordFiles(out, {s.id for s in students}), options, lang,  # as `merge`
                          MISSING, now=NOW)
    assert_golden(out, form)
    assert written.left_out == LEFT_OUT[form]
    assert [b.id for b in written.students] == [s.id for s in students]
    assert [b.id for b in written.students if b.has_error] == ["s02", "s03", "s09"]
    assert not list(out.glob(".*.tmp"))


def test_resumed_and_in_memory_classes_write_the_same(tmp_path: Path) -> None:
    students = roster(tmp_path)
    out = tmp_path / "out"
    grade_roster(LAB, STEPS, students[:6], BatchOptions(out=out, jobs=2), grade, stream=io.StringIO())
    other = out / "students" / "zz" / "record.json"  # a student of another roster: not in this class
    other.parent.mkdir()
    other.write_text((out / "students" / "s00" / "record.json").read_text().replace('"s00"', '"zz"'))
    (out / "students" / "s05" / "record.json").write_text('{"format": "labcheck-rec')  # cut short
    stream = io.StringIO()
    grade_roster(LAB, STEPS, students, BatchOptions(out=out, jobs=2, resume=True), grade, stream=stream)
    assert "3 students already graded" in stream.getvalue()  # s02, s03 ungraded and s05 cut: again
    options, lang = FORMS["plain-en"]
    write_class(out, RecordFiles(out, {s.id for s in students}), options, lang, MISSING, now=NOW)
    assert_golden(out, "plain-en")
    in_memory = tmp_path / "in-memory"
    write_class(in_memory, [r for r in read_records(out) if r.id != "zz"], options, lang, MISSING, now=NOW)
    for name in FILES:
        assert (in_memory / name).read_bytes() == (out / name).read_bytes(), name


def test_no_student_results_are_held_once_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The runner drops each record once its files are written; the class pass holds one at a time."""
    written: list[weakref.ref[StudentRecord]] = []
    loaded: list[weakref.ref[StudentRecord]] = []
    most_alive = [0, 0]

    def alive(refs: list[weakref.ref[StudentRecord]]) -> int:
        gc.collect()
        return sum(1 for r in refs if r() is not None)

    def write_student(out: Path, record: StudentRecord, lang: Lang) -> None:
        most_alive[0] = max(most_alive[0], alive(written))  # the ones before this one, still held?
        written.append(weakref.ref(record))
        real_write(out, record, lang)

    def read_record(path: Path) -> StudentRecord | None:
        most_alive[1] = max(most_alive[1], alive(loaded))
        record = real_read(path)
        if record is not None:
            loaded.append(weakref.ref(record))
        return record

    monkeypatch.setattr(run, "write_student", write_student)
    monkeypatch.setattr(outputs, "read_record", read_record)
    students = roster(tmp_path)
    out = tmp_path / "out"
    briefs = grade_roster(LAB, STEPS, students, BatchOptions(out=out, jobs=1), grade, stream=io.StringIO())
    assert len(written) == len(students) and alive(written) == 0 and most_alive[0] == 0
    options, lang = FORMS["canvas-en"]
    write_class(out, RecordFiles(out), options, lang, MISSING, now=NOW)
    assert len(loaded) == 2 * len(students)  # pass 1 for the headers, pass 2 for the rows
    assert most_alive[1] <= 1 and alive(loaded) == 0  # the one before, until the next is read
    assert_golden(out, "canvas-en")
    loaded.clear()
    write_class(out, RecordFiles(out, known=briefs), options, lang, MISSING, now=NOW)
    assert len(loaded) == len(students) and most_alive[1] <= 1 and alive(loaded) == 0  # the runner's Briefs
    assert_golden(out, "canvas-en")
    assert [b.id for b in briefs] == [s.id for s in students]

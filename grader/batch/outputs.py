"""Where batch results live under --out, and writing them.

    out/batch.json                          what was graded (lab, steps, digest, shard, students)
    out/students/<id>/record.json           the run, reloadable (resume, merge, class outputs)
    out/students/<id>/junit.xml, report.json
    out/students/<id>/gradescope/results.json, prairielearn/results.json
    out/gradebook.csv, out/junit.xml (a testsuite per student), out/summary.html
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from typing import Any

from labcheck.autograders import gradescope_results, prairielearn_results
from labcheck.batch.brief import Brief, ClassHead, ClassWriter
from labcheck.batch.gradebook import GradebookOptions, GradebookWriter
from labcheck.batch.record import StudentRecord, read_record
from labcheck.core.i18n import Lang
from labcheck.core.record import dataclass
from labcheck.files import atomic_text, write_json, write_text

BATCH_FORMAT = "labcheck-batch/1"


def student_dir(out: Path, student_id: str) -> Path:
    return out / "students" / student_id


def write_student(out: Path, record: StudentRecord, lang: Lang) -> None:
    """The record first (resume trusts it), then the reports built from it; JSON on one line
    (machines read these; `python -m json.tool` shows them indented)."""
    folder = student_dir(out, record.id)
    write_json(folder / "record.json", record.to_dict(), compact=True)
    write_json(folder / "gradescope" / "results.json", gradescope_results(record.run, lang), compact=True)
    write_json(folder / "prairielearn" / "results.json", prairielearn_results(record.run, lang), compact=True)
    from labcheck.reporters import ReportOptions
    from labcheck.reporters.json_report import report_json
    from labcheck.reporters.junit import render as junit

    options = ReportOptions(lang=lang, color=False)
    for filename in ("junit.xml", "report.json"):
        try:
            if filename == "junit.xml":
                write_text(folder / filename, junit(record.run, options))
            else:
                write_json(folder / filename, report_json(record.run, lang), compact=True)
        except Exception as exc:  # one reporter's bug must not lose the student's record
            sys.stderr.write(f"labcheck: {record.id}: {filename}: {type(exc).__name__}: {exc}\n")


def iter_records(out: Path) -> Iterator[tuple[Path, StudentRecord]]:
    """Every readable record under `out`, one at a time, in the order of their folders' names."""
    for path in sorted((out / "students").glob("*/record.json")):
        record = read_record(path)
        if record is not None:
            yield path, record


def read_records(out: Path) -> list[StudentRecord]:
    """Every record under `out` in memory, in roster order (tests and small tools; the class
    outputs read one record at a time: RecordFiles)."""
    return sorted((record for _, record in iter_records(out)), key=lambda r: r.index)


class RecordFiles:
    """The record files under `out` of the students in `ids` (all when None), read when needed;
    `known`: their Briefs, from the run that wrote them (no first pass over the files then)."""

    def __init__(self, out: Path, ids: Collection[str] | None = None, known: Sequence[Brief] | None = None,
                 ) -> None:
        self.out, self.ids, self.known = out, ids, known

    def briefs(self) -> list[tuple[Any, Brief]]:
        if self.known is not None:
            return [(student_dir(self.out, b.id) / "record.json", b) for b in self.known
                    if self.ids is None or b.id in self.ids]
        return [(path, Brief.of(record)) for path, record in iter_records(self.out)
                if self.ids is None or record.id in self.ids]

    def load(self, key: Any) -> StudentRecord:
        from labcheck.errors import LabcheckError

        record = read_record(key)
        if record is None:
            raise LabcheckError(f"{key}: could no longer be read while the class outputs were written")
        return record


class RecordList:
    """Records already in memory (`labcheck collect` makes them from receipts)."""

    def __init__(self, records: Sequence[StudentRecord]) -> None:
        self.records = list(records)

    def briefs(self) -> list[tuple[Any, Brief]]:
        return [(i, Brief.of(record)) for i, record in enumerate(self.records)]

    def load(self, key: Any) -> StudentRecord:
        return self.records[int(key)]


RecordSource = RecordFiles | RecordList


def write_batch_meta(out: Path, meta: dict[str, Any]) -> None:
    write_json(out / "batch.json", {"format": BATCH_FORMAT, **meta})


def read_batch_meta(out: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((out / "batch.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == BATCH_FORMAT else None


@dataclass(frozen=True)
class ClassWritten:
    left_out: list[str]  # ids the gradebook had to leave out (no id to match)
    students: list[Brief]  # in roster order


def _briefs(source: RecordSource) -> list[tuple[Any, Brief]]:
    """Pass 1: each record's Brief, in roster order (ties: in the order the source gives them)."""
    found = source.briefs()
    return [found[i] for i in sorted(range(len(found)), key=lambda i: (found[i][1].index, i))]


def write_class(out: Path, source: RecordSource | Sequence[StudentRecord], gradebook: GradebookOptions,
                lang: Lang, missing: Sequence[dict[str, Any]] = (), now: dt.datetime | None = None,
                ) -> ClassWritten:
    """Write the gradebook, the class JUnit and the summary, holding one student's results at a time:
    pass 1 reads every record for the headers (unless the source knows their Briefs), pass 2 reads
    each again and writes its rows."""
    from labcheck.batch.class_junit import JunitWriter
    from labcheck.batch.summary_html import SummaryWriter

    if not isinstance(source, RecordFiles | RecordList):
        source = RecordList(source)
    kept = _briefs(source)
    briefs = [brief for _, brief in kept]
    head = ClassHead.of(briefs)
    with atomic_text(out / "gradebook.csv") as book_file, atomic_text(out / "junit.xml") as junit_file, \
            atomic_text(out / "summary.html") as page_file:
        book = GradebookWriter(book_file, head, briefs, gradebook, missing)
        writers: list[ClassWriter] = [book, JunitWriter(junit_file, head, lang),
                                      SummaryWriter(page_file, head, lang, now)]
        for key, _ in kept:
            record = source.load(key)
            for writer in writers:
                writer.add(record)
        for writer in writers:
            writer.end()
    return ClassWritten(book.left_out, briefs)


def class_junit(records: Sequence[StudentRecord], lang: Lang) -> str:
    """The class JUnit of records in memory (batch/class_junit.py)."""
    from labcheck.batch.class_junit import class_junit as whole

    return whole(records, lang)


def merge_results(inputs: Sequence[Path], out: Path) -> tuple[list[str], list[str]]:
    """Copy every shard's students into `out`; return the ids copied and roster ids nobody graded."""
    from labcheck.errors import LabcheckError

    first: dict[str, Any] | None = None
    owner: dict[str, Path] = {}
    expected: list[str] = []
    for folder in inputs:
        if folder.resolve() == out.resolve():
            raise LabcheckError(f"{folder}: --out must not be one of the folders to merge")
        meta = read_batch_meta(folder)
        if meta is None:
            raise LabcheckError(f"{folder}: not a `labcheck grade` output (no batch.json)")
        if first is None:
            first = meta
        for key in ("lab", "steps", "scenario_digest"):
            if meta.get(key) != first.get(key):
                raise LabcheckError(f"{folder}: {key} {meta.get(key)} differs from {inputs[0]}'s "
                                    f"{first.get(key)}; merge outputs of one grading only")
        expected += [str(s) for s in meta.get("students", [])]
        for _, record in iter_records(folder):
            if record.id in owner:
                raise LabcheckError(f"student {record.id} is in both {owner[record.id]} and {folder}")
            owner[record.id] = folder
            shutil.copytree(student_dir(folder, record.id), student_dir(out, record.id), dirs_exist_ok=True)
    assert first is not None
    write_batch_meta(out, {k: v for k, v in first.items() if k not in ("format", "shard", "students")}
                     | {"students": expected, "merged_from": [str(p) for p in inputs]})
    return list(owner), [s for s in expected if s not in owner]

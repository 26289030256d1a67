"""Where batch results live under --out, and writing them.

    out/batch.json                          what was graded (lab, steps, digest, shard, students)
    out/students/<id>/record.json           the run, reloadable (resume, merge, class outputs)
    out/students/<id>/junit.xml, report.json
    out/students/<id>/gradescope/results.json
    out/gradebook.csv, out/junit.xml, out/summary.html
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from grader.batch.classjunit import class_junit
from grader.batch.gradebook import GradebookOptions, gradebook_csv, gradescope_results
from grader.batch.record import StudentRecord, read_record, write_json, write_text
from grader.i18n import Lang

BATCH_FORMAT = "labcheck-batch/1"


def student_dir(out: Path, student_id: str) -> Path:
    return out / "students" / student_id


def write_student(out: Path, record: StudentRecord, lang: Lang) -> None:
    """The record first (resume trusts it), then the reports built from it."""
    folder = student_dir(out, record.id)
    write_json(folder / "record.json", record.to_dict())
    write_json(folder / "gradescope" / "results.json", gradescope_results(record.run, lang))
    reporters = importlib.import_module("grader.reporters")
    registry: Any = getattr(reporters, "REPORTERS", None)
    if registry is None:
        return
    options = reporters.ReportOptions(lang=lang, color=False)
    for name, filename in (("junit", "junit.xml"), ("json", "report.json")):
        try:
            write_text(folder / filename, registry[name](record.run, options))
        except Exception as exc:  # one reporter's bug must not lose the student's record
            sys.stderr.write(f"labcheck: {record.id}: {filename}: {type(exc).__name__}: {exc}\n")


def read_records(out: Path) -> list[StudentRecord]:
    records = []
    for path in sorted((out / "students").glob("*/record.json")):
        record = read_record(path)
        if record is not None:
            records.append(record)
    return sorted(records, key=lambda r: r.index)


def write_batch_meta(out: Path, meta: dict[str, Any]) -> None:
    write_json(out / "batch.json", {"format": BATCH_FORMAT, **meta})


def read_batch_meta(out: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((out / "batch.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == BATCH_FORMAT else None


def write_class(out: Path, records: Sequence[StudentRecord], gradebook: GradebookOptions, lang: Lang,
                missing: Sequence[dict[str, Any]] = ()) -> None:
    from grader.batch.summary_html import summary_html

    write_text(out / "gradebook.csv", gradebook_csv(records, gradebook, missing))
    write_text(out / "junit.xml", class_junit(records, lang))
    write_text(out / "summary.html", summary_html(records, lang))

"""Where batch results live under --out, and writing them.

    out/batch.json                          what was graded (lab, steps, digest, shard, students)
    out/students/<id>/record.json           the run, reloadable (resume, merge, class outputs)
    out/students/<id>/junit.xml, report.json
    out/students/<id>/gradescope/results.json, prairielearn/results.json
    out/gradebook.csv, out/junit.xml (a testsuite per student), out/summary.html
"""

from __future__ import annotations

import json
import shutil
import sys
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from labcheck.autograders import gradescope_results, prairielearn_results
from labcheck.batch.gradebook import GradebookOptions, gradebook_csv, left_out
from labcheck.batch.record import StudentRecord, read_record
from labcheck.core.i18n import Lang
from labcheck.files import write_json, write_text
from labcheck.reporters.safe import clean_xml

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
                missing: Sequence[dict[str, Any]] = ()) -> list[str]:
    """Write the class outputs; return the ids the gradebook had to leave out (no id to match)."""
    from labcheck.batch.summary_html import summary_html

    write_text(out / "gradebook.csv", gradebook_csv(records, gradebook, missing))
    write_text(out / "junit.xml", class_junit(records, lang))
    write_text(out / "summary.html", summary_html(records, lang))
    return left_out(records, gradebook, missing)


def class_junit(records: Sequence[StudentRecord], lang: Lang) -> str:
    """A testsuite per student; testcase classname `<student>.<lab>.<step>` and name the check id, so
    classname + name is unique across the file (GitLab keeps only the first of equal pairs)."""
    from labcheck.reporters.junit import ID_LIMIT, add_case, counts, seconds, to_xml

    lab = records[0].run.lab_id if records else "labcheck"
    ordered = sorted(records, key=lambda r: r.index)
    root = ET.Element("testsuites", name=clean_xml(lab, ID_LIMIT, newlines=False))
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for record in ordered:
        run = record.run
        student = clean_xml(record.id, ID_LIMIT, newlines=False)
        suite_counts = counts(run.checks)
        attrib = {"name": student, **{k: str(v) for k, v in suite_counts.items()},
                  "time": seconds(run.duration_s), "package": clean_xml(run.lab_id, ID_LIMIT, newlines=False)}
        if run.started_at:
            attrib["timestamp"] = clean_xml(run.started_at[:19], 64, newlines=False)
        suite = ET.SubElement(root, "testsuite", attrib)
        props = ET.SubElement(suite, "properties")
        for key in ("name", "email", "sis_id"):
            if record.student.get(key):
                ET.SubElement(props, "property", name=key,
                              value=clean_xml(record.student[key], newlines=False))
        ET.SubElement(props, "property", name="score", value=f"{run.score:g}")
        ET.SubElement(props, "property", name="max_score", value=f"{run.max_score:g}")
        for step in run.steps:
            classname = clean_xml(f"{record.id}.{run.lab_id}.{step.step_id}", 3 * ID_LIMIT, newlines=False)
            for c in step.checks:
                add_case(suite, classname, c, lang, verbose=False,
                         name=clean_xml(c.check_id, ID_LIMIT, newlines=False))
        for key in totals:
            totals[key] += suite_counts[key]
    for key, total in totals.items():
        root.set(key, str(total))
    root.set("time", seconds(_class_wall(ordered)))
    return to_xml(root)


def _class_wall(records: Sequence[StudentRecord]) -> float:
    """Wall-clock seconds from the first student's start to the last one's end (students are graded
    in parallel, so their times do not add up); the longest run when start times are unknown."""
    import datetime as dt

    spans = []
    for record in records:
        try:
            start = dt.datetime.fromisoformat(record.run.started_at).timestamp()
        except ValueError:
            return max((r.run.duration_s for r in records), default=0.0)
        spans.append((start, start + record.run.duration_s))
    if not spans:
        return 0.0
    return max(end for _, end in spans) - min(start for start, _ in spans)


def merge_results(inputs: Sequence[Path], out: Path) -> tuple[list[StudentRecord], list[str]]:
    """Copy every shard's students into `out`; return the records and roster ids nobody graded."""
    from labcheck.errors import LabcheckError

    first: dict[str, Any] | None = None
    owner: dict[str, Path] = {}
    expected: list[str] = []
    records: list[StudentRecord] = []
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
        for record in read_records(folder):
            if record.id in owner:
                raise LabcheckError(f"student {record.id} is in both {owner[record.id]} and {folder}")
            owner[record.id] = folder
            shutil.copytree(student_dir(folder, record.id), student_dir(out, record.id), dirs_exist_ok=True)
            records.append(record)
    assert first is not None
    write_batch_meta(out, {k: v for k, v in first.items() if k not in ("format", "shard", "students")}
                     | {"students": expected, "merged_from": [str(p) for p in inputs]})
    return sorted(records, key=lambda r: r.index), [s for s in expected if s not in owner]

"""Class gradebook CSV (Canvas/Moodle import) and Gradescope results.json, from student records.

An ungraded step (the cluster could not answer) is never written as 0: it is ERROR or empty.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from labcheck.batch.record import StudentRecord
from labcheck.core.i18n import Lang, tr
from labcheck.core.results import Outcome, RunResult

ErrorStyle = Literal["ERROR", "empty"]
ID_FIELDS = ("id", "sis_id", "email")


@dataclass(frozen=True)
class GradebookOptions:
    id_column: str = "id"  # e.g. "SIS User ID" for Canvas, "Email address" for Moodle
    id_field: str = "id"  # which roster field fills it: id, sis_id or email
    name_column: str = "name"  # "" leaves the name out
    step_column: str = "{step}"  # template: {step}, {lab}, {max}
    total_column: str = "total"
    errors: ErrorStyle = "ERROR"
    points_row: bool = False  # Canvas's "Points Possible" row under the header


def number(value: float) -> str:
    return f"{round(value, 4):g}"


def step_ids(records: Sequence[StudentRecord]) -> list[str]:
    seen: dict[str, None] = {}
    for record in records:
        for step in record.run.steps:
            seen.setdefault(step.step_id, None)
    return list(seen)


def _max_points(records: Sequence[StudentRecord]) -> dict[str, float]:
    """Each step's full points (graded or not) from the first record that has the step."""
    out: dict[str, float] = {}
    for record in records:
        for step in record.run.steps:
            out.setdefault(step.step_id, step.total_points)
    return out


def gradebook_csv(records: Sequence[StudentRecord], options: GradebookOptions,
                  missing: Sequence[dict[str, Any]] = ()) -> str:
    """One row per student in roster order; `missing` students (no result at all) get empty cells."""
    steps = step_ids(records)
    maxima = _max_points(records)
    lab = records[0].run.lab_id if records else ""
    marker = "ERROR" if options.errors == "ERROR" else ""
    step_headers = [options.step_column.format(step=s, lab=lab, max=number(maxima.get(s, 0))) for s in steps]
    header = [options.id_column] + ([options.name_column] if options.name_column else [])
    header += step_headers + [options.total_column]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    if options.points_row:
        lead = ["Points Possible"] + ([""] if options.name_column else [])
        writer.writerow(lead + [number(maxima.get(s, 0)) for s in steps]
                        + [number(sum(maxima.values()))])
    rows: list[tuple[int, list[str]]] = []
    for record in records:
        cells = _lead(record.student, options)
        by_step = {s.step_id: s for s in record.run.steps}
        for step_id in steps:
            step = by_step.get(step_id)
            if step is None:
                cells.append("")
            elif step.ungraded_points > 0:
                cells.append(marker)
            else:
                cells.append(number(step.score))
        cells.append(marker if record.has_error else number(record.run.score))
        rows.append((record.index, cells))
    for student in missing:
        rows.append((int(student.get("index", 0)), _lead(student, options) + [""] * (len(steps) + 1)))
    for _, cells in sorted(rows, key=lambda r: r[0]):
        writer.writerow(cells)
    return out.getvalue()


def _lead(student: dict[str, Any], options: GradebookOptions) -> list[str]:
    ident = str(student.get(options.id_field) or "")
    return [ident] + ([str(student.get("name", ""))] if options.name_column else [])


_STATUS = {Outcome.PASSED: "passed"}


def gradescope_results(run: RunResult, lang: Lang) -> dict[str, Any]:
    """Gradescope autograder results.json: per-check tests whose scores add up to `score`.

    Ungraded checks count for 0 of 0 (as in labcheck's own score) and say ERROR in their output.
    """
    tests = []
    for c in run.checks:
        output = c.message.get(lang)
        if not c.graded:
            output = tr("batch.ungraded", lang, message=output)
        elif c.outcome is not Outcome.PASSED and c.hint is not None:
            output = f"{output}\n{c.hint.get(lang)}"
        tests.append({
            "name": f"{c.step_id} {c.check_id}: {c.title.get(lang)}",
            "score": c.score, "max_score": c.max_score,
            "status": _STATUS.get(c.outcome, "failed"), "output": output,
        })
    summary = f"{run.lab_title.get(lang)}: {number(run.score)}/{number(run.max_score)}"
    if run.cluster_problem is not None or run.ungraded_points > 0:
        problem = run.cluster_problem.get(lang) if run.cluster_problem else ""
        summary += "\n" + tr("batch.ungraded", lang, message=problem)
    return {
        "score": run.score,
        "output": summary,
        "tests": tests,
        "extra_data": {"lab": run.lab_id, "max_score": run.max_score,
                       "ungraded_points": run.ungraded_points, "labcheck_version": run.labcheck_version,
                       "started_at": run.started_at},
    }
